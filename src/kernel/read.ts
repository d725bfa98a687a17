import fs from 'node:fs';
import { GoneError, KernelReadError, isGoneErrno } from './errors.js';

/** Default cap for one kernel file: larger than any counter file, small enough to never balloon. */
export const DEFAULT_READ_CAP_BYTES = 1 << 20;

const chunk = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads a kernel file to its end, at most `capBytes`, never trusting `stat` size (procfs and sysfs report 0
 * or 4096). A vanished owner (ENOENT, ESRCH, ENODEV) throws `GoneError`; anything else `KernelReadError`.
 *
 * Never call this on a target's `cmdline`, `environ`, `maps`, `smaps` or `mem`: those take its `mmap_lock`
 * and belong in a killable child (see `src/probe/mmap-lock-probe.ts`).
 */
export function readKernelFile(file: string, capBytes = DEFAULT_READ_CAP_BYTES): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw isGoneErrno(err) ? new GoneError(file, err) : new KernelReadError(file, err);
  }
  try {
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(chunk.length, capBytes - total);
      if (want <= 0) break;
      const n = fs.readSync(fd, chunk, 0, want, null);
      if (n === 0) break;
      parts.push(Buffer.from(chunk.subarray(0, n)));
      total += n;
    }
    return Buffer.concat(parts, total).toString('utf8');
  } catch (err) {
    throw isGoneErrno(err) ? new GoneError(file, err) : new KernelReadError(file, err);
  } finally {
    fs.closeSync(fd);
  }
}

/** Like `readKernelFile`, but returns `undefined` when the file does not exist or its owner is gone. */
export function readKernelFileIfExists(file: string, capBytes = DEFAULT_READ_CAP_BYTES): string | undefined {
  try {
    return readKernelFile(file, capBytes);
  } catch (err) {
    if (err instanceof GoneError) return undefined;
    throw err;
  }
}

/**
 * How a reader of kernel files gets their text: `DIRECT_READER` opens and closes each file every time; a sampling
 * loop passes a `KeptOpenReader` that keeps files open and re-reads them from offset 0.
 */
export interface KernelReader {
  /** The file's text; `GoneError` when it (or its owner) vanished, `KernelReadError` for anything else. */
  read(file: string, capBytes?: number): string;
  /** Like `read`, but `undefined` when the file does not exist or its owner is gone. */
  readIfExists(file: string, capBytes?: number): string | undefined;
}

/** Opens, reads and closes each file every time. */
export const DIRECT_READER: KernelReader = Object.freeze({ read: readKernelFile, readIfExists: readKernelFileIfExists });

/** Lists a kernel directory; `GoneError` when it vanished. */
export function listKernelDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    throw isGoneErrno(err) ? new GoneError(dir, err) : new KernelReadError(dir, err);
  }
}
