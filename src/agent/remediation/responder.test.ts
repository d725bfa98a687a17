// IncidentResponder on a plain test cgroup: observe() returns before the bundle is written, the
// --on-incident hook runs (instead of a kill) once the evidence is complete, with the identity in its
// environment; every decision is logged, recorded and counted; `off` captures but never acts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TargetReport } from '../../doctor/report.js';
import { LIVE_HOST } from '../../host/host-paths.js';
import { resolveTargets } from '../../targets/resolve-targets.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup, waitFor } from '../../test-support/live.js';
import { ActionJournal } from './action-journal.js';
import { parseRemediationOptions } from './options.js';
import { IncidentResponder } from './responder.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function rig(t: import('node:test').TestContext, flags: (tmp: string, cgroup: string) => Record<string, unknown>) {
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rwresponder-'));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const cg = makeTestCgroup('rwresponder');
  cleanups.push(() => cg.remove());
  const child = spawnInCgroup(cg, 'sleep', ['600']);
  assert.ok(await waitFor(() => fs.readFileSync(`${cg.memoryDir}/cgroup.procs`, 'utf8').trim() !== '', 5000));
  const { targets } = await resolveTargets(LIVE_HOST, { cgroup: cg.path });
  const report: TargetReport = {
    target: { kind: 'cgroup', label: `cgroup ${cg.path}`, cgroup: cg.path, pids: 1, threads: 1 }, verdict: 'reclaim-livelock', severity: 90,
    findings: [], evidence: [], metrics: {}, probes: [], stacks: { sampled: 0, groups: [] }, advice: [], unreadable: [],
  };
  const logs: string[] = [];
  const counts: string[] = [];
  const journal = new ActionJournal(path.join(tmp, 'actions.jsonl'));
  const patches: Array<[string, unknown]> = [];
  const audit = Object.assign(journal, { updateIncident: (id: string, p: unknown) => void patches.push([id, p]) });
  const responder = new IncidentResponder({
    host: LIVE_HOST, storeDir: path.join(tmp, 'store'), options: parseRemediationOptions(flags(tmp, cg.path)), audit,
    logger: { info: (m) => void logs.push(m), warn: (m) => void logs.push(m) }, countRemediation: (a, r) => void counts.push(`${a}:${r}`),
    evidence: { traceMs: 0, stackPasses: 1 },
  });
  cleanups.push(() => responder.close(5000));
  await responder.start();
  return { cg, child, target: targets[0]!, report, logs, counts, journal, patches, responder, tmp };
}

