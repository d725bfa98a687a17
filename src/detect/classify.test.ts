import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from './classify.js';
import { DEFAULT_THRESHOLDS, parseThresholdOverrides } from './thresholds.js';
import type { TargetModel } from '../sample/model.js';
import type { ClassifyInput } from './verdict.js';

const base = (): TargetModel => ({
  seconds: 5, gone: false,
  cpu: { userCores: 0.01, systemCores: 0.01, totalCores: 0.02, quotaCores: 4, ofCapacity: 0.01, throttledRatio: 0, throttledPerSec: undefined, source: 'cgroup' },
  memory: { usageBytes: 1e8, limitBytes: 4e9, usageRatio: 0.025, limitHitsPerSec: 0, oomKills: 0, underOom: false, pgscanPerSec: 0, pgstealPerSec: 0, reclaimEfficiency: undefined, reclaimSource: 'cgroup', refaultsPerSec: 0, version: 'v2', missing: [] },
  progress: { minfltPerSec: 10, majfltPerSec: 0, faultsPerSec: 10, ioBytesPerSec: 0, ioSyscallsPerSec: 5, workPerSystemCpuSecond: undefined },
  psi: { memorySome: 0, memoryFull: 0, cpuSome: 0, ioFull: 0, scope: 'cgroup' },
  threads: { count: 10, running: 0, uninterruptible: 0, stacksSampled: 0, inReclaim: 0, waitingMmapLock: 0, inPageFault: 0 },
});
const input = (m: TargetModel, probe: Partial<ClassifyInput['probe']> = {}, mglru = { mglruPresent: true, mglruEnabled: false }): ClassifyInput => ({
  window: m, intervals: [m], probe: { probes: 2, timeouts: 0, worstLatencyMs: 2, ...probe }, host: { ...mglru, kernelRelease: '6.1.0' },
});

/** The reference incident as a model: 29 cores in the kernel, 9 faults/s, at the limit, 32 of 1,093,267 pages freed. */
const reference = (): TargetModel => {
  const m = base();
  m.cpu = { userCores: 0.2, systemCores: 29, totalCores: 29.2, quotaCores: 30, ofCapacity: 0.97, throttledRatio: 0.9, throttledPerSec: undefined, source: 'cgroup' };
  m.memory = { ...m.memory!, usageBytes: 4.13e9, limitBytes: 4.29e9, usageRatio: 0.963, limitHitsPerSec: 500, pgscanPerSec: 1093267 / 564, pgstealPerSec: 32 / 564, reclaimEfficiency: 32 / 1093267 };
  m.progress = { minfltPerSec: 9, majfltPerSec: 0, faultsPerSec: 9, ioBytesPerSec: 0, ioSyscallsPerSec: 0, workPerSystemCpuSecond: 9 / 29 };
  m.psi = { memorySome: 0.99, memoryFull: 0.97, cpuSome: 0.1, ioFull: 0, scope: 'cgroup' };
  m.threads = { count: 1000, running: 950, uninterruptible: 10, stacksSampled: 256, inReclaim: 240, waitingMmapLock: 5, inPageFault: 250 };
  return m;
};

test('classify() calls an idle process healthy, with no findings but evidence', () => {
  const v = classify(input(base()));
  assert.equal(v.verdict, 'healthy');
  assert.equal(v.severity, 0);
  assert.ok(v.evidence.length > 3);
  assert.deepEqual(v.findings, []);
});

test('classify() calls user-space CPU burn cpu-bound', () => {
  const m = base();
  m.cpu = { ...m.cpu, userCores: 1.9, systemCores: 0.05, totalCores: 1.95, ofCapacity: 0.49 };
  assert.equal(classify(input(m)).verdict, 'cpu-bound');
});

test('classify() calls the reference incident a reclaim-livelock, with its findings and MGLRU advice', () => {
  const v = classify(input(reference()));
  assert.equal(v.verdict, 'reclaim-livelock');
  const codes = v.findings.map((f) => f.code);
  for (const c of ['memory-at-limit', 'reclaim-inefficient', 'progress-collapsed', 'threads-in-reclaim', 'cpu-throttled', 'psi-memory-full', 'mglru-off']) assert.ok(codes.includes(c as never), `missing ${c}`);
  assert.ok(v.advice.some((a) => a.includes('echo y > /sys/kernel/mm/lru_gen/enabled')));
  assert.ok(v.advice.some((a) => /spurious cgroup OOM kills/.test(a)));
  assert.ok(v.severity >= 90);
});

test('classify() tells thrashing that still progresses from the livelock: high kernel time that buys work is not collapse', () => {
  const m = reference();
  m.progress = { minfltPerSec: 50000, majfltPerSec: 3000, faultsPerSec: 53000, ioBytesPerSec: 0, ioSyscallsPerSec: 0, workPerSystemCpuSecond: 53000 / 29 };
  m.memory = { ...m.memory!, pgstealPerSec: 900, pgscanPerSec: 2000, reclaimEfficiency: 0.45, refaultsPerSec: 3000 };
  const v = classify(input(m));
  assert.equal(v.verdict, 'thrashing');
  assert.ok(!v.findings.some((f) => f.code === 'progress-collapsed'));
});

test('classify() never calls a target with an mmap-lock stall healthy', () => {
  const v = classify(input(base(), { timeouts: 1, worstLatencyMs: 1000 }));
  assert.notEqual(v.verdict, 'healthy');
  assert.ok(v.findings.some((f) => f.code === 'mmap-lock-stall'));
  const slow = classify(input(base(), { worstLatencyMs: 800 }));
  assert.notEqual(slow.verdict, 'healthy');
});

test('classify() puts OOM kills first: oom-loop, not livelock', () => {
  const m = reference();
  m.memory = { ...m.memory!, oomKills: 3 };
  assert.equal(classify(input(m)).verdict, 'oom-loop');
});

test('classify() reports gone for a vanished target and nothing else', () => {
  const m = base();
  m.gone = true;
  const v = classify(input(m));
  assert.equal(v.verdict, 'gone');
  assert.deepEqual(v.findings.map((f) => f.code), ['gone']);
});

test('thresholds are overridable by name and bad overrides are refused', () => {
  const t = parseThresholdOverrides(['memoryAtLimitRatio=0.5']);
  assert.equal(t.memoryAtLimitRatio, 0.5);
  assert.equal(t.mmapLockStallMs, DEFAULT_THRESHOLDS.mmapLockStallMs);
  const m = base();
  m.memory = { ...m.memory!, usageRatio: 0.6 };
  assert.ok(classify(input(m), t).findings.some((f) => f.code === 'memory-at-limit'));
  assert.throws(() => parseThresholdOverrides(['x=1']), /unknown threshold/);
  assert.throws(() => parseThresholdOverrides(['memoryAtLimitRatio=-1']), /non-negative/);
});
