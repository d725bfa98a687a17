import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { HostSample, TargetSample } from '../../../sample/sample.js';
import { Store } from '../../store/store.js';
import type { Watch } from '../../watch/watch.js';
import { listTargets } from '../api.js';
import { SPARK_POINTS, SparkCache, sparkStepMs, type Sparkline } from './spark-cache.js';

const T0 = 1_800_000_000_000;
const MIB = 1 << 20;

/** Second `k` of a target using 0.5 + 0.25 cores of CPU (cgroup counters), memory rising from 32 to 64 MiB. */
function sampleAt(k: number, coresScale = 1): TargetSample {
  return {
    monoMs: k * 1000, wallMs: T0 + k * 1000, gone: false,
    memory: { version: 'v2', usageBytes: 32 * MIB + (k % 32) * MIB, limitBytes: 64 * MIB, highBytes: Infinity, limitHits: 0, oomKills: 0, underOom: false, swapLimitBytes: Infinity, stat: {}, missing: [] },
    cpu: { usageUs: k * 750_000 * coresScale, userUs: k * 500_000 * coresScale, systemUs: k * 250_000 * coresScale, quotaCores: 2, periods: k * 10, throttledPeriods: 0, throttledUs: 0 },
    psi: {}, processes: [], stacks: undefined, probes: { finished: [], inFlightMs: [], stuck: 0 }, failures: [],
  } as unknown as TargetSample;
}

function hostAt(k: number): HostSample {
  return { monoMs: k * 1000, wallMs: T0 + k * 1000, vmstat: {}, psi: {}, cpuTicks: { user: 0, system: 0, idle: 0, iowait: 0, total: k * 200 }, cpus: 2, failures: [] } as unknown as HostSample;
}

