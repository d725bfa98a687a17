// Scheduling priority for the sampling loop. Beside a cgroup that saturates every CPU (load average 40–60 on
// two cores), a nice-0 sampler gets 1/60 of a CPU and a 5 s window takes 12–39 s; at nice −15 it took 5.4–5.9 s.
// So the loop takes a higher priority when it may (root, or CAP_SYS_NICE), on every thread of this process
// (Linux keeps nice per thread), and says when it could not. Children inherit it: probe readers and bpftrace
// then run on time too.
import os from 'node:os';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

/** What `raiseSchedulingPriority` did. */
export interface SchedulingPriority {
  /** The nice value now in force on the main thread. */
  nice: number;
  /** True when it was raised to the asked value. */
  raised: boolean;
  /** Why it was not, when it was not. */
  reason?: string;
  /** The scheduling policy now in force: `rr` (real-time round-robin, priority 1) or `other` (CFS). */
  policy?: 'rr' | 'other';
}

/** The scheduling policy of this process's main thread, from /proc/self/stat field 41 (2 = SCHED_RR, 1 = FIFO). */
export function currentPolicy(procDir = '/proc'): 'rr' | 'other' {
  try {
    const s = fs.readFileSync(`${procDir}/self/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const policy = Number(f[41 - 3]);
    return policy === 1 || policy === 2 ? 'rr' : 'other';
  } catch {
    return 'other';
  }
}

/**
 * Takes real-time round-robin priority 1 (the lowest real-time level) for every thread, through util-linux's
 * `chrt`. Why: on a kernel without full preemption (PREEMPT_NONE, the default of many distributions), threads in
 * memcg reclaim run until they reach `cond_resched`, and a CFS task waits behind all of them whatever its nice
 * value — exactly the reference's slow mmap_lock holder. Measured here beside 88 threads in reclaim (load 95–107):
 * a 3 s doctor window took 26–33 s at nice −20 and 3.7 s at SCHED_RR 1. The kernel's RT throttling (95 % of each
 * second by default) still leaves CPU to everything else, and the sampler uses about 1 % of a core.
 * Set RECLAIMWATCH_NO_REALTIME=1 to stay at nice −20.
 */
function takeRealtime(): { ok: boolean; reason?: string } {
  if (process.env['RECLAIMWATCH_NO_REALTIME'] === '1') return { ok: false, reason: 'real-time priority declined (RECLAIMWATCH_NO_REALTIME=1)' };
  const r = spawnSync('chrt', ['-r', '-a', '-p', '1', String(process.pid)], { stdio: 'ignore', timeout: 5000 });
  if (r.error) return { ok: false, reason: `chrt could not run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install util-linux for real-time priority` };
  if (r.status !== 0) return { ok: false, reason: `chrt -r -p 1 failed (exit ${r.status}): real-time priority needs root or CAP_SYS_NICE` };
  return { ok: true };
}

/** The nice value the sampler asks for: −20 (weight 88,761 vs 1,024 at 0: a sampler thread outweighs 86 runnable nice-0 threads in reclaim). */
export const SAMPLER_NICE = -20;

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
  if (current <= nice) {
    if (currentPolicy(procDir) !== 'rr') {
      const rt = takeRealtime();
      return { nice: current, raised: true, policy: rt.ok ? 'rr' : 'other', ...(rt.reason ? { reason: rt.reason } : {}) };
    }
    return { nice: current, raised: true, policy: 'rr' };
  }
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
  const rt = takeRealtime();
  return { nice, raised: true, policy: rt.ok ? 'rr' : 'other', ...(rt.reason ? { reason: rt.reason } : {}) };
}
