#!/usr/bin/env node
// What the kernel profile (src/probe/kernel-profile.ts, bpftrace profile:hz:99 + kstack) costs its target.
// Not a test: it prints, it never fails on a number. Needs root, bpftrace and a built dist/ (npm run build).
//  1. Direct: with kernel.bpf_stats_enabled=1 the kernel times every run of the profile's BPF program (run_time_ns,
//     run_cnt in bpftrace's /proc/PID/fdinfo). The program runs in the sampling interrupt on the target's CPU, so
//     run_time / the target's CPU time over the same seconds is the share of its CPU the profile takes.
//  2. Indirect: a busy loop's iterations per second with and without the profile, alternated (noisy on a shared host).
// Two targets: a user-space loop, and a kernel-heavy one (mmap, touch and munmap 2 MiB of anonymous memory: page
// faults and freeing, so most samples land in the kernel and kstack walks a real kernel stack, as in reclaim).
// BENCH_PROFILE_TARGETS=user,kernel picks them; BENCH_PROFILE_SECONDS (default 6) is each phase's length.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 6);
const TARGETS = (process.env.BENCH_PROFILE_TARGETS ?? 'user,kernel').split(',');
const HZ = Number(process.env.BENCH_PROFILE_HZ ?? 99);

const LOOP = `#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
static void kernel_work(volatile unsigned long *n) { size_t len = 2 << 20; char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return; for (size_t o = 0; o < len; o += 4096) p[o] = 1; munmap(p, len); *n += len / 4096; }
int main(int argc, char **argv) { int kernel = argc > 1 && strcmp(argv[1], "kernel") == 0; volatile unsigned long n = 0; struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (;;) { if (kernel) kernel_work(&n); else for (int i = 0; i < 1000000; i++) n++; clock_gettime(CLOCK_MONOTONIC, &b);
    if (b.tv_sec - a.tv_sec >= 1) { printf("%lu\\n", n); fflush(stdout); n = 0; a = b; } } }
`;

function cpuTicks(pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** BPF programs of bpftrace children of this process (never another's): sum of run_time_ns and run_cnt. */
function bpfStats() {
  let ns = 0;
  let cnt = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'bpftrace') continue;
      // Only the profile's own bpftrace (a child of this process): others may trace on the same host.
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      for (const fd of fs.readdirSync(`/proc/${d}/fdinfo`)) {
        const info = fs.readFileSync(`/proc/${d}/fdinfo/${fd}`, 'utf8');
        if (!info.includes('prog_type:')) continue;
        const t = /run_time_ns:\s+(\d+)/.exec(info);
        const c = /run_cnt:\s+(\d+)/.exec(info);
        if (t) ns += Number(t[1]);
        if (c) cnt += Number(c[1]);
      }
    } catch {
      /* gone */
    }
  }
  return { ns, cnt };
}

async function benchTarget(tmp, kind) {
  const child = spawn(path.join(tmp, 'loop'), [kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rates = [];
  child.stdout.on('data', (c) => rates.push(...c.toString().trim().split('\n').map(Number)));
  const statsFile = '/proc/sys/kernel/bpf_stats_enabled';
  const statsBefore = fs.readFileSync(statsFile, 'utf8').trim();
  try {
    const { LIVE_HOST } = await import(path.join(root, 'dist/host/host-paths.js'));
    const { profileTarget } = await import(path.join(root, 'dist/probe/kernel-profile.js'));
    const target = { pids: [child.pid], cgroup: undefined, followCgroup: false, label: `pid ${child.pid}` };
    await new Promise((r) => setTimeout(r, 2500));
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const phase = async (withProfile) => {
      const from = rates.length;
      if (!withProfile) {
        await new Promise((r) => setTimeout(r, SECONDS * 1000));
        return { rate: mean(rates.slice(from + 1)) };
      }
      fs.writeFileSync(statsFile, '1');
      let t0;
      let startTicks;
      let attachedAt = from;
      let last = { ns: 0, cnt: 0 };
      // bpftrace's fds close when it exits: keep the last reading taken while it ran.
      const poll = setInterval(() => {
        const s = bpfStats();
        if (s.cnt >= last.cnt) last = s;
      }, 250);
      const p = await profileTarget(LIVE_HOST, target, {
        durationMs: SECONDS * 1000, hz: HZ, methods: ['bpftrace'],
        onStarted: () => {
          // Rates from here on: bpftrace's compile and attach (a CPU's worth for a second or two) are not the profile.
          attachedAt = rates.length;
          t0 = performance.now();
          startTicks = cpuTicks(child.pid);
        },
      });
      clearInterval(poll);
      const wall = (performance.now() - t0) / 1000;
      const cpuSec = (cpuTicks(child.pid) - startTicks) / 100;
      return { rate: mean(rates.slice(attachedAt + 1)), samples: p.samples, kernelSamples: p.kernelSamples, wall, cpuSec, bpfNs: last.ns, bpfRuns: last.cnt };
    };
    const off1 = await phase(false);
    const on1 = await phase(true);
    const off2 = await phase(false);
    const on2 = await phase(true);
    const off = (off1.rate + off2.rate) / 2;
    const on = (on1.rate + on2.rate) / 2;
    for (const [i, r] of [on1, on2].entries()) {
      // The probe fires on every CPU; the target pays for the runs that interrupt it: one per sample of it.
      const perRunNs = r.bpfNs / Math.max(1, r.bpfRuns);
      const share = (r.samples * perRunNs) / 1e9 / r.cpuSec;
      // The mean run includes the cheap filtered-out runs on other CPUs; charging every run to the target bounds it.
      const bound = r.bpfNs / 1e9 / r.cpuSec;
      console.log(`${kind} target, profile run ${i + 1}: ${r.samples} samples (${r.kernelSamples} with a kernel stack) of the target at ${HZ} Hz over ${r.wall.toFixed(1)} s (${r.cpuSec.toFixed(1)} CPU-seconds of it); the BPF program ran ${r.bpfRuns}× on all CPUs, ${(perRunNs / 1000).toFixed(1)} µs a run: ${(share * 100).toFixed(3)} % of the target's CPU, at most ${(bound * 100).toFixed(3)} % with every run charged to it (perf's own interrupt entry not included: about 1-2 µs more a sample)`);
    }
    console.log(`${kind} target, ${kind === 'kernel' ? 'pages faulted' : 'busy loop'}: ${(off / 1e6).toFixed(1)} M iterations/s without the profile, ${(on / 1e6).toFixed(1)} M with it: ${(((off - on) / off) * 100).toFixed(2)} % slower (shared host: noise of a few % either way)`);
  } finally {
    fs.writeFileSync(statsFile, statsBefore);
    child.kill('SIGKILL');
  }
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/probe/kernel-profile.js'))) {
    console.error('build first: npm run build');
    process.exit(2);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rwbench-prof-'));
  try {
    fs.writeFileSync(path.join(tmp, 'loop.c'), LOOP);
    execFileSync('cc', ['-O2', '-o', path.join(tmp, 'loop'), path.join(tmp, 'loop.c')]);
    for (const kind of TARGETS) await benchTarget(tmp, kind);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
