// Time travel: a doctor window re-derived from the agent's store — the raw samples of [at − window, at],
// assessed by the same assessRecording() as a live window, with today's thresholds and tagger.
import type { HostFacts } from '../detect/verdict.js';
import { UsageError } from '../kernel/errors.js';
import type { Store } from '../agent/store/store.js';
import { decodeHostSample, decodeTargetSample } from '../sample/schema.js';
import type { DoctorRecording } from './run-doctor.js';

/** Parses `--at`: an ISO time (`2026-12-01T14:35:24Z`), epoch milliseconds, or a duration ago (`-10m`, `10m ago`). */
export function parseAt(text: string, now = Date.now()): number {
  const t = text.trim();
  const rel = /^-?\s*(\d+(?:\.\d+)?)(ms|s|m|h|d)(?:\s+ago)?$/.exec(t);
  if (rel && (t.startsWith('-') || t.endsWith('ago'))) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'ms'];
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{12,}$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) throw new UsageError(`bad --at ${JSON.stringify(text)}: give an ISO time (2026-12-01T14:35:24Z), epoch milliseconds, or a time ago (-10m, "2h ago")`);
  return ms;
}

/** A recording of stored samples of `targetIds` over the window ending at `atWallMs`. */
export function recordingFromStore(store: Store, targetIds: readonly string[], atWallMs: number, windowMs: number, facts: HostFacts, layoutMode: string): DoctorRecording {
  const from = atWallMs - windowMs;
  const hostSamples = store.readHostSamples(from - 2000, atWallMs, decodeHostSample).map((x) => x.sample);
  const metas = new Map(store.listTargets().map((m) => [m.id, m]));
  const targets = targetIds.map((id) => {
    const samples = store.readTargetSamples(id, from, atWallMs, decodeTargetSample).map((x) => x.sample);
    const m = metas.get(id);
    return {
      target: { kind: 'cgroup' as const, label: `cgroup ${m?.cgroup ?? id}`, cgroup: m?.cgroup ?? id, ...(m?.container ? { container: m.container } : {}), pids: 0, threads: 0 },
      samples,
    };
  });
  const empty = targets.filter((t) => t.samples.length < 2);
  if (empty.length === targets.length) {
    throw new UsageError(`the store has ${empty[0]?.samples.length ?? 0} sample(s) of ${empty.map((t) => t.target.cgroup).join(', ')} between ${new Date(from).toISOString()} and ${new Date(atWallMs).toISOString()}: the agent was not watching it then (reclaimwatch history shows when it was)`);
  }
  return {
    schema: 'reclaimwatch.recording/v2', windowMs, facts, layoutMode, root: true, stacksAsked: true,
    hostSamples, targets: targets.filter((t) => t.samples.length >= 2), failures: empty.map((t) => ({ target: t.target.cgroup, message: `no stored samples of ${t.target.cgroup} in that window` })),
  };
}
