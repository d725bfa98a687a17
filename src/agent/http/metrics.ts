// The agent's /metrics: prom-client series built from the watch's last tick and states (never from the kernel
// at scrape time). Names follow reclaimwatch_<subsystem>_<name>_<unit>[_total]; target series carry the labels
// target, cgroup, pod, namespace, container ('' when unknown), so cardinality is bounded by the watched cgroups,
// and a target that ends drops its series. Kernel counters are exported as counters at their raw values.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VARIANTS, VERDICTS } from '../../detect/verdict.js';
import { reclaimPages } from '../../sample/derive.js';
import type { SamplerTick } from '../../sample/sampler.js';
import type { TargetState, Watch } from '../watch/watch.js';

const TL = ['target', 'cgroup', 'pod', 'namespace', 'container'] as const;
type TargetLabels = Record<(typeof TL)[number], string>;

/** Extra facts the metrics report that the watch does not hold. */
export interface MetricsSources {
  watch: Watch;
  storeStatus: () => { sizeBytes: number; writable: boolean } | undefined;
  exposed: () => { 'mmap-lock': boolean; 'lru-lock': boolean } | undefined;
}

/** Labels of a target's series. */
export function targetLabels(st: TargetState): TargetLabels {
  const t = st.target;
  return { target: st.id, cgroup: t.cgroup?.path ?? '/', pod: t.pod?.name ?? t.pod?.uid ?? '', namespace: t.pod?.namespace ?? '', container: t.container ?? '' };
}

