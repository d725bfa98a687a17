// The thread sampler on real processes: the native reader (one-shot and kept-open) agrees with the JS one,
// follows threads as they come and go, and reports a vanished process as gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIVE_HOST } from '../host/host-paths.js';
import { GoneError } from '../kernel/errors.js';
import { cannotRunHere, waitFor } from '../test-support/live.js';
import { ThreadSampler, readThreadStats, readThreadStatsJs, threadStatsImpl } from './thread-stats.js';

test('the native thread sampler was built and is in use (npm install builds it)', (t) => {
  if (threadStatsImpl !== 'native') return void cannotRunHere(t, 'native/task_sampler.c was not built (no C compiler at npm install?)');
  assert.equal(threadStatsImpl, 'native');
});

test('native, kept-open and JS readers see the same threads of a 64-thread process, and follow it to its end', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwthreads-'));
  const bin = path.join(dir, 'threads');
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, 'test/workloads/threads.c']);
  const child = spawn(bin, ['64'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise((r) => child.stdout.once('data', r));
    const pid = child.pid!;
    const js = readThreadStatsJs(LIVE_HOST, pid);
    const once = readThreadStats(LIVE_HOST, pid);
    const sampler = new ThreadSampler(LIVE_HOST);
    const kept1 = sampler.read(pid);
    const kept2 = sampler.read(pid);
    for (const list of [js, once, kept1, kept2]) {
      assert.equal(list.length, 64);
      assert.deepEqual(list.map((x) => x.tid), js.map((x) => x.tid));
    }
    assert.equal(once[0]!.tid, pid);
    assert.equal(kept2[0]!.starttimeTicks, js[0]!.starttimeTicks);
    assert.ok(kept2.every((x) => x.state === 'S'), 'parked threads sleep');
    child.kill('SIGKILL');
    assert.ok(await waitFor(() => !fs.existsSync(`/proc/${pid}`), 5000));
    assert.throws(() => sampler.read(pid), GoneError);
    assert.throws(() => readThreadStats(LIVE_HOST, pid), GoneError);
    sampler.close();
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('one kept-open sampler holds a set per process, drops the ones not retained, and reopens on demand', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwthreads-'));
  const bin = path.join(dir, 'threads');
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, 'test/workloads/threads.c']);
  const a = spawn(bin, ['3'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const b = spawn(bin, ['5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await Promise.all([new Promise((r) => a.stdout.once('data', r)), new Promise((r) => b.stdout.once('data', r))]);
    const sampler = new ThreadSampler(LIVE_HOST);
    assert.equal(sampler.read(a.pid!).length, 3);
    assert.equal(sampler.read(b.pid!).length, 5);
    sampler.retain([b.pid!]);
    assert.equal(sampler.read(b.pid!).length, 5);
    assert.equal(sampler.read(a.pid!).length, 3, 'a dropped process is reopened on demand');
    sampler.close();
  } finally {
    a.kill('SIGKILL');
    b.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
