// `reclaimwatch sim`: the kernel's page reclaim as a model (src/sim/): run the reference's set-up or any other,
// with every counter visible, and `sim sweep` over two parameters to draw where progress collapses.
// Exit: 0 the model ran (whatever its verdict), 2 usage, 3 could not write an output file.
import type { Command } from 'commander';
import { UsageError } from '../kernel/errors.js';
import { formatBytes, parseBytes } from '../units/bytes.js';
import { renderSimText } from '../sim/report-text.js';
import { SIM_PRESETS, type SimPresetName } from '../sim/presets.js';
import { runSim } from '../sim/run-sim.js';
import { PARAM_UNITS, type SimLru, type SimParams } from '../sim/sim-params.js';
import { renderSimSvg } from '../sim/svg.js';
import { type SweepAxis, axisParams, runSweep } from '../sim/sweep.js';
import { renderSweepSvg, renderSweepText } from '../sim/sweep-text.js';
import { EXIT, parseDurationMs, reportError } from './common.js';
import { choiceOption, formatDurationMs, parsedOption } from './options.js';
import { outputPathOption, writeOutputFile } from './output-path.js';

type NumericParam = Exclude<keyof SimParams, 'lru'>;

const SHORT_FLAGS: Partial<Record<NumericParam, string>> = { limitBytes: 'limit', delayMs: 'delay', durationMs: 'duration', windowMs: 'window', minTtlMs: 'min-ttl' };

/** The flag of a parameter: `--limit` for limitBytes, `--file-threads` for fileThreads … */
export function paramFlag(name: NumericParam): string {
  return SHORT_FLAGS[name] ?? name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Parses one value in the unit of the parameter (bytes: 4GiB; ms: 30s; counts and µs: numbers). */
export function parseParamValue(name: NumericParam, text: string, what: string): number {
  const unit = PARAM_UNITS[name];
  const t = text.trim();
  if (unit === 'bytes') return parseBytes(t, what, { allowZero: name === 'otherBytes' || name === 'coldFileBytes' });
  if (unit === 'ms') return t === '0' ? 0 : parseDurationMs(t, what);
  const n = /^\d+(?:\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give a number such as ${unit === 'us' ? '3.38 (microseconds)' : '1000'}`);
  if (unit === 'count' && !Number.isInteger(n)) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give a whole number`);
  return n;
}

const formatValue = (name: NumericParam, v: number): string =>
  PARAM_UNITS[name] === 'bytes' ? formatBytes(v) : PARAM_UNITS[name] === 'ms' ? (v === 0 ? '0' : formatDurationMs(v)) : String(v);

const PARAMS = (Object.keys(PARAM_UNITS) as Array<keyof SimParams>).filter((k): k is NumericParam => k !== 'lru');

/** Adds --preset and one flag per parameter. */
function addParamOptions(cmd: Command): Command {
  cmd.addOption(choiceOption('--preset <name>', 'the set-up to start from: reference (the reference\'s container) or small (a fraction of a second)', ['reference', 'small'] as const, 'reference'));
  for (const k of PARAMS) {
    const unit = PARAM_UNITS[k];
    const hint = unit === 'bytes' ? 'size, e.g. 4GiB' : unit === 'ms' ? 'duration, e.g. 30s' : unit === 'us' ? 'microseconds' : 'number';
    cmd.addOption(parsedOption(`--${paramFlag(k)} <${unit === 'count' ? 'n' : unit}>`, `${k} (${hint}; default from the preset)`, (text, what) => parseParamValue(k, text, what)));
  }
  return cmd;
}

/** The parameters: the preset, then every flag given. */
function paramsFrom(o: Record<string, unknown>, lru?: SimLru): SimParams {
  const preset = (o['preset'] as SimPresetName | undefined) ?? 'reference';
  const p = { ...SIM_PRESETS[preset] } as Record<string, unknown>;
  for (const k of PARAMS) {
    const key = paramFlag(k).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (o[key] !== undefined) p[k] = o[key];
  }
  if (lru) p['lru'] = lru;
  return p as unknown as SimParams;
}

/** Parses `name=v1,v2,...` for a sweep axis. */
export function parseAxis(text: string, what: string): SweepAxis {
  const m = /^([A-Za-z]+)=(.+)$/.exec(text.trim());
  if (!m) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give NAME=V1,V2,... such as threads=100,500,1000 or limit=2GiB,4GiB`);
  const name = m[1]!;
  const first = axisParams(name)[0]! as NumericParam;
  const values = m[2]!.split(',').map((v) => parseParamValue(first, v, `${what} value`));
  if (values.length < 1 || values.length > 12) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give 1 to 12 values`);
  return { name, values };
}

