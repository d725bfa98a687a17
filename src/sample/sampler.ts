// The Sampler: the one loop that reads the kernel on a clock. It ticks the host and every target on one clock
// (1 Hz by default), follows a changing set of targets (new cgroups appear; emptied or removed ones end as
// "gone"), keeps a bounded ring of recent samples per target, owns the thread samplers (files kept open) and the
// probe children, and hands each tick to its subscribers. `doctor` runs it for one window, `repro` for a leg,
// the agent forever. A tick never waits for a child: probes run beside it with their deadlines.
import type { HostPaths } from '../host/host-paths.js';
import type { Target } from '../targets/target.js';
import { sleep } from '../units/sleep.js';
import { collectHostSample, collectTargetSample } from './collect.js';
import { DEFAULT_PROBE_POLICY, ProbePool, type ProbePolicy } from './probe-pool.js';
import type { HostSample, TargetSample } from './sample.js';
import { ThreadSampler } from './thread-stats.js';
import { KeptOpenReader } from '../kernel/kept-open-reader.js';
import { BUSY_CORES, coresBetween, type Pulse, pulseOf, pulseStirred, readPulse } from './pulse.js';

/** The stable key of a target: its cgroup path, `pid:N` for a process outside any cgroup, `host` for the host. */
export function targetId(t: Target): string {
  if (t.kind === 'pid' && t.pid !== undefined) return `pid:${t.pid}`;
  if (t.cgroup) return t.cgroup.path;
  return t.kind === 'host' ? 'host' : t.label;
}

/** Options of a Sampler. */
export interface SamplerOptions {
  /** Tick interval, ms. Default 1000. */
  intervalMs?: number;
  /** Samples kept per target (and of the host). Default 600 (ten minutes at 1 Hz). */
  ringSize?: number;
  /** Read kernel stacks of R and D threads (root). Default true. */
  stacks?: boolean;
  /** At most this many stacks per target per tick. Default 256. */
  maxStacksPerTarget?: number;
  /** Probe policy; `false`: no mmap_lock probes. */
  probes?: Partial<ProbePolicy> | false;
  /**
   * Read every thread's stat file (states, stacks of R/D threads) of a calm target only every this many ticks;
   * a suspect one (at its memory limit, threads in D, kernel CPU, a slow probe) every tick. Default 1 (always).
   */
  threadsEveryTicks?: number;
  /**
   * Take a calm cgroup's full sample only every this many ticks (staggered over the ticks), and on the others read
   * its pulse (usage, limit hits, CPU time: 3-4 files); a pulse that stirred (near the limit, a limit hit, a fifth of
   * a core) brings the full sample back that same tick. Calm: not `looksSuspect` and under a fifth of a core at its
   * last full sample. Default 1 (every target in full every tick).
   */
  calmEveryTicks?: number;
  /** Follow a changing set of targets: `find()` is called every `everyMs` (errors keep the old set). */
  discover?: { everyMs: number; find: () => Target[] | Promise<Target[]> };
}

/** One target's part of a tick. */
export interface TickTarget {
  id: string;
  target: Target;
  sample: TargetSample;
}

/** What one tick collected, handed to subscribers. */
export interface SamplerTick {
  seq: number;
  /** When the tick was due and when it started (monotonic ms); lateness = started − due. */
  dueMonoMs: number;
  monoMs: number;
  wallMs: number;
  latenessMs: number;
  /** How long collecting took, ms. */
  durationMs: number;
  host: HostSample;
  targets: TickTarget[];
  /** Targets first seen at this tick, and those that ended (gone) at it. */
  added: string[];
  ended: string[];
}

/** The sampler's own health, for the agent's /healthz and metrics. */
export interface SamplerStats {
  ticks: number;
  /** Ticks that started more than one interval late. */
  lateTicks: number;
  lastTick: { monoMs: number; wallMs: number; durationMs: number; latenessMs: number } | undefined;
  targets: number;
  probes: { inFlight: number; stuck: number; started: number; skipped: number; children: number };
}

interface Entry {
  id: string;
  target: Target;
  threads: ThreadSampler;
  ring: TargetSample[];
  ended: boolean;
  /** Full samples taken (the thread cadence counts these). */
  full: number;
  /** Where in the calm cadence this target's full samples fall (spreads calm targets over the ticks). */
  phase: number;
  /** Sampled in full every tick: suspect or busy at its last full sample. */
  hot: boolean;
  /** The last pulse or full sample's counters, for the next pulse to compare with. */
  lastPulse: Pulse | undefined;
}

/** The long-lived sampling loop. */
export class Sampler {
  readonly intervalMs: number;
  private readonly ringSize: number;
  private readonly entries = new Map<string, Entry>();
  private readonly hostRingBuf: HostSample[] = [];
  private readonly subscribers = new Set<(t: SamplerTick) => void>();
  private readonly pool: ProbePool | undefined;
  private readonly reader = new KeptOpenReader();
  private seq = 0;
  private lateTicks = 0;
  private last: SamplerStats['lastTick'];
  private lastDiscover = -Infinity;
  private discovering = false;
  private probesPaused = false;

