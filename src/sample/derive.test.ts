import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derive, deriveHost, reclaimPages } from './derive.js';
import type { HostSample, TargetSample } from './sample.js';
import type { CgroupMemory } from '../kernel/cgroup/memory.js';

const mem = (over: Partial<CgroupMemory> = {}): CgroupMemory => ({
  version: 'v2', usageBytes: 100, limitBytes: 100, highBytes: Infinity, limitHits: 0, oomKills: 0, ooms: 0, underOom: false,
  swapLimitBytes: 0, stat: { pgscan: 0, pgsteal: 0, workingset_refault_file: 0 }, missing: [], ...over,
});

const sample = (monoMs: number, over: Partial<TargetSample> = {}): TargetSample => ({
  monoMs, wallMs: monoMs, gone: false, memory: mem(), cpu: { usageUs: 0, userUs: 0, systemUs: 0, quotaCores: 2, periods: 0, throttledPeriods: 0, throttledUs: 0 },
  psi: { memory: undefined, cpu: undefined, io: undefined }, processes: [], stacks: [], unreadable: [], ...over,
});

test('derive() turns counters into per-second rates over the sample interval', () => {
  const a = sample(0);
  const b = sample(2000, {
    cpu: { usageUs: 3e6, userUs: 1e6, systemUs: 2e6, quotaCores: 2, periods: 20, throttledPeriods: 10, throttledUs: 0 },
    memory: mem({ limitHits: 50, stat: { pgscan: 20000, pgsteal: 200, workingset_refault_file: 400 } }),
  });
  const m = derive(a, b, 8);
  assert.equal(m.seconds, 2);
  assert.equal(m.cpu.userCores, 0.5);
  assert.equal(m.cpu.systemCores, 1);
  assert.equal(m.cpu.ofCapacity, 0.75);
  assert.equal(m.cpu.throttledRatio, 0.5);
  assert.equal(m.memory?.limitHitsPerSec, 25);
  assert.equal(m.memory?.pgscanPerSec, 10000);
  assert.equal(m.memory?.reclaimEfficiency, 0.01);
  assert.equal(m.memory?.refaultsPerSec, 200);
});

test('derive() gives no rate, never a negative one, for a counter that went backwards (recreated cgroup)', () => {
  const a = sample(0, { memory: mem({ limitHits: 900, oomKills: 4, stat: { pgscan: 5000, pgsteal: 10 } }) });
  const b = sample(1000, { memory: mem({ limitHits: 3, oomKills: 0, stat: { pgscan: 10, pgsteal: 1 } }) });
  const m = derive(a, b, 2);
  assert.equal(m.memory?.limitHitsPerSec, undefined);
  assert.equal(m.memory?.oomKills, undefined);
  assert.equal(m.memory?.pgscanPerSec, undefined);
});

test('derive() matches threads by TID and start time, so a reused TID never subtracts', () => {
  const th = (tid: number, start: number, minflt: number) => ({ tid, state: 'R', minflt, majflt: 0, utimeTicks: 0, stimeTicks: 100, processor: 0, starttimeTicks: start });
  const a = sample(0, { cpu: undefined, processes: [{ pid: 1, threads: [th(1, 1, 100), th(2, 5, 1000)], io: undefined }] });
  const b = sample(1000, { cpu: undefined, processes: [{ pid: 1, threads: [th(1, 1, 150), th(2, 9, 7)], io: undefined }] });
  const m = derive(a, b, 2);
  assert.equal(m.progress.minfltPerSec, 57); // 50 from tid 1, 7 from the new tid 2
  assert.equal(m.cpu.source, 'threads');
});

test('reclaimPages() uses totals, never prefix sums that would count pgscan_direct_throttle or double count', () => {
  assert.deepEqual(reclaimPages({ pgscan: 10, pgsteal: 2, pgscan_direct: 10, pgsteal_direct: 2 }), { scanned: 10, stolen: 2 });
  assert.deepEqual(reclaimPages({ pgscan_anon: 3, pgscan_file: 7, pgsteal_anon: 1, pgsteal_file: 1, pgscan_direct_throttle: 99 }), { scanned: 10, stolen: 2 });
  assert.deepEqual(reclaimPages({ pgscan_kswapd: 4, pgscan_direct: 6, pgsteal_kswapd: 1, pgsteal_direct: 0 }), { scanned: 10, stolen: 1 });
  assert.equal(reclaimPages({ cache: 1 }), undefined);
});

test('deriveHost() computes host CPU shares and reclaim rates', () => {
  const h = (monoMs: number, sys: number, scan: number): HostSample => ({
    monoMs, vmstat: { pgscan_anon: 0, pgscan_file: scan, pgsteal_anon: 0, pgsteal_file: scan / 10, oom_kill: 0 },
    psi: { memory: undefined, cpu: undefined, io: undefined }, cpuTicks: { user: 0, system: sys, idle: 200 - sys, iowait: 0, total: monoMs / 5 }, cpus: 2,
  });
  const m = deriveHost(h(0, 0, 0), h(1000, 100, 5000));
  assert.equal(m.cpuSystemRatio, 0.5);
  assert.equal(m.pgscanPerSec, 5000);
  assert.equal(m.pgstealPerSec, 500);
});
