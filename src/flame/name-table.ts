// Interned frame names, looked up by their UTF-8 bytes and a hash the caller computed while scanning, so no
// string is made per frame: the hot path of the flame graph renderer. A raw name ending in `_[k]` maps to
// the same display name as its bare form, flagged as kernel.
import { isKernelEntry, KERNEL_SUFFIX } from './frame-kind.js';

/** FNV-1a step: the hash `intern` expects, folded over every byte of the raw name. */
export function fnvStep(h: number, byte: number): number {
  return Math.imul(h ^ byte, 0x01000193);
}

/** FNV-1a offset basis. */
export const FNV_BASIS = 0x811c9dc5 | 0;

/** Interns frame names given as byte ranges. Raw ids are dense from 0; `canon(raw)` is the display name id. */
export class NameTable {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private offsets = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  /** Per raw id: display id * 4 + (kernel suffix ? 2 : 0) + (entry point ? 1 : 0). */
  private info = new Int32Array(1024);
  private count = 0;
  private slots = new Int32Array(2048).fill(-1);
  private mask = 2047;
  private readonly displayIds = new Map<string, number>();
  /** Display names, by display id. */
  readonly names: string[] = [];

  /** Packed facts of a raw name: `display id * 4 + (kernel suffix ? 2 : 0) + (kernel entry ? 1 : 0)`. */
  infoOf(raw: number): number {
    return this.info[raw]!;
  }

  /** Interns `buf[start, end)` whose FNV-1a hash is `h`; returns its raw id. */
  intern(buf: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    let s = (h ^ (h >>> 13)) & this.mask;
    for (;;) {
      const id = this.slots[s]!;
      if (id === -1) break;
      if (this.hashes[id] === h && this.lengths[id] === len) {
        const off = this.offsets[id]!;
        const ar = this.arena;
        let i = 0;
        while (i < len && ar[off + i] === buf[start + i]) i++;
        if (i === len) return id;
      }
      s = (s + 1) & this.mask;
    }
    return this.add(buf, start, end, h, s);
  }

  /** Interns a string (slow path) and returns its raw id. */
  internString(name: string): number {
    return this.internBytes(Buffer.from(name, 'utf8'));
  }

  /** Interns a whole byte array (a name the native parser met first) and returns its raw id. */
  internBytes(b: Uint8Array): number {
    let h = FNV_BASIS;
    for (const c of b) h = fnvStep(h, c);
    return this.intern(b, 0, b.length, h);
  }

  private add(buf: Uint8Array, start: number, end: number, h: number, slot: number): number {
    const id = this.count++;
    const len = end - start;
    if (this.used + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      a.set(this.arena.subarray(0, this.used));
      this.arena = a;
    }
    this.arena.set(buf.subarray(start, end), this.used);
    if (id === this.offsets.length) {
      const grow = (x: Int32Array): Int32Array<ArrayBuffer> => {
        const y = new Int32Array(x.length * 2);
        y.set(x);
        return y;
      };
      this.offsets = grow(this.offsets);
      this.lengths = grow(this.lengths);
      this.hashes = grow(this.hashes);
      this.info = grow(this.info);
    }
    this.offsets[id] = this.used;
    this.lengths[id] = len;
    this.hashes[id] = h;
    this.used += len;
    let name = Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('utf8');
    const kernel = name.endsWith(KERNEL_SUFFIX) && name.length > KERNEL_SUFFIX.length;
    if (kernel) name = name.slice(0, -KERNEL_SUFFIX.length);
    let display = this.displayIds.get(name);
    if (display === undefined) {
      display = this.names.length;
      this.names.push(name);
      this.displayIds.set(name, display);
    }
    this.info[id] = display * 4 + (kernel ? 2 : 0) + (isKernelEntry(name) ? 1 : 0);
    this.slots[slot] = id;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      const h = this.hashes[id]!;
      let s = (h ^ (h >>> 13)) & this.mask;
      while (this.slots[s] !== -1) s = (s + 1) & this.mask;
      this.slots[s] = id;
    }
  }
}
