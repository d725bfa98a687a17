// `reclaimwatch flamegraph`: folded stacks on stdin (or --input FILE), interactive SVG on stdout (or --output FILE).
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { EXIT } from '../detect/exit-status.js';
import { ReclaimwatchError, UsageError } from '../kernel/errors.js';
import { FLAME_PALETTES, type FlamePalette } from '../flame/palette.js';
import { renderFlameGraph, type FlameGraphOptions } from '../flame/render-flame-graph.js';
import type { FoldedStreamSummary } from '../flame/folded-stream.js';
import { EXIT_STATUS_HELP, reportError } from './common.js';
import { choiceOption, numberOption, textOption } from './options.js';
import { inputPathOption, outputPathOption, writeOutputFile } from './output-path.js';

interface FlamegraphCliOptions {
  reverse?: boolean;
  title?: string;
  colors: FlamePalette;
  width: number;
  minWidth: number;
  countName: string;
  input?: string;
  output?: string;
}

/** Malformed lines printed one by one before the rest are only counted. */
export const PROBLEMS_SHOWN = 5;

/**
 * What to tell the user about the input: the first few malformed lines with their numbers, then one line
 * counting the rest. The messages are printable already (folded-line.ts escapes what it quotes).
 */
export function inputReport(input: FoldedStreamSummary, shown = PROBLEMS_SHOWN): string[] {
  const out = input.problems.slice(0, shown).map((p) => `line ${p.line}: ${p.message}`);
  const rest = input.problemCount - Math.min(shown, input.problems.length);
  if (rest > 0) out.push(`${rest} more malformed line${rest === 1 ? '' : 's'} skipped (${input.problemCount} of ${input.lines} lines in all were not folded stacks)`);
  return out;
}

async function run(o: FlamegraphCliOptions): Promise<number> {
  if (o.input === undefined && process.stdin.isTTY) throw new UsageError('no input: pipe folded stacks in (reclaimwatch flamegraph < stacks.folded > out.svg) or give --input FILE');
  const input: Readable = o.input !== undefined ? fs.createReadStream(o.input, { highWaterMark: 1 << 20 }) : process.stdin;
  const opts: FlameGraphOptions = {
    reverse: o.reverse === true,
    palette: o.colors,
    widthPx: o.width,
    minWidthPx: o.minWidth,
    countName: o.countName,
    ...(o.title !== undefined ? { title: o.title } : {}),
  };
  let r;
  try {
    r = await renderFlameGraph(input, opts);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new ReclaimwatchError('read', `cannot read ${o.input ?? 'stdin'} (${code}): ${(err as Error).message}`, { cause: err });
    throw err;
  }
  for (const line of inputReport(r.input)) process.stderr.write(`reclaimwatch: ${line}\n`);
  if (r.input.stacks === 0) {
    // Nothing to draw is a failure a script must see; no SVG is written.
    process.stderr.write(`reclaimwatch: ${o.input ?? 'the input'} held no folded stacks (${r.input.lines} line${r.input.lines === 1 ? '' : 's'} read): nothing drawn\n`);
    return EXIT.cannotInspect;
  }
  if (o.output !== undefined) writeOutputFile(o.output, r.svg, '--output');
  else await new Promise<void>((resolve, reject) => process.stdout.write(r.svg, (e) => (e ? reject(e) : resolve())));
  return EXIT.ok;
}

/** Registers `reclaimwatch flamegraph`. */
export function registerFlamegraph(program: Command): void {
  program
    .command('flamegraph')
    .description('Draws folded stacks (ours, bpftrace, perf script | stackcollapse) as an interactive SVG flame graph')
    .option('--reverse', 'merge leaf frames at the root (frame #0 at the bottom)')
    .addOption(textOption('--title <text>', 'title of the graph', 'a title'))
    .addOption(choiceOption('--colors <palette>', `frame colours: ${FLAME_PALETTES.join(' | ')} (kernel frames blue)`, FLAME_PALETTES, 'kernel'))
    .addOption(numberOption('--width <px>', 'image width in pixels', '1200'))
    .addOption(numberOption('--min-width <px>', 'omit frames narrower than this', '0.1'))
    .addOption(textOption('--count-name <word>', 'what a count is called in tooltips', 'a word such as samples', 'samples'))
    .addOption(inputPathOption('--input <file>', 'read folded stacks from FILE instead of stdin'))
    .addOption(outputPathOption('--output <file>', 'write the SVG to FILE instead of stdout'))
    .addHelpText('after', `\nExits 3 when the input held no stacks (nothing drawn).\n${EXIT_STATUS_HELP}`)
    .action(async (o: FlamegraphCliOptions) => {
      try {
        process.exitCode = await run(o);
      } catch (err) {
        process.exitCode = reportError(err);
      }
    });
}
