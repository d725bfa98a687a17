// Scheduling priority for the sampling loop. Beside a cgroup that saturates every CPU (load average 40–60 on
// two cores), a nice-0 sampler gets 1/60 of a CPU and a 5 s window takes 12–39 s; at nice −15 it took 5.4–5.9 s.
// So the loop takes a higher priority when it may (root, or CAP_SYS_NICE), on every thread of this process
// (Linux keeps nice per thread), and says when it could not. Children inherit it: probe readers and bpftrace
// then run on time too.
import os from 'node:os';
import fs from 'node:fs';

/** What `raiseSchedulingPriority` did. */
export interface SchedulingPriority {
  /** The nice value now in force on the main thread. */
  nice: number;
  /** True when it was raised to the asked value. */
  raised: boolean;
  /** Why it was not, when it was not. */
  reason?: string;
}

/** The nice value the sampler asks for: −10 (weight 9,548 vs 1,024 at 0: ~9× the CPU share of a nice-0 thread). */
export const SAMPLER_NICE = -10;

/**
 * Raises this process's priority to `nice` on every thread (never lowers one already higher). Without the
 * permission it leaves things as they are and says so.
 */
export function raiseSchedulingPriority(nice = SAMPLER_NICE, procDir = '/proc'): SchedulingPriority {
  let current: number;
  try {
    current = os.getPriority(0);
  } catch (err) {
    return { nice: 0, raised: false, reason: `cannot read the priority: ${(err as Error).message}` };
  }
  if (current <= nice) return { nice: current, raised: true };
  let tids: number[] = [];
  try {
    tids = fs.readdirSync(`${procDir}/self/task`).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    tids = [process.pid];
  }
  try {
    os.setPriority(0, nice);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { nice: current, raised: false, reason: `not permitted to raise the scheduling priority (${code}): run as root, or give CAP_SYS_NICE, for deadlines that hold beside a CPU-saturating cgroup` };
  }
  for (const tid of tids) {
    try {
      os.setPriority(tid, nice);
    } catch {
      /* a thread that exited meanwhile */
    }
  }
  return { nice, raised: true };
}
