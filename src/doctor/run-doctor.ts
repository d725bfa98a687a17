// The doctor's window: samples every target and the host at 1 Hz, probes mmap_lock in killable children
// meanwhile, then derives models and classifies. Finishes within the window plus about a second (with --trace:
// plus bpftrace's attach, at most 30 s, and up to 5 s for it to print its maps), whatever state the targets
// are in: every blocking read is a child with a deadline.
import type { HostPaths } from '../host/host-paths.js';
import { classify } from '../detect/classify.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../detect/thresholds.js';
import type { HostFacts, ProbeSummary, TraceSummary } from '../detect/verdict.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import { readLruGen } from '../kernel/sys/lru-gen.js';
import { DEFAULT_PROBE_DEADLINE_MS, type MmapLockProbe, probeMmapLock } from '../probe/mmap-lock-probe.js';
import { collectHostSample, collectTargetSample } from '../sample/collect.js';
import { derive, deriveHost } from '../sample/derive.js';
import { ThreadSampler } from '../sample/thread-stats.js';
import type { HostSample, TargetSample } from '../sample/sample.js';
import type { Target } from '../targets/target.js';
import type { DoctorReport, TargetReport } from './report.js';
import { groupStacks } from './stack-groups.js';
import { sleep } from '../units/sleep.js';

/** Options of a doctor run. */
export interface DoctorOptions {
  windowMs: number;
  intervalMs?: number;
  probeDeadlineMs?: number;
  thresholds?: Thresholds;
  /** Read kernel stacks (root). Default true. */
  stacks?: boolean;
  /** Probe mmap_lock. Default true. */
  probe?: boolean;
  /** At most this many processes probed per target (the ones with most threads). Default 4. */
  maxProbesPerTarget?: number;
  /**
   * Also trace memcg reclaim and mmap_lock with bpftrace for the window (`doctor --trace`). `run` must call
   * `onAttached` once its probes are attached: the window starts when every trace has attached (or ended, or
   * `attachBudgetMs` passed, default 30 s), so the trace covers the same seconds as the samples. `durationMs`
   * is an upper bound; the trace is stopped through `stop` at the window's end.
   */
  trace?: { run: (target: Target, durationMs: number, stop: AbortSignal, onAttached: () => void) => Promise<TraceSummary>; maxTargets?: number; attachBudgetMs?: number; onWaiting?: () => void };
  /** Receives the raw recording (to save it with `--record`). */
  onRecording?: (rec: DoctorRecording) => void;
  /** Called after each sampling tick (for a progress line). */
  onTick?: (elapsedMs: number) => void;
  failures?: Array<{ target: string; message: string }>;
  signal?: AbortSignal;
}


function probeSummary(probes: MmapLockProbe[]): ProbeSummary {
  const measured = probes.filter((p) => p.outcome === 'ok' || p.outcome === 'timeout');
  return {
    probes: measured.length,
    timeouts: probes.filter((p) => p.outcome === 'timeout').length,
    worstLatencyMs: measured.length ? Math.max(...measured.map((p) => p.latencyMs)) : undefined,
  };
}

/** Picks the processes to probe: the asked PID first, then those with most threads. */
function probeCandidates(target: Target, first: TargetSample | undefined, max: number): number[] {
  const byThreads = [...(first?.processes ?? [])].sort((a, b) => b.threads.length - a.threads.length).map((p) => p.pid);
  const out = target.pid !== undefined ? [target.pid] : [];
  for (const p of byThreads) if (!out.includes(p)) out.push(p);
  return out.filter((p) => p !== process.pid).slice(0, max);
}

