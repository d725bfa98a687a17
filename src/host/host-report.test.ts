import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildHostReport, tracefsStateOf } from './host-report.js';
import { hostPaths } from './host-paths.js';
import { cannotRunHere } from '../test-support/live.js';

test('tracefsStateOf() tells absent from not readable by you', () => {
  assert.equal(tracefsStateOf({ eventsErrno: undefined, listedInMounts: true }), 'readable');
  assert.equal(tracefsStateOf({ eventsErrno: 'EACCES', listedInMounts: false }), 'unreadable');
  assert.equal(tracefsStateOf({ eventsErrno: 'ENOENT', listedInMounts: true }), 'unreadable');
  assert.equal(tracefsStateOf({ eventsErrno: 'ENOENT', listedInMounts: false }), 'absent');
});

test('live: as nobody, the mode-0700 tracefs of this host is "not readable", not "not mounted"', (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root to switch to nobody');
  const dir = '/sys/kernel/tracing';
  if (!fs.existsSync(`${dir}/events`)) return void cannotRunHere(t, `tracefs is not mounted at ${dir}`);
  if ((fs.statSync(dir).mode & 0o005) !== 0) return void cannotRunHere(t, `${dir} is readable by everyone here: nothing to tell apart`);
  // A plain node child as nobody: it needs nothing from the checkout, so it runs from any clone.
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e',
    `try { require('fs').statSync(${JSON.stringify(`${dir}/events`)}); console.log('none') } catch (e) { console.log(e.code) }`], { encoding: 'utf8', cwd: '/' });
  if (r.error) return void cannotRunHere(t, `setpriv: ${r.error.message}`);
  const errno = r.stdout.trim();
  assert.equal(errno, 'EACCES', r.stderr);
  const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir && l.split(' ')[2] === 'tracefs');
  assert.equal(tracefsStateOf({ eventsErrno: errno, listedInMounts: mounts }), 'unreadable');
});

test('buildHostReport() on a fixture tree: tracefs absent, exposure from its os-release', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-hostrep-'));
  try {
    for (const d of ['proc/sys/kernel', 'sys/kernel/mm', 'etc', 'sys/fs/cgroup']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, 'proc/sys/kernel/osrelease'), '5.15.133+\n');
    fs.writeFileSync(path.join(dir, 'proc/meminfo'), 'MemTotal:       16000000 kB\nSwapTotal:             0 kB\n');
    fs.writeFileSync(path.join(dir, 'proc/stat'), 'cpu  1 0 1 1 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\n');
    fs.writeFileSync(path.join(dir, 'proc/self'), '');
    fs.writeFileSync(path.join(dir, 'etc/os-release'), 'ID=cos\nVERSION_ID=105\nNAME="Container-Optimized OS"\n');
    const r = await buildHostReport(hostPaths({ proc: path.join(dir, 'proc'), sys: path.join(dir, 'sys'), rootfs: dir }), { tools: false });
    assert.equal(r.tracefs.state, 'absent');
    assert.equal(r.tracefs.tracepoints['mmap_lock:mmap_lock_released'], false);
    assert.equal(r.exposure.distro.cosMilestone, 105);
    assert.equal(r.exposure.mmapLock.level, 'exposed');
    assert.deepEqual(r.exposure.reference.filter((x) => x.thisNode).map((x) => x.platform), ['COS 105']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
