// Folded stacks in, flame graph SVG out: streams the input into a FlameTree, then draws it.
import type { Readable } from 'node:stream';
import { renderFlameSvg, type FlameSvgOptions } from './flame-svg.js';
import { FlameTree } from './flame-tree.js';
import { type FlameEngine, type FoldedStreamSummary, readFoldedStream } from './folded-stream.js';

/** Options of `renderFlameGraph`. */
export interface FlameGraphOptions extends FlameSvgOptions {
  /** Merge leaf frames at the root (frame #0 at the bottom), as the reference incident's graphs did. */
  reverse?: boolean;
  /** Parser choice (default `auto`: native when built). */
  engine?: FlameEngine;
}

/** The SVG and what the input held. */
export interface FlameGraphResult {
  svg: string;
  input: FoldedStreamSummary;
  /** Distinct stack prefixes merged (tree nodes without the root). */
  nodes: number;
  totalSamples: number;
}

/** Renders folded stacks from `input` into a self-contained interactive SVG. */
export async function renderFlameGraph(input: Readable, opts: FlameGraphOptions = {}): Promise<FlameGraphResult> {
  const tree = new FlameTree();
  const summary = await readFoldedStream(input, tree, { reverse: opts.reverse === true, ...(opts.engine ? { engine: opts.engine } : {}) });
  const svgOpts: FlameSvgOptions = { ...opts };
  if (opts.reverse && opts.subtitle === undefined) svgOpts.subtitle = 'reversed: leaf frames merged at the root';
  return { svg: renderFlameSvg(tree, svgOpts), input: summary, nodes: tree.nodeCount - 1, totalSamples: tree.total };
}
