// Runs an external program as a killable child with a deadline: the one way reclaimwatch touches
// anything that can block on a target (its mmap_lock, a debugger attach, a tool that hangs).
import { spawn } from 'node:child_process';

/** What a deadline-bound child did. */
export interface DeadlineResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the deadline expired and the child was killed. */
  timedOut: boolean;
  /** Wall time from spawn to exit (or to the kill), milliseconds. */
  elapsedMs: number;
  /** Set when the program could not be started at all (ENOENT: not installed). */
  spawnError: NodeJS.ErrnoException | undefined;
  /** True when the child did not die within `killGraceMs` of SIGKILL and was left to the kernel (D state). */
  abandoned?: boolean;
}

// Process groups of children still running. The one piece of module state in reclaimwatch, on purpose: a
// single 'exit' hook must kill every child, however many runs are in flight (a listener per child would
// pile up past Node's listener limit in `doctor --all`).
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid);
  });
}

/** Options of `runWithDeadline`. */
export interface DeadlineOptions {
  deadlineMs: number;
  /** Bytes of stdout kept at most (the rest is drained and dropped). Default 4 MiB. */
  maxStdoutBytes?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Text written to the child's stdin, then closed. */
  input?: string;
  /** Called with each stdout chunk as it arrives (streaming consumers). */
  onStdout?: (chunk: Buffer) => void;
  /** Aborts the child early (SIGKILL). */
  signal?: AbortSignal;
  /**
   * Asks the child to stop gracefully: on abort its process group gets SIGINT (tools such as bpftrace then
   * print what they collected), and SIGKILL follows after `interruptGraceMs` (default 5000) if it is still there.
   */
  interrupt?: AbortSignal;
  interruptGraceMs?: number;
  /**
   * How long to wait for the child to die after SIGKILL at the deadline before giving up on it (default 250 ms).
   * A child stuck in uninterruptible kernel work (memcg reclaim charged to the target's cgroup while it reads
   * the target's memory) dies only when that work returns; it is unref'd so it can never keep reclaimwatch
   * alive, and the result says `timedOut`.
   */
  killGraceMs?: number;
  /**
   * Called once when the child is abandoned (see `killGraceMs`), and `onAbandonedExit` when it finally exits: a pair
   * per child, so callers can count the children still stuck.
   */
  onAbandoned?: () => void;
  onAbandonedExit?: () => void;
}

/**
 * Spawns `file args` in its own process group and resolves when it exits or when `deadlineMs` passes,
 * in which case the whole group gets SIGKILL. Never rejects. The child is also killed if this process exits.
 */
export function runWithDeadline(file: string, args: string[], opts: DeadlineOptions): Promise<DeadlineResult> {
  const started = process.hrtime.bigint();
  const cap = opts.maxStdoutBytes ?? 4 << 20;
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, {
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: true,
        env: opts.env ?? process.env,
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
      });
    } catch (err) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, elapsedMs: 0, spawnError: err as NodeJS.ErrnoException });
      return;
    }
    const out: Buffer[] = [];
    let outLen = 0;
    const err: Buffer[] = [];
    let timedOut = false;
    let abandoned = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    let done = false;
    const kill = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        try {
          child.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }
    };
    installExitHook();
    if (child.pid !== undefined) liveGroups.add(child.pid);
    let graceTimer: NodeJS.Timeout | undefined;
    const abandon = (): void => {
      // The child ignores SIGKILL for now (in D state): stop waiting, let it be reaped whenever it dies.
      child.unref();
      abandoned = true;
      opts.onAbandoned?.();
      if (opts.onAbandonedExit) child.once('exit', opts.onAbandonedExit);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      finish(null, 'SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
      graceTimer = setTimeout(abandon, opts.killGraceMs ?? 250);
    }, opts.deadlineMs);
    const onAbort = (): void => kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let interruptTimer: NodeJS.Timeout | undefined;
    const onInterrupt = (): void => {
      if (child.pid === undefined || done) return;
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        /* gone */
      }
      interruptTimer = setTimeout(kill, opts.interruptGraceMs ?? 5000);
    };
    if (opts.interrupt?.aborted) setImmediate(onInterrupt);
    else opts.interrupt?.addEventListener('abort', onInterrupt, { once: true });
    child.stdout?.on('data', (c: Buffer) => {
      opts.onStdout?.(c);
      if (outLen < cap) {
        out.push(c.subarray(0, cap - outLen));
        outLen += Math.min(c.length, cap - outLen);
      }
    });
    child.stderr?.on('data', (c: Buffer) => {
      if (err.length < 256) err.push(c);
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      if (interruptTimer) clearTimeout(interruptTimer);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      opts.signal?.removeEventListener('abort', onAbort);
      opts.interrupt?.removeEventListener('abort', onInterrupt);
      resolve({
        code, signal, timedOut, spawnError, ...(abandoned ? { abandoned } : {}),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        elapsedMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
      finish(null, null);
    });
    child.on('close', finish);
  });
}
