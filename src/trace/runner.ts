// Runs one generated bpftrace program as a killable child and parses its JSON stream as it arrives.
// Stop paths: the program's own `exit()` after the duration; `stop` (Ctrl-C) sends SIGINT so bpftrace prints
// its maps; a soft deadline does the same if bpftrace overruns; SIGKILL follows a grace period, and the
// child's process group is killed if reclaimwatch exits.
import { KernelLacksError, ReclaimwatchError, ToolMissingError } from '../kernel/errors.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { INSTALL_HINT } from './bpftrace-version.js';
import { type BpftraceStream, createJsonStreamParser } from './json-stream.js';

/** Progress while a trace runs. */
export interface TraceProgress {
  /** Milliseconds since bpftrace attached its probes (0 before). */
  elapsedMs: number;
  /** Events counted so far by the program's `@rw_events`. */
  events: number;
  attached: boolean;
}

/** Options of `runBpftrace`. */
export interface RunBpftraceOptions {
  bpftrace: string;
  script: string;
  durationMs: number;
  /** Aborting it stops the trace early; what was collected is still printed. */
  stop?: AbortSignal;
  /** Aborting it kills bpftrace at once (a second Ctrl-C). */
  kill?: AbortSignal;
  onProgress?: (p: TraceProgress) => void;
  /** Called once, when bpftrace has attached its probes (its first JSON record). */
  onAttached?: () => void;
  /** Time allowed for bpftrace to compile and attach. Default 60 s. */
  startupBudgetMs?: number;
  /** Time between SIGINT and SIGKILL. Default 5 s. */
  graceMs?: number;
  /** Receives bpftrace's raw stdout (fixture capture). */
  tee?: (chunk: string) => void;
}

/** What one bpftrace run produced. */
export interface BpftraceRun {
  stream: BpftraceStream;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Stopped before the duration (Ctrl-C or deadline). */
  stoppedEarly: boolean;
  /** bpftrace had to be killed: its maps may be missing. */
  killed: boolean;
  /** Milliseconds from attach to exit. */
  tracedMs: number;
  /** bpftrace's stderr, without its harmless RLIMIT_MEMLOCK complaint. */
  warnings: string[];
}

const MEMLOCK_NOISE = /couldn't set RLIMIT_MEMLOCK/;

/** Explains a bpftrace that exited without attaching. */
function failure(stderr: string, bpftrace: string): Error {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => !MEMLOCK_NOISE.test(l));
  const text = (errors.length ? errors : lines).slice(0, 6).join('\n  ');
  if (/Operation not permitted|EPERM|permission/i.test(stderr) && lines.some((l) => MEMLOCK_NOISE.test(l))) {
    return new ReclaimwatchError('permission', `bpftrace could not load its program, and could not raise the locked-memory limit: run with \`ulimit -l unlimited\` (or LimitMEMLOCK=infinity for a service) as root\n  ${text}`);
  }
  if (/Operation not permitted|EPERM|must be run as root|permission/i.test(stderr)) {
    return new ReclaimwatchError('permission', `bpftrace was refused by the kernel: run as root (CAP_BPF, CAP_PERFMON); in a container use --privileged\n  ${text}`);
  }
  if (text === '') return new ToolMissingError('bpftrace', `${bpftrace} exited without output: ${INSTALL_HINT}`);
  return new KernelLacksError('bpftrace-program', `bpftrace could not run the program on this kernel:\n  ${text}`);
}

/** Runs bpftrace with `-f json`; resolves with the parsed stream, throws when it could not start at all. */
export async function runBpftrace(opts: RunBpftraceOptions): Promise<BpftraceRun> {
  const parser = createJsonStreamParser();
  let events = 0;
  let attachedAt: number | undefined;
  parser.onMap = (name, value) => {
    if (name === '@rw_events' && typeof value === 'number') events = value;
  };
  const startup = opts.startupBudgetMs ?? 60_000;
  const grace = opts.graceMs ?? 5_000;
  const interrupt = new AbortController();
  const hardKill = new AbortController();
  let stoppedEarly = false;
  const onStop = (): void => {
    stoppedEarly = true;
    interrupt.abort();
  };
  const onKill = (): void => {
    stoppedEarly = true;
    hardKill.abort();
  };
  opts.stop?.addEventListener('abort', onStop, { once: true });
  opts.kill?.addEventListener('abort', onKill, { once: true });
  if (opts.stop?.aborted) onStop();
  // The program exits itself after durationMs from attach; if it overruns, SIGINT it.
  let softTimer: NodeJS.Timeout | undefined;
  const armSoft = (ms: number): void => {
    if (softTimer) clearTimeout(softTimer);
    softTimer = setTimeout(onStop, ms);
  };
  armSoft(startup + opts.durationMs + 10_000);
  const progress = setInterval(() => {
    opts.onProgress?.({ elapsedMs: attachedAt === undefined ? 0 : Date.now() - attachedAt, events, attached: attachedAt !== undefined });
  }, 1000);
  try {
    const r = await runWithDeadline(opts.bpftrace, ['-f', 'json', '-e', opts.script], {
      deadlineMs: startup + opts.durationMs + 10_000 + grace + 5_000,
      maxStdoutBytes: 0,
      interrupt: interrupt.signal,
      interruptGraceMs: grace,
      signal: hardKill.signal,
      onStdout: (chunk) => {
        const text = chunk.toString('utf8');
        opts.tee?.(text);
        parser.push(text);
        if (attachedAt === undefined && parser.current.attachedProbes !== undefined) {
          attachedAt = Date.now();
          armSoft(opts.durationMs + 10_000);
          opts.onAttached?.();
        }
      },
    });
    const stream = parser.end();
    if (r.spawnError) {
      const why = r.spawnError.code === 'ENOENT' ? 'not found' : r.spawnError.code ?? 'cannot start';
      throw new ToolMissingError('bpftrace', `bpftrace ${why} at ${opts.bpftrace}: ${INSTALL_HINT}`, { cause: r.spawnError });
    }
    if (stream.attachedProbes === undefined && !stoppedEarly) throw failure(r.stderr, opts.bpftrace);
    return {
      stream, exitCode: r.code, signal: r.signal, stoppedEarly,
      killed: r.signal === 'SIGKILL' || r.timedOut,
      tracedMs: attachedAt === undefined ? 0 : Date.now() - attachedAt,
      warnings: r.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !MEMLOCK_NOISE.test(l)),
    };
  } finally {
    clearInterval(progress);
    if (softTimer) clearTimeout(softTimer);
    opts.stop?.removeEventListener('abort', onStop);
    opts.kill?.removeEventListener('abort', onKill);
  }
}
