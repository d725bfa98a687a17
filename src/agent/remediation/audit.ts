// What remediation records, and the interface it records through. The agent's store implements it (same
// method names: recordAction, finishAction, updateIncident); `ActionJournal` is a file-backed one.
// An action is recorded in state `planned`, with the directories it will freeze, *before* it touches the
// kernel, so `repairInterruptedActions()` can thaw them after a crash.

/** What an action is. */
export type AuditedAction = 'dry-run' | 'restart' | 'hook';

/** A cgroup directory an action freezes: v1 freezer (`freezer.state`) or v2 (`cgroup.freeze`). */
export interface FreezeDir {
  kind: 'v1' | 'v2';
  dir: string;
}

/** One action as recorded before it runs. */
export interface ActionRecord {
  /** Unique, chosen by the caller (a UUID). */
  id: string;
  incidentId: string | undefined;
  /** The agent's target id. */
  targetId: string;
  cgroupPath: string;
  action: AuditedAction;
  state: 'planned';
  plannedAtWallMs: number;
  /** The guard's reasons. */
  reasons: string[];
  /** Directories the action will freeze: thawed by repair if the action never finished. */
  freezeDirs: FreezeDir[];
}

/** How an action ended. `interrupted`: found unfinished at start and repaired. */
export interface ActionOutcome {
  state: 'done' | 'failed' | 'interrupted';
  /** Short result word, also the `result` label of reclaimwatch_remediations_total. */
  result: string;
  finishedAtWallMs: number;
  detail: Record<string, unknown>;
}

/** What the responder adds to an incident. */
export interface AuditIncidentPatch {
  evidenceDir?: string;
  evidenceComplete?: boolean;
  evidenceBytes?: number;
  remediation?: string;
}

/** Where remediation records go. Methods may be synchronous (better-sqlite3) or not. */
export interface RemediationAudit {
  recordAction(a: ActionRecord): void | Promise<void>;
  finishAction(id: string, outcome: ActionOutcome): void | Promise<void>;
  updateIncident(incidentId: string, patch: AuditIncidentPatch): void | Promise<void>;
  /** Actions recorded `planned` and never finished (the agent died mid-action). */
  unfinishedActions(): ActionRecord[] | Promise<ActionRecord[]>;
}
