/**
 * What the store does when its file system is full: writes that fail with SQLITE_FULL or a write I/O error
 * (ENOSPC under SQLite) are kept in a bounded in-memory backlog, in order, and replayed first when a retry
 * succeeds. Ticks are bounded (the oldest are dropped and counted); other writes (verdict changes, incidents,
 * actions) are bounded much higher, since they are few and matter more.
 */

/** A SQLite error code that means "no room to write" (disk full, quota, or the store's own size cap). */
export function isStoreFullError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return false;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' ||
    code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC' || code === 'SQLITE_IOERR_SHMSIZE' ||
    code === 'SQLITE_IOERR_TRUNCATE';
}

/** One deferred write. */
export interface BackloggedWrite {
  kind: 'tick' | 'record';
  run(): void;
}

/** Bounds of the backlog. */
export interface BacklogLimits {
  /** Ticks kept while the disk is full (default 300: five minutes at 1 Hz). */
  maxTicks: number;
  /** Other writes kept (default 10,000). */
  maxRecords: number;
}

/** The ordered backlog of writes that could not be made. */
export class WriteBacklog {
  private items: BackloggedWrite[] = [];
  private ticks = 0;
  /** Ticks dropped because the backlog was full. */
  droppedTicks = 0;
  /** Other writes dropped because the backlog was full. */
  droppedRecords = 0;

  constructor(private readonly limits: BacklogLimits = { maxTicks: 300, maxRecords: 10_000 }) {}

  get size(): number {
    return this.items.length;
  }

  get pendingTicks(): number {
    return this.ticks;
  }

  push(w: BackloggedWrite): void {
    this.items.push(w);
    if (w.kind === 'tick') this.ticks++;
    if (this.ticks > this.limits.maxTicks) this.dropOldest('tick');
    if (this.items.length - this.ticks > this.limits.maxRecords) this.dropOldest('record');
  }

  private dropOldest(kind: BackloggedWrite['kind']): void {
    const i = this.items.findIndex((x) => x.kind === kind);
    if (i < 0) return;
    this.items.splice(i, 1);
    if (kind === 'tick') { this.ticks--; this.droppedTicks++; } else this.droppedRecords++;
  }

  /** The oldest `n` writes, without removing them. */
  peek(n: number): BackloggedWrite[] {
    return this.items.slice(0, n);
  }

  /** Removes the oldest `n` writes (after they were made). */
  shift(n: number): void {
    for (const w of this.items.splice(0, n)) if (w.kind === 'tick') this.ticks--;
  }
}