  constructor(private readonly host: HostPaths, targets: readonly Target[], private readonly opts: SamplerOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.ringSize = Math.max(2, opts.ringSize ?? 600);
    this.pool = opts.probes === false ? undefined : new ProbePool(host, { ...DEFAULT_PROBE_POLICY, ...opts.probes });
    for (const t of targets) this.add(t);
  }

  /** Receives every tick; returns an unsubscribe function. A throwing subscriber never stops the loop. */
  subscribe(fn: (t: SamplerTick) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Adds a target (no-op when already watched and not ended). Returns its id. */
  add(t: Target): string {
    const id = targetId(t);
    const cur = this.entries.get(id);
    if (cur && !cur.ended) return id;
    cur?.threads.close();
    this.entries.set(id, { id, target: t, threads: new ThreadSampler(this.host), ring: [], ended: false, full: 0, phase: phaseOf(id), hot: true, lastPulse: undefined });
    return id;
  }

  /** The watched targets (ended ones stay until `forget`). */
  targets(): Array<{ id: string; target: Target; ended: boolean }> {
    return [...this.entries.values()].map((e) => ({ id: e.id, target: e.target, ended: e.ended }));
  }

  /** Drops an ended target and its ring. */
  forget(id: string): void {
    const e = this.entries.get(id);
    e?.threads.close();
    this.entries.delete(id);
  }

  /** Recent samples of a target, oldest first. */
  ring(id: string): readonly TargetSample[] {
    return this.entries.get(id)?.ring ?? [];
  }

  /** Recent host samples, oldest first. */
  hostRing(): readonly HostSample[] {
    return this.hostRingBuf;
  }

  /** Stops starting probes (a window about to end) or starts again. */
  pauseProbes(paused: boolean): void {
    this.probesPaused = paused;
  }

  /** Collects one tick now and hands it to subscribers. `dueMonoMs` is when it was due (for lateness). */
  tick(dueMonoMs = performance.now()): SamplerTick {
    const started = performance.now();
    const wallMs = Date.now();
    const host = collectHostSample(this.host, () => ({ monoMs: started, wallMs }), this.reader);
    push(this.hostRingBuf, host, this.ringSize);
    const out: TickTarget[] = [];
    const added: string[] = [];
    const ended: string[] = [];
    const livePids = new Set<number>();
    const calmEvery = Math.max(1, this.opts.calmEveryTicks ?? 1);
    for (const e of this.entries.values()) {
      if (e.ended) continue;
      if (e.ring.length === 0) added.push(e.id);
      const prev = e.ring.at(-1);
      if (prev && calmEvery > 1 && !e.hot && (this.seq + e.phase) % calmEvery !== 0 && this.calm(e)) {
        for (const p of prev.processes) livePids.add(p.pid);
        continue;
      }
      const probes = this.pool?.take(e.id);
      const now = performance.now();
      const every = this.opts.threadsEveryTicks ?? 1;
      const carry = prev && every > 1 && e.full % every !== 0 && !looksSuspect(prev, e.ring.at(-2)) ? prev : undefined;
      const sample = collectTargetSample(this.host, e.target, {
        stacks: this.opts.stacks !== false,
        maxStacks: this.opts.maxStacksPerTarget ?? 256,
        threads: e.threads,
        reader: this.reader,
        ...(probes ? { probes } : {}),
        ...(carry ? { carryThreadsFrom: carry } : {}),
        now: () => ({ monoMs: now, wallMs: wallMs + (now - started) }),
      });
      push(e.ring, sample, this.ringSize);
      e.full++;
      const pulse = pulseOf(sample);
      e.hot = !prev || looksSuspect(sample, prev) || (e.lastPulse !== undefined && coresBetween(e.lastPulse, pulse) >= BUSY_CORES);
      e.lastPulse = pulse;
      out.push({ id: e.id, target: e.target, sample });
      if (sample.gone) {
        e.ended = true;
        e.threads.close();
        ended.push(e.id);
        continue;
      }
      for (const p of sample.processes) livePids.add(p.pid);
      if (this.pool && !this.probesPaused) this.pool.offer(e.id, probeCandidates(e.target, sample), looksSuspect(sample, prev));
    }
    this.pool?.flush();
    // A calm target's files are read once in `calmEvery` ticks: keep them open across its quiet ticks.
    this.reader.sweep(2 * calmEvery + 1);
    this.pool?.retain(livePids);
    const durationMs = performance.now() - started;
    const latenessMs = Math.max(0, started - dueMonoMs);
    if (latenessMs > this.intervalMs) this.lateTicks++;
    this.last = { monoMs: started, wallMs, durationMs, latenessMs };
    const tick: SamplerTick = { seq: this.seq++, dueMonoMs, monoMs: started, wallMs, latenessMs, durationMs, host, targets: out, added, ended };
    for (const fn of this.subscribers) {
      try {
        fn(tick);
      } catch {
        /* a subscriber's bug must not stop the sampling loop; subscribers report their own errors */
      }
    }
    return tick;
  }

  /**
   * Ticks on the clock until `signal` aborts (or `untilMonoMs` passes). Ticks are due at start + k × interval;
   * a tick that could not start on time is taken late, never twice (no pile-up after a stall).
   */
  async run(signal: AbortSignal, untilMonoMs = Infinity): Promise<void> {
    const start = performance.now();
    for (let k = 0; !signal.aborted; k++) {
      let due = start + k * this.intervalMs;
      if (due > untilMonoMs + 1) break;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait, signal);
      else if (-wait > this.intervalMs) {
        // Skip the ticks missed while stalled: the next one is due now.
        k = Math.floor((performance.now() - start) / this.intervalMs);
        due = start + k * this.intervalMs;
      }
      if (signal.aborted) break;
      this.tick(due);
      this.maybeDiscover();
    }
  }

