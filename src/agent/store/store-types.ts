/** The records the store keeps beside samples, as its callers see them. */

/** Where the store lives and how big it may grow. */
export interface StoreOptions {
  /** The store's directory (created when missing); the database is `DIR/store.db`. */
  dir: string;
  /** Size limit, bytes (default 1 GiB): retention keeps the database under it; it is also SQLite's hard cap. */
  maxBytes?: number;
  /** Age limit, ms (default 7 days). */
  retentionMs?: number;
  /** Open without writing (as {@link Store.openReadOnly}). */
  readOnly?: boolean;
}

/** A watched target (a cgroup) and the names it was resolved to. */
export interface TargetMeta {
  id: string;
  cgroup: string;
  pod?: string;
  namespace?: string;
  container?: string;
  firstSeenWallMs: number;
  lastSeenWallMs: number;
  /** When the cgroup vanished; absent while it exists. */
  goneWallMs?: number;
}

/** One change of a target's verdict. */
export interface VerdictChange {
  id: number;
  targetId: string;
  wallMs: number;
  /** null for the first verdict of a target. */
  from: string | null;
  to: string;
  severity: number;
  findings: unknown;
}

/** An incident: a span of time a target held a problem verdict. */
export interface Incident {
  id: number;
  targetId: string;
  verdict: string;
  startWallMs: number;
  /** null while open. */
  endWallMs: number | null;
  peakSeverity: number;
  findings: unknown;
  /** Path of the evidence bundle, when one was captured. */
  evidencePath: string | null;
  variant: string | null;
}

/** What {@link Store.openIncident} takes. */
export interface NewIncident {
  targetId: string;
  verdict: string;
  startWallMs: number;
  peakSeverity: number;
  findings: unknown;
  evidencePath?: string | null;
  variant?: string | null;
}

/** What {@link Store.updateIncident} may change. */
export interface IncidentPatch {
  verdict?: string;
  peakSeverity?: number;
  findings?: unknown;
  evidencePath?: string | null;
  variant?: string | null;
  endWallMs?: number | null;
}

/** How an action is carried out. */
export type ActionMode = 'dry-run' | 'restart' | 'hook';
/**
 * Where an action stands: `planned` is written before it runs, so one still planned at start was interrupted
 * (and, once repaired, is finished as `interrupted`).
 */
export type ActionState = 'planned' | 'done' | 'failed' | 'interrupted';

/** One remediation action, as audited. */
export interface Action {
  id: number;
  /** The caller's own id for it (e.g. a UUID), when it gave one. */
  ref: string | null;
  targetId: string;
  incidentId: number | null;
  action: string;
  mode: ActionMode;
  state: ActionState;
  /** What the action will do, recorded before it runs (e.g. the guard's reasons, the directories it freezes). */
  plan: unknown;
  startedWallMs: number;
  endedWallMs: number | null;
  result: unknown;
}

/** What {@link Store.recordAction} takes. */
export interface NewAction {
  /** The caller's own id (unique), to find the action again with {@link Store.findAction}. */
  ref?: string;
  targetId: string;
  incidentId?: number | null;
  action: string;
  mode: ActionMode;
  startedWallMs: number;
  /** What it will do (any JSON-like value). */
  plan?: unknown;
}

/** An agent start or stop. A start without a stop before the next start means the agent was killed. */
export interface RunMarker {
  kind: 'start' | 'stop';
  wallMs: number;
  pid: number;
}

/** A store error as data. */
export interface StoreError {
  code: string;
  message: string;
}

/** The store's health, for /healthz and metrics. */
export interface StoreStatus {
  /** False while writes fail (disk full): ticks then go to the in-memory backlog. */
  writable: boolean;
  lastError?: StoreError;
  /** Database plus write-ahead log, bytes on disk. */
  sizeBytes: number;
  /** Ticks waiting in memory to be written. */
  pendingTicks: number;
  /** Other writes waiting in memory. */
  pendingRecords: number;
  /** Ticks lost because the backlog was full for too long. */
  droppedTicks: number;
  readOnly: boolean;
}

/** What one {@link Store.maintain} call did. */
export interface MaintenanceReport {
  /** Backlogged writes made. */
  flushed: number;
  /** Chunks written by the compactor, and the samples folded into them. */
  compactedChunks: number;
  compactedSamples: number;
  /** Chunks dropped by retention (age or size) and thinned. */
  droppedChunks: number;
  thinnedChunks: number;
  /** Chunks of a store written before schema 2 given their series projection. */
  projectedChunks: number;
  /** Free pages returned to the file system. */
  vacuumedPages: number;
  /** True when work was left for the next call (budget spent). */
  more: boolean;
  /** True when retention could not bring the store under its size limit (incidents hold the rest). */
  overLimit: boolean;
  elapsedMs: number;
}
