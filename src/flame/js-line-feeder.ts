// The pure-JS line parser: scans bytes of a Buffer, interns frame names from their bytes (no string per line
// or per frame) and inserts each stack into the FlameTree. The native builder mirrors it byte for byte.
import type { FlameTree } from './flame-tree.js';
import type { FeedCounts, LineFeeder } from './line-feeder.js';
import { FNV_BASIS } from './name-table.js';

const NL = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const SEMI = 59;
const DOT = 46;

const isBlank = (c: number | undefined): boolean => c === SP || c === TAB || c === CR;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;

/** A LineFeeder that parses in JavaScript into `tree`; lines longer than `maxLine` bytes are handed back. */
export function jsLineFeeder(tree: FlameTree, reverse: boolean, maxLine: number, counts: FeedCounts): LineFeeder {
  const names = tree.nameTable;
  let keys = new Int32Array(256);

  /** Adds one line; false when it is not for the fast path. */
  const line = (b: Buffer, ls: number, le: number): boolean => {
    while (le > ls && isBlank(b[le - 1])) le--;
    if (le === ls) return true;
    let sp = le - 1;
    while (sp >= ls && b[sp] !== SP && b[sp] !== TAB) sp--;
    if (sp < ls) return false;
    // The count: digits, optionally one dot and more digits.
    let count = 0;
    let i = sp + 1;
    while (i < le && isDigit(b[i])) count = count * 10 + b[i++]! - 48;
    if (i === sp + 1) return false;
    if (i < le) {
      if (b[i] !== DOT || i + 1 === le) return false;
      for (let j = i + 1; j < le; j++) if (!isDigit(b[j])) return false;
      count = Number(b.toString('latin1', sp + 1, le));
    }
    let stackEnd = sp;
    while (stackEnd > ls && isBlank(b[stackEnd - 1])) stackEnd--;
    if (stackEnd > ls && isDigit(b[stackEnd - 1])) {
      // "stack 12 34" (differential input) ends the stack with a blank and a number: the slow path says so.
      let j = stackEnd - 1;
      while (j > ls && (isDigit(b[j - 1]) || b[j - 1] === DOT)) j--;
      if (j > ls && (b[j - 1] === SP || b[j - 1] === TAB)) return false;
    }
    let n = 0;
    let below = false;
    let pos = ls;
    while (pos < stackEnd) {
      let e = pos;
      let h = FNV_BASIS;
      let c = 0;
      while (e < stackEnd && (c = b[e]!) !== SEMI) {
        h = Math.imul(h ^ c, 0x01000193);
        e++;
      }
      if (e > pos) {
        const info = names.infoOf(names.intern(b, pos, e, h));
        if (!below && (info & 3) === 1) below = true;
        if (n === keys.length) {
          const k = new Int32Array(keys.length * 2);
          k.set(keys);
          keys = k;
        }
        keys[n++] = (info >> 2) * 2 + (below || (info & 2) !== 0 ? 1 : 0);
      }
      pos = e + 1;
    }
    if (n === 0) return false;
    counts.stacks++;
    tree.addKeys(keys, n, count, reverse);
    return true;
  };

  return {
    feed(b: Buffer, from: number, to: number): number {
      let pos = from;
      while (pos < to) {
        let nl = b.indexOf(NL, pos);
        if (nl === -1 || nl > to) nl = to;
        if (nl - pos > maxLine || !line(b, pos, nl)) return pos;
        counts.lines++;
        pos = nl + 1;
      }
      return to;
    },
    addStack(frames: readonly string[], kernel: readonly boolean[], count: number): void {
      counts.stacks++;
      tree.add(frames, kernel, count, reverse);
    },
    finish(): void {},
  };
}
