// A doctor recording (raw samples, `doctor --record`) as chart points per target: each pair of samples derived
// into the interval's model, exactly as the classifier sees it.
import type { DoctorRecording } from '../../doctor/run-doctor.js';
import { derive } from '../../sample/derive.js';
import type { TargetSample } from '../../sample/sample.js';
import type { ChartPoint } from './chart-point.js';
import { modelPoint } from './model-point.js';

/** Points of every target of a recording, in the recording's order; `verdicts[i]` labels target i's points. */
export function recordingPoints(rec: DoctorRecording, verdicts: ReadonlyArray<string | null> = []): ChartPoint[][] {
  const hs = rec.hostSamples;
  const cpus = hs[0]?.cpus ?? 1;
  return rec.targets.map((rt, i) => {
    const ss = rt.samples;
    return ss.slice(1).map((s, k) => {
      const p = modelPoint(s.wallMs, derive(ss[k]!, s, cpus, hs[k], hs[k + 1]), verdicts[i] ?? null);
      p.mmapLockWorstMs = worstProbeMs(s);
      return p;
    });
  });
}

/** The worst mmap_lock probe of a sample: finished since the previous one, or still waiting; null without probes. */
export function worstProbeMs(s: TargetSample): number | null {
  const pr = s.probes as TargetSample['probes'] | undefined;
  if (!pr) return null;
  const all = [...pr.finished.filter((p) => p.outcome === 'ok' || p.outcome === 'timeout').map((p) => p.latencyMs), ...pr.inFlightMs];
  return all.length ? Math.max(...all) : null;
}
