import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { decodeHostSample, decodeTargetSample } from '../../sample/schema.js';
import { projectHostSeries, projectTargetSeries } from './series-projection.js';
import { Store, type StoreTuning } from './store.js';

const T0 = 1_800_000_000_000;
const DAY = 86_400_000;
const id = (x: unknown): unknown => x;

/** `v` with plain objects (fast-check makes some with a null prototype), numbers kept exactly. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: plain(x), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Incompressible bytes, the same for the same seed. */
function noise(seed: number, n: number): string {
  let x = (seed / 1000) | 0 || 1;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out.toString('base64');
}

function tmpStore(t: TestContext, opts: { maxBytes?: number; retentionMs?: number; tuning?: Partial<StoreTuning> } = {}): Store {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstore-'));
  const store = Store.open({ dir, ...opts });
  t.after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

function maintainAll(store: Store, now: number): void {
  for (let i = 0; i < 1000; i++) if (!store.maintain(now, 1000).more) return;
  assert.fail('maintain() never finished');
}

function chunkCount(store: Store): number {
  const db = new Database(store.file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const sampleArb = fc.oneof(
  fc.jsonValue(),
  fc.record({
    n: fc.double(),
    limit: fc.constantFrom(Infinity, -Infinity, NaN, -0, 'max', 2 ** 53 - 1),
    frames: fc.array(fc.constantFrom('shrink_folio_list', 'shrink_lruvec', 'lru_gen_shrink_node'), { maxLength: 4 }),
    nested: fc.array(fc.record({ tid: fc.nat(), state: fc.constantFrom('R', 'D'), x: fc.option(fc.float(), { nil: null }) }), { maxLength: 3 }),
  }),
);

test('arbitrary samples read back equal from recent rows, and again after compaction into chunks', (t) => {
  const store = tmpStore(t, { tuning: { chunkWindowMs: 10_000, compactAfterMs: 1000 } });
  let run = 0;
  fc.assert(fc.property(fc.array(sampleArb, { minLength: 1, maxLength: 30 }), (samples) => {
    const target = `p${run++}`;
    const base = T0 + run * 100_000;
    samples.forEach((s, i) => store.appendTick(base + i * 1000, { i }, [{ id: target, sample: s }]));
    const want = samples.map((s, i) => ({ wallMs: base + i * 1000, sample: plain(s) }));
    assert.deepStrictEqual(store.readTargetSamples(target, base, base + samples.length * 1000, id), want, 'from recent rows');
    maintainAll(store, base + 3_600_000);
    assert.deepStrictEqual(store.readTargetSamples(target, base, base + samples.length * 1000, id), want, 'from chunks');
  }), { numRuns: 60 });
  assert.ok(chunkCount(store) > 0, 'compaction made chunks');
});

test('Infinity, -Infinity, NaN and -0 in host and target samples survive recent rows and chunks', (t) => {
  const store = tmpStore(t, { tuning: { chunkWindowMs: 10_000, compactAfterMs: 1000 } });
  const s = { limitBytes: Infinity, floor: -Infinity, ratio: NaN, zero: -0, max: 'max', nested: [{ high: Infinity }] };
  for (let i = 0; i < 5; i++) store.appendTick(T0 + i * 1000, s, [{ id: 'a', sample: s }]);
  const want = Array.from({ length: 5 }, (_, i) => ({ wallMs: T0 + i * 1000, sample: s }));
  assert.deepStrictEqual(store.readTargetSamples('a', T0, T0 + 10_000, id), want);
  maintainAll(store, T0 + DAY);
  assert.ok(chunkCount(store) >= 2);
  assert.deepStrictEqual(store.readTargetSamples('a', T0, T0 + 10_000, id), want);
  assert.deepStrictEqual(store.readHostSamples(T0, T0 + 10_000, id), want);
});

test('a read merges chunks and recent rows in time order, bounds included, and shows gaps as missing seconds', (t) => {
  const store = tmpStore(t, { tuning: { chunkWindowMs: 10_000, compactAfterMs: 5000 } });
  const times = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, /* the agent was down */ 30, 31, 32, 33, 34, 35].map((s) => T0 + s * 1000);
  for (const w of times) store.appendTick(w, { w }, [{ id: 'a', sample: { w } }, { id: 'b', sample: { other: w } }]);
  store.maintain(T0 + 30_000, 1000); // folds [0, 10) and [10, 20); 30.. stays recent
  assert.ok(chunkCount(store) >= 2);
  const got = store.readTargetSamples('a', T0 + 1000, T0 + 33_000, (x) => (x as { w: number }).w);
  assert.deepStrictEqual(got.map((s) => s.wallMs), times.filter((w) => w >= T0 + 1000 && w <= T0 + 33_000));
  assert.deepStrictEqual(got.map((s) => s.sample), got.map((s) => s.wallMs));
  const stepped = store.readTargetSamples('a', T0, T0 + 40_000, id, { stepMs: 5000 });
  assert.deepStrictEqual(stepped.map((s) => (s.wallMs - T0) / 1000), [0, 5, 10, 30, 35]);
  assert.deepStrictEqual(store.readTargetSamples('nobody', T0, T0 + 40_000, id), []);
  assert.throws(() => store.readTargetSamples('', T0, T0 + 1, id), { code: 'usage' });
});

/** The old stepped read: every sample, then the first of each aligned step. */
function firstPerStep<T extends { wallMs: number }>(xs: readonly T[], step: number): T[] {
  const taken = new Set<number>();
  return xs.filter((x) => {
    const k = Math.floor(x.wallMs / step);
    if (taken.has(k)) return false;
    taken.add(k);
    return true;
  });
}

test('a stepped read gives exactly what a whole read filtered to the first sample of each aligned step gives', (t) => {
  const store = tmpStore(t, { tuning: { compactAfterMs: 1000 } });
  // Two hours at about 1 Hz, seconds skipped now and then, a gap of 7 min, wall times not on the second.
  const times: number[] = [];
  let w = T0 + 123;
  for (let i = 0; i < 7200; i++) {
    w += i % 97 === 0 ? 2000 : i === 3000 ? 420_000 : 1000 + (i % 3);
    times.push(w);
  }
  for (const x of times) store.appendTick(x, { x }, [{ id: 'a', sample: { x, c: Math.floor(x / 7000), s: x % 5 ? 'R' : 'D' } }]);
  maintainAll(store, times.at(-1)! - 600_000); // the last ten minutes stay recent rows
  assert.ok(chunkCount(store) > 10);
  const from = times[50]!;
  const to = times.at(-1)!;
  const whole = store.readTargetSamples('a', from, to, id);
  assert.equal(whole.length, times.length - 50);
  for (const step of [1000, 7000, 10_000, 44_000, 60_000, 120_000, 300_000, 3_600_000]) {
    const got = store.readTargetSamples('a', from, to, id, { stepMs: step });
    assert.deepStrictEqual(got, firstPerStep(whole, step), `step ${step} ms`);
    assert.deepStrictEqual(store.readHostSamples(from, to, id, { stepMs: step }), firstPerStep(store.readHostSamples(from, to, id), step), `host, step ${step} ms`);
  }
});

test('chunks written by codec version 1 (stores of earlier builds) read back whole and stepped beside new ones', (t) => {
  const store = tmpStore(t, { tuning: { compactAfterMs: 1000 } });
  // encodeChunk() of version 1 (commit 00f2ec2): 12 samples 7 s apart from 1_800_000_000_000.
  const v1 = Buffer.from('Y+RpOPCo9XHGhlxskJk5N7GCtzijKDMvOz6nqLQsNVkQykvLz8nMj8/JLC5hZ2BgYMxkZORhYGBCAAYG1tLixPRUkPgFfiY2Lj4hMSk5JTUtBgbWnMzczBJGJkZG7JgBDD7Uk0YzMDAXFIOcwcjEYIQADAxsaUWJuanFjOzsHKzMMNMZq5gYodoaAA==', 'base64');
  const db = new Database(store.file);
  db.prepare('INSERT INTO chunks (target, from_ms, to_ms, count, step_ms, data) VALUES (?, ?, ?, ?, 0, ?)').run('a', T0, T0 + 77_000, 12, v1);
  db.close();
  for (let i = 0; i < 400; i++) store.appendTick(T0 + 300_000 + i * 1000, {}, [{ id: 'a', sample: { i } }]);
  maintainAll(store, T0 + 3_600_000);
  const whole = store.readTargetSamples('a', T0, T0 + 3_600_000, id);
  assert.equal(whole.length, 412);
  assert.deepStrictEqual(whole[11], { wallMs: T0 + 77_000, sample: { i: 11, usage: 1121, limit: Infinity, psi: 2.75, frames: ['shrink_lruvec', 'shrink_folio_list'], z: -0 } });
  assert.deepStrictEqual(store.readTargetSamples('a', T0, T0 + 3_600_000, id, { stepMs: 60_000 }), firstPerStep(whole, 60_000));
});

const projected = (p: (x: unknown) => unknown) => (s: { wallMs: number; sample: unknown }) => ({ wallMs: s.wallMs, sample: p(s.sample) });

test('series reads give the series projection of each sample, from recent rows and from chunks, at any step', (t) => {
  const store = tmpStore(t, { tuning: { chunkWindowMs: 60_000, compactAfterMs: 1000 } });
  // A recorded thrashing target (memory v1, kernel stacks) and its host, replayed for 10 min with counters growing on.
  const rec = JSON.parse(fs.readFileSync('test/fixtures/recordings/thrash-hybrid-6.18-v2.json', 'utf8')) as { hostSamples: unknown[]; targets: Array<{ samples: unknown[] }> };
  const hosts = rec.hostSamples.map(decodeHostSample);
  const targets = rec.targets[0]!.samples.map(decodeTargetSample);
  for (let i = 0; i < 600; i++) {
    const k = i % targets.length;
    const grow = Math.floor(i / targets.length) * 1000;
    const s = targets[k]!;
    const sample = { ...s, wallMs: T0 + i * 1000, monoMs: i * 1000, cpu: { ...s.cpu!, userUs: s.cpu!.userUs! + grow, systemUs: s.cpu!.systemUs! + grow } };
    store.appendTick(T0 + i * 1000, { ...hosts[k]!, wallMs: T0 + i * 1000, monoMs: i * 1000 }, [{ id: 'a', sample }]);
  }
  const check = (what: string): void => {
    for (const step of [0, 1000, 7000, 44_000, 60_000, 300_000]) {
      const o = { stepMs: step };
      assert.deepStrictEqual(store.readTargetSamples('a', T0 + 500, T0 + 599_000, id, { ...o, series: true }), store.readTargetSamples('a', T0 + 500, T0 + 599_000, id, o).map(projected(projectTargetSeries)), `${what}, step ${step}`);
      assert.deepStrictEqual(store.readHostSamples(T0, T0 + 599_000, id, { ...o, series: true }), store.readHostSamples(T0, T0 + 599_000, id, o).map(projected(projectHostSeries)), `${what}, host, step ${step}`);
    }
  };
  check('recent rows');
  maintainAll(store, T0 + 420_000); // chunks up to 6 min, the rest recent rows
  assert.ok(chunkCount(store) >= 10);
  check('chunks and recent rows');
  const db = new Database(store.file, { readonly: true });
  try {
    assert.deepStrictEqual(db.prepare('SELECT count(*) AS n FROM chunks WHERE series IS NULL').get(), { n: 0 }, 'every chunk has its projection');
  } finally {
    db.close();
  }
  const some = store.readTargetSamples('a', T0, T0 + 599_000, id, { series: true });
  assert.equal(some.length, 600);
  assert.ok(some.some((s) => ((s.sample as { stacks?: unknown[] }).stacks?.length ?? 0) > 0), 'kernel stacks are kept (as frames)');
});

test('a decoder error while reading is thrown to the caller', (t) => {
  const store = tmpStore(t);
  store.appendTick(T0, {}, [{ id: 'a', sample: { v: 1 } }]);
  assert.throws(() => store.readTargetSamples('a', T0, T0, () => { throw new TypeError('bad sample'); }), /bad sample/);
});

test('targets, verdict changes, incidents, actions and runs are kept and listed', (t) => {
  const store = tmpStore(t);
  store.upsertTarget({ id: 'a', cgroup: '/kubepods/pod1/c1', pod: 'web-1', namespace: 'shop', container: 'app', firstSeenWallMs: T0, lastSeenWallMs: T0 });
  store.upsertTarget({ id: 'a', cgroup: '/kubepods/pod1/c1', pod: 'web-1', namespace: 'shop', container: 'app', firstSeenWallMs: T0 + 5, lastSeenWallMs: T0 + 9000, goneWallMs: T0 + 9000 });
  store.upsertTarget({ id: 'b', cgroup: '/system.slice/x', firstSeenWallMs: T0, lastSeenWallMs: T0 });
  assert.deepStrictEqual(store.listTargets(), [
    { id: 'a', cgroup: '/kubepods/pod1/c1', pod: 'web-1', namespace: 'shop', container: 'app', firstSeenWallMs: T0, lastSeenWallMs: T0 + 9000, goneWallMs: T0 + 9000 },
    { id: 'b', cgroup: '/system.slice/x', firstSeenWallMs: T0, lastSeenWallMs: T0 },
  ]);

  store.recordVerdictChange({ targetId: 'a', wallMs: T0 + 1000, from: null, to: 'healthy', severity: 0, findings: [] });
  store.recordVerdictChange({ targetId: 'a', wallMs: T0 + 5000, from: 'healthy', to: 'reclaim-livelock', severity: 3, findings: [{ code: 'progress', ratio: Infinity }] });
  store.recordVerdictChange({ targetId: 'b', wallMs: T0 + 6000, from: null, to: 'thrashing', severity: 2, findings: {} });
  assert.deepStrictEqual(store.listVerdictChanges({ targetId: 'a', sinceWallMs: T0 + 2000 }).map((c) => [c.to, c.findings]), [['reclaim-livelock', [{ code: 'progress', ratio: Infinity }]]]);
  assert.deepStrictEqual(store.listVerdictChanges({ untilWallMs: T0 + 5000 }).map((c) => c.to), ['healthy', 'reclaim-livelock']);

  const i1 = store.openIncident({ targetId: 'a', verdict: 'reclaim-livelock', startWallMs: T0 + 5000, peakSeverity: 3, findings: ['x'] });
  const i2 = store.openIncident({ targetId: 'b', verdict: 'thrashing', startWallMs: T0 + 6000, peakSeverity: 2, findings: [], variant: 'mglru-off' });
  assert.notEqual(i1, i2);
  store.updateIncident(i1, { peakSeverity: 4, evidencePath: '/var/lib/reclaimwatch/evidence/1', findings: { more: true } });
  store.closeIncident(i1, T0 + 60_000);
  assert.deepStrictEqual(store.getIncident(i1), { id: i1, targetId: 'a', verdict: 'reclaim-livelock', startWallMs: T0 + 5000, endWallMs: T0 + 60_000, peakSeverity: 4, findings: { more: true }, evidencePath: '/var/lib/reclaimwatch/evidence/1', variant: null });
  assert.deepStrictEqual(store.listIncidents({ open: true }).map((i) => i.id), [i2]);
  assert.deepStrictEqual(store.listIncidents({ open: false }).map((i) => i.id), [i1]);
  assert.deepStrictEqual(store.listIncidents({ targetId: 'b' }).map((i) => i.variant), ['mglru-off']);
  assert.deepStrictEqual(store.listIncidents({ sinceWallMs: T0 + 70_000 }).map((i) => i.id), [i2], 'ended before since: left out; open: kept');
  assert.equal(store.getIncident(999), undefined);

  const a1 = store.recordAction({ ref: 'uuid-1', targetId: 'a', incidentId: i1, action: 'restart', mode: 'restart', startedWallMs: T0 + 7000, plan: { freeze: ['/sys/fs/cgroup/freezer/x'] } });
  const a2 = store.recordAction({ targetId: 'b', action: 'hook', mode: 'hook', startedWallMs: T0 + 8000 });
  assert.deepStrictEqual(store.pendingActions().map((a) => a.id), [a1, a2]);
  store.finishAction(a1, 'done', { killed: 3 }, T0 + 7500);
  assert.deepStrictEqual(store.pendingActions().map((a) => a.id), [a2]);
  assert.deepStrictEqual(store.findAction('uuid-1'), { id: a1, ref: 'uuid-1', targetId: 'a', incidentId: i1, action: 'restart', mode: 'restart', state: 'done', startedWallMs: T0 + 7000, endedWallMs: T0 + 7500, plan: { freeze: ['/sys/fs/cgroup/freezer/x'] }, result: { killed: 3 } });
  assert.deepStrictEqual(store.listActions({ incidentId: i1 }).map((a) => a.id), [a1]);
  assert.deepStrictEqual(store.listActions({ targetId: 'b' }).map((a) => a.state), ['planned']);

  store.markRun('start', T0);
  store.markRun('stop', T0 + 100);
  assert.deepStrictEqual(store.listRuns().map((r) => [r.kind, r.wallMs, r.pid]), [['start', T0, process.pid], ['stop', T0 + 100, process.pid]]);
});

test('incident and action ids continue after a reopen', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstore-ids-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let s = Store.open({ dir });
  const i1 = s.openIncident({ targetId: 'a', verdict: 'thrashing', startWallMs: T0, peakSeverity: 1, findings: [] });
  const a1 = s.recordAction({ targetId: 'a', action: 'x', mode: 'dry-run', startedWallMs: T0 });
  s.close();
  s = Store.open({ dir });
  try {
    assert.equal(s.openIncident({ targetId: 'a', verdict: 'thrashing', startWallMs: T0, peakSeverity: 1, findings: [] }), i1 + 1);
    assert.equal(s.recordAction({ targetId: 'a', action: 'x', mode: 'dry-run', startedWallMs: T0 }), a1 + 1);
    assert.deepStrictEqual(s.pendingActions().map((a) => a.id), [a1, a1 + 1], 'planned actions survive a restart, to be repaired');
  } finally {
    s.close();
  }
});

test('age retention drops old chunks, keeps the samples of incidents still within retention, and the file shrinks', (t) => {
  const store = tmpStore(t, { retentionMs: 7 * DAY, tuning: { chunkWindowMs: 60_000, compactAfterMs: 1000, retentionEveryMs: 0 } });
  const now = T0 + 30 * DAY;
  const span = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i * 1000);
  const old = span(now - 10 * DAY, 600); // past retention
  const oldIncident = span(now - 9 * DAY, 120); // past retention, but its incident ended 2 days ago (still open then)
  const recent = span(now - 2 * DAY, 120);
  for (const w of [...old, ...oldIncident, ...recent]) store.appendTick(w, { w }, [{ id: 'a', sample: { w, noise: noise(w, 3000) } }]);
  store.openIncident({ targetId: 'a', verdict: 'reclaim-livelock', startWallMs: oldIncident[0]!, peakSeverity: 3, findings: [] });
  const iid = store.listIncidents({})[0]!.id;
  store.closeIncident(iid, now - 2 * DAY);
  const big = fs.statSync(store.file).size + fs.statSync(`${store.file}-wal`).size;
  maintainAll(store, now);
  const times = store.readTargetSamples('a', 0, now, (x) => (x as { w: number }).w).map((s) => s.wallMs);
  assert.ok(!times.some((w) => old.includes(w)), 'past retention: dropped');
  assert.ok(oldIncident.every((w) => times.includes(w)), 'incident samples kept whole');
  assert.ok(recent.every((w) => times.includes(w)), 'young samples kept');
  assert.equal(store.listIncidents({}).length, 1, 'incidents are never dropped');
  assert.ok(fs.statSync(store.file).size < big * 0.7, `file did not shrink: ${big} → ${fs.statSync(store.file).size}`);
});