/** Registers `sim` and `sim sweep`. */
export function registerSim(program: Command): void {
  const sim = addParamOptions(
    program.command('sim')
      .description("Run the kernel's page reclaim as a model: the reference's livelock (a read hold of mmap_lock during which ~10^5-10^6 pages are scanned and tens reclaimed), every counter visible; deterministic per --seed")
      // `sim sweep` shares these (commander parses a parent's options after a subcommand's name too): --lru both
      // is for the sweep, --json and --svg write the sweep's map there
      .addOption(choiceOption('--lru <lru>', 'the page reclaim to model: classic (two-list active/inactive) or mglru; sim sweep also takes both (its default)', ['classic', 'mglru', 'both'] as const))
      .option('--json', 'print the whole result as JSON')
      .addOption(outputPathOption('--svg <file>', 'also write a chart as SVG (sim: progress, scanned vs reclaimed, hold lengths over time; sim sweep: the map)')),
  ).action((o: Record<string, unknown>) => {
    try {
      if (o['lru'] === 'both') throw new UsageError('--lru both runs both LRUs side by side in `sim sweep`; for one run give --lru classic or --lru mglru');
      const params = paramsFrom(o, o['lru'] as SimLru | undefined);
      const r = runSim(params);
      if (typeof o['svg'] === 'string') writeOutputFile(o['svg'], renderSimSvg(r), '--svg');
      process.stdout.write(o['json'] ? `${JSON.stringify(r, null, 2)}\n` : renderSimText(r));
      process.exitCode = EXIT.ok;
    } catch (err) {
      process.exitCode = reportError(err);
    }
  });
  sim.command('sweep')
    .description('Run the model over a grid of two parameters, for one or both LRUs, and print the map of where progress collapses (the parameter flags, --preset, --lru, --json and --svg of sim apply)')
    .addOption(parsedOption('--x <axis>', 'the parameter across, NAME=V1,V2,... (threads, limit, cpus, files, memory, delay, duration or any parameter)', parseAxis))
    .addOption(parsedOption('--y <axis>', 'the parameter down, NAME=V1,V2,...', parseAxis))
    .action((_o: unknown, cmd: Command) => {
      try {
        const o = cmd.optsWithGlobals<Record<string, unknown>>();
        const x = o['x'] as SweepAxis | undefined;
        const y = o['y'] as SweepAxis | undefined;
        if (!x || !y) throw new UsageError('sim sweep needs --x and --y, e.g. --x threads=100,500,1000 --y limit=2GiB,4GiB');
        if (x.name === y.name) throw new UsageError(`--x and --y both sweep ${x.name}: give two different parameters`);
        const lru = (o['lru'] as SimLru | 'both' | undefined) ?? 'both';
        const lrus: SimLru[] = lru === 'both' ? ['classic', 'mglru'] : [lru];
        const base = paramsFrom(o);
        const s = runSweep(base, x, y, lrus, (c, done, total) => {
          if (!o['json']) process.stderr.write(`  ${done}/${total} ${c.lru} ${x.name}=${c.x} ${y.name}=${c.y}: ${c.verdict}\n`);
        });
        const fx = (v: number): string => formatValue(axisParams(x.name)[0] as NumericParam, v);
        const fy = (v: number): string => formatValue(axisParams(y.name)[0] as NumericParam, v);
        if (typeof o['svg'] === 'string') writeOutputFile(o['svg'], renderSweepSvg(s, fx, fy), '--svg');
        process.stdout.write(o['json'] ? `${JSON.stringify(s, null, 2)}\n` : `${renderSweepText(s, fx, fy)}\n`);
        process.exitCode = EXIT.ok;
      } catch (err) {
        process.exitCode = reportError(err);
      }
    });
}
