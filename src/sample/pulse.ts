// The pulse of a calm cgroup: three counters read between its full samples (memory usage, limit hits, CPU
// time, and its limit: 4-5 files), enough to tell that it has started to matter. The agent takes a calm cgroup's full sample (a dozen
// files, every process, the threads) only every few ticks, as cAdvisor's dynamic housekeeping does for idle
// containers, and its pulse every tick: any stir brings the full sample back at once.
import { readCgroupCpuUsageUs } from '../kernel/cgroup/cpu.js';
import { readV1MemoryCounters } from '../kernel/cgroup/v1/memory.js';
import { readV2MemoryCounters } from '../kernel/cgroup/v2/memory.js';
import type { KernelReader } from '../kernel/read.js';
import type { Target } from '../targets/target.js';
import type { TargetSample } from './sample.js';

/** Three counters of a cgroup at one instant. */
export interface Pulse {
  monoMs: number;
  usageBytes: number | undefined;
  /** The hard limit (Infinity: none); a limit lowered on a running container counts at once. */
  limitBytes: number | undefined;
  limitHits: number | undefined;
  /** CPU time used by the cgroup, µs (v1 cpuacct.usage or v2 cpu.stat usage_usec). */
  cpuUs: number | undefined;
}

/** Reads a cgroup's pulse: 4-5 files, through the kernel's memory and CPU readers. Throws (GoneError and the like) as they do. */
export function readPulse(target: Target, reader: KernelReader, monoMs = performance.now()): Pulse {
  const cg = target.cgroup;
  const mem = cg?.memoryDir ? (cg.memoryVersion === 'v2' ? readV2MemoryCounters : readV1MemoryCounters)(cg.memoryDir, reader) : undefined;
  const cpuUs = cg ? readCgroupCpuUsageUs(cg.cpuacctDir, cg.unifiedDir, reader) : undefined;
  return { monoMs, usageBytes: mem?.usageBytes, limitBytes: mem?.limitBytes, limitHits: mem?.limitHits, cpuUs };
}

/** USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
const TICK_US = 1e6 / 100;

/**
 * The pulse a full sample implies (the first one to compare against). Without cgroup CPU accounting (the host
 * target: the root cgroup's processes), its processes' own CPU time.
 */
export function pulseOf(s: TargetSample): Pulse {
  const cpuUs = s.cpu?.usageUs ?? (s.processes.length ? s.processes.reduce((n, p) => n + p.utimeTicks + p.stimeTicks, 0) * TICK_US : undefined);
  return { monoMs: s.monoMs, usageBytes: s.memory?.usageBytes, limitBytes: s.memory?.limitBytes, limitHits: s.memory?.limitHits, cpuUs };
}

/** CPU cores a target used from one pulse (or sample) to the next; 0 when unknown. */
export function coresBetween(a: Pulse, b: Pulse): number {
  const dt = (b.monoMs - a.monoMs) / 1000;
  if (a.cpuUs === undefined || b.cpuUs === undefined || dt <= 0) return 0;
  return Math.max(0, (b.cpuUs - a.cpuUs) / 1e6 / dt);
}

/** Busy enough to be sampled every tick: a fifth of a core or more. */
export const BUSY_CORES = 0.2;

/**
 * Whether a calm target stirred since `last`: near (≥ 90 %) its limit, a new limit hit, or a fifth of a core of CPU.
 * Anything unreadable counts as a stir (the full sample then says what it is).
 */
export function pulseStirred(last: Pulse, now: Pulse): boolean {
  const limitBytes = now.limitBytes;
  if (now.usageBytes === undefined && last.usageBytes !== undefined) return true;
  if (now.usageBytes !== undefined && limitBytes !== undefined && Number.isFinite(limitBytes) && limitBytes > 0 && now.usageBytes >= 0.9 * limitBytes) return true;
  if (now.limitHits !== undefined && last.limitHits !== undefined && now.limitHits > last.limitHits) return true;
  return coresBetween(last, now) >= BUSY_CORES;
}
