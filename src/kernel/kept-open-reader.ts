// Kernel files kept open between reads: a sampling loop re-reads the same few thousand counter files every
// second, and on cgroupfs and procfs the open (path walk, kernfs/seq_file set-up) and close cost more than the
// read itself. Reading an open seq_file again from offset 0 makes the kernel generate it afresh, so the text is
// as current as a new open's. A file of a removed cgroup answers ENODEV and one of an exited process ESRCH: both
// are `GoneError`, as a failed open would be, and the descriptor is closed. A process's file never follows its
// PID to a new process (the open file belongs to the old one), so PID reuse reads as "gone", then reopens.
//
// Not for files whose re-read from an open descriptor is not fresh: cgroup v1's `cgroup.procs` and `tasks`
// keep the PID list built at the first read for a second after each read (kernel/cgroup/cgroup-v1.c,
// CGROUP_PIDLIST_DESTROY_DELAY), so those are always opened anew.
import fs from 'node:fs';
import { GoneError, KernelReadError, isGoneErrno } from './errors.js';
import { DEFAULT_READ_CAP_BYTES, readKernelFile, type KernelReader } from './read.js';

const NOT_KEPT = /\/(cgroup\.procs|tasks|cgroup\.threads)$/;

/** A file found missing is taken as missing for this many rounds before it is looked for again. */
const MISSING_ROUNDS = 60;

interface Kept {
  fd: number;
  /** The sweep generation of its last read. */
  gen: number;
}

/** Options of a `KeptOpenReader`. */
export interface KeptOpenOptions {
  /** Files kept open at most; past it, files are read the ordinary way. Default 8,192. */
  maxOpen?: number;
}

/** A `KernelReader` that keeps files open and re-reads them with pread at offset 0. Close it when done. */
export class KeptOpenReader implements KernelReader {
  private readonly files = new Map<string, Kept>();
  /** Files whose open failed with "gone" (ENOENT and the like), by the round it did: `readIfExists` skips them. */
  private readonly missing = new Map<string, number>();
  private readonly buf = Buffer.allocUnsafe(64 * 1024);
  private readonly maxOpen: number;
  private gen = 0;

  constructor(opts: KeptOpenOptions = {}) {
    this.maxOpen = opts.maxOpen ?? 8192;
  }

  read(file: string, capBytes = DEFAULT_READ_CAP_BYTES): string {
    let k = this.files.get(file);
    if (!k) {
      if (this.files.size >= this.maxOpen || NOT_KEPT.test(file)) return readKernelFile(file, capBytes);
      let fd: number;
      try {
        fd = fs.openSync(file, 'r');
      } catch (err) {
        throw isGoneErrno(err) ? new GoneError(file, err) : new KernelReadError(file, err);
      }
      k = { fd, gen: this.gen };
      this.files.set(file, k);
    }
    k.gen = this.gen;
    try {
      let total = 0;
      const parts: Buffer[] = [];
      for (;;) {
        const want = Math.min(this.buf.length, capBytes - total);
        if (want <= 0) break;
        const n = fs.readSync(k.fd, this.buf, 0, want, total);
        if (n === 0) break;
        parts.push(Buffer.from(this.buf.subarray(0, n)));
        total += n;
        if (n < want) break;
      }
      return parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts, total).toString('utf8');
    } catch (err) {
      this.drop(file);
      throw isGoneErrno(err) ? new GoneError(file, err) : new KernelReadError(file, err);
    }
  }

  /**
   * Like `read`, but `undefined` when the file does not exist or its owner is gone. A file found missing is not
   * looked for again for a minute of rounds (the files a kernel lacks, such as memsw without swap accounting,
   * would otherwise cost a failed open and an exception every tick).
   */
  readIfExists(file: string, capBytes = DEFAULT_READ_CAP_BYTES): string | undefined {
    const since = this.missing.get(file);
    if (since !== undefined && this.gen - since < MISSING_ROUNDS) return undefined;
    try {
      const text = this.read(file, capBytes);
      if (since !== undefined) this.missing.delete(file);
      return text;
    } catch (err) {
      if (err instanceof GoneError) {
        this.missing.set(file, this.gen);
        return undefined;
      }
      throw err;
    }
  }

  /**
   * Ends a round of reads (a tick): files not read in the last `keepRounds` rounds are closed, so the files of
   * targets that ended or of processes that exited do not stay open.
   */
  sweep(keepRounds = 2): void {
    this.gen++;
    for (const [file, k] of this.files) if (this.gen - k.gen > keepRounds) this.drop(file);
    if (this.gen % MISSING_ROUNDS === 0) for (const [file, since] of this.missing) if (this.gen - since >= MISSING_ROUNDS) this.missing.delete(file);
  }

  /** Files open now. */
  get openCount(): number {
    return this.files.size;
  }

  /** Closes every file. */
  close(): void {
    for (const file of [...this.files.keys()]) this.drop(file);
    this.missing.clear();
  }

  private drop(file: string): void {
    const k = this.files.get(file);
    if (!k) return;
    this.files.delete(file);
    try {
      fs.closeSync(k.fd);
    } catch {
      /* already closed */
    }
  }
}
