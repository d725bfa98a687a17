// The classifier: a pure function of derived models, probe results and host facts. The question it asks is
// not "is there pressure?" but "is anything still making progress?" (see thresholds.ts for every number).
import type { TargetModel } from '../sample/model.js';
import { formatBytes } from '../units/bytes.js';
import { adviseFor } from './advice.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import type { ClassifyInput, Evidence, Finding, Verdict, VerdictClass } from './verdict.js';

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

  if (w.gone) {
    add({ code: 'gone', severity: 'info', message: 'the target exited or its cgroup was removed during the window' });
    return { verdict: 'gone', severity: SEVERITY.gone, findings, evidence, advice: [] };
  }

  // CPU.
  const cpuCap = Math.min(w.cpu.quotaCores, Number.POSITIVE_INFINITY);
  evidence.push({
    signal: 'CPU (user + system)',
    value: `${num(w.cpu.userCores)} + ${num(w.cpu.systemCores)} cores${Number.isFinite(cpuCap) ? ` of ${num(cpuCap)} quota` : ''}`,
    threshold: `busy ≥ ${t.cpuBusyCores} cores or ${pct(t.cpuBusyShare)} of capacity`,
    meaning: w.cpu.totalCores > 0 ? `${pct(w.cpu.systemCores / w.cpu.totalCores)} of its CPU is in the kernel (from ${w.cpu.source === 'cgroup' ? 'cgroup accounting' : 'thread ticks'})` : 'idle',
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
    atLimit = m.usageRatio >= t.memoryAtLimitRatio || (m.limitHitsPerSec ?? 0) > 0;
    evidence.push({
      signal: 'memory usage / limit',
      value: `${bytes(m.usageBytes)} / ${bytes(m.limitBytes)}${Number.isFinite(m.limitBytes) ? ` (${pct(m.usageRatio)})` : ''}`,
      threshold: `≥ ${pct(t.memoryAtLimitRatio)}`,
      meaning: 'at the limit every new page is paid for by reclaim inside the cgroup',
    });
    if (m.limitHitsPerSec !== undefined) {
      evidence.push({ signal: m.version === 'v1' ? 'memory.failcnt rate' : 'memory.events max rate', value: `${num(m.limitHitsPerSec)}/s`, threshold: '> 0', meaning: 'charges that hit the limit and had to reclaim' });
    }
    if (atLimit) add({ code: 'memory-at-limit', severity: 'warning', message: `memory at its limit (${bytes(m.usageBytes)} of ${bytes(m.limitBytes)}${m.limitHitsPerSec ? `, ${num(m.limitHitsPerSec)} limit hits/s` : ''})` });
    if (m.pgscanPerSec !== undefined) {
      const scope = m.reclaimSource === 'host' ? ' (host-wide: v1 memory.stat has no pgscan)' : '';
      evidence.push({
        signal: `reclaim scanned / freed${scope}`,
        value: `${num(m.pgscanPerSec)} / ${num(m.pgstealPerSec ?? 0)} pages/s${m.reclaimEfficiency !== undefined ? ` (${pct(m.reclaimEfficiency)})` : ''}`,
        threshold: `< ${pct(t.reclaimInefficientRatio)} freed while ≥ ${t.reclaimMinScanPerSec} scanned/s`,
        meaning: 'how much of what reclaim scans it can free; near 0 means it scans the same hot pages over and over',
      });
      reclaimInefficient = m.pgscanPerSec >= t.reclaimMinScanPerSec && (m.reclaimEfficiency ?? 1) < t.reclaimInefficientRatio && (m.reclaimSource === 'cgroup' || atLimit);
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
  const progressCollapsed = w.cpu.systemCores >= t.progressMinSystemCores && sysShare >= t.progressMinSystemShare &&
    p.workPerSystemCpuSecond !== undefined && p.workPerSystemCpuSecond < t.progressMaxWorkPerSystemCpuSecond;
  if (progressCollapsed) add({ code: 'progress-collapsed', severity: 'critical', message: `${num(w.cpu.systemCores)} cores in the kernel buy only ${num(p.faultsPerSec)} faults/s and ${num(p.ioSyscallsPerSec ?? 0)} I/O syscalls/s` });

  // Threads in reclaim (kernel stacks).
  const rs = reclaimShare(input.intervals);
  if (rs.share !== undefined) {
    evidence.push({ signal: 'R/D threads in reclaim frames', value: `${rs.inReclaim} of ${rs.sampled} stacks (${pct(rs.share)})`, threshold: `≥ ${pct(t.threadsInReclaimShare)}`, meaning: 'threads running try_charge_memcg → shrink_lruvec/evict_folios instead of their own code' });
  } else {
    evidence.push({ signal: 'R/D threads in reclaim frames', value: 'n/a', threshold: '', meaning: 'kernel stacks unreadable (needs root)' });
  }
  const threadsInReclaim = rs.share !== undefined && rs.inReclaim >= 2 && rs.share >= t.threadsInReclaimShare;
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

  // The verdict.
  let verdict: VerdictClass;
  const reclaimActive = (m?.limitHitsPerSec ?? 0) > 0 || ((m?.pgscanPerSec ?? 0) >= t.reclaimMinScanPerSec && m?.reclaimSource === 'cgroup') || refaulting || threadsInReclaim || psiFull;
  if (oomKills > 0 || m?.underOom) verdict = 'oom-loop';
  else if ((atLimit || threadsInReclaim) && (progressCollapsed || stall) && (threadsInReclaim || reclaimInefficient || stall)) verdict = 'reclaim-livelock';
  else if (atLimit && reclaimActive && (sysShare >= 0.3 || refaulting || psiFull || threadsInReclaim)) verdict = 'thrashing';
  else if (memoryInvolved) verdict = 'memory-pressure';
  else if (busy) verdict = 'cpu-bound';
  else verdict = 'healthy';

  const critical = findings.filter((f) => f.severity === 'critical').length;
  const severity = Math.min(100, SEVERITY[verdict] + (verdict === 'healthy' || verdict === 'cpu-bound' ? 0 : Math.min(9, critical * 3)));
  return { verdict, severity, findings, evidence, advice: adviseFor(verdict, findings, host) };
}
