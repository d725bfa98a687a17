/**
 * Retention as a pure function: which chunks to drop or thin, given what the store holds, the time and the
 * limits. The store gathers the state, asks {@link planRetention}, and applies the plan in bounded steps
 * (store.ts); the next plan starts from the real figures again, so estimates never accumulate.
 *
 * Rules, in order:
 * 1. A chunk is *protected* when it overlaps an incident of its target (host chunks: of any target), widened by
 *    `incidentMarginMs` on each side, and that incident ended (or is still open) within `retentionMs`. Protected
 *    chunks are never dropped or thinned: incidents keep their samples at full resolution.
 * 2. Age: every unprotected chunk that ended more than `retentionMs` ago is dropped.
 * 3. Size: while the store is above `maxBytes × highWater`, aim for `maxBytes × lowWater`: first thin unprotected
 *    chunks older than `fullResolutionMs` to one sample per `stepMs[0]`, then per `stepMs[1]`, ... (oldest first),
 *    then drop unprotected chunks, oldest first.
 */

/** A chunk as the planner sees it. */
export interface RetentionChunk {
  id: number;
  /** '' for host samples. */
  targetId: string;
  fromWallMs: number;
  toWallMs: number;
  /** Stored size of the chunk's data. */
  bytes: number;
  /** 0 at full resolution, else the kept sample spacing. */
  stepMs: number;
}

/** An incident's time span. */
export interface RetentionIncident {
  targetId: string;
  startWallMs: number;
  /** null while open. */
  endWallMs: number | null;
}

/** What the store holds now. `chunks` may be a subset (the oldest ones): the plan only touches those given. */
export interface RetentionState {
  /** Bytes the store uses now (pages in use, not free pages). */
  usedBytes: number;
  chunks: readonly RetentionChunk[];
  incidents: readonly RetentionIncident[];
}

/** The limits (see {@link DEFAULT_RETENTION_LIMITS}). */
export interface RetentionLimits {
  retentionMs: number;
  maxBytes: number;
  /** Chunks younger than this are never thinned. */
  fullResolutionMs: number;
  /** Thinning steps, coarser each time, e.g. [10 s, 60 s]. */
  stepMs: readonly number[];
  incidentMarginMs: number;
  /** Size pressure starts above maxBytes × highWater ... */
  highWater: number;
  /** ... and aims for maxBytes × lowWater. */
  lowWater: number;
}

/** Seven days, 1 GiB, a full-resolution day, then 10 s and 60 s. */
export const DEFAULT_RETENTION_LIMITS: RetentionLimits = {
  retentionMs: 7 * 86_400_000,
  maxBytes: 2 ** 30,
  fullResolutionMs: 86_400_000,
  stepMs: [10_000, 60_000],
  incidentMarginMs: 120_000,
  highWater: 0.95,
  lowWater: 0.85,
};

/** Why a chunk is dropped. */
export type DropReason = 'age' | 'size';

/** The plan: drops and thinnings, and the size expected after them. */
export interface RetentionPlan {
  drop: Array<{ id: number; reason: DropReason }>;
  thin: Array<{ id: number; stepMs: number }>;
  /** Estimated bytes after the plan (thinning is estimated, dropping is exact up to page slack). */
  expectedBytes: number;
}

/** Estimated size of a chunk thinned from `fromStep` to `toStep`: the kept share, plus wider deltas. */
export function thinnedBytes(bytes: number, fromStepMs: number, toStepMs: number): number {
  const kept = Math.max(fromStepMs, 1000) / toStepMs;
  return Math.ceil(bytes * Math.min(1, kept * 1.5));
}

function isProtected(c: RetentionChunk, incidents: readonly RetentionIncident[], now: number, l: RetentionLimits): boolean {
  for (const i of incidents) {
    if (c.targetId !== '' && i.targetId !== c.targetId) continue;
    const end = i.endWallMs ?? now;
    if (end < now - l.retentionMs) continue;
    if (c.toWallMs >= i.startWallMs - l.incidentMarginMs && c.fromWallMs <= end + l.incidentMarginMs) return true;
  }
  return false;
}

/** Plans retention (pure; see the module comment for the rules). */
export function planRetention(state: RetentionState, nowWallMs: number, limits: RetentionLimits = DEFAULT_RETENTION_LIMITS): RetentionPlan {
  const chunks = [...state.chunks].sort((a, b) => a.fromWallMs - b.fromWallMs || a.id - b.id);
  const free = chunks.filter((c) => !isProtected(c, state.incidents, nowWallMs, limits));
  const drop: RetentionPlan['drop'] = [];
  const dropped = new Set<number>();
  let bytes = state.usedBytes;
  for (const c of free) {
    if (c.toWallMs < nowWallMs - limits.retentionMs) {
      drop.push({ id: c.id, reason: 'age' });
      dropped.add(c.id);
      bytes -= c.bytes;
    }
  }
  const thin = new Map<number, number>();
  const size = new Map(free.map((c) => [c.id, c.bytes]));
  if (bytes > limits.maxBytes * limits.highWater) {
    const target = limits.maxBytes * limits.lowWater;
    const old = free.filter((c) => !dropped.has(c.id) && c.toWallMs < nowWallMs - limits.fullResolutionMs);
    for (const step of limits.stepMs) {
      for (const c of old) {
        if (bytes <= target) break;
        const cur = thin.get(c.id) ?? c.stepMs;
        if (cur >= step) continue;
        const before = size.get(c.id)!;
        const after = Math.min(before, thinnedBytes(c.bytes, c.stepMs, step));
        thin.set(c.id, step);
        size.set(c.id, after);
        bytes -= before - after;
      }
    }
    for (const c of free) {
      if (bytes <= target) break;
      if (dropped.has(c.id)) continue;
      drop.push({ id: c.id, reason: 'size' });
      dropped.add(c.id);
      thin.delete(c.id);
      bytes -= size.get(c.id)!;
    }
  }
  return {
    drop,
    thin: [...thin].map(([id, stepMs]) => ({ id, stepMs })),
    expectedBytes: Math.max(0, bytes),
  };
}
