// The repro verdict: a pure function of the recorded seconds, so a saved run re-judges the same way.
//
// Thresholds (documented in the README, section repro):
// - BEFORE: the file threads' rate before the second phase is the median of the last half of the seconds
//   in phase `file` (files written, memory threads not started) with progress; when there are fewer than
//   two such seconds (files still being written at --delay), the reading seconds of phase `prepare`. AFTER: medians over the last third of the
//   seconds in phase `both`, when the run has settled (or not).
// - COLLAPSED: at the end, the file threads read < 10 % of BEFORE (COLLAPSE_RATIO) *and* the memory
//   threads touch < 10 % of their own best 3-second median of phase `both`: the process as a whole stopped
//   making progress, as in the reference (not just the file threads thrashing on disk, which healthy
//   kernels do too).
// - DROP: a 3-second median of the file threads' rate under 50 % of BEFORE (DROP_RATIO) at any time in
//   phase `both`.
// - STALL: an mmap_lock probe (a read of /proc/PID/cmdline, which `ps` does) that took >= 1000 ms
//   (STALL_MS); a healthy read takes about a millisecond, and one second is when `ps` visibly hangs.
//   With `--trace`, an mmap_lock hold or wait of >= STALL_MS seen by the mmap-lock trace is a stall too
//   (the trace sees every hold in the cgroup; the probe only what blocks one reader once a second).
// - SHMEM: when the cgroup's shared memory (memory.stat shmem) reached half its limit, the files sit in tmpfs
//   pages (an overlay whose upper layer is tmpfs passes the --dir check): the run is not the page-cache test,
//   and the verdict says so first.
// - OOM: an OOM kill in the cgroup means the kernel resolved the pressure by killing, not by livelocking.
// affected     = COLLAPSED and STALL and no OOM kill.
// degraded     = not affected, but STALL, or DROP, or COLLAPSED, or an OOM kill.
// not affected = none of these.
// VARIANT (which of the reference's two livelocks, with the evidence that decided it): the doctor's own
// assessVariant (src/detect/variant.ts) over the leg's probes, its trace and its kernel CPU profile, with this
// verdict's STALL_MS as the probe's stall threshold; computed when the host's MGLRU facts are given.
import { DEFAULT_THRESHOLDS } from '../detect/thresholds.js';
import { assessVariant } from '../detect/variant.js';
import type { HostFacts, VariantAssessment } from '../detect/verdict.js';
import type { KernelProfile } from '../probe/kernel-profile.js';
import type { TraceEvidence } from '../trace/doctor-evidence.js';
import type { Second } from './second.js';

/** Thresholds of the verdict. */
export const VERDICT_THRESHOLDS = Object.freeze({
  COLLAPSE_RATIO: 0.1,
  DROP_RATIO: 0.5,
  DROP_WINDOW_S: 3,
  STALL_MS: 1000,
  SLOW_PROBE_MS: 100,
  SHMEM_SHARE: 0.5,
});

/** The three outcomes. */
export type ReproVerdictClass = 'affected' | 'degraded' | 'not affected';

