// assess(): judges any span of samples — a sliding window over the sampler's ring, a recording, or the store's
// history — through one path: pair host and target samples by time, derive models, classify. Pure.
import { derive, deriveHost } from '../sample/derive.js';
import type { HostModel, TargetModel } from '../sample/model.js';
import type { HostSample, TargetSample } from '../sample/sample.js';
import { classify } from './classify.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import type { ClassifyInput, HostFacts, ProbeSummary, TraceSummary, Verdict } from './verdict.js';

/** What `assessWindow` judges. */
export interface AssessInput {
  /** Host samples covering the span (any superset; paired to target samples by time). */
  host: readonly HostSample[];
  /** The target's samples (any superset; the span is cut by `fromWallMs`/`toWallMs`). */
  samples: readonly TargetSample[];
  facts: HostFacts;
  fromWallMs?: number;
  toWallMs?: number;
  trace?: TraceSummary | undefined;
  /** Further classifier inputs (kernel profile, ...), passed through. */
  extra?: Partial<ClassifyInput>;
}

/** A verdict with the models and samples it rests on. */
export interface Assessment extends Verdict {
  window: TargetModel;
  intervals: TargetModel[];
  probe: ProbeSummary;
  /** The target samples of the span, oldest first. */
  samples: TargetSample[];
  hostModel: HostModel | undefined;
}

/** The host sample taken with a target sample: the latest at or before it, within `slackMs`. */
export function pairHost(host: readonly HostSample[], s: TargetSample, slackMs = 1500): HostSample | undefined {
  let best: HostSample | undefined;
  for (const h of host) {
    if (h.wallMs <= s.wallMs + 1 && s.wallMs - h.wallMs <= slackMs && (!best || h.wallMs > best.wallMs)) best = h;
  }
  return best;
}

/**
 * Probes over a span: those that finished after its first sample, and those still in flight at its end (a
 * probe waiting for seconds is a stall seen before it ends). Children stuck in the kernel count as timeouts.
 */
export function probesOver(samples: readonly TargetSample[]): ProbeSummary {
  const finished = samples.slice(1).flatMap((s) => s.probes.finished);
  const last = samples.at(-1);
  const inFlight = last?.probes.inFlightMs ?? [];
  const measured = finished.filter((p) => p.outcome === 'ok' || p.outcome === 'timeout');
  const latencies = [...measured.map((p) => p.latencyMs), ...inFlight];
  return {
    probes: measured.length + inFlight.length,
    timeouts: measured.filter((p) => p.outcome === 'timeout').length,
    worstLatencyMs: latencies.length ? Math.max(...latencies) : undefined,
  };
}

// derive() is pure, and a sliding window re-derives the same consecutive pairs every tick: interval models are
// memoised per (previous, current) sample object pair. A WeakMap keyed by the later sample holds no sample alive.
const intervalMemo = new WeakMap<TargetSample, { prev: TargetSample; host: HostSample | undefined; model: TargetModel }>();

function intervalModel(prev: TargetSample, cur: TargetSample, cpus: number, host: readonly HostSample[]): TargetModel {
  const hp = pairHost(host, prev);
  const hc = pairHost(host, cur);
  const hit = intervalMemo.get(cur);
  if (hit && hit.prev === prev && hit.host === hc) return hit.model;
  const model = derive(prev, cur, cpus, hp, hc);
  intervalMemo.set(cur, { prev, host: hc, model });
  return model;
}

/** Assesses the samples between two wall-clock times; undefined with fewer than two samples in the span. */
export function assessWindow(input: AssessInput, thresholds: Thresholds = DEFAULT_THRESHOLDS): Assessment | undefined {
  const from = input.fromWallMs ?? -Infinity;
  const to = input.toWallMs ?? Infinity;
  const ss = input.samples.filter((s) => s.wallMs >= from && s.wallMs <= to);
  if (ss.length < 2) return undefined;
  // A target that went: judge the part of the span it was there for, but report it gone.
  const host = input.host;
  const cpus = host.find((h) => h.cpus > 0)?.cpus ?? 1;
  const first = ss[0]!;
  const last = ss.at(-1)!;
  const window = derive(first, last, cpus, pairHost(host, first), pairHost(host, last));
  const intervals = ss.slice(1).map((s, k) => intervalModel(ss[k]!, s, cpus, host));
  const probe = probesOver(ss);
  const verdict = classify({ window, intervals, probe, host: input.facts, trace: input.trace, ...input.extra }, thresholds);
  const hFirst = pairHost(host, first);
  const hLast = pairHost(host, last);
  return { ...verdict, window, intervals, probe, samples: ss, hostModel: hFirst && hLast && hFirst !== hLast ? deriveHost(hFirst, hLast) : undefined };
}