  private maybeDiscover(): void {
    const d = this.opts.discover;
    if (!d || this.discovering || performance.now() - this.lastDiscover < d.everyMs) return;
    this.lastDiscover = performance.now();
    this.discovering = true;
    void Promise.resolve()
      .then(() => d.find())
      .then((found) => {
        for (const t of found) this.add(t);
      })
      .catch(() => undefined)
      .finally(() => {
        this.discovering = false;
      });
  }

  /** Reads a calm target's pulse; true when it stayed calm (no full sample needed this tick). */
  private calm(e: Entry): boolean {
    // The root cgroup's processes (the host target) have no cgroup counters to take a pulse from: they stay calm
    // until their next full sample (the host's own PSI, vmstat and CPU are read every tick regardless).
    if (!e.target.cgroup) return true;
    try {
      const p = readPulse(e.target, this.reader);
      if (e.lastPulse && pulseStirred(e.lastPulse, p)) return false;
      e.lastPulse = p;
      return true;
    } catch {
      return false; // vanished or unreadable: the full sample says which
    }
  }

  /** Waits up to `maxMs` for probe children in flight (their results go to the next tick). */
  settleProbes(maxMs: number): Promise<void> {
    return this.pool?.settle(maxMs) ?? Promise.resolve();
  }

  /** Probe results that finished after a target's last sample (the doctor adds them to its window's end). */
  takeProbes(id: string): TargetSample['probes'] | undefined {
    return this.pool?.take(id);
  }

  /** The sampler's own health. */
  stats(): SamplerStats {
    return { ticks: this.seq, lateTicks: this.lateTicks, lastTick: this.last, targets: [...this.entries.values()].filter((e) => !e.ended).length, probes: this.pool?.stats() ?? { inFlight: 0, stuck: 0, started: 0, skipped: 0, children: 0 } };
  }

  /** Closes every kept-open file. Probe children end at their deadlines by themselves. */
  close(): void {
    for (const e of this.entries.values()) e.threads.close();
    this.reader.close();
  }
}

/** A stable spread of targets over the calm cadence (FNV-1a of the id). */
function phaseOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function push<T>(ring: T[], x: T, max: number): void {
  ring.push(x);
  if (ring.length > max) ring.splice(0, ring.length - max);
}

/** The processes to probe: the asked PID first, then those with most threads; never reclaimwatch itself. */
export function probeCandidates(target: Target, s: TargetSample): number[] {
  const byThreads = [...s.processes].sort((a, b) => b.threads - a.threads).map((p) => p.pid);
  const out = target.pid !== undefined ? [target.pid] : [];
  for (const p of byThreads) if (!out.includes(p)) out.push(p);
  return out.filter((p) => p !== process.pid);
}

/**
 * A target worth a close look every tick: at its memory limit or hitting it, with threads blocked, spending a
 * fifth of a core or more in the kernel, or with a slow probe.
 */
export function looksSuspect(s: TargetSample, prev?: TargetSample): boolean {
  const m = s.memory;
  if (m && Number.isFinite(m.limitBytes) && m.limitBytes > 0 && m.usageBytes >= 0.9 * m.limitBytes) return true;
  if (m && prev?.memory && m.limitHits > prev.memory.limitHits) return true;
  if (s.processes.some((p) => p.uninterruptible > 0)) return true;
  if (s.probes.inFlightMs.some((ms) => ms >= 500) || s.probes.finished.some((p) => p.latencyMs >= 500)) return true;
  const dt = prev ? (s.monoMs - prev.monoMs) / 1000 : 0;
  const sys = s.cpu?.systemUs !== undefined && prev?.cpu?.systemUs !== undefined && dt > 0 ? (s.cpu.systemUs - prev.cpu.systemUs) / 1e6 / dt : 0;
  return sys >= 0.2;
}
