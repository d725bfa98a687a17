/**
 * The agent's embedded store: one SQLite database (better-sqlite3, WAL, one writer) in one directory.
 *
 * - Each tick's samples (the host's and every target's) are committed at once, one transaction, into `recent`
 *   (one row per target per tick, deflated lossless JSON), so a `kill -9` loses at most the tick being written.
 *   `synchronous=NORMAL`: a commit survives the process dying, not the machine losing power.
 * - {@link Store.maintain}, called by the agent off the sampling path, folds full windows of rows older than a
 *   minute into column-wise chunks (chunk-codec.ts), applies retention (retention.ts) and returns free pages to
 *   the file system (`auto_vacuum=INCREMENTAL`), in bounded steps.
 * - A full file system makes writes fail, not the agent: writes go to a bounded in-memory backlog
 *   (write-backlog.ts) and are made, oldest first, once a retry succeeds; {@link Store.status} says so.
 * - Readers in other processes (HTTP API, `history`, `doctor --at`) use {@link Store.openReadOnly} while the
 *   agent writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../../kernel/errors.js';
import { ChunkBuilder, decodeChunk, encodeChunk, type TimedSample } from './chunk-codec.js';
import { losslessParse, losslessStringify } from './lossless-json.js';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';
import { decodeRecent, encodeRecent } from './recent-codec.js';
import { DEFAULT_RETENTION_LIMITS, planRetention, type RetentionChunk, type RetentionLimits } from './retention.js';
import { decodeSeriesChunk, encodeSeriesChunk, SeriesBuilder } from './series-codec.js';
import { projectHostSeries, projectTargetSeries, SERIES_VERSION, type SeriesKind } from './series-projection.js';
import type {
  Action, ActionState, Incident, IncidentPatch, MaintenanceReport, NewAction, NewIncident, RunMarker, StoreError,
  StoreOptions, StoreStatus, TargetMeta, VerdictChange,
} from './store-types.js';
import { isStoreFullError, WriteBacklog, type BackloggedWrite, type BacklogLimits } from './write-backlog.js';

export type {
  Action, ActionMode, ActionState, Incident, IncidentPatch, MaintenanceReport, NewAction, NewIncident, RunMarker, StoreError,
  StoreOptions, StoreStatus, TargetMeta, VerdictChange,
} from './store-types.js';

/** Where the agent keeps its store unless told otherwise. */
export const DEFAULT_STORE_DIR = '/var/lib/reclaimwatch';
/** The database's file name inside the store directory. */
export const STORE_FILE = 'store.db';
const LOCK_FILE = 'store.lock';
/** Host samples are stored under this target id. */
const HOST_ID = '';
/** No chunk spans more than this (range queries rely on it). */
const MAX_CHUNK_SPAN_MS = 3_600_000;

/** Knobs for tests and the bench; the defaults are what the agent uses. */
export interface StoreTuning {
  /** Chunk window: a chunk holds one target's samples of one aligned window (default 5 min, at most 1 h). */
  chunkWindowMs: number;
  /** Rows younger than this stay in `recent` (default 1 min). */
  compactAfterMs: number;
  /** How often a failed write is retried while the disk is full (default 1 s). */
  retryMs: number;
  /** How often retention is planned when the store is under its size limit (default 30 s). */
  retentionEveryMs: number;
  backlog: BacklogLimits;
  /** The schema (tests add a migration to test upgrades). */
  migrations: readonly Migration[];
  /** Retention limits other than age and size (full-resolution age, thinning steps, incident margin, water marks). */
  retention: Partial<Omit<RetentionLimits, 'retentionMs' | 'maxBytes'>>;
}

const DEFAULT_TUNING: StoreTuning = {
  chunkWindowMs: 300_000,
  compactAfterMs: 60_000,
  retryMs: 1000,
  retentionEveryMs: 30_000,
  backlog: { maxTicks: 300, maxRecords: 10_000 },
  migrations: MIGRATIONS,
  retention: {},
};

/** How to read samples. */
export interface ReadOptions {
  /**
   * Keep at most one sample per step (the first in each aligned step); 0 or absent: every sample. A step of whole
   * minutes is the fast one: chunks are then read only as far as their first sample of each minute (chunk-codec.ts).
   */
  stepMs?: number;
  /**
   * Read each sample's series projection (series-projection.ts), not the whole sample: the fields a series is
   * derived from, read from the small projection kept with each chunk (a chunk of an older store without one is
   * read whole and projected). The samples are the same ones, at the same times.
   */
  series?: boolean;
}

/** The projected samples a chunk's series holds (series-codec.ts), or undefined when it is of another version. */
function decodeSeries(blob: Uint8Array, keep: (wallMs: number) => boolean, opts: { stepMs?: number }): TimedSample[] | undefined {
  return blob[0] === SERIES_VERSION ? decodeSeriesChunk(blob, keep, opts) : undefined;
}

function seriesKindOf(target: string): SeriesKind {
  return target === HOST_ID ? 'host' : 'target';
}

function projectionOf(target: string): (x: unknown) => unknown {
  return target === HOST_ID ? projectHostSeries : projectTargetSeries;
}

