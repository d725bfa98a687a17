// A kernel-side CPU profile without perf: reads every thread's /proc/PID/task/TID/stack N times at H Hz and
// counts the stacks of runnable (R) threads. Cheap, needs only root, and works when perf hangs on a
// process whose mmap_lock is held (it never touches the target's address space). A thread running in user
// space, or on a CPU at the instant of the read, has no readable kernel stack: it is counted under a marker.
import type { HostPaths } from '../host/host-paths.js';
import { GoneError } from '../kernel/errors.js';
import { readKernelStack } from '../kernel/proc/pid-kstack.js';
import { readComm } from '../kernel/proc/task.js';
import { readThreadStats } from '../sample/thread-stats.js';
import { toFoldedText } from './folded-stacks.js';
import { joinStack } from './stack-frame.js';

/** Options of `sampleKernelStacks`. */
export interface KernelSampleOptions {
  samples: number;
  hz: number;
  /** Scheduler states counted (default `R`: a CPU profile). `RD` adds uninterruptible waits. */
  states?: string;
  signal?: AbortSignal;
}

/** A kernel-side profile. */
export interface KernelStackSamples {
  pid: number;
  samplesTaken: number;
  /** Thread observations counted (threads in a counted state, summed over samples). */
  observations: number;
  /** Observations whose kernel stack was empty (running in user space or on a CPU). */
  withoutKernelStack: number;
  folded: string;
  elapsedMs: number;
}

/** Samples kernel stacks. Stops early (with what it has) when the process exits or `signal` aborts. */
export async function sampleKernelStacks(host: HostPaths, pid: number, opts: KernelSampleOptions): Promise<KernelStackSamples> {
  const states = opts.states ?? 'R';
  const period = 1000 / opts.hz;
  const seen: { comm: string; frames: ReturnType<typeof joinStack>; state: string }[] = [];
  const comms = new Map<number, string>();
  const t0 = performance.now();
  let taken = 0;
  let withoutKernelStack = 0;
  for (let i = 0; i < opts.samples && !opts.signal?.aborted; i++) {
    let stats;
    try {
      stats = readThreadStats(host, pid);
    } catch (err) {
      if (err instanceof GoneError) break;
      throw err;
    }
    for (const st of stats) {
      if (!states.includes(st.state)) continue;
      try {
        const kernel = readKernelStack(host, pid, st.tid);
        let comm = comms.get(st.tid);
        if (comm === undefined) {
          comm = readComm(host, pid, st.tid);
          comms.set(st.tid, comm);
        }
        if (kernel.length === 0) withoutKernelStack++;
        seen.push({ comm, frames: joinStack(undefined, kernel), state: st.state });
      } catch (err) {
        if (!(err instanceof GoneError)) throw err;
      }
    }
    taken++;
    const next = t0 + (i + 1) * period;
    const wait = next - performance.now();
    if (wait > 0 && i + 1 < opts.samples) await new Promise((r) => setTimeout(r, wait));
  }
  return { pid, samplesTaken: taken, observations: seen.length, withoutKernelStack, folded: toFoldedText(seen), elapsedMs: Math.round(performance.now() - t0) };
}
