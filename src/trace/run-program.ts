// Runs one trace program end to end: environment checks, target filter, generation for this bpftrace and
// kernel, the bpftrace run, and the typed result wrapped in a TraceDocument.
import type { HostPaths } from '../host/host-paths.js';
import { UsageError } from '../kernel/errors.js';
import { type ProgramContext, type TraceProgram, buildScript } from './program.js';
import { type TraceProgress, runBpftrace } from './runner.js';
import { resolveTraceTarget } from './target-filter.js';
import { TRACE_SCHEMA, type TraceDocument } from './trace-document.js';
import { type TraceEnvironment, prepareTraceEnvironment, requireTracepoints } from './trace-environment.js';

/** Options of `runTraceProgram`. */
export interface RunTraceOptions {
  host: HostPaths;
  bpftrace: string;
  pid?: number | undefined;
  cgroupPath?: string | undefined;
  durationMs: number;
  thresholdUs?: number | undefined;
  stackThresholdUs?: number | undefined;
  syscall?: string | undefined;
  hz?: number | undefined;
  stop?: AbortSignal;
  kill?: AbortSignal;
  onProgress?: (p: TraceProgress) => void;
  /** Receives the generated script before it runs. */
  onScript?: (script: string) => void;
  /** Receives bpftrace's raw stdout (fixture capture). */
  tee?: (chunk: string) => void;
}

/** Builds the generation context for a program on this machine. */
export function programContext(env: Pick<TraceEnvironment, 'bpftrace' | 'fields' | 'kprobes' | 'traceableFunction'>, program: Pick<TraceProgram, 'defaults'>, predicate: string, o: Omit<RunTraceOptions, 'host' | 'bpftrace'>): ProgramContext {
  const ctx: ProgramContext = {
    argsAccess: env.bpftrace.argsAccess,
    predicate,
    fields: env.fields,
    kprobes: env.kprobes,
    traceableFunction: env.traceableFunction,
    durationMs: o.durationMs,
    thresholdUs: o.thresholdUs ?? program.defaults.thresholdUs,
    stackThresholdUs: o.stackThresholdUs ?? 1_000_000,
    hz: o.hz ?? 99,
  };
  if (o.syscall !== undefined) ctx.syscall = o.syscall;
  return ctx;
}

/** Runs `program` against the target and returns its document. Throws reclaimwatch errors with exit-status codes. */
export async function runTraceProgram<R>(program: TraceProgram<R>, o: RunTraceOptions): Promise<TraceDocument<R>> {
  if (program.name === 'syscall-latency') {
    if (!o.syscall) throw new UsageError('syscall-latency needs --syscall NAME, e.g. --syscall mincore');
    if (!/^[a-z0-9_]+$/.test(o.syscall)) throw new UsageError(`bad --syscall ${JSON.stringify(o.syscall)}: give a syscall name such as mincore or read`);
  }
  const target = resolveTraceTarget(o.host, { pid: o.pid, cgroupPath: o.cgroupPath });
  const env = await prepareTraceEnvironment(o.host, o.bpftrace);
  requireTracepoints(env, program.requiredTracepoints({ ...(o.syscall !== undefined ? { syscall: o.syscall } : {}) }));
  const ctx = programContext(env, program, target.predicate, o);
  const generated = program.generate(ctx);
  const script = buildScript(ctx, [generated]);
  o.onScript?.(script);
  const startedAt = new Date().toISOString();
  const run = await runBpftrace({
    bpftrace: env.bpftrace.path, script, durationMs: o.durationMs,
    ...(o.stop ? { stop: o.stop } : {}), ...(o.kill ? { kill: o.kill } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.tee ? { tee: o.tee } : {}),
  });
  const notes = [...target.notes];
  if (run.killed) notes.push('bpftrace had to be killed before it printed its maps: totals and histograms are missing, listed events are kept');
  if (run.stream.truncated) notes.push('bpftrace output ended inside a record: the last record was dropped');
  if (run.stream.lostEvents > 0) notes.push(`the kernel dropped ${run.stream.lostEvents} event(s) (perf buffer full): listed events are incomplete, totals in maps are exact`);
  for (const w of run.warnings.slice(0, 5)) notes.push(`bpftrace: ${w}`);
  const v = env.bpftrace.version;
  return {
    schema: TRACE_SCHEMA,
    program: program.name,
    target: {
      description: target.description,
      ...(target.pid !== undefined ? { pid: target.pid } : {}),
      ...(target.cgroupPath !== undefined ? { cgroupPath: target.cgroupPath } : {}),
      ...(target.cgroupId !== undefined ? { cgroupId: target.cgroupId } : {}),
      ...(target.pidsAtStart ? { pidsAtStart: target.pidsAtStart } : {}),
    },
    host: { kernel: env.kernelRelease, bpftrace: { path: env.bpftrace.path, version: `${v.major}.${v.minor}.${v.patch}`, argsAccess: env.bpftrace.argsAccess }, kprobes: env.kprobes },
    startedAt,
    requestedMs: o.durationMs,
    tracedMs: run.tracedMs,
    stoppedEarly: run.stoppedEarly,
    complete: !run.killed && !run.stream.truncated,
    lostEvents: run.stream.lostEvents,
    droppedRecords: run.stream.printfsDropped,
    unavailable: generated.unavailable,
    notes,
    result: program.interpret(run.stream, ctx),
  };
}
