// `reclaimwatch trace list` and `reclaimwatch trace <program> --pid PID | --cgroup PATH ...`:
// the reference's bpftrace investigations as commands with parsed, drawn results.
import fs from 'node:fs';
import type { Command } from 'commander';
import { EXIT_STATUS_HELP } from '../detect/exit-status.js';
import { UsageError } from '../kernel/errors.js';
import { hasKprobes } from '../kernel/sys/tracing.js';
import { locateTracefs } from '../host/host-report.js';
import { findProgram, TRACE_PROGRAMS } from '../trace/programs/all-programs.js';
import { runTraceProgram } from '../trace/run-program.js';
import type { TraceProgress } from '../trace/runner.js';
import type { TraceDocument } from '../trace/trace-document.js';
import { formatUs } from '../trace/format.js';
import { addHostPathOptions, hostFromOptions, reportError } from './common.js';
import { withInterrupt } from './interrupt.js';
import { durationOption, integerOption, textOption } from './options.js';
import { outputPathOption, writeOutputFile } from './output-path.js';
import type { HostPaths } from '../host/host-paths.js';

/** The options after parsing: every value already checked (src/cli/options.ts, output-path.ts). */
interface TraceCliOptions {
  pid?: number;
  cgroup?: string;
  duration: number;
  json?: boolean;
  folded?: string;
  threshold?: number;
  stackThreshold: number;
  syscall?: string;
  hz: number;
  bpftrace: string;
  progress?: boolean;
  printProgram?: boolean;
  [k: string]: unknown;
}

function listText(host: HostPaths): string {
  // "Absent" and "not readable by you" are different answers: tracefs is mode 0700 (root only) when mounted.
  const located = locateTracefs(host);
  const tracefs = located.state === 'readable' ? located.path : undefined;
  const here = (tps: string[]): string => {
    if (located.state === 'unreadable') return `cannot tell: tracefs at ${located.path} is not readable by you (root only); run as root`;
    if (!tracefs) return 'no: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)';
    const missing = tps.filter((tp) => {
      const [s, e] = tp.split(':');
      return e?.endsWith('_NAME') ? !fs.existsSync(`${tracefs}/events/${s}`) : !fs.existsSync(`${tracefs}/events/${s}/${e}`);
    });
    return missing.length ? `missing ${missing.join(', ')}` : 'yes';
  };
  const out: string[] = [];
  for (const p of TRACE_PROGRAMS) {
    const req = p.requiredTracepoints({ syscall: 'NAME' });
    out.push(`${p.name}\n  answers:   ${p.answers}\n  probes:    ${[...req, ...p.optionalProbes.map((o) => `${o} (if present)`)].join(', ')}${p.name === 'profile-under-lock' ? ', profile:hz' : ''}\n  needs:     ${p.needs}\n  runs here: ${here(req)}\n`);
  }
  out.push(`kprobes here: ${located.state === 'unreadable' ? 'cannot tell (tracefs is not readable by you)' : hasKprobes(tracefs) ? 'yes' : 'no (kprobe-only counters are left out and listed as unavailable)'}\n`);
  return out.join('\n');
}

function renderDocument(doc: TraceDocument, body: string): string {
  const head = `reclaimwatch trace ${doc.program}: ${doc.target.description}, traced ${formatUs(doc.tracedMs * 1000)}` +
    `${doc.stoppedEarly ? ' (stopped early)' : ''} — bpftrace ${doc.host.bpftrace.version}, kernel ${doc.host.kernel}\n\n`;
  const tail: string[] = [];
  if (doc.unavailable.length) tail.push(`\nunavailable here:\n${doc.unavailable.map((u) => `  ${u.what}: ${u.reason}\n`).join('')}`);
  if (doc.notes.length) tail.push(`\nnotes:\n${doc.notes.map((n) => `  ${n}\n`).join('')}`);
  return head + body + tail.join('');
}

