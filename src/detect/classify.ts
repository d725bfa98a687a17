// The classifier: a pure function of derived models, probe results and host facts. The question it asks is
// not "is there pressure?" but "is anything still making progress?" (see thresholds.ts for every number).
import type { TargetModel } from '../sample/model.js';
import { formatBytes } from '../units/bytes.js';
import { adviseFor } from './advice.js';
import { decideWithMargin } from './borderline.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import { assessVariant } from './variant.js';
import type { ClassifyInput, Evidence, Finding, VariantAssessment, Verdict, VerdictClass } from './verdict.js';

const SEVERITY: Record<VerdictClass, number> = {
  gone: 0, healthy: 0, 'cpu-bound': 10, 'memory-pressure': 40, thrashing: 60, 'oom-loop': 70, 'reclaim-livelock': 90,
};

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
const num = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const bytes = (b: number): string => (Number.isFinite(b) ? formatBytes(b) : 'unlimited');

/** Share of sampled R/D stacks that were in reclaim over all intervals, and the count. */
function reclaimShare(intervals: TargetModel[]): { share: number | undefined; inReclaim: number; sampled: number; mmap: number } {
  let sampled = 0;
  let inReclaim = 0;
  let mmap = 0;
  let any = false;
  for (const m of intervals) {
    if (m.threads.stacksSampled === undefined) continue;
    any = true;
    sampled += m.threads.stacksSampled;
    inReclaim += m.threads.inReclaim ?? 0;
    mmap += m.threads.waitingMmapLock ?? 0;
  }
  return { share: any && sampled > 0 ? inReclaim / sampled : any ? 0 : undefined, inReclaim, sampled, mmap };
}

