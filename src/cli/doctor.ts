import type { Command } from 'commander';
import { parseThresholdOverrides } from '../detect/thresholds.js';
import { reportExitStatus } from '../detect/exit-status.js';
import { type DoctorRecording, assessRecording, runDoctor } from '../doctor/run-doctor.js';
import { infinityReplacer, loadRecording, saveRecording } from '../doctor/recording-json.js';
import type { DoctorReport } from '../doctor/report.js';
import { UsageError } from '../kernel/errors.js';
import { renderDoctorText } from '../render/doctor-text.js';
import { renderDoctorHtml } from '../render/html/render-doctor-html.js';
import { raiseSchedulingPriority } from '../sample/priority.js';
import { profileTarget } from '../probe/kernel-profile.js';
import { parseAt, recordingFromStore } from '../doctor/time-travel.js';
import { readHostFacts } from '../agent/watch/watch.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import type { Target } from '../targets/target.js';
import { traceEvidence } from '../trace/doctor-evidence.js';
import { EXIT_STATUS_HELP, addHostPathOptions, hostFromOptions, outputWidth, useColour } from './common.js';
import { reportWithoutTargets } from './doctor-empty-report.js';
import { withInterrupt } from './interrupt.js';
import { durationOption, parseInteger, repeatableOption, textOption } from './options.js';
import { inputPathOption, outputPathOption, writeOutputFile } from './output-path.js';

/** The options after parsing: every value already checked (src/cli/options.ts, output-path.ts). */
interface DoctorCliOptions {
  pid?: number[];
  cgroup?: string;
  container?: string;
  pod?: string;
  all?: boolean;
  window: number;
  json?: boolean;
  probeDeadline: number;
  threshold?: string[];
  stacks: boolean;
  trace?: boolean;
  profile?: boolean;
  record?: string;
  html?: string;
  replay?: string;
  store?: string;
  at?: string;
  bpftrace: string;
}

