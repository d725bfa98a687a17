import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSecond, type RawSample } from './second.js';
import { parseProgressLine } from './progress-line.js';

const raw = (atMs: number, filePages: number, over: Partial<RawSample> = {}): RawSample => ({
  atMs, progress: { tMs: atMs, phase: 'both', filesReady: 1, fileThreads: 1, memoryThreads: 1, filePages, memoryPages: filePages * 2 },
  cpu: { usageUs: atMs * 1000, userUs: atMs * 400, systemUs: atMs * 600, quotaCores: 1, periods: 0, throttledPeriods: 0, throttledUs: 0 },
  memory: undefined, psiMemory: { some: { avg10: 0, avg60: 0, avg300: 0, totalUs: atMs * 250 }, full: undefined },
  reclaim: { scope: 'host', scannedPages: atMs, stolenPages: atMs / 2 }, threads: undefined, stacks: { sampled: 4, inReclaim: 1, waitsMmapLock: 0 },
  probe: { finishedMs: [], timeouts: 0, pendingMs: 0 }, ...over,
});

void test('deriveSecond() turns two samples into rates', () => {
  const s = deriveSecond(raw(1000, 100), raw(2000, 600, { probe: { finishedMs: [3, 7], timeouts: 0, pendingMs: 0 } }));
  assert.equal(s.filePagesPerS, 500);
  assert.equal(s.memoryPagesPerS, 1000);
  assert.equal(s.cpuUser, 0.4);
  assert.equal(s.cpuSystem, 0.6);
  assert.equal(s.psiSomePct, 25);
  assert.equal(s.scannedPerS, 1000);
  assert.equal(s.reclaimStackShare, 0.25);
  assert.equal(s.probeWorstMs, 7);
  assert.equal(s.reported, true);
});

void test('deriveSecond() gives no rate for a counter that went backwards, and marks a silent second', () => {
  const a = raw(1000, 600);
  const b = { ...raw(2000, 100), progress: a.progress };
  const s = deriveSecond(a, { ...b, progress: { ...a.progress!, filePages: 10 } });
  assert.equal(s.filePagesPerS, undefined);
  const silent = deriveSecond(a, { ...raw(2000, 0), progress: a.progress, probe: { finishedMs: [], timeouts: 0, pendingMs: 2500 } });
  assert.equal(silent.reported, false);
  assert.equal(silent.filePagesPerS, 0);
  assert.equal(silent.probeWorstMs, 2500);
});

void test('parseProgressLine() reads the workload line and ignores anything else', () => {
  assert.deepEqual(parseProgressLine('{"tMs":1010,"phase":"file","filesReady":4,"fileThreads":4,"memoryThreads":0,"filePages":5758596,"memoryPages":0}'),
    { tMs: 1010, phase: 'file', filesReady: 4, fileThreads: 4, memoryThreads: 0, filePages: 5758596, memoryPages: 0 });
  assert.equal(parseProgressLine('{"tMs":1,"phase":"weird","filesReady":0,"fileThreads":0,"memoryThreads":0,"filePages":0,"memoryPages":0}'), undefined);
  assert.equal(parseProgressLine('hello'), undefined);
});
