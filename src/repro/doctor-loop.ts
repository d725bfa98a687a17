// The doctor's verdict on a running repro: short `runDoctor` windows on the run's cgroup, back to back, in
// the background. The live view shows the latest finished window; it never waits for one. `stop()` cuts the
// window in flight (its partial result is dropped) and returns once the doctor's probe children are done, so
// the loop never outlives the leg.
import type { HostPaths } from '../host/host-paths.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { ReclaimwatchError } from '../kernel/errors.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import { sleep } from '../units/sleep.js';

/** Window of one doctor run during a repro. */
export const DOCTOR_WINDOW_MS = 3000;

/** One finished doctor window. */
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
  /** Windows that finished. */
  windows: number;
  /** The last finished window. */
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
 * Starts doctor windows on `cgroupPath` (as in /proc/PID/cgroup). `clockMs` gives the leg's clock (ms since
 * the workload started) for the snapshots' `atS`.
 */
export function startDoctorLoop(host: HostPaths, cgroupPath: string, clockMs: () => number, windowMs = DOCTOR_WINDOW_MS): DoctorLoop {
  const ac = new AbortController();
  let last: DoctorSnapshot | undefined;
  let windows = 0;
  const verdicts: Record<string, number> = {};
  const errors: string[] = [];
  const fail = (why: string): void => {
    if (!errors.includes(why) && errors.length < 5) errors.push(why);
  };
  const loop = (async (): Promise<void> => {
    while (!ac.signal.aborted) {
      try {
        const { targets, failures } = await resolveTargets(host, { cgroup: cgroupPath });
        if (targets.length === 0) {
          fail(failures[0]?.message ?? `no doctor target for ${cgroupPath}`);
          await sleep(1000, ac.signal);
          continue;
        }
        // One probe per window (the workload is one process); a short deadline so stop() stays quick.
        // Each window gets a signal of its own: runDoctor leaves its listeners on the signal it is given.
        const win = new AbortController();
        const cut = (): void => win.abort();
        ac.signal.addEventListener('abort', cut, { once: true });
        let report;
        try {
          report = await runDoctor(host, targets, { windowMs, signal: win.signal, maxProbesPerTarget: 1, probeDeadlineMs: Math.min(windowMs, 2000) });
        } finally {
          ac.signal.removeEventListener('abort', cut);
        }
        if (ac.signal.aborted) break; // a window cut short by the end of the leg says nothing
        const t = report.targets[0];
        if (!t) continue;
        windows++;
        verdicts[t.verdict] = (verdicts[t.verdict] ?? 0) + 1;
        last = { verdict: t.verdict, severity: t.severity, findings: t.findings.map((f) => f.code), atS: Math.round(clockMs() / 100) / 10, windowMs };
      } catch (err) {
        fail(err instanceof ReclaimwatchError ? err.message : String((err as Error)?.message ?? err));
        await sleep(1000, ac.signal);
      }
    }
  })();
  return {
    latest: () => last,
    async stop() {
      ac.abort();
      await loop;
      return { windowMs, windows, last, verdicts, errors };
    },
  };
}