/** The agent's metrics registry. `observeTick` is called once per tick; the rest is computed at scrape time. */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly tickDuration: Histogram;
  private readonly tickLateness: Histogram;
  private readonly remediations: Counter;
  private lastTick: SamplerTick | undefined;

  constructor(private readonly src: MetricsSources) {
    const r = this.registry;
    const states = (): Iterable<TargetState> => src.watch.targets().values();
    const live = (): TargetState[] => [...states()].filter((s) => s.assessment && !s.gone);
    const gauge = (name: string, help: string, labels: readonly string[], collect: (g: Gauge) => void): void => {
      new Gauge({ name, help, labelNames: [...labels], registers: [r], collect() { this.reset(); collect(this); } });
    };
    const counter = (name: string, help: string, labels: readonly string[], collect: (c: Counter) => void): void => {
      new Counter({ name, help, labelNames: [...labels], registers: [r], collect() { this.reset(); collect(this); } });
    };
    gauge('reclaimwatch_target_verdict', 'Current verdict of a watched cgroup: 1 for the verdict in force, 0 for the others.', [...TL, 'verdict'], (g) => {
      for (const s of live()) for (const v of VERDICTS) g.set({ ...targetLabels(s), verdict: v }, s.tracked?.current === v ? 1 : 0);
    });
    gauge('reclaimwatch_target_severity', 'Severity (0-100) of the current assessment of a watched cgroup.', TL, (g) => {
      for (const s of live()) g.set(targetLabels(s), s.assessment!.severity);
    });
    gauge('reclaimwatch_target_livelock_variant', 'Which reclaim livelock a livelocked cgroup shows: a state set (1 for its variant, 0 for the others), while its verdict is reclaim-livelock.', [...TL, 'variant'], (g) => {
      for (const s of live()) {
        if (s.tracked?.current !== 'reclaim-livelock') continue;
        const now = s.assessment!.variant?.variant ?? 'unknown';
        for (const v of VARIANTS) g.set({ ...targetLabels(s), variant: v }, v === now ? 1 : 0);
      }
    });
    gauge('reclaimwatch_target_cpu_cores', 'CPU used by a watched cgroup over the last window, in cores, by mode.', [...TL, 'mode'], (g) => {
      for (const s of live()) {
        g.set({ ...targetLabels(s), mode: 'user' }, s.assessment!.window.cpu.userCores);
        g.set({ ...targetLabels(s), mode: 'system' }, s.assessment!.window.cpu.systemCores);
      }
    });
    gauge('reclaimwatch_target_cpu_quota_cores', 'CPU bandwidth limit of a watched cgroup in cores (absent without a quota).', TL, (g) => {
      for (const s of live()) if (Number.isFinite(s.assessment!.window.cpu.quotaCores)) g.set(targetLabels(s), s.assessment!.window.cpu.quotaCores);
    });
    const lastSample = (s: TargetState) => s.assessment!.samples.at(-1)!;
    gauge('reclaimwatch_target_memory_usage_bytes', 'Memory charged to a watched cgroup.', TL, (g) => {
      for (const s of live()) { const m = lastSample(s).memory; if (m) g.set(targetLabels(s), m.usageBytes); }
    });
    gauge('reclaimwatch_target_memory_limit_bytes', 'Hard memory limit of a watched cgroup (absent when unlimited).', TL, (g) => {
      for (const s of live()) { const m = lastSample(s).memory; if (m && Number.isFinite(m.limitBytes)) g.set(targetLabels(s), m.limitBytes); }
    });
    counter('reclaimwatch_target_memory_limit_hits_total', 'Charges of a watched cgroup that hit its memory limit (v1 memory.failcnt, v2 memory.events max).', TL, (c) => {
      for (const s of live()) { const m = lastSample(s).memory; if (m) c.inc(targetLabels(s), m.limitHits); }
    });
    counter('reclaimwatch_target_reclaim_scanned_pages_total', "Pages scanned by reclaim in a watched cgroup (v2 memory.stat pgscan; v1 does not count it per cgroup).", TL, (c) => {
      for (const s of live()) { const m = lastSample(s).memory; const r = m?.version === 'v2' ? reclaimPages(m.stat) : undefined; if (r) c.inc(targetLabels(s), r.scanned); }
    });
    counter('reclaimwatch_target_reclaim_freed_pages_total', 'Pages freed by reclaim in a watched cgroup (v2 memory.stat pgsteal).', TL, (c) => {
      for (const s of live()) { const m = lastSample(s).memory; const r = m?.version === 'v2' ? reclaimPages(m.stat) : undefined; if (r) c.inc(targetLabels(s), r.stolen); }
    });
    counter('reclaimwatch_target_refaults_total', 'Workingset refaults of a watched cgroup (memory.stat workingset_refault*).', TL, (c) => {
      for (const s of live()) {
        const st = lastSample(s).memory?.stat;
        if (!st) continue;
        const keys = Object.keys(st).filter((k) => k.startsWith('workingset_refault'));
        if (keys.length) c.inc(targetLabels(s), keys.reduce((n, k) => n + (st[k] ?? 0), 0));
      }
    });
    gauge('reclaimwatch_target_memory_pressure_ratio', 'Share of the last window a watched cgroup stalled on memory (PSI), by kind.', [...TL, 'kind'], (g) => {
      for (const s of live()) {
        const p = s.assessment!.window.psi;
        if (p.scope !== 'cgroup') continue;
        if (p.memorySome !== undefined) g.set({ ...targetLabels(s), kind: 'some' }, p.memorySome);
        if (p.memoryFull !== undefined) g.set({ ...targetLabels(s), kind: 'full' }, p.memoryFull);
      }
    });
    gauge('reclaimwatch_target_progress_per_kernel_cpu_second', 'Page faults plus I/O syscalls per second of kernel CPU of a watched cgroup over the last window: what its kernel time buys.', TL, (g) => {
      for (const s of live()) { const w = s.assessment!.window.progress.workPerSystemCpuSecond; if (w !== undefined) g.set(targetLabels(s), w); }
    });
    gauge('reclaimwatch_target_threads_in_reclaim_ratio', 'Share of the running and blocked threads of a watched cgroup whose kernel stack is in page reclaim, over the last window.', TL, (g) => {
      for (const s of live()) {
        let n = 0;
        let k = 0;
        for (const m of s.assessment!.intervals) { n += m.threads.stacksSampled ?? 0; k += m.threads.inReclaim ?? 0; }
        if (n > 0) g.set(targetLabels(s), k / n);
      }
    });
    gauge('reclaimwatch_target_mmap_lock_probe_worst_seconds', 'Worst mmap_lock probe (a /proc/PID/cmdline read in a child, what ps does) of a watched cgroup over the last window.', TL, (g) => {
      for (const s of live()) { const w = s.assessment!.probe.worstLatencyMs; if (w !== undefined) g.set(targetLabels(s), w / 1000); }
    });
    counter('reclaimwatch_incidents_total', 'Incidents the agent opened since it started, by verdict.', ['verdict'], (c) => {
      for (const v of ['thrashing', 'oom-loop', 'reclaim-livelock']) c.inc({ verdict: v }, src.watch.incidentCounts().get(v) ?? 0);
    });
    const host = () => this.lastTick?.host;
    counter('reclaimwatch_host_reclaim_scanned_pages_total', 'Pages scanned by reclaim on the host (/proc/vmstat pgscan_anon + pgscan_file).', [], (c) => {
      const r = host() ? reclaimPages(host()!.vmstat) : undefined;
      if (r) c.inc(r.scanned);
    });
    counter('reclaimwatch_host_reclaim_freed_pages_total', 'Pages freed by reclaim on the host (/proc/vmstat pgsteal_anon + pgsteal_file).', [], (c) => {
      const r = host() ? reclaimPages(host()!.vmstat) : undefined;
      if (r) c.inc(r.stolen);
    });
    gauge('reclaimwatch_host_mglru_present', 'Whether the kernel has MGLRU (/sys/kernel/mm/lru_gen).', [], (g) => g.set(src.watch.facts.mglruPresent ? 1 : 0));
    gauge('reclaimwatch_host_mglru_enabled', 'Whether MGLRU is on.', [], (g) => g.set(src.watch.facts.mglruEnabled ? 1 : 0));
    gauge('reclaimwatch_host_exposed', "Whether this node's kernel is exposed to a reclaim livelock variant (see reclaimwatch host).", ['variant'], (g) => {
      const e = src.exposed();
      if (!e) return;
      g.set({ variant: 'mmap-lock' }, e['mmap-lock'] ? 1 : 0);
      g.set({ variant: 'lru-lock' }, e['lru-lock'] ? 1 : 0);
    });
    this.tickDuration = new Histogram({ name: 'reclaimwatch_agent_tick_duration_seconds', help: 'Time one sampling tick took.', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [r] });
    this.tickLateness = new Histogram({ name: 'reclaimwatch_agent_tick_lateness_seconds', help: 'How late a sampling tick started after its due time.', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 5], registers: [r] });
    gauge('reclaimwatch_agent_collector_success', 'Whether a collector read everything it tried at the last tick (1) or failed somewhere (0).', ['collector'], (g) => {
      const t = this.lastTick;
      if (!t) return;
      const failed = new Set([...t.host.failures, ...t.targets.flatMap((x) => x.sample.failures)].map((f) => f.source));
      for (const c of ['vmstat', 'stat', 'psi', 'memory', 'cpu', 'process', 'io', 'stacks']) g.set({ collector: c }, failed.has(c) ? 0 : 1);
    });
    gauge('reclaimwatch_agent_collector_duration_seconds', 'Time the last tick took to collect, by collector (all collectors run in one pass).', ['collector'], (g) => {
      if (this.lastTick) g.set({ collector: 'tick' }, this.lastTick.durationMs / 1000);
    });
    gauge('reclaimwatch_agent_store_size_bytes', 'Size of the agent\'s store on disk.', [], (g) => { const s = src.storeStatus(); if (s) g.set(s.sizeBytes); });
    gauge('reclaimwatch_agent_store_writable', 'Whether the store accepts writes (0 while its file system is full).', [], (g) => { const s = src.storeStatus(); if (s) g.set(s.writable ? 1 : 0); });
    gauge('reclaimwatch_agent_targets', 'Cgroups the agent watches.', [], (g) => g.set(live().length));
    this.remediations = new Counter({ name: 'reclaimwatch_remediations_total', help: 'Remediation decisions and actions, by action and result.', labelNames: ['action', 'result'], registers: [r] });
  }

  /** Records one tick's own figures. */
  observeTick(t: SamplerTick): void {
    this.lastTick = t;
    this.tickDuration.observe(t.durationMs / 1000);
    this.tickLateness.observe(t.latenessMs / 1000);
  }

  /** Counts a remediation decision or action. */
  countRemediation(action: string, result: string): void {
    this.remediations.inc({ action, result });
  }
}
