// The kept-open reader against real procfs and cgroupfs files: a re-read is as fresh as a new open, a removed
// cgroup's file is "gone", files left unread are closed, and v1 PID lists are never kept open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { GoneError } from './errors.js';
import { KeptOpenReader } from './kept-open-reader.js';
import { cannotUseCgroups, makeTestCgroup } from '../test-support/live.js';

/** Descriptors of this process open on `file` (other descriptors come and go with the test runner). */
const fdsOn = (file: string): number => fs.readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
  } catch {
    return false;
  }
}).length;

test('a kept-open /proc file reads fresh each time, and an exited process reads as gone', async () => {
  const child = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  const r = new KeptOpenReader();
  try {
    const file = `/proc/${child.pid}/stat`;
    const utime = (): number => Number(r.read(file).slice(r.read(file).lastIndexOf(')') + 2).split(' ')[11]);
    const a = utime();
    assert.equal(fdsOn(file), 1, 'one descriptor on the file');
    assert.equal(r.openCount, 1);
    await new Promise((res) => setTimeout(res, 300));
    const b = utime();
    assert.ok(b > a, `utime ${a} then ${b}: the second read must be fresh`);
    assert.equal(fdsOn(file), 1, 'no new descriptor for a re-read');
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    assert.throws(() => r.read(file), GoneError);
    assert.equal(r.openCount, 0, 'the dead process file was closed');
  } finally {
    child.kill('SIGKILL');
    r.close();
  }
});

test('a kept-open cgroup file follows the counter, is gone after rmdir, and cgroup.procs is opened anew', async (t) => {
  if (cannotUseCgroups(t)) return;
  const cg = makeTestCgroup('rwkept');
  const r = new KeptOpenReader();
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const usageFile = fs.existsSync(`${cg.memoryDir}/memory.usage_in_bytes`) ? `${cg.memoryDir}/memory.usage_in_bytes` : `${cg.memoryDir}/memory.current`;
    const before = Number(r.read(usageFile));
    // Charge 8 MiB of page cache to the cgroup through a child that writes a file from inside it.
    const writer = spawn('/bin/sh', ['-c', `echo $$ > ${cg.memoryDir}/cgroup.procs && head -c 8388608 /dev/zero > /var/tmp/rwkept-${process.pid}`], { stdio: 'ignore' });
    await new Promise((res) => writer.once('exit', res));
    const after = Number(r.read(usageFile));
    fs.rmSync(`/var/tmp/rwkept-${process.pid}`, { force: true });
    assert.ok(after >= before + 4 * 1024 * 1024, `usage ${before} then ${after}: the kept-open file must show the charge`);
    // cgroup.procs: never kept (v1 serves a cached PID list for a second), so a new member shows at once.
    const procs = `${cg.memoryDir}/cgroup.procs`;
    assert.doesNotMatch(r.read(procs), new RegExp(`^${child.pid}$`, 'm'));
    cg.add(child.pid!);
    assert.match(r.read(procs), new RegExp(`^${child.pid}$`, 'm'));
    assert.equal(r.openCount, 1, 'only the usage file is kept open');
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    await cg.remove();
    assert.throws(() => r.read(usageFile), GoneError);
    assert.equal(r.readIfExists(usageFile), undefined);
  } finally {
    child.kill('SIGKILL');
    r.close();
    await cg.remove();
  }
});

test('files not read for a few rounds are closed; a missing file is not looked for every round', () => {
  const r = new KeptOpenReader();
  try {
    r.read('/proc/self/status');
    r.read('/proc/vmstat');
    r.sweep(2); // round 0 ends: both read in it
    r.read('/proc/vmstat');
    r.sweep(2); // round 1: status unread once
    assert.equal(r.openCount, 2, 'both kept');
    r.read('/proc/vmstat');
    r.sweep(2); // round 2: status unread in the last two rounds
    assert.equal(r.openCount, 1, '/proc/self/status, unread in the last two rounds, is closed');
    assert.equal(r.readIfExists('/proc/no-such-file'), undefined);
    assert.equal(r.readIfExists('/proc/no-such-file'), undefined);
    assert.equal(r.openCount, 1);
  } finally {
    r.close();
    assert.equal(r.openCount, 0);
  }
});
