/**
 * The store's schema, as numbered migrations. `PRAGMA user_version` holds the number of the last one applied;
 * opening a store applies the missing ones in order, each in its own transaction. A migration is never edited
 * once released: a change is a new migration, tested from a file made by the previous ones
 * (see migrations.test.ts).
 */
import type Database from 'better-sqlite3';
import { UsageError } from '../../kernel/errors.js';

/** One schema step. */
export interface Migration {
  /** 1, 2, 3, ...: the `user_version` after it ran. */
  version: number;
  /** What it does, in a few words. */
  name: string;
  up(db: Database.Database): void;
}

/** Migration 1: the first schema. Host samples are stored under the target id '' (empty). */
const v1: Migration = {
  version: 1,
  name: 'samples (recent rows and chunks), targets, verdict changes, incidents, actions, runs',
  up(db) {
    db.exec(`
      CREATE TABLE recent (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        wall_ms INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE UNIQUE INDEX recent_target_time ON recent (target, wall_ms);
      CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        from_ms INTEGER NOT NULL,
        to_ms INTEGER NOT NULL,
        count INTEGER NOT NULL,
        step_ms INTEGER NOT NULL DEFAULT 0,
        data BLOB NOT NULL
      );
      CREATE INDEX chunks_target_time ON chunks (target, from_ms);
      CREATE INDEX chunks_time ON chunks (from_ms);
      CREATE TABLE targets (
        id TEXT PRIMARY KEY,
        cgroup TEXT NOT NULL,
        pod TEXT,
        namespace TEXT,
        container TEXT,
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        gone_ms INTEGER
      );
      CREATE TABLE verdict_changes (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        wall_ms INTEGER NOT NULL,
        from_verdict TEXT,
        to_verdict TEXT NOT NULL,
        severity REAL NOT NULL,
        findings TEXT NOT NULL
      );
      CREATE INDEX verdict_changes_time ON verdict_changes (wall_ms);
      CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        verdict TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER,
        peak_severity REAL NOT NULL,
        findings TEXT NOT NULL,
        evidence TEXT,
        variant TEXT
      );
      CREATE INDEX incidents_start ON incidents (start_ms);
      CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        incident_id INTEGER,
        ref TEXT UNIQUE,
        action TEXT NOT NULL,
        mode TEXT NOT NULL,
        state TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        ended_ms INTEGER,
        plan TEXT NOT NULL,
        result TEXT
      );
      CREATE INDEX actions_state ON actions (state);
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        wall_ms INTEGER NOT NULL,
        pid INTEGER NOT NULL
      );
    `);
  },
};

/**
 * Migration 2: each chunk's series projection (series-projection.ts), beside its samples. NULL in the chunks of
 * a v1 file: those are read whole and projected until `Store.maintain()` has built theirs, a few per call.
 */
const v2: Migration = {
  version: 2,
  name: 'chunks.series: the series projection of each chunk',
  up(db) {
    db.exec(`ALTER TABLE chunks ADD COLUMN series BLOB;
      CREATE INDEX chunks_no_series ON chunks (id) WHERE series IS NULL;`);
  },
};

/** Every migration of this build, in order. */
export const MIGRATIONS: readonly Migration[] = [v1, v2];

/**
 * Brings `db` to the last version of `migrations`; returns the versions applied. A file whose version is newer
 * than this build knows is refused (a UsageError saying so), never altered.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, file = 'the store'): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new RangeError(`migration ${i} has version ${m.version}; versions must be 1, 2, 3, ...`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new UsageError(`${file} has schema version ${current}, newer than this reclaimwatch knows (${migrations.length}): upgrade reclaimwatch, or point --store at another directory`);
  }
  const applied: number[] = [];
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}
