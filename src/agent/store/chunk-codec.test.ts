import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { chunkWallTimes, decodeChunk, encodeChunk, type TimedSample } from './chunk-codec.js';
import { losslessParse, losslessStringify } from './lossless-json.js';


const leaf = fc.oneof(
  fc.double(), // NaN, ±Infinity, -0 included
  fc.integer(),
  fc.maxSafeInteger(),
  fc.string(),
  fc.constantFrom('max', '\u0000I', '\u0000', '\u0000\u0000N', '', '__proto__'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

/** JSON values plus non-finite numbers, -0 and undefined (dropped from objects, null in arrays, as JSON does). */
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 5 }),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 6 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '1', '__proto__', 'a.b', '[0]')), tie('v'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).v;

/** What the store returns for `v`: JSON's treatment of undefined, with numbers kept exactly. */
function normalised(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : normalised(x)));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      Object.defineProperty(out, k, { value: normalised(x), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v === undefined ? null : v;
}

test('encodeChunk() then decodeChunk() gives back arbitrary JSON-like samples, Infinity, NaN and -0 included', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 42 }), jsonish), { minLength: 1, maxLength: 12 }), (rows) => {
      const samples: TimedSample[] = rows.map(([wallMs, sample]) => ({ wallMs, sample }));
      assert.deepStrictEqual(decodeChunk(encodeChunk(samples)), samples.map((s) => ({ wallMs: s.wallMs, sample: normalised(s.sample) })));
    }),
    { numRuns: 400 },
  );
});

test('a chunk of samples that evolve like counters round-trips (delta, decimal and float columns, frames)', () => {
  const frames = ['shrink_folio_list', 'shrink_lruvec', 'try_to_free_mem_cgroup_pages', 'do_anonymous_page', '__handle_mm_fault'];
  const row = fc.record({
    usage: fc.integer({ min: 0, max: 2 ** 40 }),
    avg10: fc.integer({ min: 0, max: 10000 }).map((x) => x / 100),
    ratio: fc.double({ noNaN: false }),
    limit: fc.constantFrom(Infinity, 2 ** 30, 'max'),
    state: fc.constantFrom('R', 'D', 'S'),
    stacks: fc.array(fc.record({ tid: fc.nat(5), frames: fc.array(fc.constantFrom(...frames), { maxLength: 5 }) }), { maxLength: 4 }),
    io: fc.option(fc.record({ readBytes: fc.nat() }), { nil: undefined }),
  });
  fc.assert(
    fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), (rows) => {
      let usage = 0;
      const samples = rows.map((r, i) => ({ wallMs: 1_700_000_000_000 + i * 1000, sample: { ...r, usage: (usage += r.usage) } }));
      assert.deepStrictEqual(decodeChunk(encodeChunk(samples)), samples.map((s) => ({ wallMs: s.wallMs, sample: normalised(s.sample) })));
    }),
    { numRuns: 200 },
  );
});

test('decodeChunk() with keep() gives exactly the kept samples of a whole decode, unchanged parts shared or not', () => {
  const row = fc.record({ a: fc.constantFrom(1, 2), o: fc.constantFrom({ x: 1 }, { x: 2 }, { y: [1, 2] }), f: fc.constantFrom(['a'], ['a', 'b']), n: fc.option(fc.constant({ deep: { z: 0 } }), { nil: undefined }) }, { noNullPrototype: true });
  fc.assert(fc.property(fc.array(fc.tuple(row, fc.boolean()), { minLength: 1, maxLength: 30 }), (rows) => {
    const samples = rows.map(([sample], i) => ({ wallMs: i, sample }));
    const blob = encodeChunk(samples);
    const kept = new Set(rows.flatMap(([, k], i) => (k ? [i] : [])));
    assert.deepStrictEqual(decodeChunk(blob, (w) => kept.has(w)), decodeChunk(blob).filter((s) => kept.has(s.wallMs)));
    assert.deepStrictEqual(decodeChunk(blob, (w) => kept.has(w)), samples.filter((s) => kept.has(s.wallMs)).map((s) => ({ wallMs: s.wallMs, sample: normalised(s.sample) })));
  }), { numRuns: 300 });
});

test('decodeChunk() rebuilds only the samples keep() accepts, and chunkWallTimes() lists them all', () => {
  const samples = Array.from({ length: 10 }, (_, i) => ({ wallMs: 1000 * i, sample: { i, big: 2 ** 53 - 1 - i, neg: -i } }));
  const blob = encodeChunk(samples);
  assert.deepStrictEqual(chunkWallTimes(blob), samples.map((s) => s.wallMs));
  assert.deepStrictEqual(decodeChunk(blob, (w) => w % 3000 === 0), samples.filter((s) => s.wallMs % 3000 === 0));
});

