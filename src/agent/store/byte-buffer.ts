/**
 * A growable byte writer and its reader: unsigned and zigzag varints that reach 2^53 (plain Number arithmetic,
 * no 32-bit bitwise limits), float64s and UTF-8 strings. Used by the chunk codec.
 */
export class ByteWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private len = 0;
  private static readonly encoder = new TextEncoder();

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** An unsigned integer below 2^53. */
  uvarint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }

  /** A signed integer of magnitude below 2^52 (zigzag: 0, -1, 1, -2, ... → 0, 1, 2, 3, ...). */
  svarint(n: number): void {
    this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  f64(x: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, x, true);
    this.len += 8;
  }

  string(s: string): void {
    const bytes = ByteWriter.encoder.encode(s);
    this.uvarint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Bytes as they are. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Forgets what was written (the buffer is kept for reuse). */
  reset(): void {
    this.len = 0;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** Reads what {@link ByteWriter} wrote; throws a RangeError past the end. */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;
  private static readonly decoder = new TextDecoder();
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError(`chunk truncated at byte ${this.pos}`);
  }

  uvarint(): number {
    const buf = this.buf;
    let p = this.pos;
    // Most varints are one byte; a number below 2^53 takes at most 8: no bounds check per byte when 8 are there.
    if (p + 8 <= buf.length) {
      let x = buf[p++]!;
      if (x < 0x80) {
        this.pos = p;
        return x;
      }
      let v = x & 0x7f;
      let m = 0x80;
      for (let i = 1; i < 8; i++) {
        x = buf[p++]!;
        v += (x & 0x7f) * m;
        if (x < 0x80) {
          this.pos = p;
          return v;
        }
        m *= 0x80;
      }
    }
    let n = 0;
    let mul = 1;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
  }

  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  f64(): number {
    this.need(8);
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  string(): string {
    const n = this.uvarint();
    this.need(n);
    const b = this.buf;
    const start = this.pos;
    this.pos += n;
    // Most strings here are short ASCII keys: built directly, without a decoder call and a subarray each.
    if (n <= 24) {
      let s = '';
      for (let i = start; i < start + n; i++) {
        const c = b[i]!;
        if (c >= 0x80) return ByteReader.decoder.decode(b.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return ByteReader.decoder.decode(b.subarray(start, start + n));
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.pos;
  }

  /** Moves past `n` bytes. */
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }
}
