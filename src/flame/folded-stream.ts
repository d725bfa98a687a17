// Streams folded stacks from a Readable straight into a FlameTree, parsing bytes: no string is made per
// line or per frame (names are interned from their bytes), and memory holds one chunk plus one partial
// line, never the input. Malformed lines are reported with their line numbers and skipped.
import type { Readable } from 'node:stream';
import { classifyFrames } from './frame-kind.js';
import type { FlameTree } from './flame-tree.js';
import { type FoldedProblem, parseFoldedLine } from './folded-line.js';
import { FNV_BASIS } from './name-table.js';

/** Options of `readFoldedStream`. */
export interface FoldedStreamOptions {
  /** Merge leaf frames at the root. */
  reverse?: boolean;
  /** Longest accepted line in bytes (default 1 MiB); longer lines are reported and skipped. */
  maxLineBytes?: number;
  /** Problems kept with their line numbers (default 100); the rest are only counted. */
  maxProblemsKept?: number;
}

/** What a stream held. */
export interface FoldedStreamSummary {
  lines: number;
  stacks: number;
  problems: FoldedProblem[];
  /** All malformed lines, including those beyond `problems`. */
  problemCount: number;
}

const NL = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const SEMI = 59;
const DOT = 46;

const isBlank = (c: number | undefined): boolean => c === SP || c === TAB || c === CR;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;

/** Reads folded stacks from `input` into `tree`. Kernel frames are classified as in `classifyFrames`. */
export async function readFoldedStream(input: Readable, tree: FlameTree, opts: FoldedStreamOptions = {}): Promise<FoldedStreamSummary> {
  const maxLine = opts.maxLineBytes ?? 1 << 20;
  const keep = opts.maxProblemsKept ?? 100;
  const reverse = opts.reverse === true;
  const names = tree.nameTable;
  const summary: FoldedStreamSummary = { lines: 0, stacks: 0, problems: [], problemCount: 0 };
  let keys = new Int32Array(256);

  const problem = (line: number, message: string): void => {
    summary.problemCount++;
    if (summary.problems.length < keep) summary.problems.push({ line, message });
  };
  // The slow path: a line the byte parser rejected gets its message from the string parser.
  const slow = (b: Buffer, ls: number, le: number, lineNo: number): void => {
    const r = parseFoldedLine(b.toString('utf8', ls, le));
    if (r === undefined) return;
    if (typeof r === 'string') return problem(lineNo, r);
    summary.stacks++;
    tree.add(r.frames, classifyFrames(r.frames), r.count, reverse);
  };

  const line = (b: Buffer, ls: number, le: number): void => {
    const lineNo = ++summary.lines;
    while (le > ls && isBlank(b[le - 1])) le--;
    if (le === ls) return;
    let sp = le - 1;
    while (sp >= ls && b[sp] !== SP && b[sp] !== TAB) sp--;
    if (sp < ls) return slow(b, ls, le, lineNo);
    // The count: digits, optionally one dot and more digits.
    let count = 0;
    let i = sp + 1;
    while (i < le && isDigit(b[i])) count = count * 10 + b[i++]! - 48;
    if (i === sp + 1) return slow(b, ls, le, lineNo);
    if (i < le) {
      if (b[i] !== DOT || i + 1 === le) return slow(b, ls, le, lineNo);
      for (let j = i + 1; j < le; j++) if (!isDigit(b[j])) return slow(b, ls, le, lineNo);
      count = Number(b.toString('latin1', sp + 1, le));
    }
    let stackEnd = sp;
    while (stackEnd > ls && isBlank(b[stackEnd - 1])) stackEnd--;
    if (isDigit(b[stackEnd - 1])) {
      // "stack 12 34" (differential input) ends the stack with a blank and a number: let the slow path say so.
      let j = stackEnd - 1;
      while (j > ls && (isDigit(b[j - 1]) || b[j - 1] === DOT)) j--;
      if (j > ls && (b[j - 1] === SP || b[j - 1] === TAB)) return slow(b, ls, le, lineNo);
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
    if (n === 0) return slow(b, ls, le, lineNo);
    summary.stacks++;
    tree.addKeys(keys, n, count, reverse);
  };

  let carry: Buffer | undefined;
  let skipping = false;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const c = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const b = carry ? Buffer.concat([carry, c]) : c;
    carry = undefined;
    let pos = 0;
    for (;;) {
      const nl = b.indexOf(NL, pos);
      if (nl === -1) break;
      if (skipping) skipping = false;
      else if (nl - pos > maxLine) problem(++summary.lines, `line longer than ${maxLine} bytes: skipped`);
      else line(b, pos, nl);
      pos = nl + 1;
    }
    if (pos < b.length && !skipping) {
      if (b.length - pos > maxLine) {
        problem(++summary.lines, `line longer than ${maxLine} bytes: skipped`);
        skipping = true;
      } else carry = Buffer.from(b.subarray(pos));
    }
  }
  if (carry && carry.length > 0) line(carry, 0, carry.length);
  return summary;
}
