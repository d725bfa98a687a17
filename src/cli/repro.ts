// `reclaimwatch repro`: the reference's reproducer as a product. Parses options, scales the preset to the
// host, runs src/repro/orchestrator.ts with a live view, prints the verdict; `--cleanup` removes what a
// killed run left. Exit: 0 not affected, 1 affected or degraded, 2 usage, 3 could not run, 130/143 on a signal.
import os from 'node:os';
import type { Command } from 'commander';
import { EXIT, addHostPathOptions, hostFromOptions, reportError } from './common.js';
import { withInterrupt } from './interrupt.js';
import { choiceOption, durationOption, integerOption, numberOption, parsedOption, textOption } from './options.js';
import { outputPathOption, writeOutputFile } from './output-path.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import type { HostPaths } from '../host/host-paths.js';
import { KernelLacksError, ReclaimwatchError, UsageError } from '../kernel/errors.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { readMeminfo } from '../kernel/proc/meminfo.js';
import { readLruGen } from '../kernel/sys/lru-gen.js';
import { parseBytes } from '../units/bytes.js';
import { cleanupStaleRuns } from '../repro/cleanup.js';
import { createLiveView } from '../repro/live-view.js';
import { parseMglruMode } from '../repro/mglru.js';
import { runRepro } from '../repro/orchestrator.js';
import { PRESETS, type PresetName, type ReproParams, scaleForHost } from '../repro/params.js';
import { buildReport, legSummary, renderReportText } from '../repro/report.js';
import { renderReproHtml } from '../render/html/render-repro-html.js';
import { DOCTOR_WINDOW_MS } from '../repro/doctor-loop.js';
import { defaultStateDir } from '../repro/run-registry.js';
import { mmapLockProgram } from '../trace/programs/mmap-lock.js';
import { memcgReclaimProgram } from '../trace/programs/reclaim.js';
import { prepareTraceEnvironment } from '../trace/trace-environment.js';

/** The options after parsing: every value already checked (src/cli/options.ts, output-path.ts). */
interface ReproCliOptions {
  preset: string;
  fileThreads?: number;
  fileSize?: number;
  memoryThreads?: number;
  memorySize?: number;
  limit?: number;
  cpus?: number;
  delay?: number;
  duration?: number;
  window?: number;
  dir: string;
  mglru: string;
  trace?: boolean;
  bpftrace: string;
  doctor: boolean;
  doctorWindow: number;
  json?: boolean;
  report?: string;
  html?: string;
  cleanup?: boolean;
  stateDir?: string;
  workload?: string;
}

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new ReclaimwatchError('permission', `${what} needs root: it creates cgroups with memory and CPU limits and records runs under /var/lib/reclaimwatch; run it with sudo`);
  }
}

/**
 * `--trace` preflight, before anything is created: bpftrace present and runnable as root, tracefs, and at least
 * one of the two programs' tracepoints. Throws ToolMissingError / KernelLacksError / permission (exit 3).
 */
async function checkTracing(host: HostPaths, bpftrace: string): Promise<void> {
  const env = await prepareTraceEnvironment(host, bpftrace);
  const ok = (tps: string[]): boolean => tps.every((tp) => env.fields(tp));
  if (!ok(memcgReclaimProgram.requiredTracepoints({})) && !ok(mmapLockProgram.requiredTracepoints({}))) {
    throw new KernelLacksError('tracepoints', `--trace needs the vmscan memcg reclaim or the mmap_lock tracepoints, and this kernel (${env.kernelRelease}) has neither under ${env.tracefs}/events: run without --trace`);
  }
}

/** Turns the options into run parameters (preset, overrides, host scaling). */
function paramsFromOptions(o: ReproCliOptions, hostCpus: number, memTotalBytes: number): { preset: PresetName; params: ReproParams; notes: ReturnType<typeof scaleForHost>['notes'] } {
  if (o.preset !== 'seed' && o.preset !== 'small') throw new UsageError(`bad --preset ${JSON.stringify(o.preset)}: give seed or small`);
  const given: Partial<ReproParams> = {};
  if (o.fileThreads !== undefined) given.fileThreads = o.fileThreads;
  if (o.fileSize !== undefined) given.fileSizeBytes = o.fileSize;
  if (o.memoryThreads !== undefined) given.memoryThreads = o.memoryThreads;
  if (o.memorySize !== undefined) given.memorySizeBytes = o.memorySize;
  if (o.limit !== undefined) given.limitBytes = o.limit;
  if (o.cpus !== undefined) given.cpus = o.cpus;
  if (o.delay !== undefined) given.delayMs = o.delay;
  if (o.duration !== undefined) given.durationMs = o.duration;
  if (o.window !== undefined) given.windowMs = o.window;
  const explicit = new Set(Object.keys(given) as Array<keyof ReproParams>);
  const { params, notes } = scaleForHost({ ...PRESETS[o.preset], ...given }, { cpus: hostCpus, memTotalBytes }, explicit);
  return { preset: o.preset, params, notes };
}

