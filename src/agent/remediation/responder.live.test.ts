// The responder with real podman containers (busybox root file system, nothing pulled, --restart=always):
// a thrashing container inside the match gets its evidence bundle and one verified restart (podman brings it
// back with new PIDs); the same in dry-run leaves it running; a busy container outside the match is never
// touched, even when told it livelocks.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDoctor } from '../../doctor/run-doctor.js';
import type { TargetReport } from '../../doctor/report.js';
import type { VerdictClass } from '../../detect/verdict.js';
import { LIVE_HOST } from '../../host/host-paths.js';
import { resolveTargets } from '../../targets/resolve-targets.js';
import type { Target } from '../../targets/target.js';
import { cannotRunHere, waitFor } from '../../test-support/live.js';
import { buildRootfs, podmanBlocker, runContainer, type TestContainer } from '../../test-support/podman.js';
import { ActionJournal } from './action-journal.js';
import { parseRemediationOptions } from './options.js';
import { IncidentResponder, type ResponderTargetState } from './responder.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Rig {
  rootfs: string;
  data: string;
  tmp: string;
}

let rig: Rig | undefined;
async function setUp(t: import('node:test').TestContext): Promise<Rig | undefined> {
  if (rig) return rig;
  const why = await podmanBlocker();
  if (why) return void cannotRunHere(t, why);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rwpodman-'));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const bin = path.join(tmp, 'thrash');
  try {
    execFileSync('cc', ['-O2', '-static', '-pthread', '-o', bin, 'test/workloads/thrash.c']);
  } catch (err) {
    return void cannotRunHere(t, `cannot build a static test/workloads/thrash.c (libc6-dev's libc.a): ${(err as Error).message}`);
  }
  const fsys = buildRootfs({ thrash: bin });
  cleanups.push(fsys.remove);
  const data = fs.mkdtempSync('/var/tmp/rwpodman-');
  cleanups.push(() => fs.rmSync(data, { recursive: true, force: true }));
  rig = { rootfs: fsys.dir, data, tmp };
  return rig;
}

async function start(r: Rig, kind: 'thrash' | 'busy', anon: [string, string] = ['4', '8']): Promise<TestContainer> {
  const c = kind === 'thrash'
    ? await runContainer({ rootfs: r.rootfs, memory: '64m', volumes: [`${r.data}:/data`], command: ['/bin/thrash', '/data', '16', '16', ...anon] })
    : await runContainer({ rootfs: r.rootfs, command: ['/bin/sh', '-c', 'while :; do :; done'] });
  cleanups.push(() => c.remove());
  return c;
}

async function targetOf(c: TestContainer): Promise<Target> {
  const cg = await c.cgroupPath();
  assert.ok(cg && /libpod-[0-9a-f]{64}/.test(cg), `container cgroup ${cg}`);
  const { targets } = await resolveTargets(LIVE_HOST, { cgroup: cg });
  assert.equal(targets[0]?.container, c.id, 'the container is resolved by its libpod-<id> cgroup');
  const first = targets[0];
  assert.ok(first);
  return first;
}

interface Run {
  counts: string[];
  logs: Array<{ msg: string; fields: Record<string, unknown> | undefined }>;
  journal: ActionJournal;
  responder: IncidentResponder;
}

function responder(r: Rig, flags: Record<string, unknown>): Run {
  const run: Run = { counts: [], logs: [], journal: new ActionJournal(path.join(r.tmp, `journal-${Date.now()}.jsonl`)), responder: undefined as unknown as IncidentResponder };
  const log = (msg: string, fields?: Record<string, unknown>): void => void run.logs.push({ msg, fields });
  run.responder = new IncidentResponder({
    host: LIVE_HOST, storeDir: path.join(r.tmp, 'store'), options: parseRemediationOptions(flags), audit: run.journal,
    logger: { info: log, warn: log }, countRemediation: (a, res) => void run.counts.push(`${a}:${res}`),
    evidence: { traceMs: 1000, stackPasses: 2 }, restart: { backDeadlineMs: 30_000 },
  });
  cleanups.push(() => run.responder.close(5000));
  return run;
}

function state(id: string, target: Target, verdict: VerdictClass, since: number, report: TargetReport, names: NonNullable<ResponderTargetState['names']>): ResponderTargetState {
  return { id, target, verdict, sinceWallMs: since, report: () => report, names };
}

/** Waits for the thrash container to reach its limit, then judges both containers over one doctor window. */
async function judge(targets: Target[]): Promise<TargetReport[]> {
  const rep = await runDoctor(LIVE_HOST, targets, { windowMs: 2000, probe: false });
  return rep.targets;
}

