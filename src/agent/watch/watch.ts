// The agent's watch: the Sampler's loop, forever, over every non-empty cgroup (or those matching --match). Each
// tick is stored at once, and every target is judged over a sliding window that moves every tick (assessWindow,
// the same path as doctor); verdict changes pass the hysteresis of verdict-tracker.ts, become events and open or
// close incidents. Nothing here waits: evidence, remediation and HTTP run beside it with their own deadlines.
import type { HostPaths } from '../../host/host-paths.js';
import { type Assessment, assessWindow } from '../../detect/assess.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../detect/thresholds.js';
import type { HostFacts, VerdictClass } from '../../detect/verdict.js';
import { detectCgroupLayout } from '../../kernel/cgroup/layout.js';
import { readKernelFileIfExists } from '../../kernel/read.js';
import { readLruGen } from '../../kernel/sys/lru-gen.js';
import { Sampler, type SamplerTick } from '../../sample/sampler.js';
import { allTargets } from '../../targets/resolve-targets.js';
import type { Target } from '../../targets/target.js';
import { PodNames } from '../../targets/pod-names.js';
import type { Store } from '../store/store.js';
import { INCIDENT_VERDICTS, type TrackedVerdict, trackVerdict } from './verdict-tracker.js';

/** Options of the watch. */
export interface WatchOptions {
  intervalMs: number;
  /** A calm cgroup is sampled in full this often, its pulse every tick (see `SamplerOptions.calmEveryTicks`). Default 5 ticks. */
  calmIntervalMs?: number;
  windowMs: number;
  /** Assessments a new verdict must hold before it is in force. */
  holdTicks: number;
  thresholds?: Thresholds;
  /** cgroup path globs (`*` within a path segment, `**` across); empty: every non-empty cgroup. */
  match: string[];
  /** How often new cgroups are looked for, ms. */
  discoverEveryMs?: number;
  stacks?: boolean;
}

/** What the watch knows of one target now. */
export interface TargetState {
  id: string;
  target: Target;
  tracked: TrackedVerdict | undefined;
  assessment: Assessment | undefined;
  incidentId: number | undefined;
  peakSeverity: number;
  gone: boolean;
}

/** Matches a cgroup path against a glob: `*` stays inside a segment, `**` crosses segments. */
export function matchGlob(glob: string, path: string): boolean {
  const re = new RegExp(`^${glob.split('**').map((p) => p.split('*').map((q) => q.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*')}$`);
  return re.test(path);
}

/** The host facts the classifier needs, read once. */
export function readHostFacts(host: HostPaths): HostFacts {
  const lru = readLruGen(host);
  return { mglruPresent: lru.present, mglruEnabled: lru.enabled, kernelRelease: (readKernelFileIfExists(`${host.proc}/sys/kernel/osrelease`, 256) ?? 'unknown').trim() };
}

/** The watch loop of the agent. */
export class Watch {
  readonly sampler: Sampler;
  readonly facts: HostFacts;
  private readonly states = new Map<string, TargetState>();
  private readonly listeners = new Set<(tick: SamplerTick, states: ReadonlyMap<string, TargetState>) => void>();
  private readonly incidentsByVerdict = new Map<string, number>();
  private storeErrors = 0;
  private readonly podNames: PodNames;

  constructor(private readonly host: HostPaths, private readonly store: Store | undefined, private readonly opts: WatchOptions) {
    this.facts = readHostFacts(host);
    this.podNames = new PodNames(host);
    const find = (): Target[] => this.discover();
    this.sampler = new Sampler(host, find(), {
      intervalMs: opts.intervalMs,
      ringSize: Math.ceil(opts.windowMs / opts.intervalMs) + 2,
      stacks: opts.stacks !== false,
      maxStacksPerTarget: 64,
      // Every thread's stat file of a calm cgroup every 5 s, of a suspect one every tick (see looksSuspect).
      threadsEveryTicks: 5,
      // A calm cgroup in full every 5 s, its pulse (usage, limit hits, CPU) every tick.
      calmEveryTicks: Math.max(1, Math.round((opts.calmIntervalMs ?? 5 * opts.intervalMs) / opts.intervalMs)),
      // New cgroups are looked for every 3 s: a container that livelocks at once is judged within the 10 s goal.
      discover: { everyMs: opts.discoverEveryMs ?? 3000, find },
    });
    this.sampler.subscribe((t) => this.onTick(t));
  }

  /** Every non-empty cgroup (host root included) that matches. */
  private discover(): Target[] {
    const layout = detectCgroupLayout(this.host);
    // Cgroups watched already are skipped; the sampler itself ends those that empty or vanish.
    // (`sampler` is unset during the first discovery, in the constructor.)
    const watched = new Set((this.sampler as Sampler | undefined)?.targets().filter((t) => !t.ended).map((t) => t.id) ?? []);
    return allTargets(this.host, layout, { skip: (p) => watched.has(p) }).map((t) => this.named(t)).filter((t) => t.kind === 'host' || this.opts.match.length === 0 || this.opts.match.some((g) => matchGlob(g, t.cgroup?.path ?? '')));
  }

  /** A pod's name and namespace from the kubelet's log directory (the cgroup names only its UID). */
  private named(t: Target): Target {
    if (!t.pod || t.pod.name) return t;
    const n = this.podNames.lookup(t.pod.uid);
    return n ? { ...t, pod: { uid: t.pod.uid, name: n.name, namespace: n.namespace } } : t;
  }

