import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { seriesPoint } from '../http/api.js';
import { derive } from '../../sample/derive.js';
import type { HostSample, TargetSample } from '../../sample/sample.js';
import { decodeHostSample, decodeTargetSample } from '../../sample/schema.js';
import { sampleArbitraries } from '../../test-support/sample-arbitraries.js';
import { projectHostSeries, projectTargetSeries } from './series-projection.js';

const tp = (s: TargetSample): TargetSample => projectTargetSeries(s) as TargetSample;
const hp = (s: HostSample): HostSample => projectHostSeries(s) as HostSample;

/** What the series API and the dashboard's sparklines take from two samples. */
function derived(a: TargetSample, b: TargetSample, cpus: number, ha?: HostSample, hb?: HostSample): unknown {
  const m = derive(a, b, cpus, ha, hb);
  return { point: seriesPoint(a, b, cpus, ha, hb, 'x'), spark: [m.cpu.totalCores, m.memory?.usageRatio, m.progress.workPerSystemCpuSecond] };
}

// A thrashing cgroup on a hybrid (memory v1) host: reclaim counters from the host's vmstat, kernel stacks in reclaim.
const rec = JSON.parse(fs.readFileSync('test/fixtures/recordings/thrash-hybrid-6.18-v2.json', 'utf8')) as { hostSamples: unknown[]; targets: Array<{ samples: unknown[] }> };
const hosts = rec.hostSamples.map(decodeHostSample);
const targets = rec.targets[0]!.samples.map(decodeTargetSample);

test('a recorded thrashing target: every pair of projected samples gives the series point and sparkline of the whole samples', () => {
  let pairs = 0;
  let inReclaim = 0;
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      const [a, b] = [targets[i]!, targets[j]!];
      const [ha, hb] = [hosts[i], hosts[j]];
      const want = derived(a, b, 2, ha, hb);
      assert.deepStrictEqual(derived(tp(a), tp(b), 2, ha && hp(ha), hb && hp(hb)), want, `samples ${i} and ${j}`);
      const p = (want as { point: Record<string, unknown> }).point;
      if (typeof p['threadsInReclaimRatio'] === 'number' && p['threadsInReclaimRatio'] > 0) inReclaim++;
      assert.equal(typeof p['pgscanPerSec'], 'number', 'v1: pgscan from the host');
      pairs++;
    }
  }
  assert.equal(pairs, 15);
  assert.ok(inReclaim > 0, 'some points have threads in reclaim (the stacks are projected and tagged)');
});

test('the projection of a recorded sample is a small part of it, beside its kernel stacks (kept as frames)', () => {
  const { stacks, ...rest } = targets[3]!;
  const whole = JSON.stringify(rest);
  const part = JSON.stringify(tp(rest as TargetSample));
  assert.ok(part.length < whole.length / 2, `${part.length} of ${whole.length} bytes`);
  assert.deepStrictEqual(tp(targets[3]!).stacks, stacks!.map((s) => ({ frames: s.frames })));
  assert.ok(!part.includes('inactive_file') && !part.includes('"tid"'), 'memory.stat beyond reclaim counters and stack tids are left out');
  assert.deepStrictEqual(Object.keys(hp(hosts[0]!)).sort(), ['cpus', 'monoMs', 'vmstat', 'wallMs']);
});

const statKeys = ['pgscan', 'pgsteal', 'pgscan_kswapd', 'pgsteal_direct', 'pgscan_anon', 'pgscan_file', 'pgsteal_file', 'pgscan_direct_throttle',
  'workingset_refault_anon', 'workingset_refault_file', 'total_workingset_refault_file', 'cache', 'rss', 'pgfault'];
// Few pids and start times, so that two draws share processes and derive() takes their deltas; reclaim's counters
// and frames, so that the projection's choices are exercised.
const { targetSample, hostSample } = sampleArbitraries({
  maxCounter: 2 ** 40,
  counters: (n) => fc.dictionary(fc.constantFrom(...statKeys), n, { maxKeys: 8 }),
  frames: fc.array(fc.constantFrom('shrink_folio_list', 'shrink_lruvec', 'try_charge_memcg', 'lock_mm_and_find_vma', 'rwsem_down_read_slowpath', 'do_user_addr_fault', 'schedule'), { maxLength: 5 }),
  pid: fc.integer({ min: 1, max: 4 }), starttime: () => fc.integer({ min: 1, max: 2 }), tid: fc.integer({ min: 1, max: 99 }),
  maxProcesses: 4, maxStacks: 4, outcomes: ['ok', 'timeout'], failures: false, maxCpus: 64,
});

test('arbitrary pairs of samples: the projections give the same series point and sparkline as the whole samples', () => {
  fc.assert(fc.property(targetSample, targetSample, fc.option(fc.tuple(hostSample, hostSample), { nil: undefined }), fc.integer({ min: 1, max: 64 }), (a, b, h, cpus) => {
    assert.deepStrictEqual(derived(tp(a), tp(b), cpus, h && hp(h[0]), h && hp(h[1])), derived(a, b, cpus, h?.[0], h?.[1]));
  }), { numRuns: 500 });
});

test('values of another shape are projected without throwing: what does not match is left out', () => {
  const empty = { psi: {}, processes: [], probes: { finished: [], inFlightMs: [] } };
  assert.deepStrictEqual(projectTargetSeries(42), empty);
  assert.deepStrictEqual(projectHostSeries(null), {});
  assert.deepStrictEqual(projectTargetSeries({ wallMs: 1, cpu: 'x', memory: { stat: [1] }, processes: [{ pid: 3, extra: 1 }, 7], other: 2, stacks: [{ frames: ['a', 3] }, 5] }),
    { ...empty, wallMs: 1, memory: { stat: {} }, processes: [{ pid: 3 }], stacks: [{ frames: ['a'] }, { frames: [] }] });
  const proto = JSON.parse('{"memory":{"stat":{"__proto__":5,"pgscan":1,"pgsteal":2}}}') as unknown;
  assert.deepStrictEqual(projectTargetSeries(proto), { ...empty, memory: { stat: { pgscan: 1, pgsteal: 2 } } });
});
