import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeHostSample, decodeTargetSample } from '../../sample/schema.js';
import { encodeChunk } from './chunk-codec.js';
import { decodeSeriesChunk, encodeSeriesChunk } from './series-codec.js';
import { projectHostSeries, projectTargetSeries } from './series-projection.js';

const T0 = 1_800_000_000_000;
const rec = JSON.parse(fs.readFileSync('test/fixtures/recordings/thrash-hybrid-6.18-v2.json', 'utf8')) as { hostSamples: unknown[]; targets: Array<{ samples: unknown[] }> };
const hosts = rec.hostSamples.map(decodeHostSample);
const targets = rec.targets[0]!.samples.map(decodeTargetSample);

/** Ten minutes of the recorded target (and its host), counters growing on, processes coming and going. */
function replay(n: number): Array<{ wallMs: number; target: unknown; host: unknown }> {
  return Array.from({ length: n }, (_, i) => {
    const s = targets[i % targets.length]!;
    const grow = Math.floor(i / targets.length) * 1000;
    const processes = s.processes.slice(0, 1 + (i % 3)).map((p) => ({ ...p, minflt: p.minflt + grow }));
    return {
      wallMs: T0 + i * 1000 + (i % 7),
      target: { ...s, wallMs: T0 + i * 1000 + (i % 7) + 0.25, monoMs: i * 1000.5, processes, cpu: { ...s.cpu!, userUs: s.cpu!.userUs! + grow * 3 } },
      host: { ...hosts[i % hosts.length]!, wallMs: T0 + i * 1000, monoMs: i * 1000 },
    };
  });
}

test('a series chunk decodes to the projection of each sample, whole, with keep, and at steps of whole minutes', () => {
  const xs = replay(600);
  const t = encodeSeriesChunk('target', xs.map((x) => ({ wallMs: x.wallMs, sample: x.target })));
  const h = encodeSeriesChunk('host', xs.map((x) => ({ wallMs: x.wallMs, sample: x.host })));
  const wantT = xs.map((x) => ({ wallMs: x.wallMs, sample: projectTargetSeries(x.target) }));
  const wantH = xs.map((x) => ({ wallMs: x.wallMs, sample: projectHostSeries(x.host) }));
  assert.deepStrictEqual(decodeSeriesChunk(t), wantT);
  assert.deepStrictEqual(decodeSeriesChunk(h), wantH);
  const odd = (w: number): boolean => Math.floor(w / 1000) % 2 === 1;
  assert.deepStrictEqual(decodeSeriesChunk(t, odd), wantT.filter((x) => odd(x.wallMs)));
  // At a 60 s step, only the first sample of each minute is offered to keep (and decoded).
  const offered: number[] = [];
  const got = decodeSeriesChunk(t, (w) => { offered.push(w); return true; }, { stepMs: 60_000 });
  const firsts = wantT.filter((x, i) => i === 0 || Math.floor(x.wallMs / 60_000) !== Math.floor(wantT[i - 1]!.wallMs / 60_000));
  assert.deepStrictEqual(got, firsts);
  assert.deepStrictEqual(offered, firsts.map((x) => x.wallMs));
  assert.deepStrictEqual(decodeSeriesChunk(t, () => false), []);
  const whole = encodeChunk(xs.map((x) => ({ wallMs: x.wallMs, sample: x.target })));
  assert.ok(t.length < whole.length, `the series chunk is ${t.length} bytes beside the samples' ${whole.length}`);
});

const num = fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.double(), fc.constantFrom(Infinity, -Infinity, NaN, -0, 0.1, 2 ** 53 - 1, 1e300));
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
const frame = fc.constantFrom('shrink_folio_list', 'shrink_lruvec', 'schedule', 'ünïcode_frame', '');
const sampleArb = fc.record({
  wallMs: maybe(num), monoMs: maybe(num), gone: maybe(fc.boolean()),
  cpu: maybe(fc.record({ userUs: maybe(num), systemUs: maybe(num), quotaCores: maybe(num) })),
  memory: maybe(fc.record({ usageBytes: maybe(num), limitBytes: maybe(num), highBytes: maybe(num), limitHits: maybe(num),
    stat: fc.dictionary(fc.constantFrom('pgscan', 'pgsteal', 'pgscan_file', 'pgsteal_anon', 'workingset_refault_file', 'workingset_refault_anon', 'cache'), num) })),
  psi: fc.record({ memory: maybe(fc.record({ some: maybe(fc.record({ totalUs: num })), full: maybe(fc.record({ totalUs: num })) })) }),
  processes: fc.array(fc.record({ pid: maybe(num), starttimeTicks: maybe(num), minflt: maybe(num), majflt: maybe(num), utimeTicks: maybe(num), stimeTicks: maybe(num),
    io: maybe(fc.record({ rcharBytes: num, wcharBytes: num, syscr: num, syscw: num })) }), { maxLength: 4 }),
  stacks: maybe(fc.array(fc.record({ frames: fc.array(frame, { maxLength: 4 }) }), { maxLength: 3 })),
  probes: fc.record({ finished: fc.array(fc.record({ latencyMs: num }), { maxLength: 2 }), inFlightMs: fc.array(num, { maxLength: 2 }) }),
});

test('arbitrary samples (numbers of every kind, fields missing, processes coming and going) round-trip as their projections', () => {
  fc.assert(fc.property(fc.array(fc.tuple(sampleArb, fc.integer({ min: 1, max: 90_000 })), { minLength: 1, maxLength: 40 }), (xs) => {
    let w = T0;
    const samples = xs.map(([s, gap]) => ({ wallMs: (w += gap), sample: s }));
    const want = samples.map((x) => ({ wallMs: x.wallMs, sample: projectTargetSeries(x.sample) }));
    assert.deepStrictEqual(decodeSeriesChunk(encodeSeriesChunk('target', samples)), want);
    const wantH = samples.map((x) => ({ wallMs: x.wallMs, sample: projectHostSeries({ ...x.sample, cpus: 4, vmstat: x.sample.memory?.stat }) }));
    assert.deepStrictEqual(decodeSeriesChunk(encodeSeriesChunk('host', samples.map((x) => ({ wallMs: x.wallMs, sample: { ...x.sample, cpus: 4, vmstat: x.sample.memory?.stat } })))), wantH);
  }), { numRuns: 300 });
});

test('a series chunk of another version or cut short is refused with a RangeError', () => {
  const t = encodeSeriesChunk('target', replay(30).map((x) => ({ wallMs: x.wallMs, sample: x.target })));
  assert.throws(() => decodeSeriesChunk(Buffer.concat([Buffer.of(99), t.subarray(1)])), { name: 'RangeError', message: /version 99 is not known/ });
  assert.throws(() => decodeSeriesChunk(t.subarray(0, 20)), RangeError);
});
