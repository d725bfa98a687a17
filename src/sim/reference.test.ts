// The model against the reference's figures, at half the reference's size (500 + 500 threads on 2 CPUs keep its
// 250 threads per CPU; 2 GB of files under a 2 GiB limit) so that it runs in a few seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIM_PRESETS } from './presets.js';
import { runSim } from './run-sim.js';

const GiB = 1024 ** 3;
const half = { ...SIM_PRESETS.reference, fileThreads: 500, memoryThreads: 500, cpus: 2, fileBytes: 2_048_000_000, memoryBytes: GiB / 2, limitBytes: 2 * GiB, otherBytes: 32 * 1024 ** 2, durationMs: 400_000 };

void test('two-list LRU at half the reference: one read hold of hundreds of seconds, ~10^5 pages scanned, a small CPU share, no OOM kill', () => {
  const r = runSim(half);
  const h = r.longestHold!;
  assert.ok(h.durationMs >= 100_000, `hold ${h.durationMs} ms`);
  assert.ok(h.counters.nrScanned >= 100_000 && h.counters.nrScanned <= 2_000_000, `scanned ${h.counters.nrScanned}`);
  assert.ok(h.counters.nrReclaimed <= 100, `reclaimed ${h.counters.nrReclaimed}`);
  assert.ok(h.counters.runtimeUs < 0.02 * h.durationMs * 1000, 'CPU time a small fraction of the hold');
  assert.ok(h.threadsPerCpu >= 100 && h.threadsPerCpu <= 400, `threads per CPU ${h.threadsPerCpu}`);
  assert.equal(r.oom.killed, false);
  assert.deepEqual(r.problems, []);
  assert.notEqual(r.verdict.class, 'not affected');
});

void test('the small preset: the two-list LRU holds mmap_lock for many seconds, MGLRU never for more than a few', () => {
  const classic = runSim({ ...SIM_PRESETS.small, lru: 'classic' });
  const mglru = runSim({ ...SIM_PRESETS.small, lru: 'mglru' });
  assert.ok(classic.longestHold!.durationMs >= 10_000, `classic hold ${classic.longestHold!.durationMs} ms`);
  assert.ok(mglru.longestHold!.durationMs <= 3_000, `mglru hold ${mglru.longestHold!.durationMs} ms`);
  assert.ok(mglru.reclaim.pagesReclaimed > classic.reclaim.pagesReclaimed);
  assert.equal(mglru.oom.killed, false);
});
