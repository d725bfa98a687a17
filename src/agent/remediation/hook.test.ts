import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { waitFor } from '../../test-support/live.js';
import { runIncidentHook } from './hook.js';

const ctx = { target: 't1', cgroup: '/kubepods/pod1/abc', pod: 'web-0', namespace: 'prod', container: 'server', verdict: 'reclaim-livelock', incident: 'inc-7', evidence: '/var/lib/reclaimwatch/evidence/inc-7', action: 'hook' as const };

test('runIncidentHook() passes the identity and verdict in RECLAIMWATCH_* variables', async () => {
  const r = await runIncidentHook('echo "$RECLAIMWATCH_TARGET|$RECLAIMWATCH_CGROUP|$RECLAIMWATCH_POD|$RECLAIMWATCH_NAMESPACE|$RECLAIMWATCH_CONTAINER|$RECLAIMWATCH_VERDICT|$RECLAIMWATCH_INCIDENT|$RECLAIMWATCH_EVIDENCE|$RECLAIMWATCH_ACTION"', ctx, 5000);
  assert.equal(r.result, 'ok');
  assert.equal(r.stdout.trim(), 't1|/kubepods/pod1/abc|web-0|prod|server|reclaim-livelock|inc-7|/var/lib/reclaimwatch/evidence/inc-7|hook');
});

test('runIncidentHook() reports a failing command with its exit status and stderr', async () => {
  const r = await runIncidentHook('echo nope >&2; exit 3', { ...ctx, pod: undefined }, 5000);
  assert.deepEqual([r.result, r.code], ['failed', 3]);
  assert.match(r.stderr, /nope/);
});

test('runIncidentHook() kills the whole process group at the deadline', async () => {
  const pidFile = `/tmp/rwhook-${process.pid}-${Date.now()}`;
  const t0 = Date.now();
  const r = await runIncidentHook(`sleep 30 & echo $! > ${pidFile}; wait`, ctx, 400);
  assert.equal(r.result, 'timeout');
  assert.ok(Date.now() - t0 < 5000);
  const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
  fs.rmSync(pidFile);
  const alive = (): boolean => {
    try {
      process.kill(grandchild, 0);
      return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${grandchild}/status`, 'utf8'));
    } catch {
      return false;
    }
  };
  assert.ok(await waitFor(() => !alive(), 3000), 'the hook\'s background child was killed too');
});

test('runIncidentHook() says when the shell cannot start', async () => {
  assert.equal((await runIncidentHook('true', ctx, 1000, '/nonexistent/sh')).result, 'cannot-start');
});
