// One cell of the variant matrix, run inside a lab guest (or on a host): many threads fault file pages in a
// small memory cgroup (test/workloads/thrash.c), then the doctor's window samples it while the kernel profile
// runs beside it, and the classifier names the verdict and the livelock's variant from both. The report is one
// JSON document shaped for `lab matrix` (`verdict.class`, `verdict.figures`, `variant`).
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import type { HostPaths } from '../host/host-paths.js';
import { assessWindow } from '../detect/assess.js';
import type { Verdict } from '../detect/verdict.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { type KernelProfile, profileTarget } from '../probe/kernel-profile.js';
import { type DoctorRecording, runDoctor } from '../doctor/run-doctor.js';
import { targetOfCgroup } from '../targets/resolve-targets.js';
import { sleep } from '../units/sleep.js';

/** What a cell runs. */
export interface VariantCellOptions {
  /** The compiled thrash workload. */
  thrash: string;
  /** Directory for its files (on a real disk: page cache must be reclaimable). */
  dataDir: string;
  fileThreads: number;
  fileMiB: number;
  anonThreads: number;
  anonMiB: number;
  limitBytes: number;
  windowMs: number;
  /** Methods for the profile, in order (default: all). */
  profileMethods?: KernelProfile['method'][];
  procStackHz?: number;
}

/** The cell's report. */
export interface VariantCellReport {
  kernelRelease: string;
  verdict: { class: Verdict['verdict']; figures: Record<string, number> };
  variant: string;
  variantBecause: string[];
  variantMissing: string[];
  findings: string[];
  profile: Pick<KernelProfile, 'method' | 'hz' | 'durationMs' | 'filter' | 'samples' | 'kernelSamples' | 'shares' | 'top' | 'inclusive' | 'stacks' | 'fallbacks' | 'notes'>;
  borderline: string[];
}

/** Makes the cell's memory cgroup (v2 where the memory controller is there, else v1) and returns its path. */
function makeCgroup(host: HostPaths, limitBytes: number): { path: string; dirs: string[] } {
  const layout = detectCgroupLayout(host);
  const name = `/rwcell-${process.pid}`;
  const dirs: string[] = [];
  if (layout.unified && layout.unifiedControllers.includes('memory')) {
    const d = `${layout.unified}${name}`;
    fs.mkdirSync(d);
    dirs.push(d);
    fs.writeFileSync(`${d}/memory.max`, String(limitBytes));
    try {
      fs.writeFileSync(`${d}/memory.swap.max`, '0');
    } catch {
      /* no swap accounting */
    }
  } else if (layout.v1Memory) {
    const d = `${layout.v1Memory}${name}`;
    fs.mkdirSync(d);
    dirs.push(d);
    fs.writeFileSync(`${d}/memory.limit_in_bytes`, String(limitBytes));
    if (layout.unified) {
      fs.mkdirSync(`${layout.unified}${name}`);
      dirs.push(`${layout.unified}${name}`);
    }
  } else throw new Error('no memory cgroup controller');
  return { path: name, dirs };
}

async function removeCgroup(dirs: string[]): Promise<void> {
  for (const d of [...dirs].reverse()) {
    for (let i = 0; i < 200 && fs.existsSync(d); i++) {
      try {
        for (const p of fs.readFileSync(`${d}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) {
          try {
            process.kill(Number(p), 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        fs.rmdirSync(d);
      } catch {
        await sleep(50);
      }
    }
  }
}

/** Runs the cell and returns its report; the workload, its cgroup and its files are removed before it returns. */
export async function runVariantCell(host: HostPaths, o: VariantCellOptions): Promise<VariantCellReport> {
  const cg = makeCgroup(host, o.limitBytes);
  const data = fs.mkdtempSync(`${o.dataDir}/rwcell-`);
  const join = cg.dirs.map((d) => `echo $$ > '${d}/cgroup.procs'`).join(' && ');
  const child = spawn('/bin/sh', ['-c', `${join} && exec "$0" "$@"`, o.thrash, data, String(o.fileThreads), String(o.fileMiB), String(o.anonThreads), String(o.anonMiB)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  try {
    const readyBy = Date.now() + 300_000;
    while (!out.includes('ready') && Date.now() < readyBy && child.exitCode === null) await sleep(200);
    if (!out.includes('ready')) throw new Error(`the workload did not get ready: ${out.slice(-300)}`);
    // "ready" comes once every file thread has written and mapped its file (minutes under TCG), so the window
    // sees the re-reading, not the setup.
    await sleep(2000);
    const layout = detectCgroupLayout(host);
    const target = targetOfCgroup(host, cg.path, layout);
    let rec: DoctorRecording | undefined;
    // The doctor's window starts once the profile samples, so both cover the same seconds.
    let started!: () => void;
    const sampling = new Promise<void>((r) => (started = r));
    const profiling = profileTarget(host, target, {
      durationMs: o.windowMs + 1000, attachBudgetMs: 120_000, onStarted: () => started(),
      ...(o.profileMethods ? { methods: o.profileMethods } : {}), ...(o.procStackHz ? { procStackHz: o.procStackHz } : {}),
    });
    await Promise.race([sampling, profiling.then(() => undefined, () => undefined)]);
    await runDoctor(host, [target], { windowMs: o.windowMs, onRecording: (r) => (rec = r) });
    const profile = await profiling;
    if (!rec) throw new Error('the doctor gave no recording');
    const r: DoctorRecording = rec;
    const rt = r.targets[0];
    if (!rt || rt.samples.length < 2) throw new Error('the doctor sampled the workload fewer than twice');
    const v = assessWindow({ host: r.hostSamples, samples: rt.samples, facts: r.facts, extra: { profile } });
    if (!v) throw new Error('the doctor sampled the workload fewer than twice');
    const { window, probe } = v;
    const sh = profile.shares;
    return {
      kernelRelease: r.facts.kernelRelease,
      verdict: {
        class: v.verdict,
        figures: {
          evictFoliosShare: sh.evictFolios, spinLockShare: sh.spinLockInReclaim, shrinkLruvecShare: sh.shrinkLruvec, mmapLockWaitShare: sh.mmapLockWait, profileSamples: profile.samples,
          kernelCpuShare: window.cpu.totalCores > 0 ? window.cpu.systemCores / window.cpu.totalCores : 0, ...(probe.worstLatencyMs !== undefined ? { worstProbeMs: probe.worstLatencyMs } : {}),
          oomKills: window.memory?.oomKills ?? 0,
        },
      },
      variant: v.variant?.variant ?? 'none',
      variantBecause: v.variant?.because ?? [],
      variantMissing: v.variant?.missing ?? [],
      findings: v.findings.map((f) => `${f.code}: ${f.message}`),
      profile: { method: profile.method, hz: profile.hz, durationMs: profile.durationMs, filter: profile.filter, samples: profile.samples, kernelSamples: profile.kernelSamples, shares: profile.shares, top: profile.top.slice(0, 8), inclusive: profile.inclusive.slice(0, 12), stacks: profile.stacks.slice(0, 6), fallbacks: profile.fallbacks, notes: profile.notes },
      borderline: v.borderline,
    };
  } finally {
    child.kill('SIGKILL');
    await removeCgroup(cg.dirs);
    fs.rmSync(data, { recursive: true, force: true });
  }
}
