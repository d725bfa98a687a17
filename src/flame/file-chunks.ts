// Reading a regular file for the flame graph parser: one buffer, refilled, instead of a new 1 MiB Buffer
// per chunk (each a fresh allocation whose pages fault in; on a 390 MB input that is ~100,000 page faults).
// Only for untouched fs.ReadStreams over a whole file (what `--input FILE` and `< file` give); other
// Readables are iterated as they are.
import fs from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * Chunks of `input` read into one reused buffer of `bufferBytes`, or undefined when `input` is not an
 * untouched fs.ReadStream over a whole file. Each chunk is valid until the next one is asked for. The
 * stream itself is destroyed (its own descriptor closed) when a path was opened here instead.
 */
export function fileChunks(input: Readable, bufferBytes = 1 << 20): AsyncIterable<Buffer> | undefined {
  if (!(input instanceof fs.ReadStream)) return undefined;
  // Fields fs.ReadStream has but @types/node does not declare.
  const rs = input as fs.ReadStream & { fd?: number | null; start?: number; end?: number };
  if (rs.bytesRead !== 0 || rs.readableFlowing !== null || rs.start !== undefined || rs.end !== Infinity) return undefined;
  const path = typeof rs.path === 'string' ? rs.path : undefined;
  const fd = typeof rs.fd === 'number' ? rs.fd : undefined;
  if (path === undefined && fd === undefined) return undefined;
  if (path === undefined && !fs.fstatSync(fd!).isFile()) return undefined;
  return (async function* chunks(): AsyncGenerator<Buffer> {
    const handle = path !== undefined ? await fs.promises.open(path, 'r') : undefined;
    if (path !== undefined) input.destroy();
    const buf = Buffer.allocUnsafe(bufferBytes);
    try {
      for (;;) {
        const n = handle
          ? (await handle.read(buf, 0, buf.length, null)).bytesRead
          : await new Promise<number>((resolve, reject) => fs.read(fd!, buf, 0, buf.length, null, (e, r) => (e ? reject(e) : resolve(r))));
        if (n === 0) return;
        yield buf.subarray(0, n);
      }
    } finally {
      await handle?.close();
    }
  })();
}
