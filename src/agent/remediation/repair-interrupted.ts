// At start: actions recorded `planned` and never finished mean the agent died mid-action (SIGKILL, OOM, a
// node reboot between freeze and kill). Each cgroup such an action froze is thawed and the action is closed
// as `interrupted`, so a crash never leaves a container frozen.
import type { RemediationAudit } from './audit.js';
import { thawCgroup } from './cgroup-freezer.js';

/** What one repair did. */
export interface RepairedAction {
  id: string;
  cgroupPath: string;
  /** Directories found frozen (or freezing) and thawed. */
  thawed: string[];
  errors: string[];
}

/** Thaws what unfinished actions froze and marks them interrupted. Never throws for a vanished cgroup. */
export async function repairInterruptedActions(audit: Pick<RemediationAudit, 'unfinishedActions' | 'finishAction'>): Promise<RepairedAction[]> {
  const out: RepairedAction[] = [];
  for (const a of await audit.unfinishedActions()) {
    const r: RepairedAction = { id: a.id, cgroupPath: a.cgroupPath, thawed: [], errors: [] };
    for (const f of a.freezeDirs) {
      try {
        const before = thawCgroup(f);
        if (before === 'frozen' || before === 'freezing') r.thawed.push(f.dir);
      } catch (err) {
        r.errors.push(`${f.dir}: ${(err as Error).message}`);
      }
    }
    await audit.finishAction(a.id, {
      state: 'interrupted', result: 'interrupted', finishedAtWallMs: Date.now(),
      detail: { thawed: r.thawed, errors: r.errors, message: `the agent stopped during this ${a.action}; repaired at start` },
    });
    out.push(r);
  }
  return out;
}
