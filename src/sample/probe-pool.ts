// The mmap_lock probes of a sampler: at most one in flight per process, a cap on all of them, and children
// stuck in the kernel after SIGKILL counted (not forgotten) until they exit. The probes a tick asks for go out
// together in one child at the tick's end (`flush`), each file read on a thread of its own, so a node of a
// hundred cgroups costs one exec per tick at most, not a hundred. Probes of calm processes fall due together (at
// the same boundary of the `everyMs` clock), so they share a child too. Results wait here until the next
// sample of their target takes them. Nothing here blocks: a probe is a child with a deadline.
import type { HostPaths } from '../host/host-paths.js';
import { DEFAULT_PROBE_DEADLINE_MS, probeMmapLockMany } from '../probe/mmap-lock-probe.js';
import type { ProbeRecord, ProbeState } from './sample.js';

/** When and how much the sampler probes. */
export interface ProbePolicy {
  /** Deadline of one probe (ms). Default 1000. */
  deadlineMs: number;
  /** Processes probed per target (the asked PID first, then those with most threads). Default 1. */
  maxPerTarget: number;
  /** A process is probed again this long after its last probe started (ms). Default 30,000 (a probe child costs the agent ~10 ms of CPU to spawn). */
  everyMs: number;
  /** ... or this often while its target looks suspect (at its memory limit, threads in D or in reclaim). Default 2000. */
  suspectEveryMs: number;
  /** Probe children in flight at most, over every target. Default 16. */
  maxInFlight: number;
  /** With this many children stuck in the kernel after SIGKILL, no new probe starts. Default 8. */
  maxStuck: number;
}

/** The defaults: cheap enough to run forever on every cgroup of a node. */
export const DEFAULT_PROBE_POLICY: Readonly<ProbePolicy> = Object.freeze({
  deadlineMs: DEFAULT_PROBE_DEADLINE_MS, maxPerTarget: 1, everyMs: 30_000, suspectEveryMs: 2000, maxInFlight: 256, maxStuck: 8,
});

interface InFlight {
  targetId: string;
  startedMs: number;
  done: Promise<void>;
}

/** Due when the clock has passed a multiple of `every` since the last start (or never probed). */
function due(now: number, last: number | undefined, every: number): boolean {
  if (last === undefined || every <= 0) return true;
  return Math.floor(now / every) > Math.floor(last / every);
}

/** The probe children of one sampler. */
export class ProbePool {
  private readonly inFlight = new Map<number, InFlight>();
  private readonly lastStart = new Map<number, number>();
  private readonly results = new Map<string, ProbeRecord[]>();
  private pending: Array<{ pid: number; targetId: string }> = [];
  private stuckCount = 0;
  private startedTotal = 0;
  private skippedTotal = 0;
  private childrenTotal = 0;

  constructor(private readonly host: HostPaths, readonly policy: ProbePolicy, private readonly clock: () => number = () => performance.now()) {}

  /**
   * Asks for probes of `pids` (in order of preference) for a target, as the policy allows; they start at the next
   * `flush`. Returns how many were taken.
   */
  offer(targetId: string, pids: readonly number[], suspect: boolean): number {
    const now = this.clock();
    const every = suspect ? this.policy.suspectEveryMs : this.policy.everyMs;
    let started = 0;
    for (const pid of pids.slice(0, this.policy.maxPerTarget)) {
      if (this.inFlight.has(pid) || this.pending.some((p) => p.pid === pid)) continue;
      if (!due(now, this.lastStart.get(pid), every)) continue;
      if (this.inFlight.size + this.pending.length >= this.policy.maxInFlight || this.stuckCount >= this.policy.maxStuck) {
        this.skippedTotal++;
        continue;
      }
      this.lastStart.set(pid, now);
      this.startedTotal++;
      started++;
      this.pending.push({ pid, targetId });
    }
    return started;
  }

  /** Starts the probes asked for since the last flush, all in one child. Returns how many started. */
  flush(): number {
    const batch = this.pending;
    if (batch.length === 0) return 0;
    this.pending = [];
    const now = this.clock();
    this.childrenTotal++;
    // Each child left stuck in the kernel counts from when it is left until it exits (one child a batch, or one a
    // process where the native reader is missing).
    const hooks = { onAbandoned: () => this.stuckCount++, onAbandonedExit: () => this.stuckCount-- };
    const done = probeMmapLockMany(this.host, batch.map((b) => b.pid), this.policy.deadlineMs, hooks).then((probes) => {
      probes.forEach((p, i) => {
        const { targetId } = batch[i]!;
        this.inFlight.delete(p.pid);
        if (p.outcome === 'gone') {
          this.lastStart.delete(p.pid);
          return;
        }
        const list = this.results.get(targetId) ?? [];
        list.push({ pid: p.pid, outcome: p.outcome, latencyMs: p.latencyMs, timing: p.timing, deadlineMs: p.deadlineMs });
        this.results.set(targetId, list);
      });
    });
    for (const b of batch) this.inFlight.set(b.pid, { targetId: b.targetId, startedMs: now, done });
    return batch.length;
  }

  /** The probe state of a target for its sample now: results since the last call, ages of those in flight. */
  take(targetId: string): ProbeState {
    const now = this.clock();
    const finished = this.results.get(targetId) ?? [];
    this.results.delete(targetId);
    const inFlightMs: number[] = [];
    for (const f of this.inFlight.values()) if (f.targetId === targetId) inFlightMs.push(Math.round(now - f.startedMs));
    return { finished, inFlightMs, stuck: this.stuckCount };
  }

  /** Forgets processes no target has any more (their last-start times). */
  retain(pids: ReadonlySet<number>): void {
    for (const pid of this.lastStart.keys()) if (!pids.has(pid) && !this.inFlight.has(pid)) this.lastStart.delete(pid);
  }

  /** Waits up to `maxMs` for the probes in flight. */
  async settle(maxMs: number): Promise<void> {
    this.flush();
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(new Set([...this.inFlight.values()].map((f) => f.done))),
      new Promise<void>((r) => (timer = setTimeout(r, maxMs))),
    ]);
    clearTimeout(timer);
  }

  /** Counters for the sampler's own health: processes in flight, stuck children, probes started and skipped, children spawned. */
  stats(): { inFlight: number; stuck: number; started: number; skipped: number; children: number } {
    return { inFlight: this.inFlight.size, stuck: this.stuckCount, started: this.startedTotal, skipped: this.skippedTotal, children: this.childrenTotal };
  }
}
