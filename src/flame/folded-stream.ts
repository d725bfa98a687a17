// Streams folded stacks from a Readable straight into a FlameTree. Complete lines are parsed in place in
// each chunk (only a line split across chunks is copied), by the native builder when it was built, else in
// JavaScript; memory holds one chunk plus one partial line, never the input. Malformed lines are reported
// with their line numbers and skipped.
import type { Readable } from 'node:stream';
import { fileChunks } from './file-chunks.js';
import { classifyFrames } from './frame-kind.js';
import type { FlameTree } from './flame-tree.js';
import { type FoldedProblem, parseFoldedLine } from './folded-line.js';
import { jsLineFeeder } from './js-line-feeder.js';
import type { LineFeeder } from './line-feeder.js';
import { loadNativeFlame } from './native-flame.js';
import { nativeLineFeeder } from './native-line-feeder.js';

/** Which parser builds the tree: `auto` takes the native one when it was built and the tree is empty. */
export type FlameEngine = 'auto' | 'native' | 'js';

/** Options of `readFoldedStream`. */
export interface FoldedStreamOptions {
  /** Merge leaf frames at the root. */
  reverse?: boolean;
  /** Longest accepted line in bytes (default 1 MiB); longer lines are reported and skipped. */
  maxLineBytes?: number;
  /** Problems kept with their line numbers (default 100); the rest are only counted. */
  maxProblemsKept?: number;
  /** Parser choice (default `auto`); `native` throws when the native builder is not built. */
  engine?: FlameEngine;
  /** Read buffer size for file streams (default 1 MiB). */
  chunkBytes?: number;
}

/** What a stream held. */
export interface FoldedStreamSummary {
  lines: number;
  stacks: number;
  problems: FoldedProblem[];
  /** All malformed lines, including those beyond `problems`. */
  problemCount: number;
  /** The parser that built the tree. */
  engine: 'native' | 'js';
}

const NL = 10;

function pickFeeder(tree: FlameTree, opts: FoldedStreamOptions, maxLine: number, summary: FoldedStreamSummary): LineFeeder {
  const reverse = opts.reverse === true;
  const engine = opts.engine ?? 'auto';
  const native = engine === 'js' ? undefined : loadNativeFlame();
  if (engine === 'native' && !native) throw new Error('the native flame tree builder is not built (npm run build) or RECLAIMWATCH_NO_NATIVE=1 is set');
  if (native && tree.nodeCount === 1) {
    summary.engine = 'native';
    return nativeLineFeeder(native, tree, reverse, maxLine, summary);
  }
  return jsLineFeeder(tree, reverse, maxLine, summary);
}

/** Reads folded stacks from `input` into `tree`. Kernel frames are classified as in `classifyFrames`. */
export async function readFoldedStream(input: Readable, tree: FlameTree, opts: FoldedStreamOptions = {}): Promise<FoldedStreamSummary> {
  const maxLine = opts.maxLineBytes ?? 1 << 20;
  const keep = opts.maxProblemsKept ?? 100;
  const summary: FoldedStreamSummary = { lines: 0, stacks: 0, problems: [], problemCount: 0, engine: 'js' };
  const feeder = pickFeeder(tree, opts, maxLine, summary);

  const problem = (line: number, message: string): void => {
    summary.problemCount++;
    if (summary.problems.length < keep) summary.problems.push({ line, message });
  };
  const tooLong = `line longer than ${maxLine} bytes: not a folded stack`;
  // All lines of b[from, to); `to` follows a newline or ends the input. Lines the fast parser hands back
  // get their verdict from the string parser.
  const lines = (b: Buffer, from: number, to: number): void => {
    let pos = from;
    while (pos < to) {
      const stop = feeder.feed(b, pos, to);
      if (stop >= to) return;
      let nl = b.indexOf(NL, stop);
      if (nl === -1 || nl > to) nl = to;
      const lineNo = ++summary.lines;
      if (nl - stop > maxLine) problem(lineNo, tooLong);
      else {
        const r = parseFoldedLine(b.toString('utf8', stop, nl));
        if (typeof r === 'string') problem(lineNo, r);
        else if (r !== undefined) feeder.addStack(r.frames, classifyFrames(r.frames), r.count);
      }
      pos = nl + 1;
    }
  };

  let carry: Buffer | undefined;
  let skipping = false;
  // Each chunk is done with (its partial last line copied) before the next is read, so a reused buffer is fine.
  for await (const chunk of fileChunks(input, opts.chunkBytes) ?? (input as AsyncIterable<Buffer | string>)) {
    const c = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    if (carry !== undefined || skipping) {
      // The line begun in earlier chunks: finish it, or keep carrying (or skipping) it.
      const nl = c.indexOf(NL);
      if (nl === -1) {
        if (carry !== undefined && carry.length + c.length > maxLine) {
          problem(++summary.lines, tooLong);
          carry = undefined;
          skipping = true;
        } else if (carry !== undefined) carry = Buffer.concat([carry, c]);
        continue;
      }
      if (carry !== undefined) {
        const whole = Buffer.concat([carry, c.subarray(0, nl + 1)]);
        carry = undefined;
        lines(whole, 0, whole.length);
      }
      skipping = false;
      start = nl + 1;
    }
    const last = c.lastIndexOf(NL);
    if (last >= start) {
      lines(c, start, last + 1);
      start = last + 1;
    }
    if (start < c.length) {
      if (c.length - start > maxLine) {
        problem(++summary.lines, tooLong);
        skipping = true;
      } else carry = Buffer.from(c.subarray(start));
    }
  }
  if (carry !== undefined && carry.length > 0) lines(carry, 0, carry.length);
  feeder.finish();
  return summary;
}
