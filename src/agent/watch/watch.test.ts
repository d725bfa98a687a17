// The watch names a pod's cgroup as Kubernetes does (namespace and pod name, from the kubelet's log directory under
// --path.rootfs) and its metrics carry them: a real cgroup named as kubelet names pod cgroups, a real process in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostPaths } from '../../host/host-paths.js';
import { cannotUseCgroups, makeTestCgroup } from '../../test-support/live.js';
import { targetLabels } from '../http/metrics.js';
import { Watch } from './watch.js';

test('a pod cgroup gets its namespace and name from <rootfs>/var/log/pods, and its metrics labels carry them', async (t) => {
  if (cannotUseCgroups(t)) return;
  const uid = `${(process.pid % 0xffffffff).toString(16).padStart(8, '0')}-4b5a-6978-8796-a5b4c3d2e1f0`;
  const cg = makeTestCgroup(`kubepods-burstable-pod${uid.replace(/-/g, '_')}.slice`);
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'rwrootfs-'));
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    // makeTestCgroup appends -PID-TIME-SEQ to the name: kubelet's own names end in .slice, so make the real one.
    const dir = path.join(path.dirname(cg.memoryDir), `kubepods-burstable-pod${uid.replace(/-/g, '_')}.slice`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(sleeper.pid));
    fs.mkdirSync(path.join(rootfs, 'var/log/pods', `prod_db-0_${uid}`), { recursive: true });
    const rel = `${path.dirname(cg.path)}/${path.basename(dir)}`.replace(/^\/\//, '/');
    const watch = new Watch(hostPaths({ rootfs }), undefined, { intervalMs: 1000, windowMs: 10_000, holdTicks: 1, match: [rel], stacks: false });
    try {
      const target = watch.sampler.targets().find((x) => x.id === rel);
      assert.ok(target, `watched: ${watch.sampler.targets().map((x) => x.id).join(', ')}`);
      assert.deepEqual(target.target.pod, { uid, name: 'db-0', namespace: 'prod' });
      watch.sampler.tick();
      watch.sampler.tick();
      const st = watch.targets().get(rel);
      assert.ok(st);
      const labels = targetLabels(st);
      assert.equal(labels.namespace, 'prod');
      assert.equal(labels.pod, 'db-0');
    } finally {
      watch.sampler.close();
      sleeper.kill('SIGKILL');
      for (let i = 0; i < 100 && fs.existsSync(dir); i++) {
        try {
          fs.rmdirSync(dir);
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  } finally {
    sleeper.kill('SIGKILL');
    fs.rmSync(rootfs, { recursive: true, force: true });
    await cg.remove();
  }
});