test('restart mode: a thrashing container in the match gets a bundle and one verified restart; a busy one outside it is untouched', async (t) => {
  const r = await setUp(t);
  if (!r) return;
  const sick = await start(r, 'thrash');
  const busy = await start(r, 'busy');
  const [sickT, busyT] = [await targetOf(sick), await targetOf(busy)];
  await new Promise((res) => setTimeout(res, 3000));
  const [sickR, busyR] = await judge([sickT, busyT]);
  assert.ok(['thrashing', 'reclaim-livelock'].includes(sickR!.verdict), `thrash container judged ${sickR!.verdict}: ${JSON.stringify(sickR!.findings)}`);
  const run = responder(r, { remediate: 'restart', remediateMatch: [`container=${sick.name}`], remediateOn: 'thrashing,reclaim-livelock', remediateAfter: '2s', remediateBudget: '1' });
  assert.deepEqual(await run.responder.start(), []);
  const onset = Date.now();
  const sickPids = new Set(await sick.pids());
  const busyPid = await busy.pid();
  let decidedAt: number | undefined;
  const ok = await waitFor(() => {
    const now = Date.now();
    run.responder.observe(now, [
      state('sick', sickT, sickR!.verdict, onset, sickR!, { container: sick.name }),
      // Told it livelocks: outside the match, it must still never be touched.
      state('busy', busyT, 'reclaim-livelock', onset, busyR!, { container: busy.name }),
    ]);
    if (decidedAt === undefined && run.logs.some((l) => l.msg.startsWith('remediation: restarting'))) decidedAt = now;
    return run.counts.some((c) => c.startsWith('restart:') && c !== 'restart:refused');
  }, 120_000, 250);
  assert.ok(ok, `no restart: ${run.logs.map((l) => l.msg).join('\n')}`);
  const bundle = await run.responder.capture(`sick-${onset}`);
  assert.ok(bundle?.complete, `bundle complete before the restart: ${JSON.stringify(bundle?.manifest?.parts.filter((p) => p.failed))}`);
  assert.deepEqual(run.counts.filter((c) => c.startsWith('restart:') && c !== 'restart:refused'), ['restart:restarted'], run.logs.map((l) => l.msg).join('\n'));
  const done = run.logs.find((l) => l.msg.startsWith('remediation: restart of'));
  t.diagnostic(`${done?.msg}; decision→back ${String(done?.fields?.['backMs'])} ms; onset→bundle ${bundle.manifest!.captureMs} ms capture, ${bundle.manifest!.bytes} bytes`);
  assert.ok(await sick.waitBack(sickPids, 30_000), 'podman brought the container back');
  assert.ok((await sick.pids()).every((p) => !sickPids.has(p)), 'new PIDs');
  assert.ok((await sick.restarts()) >= 1);
  // The busy container: same PID, never restarted, refused as outside the match.
  assert.equal(await busy.pid(), busyPid);
  assert.equal(await busy.restarts(), 0);
  assert.ok(run.logs.some((l) => l.fields?.['target'] === 'busy' && /outside --remediate-match/.test(l.msg)));
  // The journal: one planned restart, finished; nothing left unfinished.
  const lines = run.journal.lines();
  assert.equal(lines.filter((l) => l.kind === 'planned').length, 1);
  assert.deepEqual(run.journal.unfinishedActions(), []);
});

test('dry-run: the thrashing container gets its bundle and a dry-run record, and keeps running', async (t) => {
  const r = await setUp(t);
  if (!r) return;
  // Less anonymous memory than above: it must thrash, and never be OOM-killed (podman would restart it then).
  const sick = await start(r, 'thrash', ['2', '4']);
  const sickT = await targetOf(sick);
  await new Promise((res) => setTimeout(res, 3000));
  const [sickR] = await judge([sickT]);
  assert.ok(['thrashing', 'reclaim-livelock'].includes(sickR!.verdict), `thrash container judged ${sickR!.verdict}: ${JSON.stringify(sickR!.findings)}`);
  const run = responder(r, { remediate: 'dry-run', remediateMatch: [`container=${sick.name}`], remediateOn: `${sickR!.verdict}`, remediateAfter: '1s' });
  await run.responder.start();
  const onset = Date.now();
  const pid = await sick.pid();
  assert.ok(await waitFor(() => {
    run.responder.observe(Date.now(), [state('sick', sickT, sickR!.verdict, onset, sickR!, { container: sick.name })]);
    return run.counts.includes('dry-run:recorded');
  }, 90_000, 250), run.logs.map((l) => l.msg).join('\n'));
  assert.ok((await run.responder.capture(`sick-${onset}`))?.dir);
  await new Promise((res) => setTimeout(res, 1000));
  assert.equal(await sick.pid(), pid, 'still the same process');
  assert.equal(await sick.restarts(), 0);
  assert.ok(run.logs.some((l) => /^remediation \(dry-run\): .*would kill the cgroup/.test(l.msg)));
  const planned = run.journal.lines().filter((l) => l.kind === 'planned');
  assert.deepEqual(planned.map((l) => (l.kind === 'planned' ? l.record.action : '')), ['dry-run']);
});
