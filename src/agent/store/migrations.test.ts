import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { encodeChunk } from './chunk-codec.js';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';
import { encodeRecent } from './recent-codec.js';
import { projectTargetSeries } from './series-projection.js';
import { Store } from './store.js';

const T0 = 1_800_000_000_000;

/** A migration as a later release might add it: a column with a default and a new table. */
const next: Migration = {
  version: MIGRATIONS.length + 1,
  name: 'incident notes; evidence files',
  up(db) {
    db.exec(`ALTER TABLE incidents ADD COLUMN note TEXT NOT NULL DEFAULT 'none';
      CREATE TABLE evidence_files (incident_id INTEGER NOT NULL, path TEXT NOT NULL);`);
  },
};

/** Runs `fn` on the store file opened by better-sqlite3 itself (read-only unless other options are given), then closes it. */
function withDb<T>(file: string, fn: (db: Database.Database) => T, opts: Database.Options = { readonly: true }): T {
  const db = new Database(file, opts);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function tmpDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstore-mig-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store file made by this release, with samples, a chunk and an incident in it. */
function makeCurrentFile(dir: string): void {
  const s = Store.open({ dir, tuning: { chunkWindowMs: 10_000, compactAfterMs: 1000 } });
  for (let i = 0; i < 25; i++) s.appendTick(T0 + i * 1000, { i }, [{ id: 'a', sample: { i, limit: Infinity } }]);
  s.maintain(T0 + 60_000, 1000);
  s.openIncident({ targetId: 'a', verdict: 'thrashing', startWallMs: T0, peakSeverity: 2, findings: ['f'] });
  s.close();
}

/** A target sample's shape, a little of it: what the series projection keeps and what it leaves out. */
const sampleAt = (i: number): unknown => ({ wallMs: T0 + i * 1000, monoMs: i * 1000, gone: false, cpu: { userUs: i * 7, systemUs: i * 3, quotaCores: Infinity, usageUs: i * 10 },
  memory: { version: 'v2', usageBytes: 4096 * i, limitBytes: Infinity, highBytes: Infinity, limitHits: 0, oomKills: 0, underOom: false, stat: { pgscan: i * 11, pgsteal: i * 5, anon: 4096 } },
  psi: {}, processes: [{ pid: 1, starttimeTicks: 9, minflt: i, majflt: 0, utimeTicks: i, stimeTicks: 0, threads: 1, running: 1, uninterruptible: 0 }],
  probes: { finished: [], inFlightMs: [], stuck: 0 }, failures: [] });

/**
 * A store file as the release before the series projection (schema 1) wrote it: its schema, two chunks of the
 * unchanged chunk codec (the compactor's 10 s windows), recent rows of the unchanged recent codec, an incident.
 */
function makeV1File(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  withDb(path.join(dir, 'store.db'), (db) => {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    assert.deepStrictEqual(migrate(db, MIGRATIONS.slice(0, 1)), [1]);
    const chunk = db.prepare('INSERT INTO chunks (target, from_ms, to_ms, count, step_ms, data) VALUES (?, ?, ?, ?, 0, ?)');
    const row = db.prepare('INSERT INTO recent (target, wall_ms, data) VALUES (?, ?, ?)');
    for (const [a, b] of [[0, 10], [10, 20]] as const) {
      const idx = Array.from({ length: b - a }, (_, k) => a + k);
      chunk.run('a', T0 + a * 1000, T0 + (b - 1) * 1000, idx.length, encodeChunk(idx.map((i) => ({ wallMs: T0 + i * 1000, sample: sampleAt(i) }))));
      chunk.run('', T0 + a * 1000, T0 + (b - 1) * 1000, idx.length, encodeChunk(idx.map((i) => ({ wallMs: T0 + i * 1000, sample: { i } }))));
    }
    for (let i = 20; i < 25; i++) {
      row.run('a', T0 + i * 1000, encodeRecent(sampleAt(i)));
      row.run('', T0 + i * 1000, encodeRecent({ i }));
    }
    db.prepare(`INSERT INTO incidents (id, target, verdict, start_ms, end_ms, peak_severity, findings) VALUES (1, 'a', 'thrashing', ?, NULL, 2, '["f"]')`).run(T0);
  }, {});
}

test('a schema 1 store file opens and upgrades: its samples read back whole, and as series before and after maintain() projects its chunks', (t) => {
  const dir = tmpDir(t);
  makeV1File(dir);
  const file = path.join(dir, 'store.db');
  const whole = Array.from({ length: 25 }, (_, i) => ({ wallMs: T0 + i * 1000, sample: sampleAt(i) }));
  const series = whole.map((s) => ({ wallMs: s.wallMs, sample: projectTargetSeries(s.sample) }));
  assert.ok(JSON.stringify(series[3]).length < JSON.stringify(whole[3]).length, 'the projection leaves something out');

  const reader = Store.openReadOnly(dir); // a reader of this release, while an agent of the last one writes the file
  try {
    assert.deepStrictEqual(reader.readTargetSamples('a', T0, T0 + 30_000, (x) => x), whole, 'the file as made reads with the old schema');
    assert.deepStrictEqual(reader.readTargetSamples('a', T0, T0 + 30_000, (x) => x, { series: true }), series, 'and its series, projected on read');
  } finally {
    reader.close();
  }

  const s = Store.open({ dir });
  try {
    withDb(file, (db) => {
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      assert.deepStrictEqual(db.prepare('SELECT count(*) AS n FROM chunks WHERE series IS NULL').get(), { n: 4 }, 'old chunks have no projection yet');
      assert.match(JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM chunks WHERE series IS NULL ORDER BY id DESC LIMIT 1`).all()), /chunks_no_series/, 'found through the partial index, not a scan');
    });
    assert.deepStrictEqual(s.readTargetSamples('a', T0, T0 + 30_000, (x) => x), whole);
    assert.deepStrictEqual(s.readTargetSamples('a', T0, T0 + 30_000, (x) => x, { series: true }), series, 'old chunks: read whole and projected');
    assert.deepStrictEqual(s.readTargetSamples('a', T0, T0 + 30_000, (x) => x, { series: true, stepMs: 4000 }), series.filter((x) => Math.floor(x.wallMs / 4000) !== Math.floor((x.wallMs - 1000) / 4000) || x.wallMs === T0));
    assert.deepStrictEqual(s.listIncidents({}).map((i) => [i.id, i.verdict, i.findings]), [[1, 'thrashing', ['f']]]);
    let projected = 0;
    for (let k = 0; k < 100; k++) {
      const r = s.maintain(T0 + 30_000, 1000);
      projected += r.projectedChunks;
      if (!r.more) break;
    }
    assert.equal(projected, 4, 'maintain() projected the four old chunks');
    assert.deepStrictEqual(s.readTargetSamples('a', T0, T0 + 30_000, (x) => x, { series: true }), series, 'from the projections now');
    assert.deepStrictEqual(s.readTargetSamples('a', T0, T0 + 30_000, (x) => x), whole);
    assert.deepStrictEqual(s.readHostSamples(T0, T0 + 30_000, (x) => x, { series: true }), Array.from({ length: 25 }, (_, i) => ({ wallMs: T0 + i * 1000, sample: {} })));
    assert.equal(s.maintain(T0 + 30_000, 1000).projectedChunks, 0);
  } finally {
    s.close();
  }
  withDb(file, (db) => {
    assert.deepStrictEqual(db.prepare('SELECT count(*) AS n FROM chunks WHERE series IS NULL').get(), { n: 0 });
  });
});

test('a store file of this release opens under a later schema: it is applied once and every record reads back', (t) => {
  const dir = tmpDir(t);
  makeCurrentFile(dir);
  const file = path.join(dir, 'store.db');
  withDb(file, (raw) => assert.equal(raw.pragma('user_version', { simple: true }), MIGRATIONS.length));

  const s = Store.open({ dir, tuning: { migrations: [...MIGRATIONS, next] } });
  try {
    assert.deepStrictEqual(s.readTargetSamples('a', T0, T0 + 30_000, (x) => x), Array.from({ length: 25 }, (_, i) => ({ wallMs: T0 + i * 1000, sample: { i, limit: Infinity } })));
    assert.deepStrictEqual(s.listIncidents({}).map((i) => [i.verdict, i.findings]), [['thrashing', ['f']]]);
  } finally {
    s.close();
  }
  withDb(file, (db) => {
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length + 1);
    assert.deepStrictEqual(db.prepare('SELECT note FROM incidents').all(), [{ note: 'none' }]);
    db.prepare('INSERT INTO evidence_files VALUES (1, ?)').run('/x');
    assert.deepStrictEqual(migrate(db, [...MIGRATIONS, next]), [], 'nothing left to apply');
  }, {});
});

test('a store file from a newer schema is refused, by writers and readers, and left as it was', (t) => {
  const dir = tmpDir(t);
  makeCurrentFile(dir);
  Store.open({ dir, tuning: { migrations: [...MIGRATIONS, next] } }).close();
  const before = fs.readFileSync(path.join(dir, 'store.db'));
  const v = MIGRATIONS.length;
  assert.throws(() => Store.open({ dir }), { code: 'usage', message: new RegExp(`schema version ${v + 1}, newer than this reclaimwatch knows \\(${v}\\): upgrade reclaimwatch`) });
  assert.throws(() => Store.openReadOnly(dir), { code: 'usage', message: new RegExp(`schema version ${v + 1}, newer`) });
  assert.ok(before.equals(fs.readFileSync(path.join(dir, 'store.db'))));
  assert.ok(!fs.existsSync(path.join(dir, 'store.lock')), 'a refused open leaves no lock behind');
});

test('a migration that fails is rolled back whole: the version and the schema stay as they were', (t) => {
  const dir = tmpDir(t);
  makeCurrentFile(dir);
  const broken: Migration = { version: MIGRATIONS.length + 1, name: 'broken', up(db) { db.exec('CREATE TABLE half (x); SELECT no_such_function();'); } };
  assert.throws(() => Store.open({ dir, tuning: { migrations: [...MIGRATIONS, broken] } }), /no_such_function/);
  withDb(path.join(dir, 'store.db'), (db) => {
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.deepStrictEqual(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'`).get(), { n: 0 });
  });
});

test('migrations must be numbered 1, 2, 3, ... and a fresh store is created incremental-vacuum, WAL', (t) => {
  const dir = tmpDir(t);
  assert.throws(() => migrate(new Database(':memory:'), [{ ...next, version: 2 }]), /versions must be 1, 2, 3/);
  Store.open({ dir }).close();
  withDb(path.join(dir, 'store.db'), (db) => {
    assert.equal(db.pragma('auto_vacuum', { simple: true }), 2, 'INCREMENTAL');
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  });
});
