// collectTargetSample() against fixture trees: what a sample holds on v2 and hybrid hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { hostPaths } from '../host/host-paths.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import { collectTargetSample, collectHostSample } from './collect.js';

const V2 = hostPaths({ proc: 'test/fixtures/v2-kernel-docs/proc', sys: 'test/fixtures/v2-kernel-docs/sys' });
const HYB = hostPaths({ proc: 'test/fixtures/hybrid-6.18/proc', sys: 'test/fixtures/hybrid-6.18/sys' });

test('on v2 a sample takes memory, cpu.max quota, cpu.stat and PSI from the one cgroup directory', async () => {
  const { targets } = await resolveTargets(V2, { pids: [4242] });
  const s = collectTargetSample(V2, targets[0]!, { stacks: false });
  assert.equal(s.gone, false);
  assert.equal(s.memory?.version, 'v2');
  assert.equal(s.cpu?.quotaCores, 4);
  assert.equal(s.cpu?.systemUs, 303441233);
  assert.equal(s.psi.memory?.full?.totalUs, 551234000);
  assert.deepEqual(s.processes.map((p) => p.threads), [2]);
  assert.equal(s.processes[0]!.minflt > 0 || s.processes[0]!.utimeTicks >= 0, true);
  assert.equal(s.processes[0]!.io?.syscr, 10);
  assert.equal(targets[0]!.container, '3f1e2d4c5b6a79880716253443526170819aabbccddeeff00112233445566778');
  assert.equal(targets[0]!.pod?.uid, '4f3c2b1a-9d8e-4c7b-a6f5-0123456789ab');
});

test('on the hybrid host a sample takes memory from v1 and CPU and PSI from the v2 twin', async () => {
  const pid = Number(fs.readFileSync('test/fixtures/hybrid-6.18/PID', 'utf8'));
  const { targets } = await resolveTargets(HYB, { pids: [pid] });
  const s = collectTargetSample(HYB, targets[0]!, { stacks: false });
  assert.equal(s.memory?.version, 'v1');
  assert.equal(s.memory?.limitBytes, 256 << 20);
  assert.equal(typeof s.cpu?.usageUs, 'number');
  assert.equal(s.cpu?.quotaCores, Infinity);
  assert.ok(s.psi.memory !== undefined);
  const h = collectHostSample(HYB);
  assert.equal(h.cpus, 2);
  assert.ok('pgscan_file' in h.vmstat && !('nr_free_pages' in h.vmstat));
});

test('container and pod targets resolve from v2 cgroup names', async () => {
  const c = await resolveTargets(V2, { container: '3f1e2d4c' });
  assert.equal(c.targets[0]!.kind, 'container');
  assert.deepEqual(c.targets[0]!.pids, [4242]);
  const p = await resolveTargets(V2, { pod: '4f3c2b1a' });
  assert.equal(p.targets[0]!.kind, 'pod');
  assert.deepEqual(p.targets[0]!.pids, [4242]);
  const none = await resolveTargets(V2, { container: 'deadbeef' });
  assert.equal(none.targets.length, 0);
  assert.match(none.failures[0]!.message, /no container whose ID starts with deadbeef/);
});

test('reclaimwatch leaves itself out of a target it runs inside, unless it is the asked process', async () => {
  const { LIVE_HOST } = await import('../host/host-paths.js');
  // This test process's parent shares its cgroup: a pid target for it covers the cgroup's processes.
  const { targets } = await resolveTargets(LIVE_HOST, { pids: [process.ppid] });
  const s = collectTargetSample(LIVE_HOST, targets[0]!, { stacks: true });
  const pids = s.processes.map((p) => p.pid);
  assert.ok(pids.includes(process.ppid), `parent ${process.ppid} in ${pids.join(',')}`);
  assert.ok(!pids.includes(process.pid), `self ${process.pid} sampled: ${pids.join(',')}`);
  assert.ok(!(s.stacks ?? []).some((st) => st.pid === process.pid));
  const self = await resolveTargets(LIVE_HOST, { pids: [process.pid] });
  assert.ok(collectTargetSample(LIVE_HOST, self.targets[0]!, { stacks: false }).processes.some((p) => p.pid === process.pid));
});
