import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ByteReader, ByteWriter } from './byte-buffer.js';

test('varints read back what was written, in the middle of a buffer and within its last 8 bytes alike', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.nat({ max: 200 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), { maxLength: 40 }),
    fc.array(fc.integer({ min: -(2 ** 51) + 1, max: 2 ** 51 - 1 }), { maxLength: 40 }), (us, ss) => {
      const w = new ByteWriter();
      for (const u of us) w.uvarint(u);
      for (const x of ss) w.svarint(x);
      const rd = new ByteReader(w.bytes().slice());
      assert.deepStrictEqual(us.map(() => rd.uvarint()), us);
      assert.deepStrictEqual(ss.map(() => rd.svarint()), ss);
      assert.ok(rd.done);
    }), { numRuns: 300 });
});

test('a varint cut short is a RangeError, also where 8 bytes are there to read', () => {
  assert.throws(() => new ByteReader(Uint8Array.of(0x80, 0x80)).uvarint(), RangeError);
  // Nine continuation bytes: longer than any number below 2^53, read on by the checked path to its end.
  assert.throws(() => new ByteReader(new Uint8Array(9).fill(0x80)).uvarint(), RangeError);
  const w = new ByteWriter();
  w.uvarint(2 ** 53 - 1);
  w.byte(7);
  const rd = new ByteReader(w.bytes().slice());
  assert.equal(rd.uvarint(), 2 ** 53 - 1);
  assert.equal(rd.byte(), 7);
});