/** The figures that decided a verdict. Rates in pages/s, shares 0..1; undefined where not measured. */
export interface ReproVerdictFigures {
  /** File threads' pages/s before the memory threads started. */
  fileBeforePerS: number | undefined;
  /** File threads' pages/s at the end (last third of phase `both`). */
  fileAfterPerS: number | undefined;
  /** fileAfterPerS / fileBeforePerS. */
  fileRatio: number | undefined;
  /** Worst 3-second median of the file rate in phase `both`, as a share of before. */
  fileWorstRatio: number | undefined;
  /** Memory threads' best 3-second median and end rate, pages/s. */
  memoryPeakPerS: number | undefined;
  memoryAfterPerS: number | undefined;
  memoryRatio: number | undefined;
  /** Worst mmap_lock probe, ms (a probe still in flight at the end counts with its wait so far). */
  worstProbeMs: number | undefined;
  /** Probes that finished. */
  probes: number;
  probeTimeouts: number;
  /** Seconds whose worst probe (finished or still waiting) took at least SLOW_PROBE_MS: seconds, not probes. */
  slowProbes: number;
  /** Seconds whose worst probe took at least STALL_MS: seconds, not probes. */
  stalledProbes: number;
  /** Kernel share of the cgroup's CPU time in phase `both`, and CPUs used on average there. */
  kernelCpuShare: number | undefined;
  cpusUsed: number | undefined;
  /** Limit hits (failcnt / memory.events max) and reclaim pages scanned/stolen over the run. */
  limitHits: number | undefined;
  reclaimScanned: number | undefined;
  reclaimStolen: number | undefined;
  reclaimScope: 'cgroup' | 'host' | undefined;
  /** File pages refaulted in the cgroup over the run (reclaimed, then read back). */
  refaults: number | undefined;
  /** Share of sampled kernel stacks in reclaim during phase `both`. */
  reclaimStackShare: number | undefined;
  oomKills: number;
  /** Seconds in phase `both` without a progress report from the workload. */
  silentSeconds: number;
  /** Most shared memory (tmpfs pages) charged to the cgroup at any second, bytes. */
  shmemMaxBytes: number | undefined;
  /** With `--trace` (bpftrace over the leg; undefined without it or where the trace could not run): */
  traceMmapLockHolds: number | undefined;
  traceMmapLockMaxHoldMs: number | undefined;
  /** mmap_lock holds of >= 1 s. */
  traceMmapLockHoldsOver1s: number | undefined;
  traceMmapLockMaxWaitMs: number | undefined;
  /** memcg reclaim calls, the time they took in all and at worst, pages they reclaimed. */
  traceReclaimCalls: number | undefined;
  traceReclaimMs: number | undefined;
  traceReclaimMaxMs: number | undefined;
  tracePagesReclaimed: number | undefined;
}

/** A verdict with the reasons, one sentence each. */
export interface ReproVerdict {
  class: ReproVerdictClass;
  reasons: string[];
  figures: ReproVerdictFigures;
  /** Which livelock (mmap-lock, lru-lock, unknown) and why; undefined when judged without the host's facts. */
  variant?: VariantAssessment | undefined;
}

/** What the variant rests on beyond the seconds and the trace. */
export interface ReproVariantInput {
  host: HostFacts;
  /** The leg's kernel CPU profile, when one ran. */
  profile?: KernelProfile | undefined;
}

const median = (xs: number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
};
const defined = (xs: Array<number | undefined>): number[] => xs.filter((x): x is number => x !== undefined);
const rolling = (xs: number[], w: number): number[] => {
  if (xs.length < w) return xs.length ? [median(xs)!] : [];
  const out: number[] = [];
  for (let i = 0; i + w <= xs.length; i++) out.push(median(xs.slice(i, i + w))!);
  return out;
};
const sum = (xs: Array<number | undefined>): number | undefined => {
  const d = defined(xs);
  return d.length ? d.reduce((a, b) => a + b, 0) : undefined;
};
const pct = (r: number | undefined): string => (r === undefined ? 'n/a' : `${(r * 100).toFixed(r < 0.1 ? 1 : 0)} %`);

