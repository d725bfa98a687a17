// `reclaimwatch stacks`: every thread's user and kernel stack, grouped; or a kernel-side profile (--samples),
// or a perf profile (--perf); folded output and flame graph SVG on request.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { UsageError } from '../kernel/errors.js';
import { renderFlameGraph } from '../flame/render-flame-graph.js';
import { toFoldedText } from '../stacks/folded-stacks.js';
import { formatGroups } from '../stacks/format-groups.js';
import { groupThreads } from '../stacks/group-threads.js';
import { sampleKernelStacks } from '../stacks/kernel-sampler.js';
import { perfProfile } from '../stacks/perf-bridge.js';
import { takeSnapshot } from '../stacks/thread-snapshot.js';
import type { DebuggerName } from '../stacks/user-stacks.js';
import { addHostPathOptions, EXIT, hostFromOptions, parseDurationMs, reportError } from './common.js';

interface StacksCliOptions {
  pid?: string;
  kernelOnly?: boolean;
  json?: boolean;
  folded?: string;
  svg?: string;
  samples?: string;
  hz: string;
  states: string;
  perf?: boolean;
  duration: string;
  debugger: string;
  userDeadline: string;
  probeDeadline: string;
  [k: string]: unknown;
}

function positiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give a whole number greater than zero`);
  return Number(text);
}

async function writeSvg(file: string, folded: string, title: string): Promise<void> {
  const r = await renderFlameGraph(Readable.from([folded]), { title });
  fs.writeFileSync(file, r.svg);
}

async function run(o: StacksCliOptions): Promise<number> {
  if (o.pid === undefined) throw new UsageError('give the process: reclaimwatch stacks --pid PID');
  const pid = positiveInt(o.pid, '--pid');
  const host = hostFromOptions(o);
  if (o.perf && o.samples !== undefined) throw new UsageError('--perf and --samples are two ways to profile: give one');
  if (!['auto', 'gdb', 'eu-stack'].includes(o.debugger)) throw new UsageError(`unknown --debugger ${JSON.stringify(o.debugger)}: use auto, gdb or eu-stack`);
  if (o.perf || o.samples !== undefined) {
    let folded: string;
    let summary: string;
    if (o.perf) {
      const durationMs = parseDurationMs(o.duration, '--duration');
      const p = await perfProfile(pid, { durationMs, hz: positiveInt(o.hz, '--hz') });
      folded = p.folded;
      summary = `perf: ${p.samples} samples of pid ${pid} over ${o.duration}`;
    } else {
      const samples = positiveInt(o.samples!, '--samples');
      const hz = positiveInt(o.hz, '--hz');
      const ac = new AbortController();
      const stop = (): void => ac.abort();
      process.once('SIGINT', stop);
      try {
        const p = await sampleKernelStacks(host, pid, { samples, hz, states: o.states, signal: ac.signal });
        folded = p.folded;
        summary = `kernel-side profile of pid ${pid}: ${p.samplesTaken} samples at ${hz} Hz in ${p.elapsedMs} ms, ${p.observations} thread observations in states ${o.states} (${p.withoutKernelStack} without a kernel stack: running in user space or on a CPU)`;
      } finally {
        process.removeListener('SIGINT', stop);
      }
    }
    if (o.folded !== undefined) fs.writeFileSync(o.folded, folded);
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
    debugger: o.debugger as DebuggerName | 'auto',
    deadlineMs: parseDurationMs(o.userDeadline, '--user-deadline'),
    probeDeadlineMs: parseDurationMs(o.probeDeadline, '--probe-deadline'),
  });
  const groups = groupThreads(snap.threads);
  const folded = toFoldedText(snap.threads);
  if (o.folded !== undefined) fs.writeFileSync(o.folded, folded);
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
    .option('--pid <pid>', 'the process')
    .option('--kernel-only', "kernel stacks only: never touch the target's address space (no debugger)")
    .option('--json', 'JSON instead of text')
    .option('--folded <file>', 'also write folded stacks (flamegraph input) to FILE')
    .option('--svg <file>', 'also write a flame graph SVG to FILE')
    .option('--samples <n>', 'profile: read every thread\'s kernel stack N times (no perf needed)')
    .option('--hz <h>', 'sampling frequency of --samples and --perf', '99')
    .option('--states <letters>', 'scheduler states counted by --samples (R = on CPU; RD adds uninterruptible waits)', 'R')
    .option('--perf', 'profile with perf record -g and perf script instead')
    .option('--duration <d>', 'how long --perf records', '10s')
    .option('--debugger <name>', 'user stacks from: auto | eu-stack | gdb', 'auto')
    .option('--user-deadline <d>', 'deadline of the debugger', '10s')
    .option('--probe-deadline <d>', 'deadline of the mmap_lock probe run before the debugger', '1s');
  addHostPathOptions(cmd).action(async (o: StacksCliOptions) => {
    try {
      process.exitCode = await run(o);
    } catch (err) {
      process.exitCode = reportError(err);
    }
  });
}
