// One second of a run: the sampler's raw samples (the cgroup, its host) with the workload's own progress line,
// and the model derived from two of them through the spine's derive(). Rates are always derived, never stored;
// a counter that goes backwards gives no rate.
import { derive } from '../sample/derive.js';
import type { HostSample, TargetSample } from '../sample/sample.js';
import type { ProgressLine, WorkloadPhase } from './progress-line.js';

/** What one tick of the run's sampler saw, with the latest progress line of the workload. */
export interface RawSample {
  /** Orchestrator clock, ms since the workload was started. */
  atMs: number;
  /** The latest progress line received so far. */
  progress: ProgressLine | undefined;
  /** The run's cgroup, as the Sampler collected it. */
  target: TargetSample;
  /** The host sample of the same tick. */
  host: HostSample | undefined;
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

/** The worst mmap_lock probe of a sample: finished ones and the age of any still in flight. */
function worstProbe(s: TargetSample): number | undefined {
  const all = [...s.probes.finished.filter((p) => p.outcome === 'ok' || p.outcome === 'timeout').map((p) => p.latencyMs), ...s.probes.inFlightMs];
  return all.length ? Math.max(...all) : undefined;
}

/** Derives one second from the previous and the current sample. */
export function deriveSecond(prev: RawSample, cur: RawSample): Second {
  const dtS = (cur.atMs - prev.atMs) / 1000;
  const p0 = prev.progress;
  const p1 = cur.progress;
  const m = derive(prev.target, cur.target, cur.host?.cpus ?? prev.host?.cpus ?? 1, prev.host, cur.host);
  const mem = m.memory;
  const t = cur.target;
  const finished = t.probes.finished.filter((p) => p.outcome === 'ok' || p.outcome === 'timeout');
  const sampled = m.threads.stacksSampled;
  const pct = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.min(100, x * 100));
  return {
    tS: Math.round(cur.atMs / 100) / 10,
    phase: p1?.phase ?? 'start',
    filePagesPerS: p1 === undefined ? undefined : rate(p0?.filePages ?? 0, p1.filePages, dtS),
    memoryPagesPerS: p1 === undefined ? undefined : rate(p0?.memoryPages ?? 0, p1.memoryPages, dtS),
    reported: p1 !== undefined && p1 !== p0 && (p0 === undefined || p1.tMs !== p0.tMs),
    cpuUser: t.cpu?.userUs === undefined ? undefined : m.cpu.userCores,
    cpuSystem: t.cpu?.systemUs === undefined ? undefined : m.cpu.systemCores,
    throttledPerS: m.cpu.throttledPerSec,
    usageBytes: t.memory?.usageBytes,
    limitBytes: t.memory?.limitBytes,
    shmemBytes: t.memory?.stat['shmem'],
    limitHits: t.memory?.limitHits,
    limitHitsPerS: mem?.limitHitsPerSec,
    oomKills: t.memory?.oomKills,
    psiSomePct: pct(m.psi.memorySome),
    psiFullPct: pct(m.psi.memoryFull),
    refaultsPerS: mem?.refaultsPerSec,
    reclaimScope: mem?.reclaimSource,
    scannedPerS: mem?.pgscanPerSec,
    stolenPerS: mem?.pgstealPerSec,
    threads: t.processes.length ? m.threads.count : undefined,
    threadsRunning: t.processes.length ? m.threads.running : undefined,
    threadsD: t.processes.length ? m.threads.uninterruptible : undefined,
    reclaimStackShare: sampled ? (m.threads.inReclaim ?? 0) / sampled : undefined,
    mmapLockStackShare: sampled ? (m.threads.waitingMmapLock ?? 0) / sampled : undefined,
    probeWorstMs: worstProbe(t),
    probesFinished: finished.length,
    probeTimeouts: finished.filter((p) => p.outcome === 'timeout').length,
  };
}