/** Runs the doctor over `targets` for one window and returns the report. */
export async function runDoctor(host: HostPaths, targets: Target[], opts: DoctorOptions): Promise<DoctorReport> {
  const thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const intervalMs = opts.intervalMs ?? 1000;
  const deadlineMs = opts.probeDeadlineMs ?? DEFAULT_PROBE_DEADLINE_MS;
  const layout = detectCgroupLayout(host);
  const lru = readLruGen(host);
  const facts: HostFacts = { mglruPresent: lru.present, mglruEnabled: lru.enabled, kernelRelease: (readKernelFileIfExists(`${host.proc}/sys/kernel/osrelease`, 256) ?? 'unknown').trim() };
  const hostSamples: HostSample[] = [];
  const samples: TargetSample[][] = targets.map(() => []);
  const probes: Array<Array<Promise<MmapLockProbe>>> = targets.map(() => []);
  const doProbe = opts.probe !== false;

  // One sampler per target: it keeps the target's thread files open across the window's samples.
  const samplers = targets.map(() => new ThreadSampler(host));
  const tick = (): void => {
    hostSamples.push(collectHostSample(host));
    targets.forEach((t, i) => {
      const prev = samples[i]!.at(-1);
      if (prev?.gone) return;
      samples[i]!.push(collectTargetSample(host, t, { stacks: opts.stacks !== false, threads: samplers[i]! }));
    });
  };
  const startProbes = (): void => {
    if (!doProbe) return;
    targets.forEach((t, i) => {
      const last = samples[i]!.at(-1);
      if (last?.gone) return;
      for (const pid of probeCandidates(t, last, opts.maxProbesPerTarget ?? 4)) probes[i]!.push(probeMmapLock(host, pid, deadlineMs));
    });
  };

  // Traces attach first (bpftrace takes 1-10 s to compile and attach on a loaded host), then the window starts,
  // so a short window is not spent before the probes exist. They are stopped at the window's end.
  const traceStop = new AbortController();
  const attachBudgetMs = opts.trace?.attachBudgetMs ?? 30_000;
  const attached: Array<Promise<void>> = [];
  const attachedAt: Array<number | undefined> = [];
  const traces: Array<Promise<TraceSummary> | undefined> = targets.map((t, i) => {
    if (!opts.trace || i >= (opts.trace.maxTargets ?? 4)) return undefined;
    let ready = (): void => {};
    attached.push(new Promise<void>((resolve) => (ready = resolve)));
    const run = opts.trace.run(t, attachBudgetMs + opts.windowMs + 10_000, traceStop.signal, () => {
      attachedAt[i] ??= performance.now();
      ready();
    });
    // A trace that ends (cannot run here) counts as ready: the window does not wait for it.
    void run.then(ready, ready);
    return run;
  });
  if (attached.length > 0) {
    opts.trace?.onWaiting?.();
    const allReady = new AbortController();
    void Promise.all(attached).then(() => allReady.abort());
    await sleep(attachBudgetMs, opts.signal ? AbortSignal.any([allReady.signal, opts.signal]) : allReady.signal);
    allReady.abort();
  }
  const started = performance.now();

  tick();
  startProbes();
  let probedMid = false;
  for (let k = 1; ; k++) {
    const due = started + k * intervalMs;
    if (due - started > opts.windowMs + 1) break;
    await sleep(due - performance.now(), opts.signal);
    if (opts.signal?.aborted) break;
    tick();
    opts.onTick?.(performance.now() - started);
    // A second probe round mid-window, if it can finish before the window ends.
    if (!probedMid && performance.now() - started >= opts.windowMs / 2 && performance.now() - started + deadlineMs <= opts.windowMs) {
      probedMid = true;
      startProbes();
    }
  }
  for (const s of samplers) s.close();
  traceStop.abort();
  const mapsWait = new AbortController();
  const tooLate = sleep(5000, mapsWait.signal).then((): TraceSummary => ({ ran: false, tracedMs: 0, memcgReclaim: undefined, mmapLock: undefined, unavailable: ['bpftrace did not print its maps within 5 s of the window end'] }));
  const traceResults = await Promise.all(traces.map(async (p, i) => {
    if (!p) return undefined;
    const r = await Promise.race([p, tooLate]);
    // Attached after the window had started: the trace saw only its end.
    const late = attachedAt[i] === undefined || attachedAt[i] > started;
    return r.ran && late ? { ...r, unavailable: [...r.unavailable, `bpftrace took over ${Math.round(attachBudgetMs / 1000)} s to attach: the trace covers only the last ${(r.tracedMs / 1000).toFixed(1)} s of the window`] } : r;
  }));
  mapsWait.abort();
  const recording: DoctorRecording = {
    schema: 'reclaimwatch.recording/v1',
    windowMs: opts.windowMs,
    facts,
    layoutMode: layout.mode,
    memoryController: layout.v1Memory ? 'v1' : layout.unifiedControllers.includes('memory') ? 'v2' : undefined,
    root: process.getuid?.() === 0,
    stacksAsked: opts.stacks !== false,
    hostSamples,
    targets: await Promise.all(targets.map(async (t, i) => ({ target: describeTarget(t), samples: samples[i]!, probes: await Promise.all(probes[i]!), ...(traceResults[i] ? { trace: traceResults[i] } : {}) }))),
    failures: opts.failures ?? [],
  };
  opts.onRecording?.(recording);
  return assessRecording(recording, thresholds);
}