test('restart mode with --on-incident: the hook runs once the bundle is complete, with RECLAIMWATCH_* set; the process is not killed', async (t) => {
  const r = await rig(t, (tmp, cg) => ({
    remediate: 'restart', remediateMatch: [`cgroup=${cg}`], remediateAfter: '1ms', onIncident: `env | grep ^RECLAIMWATCH_ | sort > ${tmp}/hook.env`,
  }));
  if (!r) return;
  const since = Date.now() - 5000;
  const st = { target: r.target, id: r.cg.path, verdict: 'reclaim-livelock' as const, sinceWallMs: since, incidentId: '7', report: () => r.report, names: { pod: 'web-0', namespace: 'prod', container: 'server' } };
  r.responder.observe(Date.now(), [st]);
  const pending = r.responder.capture('7');
  assert.ok(pending, 'a capture started on entering the verdict');
  let settled = false;
  void pending.then(() => (settled = true));
  await Promise.resolve();
  assert.equal(settled, false, 'observe() returned before the bundle was written');
  assert.ok(r.logs.some((l) => /not acting .*evidence bundle not complete yet/.test(l)), r.logs.join('\n'));
  const bundle = await pending;
  assert.ok(bundle?.complete, JSON.stringify(bundle?.manifest?.parts.filter((p) => p.failed)));
  assert.ok(await waitFor(() => {
    r.responder.observe(Date.now(), [st]);
    return r.counts.includes('hook:ok');
  }, 20_000, 100), r.logs.join('\n'));
  const env = fs.readFileSync(path.join(r.tmp, 'hook.env'), 'utf8');
  assert.match(env, new RegExp(`^RECLAIMWATCH_CGROUP=${r.cg.path}$`, 'm'));
  assert.match(env, /^RECLAIMWATCH_POD=web-0$/m);
  assert.match(env, /^RECLAIMWATCH_NAMESPACE=prod$/m);
  assert.match(env, /^RECLAIMWATCH_CONTAINER=server$/m);
  assert.match(env, /^RECLAIMWATCH_VERDICT=reclaim-livelock$/m);
  assert.match(env, /^RECLAIMWATCH_INCIDENT=7$/m);
  assert.match(env, new RegExp(`^RECLAIMWATCH_EVIDENCE=.*/evidence/7$`, 'm'));
  assert.equal(r.child.exitCode, null, 'the hook replaced the kill');
  assert.ok(r.patches.some(([id, p]) => id === '7' && (p as { evidenceComplete?: boolean }).evidenceComplete === true));
  const planned = r.journal.lines().filter((l) => l.kind === 'planned');
  assert.deepEqual(planned.map((l) => (l.kind === 'planned' ? l.record.action : '')), ['hook']);
  // Within the cooldown, nothing more.
  r.responder.observe(Date.now() + 1000, [st]);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(r.counts.filter((c) => c === 'hook:ok').length, 1);
});

test('--remediate off: the bundle is still captured, nothing is ever acted on', async (t) => {
  const r = await rig(t, () => ({ remediate: 'off' }));
  if (!r) return;
  const st = { target: r.target, id: r.cg.path, verdict: 'reclaim-livelock' as const, sinceWallMs: Date.now() - 3_600_000, incidentId: '8', report: () => r.report };
  r.responder.observe(Date.now(), [st]);
  assert.ok((await r.responder.capture('8'))?.complete);
  r.responder.observe(Date.now(), [st]);
  await new Promise((res) => setTimeout(res, 200));
  assert.deepEqual(r.counts, []);
  assert.deepEqual(r.journal.lines().filter((l) => l.kind === 'planned'), []);
  assert.equal(r.child.exitCode, null);
});

test('pastActions from the store keep the node budget and the cooldown across an agent restart', async (t) => {
  const r = await rig(t, (tmp, cg) => ({ remediate: 'dry-run', remediateMatch: [`cgroup=${cg}`], remediateAfter: '1ms', remediateBudget: '1' }));
  if (!r) return;
  const restarted = new IncidentResponder({
    host: LIVE_HOST, storeDir: path.join(r.tmp, 'store2'), options: parseRemediationOptions({ remediate: 'dry-run', remediateMatch: [`cgroup=${r.cg.path}`], remediateAfter: '1ms', remediateBudget: '1' }),
    audit: r.journal, logger: { info: (m) => void r.logs.push(m), warn: (m) => void r.logs.push(m) }, countRemediation: (a, res) => void r.counts.push(`${a}:${res}`),
    evidence: { traceMs: 0, stackPasses: 1 }, pastActions: [{ targetId: 'elsewhere', startedWallMs: Date.now() - 60_000 }],
  });
  cleanups.push(() => restarted.close(5000));
  const st = { target: r.target, id: r.cg.path, verdict: 'reclaim-livelock' as const, sinceWallMs: Date.now() - 5000, incidentId: '9', report: () => r.report };
  restarted.observe(Date.now(), [st]);
  assert.ok((await restarted.capture('9'))?.complete);
  restarted.observe(Date.now(), [st]);
  await new Promise((res) => setTimeout(res, 200));
  assert.ok(!r.counts.includes('dry-run:recorded'), 'the budget spent before the restart still counts');
  assert.ok(r.logs.some((l) => /node budget spent: 1 action\(s\) in the last hour/.test(l)), r.logs.join('\n'));
});