async function runCleanup(o: ReproCliOptions, opts: Record<string, unknown>): Promise<number> {
  requireRoot('repro --cleanup');
  const host = hostFromOptions(opts);
  const stateDir = o.stateDir ?? defaultStateDir(host);
  const results = await cleanupStaleRuns(host, stateDir);
  if (o.json) process.stdout.write(`${JSON.stringify({ stateDir, runs: results }, null, 2)}\n`);
  else if (results.length === 0) process.stdout.write(`no recorded repro runs in ${stateDir}: nothing to clean\n`);
  for (const r of o.json ? [] : results) {
    if (r.skipped) process.stdout.write(`run ${r.runId}: left alone, ${r.skipped}\n`);
    else process.stdout.write(`run ${r.runId}: killed ${r.killed.length} process(es), removed ${r.removedCgroups.length} cgroup dir(s), ${r.removedDirs.length} file dir(s)${r.mglruRestored ? `, MGLRU restored to ${r.mglruRestored}` : ''}${r.left.length ? `; LEFT: ${r.left.join('; ')}` : ''}\n`);
  }
  return results.some((r) => r.left.length > 0) ? EXIT.cannotInspect : EXIT.ok;
}

async function runMain(o: ReproCliOptions, opts: Record<string, unknown>): Promise<number> {
  const host = hostFromOptions(opts);
  const memTotal = readMeminfo(host)['MemTotal'];
  const { preset, params, notes } = paramsFromOptions(o, os.availableParallelism(), memTotal ?? os.totalmem());
  const mglru = parseMglruMode(o.mglru);
  const doctorWindowMs = o.doctor ? o.doctorWindow : 0;
  requireRoot('repro');
  if (o.trace) await checkTracing(host, o.bpftrace);
  const say = (line: string): void => {
    (o.json ? process.stderr : process.stdout).write(`${line}\n`);
  };
  for (const n of notes) say(`scaled ${n.what} ${n.from} -> ${n.to}: ${n.why}`);
  const onSignal = (sig: NodeJS.Signals, count: number): void => {
    if (count === 1) say(`-- ${sig}: stopping the workload and cleaning up`);
  };
  return withInterrupt(async (i) => {
    const run = await runRepro({
      host, params, dir: o.dir, mglru, stateDir: o.stateDir ?? defaultStateDir(host), workloadPath: o.workload, signal: i.signal,
      onTick: createLiveView(say), doctorWindowMs, trace: o.trace ? { bpftrace: o.bpftrace } : undefined,
    });
    const lg = readLruGen(host);
    const report = buildReport(run, {
      kernelRelease: kernelFact(host, 'osrelease') ?? os.release(), kernelVersion: kernelFact(host, 'version') ?? os.version(), cgroupMode: detectCgroupLayout(host).mode, cpus: os.availableParallelism(), memTotalBytes: memTotal ?? os.totalmem(),
      mglru: lg.present ? `present, enabled=0x${lg.enabledMask.toString(16).padStart(4, '0')}` : 'absent (no CONFIG_LRU_GEN)',
    }, preset, params, notes);
    if (o.report) writeOutputFile(o.report, renderReportText(report), '--report');
    if (o.html) writeOutputFile(o.html, renderReproHtml(report), '--html');
    if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      say('');
      for (const l of run.legs) for (const line of legSummary(l)) say(line);
      say(run.cleanup.left.length === 0 ? 'cleanup: cgroups, files and processes of the run are gone' : `cleanup: LEFT ${run.cleanup.left.join('; ')}; run reclaimwatch repro --cleanup later`);
      say(`verdict: ${report.verdict}${o.report ? ` (report written to ${o.report})` : ''}${o.html ? ` (HTML report written to ${o.html})` : ''}`);
    }
    const interrupted = i.exitStatus();
    if (interrupted !== undefined) return interrupted;
    const crashed = run.legs.find((l) => l.end === 'workload-crashed');
    if (crashed) {
      process.stderr.write(`reclaimwatch: the workload crashed (${crashed.exit.signal ?? `exit ${crashed.exit.code}`})${crashed.exit.stderr ? `: ${crashed.exit.stderr}` : ''}; everything it made was removed\n`);
      return EXIT.cannotInspect;
    }
    if (run.cleanup.left.length > 0) return EXIT.cannotInspect;
    return report.verdict === 'not affected' ? EXIT.ok : EXIT.problem;
  }, { signals: ['SIGINT', 'SIGTERM', 'SIGHUP'], onSignal });
}

