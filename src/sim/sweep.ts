// `sim sweep`: the model run over a grid of two parameters, for one or both LRUs, and the edge where progress
// collapses. Pure: the cells are runSim() calls with the same seed.
import { UsageError } from '../kernel/errors.js';
import type { ReproVerdictClass } from '../repro/verdict.js';
import { runSim } from './run-sim.js';
import { PARAM_UNITS, type SimLru, type SimParams } from './sim-params.js';

/** Names a sweep axis may use: any numeric parameter, and these short ones. */
export const AXIS_ALIASES: Readonly<Record<string, ReadonlyArray<keyof SimParams>>> = Object.freeze({
  threads: ['fileThreads', 'memoryThreads'],
  limit: ['limitBytes'],
  files: ['fileBytes'],
  memory: ['memoryBytes'],
  delay: ['delayMs'],
  duration: ['durationMs'],
  slice: ['sliceUs'],
});

/** One axis: a parameter name and the values it takes (in the parameters' units: bytes, ms, µs, counts). */
export interface SweepAxis {
  name: string;
  values: number[];
}

/** One cell of the map. */
export interface SweepCell {
  lru: SimLru;
  x: number;
  y: number;
  verdict: ReproVerdictClass;
  /** File threads' rate at the end over before (repro's fileRatio); undefined when not measured. */
  fileRatio: number | undefined;
  longestHoldS: number;
  holdScanned: number;
  holdReclaimed: number;
  oom: boolean;
}

/** Two neighbouring cells on either side of an edge; `state` is the verdict, with "(OOM kill)" when there was one. */
export interface SweepEdge {
  from: { x: number; y: number; state: string };
  to: { x: number; y: number; state: string };
}

/** The map, and for each LRU the cells next to which the verdict changes. */
export interface SweepResult {
  x: SweepAxis;
  y: SweepAxis;
  cells: SweepCell[];
  /** Per LRU: each pair of neighbouring cells whose verdict (or OOM kill) differs. */
  edges: Record<string, SweepEdge[]>;
}

/** The parameters an axis name sets; throws UsageError for an unknown one. */
export function axisParams(name: string): ReadonlyArray<keyof SimParams> {
  const alias = AXIS_ALIASES[name];
  if (alias) return alias;
  if (name in PARAM_UNITS && name !== 'lru') return [name as keyof SimParams];
  throw new UsageError(`unknown sweep parameter ${JSON.stringify(name)}: give one of ${[...Object.keys(AXIS_ALIASES), ...Object.keys(PARAM_UNITS).filter((k) => k !== 'lru')].join(', ')}`);
}

/** Sets an axis value on a copy of the parameters. */
export function withAxis(p: SimParams, name: string, value: number): SimParams {
  const out = { ...p } as Record<string, unknown>;
  for (const k of axisParams(name)) out[k] = value;
  return out as unknown as SimParams;
}

/** Runs every cell (x × y × lrus); `onCell` hears each as it finishes. */
export function runSweep(base: SimParams, x: SweepAxis, y: SweepAxis, lrus: readonly SimLru[], onCell?: (c: SweepCell, done: number, total: number) => void): SweepResult {
  axisParams(x.name);
  axisParams(y.name);
  const cells: SweepCell[] = [];
  const total = lrus.length * x.values.length * y.values.length;
  for (const lru of lrus) {
    for (const yv of y.values) {
      for (const xv of x.values) {
        const r = runSim(withAxis(withAxis({ ...base, lru }, x.name, xv), y.name, yv));
        const h = r.longestHold;
        const cell: SweepCell = {
          lru, x: xv, y: yv, verdict: r.verdict.class, fileRatio: r.verdict.figures.fileRatio,
          longestHoldS: (h?.durationMs ?? 0) / 1000, holdScanned: h?.counters.nrScanned ?? 0, holdReclaimed: h?.counters.nrReclaimed ?? 0, oom: r.oom.killed,
        };
        cells.push(cell);
        onCell?.(cell, cells.length, total);
      }
    }
  }
  const edges: Record<string, SweepEdge[]> = {};
  for (const lru of lrus) {
    const at = (xv: number, yv: number): SweepCell | undefined => cells.find((c) => c.lru === lru && c.x === xv && c.y === yv);
    const lines: SweepEdge[] = [];
    const state = (c: SweepCell): string => (c.oom ? `${c.verdict} (OOM kill)` : c.verdict);
    const say = (a: SweepCell, b: SweepCell): void => {
      if (state(a) !== state(b)) lines.push({ from: { x: a.x, y: a.y, state: state(a) }, to: { x: b.x, y: b.y, state: state(b) } });
    };
    for (const yv of y.values) for (let i = 0; i + 1 < x.values.length; i++) say(at(x.values[i]!, yv)!, at(x.values[i + 1]!, yv)!);
    for (const xv of x.values) for (let j = 0; j + 1 < y.values.length; j++) say(at(xv, y.values[j]!)!, at(xv, y.values[j + 1]!)!);
    edges[lru] = lines;
  }
  return { x, y, cells, edges };
}
