// The doctor's verdict on a running repro: a sliding window over the run's own sampler (no second reader, no
// second loop), assessed every `windowMs` through the same assessWindow() as `doctor`. Windows are back to back
// over one continuous stream of samples, so rates span window boundaries and nothing is cut short.
import { assessWindow } from '../detect/assess.js';
import type { HostFacts } from '../detect/verdict.js';
import type { Sampler } from '../sample/sampler.js';

/** Window of one doctor verdict during a repro. */
export const DOCTOR_WINDOW_MS = 3000;

/** One doctor window. */
export interface DoctorSnapshot {
  /** The doctor's verdict for the cgroup (`healthy`, `thrashing`, `reclaim-livelock`, ...). */
  verdict: string;
  severity: number;
  /** Codes of its findings, most important first (as the doctor orders them). */
  findings: string[];
  /** Seconds since the workload started, at the end of the window. */
  atS: number;
  windowMs: number;
}

/** What the loop saw over a leg. */
export interface DoctorLoopResult {
  windowMs: number;
  /** Windows judged. */
  windows: number;
  /** The last window. */
  last: DoctorSnapshot | undefined;
  /** How many windows gave each verdict. */
  verdicts: Record<string, number>;
  /** Why windows failed (first few, deduplicated). */
  errors: string[];
}

/** A running loop. */
export interface DoctorLoop {
  latest(): DoctorSnapshot | undefined;
  stop(): Promise<DoctorLoopResult>;
}

/**
 * Judges target `id` of `sampler` every `windowMs` over the last `windowMs` of its samples. `clockMs` gives the
 * leg's clock (ms since the workload started) for the snapshots' `atS`.
 */
export function startDoctorLoop(sampler: Sampler, id: string, facts: HostFacts, clockMs: () => number, windowMs = DOCTOR_WINDOW_MS): DoctorLoop {
  let last: DoctorSnapshot | undefined;
  let windows = 0;
  let windowStartWall: number | undefined;
  const verdicts: Record<string, number> = {};
  const errors: string[] = [];
  const unsubscribe = sampler.subscribe((tick) => {
    windowStartWall ??= tick.wallMs;
    if (tick.wallMs - windowStartWall < windowMs - sampler.intervalMs / 2) return;
    try {
      const a = assessWindow({ host: sampler.hostRing(), samples: sampler.ring(id), facts, fromWallMs: windowStartWall, toWallMs: tick.wallMs });
      windowStartWall = tick.wallMs;
      if (!a) return;
      windows++;
      verdicts[a.verdict] = (verdicts[a.verdict] ?? 0) + 1;
      last = { verdict: a.verdict, severity: a.severity, findings: a.findings.map((f) => f.code), atS: Math.round(clockMs() / 100) / 10, windowMs };
    } catch (err) {
      const why = String((err as Error)?.message ?? err);
      if (!errors.includes(why) && errors.length < 5) errors.push(why);
    }
  });
  return {
    latest: () => last,
    stop() {
      unsubscribe();
      return Promise.resolve({ windowMs, windows, last, verdicts, errors });
    },
  };
}
