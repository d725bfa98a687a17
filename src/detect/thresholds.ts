// Every threshold the classifier uses, with the reason for its value. All are configurable
// (`doctor --threshold name=value`), and the classifier is a pure function of models and these.

/** Thresholds of the classifier. */
export interface Thresholds {
  /** usage / limit at or above this is "at the limit". */
  memoryAtLimitRatio: number;
  /** A probe of /proc/PID/cmdline slower than this (ms) is an mmap_lock stall. */
  mmapLockStallMs: number;
  /** Kernel CPU (cores) below which "progress collapsed" is never claimed. */
  progressMinSystemCores: number;
  /** Share of the target's CPU in the kernel at or above which progress can be judged collapsed. */
  progressMinSystemShare: number;
  /** (faults + I/O syscalls) per kernel CPU-second below this is a collapse of progress. */
  progressMaxWorkPerSystemCpuSecond: number;
  /** pgsteal / pgscan below this is inefficient reclaim ... */
  reclaimInefficientRatio: number;
  /** ... when at least this many pages are scanned per second. */
  reclaimMinScanPerSec: number;
  /** Share of sampled R/D kernel stacks in reclaim at or above which threads are "in reclaim". */
  threadsInReclaimShare: number;
  /** Share of CFS periods throttled at or above which the CPU quota binds. */
  cpuThrottledRatio: number;
  /** PSI memory `full` share of the window at or above which memory stalls the whole workload. */
  psiMemoryFull: number;
  /** PSI memory `some` share at or above which memory pressure is reported without other signs. */
  psiMemorySome: number;
  /** Refaults or major faults per second, at the limit, that mean the working set does not fit. */
  thrashingFaultsPerSec: number;
  /** CPU in cores (or share of capacity, whichever is lower) at or above which a target is busy. */
  cpuBusyCores: number;
  cpuBusyShare: number;
  /** Share of the target's CPU samples with `evict_folios` on the stack at or above which MGLRU reclaim dominates. */
  lruLockEvictFoliosShare: number;
  /** Share of the target's CPU samples spinning (spin-lock innermost frame) inside reclaim: lru_lock contention. */
  lruLockSpinShare: number;
  /** A figure within this fraction of its threshold (relative) is borderline: decided from the rest of the evidence. */
  borderlineMargin: number;
}

/** The defaults, each with its reason. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  // Memcg reclaim starts when a charge would pass the limit; within 5 % of it, nearly every charge reclaims.
  memoryAtLimitRatio: 0.95,
  // A healthy cmdline read costs tens of µs plus ~1 ms to exec the reader; `ps` looks hung to a person at
  // half a second. The probe's deadline (1 s) is a stall by definition.
  mmapLockStallMs: 500,
  // Below half a core in the kernel, a slow process is not burning the machine: not a livelock signature.
  progressMinSystemCores: 0.5,
  // In the reference 100 % of samples were kernel; 70 % leaves room for user work between reclaim passes.
  progressMinSystemShare: 0.7,
  // The reference: 90 faults in 10 s on 29 CPUs = 0.3 per kernel CPU-second. A working process that spends a
  // core in the kernel does thousands of faults or syscalls per second; 100 is far from both.
  progressMaxWorkPerSystemCpuSecond: 100,
  // Healthy reclaim frees most of what it scans (pgsteal/pgscan 0.3–0.9); the reference freed 32 of 1,093,267.
  reclaimInefficientRatio: 0.1,
  // Below ~1,000 pages/s (4 MB/s) scanning is background noise, and the ratio of two small numbers means nothing.
  reclaimMinScanPerSec: 1000,
  // A quarter of running or blocked threads caught in reclaim frames is no coincidence of one sample.
  threadsInReclaimShare: 0.25,
  // One period in five throttled: the quota, not the work, sets the pace.
  cpuThrottledRatio: 0.2,
  // 10 % of wall time with every non-idle task stalled on memory is already severe (PSI docs; oomd's ramps start lower).
  psiMemoryFull: 0.1,
  // A quarter of the time with some task stalled on memory is pressure worth naming.
  psiMemorySome: 0.25,
  // 100 refaults or major faults/s at the limit (400 KB/s re-read) means the working set does not fit.
  thrashingFaultsPerSec: 100,
  // Half a core, or half of a smaller quota, is busy.
  cpuBusyCores: 0.5,
  cpuBusyShare: 0.5,
  // The reference's second livelock: 84 % of stacks had evict_folios. Half leaves room for a profile that also
  // catches the threads' own work between reclaim passes.
  lruLockEvictFoliosShare: 0.5,
  // The reference: _raw_spin_unlock_irq 55 % + _raw_spin_unlock_irqrestore 12 %. Under 30 % spinning, the lock is
  // busy but not what the CPU goes to.
  lruLockSpinShare: 0.3,
  // Five 5 s windows of one steady thrash put the kernel's share at 0.697–0.704 around its 0.7 threshold: 5 % of
  // a threshold covers such window-to-window noise without blurring clear cases.
  borderlineMargin: 0.05,
});

/** Parses `name=value` overrides; unknown names and non-numbers throw with the list of names. */
export function parseThresholdOverrides(items: string[], base: Thresholds = DEFAULT_THRESHOLDS): Thresholds {
  const out: Thresholds = { ...base };
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq) as keyof Thresholds;
    const value = Number(item.slice(eq + 1));
    if (eq <= 0 || !(name in base)) throw new RangeError(`unknown threshold ${JSON.stringify(item.slice(0, eq > 0 ? eq : undefined))}: known are ${Object.keys(base).join(', ')}`);
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`threshold ${name} needs a non-negative number, got ${JSON.stringify(item.slice(eq + 1))}`);
    out[name] = value;
  }
  return out;
}
