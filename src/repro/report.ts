// What a run produced, for machines (--json) and for a person to send to their kernel vendor (--report).
import type { CleanupResult } from './cleanup.js';
import { formatBytes } from '../units/bytes.js';
import type { LegResult, ReproRun } from './orchestrator.js';
import type { ReproParams, ScaleNote } from './params.js';
import type { LivelockVariant } from '../detect/verdict.js';
import { describeKernelProfile } from '../probe/kernel-profile-summary.js';
import { VERDICT_THRESHOLDS, type ReproVerdictClass } from './verdict.js';
import { formatLiveLine } from './live-view.js';

/** The host a run ran on. */
export interface ReproHostFacts {
  kernelRelease: string;
  kernelVersion: string;
  cgroupMode: string;
  cpus: number;
  memTotalBytes: number;
  mglru: string;
}

/** The whole report (the `--json` document). */
export interface ReproReport {
  tool: 'reclaimwatch repro';
  runId: string;
  host: ReproHostFacts;
  preset: string;
  params: ReproParams;
  scaled: ScaleNote[];
  /** The verdict of the run: the worst of its legs. */
  verdict: ReproVerdictClass;
  /** The variant of the worst leg (the first of equals), undefined when no leg was judged with host facts. */
  variant: LivelockVariant | undefined;
  legs: LegResult[];
  cleanup: CleanupResult;
  thresholds: typeof VERDICT_THRESHOLDS;
}

const RANK: Record<ReproVerdictClass, number> = { 'not affected': 0, degraded: 1, affected: 2 };

/** Builds the report of a run. */
export function buildReport(run: ReproRun, host: ReproHostFacts, preset: string, params: ReproParams, scaled: ScaleNote[]): ReproReport {
  const verdict = run.legs.reduce<ReproVerdictClass>((w, l) => (RANK[l.verdict.class] > RANK[w] ? l.verdict.class : w), 'not affected');
  const variant = run.legs.find((l) => l.verdict.class === verdict)?.verdict.variant?.variant;
  return { tool: 'reclaimwatch repro', runId: run.runId, host, preset, params, scaled, verdict, variant, legs: run.legs, cleanup: run.cleanup, thresholds: VERDICT_THRESHOLDS };
}

