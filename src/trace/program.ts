// The shape every trace program shares: what it answers, what it needs, how it is generated for the
// bpftrace and kernel at hand, and how its output becomes a typed result.
import type { BpftraceStream } from './json-stream.js';

/** A counter or part of a program left out on this machine, and why. */
export interface Unavailable {
  /** What is missing, e.g. `__cond_resched() calls`. */
  what: string;
  /** Why, e.g. `no kprobes (kernel built without CONFIG_KPROBES)`. */
  reason: string;
}

/** What a program generator knows about the machine and the request. */
export interface ProgramContext {
  /** `->` or `.`: how this bpftrace accesses tracepoint fields. */
  argsAccess: '->' | '.';
  /** bpftrace predicate selecting the target (pid or cgroup). */
  predicate: string;
  /** Field names per tracepoint (`system:event`), from tracefs; undefined when the tracepoint is absent. */
  fields: (tracepoint: string) => Set<string> | undefined;
  /** True when the kernel offers kprobes. */
  kprobes: boolean;
  /** True when a kernel function can be probed (listed in available_filter_functions). */
  traceableFunction: (name: string) => boolean;
  /** Run length; the program exits itself after it. */
  durationMs: number;
  /** Threshold for listing individual events (holds, reclaims), microseconds. */
  thresholdUs: number;
  /** Holds at least this long get their kernel stack kept, microseconds. */
  stackThresholdUs: number;
  /** Syscall name for `syscall-latency`. */
  syscall?: string;
  /** Sampling frequency for `profile-under-lock`. */
  hz: number;
}

/** A generated bpftrace program body (probes only; `buildScript` adds the common frame). */
export interface GeneratedProgram {
  body: string;
  /** Per-thread scratch maps cleared at END so they are not printed. */
  tempMaps: string[];
  /** Parts left out on this machine. */
  unavailable: Unavailable[];
}

/** Program-independent options a program declares defaults for. */
export interface ProgramDefaults {
  thresholdUs: number;
}

/** A reclaimwatch trace program. `R` is its typed result. */
export interface TraceProgram<R = unknown> {
  name: string;
  /** One line: the question it answers. */
  answers: string;
  /** Tracepoints it cannot run without (`system:event`); `syscalls:sys_enter_<name>` is resolved at run time. */
  requiredTracepoints: (ctx: Pick<ProgramContext, 'syscall'>) => string[];
  /** Tracepoints or kprobes it uses when present. */
  optionalProbes: string[];
  /** Kernel needs, for `trace list`. */
  needs: string;
  defaults: ProgramDefaults;
  /** Kernel-stack output usable as folded stacks (`--folded`). */
  hasStacks: boolean;
  generate(ctx: ProgramContext): GeneratedProgram;
  interpret(stream: BpftraceStream, ctx: ProgramContext): R;
  renderText(result: R): string;
  /** Folded stack lines (`frame;frame;... count`), for programs with stacks. */
  folded?: (result: R) => string;
}

/** Builds the accessor for a tracepoint field in this bpftrace's syntax. */
export function argOf(ctx: Pick<ProgramContext, 'argsAccess'>): (field: string) => string {
  return (field) => `args${ctx.argsAccess}${field}`;
}

/**
 * Wraps one or more program bodies in the common frame: a start time, a progress counter (`@rw_events`)
 * printed each second, the self-exit after the duration, and cleanup of scratch maps at END.
 */
export function buildScript(ctx: Pick<ProgramContext, 'durationMs'>, parts: readonly GeneratedProgram[]): string {
  const tempMaps = [...new Set(parts.flatMap((p) => p.tempMaps))];
  return [
    'BEGIN { @rw_t0 = nsecs; }',
    ...parts.map((p) => p.body),
    'interval:s:1 { print(@rw_events); }',
    `interval:ms:${Math.max(1, Math.round(ctx.durationMs))} { exit(); }`,
    `END { ${['@rw_t0', ...tempMaps].map((m) => `clear(${m});`).join(' ')} }`,
    '',
  ].join('\n');
}

/** Splits a printf record `TAG\tf1\tf2...\tcomm\n` into its fields (comm last, may hold anything but newline). */
export function splitRecord(line: string, fields: number): string[] | undefined {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  const parts = body.split('\t');
  if (parts.length < fields) return undefined;
  return [...parts.slice(0, fields - 1), parts.slice(fields - 1).join('\t')];
}
