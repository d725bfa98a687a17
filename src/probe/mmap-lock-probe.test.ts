// Probes many processes with one child: a read that hangs (a FIFO nobody writes, standing in for a cmdline
// blocked on mmap_lock) delays no other, times out at the deadline, and leaves no child behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostPaths, LIVE_HOST } from '../host/host-paths.js';
import { nativeExecutable } from '../native/native-parts.js';
import { probeMmapLock, probeMmapLockMany } from './mmap-lock-probe.js';

const children = (): string[] => fs.readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);

test('one child probes many: the hung read times out, the others finish, a missing process is gone', async () => {
  assert.ok(nativeExecutable('cmdline_probe'), 'npm install builds native/cmdline_probe');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rwprobe-'));
  try {
    for (const pid of [101, 102, 103]) fs.mkdirSync(path.join(root, String(pid)));
    fs.writeFileSync(path.join(root, '101', 'cmdline'), 'a\0b\0');
    execFileSync('mkfifo', [path.join(root, '102', 'cmdline')]);
    fs.writeFileSync(path.join(root, '103', 'cmdline'), 'c\0');
    const host = hostPaths({ proc: root });
    const t0 = performance.now();
    const r = await probeMmapLockMany(host, [101, 102, 103, 104], 600);
    const took = performance.now() - t0;
    assert.deepEqual(r.map((p) => [p.pid, p.outcome]), [[101, 'ok'], [102, 'timeout'], [103, 'ok'], [104, 'gone']]);
    assert.equal(r[0]!.timing, 'read', 'timed inside the child');
    assert.ok(r[0]!.latencyMs < 100, `${r[0]!.latencyMs} ms for a plain file`);
    assert.ok(r[1]!.latencyMs >= 600);
    assert.ok(took >= 600 && took < 5000, `${took.toFixed(0)} ms for a 600 ms deadline`);
    assert.deepEqual(children(), [], 'the reader was killed and reaped');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a real process: its cmdline read in microseconds, and probeMmapLock agrees with the batch', async () => {
  const [many] = await probeMmapLockMany(LIVE_HOST, [process.pid], 1000);
  const one = await probeMmapLock(LIVE_HOST, process.pid, 1000);
  for (const p of [many!, one]) {
    assert.equal(p.outcome, 'ok');
    assert.equal(p.timing, 'read');
    assert.ok(p.latencyMs >= 0 && p.latencyMs < 1000, String(p.latencyMs));
  }
  assert.deepEqual(await probeMmapLockMany(LIVE_HOST, [], 1000), []);
});
