// One second of a run: the raw sample collected (counters as read) and the model derived from two samples.
// Rates are always derived, never stored; a counter that goes backwards gives no rate.
import type { CgroupCpu } from '../kernel/cgroup/cpu.js';
import type { CgroupMemory } from '../kernel/cgroup/memory.js';
import type { Pressure } from '../kernel/proc/pressure.js';
import type { ProgressLine, WorkloadPhase } from './progress-line.js';

/** What the monitor read at one tick. Fields are undefined where the host lacks them or the read failed. */
export interface RawSample {
  /** Orchestrator clock, ms since the workload was started. */
  atMs: number;
  /** The latest progress line received so far. */
  progress: ProgressLine | undefined;
  cpu: CgroupCpu | undefined;
  memory: CgroupMemory | undefined;
  /** The cgroup's memory PSI (v2 or the hybrid host's v2 twin). */
  psiMemory: Pressure | undefined;
  /** Reclaim counters: the cgroup's own (v2 memory.stat) or, on v1, the host's direct-reclaim vmstat. */
  reclaim: { scope: 'cgroup' | 'host'; scannedPages: number; stolenPages: number } | undefined;
  /** Thread states of the workload. */
  threads: { total: number; running: number; uninterruptible: number } | undefined;
  /** Kernel stacks sampled this tick, tagged (src/probe/reclaim-frames.ts). */
  stacks: { sampled: number; inReclaim: number; waitsMmapLock: number } | undefined;
  /** mmap_lock probes that finished since the last tick, and how long the one in flight has waited. */
  probe: { finishedMs: number[]; timeouts: number; pendingMs: number };
}

/** The model of one second. */
export interface Second {
  /** End of the second, seconds since the workload started. */
  tS: number;
  phase: WorkloadPhase | 'start';
  /** Pages/s read by the file threads; undefined before the first report. */
  filePagesPerS: number | undefined;
  /** Pages/s touched by the memory threads. */
  memoryPagesPerS: number | undefined;
  /** Whether a new progress line arrived during this second (a workload too stalled to report shows false). */
  reported: boolean;
  /** CPUs used in user and kernel mode (1.0 = one CPU busy for the whole second). */
  cpuUser: number | undefined;
  cpuSystem: number | undefined;
  throttledPerS: number | undefined;
  usageBytes: number | undefined;
  limitBytes: number | undefined;
  /** Shared memory charged to the cgroup (memory.stat `shmem`): tmpfs pages, never page cache that reclaim can drop. */
  shmemBytes: number | undefined;
  /** Cumulative `memory.failcnt` (v1) or `memory.events max` (v2), and its rate. */
  limitHits: number | undefined;
  limitHitsPerS: number | undefined;
  /** Cumulative OOM kills in the cgroup. */
  oomKills: number | undefined;
  /** Share of the second some / all tasks stalled on memory (PSI), percent. */
  psiSomePct: number | undefined;
  psiFullPct: number | undefined;
  /** File pages of the cgroup read back soon after reclaim evicted them (memory.stat workingset_refault_file). */
  refaultsPerS: number | undefined;
  reclaimScope: 'cgroup' | 'host' | undefined;
  scannedPerS: number | undefined;
  stolenPerS: number | undefined;
  threads: number | undefined;
  threadsRunning: number | undefined;
  threadsD: number | undefined;
  /** Share of sampled kernel stacks in reclaim / waiting for mmap_lock (0..1). */
  reclaimStackShare: number | undefined;
  mmapLockStackShare: number | undefined;
  /** Worst mmap_lock probe latency seen this second (finished or still in flight), ms. */
  probeWorstMs: number | undefined;
  probesFinished: number;
  probeTimeouts: number;
}

const rate = (a: number | undefined, b: number | undefined, dtS: number): number | undefined =>
  a === undefined || b === undefined || dtS <= 0 || b < a ? undefined : (b - a) / dtS;

/** Derives one second from the previous and the current sample. */
export function deriveSecond(prev: RawSample, cur: RawSample): Second {
  const dtS = (cur.atMs - prev.atMs) / 1000;
  const p0 = prev.progress;
  const p1 = cur.progress;
  const usRate = (a: number | undefined, b: number | undefined): number | undefined => {
    const r = rate(a, b, dtS);
    return r === undefined ? undefined : r / 1e6;
  };
  const psi = (k: 'some' | 'full'): number | undefined => {
    const a = k === 'some' ? prev.psiMemory?.some.totalUs : prev.psiMemory?.full?.totalUs;
    const b = k === 'some' ? cur.psiMemory?.some.totalUs : cur.psiMemory?.full?.totalUs;
    const r = usRate(a, b);
    return r === undefined ? undefined : Math.min(100, r * 100);
  };
  const sameScope = prev.reclaim && cur.reclaim && prev.reclaim.scope === cur.reclaim.scope;
  const st = cur.stacks;
  const worst = Math.max(cur.probe.pendingMs > 0 ? cur.probe.pendingMs : -1, ...cur.probe.finishedMs, -1); // 0: none in flight
  return {
    tS: Math.round(cur.atMs / 100) / 10,
    phase: p1?.phase ?? 'start',
    filePagesPerS: p1 === undefined ? undefined : rate(p0?.filePages ?? 0, p1.filePages, dtS),
    memoryPagesPerS: p1 === undefined ? undefined : rate(p0?.memoryPages ?? 0, p1.memoryPages, dtS),
    reported: p1 !== undefined && p1 !== p0 && (p0 === undefined || p1.tMs !== p0.tMs),
    cpuUser: usRate(prev.cpu?.userUs, cur.cpu?.userUs),
    cpuSystem: usRate(prev.cpu?.systemUs, cur.cpu?.systemUs),
    throttledPerS: rate(prev.cpu?.throttledPeriods, cur.cpu?.throttledPeriods, dtS),
    usageBytes: cur.memory?.usageBytes,
    limitBytes: cur.memory?.limitBytes,
    shmemBytes: cur.memory?.stat['shmem'],
    limitHits: cur.memory?.limitHits,
    limitHitsPerS: rate(prev.memory?.limitHits, cur.memory?.limitHits, dtS),
    oomKills: cur.memory?.oomKills,
    psiSomePct: psi('some'),
    psiFullPct: psi('full'),
    refaultsPerS: rate(prev.memory?.stat['workingset_refault_file'], cur.memory?.stat['workingset_refault_file'], dtS),
    reclaimScope: cur.reclaim?.scope,
    scannedPerS: sameScope ? rate(prev.reclaim?.scannedPages, cur.reclaim?.scannedPages, dtS) : undefined,
    stolenPerS: sameScope ? rate(prev.reclaim?.stolenPages, cur.reclaim?.stolenPages, dtS) : undefined,
    threads: cur.threads?.total,
    threadsRunning: cur.threads?.running,
    threadsD: cur.threads?.uninterruptible,
    reclaimStackShare: st && st.sampled > 0 ? st.inReclaim / st.sampled : undefined,
    mmapLockStackShare: st && st.sampled > 0 ? st.waitsMmapLock / st.sampled : undefined,
    probeWorstMs: worst < 0 ? undefined : worst,
    probesFinished: cur.probe.finishedMs.length,
    probeTimeouts: cur.probe.timeouts,
  };
}
