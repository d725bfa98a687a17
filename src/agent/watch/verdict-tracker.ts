// Verdict hysteresis: a target's verdict changes only after the new one has held for `holdTicks` consecutive
// assessments, so a state at a threshold's edge does not flap between `thrashing` and `reclaim-livelock` every
// second. A target that is gone changes at once (there is nothing left to judge). Pure.
import type { VerdictClass } from '../../detect/verdict.js';

/** The tracker's state for one target. */
export interface TrackedVerdict {
  /** The verdict in force. */
  current: VerdictClass;
  /** Since when it is in force (wall ms). */
  sinceWallMs: number;
  /** A different verdict seen lately, and for how many consecutive assessments. */
  candidate: VerdictClass | undefined;
  candidateTicks: number;
  candidateSinceWallMs: number | undefined;
}

/** A change of the verdict in force. */
export interface VerdictChangeEvent {
  from: VerdictClass | null;
  to: VerdictClass;
  /** When the new verdict was first seen (it is in force from then on). */
  wallMs: number;
}

/** Feeds one assessment; returns the new state and the change it caused, if any. */
export function trackVerdict(prev: TrackedVerdict | undefined, seen: VerdictClass, wallMs: number, holdTicks: number): { state: TrackedVerdict; change: VerdictChangeEvent | undefined } {
  if (!prev) return { state: { current: seen, sinceWallMs: wallMs, candidate: undefined, candidateTicks: 0, candidateSinceWallMs: undefined }, change: { from: null, to: seen, wallMs } };
  if (seen === prev.current) return { state: { ...prev, candidate: undefined, candidateTicks: 0, candidateSinceWallMs: undefined }, change: undefined };
  const ticks = seen === prev.candidate ? prev.candidateTicks + 1 : 1;
  const since = seen === prev.candidate ? prev.candidateSinceWallMs ?? wallMs : wallMs;
  if (ticks >= Math.max(1, holdTicks) || seen === 'gone') {
    return { state: { current: seen, sinceWallMs: since, candidate: undefined, candidateTicks: 0, candidateSinceWallMs: undefined }, change: { from: prev.current, to: seen, wallMs: since } };
  }
  return { state: { ...prev, candidate: seen, candidateTicks: ticks, candidateSinceWallMs: since }, change: undefined };
}

/** Verdicts that open an incident. */
export const INCIDENT_VERDICTS: ReadonlySet<VerdictClass> = new Set<VerdictClass>(['thrashing', 'oom-loop', 'reclaim-livelock']);
