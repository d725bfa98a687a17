// How the store's two codecs (chunk-codec.ts for whole samples, series-codec.ts for their series projections)
// write a column of numbers: integers as deltas, decimals scaled to integers then deltas, anything else as float64;
// and how they deflate a part.
import type zlib from 'node:zlib';

/** Deltas stay below 2^51 in magnitude, so that their sum is exact in a double. */
export const MAX_DELTA = 2 ** 51;
/** A number column's mode byte. */
export const NUM_INT = 0, NUM_SCALED = 1, NUM_F64 = 2;
/** Each part of a chunk is deflated on its own at this level. */
export const DEFLATE: zlib.ZlibOptions = { level: 6 };

/** The decimal scale (1..6) that makes every number an integer exactly (and none is -0), or 0. */
export function decimalScale(nums: readonly number[]): number {
  for (let k = 1; k <= 6; k++) {
    const m = 10 ** k;
    let ok = true;
    for (const x of nums) {
      const s = Math.round(x * m);
      if (!Number.isSafeInteger(s) || Math.abs(s) >= MAX_DELTA || s / m !== x || Object.is(x, -0)) { ok = false; break; }
    }
    if (ok) return k;
  }
  return 0;
}
