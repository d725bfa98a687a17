// The charts of one target, as data: what each draws, in which unit, from which kernel counter. The dashboard's
// target page and the HTML reports hand the same list to the same browser code (ui-script.ts).

/** How a panel's values are formatted (axis, hover legend). */
export type ChartUnit = 'cores' | 'bytes' | 'perSec' | 'pagesPerSec' | 'ratio' | 'ms' | 'perCpuSecond';

/** One line of a panel. */
export interface ChartSeries {
  /** Field of a ChartPoint. */
  key: string;
  label: string;
  colour: string;
  /** Dashed (limits, quotas). */
  dash?: boolean;
}

/** One chart: a title, its unit, the counter it comes from, its lines. */
export interface ChartPanel {
  id: string;
  title: string;
  unit: ChartUnit;
  /** Said under the title: the unit in words. */
  unitLabel: string;
  /** The kernel file or probe the values come from. */
  source: string;
  series: ChartSeries[];
  /** Y axis from 0 to at least this (1 for ratios), so a flat zero line does not fill the chart. */
  minMax?: number;
}

/** The agent's panels, in the order the target page shows them. */
export const TARGET_PANELS: readonly ChartPanel[] = [
  { id: 'cpu', title: 'CPU: user and system against the quota', unit: 'cores', unitLabel: 'cores (1 = one CPU busy)', minMax: 0.1,
    source: 'cpuacct.usage_user/usage_sys or cpu.stat user_usec/system_usec; quota from cpu.cfs_quota_us/cfs_period_us or cpu.max',
    series: [{ key: 'cpuUserCores', label: 'user', colour: '#0969da' }, { key: 'cpuSystemCores', label: 'system', colour: '#cf222e' }, { key: 'quotaCores', label: 'quota', colour: '#57606a', dash: true }] },
  { id: 'memory', title: 'Memory usage against the limit', unit: 'bytes', unitLabel: 'bytes',
    source: 'memory.usage_in_bytes / memory.limit_in_bytes (v1) or memory.current / memory.max (v2)',
    series: [{ key: 'memoryUsageBytes', label: 'usage', colour: '#8250df' }, { key: 'memoryLimitBytes', label: 'limit', colour: '#57606a', dash: true }] },
  { id: 'limit-hits', title: 'Limit hits', unit: 'perSec', unitLabel: 'per second', minMax: 1,
    source: 'memory.failcnt (v1) or memory.events max (v2), as a rate',
    series: [{ key: 'limitHitsPerSec', label: 'limit hits', colour: '#bc4c00' }] },
  { id: 'reclaim', title: 'Reclaim: pages scanned against pages freed', unit: 'pagesPerSec', unitLabel: 'pages per second', minMax: 1,
    source: 'memory.stat pgscan/pgsteal (v2); on v1 the host\'s /proc/vmstat pgscan_*/pgsteal_* (v1 has no per-cgroup counters)',
    series: [{ key: 'pgscanPerSec', label: 'scanned', colour: '#cf222e' }, { key: 'pgstealPerSec', label: 'freed', colour: '#1a7f37' }] },
  { id: 'faults', title: 'Refaults and major faults', unit: 'perSec', unitLabel: 'per second', minMax: 1,
    source: 'memory.stat workingset_refault_file; majflt of /proc/PID/stat (each process total, exited threads included)',
    series: [{ key: 'refaultsPerSec', label: 'file refaults', colour: '#bf3989' }, { key: 'majfltPerSec', label: 'major faults', colour: '#0550ae' }] },
  { id: 'psi', title: 'Memory pressure (PSI)', unit: 'ratio', unitLabel: 'share of wall time stalled', minMax: 0.05,
    source: 'memory.pressure some/full total= (the cgroup\'s, or its v2 twin on hybrid hosts)',
    series: [{ key: 'psiSome', label: 'some', colour: '#bc4c00' }, { key: 'psiFull', label: 'full', colour: '#a40e26' }] },
  { id: 'progress', title: 'Progress per kernel CPU-second', unit: 'perCpuSecond', unitLabel: 'page faults + read/write calls per second of system CPU',
    source: 'minflt+majflt of /proc/PID/stat and syscr+syscw of /proc/PID/io, over system CPU time',
    series: [{ key: 'progressPerKernelCpuSecond', label: 'work per kernel CPU-s', colour: '#1a7f37' }] },
  { id: 'reclaim-threads', title: 'Share of threads in reclaim', unit: 'ratio', unitLabel: 'share of sampled running/D threads', minMax: 0.05,
    source: 'kernel stacks /proc/PID/task/TID/stack tagged as direct reclaim (try_to_free_mem_cgroup_pages, shrink_*)',
    series: [{ key: 'threadsInReclaimRatio', label: 'in reclaim', colour: '#cf222e' }] },
  { id: 'mmap-lock', title: 'Worst mmap_lock probe', unit: 'ms', unitLabel: 'milliseconds', minMax: 1,
    source: 'time to read /proc/PID/cmdline (what ps does; takes mmap_lock) in a child with a deadline',
    series: [{ key: 'mmapLockWorstMs', label: 'worst probe', colour: '#6639ba' }] },
];
