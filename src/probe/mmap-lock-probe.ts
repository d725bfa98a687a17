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
  /** The reader did not die at its deadline (stuck in the kernel); `onAbandonedExit` fires when it does. */
  abandoned?: boolean;
}

/**
 * Probes one process. The reader is native/cmdline_probe (or `head -c 4096` where it was not built): tiny and killable
 * (the kernel waits for mmap_lock with mmap_read_lock_killable), so SIGKILL at the deadline always works.
 */
export async function probeMmapLock(host: HostPaths, pid: number, deadlineMs = DEFAULT_PROBE_DEADLINE_MS, opts: { onAbandonedExit?: () => void } = {}): Promise<MmapLockProbe> {
  const file = `${host.proc}/${pid}/cmdline`;
  const native = nativeReader();
  const extra = opts.onAbandonedExit ? { onAbandonedExit: opts.onAbandonedExit } : {};
  const r = native
    ? await runWithDeadline(native, [file], { deadlineMs, maxStdoutBytes: 256, ...extra })
    : await runWithDeadline('head', ['-c', '4096', file], { deadlineMs, maxStdoutBytes: 4096, ...extra });
  const timed = native && r.code === 0 ? /^(\d+) (\d+)/.exec(r.stdout) : null;
  const latency = timed ? Number(timed[1]) / 1e6 : r.elapsedMs;
  const timing: 'read' | 'wall' = timed ? 'read' : 'wall';
  const base = { pid, deadlineMs, latencyMs: Math.round(latency * 1000) / 1000, timing };
  if (r.timedOut) return { ...base, latencyMs: Math.max(base.latencyMs, deadlineMs), outcome: 'timeout', cmdline: undefined, detail: `reading ${file} did not finish within ${deadlineMs} ms`, ...(r.abandoned ? { abandoned: true } : {}) };
  if (r.spawnError) return { ...base, outcome: 'error', cmdline: undefined, detail: `cannot run head: ${r.spawnError.message}` };
  if (r.code !== 0) {
    const gone = /No such file|No such process/.test(r.stderr);
    return { ...base, outcome: gone ? 'gone' : 'error', cmdline: undefined, detail: r.stderr.trim() || `head exited ${String(r.code ?? r.signal)}` };
  }
  return { ...base, outcome: 'ok', cmdline: native ? undefined : r.stdout.replace(/\0+$/, '').replace(/\0/g, ' '), detail: undefined };
}
