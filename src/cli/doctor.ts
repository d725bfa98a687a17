import type { Command } from 'commander';
import { parseThresholdOverrides } from '../detect/thresholds.js';
import { type DoctorRecording, assessRecording, runDoctor } from '../doctor/run-doctor.js';
import { infinityReplacer, loadRecording, saveRecording } from '../doctor/recording-json.js';
import type { DoctorReport } from '../doctor/report.js';
import { UsageError } from '../kernel/errors.js';
import { renderDoctorText } from '../render/doctor-text.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import type { Target } from '../targets/target.js';
import { traceEvidence } from '../trace/doctor-evidence.js';
import { EXIT, addHostPathOptions, hostFromOptions, useColour } from './common.js';

interface DoctorCliOptions {
  pid?: string[];
  cgroup?: string;
  container?: string;
  pod?: string;
  all?: boolean;
  window: string;
  json?: boolean;
  probeDeadline: string;
  threshold?: string[];
  stacks: boolean;
  trace?: boolean;
  record?: string;
  replay?: string;
  bpftrace: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The exit status of a report: 1 when any target has a problem, 3 when nothing could be inspected, else 0. */
export function doctorExitStatus(r: DoctorReport): number {
  if (r.targets.some((t) => !['healthy', 'cpu-bound', 'gone'].includes(t.verdict))) return EXIT.problem;
  if (r.failures.length > 0) return EXIT.cannotInspect;
  if (r.targets.length > 0 && r.targets.every((t) => t.verdict === 'gone')) return EXIT.cannotInspect;
  return EXIT.ok;
}

/** Registers `reclaimwatch doctor`. */
export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('a verdict for a process, container, pod or the whole host: where did the CPU go, and is it making progress?')
    .option('--pid <pid>', 'a process (its memory cgroup and threads are examined); repeatable', collect)
    .option('--cgroup <path>', 'a cgroup path as in /proc/PID/cgroup, e.g. /kubepods.slice/…')
    .option('--container <id>', 'a container ID prefix (docker, containerd, CRI-O)')
    .option('--pod <name>', 'a Kubernetes pod name (its hostname) or UID prefix')
    .option('--all', 'every non-empty cgroup on the host, ranked by severity')
    .option('--window <seconds>', 'sampling window in seconds (1 Hz samples)', '5')
    .option('--json', 'one JSON document (schema reclaimwatch.doctor/v1) on stdout')
    .option('--probe-deadline <ms>', 'deadline of the mmap_lock probe (a /proc/PID/cmdline read in a child)', '1000')
    .option('--threshold <name=value>', 'override a classifier threshold (see README); repeatable', collect)
    .option('--no-stacks', 'do not read kernel stacks')
    .option('--trace', 'also trace memcg reclaim and mmap_lock holds with bpftrace during the window (root)')
    .option('--bpftrace <path>', 'bpftrace binary for --trace', 'bpftrace')
    .option('--record <file>', 'also save the raw samples of the window (JSON) for replay')
    .option('--replay <file>', 'classify a saved recording instead of sampling (thresholds may differ)')
    .addHelpText('after', '\nExit status: 0 healthy or cpu-bound, 1 a problem found, 2 usage error, 3 could not inspect (node-problem-detector plugin protocol).');
  addHostPathOptions(cmd).action(async (o: DoctorCliOptions) => {
    const host = hostFromOptions(o as unknown as Record<string, unknown>);
    const pids = (o.pid ?? []).map((p) => {
      if (!/^\d+$/.test(p) || Number(p) <= 0) throw new UsageError(`bad --pid ${JSON.stringify(p)}: give a positive process ID`);
      return Number(p);
    });
    let thresholds;
    try {
      thresholds = parseThresholdOverrides(o.threshold ?? []);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (o.replay !== undefined) {
      const report = assessRecording(loadRecording(o.replay), thresholds);
      emit(report, o);
      return;
    }
    const n = pids.length + (o.cgroup ? 1 : 0) + (o.container ? 1 : 0) + (o.pod ? 1 : 0) + (o.all ? 1 : 0);
    if (n === 0) throw new UsageError('say what to examine: --pid PID, --cgroup PATH, --container ID, --pod NAME or --all');
    const window = Number(o.window);
    if (!Number.isFinite(window) || window < 1 || window > 3600) throw new UsageError(`bad --window ${JSON.stringify(o.window)}: give whole seconds from 1 to 3600`);
    const deadline = Number(o.probeDeadline);
    if (!Number.isFinite(deadline) || deadline < 10 || deadline > 60000) throw new UsageError(`bad --probe-deadline ${JSON.stringify(o.probeDeadline)}: give milliseconds from 10 to 60000`);
    const { targets, failures } = await resolveTargets(host, {
      pids,
      ...(o.cgroup !== undefined ? { cgroup: o.cgroup } : {}),
      ...(o.container !== undefined ? { container: o.container } : {}),
      ...(o.pod !== undefined ? { pod: o.pod } : {}),
      ...(o.all ? { all: true } : {}),
    });
    const failureRows = failures.map((f) => ({ target: f.asked, message: f.message }));
    if (targets.length === 0) {
      // Nothing to sample: say why at once instead of waiting out the window.
      for (const f of failures) process.stderr.write(`reclaimwatch: ${f.message}\n`);
      process.exitCode = EXIT.cannotInspect;
      return;
    }
    const ac = new AbortController();
    const onSig = (): void => ac.abort();
    process.once('SIGINT', onSig);
    process.once('SIGTERM', onSig);
    const progress = !o.json && process.stderr.isTTY;
    const report = await runDoctor(host, targets, {
      windowMs: window * 1000,
      probeDeadlineMs: deadline,
      thresholds,
      stacks: o.stacks,
      failures: failureRows,
      signal: ac.signal,
      ...(o.trace ? { trace: {
        run: (t: Target, durationMs: number, stop: AbortSignal, onAttached: () => void) => traceEvidence({ ...(t.kind === 'pid' && t.pid !== undefined && !t.cgroup ? { pid: t.pid } : t.cgroup ? { cgroupPath: t.cgroup.path } : {}), durationMs, bpftrace: o.bpftrace, host, stop, onAttached }),
        ...(progress ? { onWaiting: () => process.stderr.write('\rattaching bpftrace probes...') } : {}),
      } } : {}),
      ...(o.record !== undefined ? { onRecording: (rec: DoctorRecording) => saveRecording(o.record!, rec) } : {}),
      ...(progress ? { onTick: (ms: number) => process.stderr.write(`\r\x1b[Ksampling ${targets.length} target${targets.length === 1 ? '' : 's'}: ${Math.round(ms / 1000)}/${window} s`) } : {}),
    });
    process.removeListener('SIGINT', onSig);
    process.removeListener('SIGTERM', onSig);
    if (progress) process.stderr.write('\r\x1b[K');
    emit(report, o);
  });
}

function emit(report: DoctorReport, o: DoctorCliOptions): void {
  if (o.json) process.stdout.write(`${JSON.stringify(report, infinityReplacer, 2)}\n`);
  else process.stdout.write(renderDoctorText(report, { colour: useColour(), brief: Boolean(o.all) }));
  if (!o.json) for (const f of report.failures) process.stderr.write(`reclaimwatch: ${f.message}\n`);
  process.exitCode = doctorExitStatus(report);
}
