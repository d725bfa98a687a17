import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../store/store.js';
import { storeAudit } from './store-audit.js';

test('storeAudit() records planned actions in the store, finds them unfinished after a reopen, and finishes them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstoreaudit-'));
  try {
    let store = Store.open({ dir });
    const inc = store.openIncident({ targetId: 't1', verdict: 'reclaim-livelock', startWallMs: 1000, peakSeverity: 90, findings: [] });
    let audit = storeAudit(store);
    audit.recordAction({ id: 'u-1', incidentId: String(inc), targetId: 't1', cgroupPath: '/libpod_parent/libpod-x', action: 'restart', state: 'planned', plannedAtWallMs: 2000, reasons: ['r'], freezeDirs: [{ kind: 'v1', dir: '/sys/fs/cgroup/freezer/libpod_parent/libpod-x' }] });
    audit.updateIncident(String(inc), { evidenceDir: '/store/evidence/1' });
    audit.updateIncident('not-a-number', { evidenceDir: '/x' });
    store.close();
    // The agent died: a new one opens the store and finds the action still planned.
    store = Store.open({ dir });
    audit = storeAudit(store);
    const open = audit.unfinishedActions();
    assert.equal(open.length, 1);
    assert.deepEqual({ ...open[0], plannedAtWallMs: 0 }, { id: 'u-1', incidentId: String(inc), targetId: 't1', cgroupPath: '/libpod_parent/libpod-x', action: 'restart', state: 'planned', plannedAtWallMs: 0, reasons: ['r'], freezeDirs: [{ kind: 'v1', dir: '/sys/fs/cgroup/freezer/libpod_parent/libpod-x' }] });
    audit.finishAction('u-1', { state: 'interrupted', result: 'interrupted', finishedAtWallMs: 3000, detail: { thawed: [] } });
    assert.deepEqual(audit.unfinishedActions(), []);
    const a = store.listActions({ incidentId: inc });
    assert.deepEqual([a[0]?.state, a[0]?.mode, a[0]?.action, (a[0]?.result as { result: string }).result], ['interrupted', 'restart', 'restart-cgroup', 'interrupted']);
    assert.equal(store.getIncident(inc)?.evidencePath, '/store/evidence/1');
    store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
