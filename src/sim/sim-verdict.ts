// The model's verdict in repro's terms: the simulated seconds are turned into repro's `Second`s and the model's
// mmap_lock holds into repro's trace evidence, and repro's own decideVerdict() judges them (src/repro/verdict.ts:
// the same thresholds, COLLAPSE_RATIO, DROP_RATIO, STALL_MS, the same rules).
import type { Second } from '../repro/second.js';
import { type ReproVerdict, decideVerdict } from '../repro/verdict.js';
import type { TraceEvidence } from '../trace/doctor-evidence.js';
import type { EngineResult } from './engine.js';
import { PAGE_BYTES, type SimParams } from './sim-params.js';

/** repro's seconds for a simulated run (phase `file` before delayMs, `both` after). */
export function simSeconds(r: EngineResult, p: SimParams): Second[] {
  const s = r.seconds;
  const out: Second[] = [];
  const endS = Math.floor(r.endUs / 1_000_000);
  for (let k = 0; k < Math.min(endS, s.filePages.length); k++) {
    const both = (k + 1) * 1000 > p.delayMs;
    out.push({
      tS: k + 1, phase: both ? 'both' : 'file',
      filePagesPerS: s.filePages[k], memoryPagesPerS: s.memoryPages[k], reported: true,
      cpuUser: s.userUs[k]! / 1e6, cpuSystem: s.sysUs[k]! / 1e6, throttledPerS: undefined,
      usageBytes: s.usagePages[k]! * PAGE_BYTES, limitBytes: p.limitBytes, shmemBytes: undefined,
      limitHits: undefined, limitHitsPerS: undefined, oomKills: r.oomAtUs !== undefined && r.oomAtUs <= (k + 1) * 1e6 ? 1 : 0,
      psiSomePct: undefined, psiFullPct: undefined, refaultsPerS: undefined, reclaimScope: 'cgroup',
      scannedPerS: s.scanned[k], stolenPerS: s.reclaimed[k], threads: undefined, threadsRunning: s.runnable[k], threadsD: s.lockWaiters[k],
      reclaimStackShare: undefined, mmapLockStackShare: undefined,
      probeWorstMs: s.probeWaitUs[k]! / 1000, probesFinished: 1, probeTimeouts: 0,
    });
  }
  if (r.oomAtUs !== undefined && out.length > 0) out[out.length - 1]!.oomKills = 1;
  return out;
}

/** What a bpftrace run of repro's mmap-lock and memcg-reclaim programs would have seen in the model. */
export function simTraceEvidence(r: EngineResult): TraceEvidence {
  return {
    ran: true, tracedMs: r.endUs / 1000,
    memcgReclaim: { calls: r.reclaimCalls, totalUs: r.reclaimUs, maxUs: r.reclaimMaxUs, pagesReclaimed: r.pagesReclaimed },
    mmapLock: { holds: r.holds, holdsOver1s: r.holdsOver1s, maxHoldMs: (r.longest?.durationUs ?? 0) / 1000, tidsOver1s: r.tidsOver1s, maxWaitUs: r.maxLockWaitUs },
    unavailable: [],
  };
}

/** repro's verdict on a simulated run. */
export function simVerdict(r: EngineResult, p: SimParams): ReproVerdict {
  return decideVerdict(simSeconds(r, p), simTraceEvidence(r));
}
