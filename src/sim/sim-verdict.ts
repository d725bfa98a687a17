// The model's verdict in repro's terms: the simulated seconds are turned into repro's `Second`s and the model's
// mmap_lock holds into repro's trace evidence, and repro's own decideVerdict() judges them (src/repro/verdict.ts:
// the same thresholds, COLLAPSE_RATIO, DROP_RATIO, STALL_MS, the same rules).
import type { Second } from '../repro/second.js';
import { type ReproVerdict, VERDICT_THRESHOLDS, decideVerdict } from '../repro/verdict.js';
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

/** Seconds at the end of the run over which started memory threads getting no page make the run `degraded`. */
export const MEMORY_STARVED_S = 10;

/** True when a verdict's figures hold repro's STALL: a `ps` probe, an mmap_lock hold or a wait of STALL_MS or more. */
function stalledIn(f: ReproVerdict['figures']): boolean {
  const T = VERDICT_THRESHOLDS;
  return (f.worstProbeMs ?? 0) >= T.STALL_MS || (f.traceMmapLockHoldsOver1s ?? 0) > 0 || (f.traceMmapLockMaxHoldMs ?? 0) >= T.STALL_MS || (f.traceMmapLockMaxWaitMs ?? 0) >= T.STALL_MS;
}

/**
 * repro's verdict on a simulated run, with two rules the model adds where repro's rules judge the wrong threads.
 * repro's rules judge the file threads' progress: right for repro's own workload (`windowMs` > 0), whose file threads
 * map, read and unmap their files again, so a stalled fault stops them.
 * - The reference's own program (`windowMs` 0, stress_memcg) counts progress differently. Its unit of work is an
 *   iteration, and an iteration ends at a barrier that waits for every thread to be full. Its file threads are full
 *   once they have read their files; from then on they "continue to iterate over [their] memory, but [do] not
 *   allocate more memory. This is done to always have the same level of CPU pressure" (stress_memcg's main.cpp).
 *   So the program stops making progress when its memory threads do, whatever its file threads read. There, memory
 *   threads that started and got no page for the last MEMORY_STARVED_S seconds are repro's COLLAPSED: with a STALL
 *   and no OOM kill, `affected` (the reference's "The process stops making progress but consumes all available
 *   CPU resources", with `ps` hung).
 * - Either workload: memory threads so starved are never `not affected`; without the stall, or with an OOM kill,
 *   the model says `degraded`, with the reason.
 */
export function simVerdict(r: EngineResult, p: SimParams): ReproVerdict {
  const seconds = simSeconds(r, p);
  const v = decideVerdict(seconds, simTraceEvidence(r));
  const both = seconds.filter((s) => s.phase === 'both');
  const tail = both.slice(-MEMORY_STARVED_S);
  const starved = r.memoryThreadsStarted > 0 && both.length >= 2 * MEMORY_STARVED_S && tail.every((s) => (s.memoryPagesPerS ?? 0) < 1);
  if (!starved || v.class === 'affected') return v;
  // repro's "progress held" reason explains a `not affected` that no longer stands: the file threads' part of it stays.
  const reasons = v.reasons.map((x) => x.replace(/^progress held \((file threads at [^,]+), worst ([^)]+)\).*$/, 'the file threads kept their progress ($1, worst $2)'));
  if (p.windowMs === 0 && stalledIn(v.figures) && v.figures.oomKills === 0) {
    return {
      ...v, class: 'affected',
      reasons: [`the program stopped making progress: its ${r.memoryThreadsStarted} memory threads that started got no page in the last ${MEMORY_STARVED_S} s, and the reference program's iteration barrier waits for every one of them (its full file threads only keep the CPU pressure); with a stall and no OOM kill (a rule of the model's own for the reference's program: repro's rules judge its own workload's file threads)`, ...reasons],
    };
  }
  if (v.class !== 'not affected') return v;
  return { ...v, class: 'degraded', reasons: [...reasons, `the ${r.memoryThreadsStarted} memory threads that started got no page in the last ${MEMORY_STARVED_S} s (a rule of the model's own: repro's rules judge the file threads only)`] };
}
