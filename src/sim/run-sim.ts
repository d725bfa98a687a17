// The model's one entry point: parameters in, every counter out. Pure and deterministic (seeded PRNG, no I/O,
// no clock): the CLI, the sweep, the dashboard or a notebook call it the same way.
import type { ReproVerdict } from '../repro/verdict.js';
import { type HoldRecord, runEngine } from './engine.js';
import type { HoldCounters } from './reclaim-policy.js';
import { PAGE_BYTES, type SimParams, checkSimParams, reclaimHoldsMmapLock } from './sim-params.js';
import { simVerdict } from './sim-verdict.js';

/** One simulated second. Rates per second; CPU in CPUs (1 = one CPU busy all second). */
export interface SimSecond {
  tS: number;
  phase: 'file' | 'both';
  filePagesPerS: number;
  memoryPagesPerS: number;
  /** Faults served per second: file (major or minor) and anonymous. */
  fileFaultsPerS: number;
  memoryFaultsPerS: number;
  cpuUser: number;
  cpuSystem: number;
  /** CPUs spent spinning on lru_lock. */
  cpuSpin: number;
  scannedPerS: number;
  reclaimedPerS: number;
  usageBytes: number;
  /** Longest mmap_lock read hold that ended in the second or was open at its end, ms. */
  maxHoldMs: number;
  /** How long a reader arriving in the second (`ps` reading /proc/PID/cmdline) waited, at worst, ms. */
  probeWaitMs: number;
  runnable: number;
  lockWaiters: number;
  /** Threads inside a reclaim call at the end of the second. */
  reclaimers: number;
}

/** The longest mmap_lock read hold, with the reference's table counters. */
export interface SimHold {
  tid: number;
  /** The reference's thread names: r_file for file threads, r_memory for memory threads. */
  comm: 'r_file' | 'r_memory';
  startMs: number;
  durationMs: number;
  /** Still held when the run ended. */
  open: boolean;
  counters: HoldCounters;
  /** duration / runtime: the threads it shared a CPU with on average ("competing with around 150 other threads"). */
  threadsPerCpu: number;
}

/** Mean rates of the seconds inside a hold. */
export interface HoldWindow {
  seconds: number;
  filePagesPerS: number;
  memoryPagesPerS: number;
  faultsPerS: number;
  /** CPUs busy in user and in kernel code. */
  cpuUser: number;
  cpuSystem: number;
}

/** The whole seconds in [startMs, startMs + durationMs], averaged. */
export function holdWindow(seconds: readonly SimSecond[], startMs: number, durationMs: number): HoldWindow | undefined {
  const inside = seconds.filter((s) => (s.tS - 1) * 1000 >= startMs && s.tS * 1000 <= startMs + durationMs);
  if (inside.length === 0) return undefined;
  const mean = (f: (s: SimSecond) => number): number => inside.reduce((a, s) => a + f(s), 0) / inside.length;
  return {
    seconds: inside.length, filePagesPerS: mean((s) => s.filePagesPerS), memoryPagesPerS: mean((s) => s.memoryPagesPerS),
    faultsPerS: mean((s) => s.fileFaultsPerS + s.memoryFaultsPerS), cpuUser: mean((s) => s.cpuUser), cpuSystem: mean((s) => s.cpuSystem),
  };
}

