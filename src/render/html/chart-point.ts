// One point of a target's time series, as the agent's API serves it (`GET /api/v1/targets/{id}/series`) and as
// the HTML reports embed it. `null` means "not measured" (drawn as a gap, never as zero).

/** One point of a series: wall-clock ms, the verdict then, and the rates of the interval that ends at `t`. */
export interface ChartPoint {
  t: number;
  verdict?: string | null;
  cpuUserCores: number | null;
  cpuSystemCores: number | null;
  quotaCores: number | null;
  memoryUsageBytes: number | null;
  memoryLimitBytes: number | null;
  limitHitsPerSec: number | null;
  pgscanPerSec: number | null;
  pgstealPerSec: number | null;
  refaultsPerSec: number | null;
  majfltPerSec: number | null;
  psiSome: number | null;
  psiFull: number | null;
  progressPerKernelCpuSecond: number | null;
  threadsInReclaimRatio: number | null;
  mmapLockWorstMs: number | null;
  /** Reports may add their own series (repro's workload progress), named by the panels that draw them. */
  [extra: string]: number | string | null | undefined;
}
