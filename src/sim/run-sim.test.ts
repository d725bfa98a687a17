import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UsageError } from '../kernel/errors.js';
import { SIM_PRESETS } from './presets.js';
import { type SimSecond, holdWindow, runSim } from './run-sim.js';
import type { SimParams } from './sim-params.js';

const MiB = 1024 ** 2;

// Small worlds: a few to a few dozen threads, a few MiB, either LRU, a limit below or above what they need.
const tiny = fc.record({
  lru: fc.constantFrom('classic' as const, 'mglru' as const),
  seed: fc.nat(1000),
  fileThreads: fc.integer({ min: 1, max: 24 }),
  filePagesEach: fc.integer({ min: 4, max: 300 }),
  memoryThreads: fc.integer({ min: 0, max: 24 }),
  memoryPagesEach: fc.integer({ min: 1, max: 200 }),
  limitShare: fc.double({ min: 0.3, max: 1.2, noNaN: true }),
  cpus: fc.integer({ min: 1, max: 4 }),
  windowMs: fc.constantFrom(0, 0, 500),
  kernelPreempt: fc.constantFrom(0, 1),
  coldPages: fc.constantFrom(0, 0, 16),
  reclaimUnderMmapLock: fc.constantFrom(undefined, 0, 1),
}).map((g): SimParams => {
  const fileBytes = g.fileThreads * g.filePagesEach * 4096;
  const memoryBytes = Math.max(g.memoryThreads, 1) * g.memoryPagesEach * 4096;
  return {
    ...SIM_PRESETS.small, lru: g.lru, seed: g.seed, fileThreads: g.fileThreads, fileBytes, memoryThreads: g.memoryThreads, memoryBytes,
    otherBytes: 64 * 4096, limitBytes: Math.max(256 * 4096, Math.round(((fileBytes + (g.memoryThreads ? memoryBytes : 0)) * g.limitShare) / 4096) * 4096),
    cpus: g.cpus, delayMs: 1000, durationMs: 3000, windowMs: g.windowMs, kernelPreempt: g.kernelPreempt, coldFileBytes: g.coldPages * 4096,
    ...(g.reclaimUnderMmapLock === undefined ? {} : { reclaimUnderMmapLock: g.reclaimUnderMmapLock }),
  };
});

void test('runSim() on any small world: every page on exactly one list, pages conserved, usage never over the limit, no page reclaimed before its second scan (two-list)', () => {
  fc.assert(fc.property(tiny, (p) => {
    const r = runSim(p);
    assert.deepEqual(r.problems, [], JSON.stringify(p));
    assert.ok(r.pages.maxUsage <= r.pages.limit, 'usage passed the limit');
    if (p.lru === 'classic') assert.equal(r.pages.reclaimedBeforeTwoScans, 0);
    assert.ok(r.reclaim.pagesReclaimed <= r.reclaim.pagesScanned);
  }), { numRuns: 40 });
});

void test('runSim() gives the same result for the same seed', () => {
  fc.assert(fc.property(tiny, (p) => {
    assert.deepEqual(runSim(p), runSim({ ...p }));
  }), { numRuns: 10 });
});

void test('runSim() with another seed changes the memory threads\' random writes', () => {
  const a = runSim({ ...SIM_PRESETS.small, durationMs: 20_000 });
  const b = runSim({ ...SIM_PRESETS.small, durationMs: 20_000, seed: 2 });
  assert.notDeepEqual(a.seconds.map((s) => s.memoryPagesPerS), b.seconds.map((s) => s.memoryPagesPerS));
});

void test('runSim() refuses bad parameters with a UsageError naming the parameter', () => {
  assert.throws(() => runSim({ ...SIM_PRESETS.small, cpus: 0 }), (e: unknown) => e instanceof UsageError && /cpus/.test(e.message));
  assert.throws(() => runSim({ ...SIM_PRESETS.small, limitBytes: MiB / 2 }), /limitBytes/);
  assert.throws(() => runSim({ ...SIM_PRESETS.small, lru: 'lru' as 'classic' }), /give classic or mglru/);
  assert.throws(() => runSim({ ...SIM_PRESETS.small, fileThreads: 1.5 }), /whole number/);
  assert.throws(() => runSim({ ...SIM_PRESETS.small, reclaimUnderMmapLock: 2 }), /reclaimUnderMmapLock: 2: give 1 \(reclaim with mmap_lock held\) or 0/);
  assert.throws(() => runSim({ ...SIM_PRESETS.small, kernelPreempt: 2 }), /kernelPreempt: 2: give 0/);
});

void test('the small preset runs in well under a second and reports each simulated second', () => {
  const r = runSim(SIM_PRESETS.small);
  assert.ok(r.seconds.length >= 10);
  assert.ok(r.seconds[0]!.filePagesPerS > 0, 'file threads read before the memory threads start');
  assert.equal(r.seconds[0]!.phase, 'file');
});

void test('holdWindow() averages only the whole seconds inside the hold, and gives undefined when there is none', () => {
  const sec = (tS: number, file: number): SimSecond => ({
    tS, phase: 'both', filePagesPerS: file, memoryPagesPerS: 1, fileFaultsPerS: 2, memoryFaultsPerS: 3, cpuUser: 1, cpuSystem: 0, cpuSpin: 0,
    scannedPerS: 0, reclaimedPerS: 0, usageBytes: 0, maxHoldMs: 0, probeWaitMs: 0, runnable: 0, lockWaiters: 0, reclaimers: 0,
  });
  const s = [sec(1, 100), sec(2, 10), sec(3, 30), sec(4, 100)];
  const w = holdWindow(s, 1000, 2500)!;
  assert.equal(w.seconds, 2, 'seconds 2 and 3: [1 s, 3.5 s] covers them whole, not second 4');
  assert.equal(w.filePagesPerS, 20);
  assert.equal(w.faultsPerS, 5);
  assert.equal(holdWindow(s, 1200, 900), undefined);
});

void test('runSim() counts the faults it serves: the small preset faults its files in before the memory threads start, and both groups fault after', () => {
  const r = runSim(SIM_PRESETS.small);
  assert.ok(r.seconds[0]!.fileFaultsPerS > 0);
  assert.equal(r.seconds[0]!.memoryFaultsPerS, 0);
  assert.ok(r.seconds.some((s) => s.phase === 'both' && s.memoryFaultsPerS > 0));
});
