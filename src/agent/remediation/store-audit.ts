// The agent's store as the responder's audit: actions go to its `actions` table (the caller's UUID as `ref`,
// the plan holding the cgroup, the guard's reasons and the directories to thaw), the evidence path to the
// incident. Incident ids are the store's numbers; an incident id that is not one (no incident open) is not written.
import type { Store } from '../store/store.js';
import type { ActionOutcome, ActionRecord, FreezeDir, AuditIncidentPatch, RemediationAudit } from './audit.js';

interface Plan {
  cgroupPath?: string;
  reasons?: string[];
  freezeDirs?: FreezeDir[];
}

function incidentNumber(id: string | undefined): number | null {
  return id !== undefined && /^\d+$/.test(id) ? Number(id) : null;
}

/** A RemediationAudit whose methods are synchronous, as the store's are. */
export interface StoreAudit extends RemediationAudit {
  recordAction(a: ActionRecord): void;
  finishAction(id: string, outcome: ActionOutcome): void;
  updateIncident(incidentId: string, patch: AuditIncidentPatch): void;
  unfinishedActions(): ActionRecord[];
}

/** Wraps `store` (opened for writing) as a RemediationAudit. */
export function storeAudit(store: Pick<Store, 'recordAction' | 'finishAction' | 'findAction' | 'pendingActions' | 'updateIncident'>): StoreAudit {
  const ids = new Map<string, number>();
  const idOf = (ref: string): number | undefined => ids.get(ref) ?? (/^#\d+$/.test(ref) ? Number(ref.slice(1)) : store.findAction(ref)?.id);
  return {
    recordAction(a: ActionRecord): void {
      const plan: Plan = { cgroupPath: a.cgroupPath, reasons: a.reasons, freezeDirs: a.freezeDirs };
      ids.set(a.id, store.recordAction({ ref: a.id, targetId: a.targetId, incidentId: incidentNumber(a.incidentId), action: a.action === 'restart' ? 'restart-cgroup' : a.action === 'hook' ? 'on-incident' : 'dry-run', mode: a.action, startedWallMs: a.plannedAtWallMs, plan }));
    },
    finishAction(ref: string, o: ActionOutcome): void {
      const id = idOf(ref);
      if (id === undefined) return;
      store.finishAction(id, o.state, { result: o.result, ...o.detail }, o.finishedAtWallMs);
      ids.delete(ref);
    },
    updateIncident(incidentId: string, patch: AuditIncidentPatch): void {
      const n = incidentNumber(incidentId);
      if (n !== null && patch.evidenceDir !== undefined) store.updateIncident(n, { evidencePath: patch.evidenceDir });
    },
    unfinishedActions(): ActionRecord[] {
      return store.pendingActions().map((a) => {
        const plan = (a.plan ?? {}) as Plan;
        return {
          id: a.ref ?? `#${a.id}`, incidentId: a.incidentId === null ? undefined : String(a.incidentId), targetId: a.targetId,
          cgroupPath: plan.cgroupPath ?? a.targetId, action: a.mode, state: 'planned', plannedAtWallMs: a.startedWallMs,
          reasons: plan.reasons ?? [], freezeDirs: Array.isArray(plan.freezeDirs) ? plan.freezeDirs : [],
        };
      });
    },
  };
}
