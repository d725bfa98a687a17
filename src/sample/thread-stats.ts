// Per-thread counters of one process, read as fast as this machine allows: the native sampler
// (native/task_sampler.c, openat() + in-C parsing) when it was built, else pure JS over the same files.
import type { HostPaths } from '../host/host-paths.js';
import { loadNativeAddon } from '../native/native-parts.js';
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

/** An open set of one process's thread stat files, kept between samples (native only). */
type TaskSetHandle = object;

interface NativeSampler {
  readTaskStats(taskDir: string): Float64Array | null;
  openTaskSet(taskDir: string): TaskSetHandle | null;
  readTaskSet(set: TaskSetHandle): Float64Array | null;
  closeTaskSet(set: TaskSetHandle): void;
  FIELDS: number;
}

const native = loadNativeAddon<NativeSampler>('task_sampler');

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

function rows(a: Float64Array, f: number): ThreadStat[] {
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

/** Reads every thread's counters once; throws GoneError when the process exited. */
export function readThreadStats(host: HostPaths, pid: number): ThreadStat[] {
  if (!native) return readThreadStatsJs(host, pid);
  const dir = `${host.proc}/${pid}/task`;
  const a = native.readTaskStats(dir);
  if (a === null) throw new GoneError(dir);
  return rows(a, native.FIELDS);
}

/**
 * Reads thread counters repeatedly, keeping every thread's `stat` file open between samples (the native
 * sampler re-reads them with pread at offset 0, which halves the kernel's work per thread). One per sampling
 * loop; `close()` it at the end (a forgotten one is closed by the garbage collector). Falls back to
 * `readThreadStats` where the native part was not built.
 */
export class ThreadSampler {
  private readonly sets = new Map<number, TaskSetHandle>();
  constructor(private readonly host: HostPaths) {}

  /** Every thread's counters; throws GoneError when the process exited. */
  read(pid: number): ThreadStat[] {
    if (!native) return readThreadStatsJs(this.host, pid);
    const dir = `${this.host.proc}/${pid}/task`;
    let set = this.sets.get(pid);
    if (!set) {
      const opened = native.openTaskSet(dir);
      if (opened === null) throw new GoneError(dir);
      set = opened;
      this.sets.set(pid, set);
    }
    const a = native.readTaskSet(set);
    if (a === null) {
      this.sets.delete(pid);
      throw new GoneError(dir);
    }
    return rows(a, native.FIELDS);
  }

  /** Forgets processes not in `pids` (closing their files). */
  retain(pids: readonly number[]): void {
    const keep = new Set(pids);
    for (const [pid, set] of this.sets) {
      if (!keep.has(pid)) {
        native?.closeTaskSet(set);
        this.sets.delete(pid);
      }
    }
  }

  /** Closes every open file. */
  close(): void {
    this.retain([]);
  }
}
