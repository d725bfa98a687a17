/**
 * The codec of one `recent` row: a sample as lossless JSON, deflated fast (level 1, a 4 KiB window: the
 * per-call cost of node:zlib is mostly its state set-up). The compactor turns these rows into chunks.
 */
import zlib from 'node:zlib';
import { losslessParse, losslessStringify } from './lossless-json.js';

const OPTIONS: zlib.ZlibOptions = { level: 1, windowBits: 12, memLevel: 5 };

/** One sample → the bytes of its `recent` row. */
export function encodeRecent(sample: unknown): Buffer {
  return zlib.deflateRawSync(losslessStringify(sample), OPTIONS);
}

/** The inverse of {@link encodeRecent}. */
export function decodeRecent(data: Uint8Array): unknown {
  return losslessParse(zlib.inflateRawSync(data).toString('utf8'));
}
