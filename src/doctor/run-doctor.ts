// The doctor: the Sampler over one window, then assess(). Samples every target and the host at 1 Hz, probes
// mmap_lock in killable children meanwhile (never starting one that could not end inside the window), then
// judges each target over the window. Finishes within the window plus about a second (with --trace: plus
// bpftrace's attach, at most 30 s, and up to 5 s for it to print its maps), whatever state the targets are in.
import type { HostPaths } from '../host/host-paths.js';
import { type Assessment, assessWindow } from '../detect/assess.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../detect/thresholds.js';
import type { HostFacts, TraceSummary } from '../detect/verdict.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import { readLruGen } from '../kernel/sys/lru-gen.js';
import { DEFAULT_PROBE_DEADLINE_MS } from '../probe/mmap-lock-probe.js';
import type { KernelProfile } from '../probe/kernel-profile.js';
import type { SchedulingPriority } from '../sample/priority.js';
import { Sampler, targetId } from '../sample/sampler.js';
import type { Failure, HostSample, TargetSample } from '../sample/sample.js';
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
  /**
   * The kernel's CPU profile of each target over the window (`doctor --profile`): `run` must call `onStarted` once
   * sampling began; the window waits for that like for a trace's attach, and `stop` ends the profile at its end.
   */
  profile?: { run: (target: Target, durationMs: number, stop: AbortSignal, onStarted: () => void) => Promise<KernelProfile>; maxTargets?: number };
  /** Receives the raw recording (to save it with `--record`). */
  onRecording?: (rec: DoctorRecording) => void;
  /** Called after each sampling tick (for a progress line). */
  onTick?: (elapsedMs: number) => void;
  failures?: Array<{ target: string; message: string }>;
  /** The scheduling priority this process took (src/sample/priority.ts), for the report. */
  priority?: SchedulingPriority;
  signal?: AbortSignal;
}


