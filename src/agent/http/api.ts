// The agent's JSON API: read-only views of the watch's states and of the store. Every handler validates its
// query with zod (400 with the message), answers errors as { error: { code, message } }, and never reads the
// kernel: live data comes from the last tick, history from the store.
import { z } from 'zod';
import { derive } from '../../sample/derive.js';
import type { HostSample, TargetSample } from '../../sample/sample.js';
import type { Store } from '../store/store.js';
import type { TargetState, Watch } from '../watch/watch.js';
import { variantOf } from '../watch/watch.js';
import { sparkStepMs, type SparkCache, type Sparkline } from './dashboard/spark-cache.js';
import { targetLabels } from './metrics.js';

/** An API answer: status and JSON body. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** A 4xx/5xx answer. */
export function apiError(status: number, code: string, message: string): ApiAnswer {
  return { status, body: { error: { code, message } } };
}

const ms = z.coerce.number().int().nonnegative();
const seriesQuery = z.object({ from: ms.optional(), to: ms.optional(), step: z.coerce.number().int().min(1000).optional() }).strict();
const targetsQuery = z.object({ spark: z.coerce.number().int().min(60).max(7 * 86_400).optional() }).strict();
const incidentsQuery = z.object({ since: ms.optional(), target: z.string().optional(), open: z.enum(['true', 'false']).optional() }).strict();

function parseQuery<T>(schema: z.ZodType<T>, q: URLSearchParams): T | ApiAnswer {
  const r = schema.safeParse(Object.fromEntries(q));
  if (r.success) return r.data;
  const i = r.error.issues[0];
  return apiError(400, 'bad-query', i ? `${i.path.join('.') || 'query'}: ${i.message}` : 'bad query');
}

function windowSpark(st: TargetState): Sparkline {
  const out: Sparkline = { t: [], cpuCores: [], memoryRatio: [], progress: [] };
  for (const m of st.assessment?.intervals ?? []) {
    out.cpuCores.push(m.cpu.totalCores);
    out.memoryRatio.push(m.memory?.usageRatio ?? 0);
    out.progress.push(m.progress.workPerSystemCpuSecond ?? null);
  }
  for (const s of (st.assessment?.samples ?? []).slice(1)) out.t.push(s.wallMs);
  return out;
}

/**
 * GET /api/v1/targets[?spark=SECONDS]. Sparklines cover the judged window, or with `spark` (60 s to 7 d) that
 * much history in at most 60 means (SparkCache); without a store, the window. The body and each sparkline say
 * which, and how many targets' history is still being read (those show their window meanwhile).
 */
export function listTargets(watch: Watch, sparks?: SparkCache, query: URLSearchParams = new URLSearchParams(), now = Date.now()): ApiAnswer {
  const q = parseQuery(targetsQuery, query);
  if ('status' in q) return q;
  const states = [...watch.targets().values()].filter((s) => s.assessment);
  const from = now - (q.spark ?? 0) * 1000;
  const step = sparkStepMs(now - from);
  const history = q.spark !== undefined && sparks
    ? sparks.sparklines(states.map((s) => ({ id: s.id, ring: watch.sampler.ring(s.id) })), watch.sampler.hostRing().at(-1)?.cpus ?? 1, from, now, step)
    : undefined;
  const targets = states.map((s) => {
    const l = targetLabels(s);
    const a = s.assessment!;
    const variant = variantOf(a);
    return {
      id: s.id, cgroup: l.cgroup, ...(l.pod ? { pod: l.pod } : {}), ...(l.container ? { container: l.container } : {}),
      verdict: s.tracked?.current ?? a.verdict, severity: a.severity, ...(variant ? { variant } : {}),
      sinceWallMs: s.tracked?.sinceWallMs ?? a.samples[0]!.wallMs, findings: a.findings,
      // Under 10 points of history (the agent just started, or a new target), the window says more.
      spark: ((h) => (h && h.t.length >= 10 ? { source: 'store', ...h } : { source: 'window', ...windowSpark(s) }))(history?.get(s.id)),
    };
  }).sort((a, b) => b.severity - a.severity);
  const spark = history ? { source: 'store', fromMs: from, toMs: now, stepMs: step, pending: states.length - history.size } : { source: 'window' };
  return { status: 200, body: { generatedAt: new Date().toISOString(), spark, targets } };
}

/**
 * One point of a target's series: the model between two stored samples. The series API passes the samples' series
 * projections (store/series-projection.ts): a field read here that the projection leaves out must be added there.
 */
