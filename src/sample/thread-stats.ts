// Per-thread counters of one process, read as fast as this machine allows: the native sampler
// (native/task_sampler.c, openat() + in-C parsing) when it was built, else pure JS over the same files.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostPaths } from '../host/host-paths.js';
import { GoneError } from '../kernel/errors.js';
import { parsePidStat } from '../kernel/proc/pid-stat.js';
import { listTids } from '../kernel/proc/task.js';
import { readKernelFile } from '../kernel/read.js';

/** One thread's counters at one instant, kernel units (ticks, fault counts). */
export interface ThreadStat {
  tid: number;
  state: string;
  minflt: number;
  majflt: number;
  utimeTicks: number;
  stimeTicks: number;
  processor: number;
  starttimeTicks: number;
}

interface NativeSampler {
  readTaskStats(taskDir: string): Float64Array | null;
  FIELDS: number;
}

function loadNative(): NativeSampler | undefined {
  if (process.env['RECLAIMWATCH_NO_NATIVE'] === '1') return undefined;
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const require = createRequire(import.meta.url);
    return require(path.resolve(here, '../../build/Release/task_sampler.node')) as NativeSampler;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which implementation `readThreadStats` uses: `native` or `js`. */
export const threadStatsImpl: 'native' | 'js' = native ? 'native' : 'js';

/** Pure-JS reader: lists the task directory and parses every thread's `stat`. Vanished threads are skipped. */
export function readThreadStatsJs(host: HostPaths, pid: number): ThreadStat[] {
  const out: ThreadStat[] = [];
  for (const tid of listTids(host, pid)) {
    try {
      const s = parsePidStat(readKernelFile(`${host.proc}/${pid}/task/${tid}/stat`, 4096));
      out.push({ tid, state: s.state, minflt: s.minflt, majflt: s.majflt, utimeTicks: s.utimeTicks, stimeTicks: s.stimeTicks, processor: s.processor, starttimeTicks: s.starttimeTicks });
    } catch (err) {
      if (!(err instanceof GoneError)) throw err;
    }
  }
  return out;
}

/** Reads every thread's counters; throws GoneError when the process exited. */
export function readThreadStats(host: HostPaths, pid: number): ThreadStat[] {
  if (!native) return readThreadStatsJs(host, pid);
  const dir = `${host.proc}/${pid}/task`;
  const a = native.readTaskStats(dir);
  if (a === null) throw new GoneError(dir);
  const f = native.FIELDS;
  const out: ThreadStat[] = new Array<ThreadStat>(a.length / f);
  for (let i = 0, j = 0; i < a.length; i += f, j++) {
    out[j] = {
      tid: a[i]!,
      state: String.fromCharCode(a[i + 1]!),
      minflt: a[i + 2]!,
      majflt: a[i + 3]!,
      utimeTicks: a[i + 4]!,
      stimeTicks: a[i + 5]!,
      processor: a[i + 6]!,
      starttimeTicks: a[i + 7]!,
    };
  }
  return out.sort((x, y) => x.tid - y.tid);
}
