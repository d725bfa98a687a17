// Watches the workload from outside through the spine: a Sampler over the run's cgroup, ticked by the
// orchestrator's clock once a second (cgroup memory and CPU, PSI, reclaim counters, process totals and thread
// states, kernel stacks of running and blocked threads), and its probe pool keeping one mmap_lock probe in flight
// (a child with a deadline, never in this process). The background doctor judges the same samples.
import type { HostPaths } from '../host/host-paths.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { Sampler } from '../sample/sampler.js';
import { targetOfCgroup } from '../targets/resolve-targets.js';
import type { ProgressLine } from './progress-line.js';
import type { ReproCgroup } from './repro-cgroup.js';
import type { RawSample } from './second.js';

/** Deadline of one mmap_lock probe: long enough to measure multi-second stalls, short enough to end. */
export const PROBE_DEADLINE_MS = 10_000;

/** Kernel stacks read per tick at most (running and blocked threads of the workload). */
export const STACKS_PER_TICK = 64;

/** A running monitor. */
export interface Monitor {
  /** The sampler (the background doctor subscribes to it). */
  readonly sampler: Sampler;
  /** The sampler's id of the run's cgroup. */
  readonly id: string;
  /** Ticks the sampler once; `atMs` is the orchestrator's clock since the workload started. */
  sample(atMs: number, progress: ProgressLine | undefined): RawSample;
  /** Waits for the probe in flight (it is killed at its deadline at worst) and closes the sampler's files. */
  stop(): Promise<void>;
}

/** Starts watching the run's cgroup `cg`. */
export function startMonitor(host: HostPaths, cg: ReproCgroup, probeDeadlineMs = PROBE_DEADLINE_MS): Monitor {
  const target = targetOfCgroup(host, cg.path, detectCgroupLayout(host));
  const sampler = new Sampler(host, [target], {
    ringSize: 16,
    maxStacksPerTarget: STACKS_PER_TICK,
    // One probe in flight, restarted every second, as `ps` would be run again and again.
    probes: { deadlineMs: probeDeadlineMs, maxPerTarget: 1, everyMs: 1000, suspectEveryMs: 1000, maxInFlight: 2, maxStuck: 4 },
  });
  const id = sampler.targets()[0]!.id;
  return {
    sampler,
    id,
    sample(atMs, progress) {
      const tick = sampler.tick();
      const t = tick.targets.find((x) => x.id === id);
      return { atMs, progress, target: t?.sample ?? sampler.ring(id).at(-1)!, host: tick.host };
    },
    async stop() {
      await sampler.settleProbes(probeDeadlineMs + 500);
      sampler.close();
    },
  };
}