test('size retention thins chunks older than a day, then drops the oldest, never incident samples, and stays under maxBytes', (t) => {
  const maxBytes = 2 * 2 ** 20;
  const store = tmpStore(t, { maxBytes, retentionMs: 30 * DAY, tuning: { chunkWindowMs: 60_000, compactAfterMs: 1000, retentionEveryMs: 0 } });
  const now = T0 + 30 * DAY;
  const incFrom = now - 2 * DAY + 3_600_000;
  const incTo = incFrom + 3_600_000;
  store.closeIncident(store.openIncident({ targetId: 'a', verdict: 'thrashing', startWallMs: incFrom, peakSeverity: 2, findings: [] }), incTo);
  // Two days of samples 5 s apart (~11 MiB of incompressible bytes, 2 MiB allowed), written oldest first as an agent would.
  const times: number[] = [];
  for (let w = now - 2 * DAY; w < now; w += 5000) times.push(w);
  let n = 0;
  for (const w of times) {
    store.appendTick(w, { w }, [{ id: 'a', sample: { w, noise: noise(w, 250), cpu: { userUs: w } } }]);
    if (++n % 200 === 0) store.maintain(w + 120_000, 10_000);
    assert.ok(store.status().writable, `not writable at tick ${n}: ${store.status().lastError?.message}`);
  }
  maintainAll(store, now);
  const got = store.readTargetSamples('a', 0, now, (x) => (x as { w: number }).w).map((s) => s.wallMs);
  const inIncident = times.filter((w) => w >= incFrom && w <= incTo);
  assert.ok(inIncident.every((w) => got.includes(w)), 'the incident: all its samples kept at full resolution');
  assert.ok(got.length < times.length, 'something was thinned or dropped');
  assert.ok(fs.statSync(store.file).size <= maxBytes, `file ${fs.statSync(store.file).size} > ${maxBytes}`);
  const old = got.filter((w) => w < now - DAY && (w < incFrom - 180_000 || w > incTo + 180_000));
  const gaps = old.slice(1).map((w, i) => w - old[i]!);
  assert.ok(old.length === 0 || gaps.some((g) => g >= 10_000), 'old samples thinned to 10 s or coarser');  for (const step of [10_000, 60_000, 3_600_000]) {
    assert.deepStrictEqual(store.readTargetSamples('a', 0, now, id, { stepMs: step }), firstPerStep(store.readTargetSamples('a', 0, now, id), step), `thinned and dropped chunks read at a ${step} ms step`);
    assert.deepStrictEqual(store.readTargetSamples('a', 0, now, id, { stepMs: step, series: true }), firstPerStep(store.readTargetSamples('a', 0, now, id), step).map(projected(projectTargetSeries)), `series of thinned chunks at a ${step} ms step`);
  }
});