test('a chunk of another codec version is refused with a RangeError', () => {
  const blob = encodeChunk([{ wallMs: 1, sample: 1 }]);
  assert.throws(() => decodeChunk(zlib.deflateRawSync(Buffer.from([0x03, 0x00]))), /codec version 3 is not known/);
  assert.deepStrictEqual(decodeChunk(blob), [{ wallMs: 1, sample: 1 }]);
});

test('losslessStringify() then losslessParse() keeps Infinity, NaN, -0 and strings that start with NUL', () => {
  fc.assert(fc.property(jsonish, (v) => {
    assert.deepStrictEqual(losslessParse(losslessStringify(v)), normalised(v));
  }), { numRuns: 400 });
  assert.deepStrictEqual(losslessParse(losslessStringify({ a: Infinity, b: -Infinity, c: NaN, d: -0, e: '\u0000I', f: 'max' })),
    { a: Infinity, b: -Infinity, c: NaN, d: -0, e: '\u0000I', f: 'max' });
});

/** What a stepped read keeps: the first sample (in stored order) of each aligned step. */
function firstPerStep(step: number): (w: number) => boolean {
  const taken = new Set<number>();
  return (w) => {
    const k = Math.floor(w / step);
    if (taken.has(k)) return false;
    taken.add(k);
    return true;
  };
}

test('decodeChunk() at a step reads only the segments that step needs, and gives exactly what a whole read filtered at that step gives', () => {
  const row = fc.record({ n: fc.integer({ min: 0, max: 1000 }), s: fc.constantFrom('R', 'D', 'S'), f: fc.constantFrom([], ['a'], ['a', 'b']), o: fc.option(fc.record({ x: fc.double() }), { nil: undefined }) });
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 1, max: 25_000 }), row), { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 0, max: 3_600_000 }),
    fc.boolean(),
    fc.constantFrom(1000, 7000, 10_000, 20_000, 44_000, 60_000, 120_000, 300_000, 3_600_000),
    (rows, start, shuffle, step) => {
      let w = 1_800_000_000_000 + start;
      const samples = rows.map(([gap, sample]) => ({ wallMs: (w += gap), sample }));
      if (shuffle) samples.reverse(); // stored order need not be time order
      const blob = encodeChunk(samples);
      const want = decodeChunk(blob, firstPerStep(step));
      assert.deepStrictEqual(decodeChunk(blob, firstPerStep(step), { stepMs: step }), want);
      const keep = firstPerStep(step);
      assert.deepStrictEqual(want, samples.filter((s) => keep(s.wallMs)).map((s) => ({ wallMs: s.wallMs, sample: normalised(s.sample) })));
    },
  ), { numRuns: 300 });
});

test('decodeChunk() at a 60 s step offers keep() only the first sample of each aligned minute', () => {
  const samples = Array.from({ length: 300 }, (_, i) => ({ wallMs: 1_800_000_000_000 + i * 1000, sample: { i } }));
  const offered: number[] = [];
  const got = decodeChunk(encodeChunk(samples), (w) => { offered.push(w); return true; }, { stepMs: 60_000 });
  assert.deepStrictEqual(offered, samples.filter((s) => s.wallMs % 60_000 === 0).map((s) => s.wallMs));
  assert.equal(offered.length, 5);
  assert.deepStrictEqual(got.map((s) => s.sample), offered.map((w) => ({ i: (w - samples[0]!.wallMs) / 1000 })));
});

test('a chunk written by codec version 1 (stores of earlier builds) still decodes, whole and at a step', () => {
  // encodeChunk() of version 1 (commit 00f2ec2), of the samples below.
  const v1 = Buffer.from('Y+RpOPCo9XHGhlxskJk5N7GCtzijKDMvOz6nqLQsNVkQykvLz8nMj8/JLC5hZ2BgYMxkZORhYGBCAAYG1tLixPRUkPgFfiY2Lj4hMSk5JTUtBgbWnMzczBJGJkZG7JgBDD7Uk0YzMDAXFIOcwcjEYIQADAxsaUWJuanFjOzsHKzMMNMZq5gYodoaAA==', 'base64');
  const samples = Array.from({ length: 12 }, (_, i) => ({ wallMs: 1_800_000_000_000 + i * 7000, sample: { i, usage: 1000 + i * i, limit: i % 2 ? Infinity : 'max', psi: i / 4, frames: i > 6 ? ['shrink_lruvec', 'shrink_folio_list'] : [], z: -0 } }));
  assert.deepStrictEqual(decodeChunk(v1), samples);
  assert.deepStrictEqual(chunkWallTimes(v1), samples.map((s) => s.wallMs));
  const keep = firstPerStep(60_000);
  const minutes = samples.filter((s) => keep(s.wallMs));
  assert.equal(minutes.length, 2);
  assert.deepStrictEqual(decodeChunk(v1, firstPerStep(60_000), { stepMs: 60_000 }), minutes);
  assert.notEqual(encodeChunk(samples)[0], v1[0], 'new chunks are version 2');
  assert.deepStrictEqual(decodeChunk(encodeChunk(samples)), samples);
});
