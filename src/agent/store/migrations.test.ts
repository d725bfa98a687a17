import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';
import { Store } from './store.js';

const T0 = 1_800_000_000_000;

/** A v2 as a later release might add it: a column with a default and a new table. */
const v2: Migration = {
  version: 2,
  name: 'incident notes; evidence files',
  up(db) {
    db.exec(`ALTER TABLE incidents ADD COLUMN note TEXT NOT NULL DEFAULT 'none';
      CREATE TABLE evidence_files (incident_id INTEGER NOT NULL, path TEXT NOT NULL);`);
  },
};

function tmpDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstore-mig-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store file made by this release (schema v1), with samples, a chunk and an incident in it. */
function makeV1File(dir: string): void {
  const s = Store.open({ dir, tuning: { chunkWindowMs: 10_000, compactAfterMs: 1000 } });
  for (let i = 0; i < 25; i++) s.appendTick(T0 + i * 1000, { i }, [{ id: 'a', sample: { i, limit: Infinity } }]);
  s.maintain(T0 + 60_000, 1000);
  s.openIncident({ targetId: 'a', verdict: 'thrashing', startWallMs: T0, peakSeverity: 2, findings: ['f'] });
  s.close();
}

test('a v1 store file opens under a v2 schema: v2 is applied once and every v1 record reads back', (t) => {
  const dir = tmpDir(t);
  makeV1File(dir);
  const file = path.join(dir, 'store.db');
  const raw = new Database(file, { readonly: true });
  assert.equal(raw.pragma('user_version', { simple: true }), 1);
  raw.close();

  const s = Store.open({ dir, tuning: { migrations: [...MIGRATIONS, v2] } });
  try {
    assert.deepStrictEqual(s.readTargetSamples('a', T0, T0 + 30_000, (x) => x), Array.from({ length: 25 }, (_, i) => ({ wallMs: T0 + i * 1000, sample: { i, limit: Infinity } })));
    assert.deepStrictEqual(s.listIncidents({}).map((i) => [i.verdict, i.findings]), [['thrashing', ['f']]]);
  } finally {
    s.close();
  }
  const db = new Database(file);
  try {
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    assert.deepStrictEqual(db.prepare('SELECT note FROM incidents').all(), [{ note: 'none' }]);
    db.prepare('INSERT INTO evidence_files VALUES (1, ?)').run('/x');
    assert.deepStrictEqual(migrate(db, [...MIGRATIONS, v2]), [], 'nothing left to apply');
  } finally {
    db.close();
  }
});

test('a store file from a newer schema is refused, by writers and readers, and left as it was', (t) => {
  const dir = tmpDir(t);
  makeV1File(dir);
  Store.open({ dir, tuning: { migrations: [...MIGRATIONS, v2] } }).close();
  const before = fs.readFileSync(path.join(dir, 'store.db'));
  assert.throws(() => Store.open({ dir }), { code: 'usage', message: /schema version 2, newer than this reclaimwatch knows \(1\): upgrade reclaimwatch/ });
  assert.throws(() => Store.openReadOnly(dir), { code: 'usage', message: /schema version 2, newer/ });
  assert.ok(before.equals(fs.readFileSync(path.join(dir, 'store.db'))));
  assert.ok(!fs.existsSync(path.join(dir, 'store.lock')), 'a refused open leaves no lock behind');
});

test('a migration that fails is rolled back whole: the version and the schema stay as they were', (t) => {
  const dir = tmpDir(t);
  makeV1File(dir);
  const broken: Migration = { version: 2, name: 'broken', up(db) { db.exec('CREATE TABLE half (x); SELECT no_such_function();'); } };
  assert.throws(() => Store.open({ dir, tuning: { migrations: [...MIGRATIONS, broken] } }), /no_such_function/);
  const db = new Database(path.join(dir, 'store.db'), { readonly: true });
  try {
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    assert.deepStrictEqual(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'`).get(), { n: 0 });
  } finally {
    db.close();
  }
});

test('migrations must be numbered 1, 2, 3, ... and a fresh store is created incremental-vacuum, WAL', (t) => {
  const dir = tmpDir(t);
  assert.throws(() => migrate(new Database(':memory:'), [{ ...v2 }]), /versions must be 1, 2, 3/);
  Store.open({ dir }).close();
  const db = new Database(path.join(dir, 'store.db'), { readonly: true });
  try {
    assert.equal(db.pragma('auto_vacuum', { simple: true }), 2, 'INCREMENTAL');
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  } finally {
    db.close();
  }
});