/** A fact of the kernel under --path.procfs (`osrelease`, `version`), not of the machine reclaimwatch runs on. */
function kernelFact(host: HostPaths, name: string): string | undefined {
  return readKernelFileIfExists(`${host.proc}/sys/kernel/${name}`, 4096)?.trim();
}

/** Registers `reclaimwatch repro`. */
export function registerRepro(program: Command): void {
  const cmd = program
    .command('repro')
    .description("runs the reference incident's reproducer in a limited child cgroup and says whether this kernel is affected")
    .addOption(choiceOption('--preset <name>', 'seed (the reference: 1,000 + 1,000 threads, 4 GiB, 4 CPUs, 120 s; what a bare `repro` runs, scaled to the host) or small (seconds, tens of MiB)', ['seed', 'small'] as const, 'seed'))
    .addOption(integerOption('--file-threads <n>', 'threads that write, mmap and read a file each', undefined, { min: 0 }))
    .addOption(parsedOption('--file-size <bytes>', 'size of each file, e.g. 4M', (t, w) => parseBytes(t, w)))
    .addOption(integerOption('--memory-threads <n>', 'threads that build and touch anonymous memory', undefined, { min: 0 }))
    .addOption(parsedOption('--memory-size <bytes>', 'anonymous memory of all memory threads together, e.g. 3G', (t, w) => parseBytes(t, w)))
    .addOption(parsedOption('--limit <bytes>', 'memory limit of the child cgroup (no swap), e.g. 4G', (t, w) => parseBytes(t, w)))
    .addOption(numberOption('--cpus <n>', 'CPU quota of the child cgroup, e.g. 2 or 0.5'))
    .addOption(durationOption('--delay <duration>', 'when the memory threads start, e.g. 30s'))
    .addOption(durationOption('--duration <duration>', 'length of the run, e.g. 120s'))
    .addOption(durationOption('--window <duration>', 'how long the read window and working sets take to grow, e.g. 10s'))
    .addOption(textOption('--dir <path>', 'directory on a block-device file system for the files', 'a directory', '/var/tmp'))
    .option('--mglru <mode>', 'keep, on, off, or both (off then on; the original setting is restored)', 'keep')
    .option('--trace', 'also run the mmap-lock and memcg-reclaim traces (one bpftrace per leg); their figures join the verdict')
    .addOption(textOption('--bpftrace <path>', 'the bpftrace binary for --trace and for each leg\'s kernel CPU profile', 'the bpftrace binary', 'bpftrace'))
    .option('--no-doctor', "do not run the doctor on the run's cgroup (its verdict ends each live line)")
    .addOption(durationOption('--doctor-window <duration>', 'length of each doctor window, run back to back during the run', `${DOCTOR_WINDOW_MS / 1000}s`))
    .option('--json', 'print the report as JSON on stdout (the live view goes to stderr)')
    .addOption(outputPathOption('--report <file>', 'write a text report to send to a kernel vendor'))
    .addOption(outputPathOption('--html <file>', 'write the report as one self-contained HTML file with charts of every second (opens offline)'))
    .option('--cleanup', 'remove what killed runs left (cgroups, files, processes), then exit')
    .addOption(textOption('--state-dir <dir>', 'where runs are recorded (default /var/lib/reclaimwatch/repro)', 'a directory'))
    .addOption(textOption('--workload <path>', 'the workload program (default: the one npm install built)', 'a path'))
    .addHelpText('after', `\nA bare \`reclaimwatch repro\` runs the full reference preset (seed: 1,000 + 1,000 threads for 120 s, scaled to the host); try --preset small first.\nExit status: 0 not affected, 1 affected or degraded, 2 usage error, 3 could not run, 130/143 interrupted (everything made is removed).`);
  addHostPathOptions(cmd).action(async (o: ReproCliOptions, c: Command) => {
    const opts = c.opts();
    try {
      process.exitCode = o.cleanup ? await runCleanup(o, opts) : await runMain(o, opts);
    } catch (err) {
      process.exitCode = reportError(err);
    }
  });
}
