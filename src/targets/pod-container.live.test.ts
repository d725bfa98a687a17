// Live: a "pod" made of real cgroups named as the kubelet and containerd name them (systemd driver), with a
// process whose UTS hostname is the pod name — `--pod NAME` and `--container ID` must find it as on a node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { LIVE_HOST } from '../host/host-paths.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, waitFor } from '../test-support/live.js';
import { resolveTargets } from './resolve-targets.js';

const UID = '0c7e4d2a-1b3f-4a5e-9d8c-7b6a5f4e3d2c';
const CID = 'ab12'.repeat(16);

test('--pod NAME finds a pod by the hostname in its UTS namespace, --container ID by its scope', async (t) => {
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  const cg = makeTestCgroup('rwpod');
  const podDir = `${cg.memoryDir}/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice`;
  const ctrDir = `${podDir}/cri-containerd-${CID}.scope`;
  fs.mkdirSync(ctrDir, { recursive: true });
  const child = spawn('unshare', ['--uts', 'sh', '-c', `echo $$ > ${ctrDir}/cgroup.procs && hostname web-0 && exec sleep 600`], { stdio: 'ignore' });
  try {
    assert.ok(await waitFor(() => fs.readFileSync(`${ctrDir}/cgroup.procs`, 'utf8').trim() !== '', 5000), 'the pod process joined its container cgroup');
    const byName = await resolveTargets(LIVE_HOST, { pod: 'web-0' });
    assert.equal(byName.failures.length, 0, byName.failures.map((f) => f.message).join('; '));
    const pod = byName.targets[0]!;
    assert.equal(pod.kind, 'pod');
    assert.deepEqual(pod.pod, { uid: UID, name: 'web-0' });
    assert.deepEqual(pod.pids, [child.pid]);
    const byUid = await resolveTargets(LIVE_HOST, { pod: UID.slice(0, 8) });
    assert.equal(byUid.targets[0]?.pod?.uid, UID);
    const ctr = await resolveTargets(LIVE_HOST, { container: CID.slice(0, 12) });
    assert.equal(ctr.targets[0]?.container, CID);
    assert.deepEqual(ctr.targets[0]?.pids, [child.pid]);
    const none = await resolveTargets(LIVE_HOST, { pod: 'no-such-pod' });
    assert.match(none.failures[0]!.message, /no pod named no-such-pod on this node/);
  } finally {
    child.kill('SIGKILL');
    await waitFor(() => !fs.existsSync(ctrDir) || fs.readFileSync(`${ctrDir}/cgroup.procs`, 'utf8').trim() === '', 5000);
    for (const d of [ctrDir, podDir]) if (fs.existsSync(d)) fs.rmdirSync(d);
    await cg.remove();
  }
});