interface IncidentRow { id: number; target: string; verdict: string; start_ms: number; end_ms: number | null; peak_severity: number; findings: string; evidence: string | null; variant: string | null }
interface ActionRow { id: number; ref: string | null; plan: string; target: string; incident_id: number | null; action: string; mode: Action['mode']; state: ActionState; started_ms: number; ended_ms: number | null; result: string | null }
interface TargetRow { id: string; cgroup: string; pod: string | null; namespace: string | null; container: string | null; first_seen_ms: number; last_seen_ms: number; gone_ms: number | null }

function errorOf(err: unknown): StoreError {
  const e = err as { code?: unknown; message?: unknown };
  return { code: typeof e.code === 'string' ? e.code : 'ERROR', message: typeof e.message === 'string' ? e.message : String(err) };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the writer's lock file (a pid); a stale lock of a dead process is taken over. */
function takeLock(lockPath: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
      throw new UsageError(`another reclaimwatch agent (pid ${pid}) writes the store in ${path.dirname(lockPath)}: stop it, or pass another --store directory (readers need no lock: history and doctor --at read it as it is)`);
    }
    fs.rmSync(lockPath, { force: true });
  }
  throw new UsageError(`cannot take the store lock ${lockPath}: remove it if no agent runs`);
}

/** The embedded store (see the module comment). One writer per directory; any number of read-only readers. */
export class Store {
  /** The store's directory and database file. */
  readonly dir: string;
  readonly file: string;
  private readonly backlog: WriteBacklog;
  private writable = true;
  private lastError: StoreError | undefined;
  private lastTryMs = -Infinity;
  private lastRetentionMs = -Infinity;
  private lastCheckpointMs = -Infinity;
  /** A window being folded into a chunk over several maintain() calls. */
  private folding: { target: string; rows: Array<{ wall_ms: number; data: Buffer }>; builder: ChunkBuilder; series: SeriesBuilder } | undefined;
  /** Every chunk has its series projection (none left from a store written before schema 2). */
  private allProjected = false;
  /** The file's chunks have a `series` column (schema 2 and later). */
  private readonly hasSeries: boolean;
  private nextIncidentId = 1;
  private nextActionId = 1;
  private readonly limits: RetentionLimits;
  private readonly tickTx: ((rows: Array<[string, number, Buffer]>) => void) | undefined;

  private constructor(
    private readonly db: Database.Database,
    dir: string,
    private readonly readOnly: boolean,
    private readonly tuning: StoreTuning,
    limits: RetentionLimits,
    private readonly lockPath: string | undefined,
  ) {
    this.dir = dir;
    this.file = path.join(dir, STORE_FILE);
    this.limits = limits;
    this.backlog = new WriteBacklog(tuning.backlog);
    // A reader of a file an older agent still writes (schema 1) finds no projections: series are then projected on read.
    this.hasSeries = db.prepare(`SELECT 1 FROM pragma_table_info('chunks') WHERE name = 'series'`).get() !== undefined;
    if (!readOnly) {
      const ins = db.prepare('INSERT OR REPLACE INTO recent (target, wall_ms, data) VALUES (?, ?, ?)');
      this.tickTx = db.transaction((rows: Array<[string, number, Buffer]>) => {
        for (const r of rows) ins.run(r[0], r[1], r[2]);
      });
      this.nextIncidentId = ((db.prepare('SELECT max(id) AS m FROM incidents').get() as { m: number | null }).m ?? 0) + 1;
      this.nextActionId = ((db.prepare('SELECT max(id) AS m FROM actions').get() as { m: number | null }).m ?? 0) + 1;
    }
  }

