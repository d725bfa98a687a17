/** Rates and ratios of one target over an interval, derived from two samples. Undefined = not measurable. */
export interface TargetModel {
  seconds: number;
  gone: boolean;
  cpu: {
    userCores: number;
    systemCores: number;
    totalCores: number;
    /** CPU bandwidth limit in cores; Infinity without a quota. */
    quotaCores: number;
    /** Share of the effective capacity used: total / min(quota, host CPUs). */
    ofCapacity: number;
    /** Share of CFS periods that were throttled, when the cgroup has a quota. */
    throttledRatio: number | undefined;
    /** Throttled CFS periods per second, when the cgroup has a quota. */
    throttledPerSec: number | undefined;
    /** Where the CPU figures come from. */
    source: 'cgroup' | 'threads';
  };
  memory: {
    usageBytes: number;
    limitBytes: number;
    /** usage / min(limit, high). 0 when unlimited. */
    usageRatio: number;
    limitHitsPerSec: number | undefined;
    oomKills: number | undefined;
    underOom: boolean;
    pgscanPerSec: number | undefined;
    pgstealPerSec: number | undefined;
    /** pgsteal / pgscan: how much of what reclaim scans it frees. */
    reclaimEfficiency: number | undefined;
    /** `cgroup` (v2 memory.stat) or `host` (/proc/vmstat, on v1 whose memory.stat lacks pgscan). */
    reclaimSource: 'cgroup' | 'host' | undefined;
    refaultsPerSec: number | undefined;
    version: 'v1' | 'v2';
    missing: string[];
  } | undefined;
  progress: {
    minfltPerSec: number;
    majfltPerSec: number;
    faultsPerSec: number;
    /** Bytes the target's processes read and wrote through syscalls (rchar + wchar). */
    ioBytesPerSec: number | undefined;
    /** read/write syscalls per second. */
    ioSyscallsPerSec: number | undefined;
    /** (faults + I/O syscalls) per second of kernel CPU: how much the kernel time buys. */
    workPerSystemCpuSecond: number | undefined;
  };
  /** Stall time ratios (0..1) over the interval from PSI totals; undefined without PSI. */
  psi: {
    memorySome: number | undefined;
    memoryFull: number | undefined;
    cpuSome: number | undefined;
    ioFull: number | undefined;
    scope: 'cgroup' | 'host' | undefined;
  };
  threads: {
    count: number;
    running: number;
    uninterruptible: number;
    /** Stacks read in the later sample (R and D threads), undefined when unreadable. */
    stacksSampled: number | undefined;
    inReclaim: number | undefined;
    waitingMmapLock: number | undefined;
    inPageFault: number | undefined;
  };
}

/** Host-wide rates over an interval. Undefined where a counter is missing or went backwards. */
export interface HostModel {
  seconds: number;
  cpuSystemRatio: number | undefined;
  cpuUserRatio: number | undefined;
  pgscanPerSec: number | undefined;
  pgstealPerSec: number | undefined;
  refaultsPerSec: number | undefined;
  oomKills: number | undefined;
  psiMemorySome: number | undefined;
  psiMemoryFull: number | undefined;
}
