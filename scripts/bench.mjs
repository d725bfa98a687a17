#!/usr/bin/env node
// npm run bench: figures side by side with peer tools. Not a test: it prints, it never fails on a number.
//  1. doctor's per-sample cost on a 2,000-thread process vs `ps -L` reading the same threads (goal: ≤ 1/4 of ps).
//  2. the flame graph renderer vs FlameGraph's flamegraph.pl (scripts/bench-flame.mjs), when present.
//  3. the other capabilities' benches, each beside its peer: the Sampler and the agent vs node_exporter
//     (bench-sampler), time to detect vs systemd-oomd's 30 s (bench-detect), the store (bench-store), the dashboard in Chromium (bench-dashboard), the kernel profile's
//     cost (bench-kernel-profile), the reclaim model (bench-sim). BENCH_ONLY=sampler,store runs a subset.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const THREADS = Number(process.env.BENCH_THREADS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);

function childTicks() {
  // cutime + cstime of /proc/self/stat: CPU of waited-for children, in USER_HZ (100/s) ticks.
  const s = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[13]) + Number(f[14]);
}
function selfCpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/sample/collect.js'))) {
    console.error('build first: npm run build');
    process.exit(2);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rwbench-'));
  const bin = path.join(tmp, 'threads');
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, path.join(root, 'test/workloads/threads.c')]);
  const child = spawn(bin, [String(THREADS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const pid = child.pid;
  try {
    const { LIVE_HOST } = await import(path.join(root, 'dist/host/host-paths.js'));
    const { collectTargetSample } = await import(path.join(root, 'dist/sample/collect.js'));
    const { readThreadStatsJs, threadStatsImpl, ThreadSampler } = await import(path.join(root, 'dist/sample/thread-stats.js'));
    const { resolveTargets } = await import(path.join(root, 'dist/targets/resolve-targets.js'));
    const { targets } = await resolveTargets(LIVE_HOST, { pids: [pid] });
    const target = { ...targets[0], pids: [pid], followCgroup: false };
    const nThreads = fs.readdirSync(`/proc/${pid}/task`).length;

    const measure = (fn) => {
      fn(); // warm
      const t0 = selfCpuMs();
      for (let i = 0; i < ROUNDS; i++) fn();
      return (selfCpuMs() - t0) / ROUNDS;
    };
    // As doctor and the agent sample: one ThreadSampler kept across samples (thread files stay open).
    const sampler = new ThreadSampler(LIVE_HOST);
    const ours = measure(() => collectTargetSample(LIVE_HOST, target, { stacks: true, threads: sampler }));
    sampler.close();
    const oursOneShot = measure(() => collectTargetSample(LIVE_HOST, target, { stacks: true }));
    const oursJs = measure(() => readThreadStatsJs(LIVE_HOST, pid));
    const naive = measure(() => {
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    });
    const c0 = childTicks();
    for (let i = 0; i < ROUNDS; i++) spawnSync('ps', ['-L', '-o', 'pid,tid,stat,utime,stime,min_flt,maj_flt', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const ps = ((childTicks() - c0) * 10) / ROUNDS;

    console.log(`\nper-sample CPU time, one process with ${nThreads} threads, mean of ${ROUNDS} rounds (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''})`);
    const rows = [
      [`reclaimwatch sample (${threadStatsImpl}, files kept open; + cgroup, io, stacks of R/D)`, ours],
      ['reclaimwatch sample, first of a window (files opened)', oursOneShot],
      ['reclaimwatch pure-JS thread reader (fallback)', oursJs],
      ['naive Node readFileSync loop over task/*/stat', naive],
      ['ps -L -o pid,tid,stat,utime,stime,min_flt,maj_flt -p PID', ps],
    ];
    for (const [name, ms] of rows) console.log(`  ${name.padEnd(72)} ${ms.toFixed(2).padStart(8)} ms`);
    console.log(`  ratio reclaimwatch / ps: ${(ours / ps).toFixed(3)} (goal ≤ 0.1: the agent pays it every second on every thread of the node)`);
    console.log(`  at 1 Hz that is ${(ours / 10).toFixed(2)} % of one core for ${nThreads} threads`);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const only = process.env.BENCH_ONLY?.split(',');
  for (const name of ['flame', 'sampler', 'detect', 'store', 'dashboard', 'kernel-profile', 'sim']) {
    const file = path.join(root, `scripts/bench-${name}.mjs`);
    if (!fs.existsSync(file) || (only && !only.includes(name)) || (name === 'flame' && process.env.BENCH_SKIP_FLAME === '1')) continue;
    console.log('');
    spawnSync(process.execPath, [file], { stdio: 'inherit' });
  }
}
await main();