  /**
   * Opens (creating when missing) the store in `opts.dir` as its one writer, applying schema migrations.
   * Throws a UsageError when another live agent holds the directory or the file is from a newer reclaimwatch.
   */
  static open(opts: StoreOptions & { tuning?: Partial<StoreTuning> }): Store {
    if (opts.readOnly) return Store.openReadOnly(opts.dir);
    const tuning: StoreTuning = { ...DEFAULT_TUNING, ...opts.tuning };
    if (tuning.chunkWindowMs > MAX_CHUNK_SPAN_MS || tuning.chunkWindowMs < 1000) throw new RangeError('chunkWindowMs must be within 1 s .. 1 h');
    const maxBytes = opts.maxBytes ?? DEFAULT_RETENTION_LIMITS.maxBytes;
    const retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_LIMITS.retentionMs;
    if (!(maxBytes >= 1 << 20)) throw new UsageError(`the store size limit must be at least 1 MiB (got ${maxBytes} bytes)`);
    if (!(retentionMs > 0)) throw new UsageError(`the store retention must be positive (got ${retentionMs} ms)`);
    const limits: RetentionLimits = { ...DEFAULT_RETENTION_LIMITS, ...tuning.retention, maxBytes, retentionMs };
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o750 });
    const lockPath = path.join(opts.dir, LOCK_FILE);
    takeLock(lockPath);
    let db: Database.Database | undefined;
    try {
      db = new Database(path.join(opts.dir, STORE_FILE));
      const fresh = (db.pragma('page_count', { simple: true }) as number) === 0;
      if (fresh) db.pragma('auto_vacuum = INCREMENTAL'); // only takes effect before the first table
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 2000');
      db.pragma('wal_autocheckpoint = 4000'); // a safety net: maintain() checkpoints first
      db.pragma('journal_size_limit = 16777216');
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(256, Math.floor(maxBytes / pageSize))}`);
      migrate(db, tuning.migrations, path.join(opts.dir, STORE_FILE));
      return new Store(db, opts.dir, false, tuning, limits, lockPath);
    } catch (err) {
      db?.close();
      fs.rmSync(lockPath, { force: true });
      throw err;
    }
  }

  /**
   * Opens an existing store for reading, also while an agent writes it. Throws a UsageError saying what to do
   * when `dir` holds no store.
   */
  static openReadOnly(dir: string, opts: { tuning?: Partial<StoreTuning> } = {}): Store {
    const file = path.join(dir, STORE_FILE);
    if (!fs.existsSync(file)) {
      throw new UsageError(`no reclaimwatch store in ${dir} (${file} does not exist): pass the --store directory the agent writes, or start one with \`reclaimwatch agent --store ${dir}\``);
    }
    const tuning: StoreTuning = { ...DEFAULT_TUNING, ...opts.tuning };
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 2000');
    } catch (err) {
      throw new UsageError(`cannot open the store ${file} for reading (${errorOf(err).code}): check its permissions (readers need to read the -wal and -shm files beside it)`, { cause: err });
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < 1 || version > tuning.migrations.length) {
      db.close();
      throw new UsageError(version < 1
        ? `${file} is not a reclaimwatch store (schema version ${version}): pass the --store directory the agent writes`
        : `${file} has schema version ${version}, newer than this reclaimwatch knows (${tuning.migrations.length}): upgrade reclaimwatch`);
    }
    return new Store(db, dir, true, tuning, DEFAULT_RETENTION_LIMITS, undefined);
  }

  /** Writes what the backlog still holds (when it can), and closes the database and the writer's lock. */
  close(): void {
    if (!this.db.open) return;
    if (!this.readOnly) {
      try {
        this.drain(true);
      } catch {
        // closing anyway: what could not be written is lost, as it would be on a crash
      }
    }
    this.db.close();
    if (this.lockPath) {
      try {
        if (Number.parseInt(fs.readFileSync(this.lockPath, 'utf8'), 10) === process.pid) fs.rmSync(this.lockPath, { force: true });
      } catch {
        // the lock is already gone
      }
    }
  }

  private assertWriter(what: string): void {
    if (this.readOnly) throw new UsageError(`the store in ${this.dir} is open read-only: cannot ${what}`);
  }

  private fail(err: unknown): void {
    this.writable = false;
    this.lastError = errorOf(err);
    this.lastTryMs = performance.now();
  }

  /** Makes a write now, or keeps it for later when the disk is full (or earlier writes still wait). */
  private write(w: BackloggedWrite): void {
    if (this.backlog.size === 0 && this.writable) {
      try {
        w.run();
        return;
      } catch (err) {
        if (!isStoreFullError(err)) throw err;
        this.fail(err);
      }
      this.backlog.push(w);
      return;
    }
    this.backlog.push(w);
    this.drain(false);
  }

  /** Writes the backlog, oldest first, in transactions of a few writes; returns how many were made. */
  private drain(force: boolean): number {
    if (this.backlog.size === 0) return 0;
    const t0 = performance.now();
    if (!this.writable && !force && t0 - this.lastTryMs < this.tuning.retryMs) return 0;
    this.lastTryMs = t0;
    let done = 0;
    while (this.backlog.size > 0) {
      const batch = this.backlog.peek(30);
      try {
        this.db.transaction(() => { for (const w of batch) w.run(); })();
      } catch (err) {
        if (!isStoreFullError(err)) {
          // One write is bad (not the disk): drop that batch rather than block every later write behind it.
          this.lastError = errorOf(err);
          this.backlog.shift(batch.length);
          continue;
        }
        this.fail(err);
        return done;
      }
      this.backlog.shift(batch.length);
      done += batch.length;
      this.writable = true;
      if (!force && performance.now() - t0 > 20) break; // the rest at the next tick
    }
    return done;
  }

  /**
   * One tick: the host sample and every target's sample, committed in one transaction (or backlogged when the
   * disk is full). Samples are any JSON-like values; Infinity, -Infinity, NaN and -0 are kept exactly.
   */
  appendTick(wallMs: number, host: unknown, targets: ReadonlyArray<{ id: string; sample: unknown }>): void {
    this.assertWriter('append a tick');
    if (!Number.isFinite(wallMs)) throw new RangeError(`a tick needs a finite wall time (got ${wallMs})`);
    const t = Math.round(wallMs);
    const rows: Array<[string, number, Buffer]> = [[HOST_ID, t, encodeRecent(host)]];
    for (const x of targets) {
      if (x.id === HOST_ID) throw new UsageError('a target id cannot be empty (the empty id holds host samples)');
      rows.push([x.id, t, encodeRecent(x.sample)]);
    }
    const tx = this.tickTx!;
    this.write({ kind: 'tick', run: () => tx(rows) });
  }

  /** Host samples with `from ≤ wallMs ≤ to`, in time order, each passed through `decode`. */
  readHostSamples<T>(fromWallMs: number, toWallMs: number, decode: (x: unknown) => T, opts: ReadOptions = {}): Array<{ wallMs: number; sample: T }> {
    return this.readSamples(HOST_ID, fromWallMs, toWallMs, decode, opts);
  }

  /**
   * One target's samples with `from ≤ wallMs ≤ to`, in time order (chunks and recent rows merged), each passed
   * through `decode` (e.g. a zod schema's parse; what it throws is thrown). Missing seconds are simply absent:
   * the agent was down, or the target did not exist.
   */
  readTargetSamples<T>(targetId: string, fromWallMs: number, toWallMs: number, decode: (x: unknown) => T, opts: ReadOptions = {}): Array<{ wallMs: number; sample: T }> {
    if (targetId === HOST_ID) throw new UsageError('a target id cannot be empty (use readHostSamples for the host)');
    return this.readSamples(targetId, fromWallMs, toWallMs, decode, opts);
  }

  private readSamples<T>(target: string, from: number, to: number, decode: (x: unknown) => T, opts: ReadOptions): Array<{ wallMs: number; sample: T }> {
    const step = opts.stepMs ?? 0;
    const series = opts.series === true;
    // A series read takes the chunk's projection; its samples only where there is none of this version.
    const { chunks, recent } = this.db.transaction(() => ({
      chunks: (series && this.hasSeries
        ? this.db.prepare(`SELECT from_ms, series, CASE WHEN series IS NULL OR substr(series, 1, 1) != ? THEN data END AS data FROM chunks
            WHERE target = ? AND from_ms >= ? AND from_ms <= ? AND to_ms >= ? ORDER BY from_ms, id`).all(Buffer.of(SERIES_VERSION), target, from - MAX_CHUNK_SPAN_MS, to, from)
        : this.db.prepare('SELECT from_ms, NULL AS series, data FROM chunks WHERE target = ? AND from_ms >= ? AND from_ms <= ? AND to_ms >= ? ORDER BY from_ms, id')
          .all(target, from - MAX_CHUNK_SPAN_MS, to, from)) as Array<{ from_ms: number; series: Buffer | null; data: Buffer | null }>,
      recent: this.db.prepare('SELECT wall_ms, data FROM recent WHERE target = ? AND wall_ms >= ? AND wall_ms <= ? ORDER BY wall_ms')
        .all(target, from, to) as Array<{ wall_ms: number; data: Buffer }>,
    }))();
    const project = series ? projectionOf(target) : undefined;
    const taken = new Set<number>();
    const keep = (w: number): boolean => {
      if (w < from || w > to) return false;
      const key = step > 0 ? Math.floor(w / step) : w;
      if (taken.has(key)) return false;
      taken.add(key);
      return true;
    };
    const out: TimedSample[] = [];
    // A chunk read at a step of whole minutes inflates and walks only the samples that can come first in
    // a step (chunk-codec.ts); not the one that starts before `from`, whose first sample in range may be any.
    for (const c of chunks) {
      const o = c.from_ms < from ? {} : { stepMs: step };
      const projected = c.series && decodeSeries(c.series, keep, o);
      if (projected) { for (const s of projected) out.push(s); continue; }
      if (!c.data) throw new Error('a chunk read without its samples'); // selected whenever its projection is not used
      for (const s of decodeChunk(c.data, keep, o)) out.push(project ? { wallMs: s.wallMs, sample: project(s.sample) } : s);
    }
    for (const r of recent) {
      if (!keep(r.wall_ms)) continue;
      const s = decodeRecent(r.data);
      out.push({ wallMs: r.wall_ms, sample: project ? project(s) : s });
    }
    out.sort((a, b) => a.wallMs - b.wallMs);
    return out.map((s) => ({ wallMs: s.wallMs, sample: decode(s.sample) }));
  }

  /** Records a target or updates it (first seen is kept as the earliest, last seen as the latest). */
  upsertTarget(meta: TargetMeta): void {
    this.assertWriter('record a target');
    if (meta.id === HOST_ID) throw new UsageError('a target id cannot be empty');
    const stmt = this.db.prepare(`INSERT INTO targets (id, cgroup, pod, namespace, container, first_seen_ms, last_seen_ms, gone_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET cgroup = excluded.cgroup, pod = excluded.pod, namespace = excluded.namespace,
        container = excluded.container, first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
        last_seen_ms = max(last_seen_ms, excluded.last_seen_ms), gone_ms = excluded.gone_ms`);
    const args = [meta.id, meta.cgroup, meta.pod ?? null, meta.namespace ?? null, meta.container ?? null,
      meta.firstSeenWallMs, meta.lastSeenWallMs, meta.goneWallMs ?? null];
    this.write({ kind: 'record', run: () => stmt.run(...args) });
  }

  /** Every target ever recorded, by id. */
  listTargets(): TargetMeta[] {
    const rows = this.db.prepare('SELECT * FROM targets ORDER BY id').all() as TargetRow[];
    return rows.map((r) => {
      const m: TargetMeta = { id: r.id, cgroup: r.cgroup, firstSeenWallMs: r.first_seen_ms, lastSeenWallMs: r.last_seen_ms };
      if (r.pod !== null) m.pod = r.pod;
      if (r.namespace !== null) m.namespace = r.namespace;
      if (r.container !== null) m.container = r.container;
      if (r.gone_ms !== null) m.goneWallMs = r.gone_ms;
      return m;
    });
  }

  /** Records one verdict change with its findings (any JSON-like value). */
  recordVerdictChange(c: Omit<VerdictChange, 'id'>): void {
    this.assertWriter('record a verdict change');
    const stmt = this.db.prepare('INSERT INTO verdict_changes (target, wall_ms, from_verdict, to_verdict, severity, findings) VALUES (?, ?, ?, ?, ?, ?)');
    const args = [c.targetId, c.wallMs, c.from, c.to, c.severity, losslessStringify(c.findings)];
    this.write({ kind: 'record', run: () => stmt.run(...args) });
  }

  /** Verdict changes in time order, optionally of one target and within `since ≤ wallMs ≤ until`. */
  listVerdictChanges(q: { sinceWallMs?: number; untilWallMs?: number; targetId?: string } = {}): VerdictChange[] {
    const rows = this.db.prepare(`SELECT * FROM verdict_changes WHERE wall_ms >= ? AND wall_ms <= ? AND (? IS NULL OR target = ?) ORDER BY wall_ms, id`)
      .all(q.sinceWallMs ?? -Number.MAX_SAFE_INTEGER, q.untilWallMs ?? Number.MAX_SAFE_INTEGER, q.targetId ?? null, q.targetId ?? null) as Array<{ id: number; target: string; wall_ms: number; from_verdict: string | null; to_verdict: string; severity: number; findings: string }>;
    return rows.map((r) => ({ id: r.id, targetId: r.target, wallMs: r.wall_ms, from: r.from_verdict, to: r.to_verdict, severity: r.severity, findings: losslessParse(r.findings) }));
  }

  /** Opens an incident; returns its id (allocated at once, also while the disk is full). */
  openIncident(i: NewIncident): number {
    this.assertWriter('open an incident');
    const id = this.nextIncidentId++;
    const stmt = this.db.prepare('INSERT INTO incidents (id, target, verdict, start_ms, end_ms, peak_severity, findings, evidence, variant) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)');
    const args = [id, i.targetId, i.verdict, i.startWallMs, i.peakSeverity, losslessStringify(i.findings), i.evidencePath ?? null, i.variant ?? null];
    this.write({ kind: 'record', run: () => stmt.run(...args) });
    return id;
  }

  /** Changes an incident's verdict, peak severity, findings, evidence path, variant or end. */
  updateIncident(id: number, patch: IncidentPatch): void {
    this.assertWriter('update an incident');
    const cols: Record<keyof IncidentPatch, string> = { verdict: 'verdict', peakSeverity: 'peak_severity', findings: 'findings', evidencePath: 'evidence', variant: 'variant', endWallMs: 'end_ms' };
    const sets: string[] = [];
    const args: unknown[] = [];
    for (const k of Object.keys(cols) as Array<keyof IncidentPatch>) {
      if (!(k in patch)) continue;
      sets.push(`${cols[k]} = ?`);
      args.push(k === 'findings' ? losslessStringify(patch.findings) : patch[k] ?? null);
    }
    if (sets.length === 0) return;
    const stmt = this.db.prepare(`UPDATE incidents SET ${sets.join(', ')} WHERE id = ?`);
    args.push(id);
    this.write({ kind: 'record', run: () => stmt.run(...args) });
  }

  /** Ends an incident. */
  closeIncident(id: number, endWallMs: number): void {
    this.updateIncident(id, { endWallMs });
  }

  /** Incidents by start time: those still open, or ended at or after `since`; optionally of one target, or only open ones. */
  listIncidents(q: { sinceWallMs?: number; targetId?: string; open?: boolean } = {}): Incident[] {
    const rows = this.db.prepare(`SELECT * FROM incidents WHERE (end_ms IS NULL OR end_ms >= ?) AND (? IS NULL OR target = ?)
      AND (? IS NULL OR (? = 1) = (end_ms IS NULL)) ORDER BY start_ms, id`)
      .all(q.sinceWallMs ?? -Number.MAX_SAFE_INTEGER, q.targetId ?? null, q.targetId ?? null, q.open === undefined ? null : 1, q.open ? 1 : 0) as IncidentRow[];
    return rows.map(incidentOf);
  }

  /** One incident, or undefined. */
  getIncident(id: number): Incident | undefined {
    const r = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
    return r && incidentOf(r);
  }

  /** Records a remediation action as `planned`, before it runs; returns its id. */
  recordAction(a: NewAction): number {
    this.assertWriter('record an action');
    const id = this.nextActionId++;
    const stmt = this.db.prepare(`INSERT INTO actions (id, ref, target, incident_id, action, mode, state, started_ms, ended_ms, plan, result) VALUES (?, ?, ?, ?, ?, ?, 'planned', ?, NULL, ?, NULL)`);
    const args = [id, a.ref ?? null, a.targetId, a.incidentId ?? null, a.action, a.mode, a.startedWallMs, losslessStringify(a.plan ?? null)];
    this.write({ kind: 'record', run: () => stmt.run(...args) });
    return id;
  }

  /** Records how an action ended (`interrupted`: found still planned at start, and repaired). */
  finishAction(id: number, state: Exclude<ActionState, 'planned'>, result: unknown, endedWallMs: number = Date.now()): void {
    this.assertWriter('finish an action');
    const stmt = this.db.prepare('UPDATE actions SET state = ?, ended_ms = ?, result = ? WHERE id = ?');
    const args = [state, endedWallMs, losslessStringify(result), id];
    this.write({ kind: 'record', run: () => stmt.run(...args) });
  }

  /** The action recorded with this caller's id, or undefined. */
  findAction(ref: string): Action | undefined {
    const r = this.db.prepare('SELECT * FROM actions WHERE ref = ?').get(ref) as ActionRow | undefined;
    return r && actionOf(r);
  }

  /** Actions still `planned`: at start, these were interrupted by a crash and need repair. */
  pendingActions(): Action[] {
    return (this.db.prepare(`SELECT * FROM actions WHERE state = 'planned' ORDER BY id`).all() as ActionRow[]).map(actionOf);
  }

  /** Actions by start time, optionally since a time, of one target or of one incident. */
  listActions(q: { sinceWallMs?: number; targetId?: string; incidentId?: number } = {}): Action[] {
    return (this.db.prepare('SELECT * FROM actions WHERE started_ms >= ? AND (? IS NULL OR target = ?) AND (? IS NULL OR incident_id = ?) ORDER BY started_ms, id')
      .all(q.sinceWallMs ?? -Number.MAX_SAFE_INTEGER, q.targetId ?? null, q.targetId ?? null, q.incidentId ?? null, q.incidentId ?? null) as ActionRow[]).map(actionOf);
  }

  /** Marks an agent start or stop (a start without a stop before the next start: the agent was killed). */
  markRun(kind: 'start' | 'stop', wallMs: number): void {
    this.assertWriter('mark a run');
    const stmt = this.db.prepare('INSERT INTO runs (kind, wall_ms, pid) VALUES (?, ?, ?)');
    const args = [kind, wallMs, process.pid];
    this.write({ kind: 'record', run: () => stmt.run(...args) });
  }

  /** Start and stop markers in time order. */
  listRuns(q: { sinceWallMs?: number } = {}): RunMarker[] {
    return (this.db.prepare('SELECT kind, wall_ms, pid FROM runs WHERE wall_ms >= ? ORDER BY wall_ms, id').all(q.sinceWallMs ?? -Number.MAX_SAFE_INTEGER) as Array<{ kind: RunMarker['kind']; wall_ms: number; pid: number }>)
      .map((r) => ({ kind: r.kind, wallMs: r.wall_ms, pid: r.pid }));
  }

  /** Bytes in use: pages holding data (free pages excluded). */
  private usedBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  /**
   * Bounded background work, called by the agent every few seconds: writes the backlog, folds old `recent` rows
   * into chunks, applies retention, returns free pages to the file system and checkpoints the WAL. Stops once
   * `budgetMs` is spent (the report's `more` says work is left).
   */
  maintain(nowWallMs: number, budgetMs = 50): MaintenanceReport {
    this.assertWriter('maintain');
    const t0 = performance.now();
    const deadline = t0 + budgetMs;
    const r: MaintenanceReport = { flushed: 0, compactedChunks: 0, compactedSamples: 0, droppedChunks: 0, thinnedChunks: 0, projectedChunks: 0, vacuumedPages: 0, more: false, overLimit: false, elapsedMs: 0 };
    r.flushed = this.drain(false);
    if (!this.writable || this.backlog.size > 0) {
      r.more = this.backlog.size > 0;
      r.elapsedMs = performance.now() - t0;
      return r;
    }
    try {
      this.compact(nowWallMs, deadline, r);
      this.retain(nowWallMs, deadline, r);
      this.projectOld(deadline, r);
      // Free pages are reused by new rows first: give them back only when many (deleted chunks), not the
      // few that every compaction frees and the next ticks fill again.
      const free = this.db.pragma('freelist_count', { simple: true }) as number;
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      if (free > Math.max(256, pages * 0.05) && performance.now() < deadline) {
        const n = Math.min(free, 2048);
        this.db.pragma(`incremental_vacuum(${n})`);
        r.vacuumedPages = n;
        if (free > n) r.more = true;
      }
      // Checkpoints fsync: twice a minute, not at every call (wal_autocheckpoint is the safety net).
      if (Math.abs(nowWallMs - this.lastCheckpointMs) >= 30_000 && performance.now() < deadline) {
        this.db.pragma('wal_checkpoint(PASSIVE)');
        this.lastCheckpointMs = nowWallMs;
      }
    } catch (err) {
      if (!isStoreFullError(err)) throw err;
      this.fail(err);
    }
    r.elapsedMs = performance.now() - t0;
    return r;
  }

  /** Folds full chunk windows of `recent` rows older than `compactAfterMs` into chunks, oldest first. */
  private compact(now: number, deadline: number, r: MaintenanceReport): void {
    const win = this.tuning.chunkWindowMs;
    const cutoff = Math.floor((now - this.tuning.compactAfterMs) / win) * win;
    // Distinct targets by skipping through the (target, wall_ms) index: a few lookups per target, not a scan.
    const nextTarget = this.db.prepare('SELECT target FROM recent WHERE target > ? ORDER BY target LIMIT 1').pluck();
    const firstOf = this.db.prepare('SELECT min(wall_ms) FROM recent WHERE target = ?').pluck();
    const heads: Array<{ target: string; first: number }> = [];
    const hostFirst = firstOf.get(HOST_ID) as number | null;
    if (hostFirst !== null) heads.push({ target: HOST_ID, first: hostFirst });
    for (let t = nextTarget.get(HOST_ID) as string | undefined; t !== undefined; t = nextTarget.get(t) as string | undefined) {
      const first = firstOf.get(t) as number | null;
      if (first !== null) heads.push({ target: t, first });
    }
    const rowsOf = this.db.prepare('SELECT wall_ms, data FROM recent WHERE target = ? AND wall_ms >= ? AND wall_ms < ? ORDER BY wall_ms');
    const insChunk = this.db.prepare('INSERT INTO chunks (target, from_ms, to_ms, count, step_ms, data, series) VALUES (?, ?, ?, ?, 0, ?, ?)');
    const delRow = this.db.prepare('DELETE FROM recent WHERE target = ? AND wall_ms = ?');
    const fold = this.db.transaction((target: string, walls: number[], blob: Buffer, series: Buffer) => {
      insChunk.run(target, walls[0], walls[walls.length - 1], walls.length, blob, series);
      for (const w of walls) delRow.run(target, w);
    });
    heads.sort((a, b) => a.first - b.first);
    const queue = heads.filter((h) => h.first < cutoff);
    // A window is folded a slice of samples at a time, so one call stays near its budget even for big samples.
    for (;;) {
      if (!this.folding) {
        const h = queue.shift();
        if (!h) return;
        const first = firstOf.get(h.target) as number | null; // fresh: a fold of an earlier call may have moved it
        if (first === null || first >= cutoff) continue;
        const w0 = Math.floor(first / win) * win;
        const rows = rowsOf.all(h.target, w0, w0 + win) as Array<{ wall_ms: number; data: Buffer }>;
        if (rows.length === 0) continue;
        this.folding = { target: h.target, rows, builder: new ChunkBuilder(rows.length), series: new SeriesBuilder(seriesKindOf(h.target)) };
      }
      const f = this.folding;
      while (f.builder.size < f.rows.length) {
        if (performance.now() >= deadline) { r.more = true; return; }
        const end = Math.min(f.rows.length, f.builder.size + 10);
        for (let i = f.builder.size; i < end; i++) {
          const sample = decodeRecent(f.rows[i]!.data);
          f.builder.add(f.rows[i]!.wall_ms, sample);
          f.series.add(f.rows[i]!.wall_ms, sample);
        }
      }
      if (performance.now() >= deadline) { r.more = true; return; }
      const walls = f.rows.map((x) => x.wall_ms);
      fold(f.target, walls, f.builder.finish(), f.series.finish());
      this.folding = undefined;
      r.compactedChunks++;
      r.compactedSamples += walls.length;
      // The target may hold more full windows: back in the queue (at its end, so every target gets a turn).
      if (!queue.some((q) => q.target === f.target)) queue.push({ target: f.target, first: walls[walls.length - 1]! + 1 });
    }
  }

  /**
   * Builds the series projection of chunks that have none (a store written before schema 2), newest first (what
   * the dashboard shows first), within the budget. The partial index `chunks_no_series` finds them without a scan.
   */
  private projectOld(deadline: number, r: MaintenanceReport): void {
    if (this.allProjected || performance.now() >= deadline) return;
    const next = this.db.prepare('SELECT id, target, data FROM chunks WHERE series IS NULL ORDER BY id DESC LIMIT 1');
    const set = this.db.prepare('UPDATE chunks SET series = ? WHERE id = ?');
    while (performance.now() < deadline) {
      const c = next.get() as { id: number; target: string; data: Buffer } | undefined;
      if (!c) { this.allProjected = true; return; }
      set.run(encodeSeriesChunk(seriesKindOf(c.target), decodeChunk(c.data)), c.id);
      r.projectedChunks++;
    }
    r.more = true;
  }

  /** Plans retention (retention.ts) when due or over the size limit, and applies the plan within the budget. */
  private retain(now: number, deadline: number, r: MaintenanceReport): void {
    const used = this.usedBytes();
    const due = now - this.lastRetentionMs >= this.tuning.retentionEveryMs || now < this.lastRetentionMs;
    if (!due && used <= this.limits.maxBytes * this.limits.highWater) return;
    const cols = 'id, target AS targetId, from_ms AS fromWallMs, to_ms AS toWallMs, length(data) + ifnull(length(series), 0) AS bytes, step_ms AS stepMs';
    const byId = new Map<number, RetentionChunk>();
    const add = (rows: unknown[]): void => { for (const c of rows as RetentionChunk[]) byId.set(c.id, c); };
    add(this.db.prepare(`SELECT ${cols} FROM chunks ORDER BY from_ms LIMIT 4000`).all());
    const oldBefore = now - this.limits.fullResolutionMs;
    for (const step of this.limits.stepMs) {
      add(this.db.prepare(`SELECT ${cols} FROM chunks WHERE step_ms < ? AND to_ms < ? ORDER BY from_ms LIMIT 4000`).all(step, oldBefore));
    }
    const incidents = (this.db.prepare('SELECT target, start_ms, end_ms FROM incidents WHERE end_ms IS NULL OR end_ms >= ?').all(now - this.limits.retentionMs) as Array<{ target: string; start_ms: number; end_ms: number | null }>)
      .map((i) => ({ targetId: i.target, startWallMs: i.start_ms, endWallMs: i.end_ms }));
    const plan = planRetention({ usedBytes: used, chunks: [...byId.values()], incidents }, now, this.limits);
    const del = this.db.prepare('DELETE FROM chunks WHERE id = ?');
    this.db.transaction(() => {
      for (const d of plan.drop) del.run(d.id);
      this.db.prepare('DELETE FROM verdict_changes WHERE wall_ms < ?').run(now - this.limits.retentionMs);
      this.db.prepare('DELETE FROM runs WHERE wall_ms < ?').run(now - this.limits.retentionMs);
    })();
    r.droppedChunks = plan.drop.length;
    r.overLimit = plan.expectedBytes > this.limits.maxBytes;
    // Thinned chunks of one target, step and hour are merged into one chunk: a chunk of a few samples would
    // spend most of its bytes on its own path table and dictionary.
    const get = this.db.prepare('SELECT target, from_ms, data, step_ms FROM chunks WHERE id = ?');
    const insMerged = this.db.prepare('INSERT INTO chunks (target, from_ms, to_ms, count, step_ms, data, series) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const groups = new Map<string, { target: string; step: number; chunks: Array<{ id: number; data: Buffer; from: number }> }>();
    for (const t of plan.thin) {
      const row = get.get(t.id) as { target: string; from_ms: number; data: Buffer; step_ms: number } | undefined;
      if (!row || row.step_ms >= t.stepMs) continue;
      const key = `${t.stepMs}:${Math.floor(row.from_ms / MAX_CHUNK_SPAN_MS)}:${row.target}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { target: row.target, step: t.stepMs, chunks: [] }));
      g.chunks.push({ id: t.id, data: row.data, from: row.from_ms });
    }
    const replace = this.db.transaction((ids: number[], target: string, kept: TimedSample[], step: number) => {
      for (const id of ids) del.run(id);
      if (kept.length === 0) return;
      insMerged.run(target, kept[0]!.wallMs, kept[kept.length - 1]!.wallMs, kept.length, step, encodeChunk(kept), encodeSeriesChunk(seriesKindOf(target), kept));
    });
    for (const { target, step, chunks: group } of groups.values()) {
      if (performance.now() >= deadline) { r.more = true; return; } // re-planned at the next call
      const g = group.sort((a, b) => a.from - b.from);
      const seen = new Set<number>();
      const kept: TimedSample[] = [];
      for (const c of g) {
        for (const x of decodeChunk(c.data, (w) => {
          const b = Math.floor(w / step);
          if (seen.has(b)) return false;
          seen.add(b);
          return true;
        })) kept.push(x);
      }
      kept.sort((a, b) => a.wallMs - b.wallMs);
      replace(g.map((c) => c.id), target, kept, step);
      r.thinnedChunks += g.length;
    }
    this.lastRetentionMs = now;
  }

  /** The store's health: writable or not (and why), size on disk, what waits in memory. */
  status(): StoreStatus {
    let sizeBytes = 0;
    for (const f of [this.file, `${this.file}-wal`]) {
      try {
        sizeBytes += fs.statSync(f).size;
      } catch {
        // no WAL file at this moment
      }
    }
    const s: StoreStatus = {
      writable: this.writable,
      sizeBytes,
      pendingTicks: this.backlog.pendingTicks,
      pendingRecords: this.backlog.size - this.backlog.pendingTicks,
      droppedTicks: this.backlog.droppedTicks,
      readOnly: this.readOnly,
    };
    if (this.lastError) s.lastError = this.lastError;
    return s;
  }
}

function incidentOf(r: IncidentRow): Incident {
  return { id: r.id, targetId: r.target, verdict: r.verdict, startWallMs: r.start_ms, endWallMs: r.end_ms, peakSeverity: r.peak_severity, findings: losslessParse(r.findings), evidencePath: r.evidence, variant: r.variant };
}

function actionOf(r: ActionRow): Action {
  return {
    id: r.id, ref: r.ref, targetId: r.target, incidentId: r.incident_id, action: r.action, mode: r.mode, state: r.state,
    startedWallMs: r.started_ms, endedWallMs: r.ended_ms, plan: losslessParse(r.plan), result: r.result === null ? null : losslessParse(r.result),
  };
}
