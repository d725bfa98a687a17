// `reclaimwatch stacks`: every thread's user and kernel stack, grouped; or a kernel-side profile (--samples),
// or a perf profile (--perf); folded output and flame graph SVG on request.
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { EXIT } from '../detect/exit-status.js';
import { UsageError } from '../kernel/errors.js';
import { renderFlameGraph } from '../flame/render-flame-graph.js';
import { toFoldedText } from '../stacks/folded-stacks.js';
import { formatGroups } from '../stacks/format-groups.js';
import { groupThreads } from '../stacks/group-threads.js';
import { sampleKernelStacks } from '../stacks/kernel-sampler.js';
import { perfProfile } from '../stacks/perf-bridge.js';
import { takeSnapshot } from '../stacks/thread-snapshot.js';
import type { DebuggerName } from '../stacks/user-stacks.js';
import { addHostPathOptions, EXIT_STATUS_HELP, hostFromOptions, reportError } from './common.js';
import { withInterrupt } from './interrupt.js';
import { choiceOption, durationOption, integerOption, parsedOption, parseLetters } from './options.js';
import { outputPathOption, writeOutputFile } from './output-path.js';

/** The scheduler states of /proc/PID/task/TID/stat (proc(5)) that `--states` may count. */
export const THREAD_STATES: Record<string, string> = {
  R: 'running', S: 'sleeping', D: 'uninterruptible wait', T: 'stopped', t: 'tracing stop', Z: 'zombie', X: 'dead', I: 'idle kernel thread', P: 'parked',
};

/** The options after parsing: every value already checked (src/cli/options.ts, output-path.ts). */
interface StacksCliOptions {
  pid?: number;
  kernelOnly?: boolean;
  json?: boolean;
  folded?: string;
  svg?: string;
  samples?: number;
  hz: number;
  states: string;
  perf?: boolean;
  duration: number;
  debugger: DebuggerName | 'auto';
  userDeadline: number;
  probeDeadline: number;
  [k: string]: unknown;
}

async function writeSvg(file: string, folded: string, title: string): Promise<void> {
  const r = await renderFlameGraph(Readable.from([folded]), { title });
  writeOutputFile(file, r.svg, '--svg');
}

async function run(o: StacksCliOptions, signal: AbortSignal): Promise<number> {
  if (o.pid === undefined) throw new UsageError('give the process: reclaimwatch stacks --pid PID');
  const pid = o.pid;
  const host = hostFromOptions(o);
  if (o.perf && o.samples !== undefined) throw new UsageError('--perf and --samples are two ways to profile: give one');
  if (o.perf || o.samples !== undefined) {
    let folded: string;
    let summary: string;
    if (o.perf) {
      const p = await perfProfile(pid, { durationMs: o.duration, hz: o.hz });
      folded = p.folded;
      summary = `perf: ${p.samples} samples of pid ${pid} over ${o.duration / 1000} s`;
    } else {
      const p = await sampleKernelStacks(host, pid, { samples: o.samples!, hz: o.hz, states: o.states, signal });
      folded = p.folded;
      summary = `kernel-side profile of pid ${pid}: ${p.samplesTaken} samples at ${o.hz} Hz in ${p.elapsedMs} ms, ${p.observations} thread observations in states ${o.states} (${p.withoutKernelStack} without a kernel stack: running in user space or on a CPU)`;
    }
    if (o.folded !== undefined) writeOutputFile(o.folded, folded, '--folded');
    if (o.svg !== undefined) await writeSvg(o.svg, folded, `pid ${pid}: ${o.perf ? 'perf record -g' : 'kernel stacks sampled from /proc'}`);
    if (o.json) process.stdout.write(`${JSON.stringify({ pid, mode: o.perf ? 'perf' : 'kernel-samples', summary, folded }, null, 2)}\n`);
    else {
      process.stderr.write(`${summary}\n`);
      if (o.folded === undefined && o.svg === undefined) process.stdout.write(folded);
    }
    return EXIT.ok;
  }
  const snap = await takeSnapshot(host, pid, {
    kernelOnly: o.kernelOnly === true,
    debugger: o.debugger,
    deadlineMs: o.userDeadline,
    probeDeadlineMs: o.probeDeadline,
  });
  const groups = groupThreads(snap.threads);
  const folded = toFoldedText(snap.threads);
  if (o.folded !== undefined) writeOutputFile(o.folded, folded, '--folded');
  if (o.svg !== undefined) await writeSvg(o.svg, folded, `pid ${pid} (${snap.comm}): thread stacks`);
  if (o.json) process.stdout.write(`${JSON.stringify({ ...snap, groups }, null, 2)}\n`);
  else process.stdout.write(formatGroups(snap, groups));
  return EXIT.ok;
}

/** Registers `reclaimwatch stacks`. */
export function registerStacks(program: Command): void {
  const cmd = program
    .command('stacks')
    .description("Every thread's user and kernel stack, grouped (or a kernel-side / perf profile with --samples / --perf)")
    .addOption(integerOption('--pid <pid>', 'the process'))
    .option('--kernel-only', "kernel stacks only: never touch the target's address space (no debugger)")
    .option('--json', 'JSON instead of text')
    .addOption(outputPathOption('--folded <file>', 'also write folded stacks (flamegraph input) to FILE'))
    .addOption(outputPathOption('--svg <file>', 'also write a flame graph SVG to FILE'))
    .addOption(integerOption('--samples <n>', 'profile: read every thread\'s kernel stack N times (no perf needed)'))
    .addOption(integerOption('--hz <h>', 'sampling frequency of --samples and --perf', '99', { min: 1, max: 10_000 }))
    .addOption(parsedOption('--states <letters>', `scheduler states counted by --samples: ${Object.entries(THREAD_STATES).map(([k, v]) => `${k} ${v}`).join(', ')} (R = on CPU; RD adds uninterruptible waits)`, (t, w) => parseLetters(t, w, THREAD_STATES), 'R'))
    .option('--perf', 'profile with perf record -g and perf script instead')
    .addOption(durationOption('--duration <d>', 'how long --perf records', '10s'))
    .addOption(choiceOption('--debugger <name>', 'user stacks from: auto | eu-stack | gdb', ['auto', 'eu-stack', 'gdb'] as const, 'auto'))
    .addOption(durationOption('--user-deadline <d>', 'deadline of the debugger', '10s'))
    .addOption(durationOption('--probe-deadline <d>', 'deadline of the mmap_lock probe run before the debugger', '1s'))
    .addHelpText('after', `\n${EXIT_STATUS_HELP}`);
  addHostPathOptions(cmd).action(async (o: StacksCliOptions) => {
    try {
      process.exitCode = await withInterrupt(async (i) => {
        const status = await run(o, i.signal);
        return i.exitStatus() ?? status;
      });
    } catch (err) {
      process.exitCode = reportError(err);
    }
  });
}