/** Judges a run from its seconds and, with `--trace`, what the trace measured. */
export function decideVerdict(seconds: readonly Second[], trace?: TraceEvidence, variantInput?: ReproVariantInput): ReproVerdict {
  const T = VERDICT_THRESHOLDS;
  // Before: phase `file`; when the files took so long that it hardly happened, the reading part of `prepare`.
  const reading = (ph: Second['phase']): Second[] => seconds.filter((s) => s.phase === ph && s.reported && (s.filePagesPerS ?? 0) > 0);
  const filePhase = reading('file').length >= 2 ? reading('file') : reading('prepare');
  const both = seconds.filter((s) => s.phase === 'both');
  const before = median(defined(filePhase.slice(Math.floor(filePhase.length / 2)).map((s) => s.filePagesPerS)));
  const tail = both.slice(Math.floor((both.length * 2) / 3));
  const fileAfter = median(defined(tail.map((s) => s.filePagesPerS)));
  const memoryAfter = median(defined(tail.map((s) => s.memoryPagesPerS)));
  const fileRoll = rolling(defined(both.map((s) => s.filePagesPerS)), T.DROP_WINDOW_S);
  const memRoll = rolling(defined(both.map((s) => s.memoryPagesPerS)), T.DROP_WINDOW_S);
  const memoryPeak = memRoll.length ? Math.max(...memRoll) : undefined;
  const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined || b <= 0 ? undefined : a / b);
  const fileRatio = ratio(fileAfter, before);
  const fileWorstRatio = fileRoll.length ? ratio(Math.min(...fileRoll), before) : undefined;
  const memoryRatio = ratio(memoryAfter, memoryPeak);
  const probeMs = defined(seconds.map((s) => s.probeWorstMs));
  const worstProbeMs = probeMs.length ? Math.max(...probeMs) : undefined;
  const user = sum(both.map((s) => s.cpuUser));
  const sys = sum(both.map((s) => s.cpuSystem));
  const last = seconds.at(-1);
  const first = seconds.find((s) => s.limitHits !== undefined);
  const figures: ReproVerdictFigures = {
    fileBeforePerS: before, fileAfterPerS: fileAfter, fileRatio, fileWorstRatio,
    memoryPeakPerS: memoryPeak, memoryAfterPerS: memoryAfter, memoryRatio,
    worstProbeMs,
    probes: seconds.reduce((a, s) => a + s.probesFinished, 0),
    probeTimeouts: seconds.reduce((a, s) => a + s.probeTimeouts, 0),
    slowProbes: probeMs.filter((m) => m >= T.SLOW_PROBE_MS).length,
    stalledProbes: probeMs.filter((m) => m >= T.STALL_MS).length,
    kernelCpuShare: user !== undefined && sys !== undefined && user + sys > 0 ? sys / (user + sys) : undefined,
    cpusUsed: user !== undefined && sys !== undefined && both.length ? (user + sys) / both.length : undefined,
    limitHits: last?.limitHits !== undefined && first?.limitHits !== undefined ? last.limitHits : undefined,
    reclaimScanned: sum(seconds.map((s) => s.scannedPerS)),
    reclaimStolen: sum(seconds.map((s) => s.stolenPerS)),
    reclaimScope: last?.reclaimScope,
    refaults: sum(seconds.map((s) => s.refaultsPerS)),
    reclaimStackShare: median(defined(both.map((s) => s.reclaimStackShare))),
    oomKills: Math.max(0, ...defined(seconds.map((s) => s.oomKills))),
    silentSeconds: both.filter((s) => !s.reported).length,
    shmemMaxBytes: seconds.some((s) => s.shmemBytes !== undefined) ? Math.max(...defined(seconds.map((s) => s.shmemBytes))) : undefined,
    traceMmapLockHolds: trace?.mmapLock?.holds,
    traceMmapLockMaxHoldMs: trace?.mmapLock?.maxHoldMs,
    traceMmapLockHoldsOver1s: trace?.mmapLock?.holdsOver1s,
    traceMmapLockMaxWaitMs: trace?.mmapLock === undefined ? undefined : trace.mmapLock.maxWaitUs / 1000,
    traceReclaimCalls: trace?.memcgReclaim?.calls,
    traceReclaimMs: trace?.memcgReclaim === undefined ? undefined : trace.memcgReclaim.totalUs / 1000,
    traceReclaimMaxMs: trace?.memcgReclaim === undefined ? undefined : trace.memcgReclaim.maxUs / 1000,
    tracePagesReclaimed: trace?.memcgReclaim?.pagesReclaimed,
  };
  const reasons: string[] = [];
  if (seconds.some((s) => s.shmemBytes !== undefined && s.limitBytes !== undefined && s.limitBytes !== Infinity && s.shmemBytes >= T.SHMEM_SHARE * s.limitBytes)) {
    reasons.push(`NOT the page-cache test: ${((figures.shmemMaxBytes ?? 0) / 1048576).toFixed(1)} MiB of the cgroup's memory was shared memory (tmpfs pages, memory.stat shmem), so the files' pages could not be reclaimed; --dir is backed by tmpfs (e.g. an overlay whose upper layer is tmpfs): use a directory on a block-device file system`);
  }
  if (before === undefined) reasons.push('no progress was measured before the memory threads started (is --delay long enough for the files to be written?)');
  if (both.length === 0) reasons.push('the second phase never ran');
  const collapsed = fileRatio !== undefined && fileRatio < T.COLLAPSE_RATIO && (memoryRatio === undefined || memoryRatio < T.COLLAPSE_RATIO);
  const dropped = fileWorstRatio !== undefined && fileWorstRatio < T.DROP_RATIO;
  const probeStalled = worstProbeMs !== undefined && worstProbeMs >= T.STALL_MS;
  const heldLong = (figures.traceMmapLockHoldsOver1s ?? 0) > 0 || (figures.traceMmapLockMaxHoldMs ?? 0) >= T.STALL_MS;
  const waitedLong = (figures.traceMmapLockMaxWaitMs ?? 0) >= T.STALL_MS;
  const stalled = probeStalled || heldLong || waitedLong;
  const oom = figures.oomKills > 0;
  if (collapsed) reasons.push(`progress collapsed: file threads at ${pct(fileRatio)} of before, memory threads at ${pct(memoryRatio)} of their best`);
  else if (dropped) reasons.push(`progress dropped to ${pct(fileWorstRatio)} of before${fileRatio !== undefined && fileRatio >= T.DROP_RATIO ? ` and recovered to ${pct(fileRatio)}` : ` and ended at ${pct(fileRatio)}`}`);
  if (probeStalled) reasons.push(`the mmap_lock probe (what ps reads) took ${Math.round(worstProbeMs)} ms at worst (stall threshold ${T.STALL_MS} ms)`);
  if (heldLong) reasons.push(`the mmap-lock trace saw mmap_lock held for ${Math.round(figures.traceMmapLockMaxHoldMs ?? 0)} ms at worst, ${figures.traceMmapLockHoldsOver1s ?? 0} hold(s) of >= 1 s (stall threshold ${T.STALL_MS} ms)`);
  if (waitedLong) reasons.push(`the mmap-lock trace saw a thread wait ${Math.round(figures.traceMmapLockMaxWaitMs ?? 0)} ms for mmap_lock (stall threshold ${T.STALL_MS} ms)`);
  if (oom) reasons.push(`${figures.oomKills} OOM kill(s) in the cgroup: the kernel killed instead of livelocking (raise --limit to test reclaim)`);
  let cls: ReproVerdictClass;
  if (collapsed && stalled && !oom) cls = 'affected';
  else if (collapsed || dropped || stalled || oom) cls = 'degraded';
  else {
    cls = 'not affected';
    reasons.push(`progress held (file threads at ${pct(fileRatio)} of before, worst ${pct(fileWorstRatio)}) and the mmap_lock probe stayed under ${T.STALL_MS} ms (worst ${worstProbeMs === undefined ? 'n/a' : `${worstProbeMs.toFixed(1)} ms`})${figures.traceMmapLockMaxHoldMs === undefined ? '' : `, as did traced holds (worst ${figures.traceMmapLockMaxHoldMs.toFixed(1)} ms)`}`);
  }
  const variant = variantInput ? decideReproVariant(figures, trace, variantInput) : undefined;
  return { class: cls, reasons, figures, ...(variant ? { variant } : {}) };
}

/** The leg's variant from its figures, trace and profile (the doctor's rule; probe stall at STALL_MS). Pure. */
export function decideReproVariant(f: ReproVerdictFigures, trace: TraceEvidence | undefined, v: ReproVariantInput): VariantAssessment {
  const t = { ...DEFAULT_THRESHOLDS, mmapLockStallMs: VERDICT_THRESHOLDS.STALL_MS };
  const probe = { probes: f.probes, timeouts: f.probeTimeouts, worstLatencyMs: f.worstProbeMs };
  const probeStall = probe.timeouts > 0 || (probe.worstLatencyMs ?? 0) >= t.mmapLockStallMs;
  const traceStall = trace?.ran === true && (trace.mmapLock?.holdsOver1s ?? 0) > 0;
  return assessVariant({ host: v.host, probe, trace: trace?.ran ? trace : undefined, profile: v.profile }, t, { probe: probeStall, trace: traceStall });
}
