// `perf record -g` on one process, then `perf script`, each in a killable child with a deadline. perf reads
// /proc/PID/maps of its target, which blocks while mmap_lock is held (the reference incident's hang), so
// `--proc-map-timeout` bounds that read and the deadlines bound the rest. Failures say which step failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReclaimwatchError, ToolMissingError } from '../kernel/errors.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { parsePerfScript } from './perf-script.js';

/** Options of `perfProfile`. */
export interface PerfOptions {
  durationMs: number;
  /** Sampling frequency (default 99 Hz). */
  hz?: number;
  perfPath?: string;
  /** perf's own limit on reading each /proc/PID/maps (default 500 ms). */
  procMapTimeoutMs?: number;
  /** Extra time allowed beyond the duration for perf record to start and write (default 15 s). */
  slackMs?: number;
  /** Deadline of perf script (default 60 s). */
  scriptDeadlineMs?: number;
}

/** A perf profile as folded stacks. */
export interface PerfProfile {
  samples: number;
  folded: string;
}

function tail(s: string): string {
  return s.trim().split('\n').filter(Boolean).slice(-3).join('; ');
}

/** Records and folds. Throws ToolMissingError when perf is absent, ReclaimwatchError('timeout'|'read') saying what failed. */
export async function perfProfile(pid: number, opts: PerfOptions): Promise<PerfProfile> {
  const perf = opts.perfPath ?? 'perf';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-perf-'));
  const data = path.join(dir, 'perf.data');
  try {
    const seconds = (opts.durationMs / 1000).toFixed(3);
    const recordDeadline = opts.durationMs + (opts.slackMs ?? 15_000);
    const rec = await runWithDeadline(perf, ['record', '-g', '-F', String(opts.hz ?? 99), '-p', String(pid),
      '--proc-map-timeout', String(opts.procMapTimeoutMs ?? 500), '-o', data, '--', 'sleep', seconds], { deadlineMs: recordDeadline, maxStdoutBytes: 1 << 16 });
    if (rec.spawnError) throw new ToolMissingError('perf', `cannot run ${perf}: ${rec.spawnError.message} (apt-get install linux-perf), or use --samples N for a kernel-side profile without perf`, { cause: rec.spawnError });
    if (rec.timedOut) throw new ReclaimwatchError('timeout', `perf record did not finish within ${recordDeadline} ms and was killed (it hangs like this when the target's mmap_lock is held); use --samples N for a kernel-side profile that needs no perf`);
    if (rec.code !== 0 || !fs.existsSync(data)) throw new ReclaimwatchError('read', `perf record failed (exit ${String(rec.code ?? rec.signal)}): ${tail(rec.stderr) || 'no message'}; use --samples N for a kernel-side profile without perf`);
    const scriptDeadline = opts.scriptDeadlineMs ?? 60_000;
    const sc = await runWithDeadline(perf, ['script', '-i', data, '-F', 'comm,tid,period,ip,sym,dso'], { deadlineMs: scriptDeadline, maxStdoutBytes: 512 << 20 });
    if (sc.timedOut) throw new ReclaimwatchError('timeout', `perf script did not finish within ${scriptDeadline} ms and was killed`);
    if (sc.code !== 0) throw new ReclaimwatchError('read', `perf script failed (exit ${String(sc.code ?? sc.signal)}): ${tail(sc.stderr) || 'no message'}`);
    return parsePerfScript(sc.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
