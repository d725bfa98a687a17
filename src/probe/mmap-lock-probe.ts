// The mmap_lock probe: reads /proc/PID/cmdline in a killable child with a deadline. That read takes
// the target's mmap_lock for reading (proc_pid_cmdline_read → access_remote_vm), so when a writer waits
// behind a long reader, it blocks exactly like `ps aux` did in the reference incident. A slow or
// timed-out read is that hang, measured; the main process never blocks.
import type { HostPaths } from '../host/host-paths.js';
import { runWithDeadline } from './run-with-deadline.js';
import { nativeExecutable } from '../native/native-parts.js';

/** The native reader (native/cmdline_probe.c), built by `npm install`; `head` serves where it was not built. */
function nativeReader(): string | undefined {
  return nativeExecutable('cmdline_probe');
}

/** The probe's default deadline: 1 s, ~1000x a healthy read (tens of microseconds plus ~1 ms exec). */
export const DEFAULT_PROBE_DEADLINE_MS = 1000;

/** A probe's child left stuck in the kernel after its deadline: `onAbandoned` when it is left, `onAbandonedExit` when it exits (once each per child). */
export interface AbandonHooks {
  onAbandoned?: () => void;
  onAbandonedExit?: () => void;
}

/** The result of one probe. */
export interface MmapLockProbe {
  pid: number;
  /** `ok` (read finished), `timeout` (killed at the deadline), `gone` (no such process), `error`. */
  outcome: 'ok' | 'timeout' | 'gone' | 'error';
  /**
   * How long the read took. With the native reader, the open+read alone as the child timed it; with `head`,
   * the child's wall time (exec and scheduling included). At least the deadline when it timed out.
   */
  latencyMs: number;
  /** `read` (timed inside the child) or `wall` (spawn to exit). */
  timing: 'read' | 'wall';
  deadlineMs: number;
  /** The command line, when the `head` reader read it (NUL separators turned into spaces, 4 KiB at most). */
  cmdline: string | undefined;
  detail: string | undefined;
  /** The reader did not die at its deadline (stuck in the kernel); see `AbandonHooks`. */
  abandoned?: boolean;
}

/**
 * Probes one process. The reader is native/cmdline_probe (or `head -c 4096` where it was not built): tiny and killable
 * (the kernel waits for mmap_lock with mmap_read_lock_killable), so SIGKILL at the deadline always works.
 */
export async function probeMmapLock(host: HostPaths, pid: number, deadlineMs = DEFAULT_PROBE_DEADLINE_MS, opts: AbandonHooks = {}): Promise<MmapLockProbe> {
  const native = nativeReader();
  if (native) return (await probeMany(native, host, [pid], deadlineMs, opts))[0]!;
  const file = `${host.proc}/${pid}/cmdline`;
  const r = await runWithDeadline('head', ['-c', '4096', file], { deadlineMs, maxStdoutBytes: 4096, ...opts });
  const base = { pid, deadlineMs, latencyMs: Math.round(r.elapsedMs * 1000) / 1000, timing: 'wall' as const };
  if (r.timedOut) return { ...base, latencyMs: Math.max(base.latencyMs, deadlineMs), outcome: 'timeout', cmdline: undefined, detail: `reading ${file} did not finish within ${deadlineMs} ms`, ...(r.abandoned ? { abandoned: true } : {}) };
  if (r.spawnError) return { ...base, outcome: 'error', cmdline: undefined, detail: `cannot run head: ${r.spawnError.message}` };
  if (r.code !== 0) {
    const gone = /No such file|No such process/.test(r.stderr);
    return { ...base, outcome: gone ? 'gone' : 'error', cmdline: undefined, detail: r.stderr.trim() || `head exited ${String(r.code ?? r.signal)}` };
  }
  return { ...base, outcome: 'ok', cmdline: r.stdout.replace(/\0+$/, '').replace(/\0/g, ' '), detail: undefined };
}

/**
 * Probes many processes with one child: the native reader reads each `cmdline` on a thread of its own, so a read
 * blocked on one process's mmap_lock delays no other, and one exec serves a whole tick (spawning a child costs the
 * agent ~6-10 ms of CPU, reading a cmdline microseconds). Each process gets the whole deadline; one whose read had
 * not finished when the child was killed at it is a `timeout`. Results come in the order of `pids`. Without the
 * native reader, one `head` child per process.
 */
export async function probeMmapLockMany(host: HostPaths, pids: readonly number[], deadlineMs = DEFAULT_PROBE_DEADLINE_MS, opts: AbandonHooks = {}): Promise<MmapLockProbe[]> {
  if (pids.length === 0) return [];
  const native = nativeReader();
  if (native) return probeMany(native, host, pids, deadlineMs, opts);
  // The fallback: one child each, each with its own pair of abandon hooks.
  return Promise.all(pids.map((pid) => probeMmapLock(host, pid, deadlineMs, opts)));
}

/** Files per native child at most (its argument list; the reader takes 4,096). */
const MAX_PER_CHILD = 1024;

async function probeMany(native: string, host: HostPaths, pids: readonly number[], deadlineMs: number, opts: AbandonHooks): Promise<MmapLockProbe[]> {
  if (pids.length > MAX_PER_CHILD) {
    const parts: Array<Promise<MmapLockProbe[]>> = [];
    for (let i = 0; i < pids.length; i += MAX_PER_CHILD) parts.push(probeMany(native, host, pids.slice(i, i + MAX_PER_CHILD), deadlineMs, opts));
    return (await Promise.all(parts)).flat();
  }
  const files = pids.map((pid) => `${host.proc}/${pid}/cmdline`);
  const r = await runWithDeadline(native, files, { deadlineMs, maxStdoutBytes: 64 * pids.length + 64, ...opts });
  const lines = new Map<number, string[]>();
  for (const line of r.stdout.split('\n')) {
    const f = line.split(' ');
    if (f.length === 3 && /^\d+$/.test(f[0]!)) lines.set(Number(f[0]), f);
  }
  const elapsed = Math.round(r.elapsedMs * 1000) / 1000;
  return pids.map((pid, i): MmapLockProbe => {
    const base = { pid, deadlineMs, cmdline: undefined };
    const f = lines.get(i);
    if (f && f[1] !== 'E') return { ...base, outcome: 'ok', latencyMs: Math.round(Number(f[1]) / 1000) / 1000, timing: 'read', detail: undefined };
    if (f) {
      const gone = f[2] === 'ENOENT' || f[2] === 'ESRCH';
      return { ...base, outcome: gone ? 'gone' : 'error', latencyMs: elapsed, timing: 'wall', detail: `reading ${files[i]!}: ${f[2]!}` };
    }
    if (r.timedOut) return { ...base, outcome: 'timeout', latencyMs: Math.max(elapsed, deadlineMs), timing: 'wall', detail: `reading ${files[i]!} did not finish within ${deadlineMs} ms`, ...(r.abandoned ? { abandoned: true } : {}) };
    const why = r.spawnError ? `cannot run ${native}: ${r.spawnError.message}` : r.stderr.trim() || `the reader exited ${String(r.code ?? r.signal)} without a result`;
    return { ...base, outcome: 'error', latencyMs: elapsed, timing: 'wall', detail: why };
  });
}
