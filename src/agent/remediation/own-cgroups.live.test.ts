// The agent knows its own cgroup even in a private cgroup namespace (where /proc/self/cgroup says only "/", as in a
// DaemonSet pod on cgroup v2), so it never restarts itself: a real process in a real test cgroup, under `unshare -C`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup } from '../../test-support/live.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('in a private cgroup namespace, ownCgroups() finds the agent cgroup by walking the tree', async (t) => {
  const why = liveCgroupBlocker() ?? (process.getuid?.() !== 0 ? 'unshare --cgroup needs root' : undefined);
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  try {
    execFileSync('unshare', ['--cgroup', 'true']);
  } catch (err) {
    cannotRunHere(t, `unshare --cgroup failed: ${(err as Error).message}`);
    return;
  }
  const cg = makeTestCgroup('rwowncg');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwowncg-'));
  try {
    const script = path.join(dir, 'own.mts');
    fs.writeFileSync(script, [
      `import fs from 'node:fs';`,
      `import { ownCgroups } from ${JSON.stringify(path.join(here, 'responder.ts'))};`,
      `import { LIVE_HOST } from ${JSON.stringify(path.join(here, '../../host/host-paths.ts'))};`,
      `console.log(JSON.stringify({ cgroupFile: fs.readFileSync('/proc/self/cgroup', 'utf8'), own: ownCgroups(LIVE_HOST) }));`,
    ].join('\n'));
    const procs = [cg.memoryDir, ...(cg.unifiedDir && cg.unifiedDir !== cg.memoryDir ? [cg.unifiedDir] : [])].map((d) => `echo $$ > '${d}/cgroup.procs'`).join(' && ');
    const child = spawn('/bin/sh', ['-c', `${procs} && exec unshare --cgroup "${process.execPath}" --import tsx "${script}"`], { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.join(here, '../../..') });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0, err);
    const r = JSON.parse(out) as { cgroupFile: string; own: string[] };
    assert.ok(r.cgroupFile.split('\n').filter(Boolean).every((l) => l.endsWith(':/')), `a private namespace shows only "/": ${r.cgroupFile}`);
    assert.deepEqual(r.own, [cg.path]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await cg.remove();
  }
});
