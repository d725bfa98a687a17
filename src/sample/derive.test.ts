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
  psi: { memory: undefined, cpu: undefined, io: undefined }, processes: [], stacks: [], probes: { finished: [], inFlightMs: [], stuck: 0 }, failures: [], ...over,
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

test('derive() matches processes by PID and start time, so a reused PID never subtracts', () => {
  const pr = (pid: number, start: number, minflt: number) => ({ pid, starttimeTicks: start, minflt, majflt: 0, utimeTicks: 0, stimeTicks: 100, threads: 1, running: 1, uninterruptible: 0, io: undefined });
  const a = sample(0, { cpu: undefined, processes: [pr(1, 1, 100), pr(2, 5, 1000)] });
  const b = sample(1000, { cpu: undefined, processes: [pr(1, 1, 150), pr(2, 9, 7)] });
  const m = derive(a, b, 2);
  assert.equal(m.progress.minfltPerSec, 57); // 50 from pid 1, 7 from the new process that reused pid 2
  assert.equal(m.cpu.source, 'threads');
  assert.equal(m.threads.count, 2);
  assert.equal(m.threads.running, 2);
});

test('derive() tags kernel stacks at assessment, so a recording is judged by the current tagger', () => {
  const frames = ['shrink_lruvec', 'shrink_node', 'do_try_to_free_pages', 'try_to_free_mem_cgroup_pages', 'try_charge_memcg', 'handle_mm_fault', 'exc_page_fault'];
  const b = sample(1000, { stacks: [{ pid: 1, tid: 2, state: 'R', frames }, { pid: 1, tid: 3, state: 'R', frames: ['futex_wait'] }] });
  const m = derive(sample(0), b, 2);
  assert.equal(m.threads.stacksSampled, 2);
  assert.equal(m.threads.inReclaim, 1);
  assert.equal(m.threads.inPageFault, 1);
});

test('reclaimPages() uses totals, never prefix sums that would count pgscan_direct_throttle or double count', () => {
  assert.deepEqual(reclaimPages({ pgscan: 10, pgsteal: 2, pgscan_direct: 10, pgsteal_direct: 2 }), { scanned: 10, stolen: 2 });
  assert.deepEqual(reclaimPages({ pgscan_anon: 3, pgscan_file: 7, pgsteal_anon: 1, pgsteal_file: 1, pgscan_direct_throttle: 99 }), { scanned: 10, stolen: 2 });
  assert.deepEqual(reclaimPages({ pgscan_kswapd: 4, pgscan_direct: 6, pgsteal_kswapd: 1, pgsteal_direct: 0 }), { scanned: 10, stolen: 1 });
  assert.equal(reclaimPages({ cache: 1 }), undefined);
});

test('deriveHost() computes host CPU shares and reclaim rates', () => {
  const h = (monoMs: number, sys: number, scan: number): HostSample => ({
    monoMs, wallMs: monoMs, failures: [], vmstat: { pgscan_anon: 0, pgscan_file: scan, pgsteal_anon: 0, pgsteal_file: scan / 10, oom_kill: 0 },
    psi: { memory: undefined, cpu: undefined, io: undefined }, cpuTicks: { user: 0, system: sys, idle: 200 - sys, iowait: 0, total: monoMs / 5 }, cpus: 2,
  });
  const m = deriveHost(h(0, 0, 0), h(1000, 100, 5000));
  assert.equal(m.cpuSystemRatio, 0.5);
  assert.equal(m.pgscanPerSec, 5000);
  assert.equal(m.pgstealPerSec, 500);
});

test('deriveHost() gives no rate, never 0, for a host counter that went backwards', () => {
  const h = (monoMs: number, scan: number, ooms: number): HostSample => ({
    monoMs, wallMs: monoMs, failures: [], vmstat: { pgscan: scan, pgsteal: scan, oom_kill: ooms, workingset_refault_file: scan },
    psi: { memory: undefined, cpu: undefined, io: undefined }, cpuTicks: { user: 0, system: 0, idle: 0, iowait: 0, total: 0 }, cpus: 2,
  });
  const m = deriveHost(h(0, 5000, 3), h(1000, 10, 1));
  assert.equal(m.pgscanPerSec, undefined);
  assert.equal(m.refaultsPerSec, undefined);
  assert.equal(m.oomKills, undefined);
  assert.equal(m.cpuSystemRatio, undefined);
});