async function runAction(name: string | undefined, opts: TraceCliOptions): Promise<void> {
  const host = hostFromOptions(opts);
  if (name === undefined || name === 'list') {
    process.stdout.write(listText(host));
    return;
  }
  const program = findProgram(name);
  if (!program) throw new UsageError(`unknown trace program ${JSON.stringify(name)}: run \`reclaimwatch trace list\`; programs: ${TRACE_PROGRAMS.map((p) => p.name).join(', ')}`);
  const durationMs = opts.duration;
  const thresholdUs = opts.threshold === undefined ? undefined : opts.threshold * 1000;
  const stackThresholdUs = opts.stackThreshold * 1000;
  const { hz, pid } = opts;
  if (opts.folded !== undefined && !program.folded) throw new UsageError(`--folded works with programs that collect stacks: ${TRACE_PROGRAMS.filter((p) => p.hasStacks).map((p) => p.name).join(', ')}`);
  const onSignal = (_sig: NodeJS.Signals, count: number): void => {
    if (count === 1) process.stderr.write('\nreclaimwatch: stopping; bpftrace prints what it collected (press Ctrl-C again to kill it)\n');
  };
  const showProgress = opts.progress === true || Boolean(process.stderr.isTTY);
  const tty = Boolean(process.stderr.isTTY);
  const onProgress = (p: TraceProgress): void => {
    const line = p.attached
      ? `[trace ${program.name}] ${(p.elapsedMs / 1000).toFixed(0)}s / ${(durationMs / 1000).toFixed(0)}s, ${p.events} event(s)`
      : `[trace ${program.name}] compiling and attaching probes...`;
    process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  };
  const status = await withInterrupt(async (i) => {
    const doc = await runTraceProgram(program, {
      host, bpftrace: opts.bpftrace, pid, cgroupPath: opts.cgroup, durationMs, thresholdUs, stackThresholdUs, syscall: opts.syscall, hz,
      stop: i.signal, kill: i.force,
      ...(showProgress ? { onProgress } : {}),
      ...(opts.printProgram ? { onScript: (s: string) => process.stderr.write(`${s}\n`) } : {}),
    });
    if (showProgress && tty) process.stderr.write('\r\x1b[K');
    if (opts.folded !== undefined && program.folded) writeOutputFile(opts.folded, program.folded(doc.result), '--folded');
    if (opts.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else process.stdout.write(renderDocument(doc, program.renderText(doc.result)));
    if (opts.folded !== undefined && !opts.json) process.stdout.write(`\nfolded stacks written to ${opts.folded}\n`);
    return i.exitStatus();
  }, { onSignal });
  // Stopped by Ctrl-C, the trace still prints what bpftrace collected; the exit status says it was interrupted.
  if (status !== undefined) process.exitCode = status;
}

/** Registers `reclaimwatch trace`. */
export function registerTrace(program: Command): void {
  const cmd = program
    .command('trace')
    .description('run a bpftrace investigation (memcg reclaim, mmap_lock holds, ...) against a pid or cgroup; `trace list` shows them')
    .argument('[program]', 'list, or a program: syscall-latency, memcg-reclaim, direct-reclaim, mmap-lock, profile-under-lock, hold-stats')
    .addOption(integerOption('--pid <pid>', 'trace this process (all its threads)'))
    .addOption(textOption('--cgroup <path>', 'trace this cgroup (path as in /proc/PID/cgroup)', 'a cgroup path as in /proc/PID/cgroup'))
    .addOption(durationOption('--duration <time>', 'how long to trace, e.g. 10s, 2m', '30s'))
    .addOption(durationOption('--threshold <time>', 'list individual events at least this long (mmap-lock default 50ms, hold-stats 10ms, reclaim 0)'))
    .addOption(durationOption('--stack-threshold <time>', 'mmap-lock: keep kernel stacks of holds at least this long', '1s'))
    .addOption(textOption('--syscall <name>', 'syscall-latency: the syscall, e.g. mincore', 'a syscall name such as mincore'))
    .addOption(integerOption('--hz <n>', 'profile-under-lock: samples per second per CPU', '99', { min: 1, max: 10_000 }))
    .option('--json', 'print a JSON document (schema reclaimwatch.trace/v1)')
    .addOption(outputPathOption('--folded <file>', 'write kernel stacks in folded format (mmap-lock, profile-under-lock)'))
    .addOption(textOption('--bpftrace <path>', 'the bpftrace binary', 'the bpftrace binary', 'bpftrace'))
    .option('--progress', 'print a progress line on stderr even when it is not a terminal')
    .option('--print-program', 'print the generated bpftrace program on stderr')
    .addHelpText('after', `\n${EXIT_STATUS_HELP}`);
  addHostPathOptions(cmd);
  cmd.action(async (name: string | undefined, opts: TraceCliOptions) => {
    try {
      await runAction(name, opts);
    } catch (err) {
      process.exitCode = reportError(err);
    }
  });
}
