// syscall-latency: a log2 histogram of one syscall's latency (the reference's `mincore` one-liner), from
// syscalls:sys_enter_<name> / sys_exit_<name> (CONFIG_FTRACE_SYSCALLS).
import { renderLog2Histogram } from '../../render/histogram.js';
import { formatUs } from '../format.js';
import type { BpftraceStream, HistBucket } from '../json-stream.js';
import { asHist, asNumber } from '../map-values.js';
import { type GeneratedProgram, type ProgramContext, type TraceProgram, argOf } from '../program.js';

/** What syscall-latency reports. */
export interface SyscallLatencyResult {
  syscall: string;
  calls: number;
  totalUs: number;
  maxUs: number;
  /** Calls that returned a negative value (an errno). */
  errors: number;
  latencyUs: HistBucket[];
}

function generate(ctx: ProgramContext): GeneratedProgram {
  const a = argOf(ctx);
  const name = ctx.syscall ?? '';
  const p = ctx.predicate;
  const body = `tracepoint:syscalls:sys_enter_${name} /${p}/ { @rw_start[tid] = nsecs; }
tracepoint:syscalls:sys_exit_${name} /(${p}) && @rw_start[tid]/ {
  $us = (nsecs - @rw_start[tid]) / 1000;
  delete(@rw_start[tid]);
  @rw_events = count();
  @calls = count();
  @latency_us = hist($us);
  @total_us = sum($us);
  @max_us = max($us);
  if (${a('ret')} < 0) { @errors = count(); }
}
`;
  return { body, tempMaps: ['@rw_start'], unavailable: [] };
}

function interpret(s: BpftraceStream, ctx: ProgramContext): SyscallLatencyResult {
  return {
    syscall: ctx.syscall ?? '',
    calls: asNumber(s.maps.get('@calls')),
    totalUs: asNumber(s.maps.get('@total_us')),
    maxUs: asNumber(s.maps.get('@max_us')),
    errors: asNumber(s.maps.get('@errors')),
    latencyUs: asHist(s.maps.get('@latency_us')),
  };
}

function renderText(r: SyscallLatencyResult): string {
  const head = `${r.syscall}: ${r.calls} call(s), ${formatUs(r.totalUs)} in total, slowest ${formatUs(r.maxUs)}, ${r.errors} failed\n`;
  return r.calls === 0 ? head : `${head}\n${renderLog2Histogram(r.latencyUs, { title: `${r.syscall} latency`, unit: 'µs' })}`;
}

/** `syscall-latency --syscall NAME`: one syscall's latency histogram. */
export const syscallLatencyProgram: TraceProgram<SyscallLatencyResult> = {
  name: 'syscall-latency',
  answers: 'How long does one syscall (e.g. mincore) take in the target?',
  requiredTracepoints: (ctx) => [`syscalls:sys_enter_${ctx.syscall ?? ''}`, `syscalls:sys_exit_${ctx.syscall ?? ''}`],
  optionalProbes: [],
  needs: 'syscall tracepoints (CONFIG_FTRACE_SYSCALLS)',
  defaults: { thresholdUs: 0 },
  hasStacks: false,
  generate,
  interpret,
  renderText,
};