const n0 = (x: number | undefined): string => (x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const pc = (x: number | undefined): string => (x === undefined ? 'n/a' : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`);
const ms = (x: number | undefined): string => (x === undefined ? 'n/a' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

/** The figures of one leg, as lines. */
export function legSummary(l: LegResult): string[] {
  const f = l.verdict.figures;
  return [
    `MGLRU ${l.mglru}: ${l.verdict.class.toUpperCase()}  (run ${l.end}${l.exit.signal ? `, workload ${l.exit.signal}` : l.exit.code ? `, workload exit ${l.exit.code}` : ''})`,
    ...l.verdict.reasons.map((r) => `  - ${r}`),
    `  file threads     before ${n0(f.fileBeforePerS)} pages/s, after ${n0(f.fileAfterPerS)} pages/s (${pc(f.fileRatio)}), worst 3 s ${pc(f.fileWorstRatio)}`,
    `  memory threads   best ${n0(f.memoryPeakPerS)} pages/s, at the end ${n0(f.memoryAfterPerS)} pages/s (${pc(f.memoryRatio)})`,
    `  mmap_lock probe  worst ${ms(f.worstProbeMs)} over ${f.probes} finished probes, ${f.probeTimeouts} timed out; seconds with a probe >= ${VERDICT_THRESHOLDS.SLOW_PROBE_MS} ms: ${f.slowProbes}, >= ${VERDICT_THRESHOLDS.STALL_MS} ms: ${f.stalledProbes}`,
    `  CPU (2nd phase)  ${f.cpusUsed === undefined ? 'n/a' : f.cpusUsed.toFixed(2)} CPUs used, ${pc(f.kernelCpuShare)} of it in the kernel; ${pc(f.reclaimStackShare)} of sampled stacks in reclaim`,
    `  reclaim          ${n0(f.reclaimScanned)} pages scanned, ${n0(f.reclaimStolen)} reclaimed (${f.reclaimScope === 'host' ? 'host-wide: cgroup v1 has no per-cgroup scan counters' : 'in the cgroup'}), ${n0(f.refaults)} file refaults, ${n0(f.limitHits)} limit hits, OOM kills ${f.oomKills}`,
    `  silent seconds   ${f.silentSeconds} (seconds of the 2nd phase without a progress report from the workload)`,
    ...traceLines(l),
    ...variantLines(l),
    ...doctorLines(l),
    ...(l.mglruDuring === undefined ? [] : [`  MGLRU during     lru_gen/enabled ${l.mglruDuring}`]),
  ];
}

function traceLines(l: LegResult): string[] {
  const t = l.trace;
  if (!t) return [];
  const f = l.verdict.figures;
  const why = t.unavailable.length ? ` (${t.unavailable.join('; ')})` : '';
  if (!t.ran) return [`  trace            did not run${why}`];
  const share = f.traceReclaimMs !== undefined && t.tracedMs > 0 ? ` (${pc(f.traceReclaimMs / t.tracedMs)} of the traced wall time, summed over threads)` : '';
  return [
    `  trace            bpftrace attached at ${t.attachedAtS === undefined ? 'n/a' : `${t.attachedAtS.toFixed(1)} s`}, traced ${(t.tracedMs / 1000).toFixed(1)} s${why}`,
    `  mmap_lock trace  ${n0(f.traceMmapLockHolds)} holds, longest ${ms(f.traceMmapLockMaxHoldMs)}, ${n0(f.traceMmapLockHoldsOver1s)} >= 1 s; longest wait ${ms(f.traceMmapLockMaxWaitMs)}`,
    `  reclaim trace    ${n0(f.traceReclaimCalls)} memcg reclaim calls, ${ms(f.traceReclaimMs)} in all${share}, longest ${ms(f.traceReclaimMaxMs)}, ${n0(f.tracePagesReclaimed)} pages reclaimed`,
  ];
}

function variantLines(l: LegResult): string[] {
  const out: string[] = [];
  const v = l.verdict.variant;
  if (v) {
    out.push(`  variant          ${v.variant}${v.borderline ? ' (borderline)' : ''}`);
    for (const b of v.variant === 'unknown' ? v.missing : v.because) out.push(`                   - ${b}`);
  }
  const p = l.profile;
  if (p === undefined) return out;
  if ('unavailable' in p) return [...out, `  kernel profile   none: ${p.unavailable}`];
  out.push(`  kernel profile   ${describeKernelProfile(p)}${p.startedAtS === undefined ? '' : `, from ${p.startedAtS.toFixed(1)} s`}`);
  for (const f of p.fallbacks) out.push(`                   not ${f.method}: ${f.reason}`);
  if (p.top.length) out.push(`                   top: ${p.top.slice(0, 5).map((f) => `${f.name} ${pc(f.share)}`).join(', ')}`);
  out.push(`                   evict_folios ${pc(p.shares.evictFolios)}, spin lock in reclaim ${pc(p.shares.spinLockInReclaim)}, shrink_lruvec ${pc(p.shares.shrinkLruvec)}, lru_note_cost ${pc(p.shares.lruNoteCost)}, waiting for mmap_lock ${pc(p.shares.mmapLockWait)}`);
  return out;
}

function doctorLines(l: LegResult): string[] {
  const d = l.doctor;
  if (!d) return [];
  const counts = Object.entries(d.verdicts).map(([v, n]) => `${v} x${n}`).join(', ');
  const last = d.last ? `last ${d.last.verdict} (window ending at ${d.last.atS.toFixed(0)} s${d.last.findings.length ? `: ${d.last.findings.join(', ')}` : ''})` : 'no window finished';
  return [`  doctor           ${last}; ${d.windows} window(s) of ${d.windowMs / 1000} s${counts ? `: ${counts}` : ''}${d.errors.length ? `; errors: ${d.errors.join('; ')}` : ''}`];
}

/** The report as text a person can read and send on. */
export function renderReportText(r: ReproReport): string {
  const p = r.params;
  const out = [
    `reclaimwatch repro report  run ${r.runId}`,
    `verdict: ${r.verdict.toUpperCase()}${r.variant && r.verdict !== 'not affected' ? `  (variant ${r.variant})` : ''}`,
    '',
    `kernel   ${r.host.kernelRelease} (${r.host.kernelVersion})`,
    `host     ${r.host.cpus} CPUs, ${formatBytes(r.host.memTotalBytes)}, cgroups ${r.host.cgroupMode}, MGLRU ${r.host.mglru}`,
    `workload preset ${r.preset}: ${p.fileThreads} file threads x ${formatBytes(p.fileSizeBytes)}, ${p.memoryThreads} memory threads sharing ${formatBytes(p.memorySizeBytes)}, window ${p.windowMs / 1000} s`,
    `cgroup   limit ${formatBytes(p.limitBytes)}, ${p.cpus} CPUs, no swap; memory threads after ${p.delayMs / 1000} s; ${p.durationMs / 1000} s in all`,
    ...r.scaled.map((s) => `scaled   ${s.what} ${s.from} -> ${s.to}: ${s.why}`),
    '',
  ];
  for (const l of r.legs) {
    out.push(...legSummary(l), '', '  per second:');
    for (const s of l.seconds) out.push(`  ${formatLiveLine(s, p.cpus, '', undefined).replace(/\s+=> $/, '')}`);
    out.push('');
  }
  const c = r.cleanup;
  out.push(c.left.length === 0 ? `cleanup  removed ${c.removedCgroups.length} cgroup dirs and ${c.removedDirs.length} file dir(s); nothing left` : `cleanup  LEFT: ${c.left.join('; ')} (run reclaimwatch repro --cleanup)`);
  out.push(`thresholds: collapse < ${VERDICT_THRESHOLDS.COLLAPSE_RATIO * 100} % of before, drop < ${VERDICT_THRESHOLDS.DROP_RATIO * 100} % for ${VERDICT_THRESHOLDS.DROP_WINDOW_S} s, stall >= ${VERDICT_THRESHOLDS.STALL_MS} ms`);
  return `${out.join('\n')}\n`;
}
