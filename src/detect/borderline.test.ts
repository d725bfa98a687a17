// A verdict that does not flip at a threshold's edge: repeated windows of one steady workload give one verdict,
// say "borderline" and why; clear cases are untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classify } from './classify.js';
import { decideWithMargin, edgeScore, type EdgeCheck } from './borderline.js';
import type { TargetModel } from '../sample/model.js';
import type { ClassifyInput } from './verdict.js';

/**
 * One window of the README's example (`thrash.c 16 16 4 8`, 64 MiB, this project's host): ~1.9 cores, the kernel's
 * share `share`, ~60 faults/s per kernel CPU-second, at the limit with thousands of limit hits/s, host-wide pgscan.
 */
function thrashWindow(share: number): TargetModel {
  const total = 1.9;
  const sys = total * share;
  return {
    seconds: 5, gone: false,
    cpu: { userCores: total - sys, systemCores: sys, totalCores: total, quotaCores: Infinity, ofCapacity: 0.95, throttledRatio: undefined, throttledPerSec: undefined, source: 'cgroup' },
    memory: { usageBytes: 62 << 20, limitBytes: 64 << 20, usageRatio: 0.97, limitHitsPerSec: 6000, oomKills: 0, underOom: false, pgscanPerSec: 40000, pgstealPerSec: 30000, reclaimEfficiency: 0.75, reclaimSource: 'host', refaultsPerSec: undefined, version: 'v1', missing: ['pgscan', 'refaults'] },
    progress: { minfltPerSec: 80, majfltPerSec: 20, faultsPerSec: 100, ioBytesPerSec: 0, ioSyscallsPerSec: 0, workPerSystemCpuSecond: 100 / sys * 0.8 },
    psi: { memorySome: 0.9, memoryFull: 0.6, cpuSome: 0.3, ioFull: 0, scope: 'cgroup' },
    threads: { count: 21, running: 12, uninterruptible: 2, stacksSampled: 14, inReclaim: 9, waitingMmapLock: 0, inPageFault: 12 },
  };
}
const input = (m: TargetModel): ClassifyInput => ({ window: m, intervals: [m], probe: { probes: 4, timeouts: 0, worstLatencyMs: 2 }, host: { mglruPresent: false, mglruEnabled: false, kernelRelease: '6.18.0' } });
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

test('edgeScore() is ±1 outside the margin and linear inside it', () => {
  const c: EdgeCheck = { name: 'x', value: 0.7, threshold: 0.7, op: '>=', format: pct };
  assert.equal(edgeScore(c, 0.05), 0);
  assert.equal(edgeScore({ ...c, value: 0.8 }, 0.05), 1);
  assert.equal(edgeScore({ ...c, value: 0.6 }, 0.05), -1);
  assert.ok(Math.abs(edgeScore({ ...c, value: 0.7175 }, 0.05) - 0.5) < 1e-9);
  assert.equal(edgeScore({ ...c, op: '<', value: 50, threshold: 100 }, 0.05), 1);
});

test('decideWithMargin(): a borderline figure is outweighed by clear ones, and a clear failure always wins', () => {
  const share = (v: number): EdgeCheck => ({ name: 'kernel share of CPU', value: v, threshold: 0.7, op: '>=', format: pct });
  const work: EdgeCheck = { name: 'work per kernel CPU-second', value: 20, threshold: 100, op: '<', format: String };
  for (const v of [0.697, 0.699, 0.7, 0.702, 0.704]) {
    const d = decideWithMargin([share(v), work], 0.05, 'progress collapsed');
    assert.equal(d.holds, true, String(v));
    assert.equal(d.near.length, 1);
    assert.match(d.reasons[0] ?? '', /kernel share of CPU .* its threshold ≥ 70.0 % by less than 5 %; decided by the rest of the evidence \(work per kernel CPU-second 20 vs < 100\): progress collapsed holds/);
  }
  assert.equal(decideWithMargin([share(0.697), { ...work, value: 500 }], 0.05, 'r').holds, false);
  assert.deepEqual(decideWithMargin([share(0.9), work], 0.05, 'r').reasons, []);
});

test('five windows of a steady thrash with the kernel share at 0.697–0.704 give one verdict, each saying borderline', () => {
  const verdicts = [0.697, 0.701, 0.699, 0.704, 0.698].map((s) => classify(input(thrashWindow(s))));
  assert.deepEqual(new Set(verdicts.map((v) => v.verdict)).size, 1, verdicts.map((v) => v.verdict).join(', '));
  assert.equal(verdicts[0]?.verdict, 'reclaim-livelock');
  for (const v of verdicts) {
    assert.ok(v.findings.some((f) => f.code === 'progress-collapsed'));
    assert.ok(v.borderline.some((b) => /kernel share of CPU/.test(b)), v.borderline.join(' | '));
    assert.ok(v.findings.some((f) => f.code === 'borderline' && /progress collapsed holds/.test(f.message)));
  }
  // The advice is the same in every window.
  assert.equal(new Set(verdicts.map((v) => v.advice.join('\n'))).size, 1);
});

test('property: any kernel share within the margin around 0.7 gives the verdict of the window at 0.7', () => {
  const at = classify(input(thrashWindow(0.7))).verdict;
  fc.assert(fc.property(fc.double({ min: 0.666, max: 0.734, noNaN: true }), (s) => classify(input(thrashWindow(s))).verdict === at), { numRuns: 300 });
});

test('clear cases are not borderline: a share of 0.9 or 0.4 decides as before, without the finding', () => {
  const high = classify(input(thrashWindow(0.9)));
  assert.equal(high.verdict, 'reclaim-livelock');
  assert.deepEqual(high.borderline, []);
  const low = classify(input(thrashWindow(0.4)));
  assert.equal(low.verdict, 'thrashing');
  assert.ok(!low.findings.some((f) => f.code === 'borderline' || f.code === 'progress-collapsed'));
});

test('issue 10: the finding says which memory rule fired with the evidence row\'s figure; an idle target is not "100 % in the kernel"', () => {
  const m = thrashWindow(0.9);
  m.memory = { ...m.memory!, usageBytes: 103 << 20, limitBytes: 128 << 20, usageRatio: 103 / 128, limitHitsPerSec: 102848 };
  const v = classify(input(m));
  const f = v.findings.find((x) => x.code === 'memory-at-limit');
  const row = v.evidence.find((e) => e.signal === 'memory usage / limit');
  assert.ok(f && row);
  assert.match(f.message, /102848 charges\/s hit the limit and had to reclaim \(memory\.failcnt rate > 0\); usage 103 MiB \/ 128 MiB \(80 %\) is below 95 %/);
  assert.ok(f.message.includes(row.value), `${f.message} vs ${row.value}`);
  assert.match(row.threshold, /or limit hits > 0/);
  const idle = thrashWindow(0.5);
  idle.cpu = { ...idle.cpu, userCores: 0.0004, systemCores: 0.0006, totalCores: 0.001 };
  const cpu = classify(input(idle)).evidence.find((e) => e.signal === 'CPU (user + system)');
  assert.match(cpu?.meaning ?? '', /^idle/);
  assert.doesNotMatch(cpu?.meaning ?? '', /in the kernel/);
});