/** Classifies one target. */
export function classify(input: ClassifyInput, t: Thresholds = DEFAULT_THRESHOLDS): Verdict {
  const { window: w, probe, host } = input;
  const findings: Finding[] = [];
  const evidence: Evidence[] = [];
  const add = (f: Finding): void => {
    findings.push(f);
  };
  const borderline: string[] = [];

  if (w.gone) {
    add({ code: 'gone', severity: 'info', message: 'the target exited or its cgroup was removed during the window' });
    return { verdict: 'gone', severity: SEVERITY.gone, findings, evidence, advice: [], borderline: [] };
  }

  // CPU.
  const cpuCap = Math.min(w.cpu.quotaCores, Number.POSITIVE_INFINITY);
  evidence.push({
    signal: 'CPU (user + system)',
    value: `${num(w.cpu.userCores)} + ${num(w.cpu.systemCores)} cores${Number.isFinite(cpuCap) ? ` of ${num(cpuCap)} quota` : ''}`,
    threshold: `busy ≥ ${t.cpuBusyCores} cores or ${pct(t.cpuBusyShare)} of capacity`,
    // Below 0.01 cores both figures print as 0.00: a share of nothing is no evidence ("100 % in the kernel").
    meaning: w.cpu.totalCores >= 0.01 ? `${pct(w.cpu.systemCores / w.cpu.totalCores)} of its CPU is in the kernel (from ${w.cpu.source === 'cgroup' ? 'cgroup accounting' : 'thread ticks'})` : 'idle (under 0.01 cores): no kernel share to judge',
  });
  const busy = w.cpu.totalCores >= t.cpuBusyCores || (w.cpu.ofCapacity >= t.cpuBusyShare && w.cpu.totalCores >= 0.05);
  if (busy) add({ code: 'cpu-busy', severity: 'info', message: `uses ${num(w.cpu.totalCores)} cores (${pct(w.cpu.ofCapacity)} of what it may use)` });
  if (w.cpu.throttledRatio !== undefined) {
    evidence.push({ signal: 'CFS periods throttled', value: pct(w.cpu.throttledRatio), threshold: `≥ ${pct(t.cpuThrottledRatio)}`, meaning: 'the CPU quota, not the work, sets the pace' });
    if (w.cpu.throttledRatio >= t.cpuThrottledRatio) add({ code: 'cpu-throttled', severity: 'warning', message: `throttled in ${pct(w.cpu.throttledRatio)} of CFS periods: it wants more CPU than its quota` });
  }

  // Memory.
  const m = w.memory;
  let atLimit = false;
  let reclaimInefficient = false;
  let refaulting = false;
  if (m) {
    // Two rules, either suffices; the finding says which fired, with the same figures as the evidence rows.
    const byUsage = m.usageRatio >= t.memoryAtLimitRatio;
    const byHits = (m.limitHitsPerSec ?? 0) > 0;
    atLimit = byUsage || byHits;
    const usageText = `${bytes(m.usageBytes)} / ${bytes(m.limitBytes)}${Number.isFinite(m.limitBytes) ? ` (${pct(m.usageRatio)})` : ''}`;
    const hitsName = m.version === 'v1' ? 'memory.failcnt rate' : 'memory.events max rate';
    evidence.push({
      signal: 'memory usage / limit',
      value: usageText,
      threshold: `≥ ${pct(t.memoryAtLimitRatio)} (or limit hits > 0, below)`,
      meaning: 'at the limit every new page is paid for by reclaim inside the cgroup',
    });
    if (m.limitHitsPerSec !== undefined) {
      evidence.push({ signal: hitsName, value: `${num(m.limitHitsPerSec)}/s`, threshold: '> 0', meaning: 'charges that hit the limit and had to reclaim' });
    }
    if (atLimit) {
      const why = byHits
        ? `${num(m.limitHitsPerSec ?? 0)} charges/s hit the limit and had to reclaim (${hitsName} > 0)${byUsage ? `, and usage is ${usageText} (≥ ${pct(t.memoryAtLimitRatio)})` : `; usage ${usageText} is below ${pct(t.memoryAtLimitRatio)} because reclaim keeps freeing room`}`
        : `usage ${usageText} is ≥ ${pct(t.memoryAtLimitRatio)} of the limit`;
      add({ code: 'memory-at-limit', severity: 'warning', message: `memory at its limit: ${why}` });
    }
    if (m.pgscanPerSec !== undefined) {
      const scope = m.reclaimSource === 'host' ? ' (host-wide: v1 memory.stat has no pgscan)' : '';
      evidence.push({
        signal: `reclaim scanned / freed${scope}`,
        value: `${num(m.pgscanPerSec)} / ${num(m.pgstealPerSec ?? 0)} pages/s${m.reclaimEfficiency !== undefined ? ` (${pct(m.reclaimEfficiency)})` : ''}`,
        threshold: `< ${pct(t.reclaimInefficientRatio)} freed while ≥ ${t.reclaimMinScanPerSec} scanned/s`,
        meaning: 'how much of what reclaim scans it can free; near 0 means it scans the same hot pages over and over',
      });
      const d = decideWithMargin([
        { name: 'pages scanned/s', value: m.pgscanPerSec, threshold: t.reclaimMinScanPerSec, op: '>=', format: num },
        { name: 'share of scanned pages freed', value: m.reclaimEfficiency ?? 1, threshold: t.reclaimInefficientRatio, op: '<', format: pct },
      ], t.borderlineMargin, 'inefficient reclaim');
      reclaimInefficient = d.holds && (m.reclaimSource === 'cgroup' || atLimit);
      if (m.reclaimSource === 'cgroup' || atLimit) borderline.push(...d.reasons);
      if (reclaimInefficient) add({ code: 'reclaim-inefficient', severity: 'critical', message: `reclaim frees ${pct(m.reclaimEfficiency ?? 0)} of the ${num(m.pgscanPerSec)} pages/s it scans${scope}` });
    }
    if (m.refaultsPerSec !== undefined) {
      evidence.push({ signal: 'workingset refaults', value: `${num(m.refaultsPerSec)}/s`, threshold: `≥ ${t.thrashingFaultsPerSec}/s at the limit`, meaning: 'pages read again soon after reclaim evicted them: the working set does not fit' });
    }
    refaulting = atLimit && ((m.refaultsPerSec ?? 0) >= t.thrashingFaultsPerSec || w.progress.majfltPerSec >= t.thrashingFaultsPerSec);
    if (refaulting) add({ code: 'refaulting', severity: 'warning', message: `${num(Math.max(m.refaultsPerSec ?? 0, w.progress.majfltPerSec))} refaults or major faults/s: the working set does not fit in the limit` });
    if (m.missing.length > 0) evidence.push({ signal: 'not offered by this hierarchy', value: m.missing.join(', '), threshold: '', meaning: `cgroup ${m.version} lacks these; figures above say where they came from instead` });
  }

  // Progress.
  const p = w.progress;
  evidence.push({
    signal: 'progress: faults + I/O syscalls',
    value: `${num(p.faultsPerSec)} faults/s (${num(p.majfltPerSec)} major) + ${p.ioSyscallsPerSec === undefined ? 'n/a' : num(p.ioSyscallsPerSec)} syscalls/s`,
    threshold: `< ${t.progressMaxWorkPerSystemCpuSecond} per kernel CPU-second`,
    meaning: p.workPerSystemCpuSecond === undefined ? 'little kernel CPU, nothing to judge' : `${num(p.workPerSystemCpuSecond)} per kernel CPU-second: what the kernel time buys`,
  });
  const sysShare = w.cpu.totalCores > 0 ? w.cpu.systemCores / w.cpu.totalCores : 0;
  let progressCollapsed = false;
  if (p.workPerSystemCpuSecond !== undefined) {
    // Decided from all three figures with a margin, so a kernel share wobbling around 70 % does not flip it.
    const d = decideWithMargin([
      { name: 'kernel CPU', value: w.cpu.systemCores, threshold: t.progressMinSystemCores, op: '>=', format: (x) => `${num(x)} cores` },
      { name: 'kernel share of CPU', value: sysShare, threshold: t.progressMinSystemShare, op: '>=', format: pct },
      { name: 'work per kernel CPU-second', value: p.workPerSystemCpuSecond, threshold: t.progressMaxWorkPerSystemCpuSecond, op: '<', format: num },
    ], t.borderlineMargin, 'progress collapsed');
    progressCollapsed = d.holds;
    if (w.cpu.systemCores >= t.progressMinSystemCores * (1 - t.borderlineMargin)) borderline.push(...d.reasons);
  }
  if (progressCollapsed) add({ code: 'progress-collapsed', severity: 'critical', message: `${num(w.cpu.systemCores)} cores in the kernel buy only ${num(p.faultsPerSec)} faults/s and ${num(p.ioSyscallsPerSec ?? 0)} I/O syscalls/s` });

  // Threads in reclaim (kernel stacks).
  const rs = reclaimShare(input.intervals);
  if (rs.share !== undefined) {
    evidence.push({ signal: 'R/D threads in reclaim frames', value: `${rs.inReclaim} of ${rs.sampled} stacks (${pct(rs.share)})`, threshold: `≥ ${pct(t.threadsInReclaimShare)}`, meaning: 'threads running try_charge_memcg → shrink_lruvec/evict_folios instead of their own code' });
  } else {
    evidence.push({ signal: 'R/D threads in reclaim frames', value: 'n/a', threshold: '', meaning: 'kernel stacks unreadable (needs root)' });
  }
  let threadsInReclaim = false;
  if (rs.share !== undefined && rs.inReclaim >= 2) {
    const d = decideWithMargin([{ name: 'share of R/D threads in reclaim frames', value: rs.share, threshold: t.threadsInReclaimShare, op: '>=', format: pct }], t.borderlineMargin, 'threads in reclaim');
    threadsInReclaim = d.holds;
    borderline.push(...d.reasons);
  }
  if (threadsInReclaim) add({ code: 'threads-in-reclaim', severity: 'warning', message: `${pct(rs.share!)} of running threads' kernel stacks are in page reclaim` });

  // The mmap_lock probe.
  const probeStall = probe.timeouts > 0 || (probe.worstLatencyMs ?? 0) >= t.mmapLockStallMs;
  evidence.push({
    signal: 'mmap_lock probe (/proc/PID/cmdline read)',
    value: probe.probes === 0 ? 'not run' : `${probe.timeouts > 0 ? `${probe.timeouts} of ${probe.probes} timed out; ` : ''}worst ${probe.worstLatencyMs === undefined ? 'n/a' : `${num(probe.worstLatencyMs)} ms`}`,
    threshold: `≥ ${t.mmapLockStallMs} ms`,
    meaning: 'how long `ps aux` would hang on this process',
  });
  if (probeStall) add({ code: 'mmap-lock-stall', severity: 'critical', message: probe.timeouts > 0 ? `reading /proc/PID/cmdline did not finish within its deadline (${probe.timeouts}×): ps, top and perf will hang on this process` : `reading /proc/PID/cmdline took ${num(probe.worstLatencyMs ?? 0)} ms: mmap_lock is held for long` });

  // Trace evidence (doctor --trace).
  const tr = input.trace;
  let traceStall = false;
  if (tr) {
    if (!tr.ran) {
      evidence.push({ signal: 'trace (bpftrace)', value: 'not run', threshold: '', meaning: tr.unavailable.join('; ') });
    } else {
      const secs = Math.max(0.001, tr.tracedMs / 1000);
      if (tr.memcgReclaim) {
        const r = tr.memcgReclaim;
        evidence.push({
          signal: 'memcg reclaim calls (trace)',
          value: `${num(r.calls / secs)}/s, ${r.calls ? num(r.pagesReclaimed / r.calls) : '0'} pages/call, longest ${num(r.maxUs / 1000)} ms`,
          threshold: '',
          meaning: `${pct(Math.min(1, r.totalUs / 1e6 / secs))} of a CPU-second per second spent inside memcg reclaim`,
        });
      }
      if (tr.mmapLock) {
        const l = tr.mmapLock;
        evidence.push({ signal: 'mmap_lock holds ≥ 1 s (trace)', value: `${l.holdsOver1s} of ${l.holds}, longest ${num(l.maxHoldMs)} ms`, threshold: '> 0', meaning: l.tidsOver1s.length ? `held by TIDs ${l.tidsOver1s.slice(0, 5).join(', ')}` : 'no long holder' });
        traceStall = l.holdsOver1s > 0;
      }
      if (tr.unavailable.length) evidence.push({ signal: 'trace: not measured', value: tr.unavailable.join('; '), threshold: '', meaning: '' });
    }
  }

  // PSI.
  if (w.psi.memoryFull !== undefined || w.psi.memorySome !== undefined) {
    evidence.push({ signal: `PSI memory some / full (${w.psi.scope ?? 'n/a'})`, value: `${pct(w.psi.memorySome ?? 0)} / ${pct(w.psi.memoryFull ?? 0)}`, threshold: `full ≥ ${pct(t.psiMemoryFull)}`, meaning: 'share of the window stalled on memory: pressure, but not whether it ends' });
  }
  const psiFull = (w.psi.memoryFull ?? 0) >= t.psiMemoryFull && w.psi.scope === 'cgroup';
  if (psiFull) add({ code: 'psi-memory-full', severity: 'warning', message: `every task of the cgroup stalled on memory ${pct(w.psi.memoryFull!)} of the time` });
  const psiSome = (w.psi.memorySome ?? 0) >= t.psiMemorySome && w.psi.scope === 'cgroup';
  if (psiSome && !psiFull) add({ code: 'psi-memory-some', severity: 'info', message: `some task stalled on memory ${pct(w.psi.memorySome!)} of the time` });

  // OOM.
  const oomKills = m?.oomKills ?? 0;
  if (oomKills > 0 || m?.underOom) add({ code: 'oom-kills', severity: 'critical', message: m?.underOom ? 'the cgroup is frozen under OOM (oom_kill_disable is set)' : `${oomKills} OOM kill${oomKills > 1 ? 's' : ''} in the cgroup during the window` });
  if (m) evidence.push({ signal: 'OOM kills in the window', value: String(oomKills), threshold: '> 0', meaning: 'the kernel gave up reclaiming and killed; a livelock never gets here' });

  if (traceStall && !probeStall) add({ code: 'mmap-lock-stall', severity: 'critical', message: `a thread held mmap_lock for ${num(tr!.mmapLock!.maxHoldMs)} ms (traced): ps, top and perf hang on this process meanwhile` });
  const stall = probeStall || traceStall;
  const memoryInvolved = atLimit || psiFull || psiSome || stall || threadsInReclaim;
  if (host.mglruPresent && !host.mglruEnabled && memoryInvolved) {
    add({ code: 'mglru-off', severity: 'info', message: 'this kernel has MGLRU (/sys/kernel/mm/lru_gen) but it is off' });
  }

  // The kernel profile and the variant.
  const prof = input.profile;
  if (prof) {
    const sh = prof.shares;
    const top = prof.top.slice(0, 3).map((f) => `${f.name} ${pct(f.share)}`).join(', ');
    evidence.push({
      signal: `kernel CPU profile (${prof.method})`,
      value: prof.kernelSamples > 0 ? top : 'no kernel samples',
      threshold: '',
      meaning: `${prof.samples} on-CPU samples at ${prof.hz} Hz over ${num(prof.durationMs / 1000)} s, ${pct(prof.samples > 0 ? prof.kernelSamples / prof.samples : 0)} in the kernel; filter: ${prof.filter}`,
    });
    evidence.push({
      signal: 'profile: evict_folios / spin lock in reclaim',
      value: `${pct(sh.evictFolios)} / ${pct(sh.spinLockInReclaim)}`,
      threshold: `≥ ${pct(t.lruLockEvictFoliosShare)} / ≥ ${pct(t.lruLockSpinShare)} with MGLRU on`,
      meaning: 'MGLRU reclaim spinning on lru_lock (the reference\'s second livelock: 84 % / 67 %)',
    });
    evidence.push({
      signal: 'profile: shrink_lruvec / lru_note_cost',
      value: `${pct(sh.shrinkLruvec)} / ${pct(sh.lruNoteCost)}`,
      threshold: '',
      meaning: 'classic LRU reclaim (the reference\'s first livelock under mmap_lock: 64 % / 29 %)',
    });
  }
  const memoryTrouble = atLimit || threadsInReclaim || stall || psiFull || reclaimInefficient || (prof !== undefined && prof.shares.reclaim > 0.25);
  let variant: VariantAssessment | undefined;
  if (memoryTrouble) {
    variant = assessVariant({ host, probe, trace: tr, profile: prof }, t, { probe: probeStall, trace: traceStall });
    if (variant.borderline) borderline.push(`the variant's profile shares sit within ${Math.round(t.borderlineMargin * 100)} % of their thresholds`);
    if (variant.variant === 'lru-lock') {
      add({ code: 'lru-lock-contention', severity: 'critical', message: `${pct(variant.figures.evictFoliosShare ?? 0)} of the target's CPU samples are in MGLRU's evict_folios and ${pct(variant.figures.spinLockShare ?? 0)} spin on lru_lock: many threads reclaim at once and fight over the lock` });
    }
  }
  const lruLock = variant?.variant === 'lru-lock';

  // The verdict.
  let verdict: VerdictClass;
  const reclaimActive = (m?.limitHitsPerSec ?? 0) > 0 || ((m?.pgscanPerSec ?? 0) >= t.reclaimMinScanPerSec && m?.reclaimSource === 'cgroup') || refaulting || threadsInReclaim || psiFull;
  if (oomKills > 0 || m?.underOom) verdict = 'oom-loop';
  else if ((atLimit || threadsInReclaim) && (progressCollapsed || stall) && (threadsInReclaim || reclaimInefficient || stall || lruLock)) verdict = 'reclaim-livelock';
  else if (atLimit && reclaimActive && (sysShare >= 0.3 || refaulting || psiFull || threadsInReclaim)) verdict = 'thrashing';
  else if (memoryInvolved) verdict = 'memory-pressure';
  else if (busy) verdict = 'cpu-bound';
  else verdict = 'healthy';

  const critical = findings.filter((f) => f.severity === 'critical').length;
  const severity = Math.min(100, SEVERITY[verdict] + (verdict === 'healthy' || verdict === 'cpu-bound' ? 0 : Math.min(9, critical * 3)));
  const unique = [...new Set(borderline)];
  if (unique.length) add({ code: 'borderline', severity: 'info', message: `borderline: ${unique.join('; ')}` });
  const showVariant = variant !== undefined && !['healthy', 'cpu-bound', 'gone'].includes(verdict);
  return {
    verdict, severity, findings, evidence, advice: adviseFor(verdict, findings, host, showVariant ? variant : undefined), borderline: unique,
    ...(showVariant && variant ? { variant } : {}),
  };
}