/** Everything a doctor window collected: raw samples only. `assessRecording` turns it into a report, live or on replay. */
export interface DoctorRecording {
  schema: 'reclaimwatch.recording/v1';
  windowMs: number;
  facts: HostFacts;
  layoutMode: string;
  memoryController: 'v1' | 'v2' | undefined;
  root: boolean;
  stacksAsked: boolean;
  hostSamples: HostSample[];
  targets: Array<{ target: TargetReport['target']; samples: TargetSample[]; probes: MmapLockProbe[]; trace?: TraceSummary }>;
  failures: Array<{ target: string; message: string }>;
}

function describeTarget(t: Target): TargetReport['target'] {
  return {
    kind: t.kind,
    label: t.label,
    ...(t.pid !== undefined ? { pid: t.pid } : {}),
    ...(t.cgroup ? { cgroup: t.cgroup.path } : {}),
    ...(t.container ? { container: t.container } : {}),
    ...(t.pod ? { pod: t.pod } : {}),
    ...(t.comm ? { comm: t.comm } : {}),
    pids: 0,
    threads: 0,
  };
}

/** Derives models from a recording and classifies every target: the same path live and on replay. */
export function assessRecording(rec: DoctorRecording, thresholds: Thresholds = DEFAULT_THRESHOLDS): DoctorReport {
  const hostSamples = rec.hostSamples;
  const facts = rec.facts;
  const hostModel = hostSamples.length >= 2 ? deriveHost(hostSamples[0]!, hostSamples.at(-1)!) : undefined;
  const cpus = hostSamples[0]?.cpus ?? 1;
  const reports: TargetReport[] = [];
  for (const rt of rec.targets) {
    const ss = rt.samples;
    const pr = rt.probes;
    const first = ss[0]!;
    const last = ss.at(-1)!;
    const hFirst = hostSamples[0];
    const hLast = hostSamples[ss.length - 1] ?? hostSamples.at(-1);
    // If the target went, judge the part of the window it was there for, but report it gone.
    const window = derive(first, last, cpus, hFirst, hLast);
    const intervals = ss.slice(1).map((s, k) => derive(ss[k]!, s, cpus, hostSamples[k], hostSamples[k + 1]));
    const verdict = classify({ window, intervals, probe: probeSummary(pr), host: facts, trace: rt.trace }, thresholds);
    const stackSamples = ss.flatMap((s) => s.stacks ?? []);
    const stacksReadable = ss.some((s) => s.stacks !== undefined);
    const unreadable = [...new Set(ss.flatMap((s) => s.unreadable))];
    const procs = last.processes.length ? last.processes : first.processes;
    reports.push({
      target: { ...rt.target, pids: procs.length, threads: procs.reduce((n, p) => n + p.threads.length, 0) },
      verdict: verdict.verdict,
      severity: verdict.severity,
      findings: verdict.findings,
      evidence: verdict.evidence,
      metrics: window as unknown as Record<string, unknown>,
      probes: pr.map((p) => ({ pid: p.pid, outcome: p.outcome, latencyMs: p.latencyMs, deadlineMs: p.deadlineMs, ...(p.timing ? { timing: p.timing } : {}) })),
      stacks: {
        sampled: stackSamples.length,
        groups: groupStacks(stackSamples),
        ...(stacksReadable ? {} : { unavailable: rec.stacksAsked ? 'kernel stacks need root (/proc/PID/task/TID/stack)' : 'not asked for' }),
      },
      advice: verdict.advice,
      unreadable,
      ...(rt.trace ? { trace: rt.trace } : {}),
    });
  }
  reports.sort((a, b) => b.severity - a.severity);
  return {
    schema: 'reclaimwatch.doctor/v1',
    generatedAt: new Date().toISOString(),
    windowSeconds: rec.windowMs / 1000,
    host: {
      kernelRelease: facts.kernelRelease,
      cpus,
      cgroupMode: rec.layoutMode,
      ...(rec.memoryController ? { memoryController: rec.memoryController } : {}),
      psi: hostSamples[0]?.psi.memory !== undefined,
      mglru: { present: facts.mglruPresent, enabled: facts.mglruEnabled },
      root: rec.root,
      ...(hostModel ? { metrics: hostModel as unknown as Record<string, unknown> } : {}),
    },
    targets: reports,
    failures: rec.failures,
  };
}