  /** Receives the tick and every target's state after it was judged. */
  onJudged(fn: (tick: SamplerTick, states: ReadonlyMap<string, TargetState>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Current states (the HTTP API and metrics read these: never the kernel). */
  targets(): ReadonlyMap<string, TargetState> {
    return this.states;
  }

  /** Incidents opened since start, by verdict. */
  incidentCounts(): ReadonlyMap<string, number> {
    return this.incidentsByVerdict;
  }

  /** Store writes that threw (the store backlogs a full disk itself; this counts the rest). */
  storeErrorCount(): number {
    return this.storeErrors;
  }

  run(signal: AbortSignal): Promise<void> {
    return this.sampler.run(signal);
  }

  private onTick(tick: SamplerTick): void {
    try {
      this.store?.appendTick(tick.wallMs, tick.host, tick.targets.map((t) => ({ id: t.id, sample: t.sample })));
    } catch {
      this.storeErrors++;
    }
    const thresholds = this.opts.thresholds ?? DEFAULT_THRESHOLDS;
    for (const t of tick.targets) {
      let st = this.states.get(t.id);
      if (!st) {
        st = { id: t.id, target: t.target, tracked: undefined, assessment: undefined, incidentId: undefined, peakSeverity: 0, gone: false };
        this.states.set(t.id, st);
        this.upsertMeta(st, tick.wallMs);
      }
      const a = assessWindow({ host: this.sampler.hostRing(), samples: this.sampler.ring(t.id), facts: this.facts, fromWallMs: tick.wallMs - this.opts.windowMs - 1 }, thresholds);
      if (!a) continue;
      st.assessment = a;
      const { state, change } = trackVerdict(st.tracked, a.verdict, tick.wallMs, this.opts.holdTicks);
      st.tracked = state;
      if (change) this.changed(st, change.from, change.to, change.wallMs, a);
      else if (st.incidentId !== undefined && a.severity > st.peakSeverity && INCIDENT_VERDICTS.has(a.verdict)) {
        st.peakSeverity = a.severity;
        this.safe(() => this.store?.updateIncident(st.incidentId!, { peakSeverity: a.severity, findings: a.findings }));
      }
      if (t.sample.gone) {
        st.gone = true;
        this.safe(() => this.store?.upsertTarget({ ...this.meta(st), goneWallMs: tick.wallMs }));
      }
    }
    for (const id of tick.ended) this.sampler.forget(id);
    for (const fn of this.listeners) {
      try {
        fn(tick, this.states);
      } catch {
        /* a listener's bug never stops the loop */
      }
    }
    // Targets that ended are kept one minute for the API, then dropped.
    for (const [id, st] of this.states) if (st.gone && tick.wallMs - (st.tracked?.sinceWallMs ?? 0) > 60_000) this.states.delete(id);
  }

  private changed(st: TargetState, from: VerdictClass | null, to: VerdictClass, wallMs: number, a: Assessment): void {
    this.safe(() => this.store?.recordVerdictChange({ targetId: st.id, wallMs, from, to, severity: a.severity, findings: a.findings }));
    const wasIncident = st.incidentId !== undefined;
    if (INCIDENT_VERDICTS.has(to)) {
      if (!wasIncident) {
        st.peakSeverity = a.severity;
        this.incidentsByVerdict.set(to, (this.incidentsByVerdict.get(to) ?? 0) + 1);
        this.safe(() => {
          st.incidentId = this.store?.openIncident({ targetId: st.id, verdict: to, startWallMs: wallMs, peakSeverity: a.severity, findings: a.findings, variant: variantOf(a) ?? null });
        });
        if (st.incidentId === undefined) st.incidentId = -1;
      } else {
        // Escalation or a change between incident verdicts: the incident keeps the worst one.
        st.peakSeverity = Math.max(st.peakSeverity, a.severity);
        this.safe(() => st.incidentId! > 0 && this.store?.updateIncident(st.incidentId!, { verdict: worse(st, to), peakSeverity: st.peakSeverity, findings: a.findings, variant: variantOf(a) ?? null }));
      }
    } else if (wasIncident) {
      const id = st.incidentId!;
      st.incidentId = undefined;
      this.safe(() => id > 0 && this.store?.closeIncident(id, wallMs));
    }
  }

  private meta(st: TargetState): Parameters<Store['upsertTarget']>[0] {
    const t = st.target;
    return {
      id: st.id, cgroup: t.cgroup?.path ?? '/', firstSeenWallMs: Date.now(), lastSeenWallMs: Date.now(),
      ...(t.pod?.name ? { pod: t.pod.name } : t.pod ? { pod: t.pod.uid } : {}),
      ...(t.pod?.namespace ? { namespace: t.pod.namespace } : {}),
      ...(t.container ? { container: t.container } : {}),
    };
  }

  private upsertMeta(st: TargetState, wallMs: number): void {
    this.safe(() => this.store?.upsertTarget({ ...this.meta(st), firstSeenWallMs: wallMs, lastSeenWallMs: wallMs }));
  }

  private safe(f: () => unknown): void {
    try {
      f();
    } catch {
      this.storeErrors++;
    }
  }
}

const RANK: Record<string, number> = { thrashing: 1, 'oom-loop': 2, 'reclaim-livelock': 3 };
function worse(st: TargetState, to: VerdictClass): VerdictClass {
  const prev = st.tracked?.current;
  return prev && (RANK[prev] ?? 0) > (RANK[to] ?? 0) ? prev : to;
}

/** The livelock variant an assessment names (only for a reclaim livelock). */
export function variantOf(a: Assessment): string | undefined {
  return a.verdict === 'reclaim-livelock' ? a.variant?.variant : undefined;
}