export function seriesPoint(prev: TargetSample, cur: TargetSample, cpus: number, hp: HostSample | undefined, hc: HostSample | undefined, verdict: string | null): Record<string, unknown> {
  const m = derive(prev, cur, cpus, hp, hc);
  let n = 0;
  let k = 0;
  n += m.threads.stacksSampled ?? 0;
  k += m.threads.inReclaim ?? 0;
  const probes = [...cur.probes.finished.map((p) => p.latencyMs), ...cur.probes.inFlightMs];
  const q = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);
  return {
    t: cur.wallMs, verdict,
    cpuUserCores: m.cpu.userCores, cpuSystemCores: m.cpu.systemCores, quotaCores: q(m.cpu.quotaCores),
    memoryUsageBytes: cur.memory?.usageBytes ?? null, memoryLimitBytes: q(cur.memory?.limitBytes),
    limitHitsPerSec: q(m.memory?.limitHitsPerSec), pgscanPerSec: q(m.memory?.pgscanPerSec), pgstealPerSec: q(m.memory?.pgstealPerSec),
    refaultsPerSec: q(m.memory?.refaultsPerSec), majfltPerSec: m.progress.majfltPerSec,
    psiSome: q(m.psi.memorySome), psiFull: q(m.psi.memoryFull), progressPerKernelCpuSecond: q(m.progress.workPerSystemCpuSecond),
    threadsInReclaimRatio: n > 0 ? k / n : null, mmapLockWorstMs: probes.length ? Math.max(...probes) : null,
  };
}

/** GET /api/v1/targets/{id}/series?from=&to=&step= (from the store). */
export function targetSeries(store: Store | undefined, id: string, query: URLSearchParams, now = Date.now()): ApiAnswer {
  const q = parseQuery(seriesQuery, query);
  if ('status' in q) return q;
  if (!store) return apiError(503, 'no-store', 'the agent runs without a store: no history to serve');
  const to = q.to ?? now;
  const from = q.from ?? to - 3_600_000;
  if (from >= to) return apiError(400, 'bad-query', 'from must be before to');
  if (to - from > 31 * 86_400_000) return apiError(400, 'bad-query', 'a range of at most 31 days');
  // At most ~2,000 points: a step of at least the range over 2,000, and at least the sampling interval. An automatic
  // step past 30 s is rounded up to whole minutes, which the store reads from its minute level (a day: 1,440 points).
  const auto = Math.max(q.step ?? 1000, Math.ceil((to - from) / 2000 / 1000) * 1000);
  const step = q.step === undefined && auto > 30_000 ? Math.ceil(auto / 60_000) * 60_000 : auto;
  // The samples' series projections (store/series-projection.ts): what seriesPoint() derives from, not whole samples.
  const samples = store.readTargetSamples(id, from - step, to, (x) => x as TargetSample, { stepMs: step, series: true });
  const hosts = store.readHostSamples(from - step, to, (x) => x as HostSample, { stepMs: step, series: true });
  const changes = store.listVerdictChanges({ targetId: id, untilWallMs: to });
  const hostAt = new Map(hosts.map((h) => [Math.floor(h.wallMs / step), h.sample]));
  const cpus = hosts[0]?.sample.cpus ?? 1;
  const points: Array<Record<string, unknown>> = [];
  let ci = 0;
  let verdict: string | null = null;
  for (let i = 1; i < samples.length; i++) {
    const cur = samples[i]!.sample;
    if (cur.wallMs < from) continue;
    while (ci < changes.length && changes[ci]!.wallMs <= cur.wallMs) verdict = changes[ci++]!.to;
    points.push(seriesPoint(samples[i - 1]!.sample, cur, cpus, hostAt.get(Math.floor(samples[i - 1]!.wallMs / step)), hostAt.get(Math.floor(samples[i]!.wallMs / step)), verdict));
  }
  if (samples.length === 0 && !store.listTargets().some((t) => t.id === id)) return apiError(404, 'no-such-target', `no target ${JSON.stringify(id)} in the store: GET /api/v1/targets lists them`);
  return { status: 200, body: { id, from, to, stepMs: step, points } };
}

/** GET /api/v1/incidents */
export function listIncidents(store: Store | undefined, query: URLSearchParams, evidence: (id: number) => unknown): ApiAnswer {
  const q = parseQuery(incidentsQuery, query);
  if ('status' in q) return q;
  if (!store) return { status: 200, body: { incidents: [] } };
  const incidents = store.listIncidents({ ...(q.since !== undefined ? { sinceWallMs: q.since } : {}), ...(q.target ? { targetId: q.target } : {}), ...(q.open ? { open: q.open === 'true' } : {}) })
    .map((i) => ({ id: i.id, targetId: i.targetId, verdict: i.verdict, ...(i.variant ? { variant: i.variant } : {}), startWallMs: i.startWallMs, endWallMs: i.endWallMs, peakSeverity: i.peakSeverity, findings: i.findings, evidence: evidence(i.id) ?? null }));
  return { status: 200, body: { incidents } };
}