/** What one run gives. */
export interface SimResult {
  params: SimParams;
  /** Whether a fault's reclaim kept mmap_lock read-held (reclaimUnderMmapLock given, or the LRU's default). */
  mmapLockDuringReclaim: 'held' | 'released';
  /** Simulated time the run covered (less than durationMs after an OOM kill), ms. */
  simulatedMs: number;
  seconds: SimSecond[];
  longestHold: SimHold | undefined;
  holds: { count: number; over1s: number; histogramLog2Ms: number[]; maxLockWaitMs: number };
  reclaim: { calls: number; totalMs: number; maxMs: number; pagesScanned: number; pagesReclaimed: number };
  oom: { killed: boolean; atMs: number | undefined };
  threads: { fileStarted: number; memoryStarted: number };
  pages: { file: number; anon: number; limit: number; maxUsage: number; residentAtEnd: number; reclaimedBeforeTwoScans: number };
  /**
   * Mean rates over the whole simulated seconds inside the longest hold: what the thread groups did while it
   * lasted (undefined when it spans no whole second).
   */
  duringHold: HoldWindow | undefined;
  /** Problems the end-of-run checks found (lists, usage, conservation, the two-scan rule); empty when sound. */
  problems: string[];
  verdict: ReproVerdict;
}

const hold = (h: HoldRecord | undefined): SimHold | undefined =>
  h === undefined ? undefined : {
    tid: h.tid, comm: h.group === 'file' ? 'r_file' : 'r_memory', startMs: h.startUs / 1000, durationMs: h.durationUs / 1000, open: h.open,
    counters: h.counters, threadsPerCpu: h.counters.runtimeUs > 0 ? h.durationUs / h.counters.runtimeUs : 0,
  };

/** Runs the model once. Throws UsageError for bad parameters. */
export function runSim(params: SimParams): SimResult {
  checkSimParams(params);
  const r = runEngine(params);
  const s = r.seconds;
  const n = Math.min(s.filePages.length, Math.ceil(r.endUs / 1_000_000));
  const seconds: SimSecond[] = [];
  for (let k = 0; k < n; k++) {
    seconds.push({
      tS: k + 1, phase: (k + 1) * 1000 > params.delayMs ? 'both' : 'file',
      filePagesPerS: s.filePages[k]!, memoryPagesPerS: s.memoryPages[k]!, fileFaultsPerS: s.fileFaults[k]!, memoryFaultsPerS: s.memoryFaults[k]!, cpuUser: s.userUs[k]! / 1e6, cpuSystem: s.sysUs[k]! / 1e6, cpuSpin: s.spinUs[k]! / 1e6,
      scannedPerS: s.scanned[k]!, reclaimedPerS: s.reclaimed[k]!, usageBytes: s.usagePages[k]! * PAGE_BYTES, maxHoldMs: s.maxHoldUs[k]! / 1000,
      probeWaitMs: s.probeWaitUs[k]! / 1000, runnable: s.runnable[k]!, lockWaiters: s.lockWaiters[k]!, reclaimers: s.reclaimers[k]!,
    });
  }
  const longestHold = hold(r.longest);
  return {
    params: { ...params },
    mmapLockDuringReclaim: reclaimHoldsMmapLock(params) ? 'held' : 'released',
    simulatedMs: r.endUs / 1000,
    seconds,
    longestHold,
    duringHold: longestHold ? holdWindow(seconds, longestHold.startMs, longestHold.durationMs) : undefined,
    holds: { count: r.holds, over1s: r.holdsOver1s, histogramLog2Ms: r.holdHistogram, maxLockWaitMs: r.maxLockWaitUs / 1000 },
    reclaim: { calls: r.reclaimCalls, totalMs: r.reclaimUs / 1000, maxMs: r.reclaimMaxUs / 1000, pagesScanned: r.pagesScanned, pagesReclaimed: r.pagesReclaimed },
    oom: { killed: r.oomAtUs !== undefined, atMs: r.oomAtUs === undefined ? undefined : r.oomAtUs / 1000 },
    threads: { fileStarted: r.fileThreadsStarted, memoryStarted: r.memoryThreadsStarted },
    pages: { file: r.filePagesTotal, anon: r.anonPagesTotal, limit: r.limitPages, maxUsage: r.maxUsagePages, residentAtEnd: r.residentAtEnd, reclaimedBeforeTwoScans: r.reclaimedBeforeTwoScans },
    problems: r.problems,
    verdict: simVerdict(r, params),
  };
}