/** Runs the doctor over `targets` for one window and returns the report. */
export async function runDoctor(host: HostPaths, targets: Target[], opts: DoctorOptions): Promise<DoctorReport> {
  const thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const intervalMs = opts.intervalMs ?? 1000;
  const deadlineMs = opts.probeDeadlineMs ?? DEFAULT_PROBE_DEADLINE_MS;
  const layout = detectCgroupLayout(host);
  const lru = readLruGen(host);
  const facts: HostFacts = { mglruPresent: lru.present, mglruEnabled: lru.enabled, kernelRelease: (readKernelFileIfExists(`${host.proc}/sys/kernel/osrelease`, 256) ?? 'unknown').trim() };
  const doProbe = opts.probe !== false;
  const sampler = new Sampler(host, targets, {
    intervalMs,
    ringSize: Math.ceil(opts.windowMs / intervalMs) + 2,
    stacks: opts.stacks !== false,
    // Two probe rounds per window at most (at its start and half-way), of up to four processes per target.
    probes: doProbe ? { deadlineMs, maxPerTarget: opts.maxProbesPerTarget ?? 4, everyMs: Math.max(intervalMs, opts.windowMs / 2), suspectEveryMs: Math.max(intervalMs, opts.windowMs / 2), maxInFlight: 64, maxStuck: 16 } : false,
  });
  const ids = targets.map((t) => targetId(t));

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
  const profileStop = new AbortController();
  const profiles: Array<Promise<KernelProfile | { error: string }> | undefined> = targets.map((t, i) => {
    if (!opts.profile || i >= (opts.profile.maxTargets ?? 4)) return undefined;
    let ready = (): void => {};
    attached.push(new Promise<void>((resolve) => (ready = resolve)));
    const run = opts.profile.run(t, attachBudgetMs + opts.windowMs + 10_000, profileStop.signal, () => ready())
      .catch((err: unknown) => ({ error: String((err as Error)?.message ?? err) }));
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
  const ticks = new AbortController();
  const unsubscribe = sampler.subscribe((t) => {
    const elapsed = t.monoMs - started;
    // A probe started at the next tick must end inside the window.
    sampler.pauseProbes(elapsed + intervalMs + deadlineMs > opts.windowMs);
    if (t.seq > 0) opts.onTick?.(elapsed);
    if (t.targets.every((x) => x.sample.gone)) ticks.abort();
  });
  sampler.pauseProbes(deadlineMs > opts.windowMs);
  await sampler.run(opts.signal ? AbortSignal.any([opts.signal, ticks.signal]) : ticks.signal, started + opts.windowMs);
  unsubscribe();
  // Probes still in flight end at their deadline at worst; their results belong to the window's last sample.
  await sampler.settleProbes(deadlineMs + 300);
  const windows = ids.map((id) => {
    const ring = [...sampler.ring(id)];
    const late = sampler.takeProbes(id);
    const last = ring.at(-1);
    if (last && late && late.finished.length) ring[ring.length - 1] = { ...last, probes: { ...last.probes, finished: [...last.probes.finished, ...late.finished] } };
    return ring;
  });
  const hostSamples: HostSample[] = [...sampler.hostRing()];
  sampler.close();
  traceStop.abort();
  profileStop.abort();
  const profileResults = await Promise.all(profiles.map(async (p) => {
    if (!p) return undefined;
    const guard = new AbortController();
    const r = await Promise.race([p, sleep(10_000, guard.signal).then(() => ({ error: 'the profile did not end within 10 s of the window' }))]);
    guard.abort();
    return r;
  }));
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
    schema: 'reclaimwatch.recording/v2',
    windowMs: opts.windowMs,
    facts,
    layoutMode: layout.mode,
    memoryController: layout.v1Memory ? 'v1' : layout.unifiedControllers.includes('memory') ? 'v2' : undefined,
    root: process.getuid?.() === 0,
    stacksAsked: opts.stacks !== false,
    ...(opts.priority ? { priority: opts.priority } : {}),
    hostSamples,
    targets: targets.map((t, i) => {
      const pr = profileResults[i];
      return {
        target: describeTarget(t), samples: windows[i]!, ...(traceResults[i] ? { trace: traceResults[i] } : {}),
        ...(pr && !('error' in pr) ? { profile: pr } : {}), ...(pr && 'error' in pr ? { profileError: pr.error } : {}),
      };
    }),
    failures: opts.failures ?? [],
    readFailures: dedupeFailures(hostSamples.flatMap((h) => h.failures)),
  };
  opts.onRecording?.(recording);
  return assessRecording(recording, thresholds);
}

/** Everything a doctor window collected: raw samples only. `assessRecording` turns it into a report, live or on replay. */
export interface DoctorRecording {
  schema: 'reclaimwatch.recording/v2';
  windowMs: number;
  facts: HostFacts;
  layoutMode: string;
  memoryController?: 'v1' | 'v2' | undefined;
  root: boolean;
  stacksAsked: boolean;
  priority?: SchedulingPriority | undefined;
  hostSamples: HostSample[];
  targets: Array<{ target: TargetReport['target']; samples: TargetSample[]; trace?: TraceSummary | undefined; profile?: KernelProfile | undefined; profileError?: string | undefined }>;
  failures: Array<{ target: string; message: string }>;
  /** Host-wide read failures (vmstat, /proc/stat, PSI). */
  readFailures?: Failure[] | undefined;
}

function dedupeFailures(fs: Failure[]): Failure[] {
  const seen = new Map<string, Failure>();
  for (const f of fs) seen.set(`${f.source}\0${f.code}\0${f.path ?? ''}`, f);
  return [...seen.values()];
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

/** Derives models from a recording and classifies every target: the same path live, on replay and from the store. */
export function assessRecording(rec: DoctorRecording, thresholds: Thresholds = DEFAULT_THRESHOLDS): DoctorReport {
  const hostSamples = rec.hostSamples;
  const facts = rec.facts;
  const cpus = hostSamples[0]?.cpus ?? 1;
  const reports: TargetReport[] = [];
  let hostModel: Record<string, unknown> | undefined;
  for (const rt of rec.targets) {
    const ss = rt.samples.length === 1 ? [rt.samples[0]!, rt.samples[0]!] : rt.samples;
    const a = assessWindow({ host: hostSamples, samples: ss, facts, trace: rt.trace, ...(rt.profile ? { extra: { profile: rt.profile } } : {}) }, thresholds);
    if (!a) continue;
    hostModel ??= a.hostModel as unknown as Record<string, unknown> | undefined;
    const r = targetReport(rt.target, a, rec.stacksAsked, rt.trace);
    if (rt.profile) r.profile = { method: rt.profile.method, hz: rt.profile.hz, samples: rt.profile.samples, kernelSamples: rt.profile.kernelSamples, top: rt.profile.top, shares: rt.profile.shares, notes: rt.profile.notes };
    else if (rt.profileError) r.profile = { unavailable: rt.profileError };
    reports.push(r);
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
      ...(rec.priority ? { priority: rec.priority } : {}),
      ...(hostModel ? { metrics: hostModel } : {}),
    },
    targets: reports,
    failures: rec.failures,
  };
}

/** One target's report from its assessment. */
export function targetReport(target: TargetReport['target'], a: Assessment, stacksAsked: boolean, trace?: TraceSummary): TargetReport {
  const ss = a.samples;
  const first = ss[0]!;
  const last = ss.at(-1)!;
  const stackSamples = ss.flatMap((s) => s.stacks ?? []);
  const stacksReadable = ss.some((s) => s.stacks !== undefined);
  const procs = last.processes.length ? last.processes : first.processes;
  const probes = ss.slice(1).flatMap((s) => s.probes.finished);
  return {
    target: { ...target, pids: procs.length, threads: procs.reduce((n, p) => n + p.threads, 0) },
    verdict: a.verdict,
    severity: a.severity,
    findings: a.findings,
    evidence: a.evidence,
    metrics: a.window as unknown as Record<string, unknown>,
    probes: probes.map((p) => ({ pid: p.pid, outcome: p.outcome, latencyMs: p.latencyMs, deadlineMs: p.deadlineMs, timing: p.timing })),
    stacks: {
      sampled: stackSamples.length,
      groups: groupStacks(stackSamples),
      ...(stacksReadable ? {} : { unavailable: stacksAsked ? 'kernel stacks need root (/proc/PID/task/TID/stack)' : 'not asked for' }),
    },
    advice: a.advice,
    ...(a.variant ? { variant: a.variant } : {}),
    ...(a.borderline.length ? { borderline: a.borderline } : {}),
    unreadable: dedupeFailures(ss.flatMap((s) => s.failures)),
    ...(trace ? { trace } : {}),
  };
}