/** A store in a temp directory with seconds `ks` of targets `ids`, folded into chunks like the agent's. */
function storeWith(t: TestContext, ids: string[], ks: Iterable<number>): Store {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwspark-'));
  const store = Store.open({ dir });
  t.after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  let last = 0;
  for (const k of ks) {
    store.appendTick(T0 + k * 1000, hostAt(k), ids.map((id) => ({ id, sample: sampleAt(k) })));
    last = k;
  }
  for (let r = store.maintain(T0 + last * 1000); r.more; r = store.maintain(T0 + last * 1000));
  return store;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const ring = (a: number, b: number): TargetSample[] => range(a, b).map((k) => sampleAt(k));

function assertLine(line: Sparkline | undefined, from: number, newest: number): asserts line is Sparkline {
  assert.ok(line, 'a sparkline');
  assert.ok(line.t.length <= SPARK_POINTS + 1, `${line.t.length} points`);
  assert.ok(line.t.length >= SPARK_POINTS - 1, `${line.t.length} points`);
  assert.ok(line.t[0]! >= from, 'no point before the range');
  assert.equal(line.t.at(-1), newest, 'the last point is the newest sample');
  for (let i = 1; i < line.t.length; i++) assert.ok(line.t[i]! > line.t[i - 1]!, 'times increase');
}

void test('an hour of 1 Hz samples becomes at most 60 means per target, CPU exact from the counters, memory against the limit', (t) => {
  const store = storeWith(t, ['a'], range(0, 3600));
  const to = T0 + 3599_000;
  const from = to - 3_600_000;
  const step = sparkStepMs(to - from);
  assert.equal(step, 60_000);
  const line = new SparkCache(store).sparklines([{ id: 'a', ring: ring(3590, 3600) }], 2, from, to, step).get('a');
  assertLine(line, from, to);
  for (const c of line.cpuCores) assert.ok(Math.abs(c! - 0.75) < 1e-9, `CPU ${c}`);
  for (const m of line.memoryRatio) assert.ok(m! >= 0.5 && m! < 1, `memory ratio ${m}`);
  assert.equal(line.progress.every((p) => p === 0), true, 'no faults, no I/O: zero progress while in the kernel');
});

void test('kept points extended from the ring, or from the store for what the ring missed, equal a fresh read', (t) => {
  const store = storeWith(t, ['a', 'b'], range(0, 1200));
  const cache = new SparkCache(store);
  const at = (end: number): { from: number; to: number } => ({ from: T0 + end * 1000 - 600_000, to: T0 + end * 1000 });
  let r = at(1000);
  cache.sparklines([{ id: 'a', ring: ring(990, 1001) }, { id: 'b', ring: ring(990, 1001) }], 2, r.from, r.to, sparkStepMs(600_000));
  assert.equal(cache.size, 2);
  // 'a' is asked again 5 s later (its ring still holds what was seen); 'b' 150 s later with a ring of 10 s.
  r = at(1005);
  const a = cache.sparklines([{ id: 'a', ring: ring(995, 1006) }], 2, r.from, r.to, sparkStepMs(600_000)).get('a');
  const fresh = (end: number, id: string): Sparkline | undefined => new SparkCache(store).sparklines([{ id, ring: ring(end - 10, end + 1) }], 2, at(end).from, at(end).to, sparkStepMs(600_000)).get(id);
  assert.deepEqual(a, fresh(1005, 'a'));
  assert.equal(cache.size, 1, 'a target not asked for is forgotten');
  r = at(1150);
  const b1 = cache.sparklines([{ id: 'b', ring: ring(1140, 1151) }], 2, r.from, r.to, sparkStepMs(600_000)).get('b');
  assertLine(b1, r.from, r.to);
  assert.deepEqual(b1, fresh(1150, 'b'));
});

void test('seconds with no sample are a gap, not a line', (t) => {
  const store = storeWith(t, ['a'], [...range(0, 600), ...range(900, 1200)]);
  const to = T0 + 1199_000;
  const line = new SparkCache(store).sparklines([{ id: 'a', ring: ring(1190, 1200) }], 2, to - 1_200_000, to, 10_000).get('a')!;
  const gap = line.t.map((w, i) => [w, line.cpuCores[i]] as const).filter(([, c]) => c === null).map(([w]) => (w - T0) / 1000);
  assert.deepEqual(gap, [900], 'one null point where the samples resume');
  assert.ok(line.t.every((w) => (w - T0) / 1000 < 600 || (w - T0) / 1000 >= 900), 'no point inside the gap');
});

void test('the first read of many targets is bounded by its budget; the next requests read the rest', (t) => {
  const ids = range(0, 6).map((i) => `t${i}`);
  const store = storeWith(t, ids, range(0, 900));
  const cache = new SparkCache(store, 0);
  const to = T0 + 899_000;
  const ask = (): Map<string, Sparkline> => cache.sparklines(ids.map((id) => ({ id, ring: ring(890, 900) })), 2, to - 600_000, to, sparkStepMs(600_000));
  const first = ask();
  assert.ok(first.size >= 1 && first.size < ids.length, `${first.size} of ${ids.length} read at once`);
  let n = 1;
  while (ask().size < ids.length) assert.ok(++n <= ids.length, 'each request reads at least one more');
  assert.equal(cache.size, ids.length);
});

void test('GET /api/v1/targets?spark= takes 60 s to 7 d in whole seconds; anything else is a 400 that says why', () => {
  const watch = { targets: () => new Map(), sampler: { ring: () => [], hostRing: () => [] } } as unknown as Watch;
  for (const [q, why] of [['spark=59', /spark: .*60/], ['spark=604801', /spark: .*604800/], ['spark=1.5', /spark: .*int/i], ['spark=abc', /spark: /], ['sparks=60', /unrecognized/i]] as const) {
    const a = listTargets(watch, undefined, new URLSearchParams(q));
    assert.equal(a.status, 400, q);
    assert.match((a.body as { error: { message: string } }).error.message, why, q);
  }
  const ok = listTargets(watch, undefined, new URLSearchParams('spark=3600'));
  assert.equal(ok.status, 200);
  assert.deepEqual((ok.body as { spark: unknown }).spark, { source: 'window' }, 'no store: the window, and the body says so');
});

void test('GET /api/v1/targets?spark=3600 over a store: history for a target with an hour of it, the window for one with two minutes', (t) => {
  const store = storeWith(t, ['a'], range(0, 3600));
  for (const k of range(3480, 3600)) store.appendTick(T0 + k * 1000, hostAt(k), [{ id: 'b', sample: sampleAt(k) }]);
  const state = (id: string): unknown => ({
    id, target: { cgroup: { path: `/${id}` } }, tracked: undefined, gone: false,
    assessment: { verdict: 'healthy', severity: 0, findings: [], samples: [{ wallMs: T0 }], intervals: [{ cpu: { totalCores: 0.25 }, memory: { usageRatio: 0.5 }, progress: { workPerSystemCpuSecond: 7 } }] },
  });
  const watch = { targets: () => new Map([['a', state('a')], ['b', state('b')]]), sampler: { ring: () => ring(3590, 3600), hostRing: () => [hostAt(3599)] } } as unknown as Watch;
  const now = T0 + 3599_000;
  const a = listTargets(watch, new SparkCache(store), new URLSearchParams('spark=3600'), now);
  assert.equal(a.status, 200);
  const body = a.body as { spark: Record<string, unknown>; targets: Array<{ id: string; spark: Sparkline & { source: string } }> };
  assert.deepEqual(body.spark, { source: 'store', fromMs: now - 3_600_000, toMs: now, stepMs: 60_000, pending: 0 });
  const [ta, tb] = ['a', 'b'].map((id) => body.targets.find((x) => x.id === id)!.spark);
  assert.equal(ta!.source, 'store');
  assertLine(ta, now - 3_600_000, now);
  assert.equal(tb!.source, 'window', 'four points of history: the window instead');
  assert.deepEqual([tb!.cpuCores, tb!.memoryRatio, tb!.progress], [[0.25], [0.5], [7]]);
});
