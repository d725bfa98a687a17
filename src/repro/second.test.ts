import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSecond, type RawSample } from './second.js';
import { parseProgressLine } from './progress-line.js';
import type { HostSample, TargetSample } from '../sample/sample.js';

const target = (atMs: number, over: Partial<TargetSample> = {}): TargetSample => ({
  monoMs: atMs, wallMs: atMs, gone: false, memory: undefined,
  cpu: { usageUs: atMs * 1000, userUs: atMs * 400, systemUs: atMs * 600, quotaCores: 1, periods: 0, throttledPeriods: 0, throttledUs: 0 },
  psi: { memory: { some: { avg10: 0, avg60: 0, avg300: 0, totalUs: atMs * 250 }, full: undefined }, cpu: undefined, io: undefined },
  processes: [], stacks: [
    { pid: 1, tid: 2, state: 'R', frames: ['shrink_lruvec', 'try_charge_memcg', 'exc_page_fault'] },
    { pid: 1, tid: 3, state: 'R', frames: ['futex_wait'] }, { pid: 1, tid: 4, state: 'R', frames: ['futex_wait'] }, { pid: 1, tid: 5, state: 'D', frames: ['io_schedule'] },
  ],
  probes: { finished: [], inFlightMs: [], stuck: 0 }, failures: [], ...over,
});
const host = (atMs: number): HostSample => ({
  monoMs: atMs, wallMs: atMs, vmstat: { pgscan_file: atMs, pgscan_anon: 0, pgsteal_file: atMs / 2, pgsteal_anon: 0 }, psi: { memory: undefined, cpu: undefined, io: undefined },
  cpuTicks: { user: 0, system: 0, idle: 0, iowait: 0, total: 0 }, cpus: 2, failures: [],
});
const memory = { version: 'v1' as const, usageBytes: 1, limitBytes: 2, highBytes: Infinity, limitHits: 0, oomKills: 0, ooms: undefined, underOom: false, swapLimitBytes: undefined, stat: {}, missing: [] };
const probe = (latencyMs: number): TargetSample['probes']['finished'][number] => ({ pid: 1, outcome: 'ok', latencyMs, timing: 'read', deadlineMs: 10000 });
const raw = (atMs: number, filePages: number, over: Partial<TargetSample> = {}): RawSample => ({
  atMs, progress: { tMs: atMs, phase: 'both', filesReady: 1, fileThreads: 1, memoryThreads: 1, filePages, memoryPages: filePages * 2 },
  target: target(atMs, { memory, ...over }), host: host(atMs),
});

void test('deriveSecond() turns two samples into rates through the spine', () => {
  const s = deriveSecond(raw(1000, 100), raw(2000, 600, { probes: { finished: [probe(3), probe(7)], inFlightMs: [], stuck: 0 } }));
  assert.equal(s.filePagesPerS, 500);
  assert.equal(s.memoryPagesPerS, 1000);
  assert.equal(s.cpuUser, 0.4);
  assert.equal(s.cpuSystem, 0.6);
  assert.equal(s.psiSomePct, 25);
  assert.equal(s.scannedPerS, 1000);
  assert.equal(s.reclaimScope, 'host');
  assert.equal(s.reclaimStackShare, 0.25);
  assert.equal(s.probeWorstMs, 7);
  assert.equal(s.probesFinished, 2);
  assert.equal(s.reported, true);
});

void test('deriveSecond() gives no rate for a counter that went backwards, and marks a silent second', () => {
  const a = raw(1000, 600);
  const b = { ...raw(2000, 100), progress: a.progress };
  const s = deriveSecond(a, { ...b, progress: { ...a.progress!, filePages: 10 } });
  assert.equal(s.filePagesPerS, undefined);
  const silent = deriveSecond(a, { ...raw(2000, 0, { probes: { finished: [], inFlightMs: [2500], stuck: 0 } }), progress: a.progress });
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
