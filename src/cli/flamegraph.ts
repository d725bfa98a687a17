// `reclaimwatch flamegraph`: folded stacks on stdin (or --input FILE), interactive SVG on stdout (or --output FILE).
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { UsageError } from '../kernel/errors.js';
import { FLAME_PALETTES, type FlamePalette } from '../flame/palette.js';
import { renderFlameGraph, type FlameGraphOptions } from '../flame/render-flame-graph.js';
import { EXIT, reportError } from './common.js';

interface FlamegraphCliOptions {
  reverse?: boolean;
  title?: string;
  colors: string;
  width: string;
  minWidth: string;
  countName: string;
  input?: string;
  output?: string;
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give a number greater than zero`);
  return n;
}

async function run(o: FlamegraphCliOptions): Promise<number> {
  if (!FLAME_PALETTES.includes(o.colors as FlamePalette)) throw new UsageError(`unknown --colors ${JSON.stringify(o.colors)}: use one of ${FLAME_PALETTES.join(', ')}`);
  if (o.input === undefined && process.stdin.isTTY) throw new UsageError('no input: pipe folded stacks in (reclaimwatch flamegraph < stacks.folded > out.svg) or give --input FILE');
  let input: Readable;
  if (o.input !== undefined) {
    try {
      fs.accessSync(o.input, fs.constants.R_OK);
    } catch {
      throw new UsageError(`cannot read --input ${o.input}: check the path`);
    }
    input = fs.createReadStream(o.input, { highWaterMark: 1 << 20 });
  } else input = process.stdin;
  const opts: FlameGraphOptions = {
    reverse: o.reverse === true,
    palette: o.colors as FlamePalette,
    widthPx: positive(o.width, '--width'),
    minWidthPx: positive(o.minWidth, '--min-width'),
    countName: o.countName,
    ...(o.title !== undefined ? { title: o.title } : {}),
  };
  const r = await renderFlameGraph(input, opts);
  for (const p of r.input.problems) process.stderr.write(`reclaimwatch: line ${p.line}: ${p.message} (skipped)\n`);
  if (r.input.problemCount > r.input.problems.length) process.stderr.write(`reclaimwatch: ${r.input.problemCount - r.input.problems.length} more malformed lines skipped\n`);
  if (r.input.stacks === 0) process.stderr.write('reclaimwatch: the input held no stacks; the SVG says so\n');
  if (o.output !== undefined) fs.writeFileSync(o.output, r.svg);
  else await new Promise<void>((resolve, reject) => process.stdout.write(r.svg, (e) => (e ? reject(e) : resolve())));
  return EXIT.ok;
}

/** Registers `reclaimwatch flamegraph`. */
export function registerFlamegraph(program: Command): void {
  program
    .command('flamegraph')
    .description('Draws folded stacks (ours, bpftrace, perf script | stackcollapse) as an interactive SVG flame graph')
    .option('--reverse', 'merge leaf frames at the root (frame #0 at the bottom)')
    .option('--title <text>', 'title of the graph')
    .option('--colors <palette>', `frame colours: ${FLAME_PALETTES.join(' | ')} (kernel frames blue)`, 'kernel')
    .option('--width <px>', 'image width in pixels', '1200')
    .option('--min-width <px>', 'omit frames narrower than this', '0.1')
    .option('--count-name <word>', 'what a count is called in tooltips', 'samples')
    .option('--input <file>', 'read folded stacks from FILE instead of stdin')
    .option('--output <file>', 'write the SVG to FILE instead of stdout')
    .action(async (o: FlamegraphCliOptions) => {
      try {
        process.exitCode = await run(o);
      } catch (err) {
        process.exitCode = reportError(err);
      }
    });
}