/** Registers `reclaimwatch doctor`. */
export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('a verdict for a process, container, pod or the whole host: where did the CPU go, and is it making progress?')
    .addOption(repeatableOption('--pid <pid>', 'a process (its memory cgroup and threads are examined); repeatable', (t, w) => parseInteger(t, w)))
    .addOption(textOption('--cgroup <path>', 'a cgroup path as in /proc/PID/cgroup, e.g. /kubepods.slice/…', 'a cgroup path as in /proc/PID/cgroup'))
    .addOption(textOption('--container <id>', 'a container ID prefix (docker, containerd, CRI-O)', 'a container ID or prefix'))
    .addOption(textOption('--pod <name>', 'a Kubernetes pod name (its hostname) or UID prefix', 'a pod name or UID prefix'))
    .option('--all', 'every non-empty cgroup on the host, ranked by severity')
    .addOption(durationOption('--window <duration>', 'sampling window (1 Hz samples), e.g. 5s, 2m, or seconds', '5s', { min: 1000, max: 3_600_000 }))
    .option('--json', 'one JSON document (schema reclaimwatch.doctor/v1) on stdout, always (failures included)')
    .addOption(durationOption('--probe-deadline <duration>', 'deadline of the mmap_lock probe (a /proc/PID/cmdline read in a child), e.g. 1s, 500ms', '1s', { min: 10, max: 60_000 }))
    .addOption(repeatableOption('--threshold <name=value>', 'override a classifier threshold (see README); repeatable', (t) => t))
    .option('--no-stacks', 'do not read kernel stacks')
    .option('--trace', 'also trace memcg reclaim and mmap_lock holds with bpftrace during the window (root)')
    .option('--profile', "also take the kernel's CPU profile of each target over the window (bpftrace profile:hz, else perf, else kernel stacks), which names the livelock's variant")
    .addOption(textOption('--bpftrace <path>', 'bpftrace binary for --trace', 'the bpftrace binary', 'bpftrace'))
    .addOption(outputPathOption('--record <file>', 'also save the raw samples of the window (JSON) for replay'))
    .addOption(outputPathOption('--html <file>', 'also write the report as one self-contained HTML file, with charts of the window (opens offline)'))
    .addOption(inputPathOption('--replay <file>', 'classify a saved recording instead of sampling (thresholds may differ)'))
    .option('--store <dir>', 'with --at: the agent\'s store to travel back in')
    .option('--at <time>', 'time travel: the verdict at TIME (ISO, epoch ms, or -10m), re-derived from the store\'s samples (needs --store)')
    .addHelpText('after', `\n${EXIT_STATUS_HELP}`);
  addHostPathOptions(cmd).action(async (o: DoctorCliOptions) => {
    const host = hostFromOptions(o as unknown as Record<string, unknown>);
    const pids = o.pid ?? [];
    let thresholds;
    try {
      thresholds = parseThresholdOverrides(o.threshold ?? []);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if ((o.at === undefined) !== (o.store === undefined)) throw new UsageError('time travel needs both --store DIR and --at TIME');
    if (o.at !== undefined && o.store !== undefined) {
      const at = parseAt(o.at);
      const { Store } = await import('../agent/store/store.js');
      const store = Store.openReadOnly(o.store);
      try {
        let ids: string[] = [];
        if (o.cgroup !== undefined) ids = [o.cgroup];
        else if (o.container !== undefined || o.pod !== undefined) {
          const want = (o.container ?? o.pod)!.toLowerCase();
          ids = store.listTargets().filter((m) => (o.container !== undefined ? m.container?.startsWith(want) : m.pod === o.pod || m.pod?.startsWith(want))).map((m) => m.id);
        } else if (o.all) ids = store.listTargets().filter((m) => m.firstSeenWallMs <= at && (m.goneWallMs ?? Infinity) >= at - o.window).map((m) => m.id);
        else throw new UsageError('time travel judges a stored cgroup: give --cgroup PATH (as reclaimwatch history lists it), --container ID, --pod NAME or --all');
        if (ids.length === 0) throw new UsageError(`the store at ${o.store} has no such target: reclaimwatch history --store ${o.store} lists what it watched`);
        // On a terminal, say what is being read (a large store takes a moment); the line is cleared before the report.
        const tty = !o.json && process.stderr.isTTY;
        if (tty) process.stderr.write(`reading ${ids.length} target${ids.length === 1 ? '' : 's'}' ${Math.round(o.window / 1000)} s before ${new Date(at).toISOString()} from ${o.store}…`);
        const rec = recordingFromStore(store, ids, at, o.window, readHostFacts(host), detectCgroupLayout(host).mode);
        if (tty) process.stderr.write('\r\x1b[K');
        emit(assessRecording(rec, thresholds), o, rec);
      } finally {
        store.close();
      }
      return;
    }
    if (o.replay !== undefined) {
      const rec = loadRecording(o.replay);
      emit(assessRecording(rec, thresholds), o, rec);
      return;
    }
    const asked = pids.length + [o.cgroup, o.container, o.pod].filter((v) => v !== undefined).length + (o.all ? 1 : 0);
    if (asked === 0) throw new UsageError('say what to examine: --pid PID, --cgroup PATH, --container ID, --pod NAME or --all');
    const { targets, failures } = await resolveTargets(host, {
      pids,
      ...(o.cgroup !== undefined ? { cgroup: o.cgroup } : {}),
      ...(o.container !== undefined ? { container: o.container } : {}),
      ...(o.pod !== undefined ? { pod: o.pod } : {}),
      ...(o.all ? { all: true } : {}),
    });
    const failureRows = failures.map((f) => ({ target: f.asked, message: f.message }));
    if (targets.length === 0) {
      // Nothing to sample: answer at once instead of waiting out the window, in the same document as always.
      emit(reportWithoutTargets(host, failureRows, o.window), o);
      return;
    }
    const progress = !o.json && process.stderr.isTTY;
    const windowText = `${Math.round(o.window / 1000)} s`;
    let recording: DoctorRecording | undefined;
    const interrupted = await withInterrupt(async (i) => {
      const report = await runDoctor(host, targets, {
        windowMs: o.window,
        probeDeadlineMs: o.probeDeadline,
        thresholds,
        stacks: o.stacks,
        failures: failureRows,
        priority: raiseSchedulingPriority(),
        signal: i.signal,
        ...(o.profile ? { profile: {
          run: (t: Target, durationMs: number, stop: AbortSignal, onStarted: () => void) => profileTarget(host, t, { durationMs, signal: stop, onStarted, bpftrace: o.bpftrace }),
        } } : {}),
        ...(o.trace ? { trace: {
          run: (t: Target, durationMs: number, stop: AbortSignal, onAttached: () => void) => traceEvidence({ ...(t.kind === 'pid' && t.pid !== undefined && !t.cgroup ? { pid: t.pid } : t.cgroup ? { cgroupPath: t.cgroup.path } : {}), durationMs, bpftrace: o.bpftrace, host, stop, onAttached }),
          ...(progress ? { onWaiting: () => process.stderr.write('\rattaching bpftrace probes...') } : {}),
        } } : {}),
        ...(o.record !== undefined || o.html !== undefined ? { onRecording: (rec: DoctorRecording) => { recording = rec; if (o.record !== undefined) saveRecording(o.record, rec); } } : {}),
        ...(progress ? { onTick: (ms: number) => process.stderr.write(`\r\x1b[Ksampling ${targets.length} target${targets.length === 1 ? '' : 's'}: ${Math.round(ms / 1000)} of ${windowText}`) } : {}),
      });
      if (progress) process.stderr.write('\r\x1b[K');
      // From this process's start (performance's time origin): what `window plus one second` is measured against.
      report.elapsedMs = Math.round(performance.now());
      emit(report, o, recording);
      return i.exitStatus();
    });
    // A window cut short by Ctrl-C still prints its verdict; the exit status says it was interrupted.
    if (interrupted !== undefined) process.exitCode = interrupted;
  });
}

function emit(report: DoctorReport, o: DoctorCliOptions, rec?: DoctorRecording): void {
  if (o.html !== undefined) writeOutputFile(o.html, renderDoctorHtml(report, rec), '--html');
  if (o.json) process.stdout.write(`${JSON.stringify(report, infinityReplacer, 2)}\n`);
  else process.stdout.write(renderDoctorText(report, { colour: useColour(), brief: Boolean(o.all), ...widthOption() }));
  // The report carries the failures; a terminal shows them in it already, anything else also gets them on stderr.
  if (o.json || !process.stdout.isTTY) for (const f of report.failures) process.stderr.write(`reclaimwatch: ${f.message}\n`);
  process.exitCode = reportExitStatus(report);
}

function widthOption(): { width?: number } {
  const w = outputWidth();
  return w === undefined ? {} : { width: w };
}

