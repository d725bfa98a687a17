// Live: the kernel-side sampler and the perf bridge on the parked-threads program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIVE_HOST } from '../host/host-paths.js';
import { hasCode } from '../kernel/errors.js';
import { cannotRunHere } from '../test-support/live.js';
import { sampleKernelStacks } from './kernel-sampler.js';
import { perfProfile } from './perf-bridge.js';
import { parkedBuildBlocker, startParked } from './test-program.js';
import { findOnPath } from './user-stacks.js';

void test('sampleKernelStacks() counts only the runnable thread, with its comm at the root', async (t) => {
  const why = process.getuid?.() !== 0 ? 'needs root' : parkedBuildBlocker();
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const p = await startParked();
  try {
    const prof = await sampleKernelStacks(LIVE_HOST, p.pid, { samples: 20, hz: 100 });
    assert.equal(prof.samplesTaken, 20);
    const lines = prof.folded.trim().split('\n');
    // The six parked threads sleep (S); only rw-busy is runnable. Others may be R for an instant, rarely.
    const busy = lines.filter((l) => l.startsWith('rw-busy;')).reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    assert.ok(busy >= 15, prof.folded);
    assert.ok(!prof.folded.includes('rw-futex;'), prof.folded);
    // With RD and S-states included, the futex waiters appear with their kernel stacks.
    const all = await sampleKernelStacks(LIVE_HOST, p.pid, { samples: 2, hz: 100, states: 'RSD' });
    assert.match(all.folded, /^rw-futex;.*futex_wait.*_\[k\] 6$/m);
  } finally {
    await p.stop();
  }
});

void test('perfProfile() records the busy thread with perf record -g and folds perf script output', async (t) => {
  const why = process.getuid?.() !== 0 ? 'needs root' : !findOnPath('perf') ? 'perf is not installed (apt-get install linux-perf)' : parkedBuildBlocker();
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const p = await startParked();
  try {
    const prof = await perfProfile(p.pid, { durationMs: 1000, hz: 199 });
    // A spinning thread gets 199 samples a CPU-second; on a host at load average 40 (2 cores) it gets a few %.
    assert.ok(prof.samples >= 3, `only ${prof.samples} samples`);
    assert.match(prof.folded, /^rw-busy;.*spin_forever( |;)/m);
  } finally {
    await p.stop();
  }
});

void test('perfProfile() says which step failed', async () => {
  await assert.rejects(perfProfile(1, { durationMs: 100, perfPath: '/nonexistent/perf' }), (e: unknown) => hasCode(e, 'tool-missing') && /cannot run \/nonexistent\/perf/.test((e as Error).message));
  if (findOnPath('perf')) {
    await assert.rejects(perfProfile(2 ** 22 + 7, { durationMs: 100 }), (e: unknown) => /^perf record failed/.test((e as Error).message));
  }
});
