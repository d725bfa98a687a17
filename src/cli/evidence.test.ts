// `reclaimwatch evidence` as a user runs it (the built CLI), over a bundle captured from a real test cgroup.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { captureEvidence } from '../agent/evidence/capture-evidence.js';
import { LIVE_HOST } from '../host/host-paths.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import { runCli } from '../test-support/cli.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup, waitFor } from '../test-support/live.js';
import type { TargetReport } from '../doctor/report.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('evidence list, show and export over a captured bundle; bad ids and stores are usage errors', async (t) => {
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'rwevcli-'));
  cleanups.push(() => fs.rmSync(store, { recursive: true, force: true }));
  const cg = makeTestCgroup('rwevcli');
  cleanups.push(() => cg.remove());
  const child = spawnInCgroup(cg, 'sleep', ['600']);
  assert.ok(await waitFor(() => fs.readFileSync(`${cg.memoryDir}/cgroup.procs`, 'utf8').trim() !== '', 5000));
  const { targets } = await resolveTargets(LIVE_HOST, { cgroup: cg.path });
  const report: TargetReport = {
    target: { kind: 'cgroup', label: `cgroup ${cg.path}`, cgroup: cg.path, pids: 1, threads: 1 }, verdict: 'thrashing', severity: 60,
    findings: [], evidence: [], metrics: {}, probes: [], stacks: { sampled: 0, groups: [] }, advice: [], unreadable: [],
  };
  const r = await captureEvidence({ host: LIVE_HOST, storeDir: store, incidentId: 'cli-1', targetId: cg.path, target: targets[0]!, verdict: 'thrashing', report, traceMs: 0, stackPasses: 1 });
  assert.ok(r.dir);
  child.kill('SIGKILL');

  const list = await runCli(['evidence', 'list', '--store', store]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ID\s+CAPTURED\s+VERDICT\s+PARTS/m);
  assert.match(list.stdout, /cli-1 .* thrashing .* \d+\/14 /);
  const json = JSON.parse((await runCli(['evidence', 'list', '--store', store, '--json'])).stdout) as { bundles: Array<{ id: string; manifest: { parts: unknown[] } }> };
  assert.deepEqual(json.bundles.map((b) => b.id), ['cli-1']);

  const show = await runCli(['evidence', 'show', 'cli-1', '--store', store]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /evidence cli-1: THRASHING/);
  assert.match(show.stdout, /trace\s+ABSENT: trace turned off/);
  assert.match(show.stdout, /stacks\s+stacks\.txt/);

  const out = path.join(store, 'out.tar.gz');
  const exp = await runCli(['evidence', 'export', 'cli-1', '--store', store, '-o', out]);
  assert.equal(exp.code, 0, exp.stderr);
  const names = execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(names.includes('cli-1/manifest.json') && names.includes('cli-1/index.html') && names.includes('cli-1/stacks.txt'), names.join(' '));

  for (const [args, re] of [
    [['evidence', 'show', 'nope', '--store', store], /no evidence bundle nope/],
    [['evidence', 'show', '../etc', '--store', store], /bad evidence id/],
    [['evidence', 'export', 'cli-1', '--store', store, '-o', '/nonexistent/dir/x.tar.gz'], /does not exist/],
  ] as Array<[string[], RegExp]>) {
    const bad = await runCli(args);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, re);
  }
  const empty = await runCli(['evidence', 'list', '--store', path.join(store, 'none')]);
  assert.equal(empty.code, 0);
  assert.match(empty.stdout, /no evidence bundles/);
});
