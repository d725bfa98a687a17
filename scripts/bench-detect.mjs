#!/usr/bin/env node
// Bench (npm run bench): time to detect. The agent (as `npm start` runs it: bin/reclaimwatch agent, at real-time
// priority when root) watches this host while `reclaimwatch repro --preset small` runs its reproducer in a new
// cgroup; this script polls the agent's /api/v1/targets every 100 ms and reports how long after the memory threads
// started (and after the cgroup first reached 95 % of its limit) the agent's verdict for that cgroup was a
// livelock, thrashing or oom-loop. Beside it, systemd-oomd's reference figure: it acts on memory pressure only
// after its default ManagedOOMMemoryPressureDurationSec=30s above the limit (systemd-oomd cannot run on this
// hybrid host: it needs the memory controller in cgroup v2). Root only; prints figures, never fails on a number.
// BENCH_DETECT_RUNS (default 3), BENCH_DETECT_DELAY_S (memory threads start, default 6).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './bench-util.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const RUNS = Number(process.env.BENCH_DETECT_RUNS ?? 3);
const DELAY_S = Number(process.env.BENCH_DETECT_DELAY_S ?? 6);
const DURATION_S = DELAY_S + 24;
const BAD = new Set(['thrashing', 'reclaim-livelock', 'oom-loop']);
/** Where this process's memory cgroup lives: the repro's cgroups are made under it. */
function memoryRoot() {
  for (const l of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [id, ctl, p] = l.split(':');
    if (ctl?.split(',').includes('memory')) return path.join('/sys/fs/cgroup/memory', p);
    if (id === '0' && !fs.existsSync('/sys/fs/cgroup/memory')) return path.join('/sys/fs/cgroup', p);
  }
  return undefined;
}

async function oneRun(url, i) {
  const base = memoryRoot();
  const before = new Set(fs.readdirSync(base));
  const tSpawn = Date.now();
  const repro = spawn(path.join(root, 'bin/reclaimwatch'), ['repro', '--preset', 'small', '--delay', `${DELAY_S}s`, '--duration', `${DURATION_S}s`, '--no-doctor', '--json'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, RECLAIMWATCH_NO_REALTIME: '1' } });
  let json = '';
  repro.stdout.on('data', (c) => (json += c));
  const exited = new Promise((r) => repro.once('exit', r));
  let cgName;
  let tStart;
  let tSeen;
  let tBad;
  let verdictBad;
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    if (!cgName) {
      cgName = fs.readdirSync(base).find((d) => d.startsWith('reclaimwatch-repro-') && !before.has(d));
      // The workload joins the cgroup first thing: its start is when cgroup.procs first lists a process.
    }
    if (cgName && tStart === undefined) {
      try {
        if (fs.readFileSync(path.join(base, cgName, 'cgroup.procs'), 'utf8').trim()) tStart = Date.now();
      } catch { /* not yet */ }
    }
    if (cgName && tBad === undefined) {
      try {
        const body = await (await fetch(`${url}/api/v1/targets`)).json();
        const t = body.targets.find((x) => x.id.endsWith(`/${cgName}`));
        if (t && tSeen === undefined) tSeen = Date.now();
        if (t && BAD.has(t.verdict)) {
          tBad = Date.now();
          verdictBad = t.verdict;
        }
      } catch { /* agent busy: next poll */ }
    }
    await sleep(100);
  }
  let report;
  try {
    report = JSON.parse(json);
  } catch { /* reported below */ }
  const leg = report?.legs?.[0];
  const limitAt = leg?.seconds?.find((s) => s.usageBytes !== undefined && s.limitBytes && s.usageBytes >= 0.95 * s.limitBytes)?.tS;
  const memStart = tStart === undefined ? undefined : tStart + DELAY_S * 1000;
  const f = (ms) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
  console.log(`  run ${i + 1}: repro verdict ${leg?.verdict?.class ?? '?'}; agent saw the cgroup ${f(tSeen && tStart && tSeen - tStart)} after the workload started; ` +
    `${verdictBad ?? 'no bad verdict'} ${f(tBad && memStart && tBad - memStart)} after the memory threads started` +
    `${limitAt !== undefined && tBad && tStart ? `, ${f(tBad - (tStart + limitAt * 1000))} after it reached 95 % of its limit (at ${limitAt} s)` : ''} (spawn to start ${f(tStart && tStart - tSpawn)})`);
  return tBad && memStart ? tBad - memStart : undefined;
}

async function main() {
  if (process.getuid?.() !== 0) {
    console.log('\nTime to detect: needs root (repro makes cgroups): skipped');
    return;
  }
  if (!memoryRoot()) {
    console.log('\nTime to detect: no memory cgroup: skipped');
    return;
  }
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'rwbench-detect-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const agent = spawn(path.join(root, 'bin/reclaimwatch'), ['agent', '--store', store, '--listen', `127.0.0.1:${port}`, '--remediate', 'off'], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).status === 200) break;
      } catch { /* not up */ }
      await sleep(200);
    }
    console.log(`\nTime to detect: the agent (defaults: --interval 1s --window 10s --hold 3, new cgroups looked for every 3 s) beside repro --preset small --delay ${DELAY_S}s (${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}), ${RUNS} runs`);
    const got = [];
    for (let i = 0; i < RUNS; i++) got.push(await oneRun(url, i));
    const ok = got.filter((x) => x !== undefined).sort((a, b) => a - b);
    console.log(`  reclaimwatch agent: ${ok.length}/${RUNS} detected, ${ok.map((x) => `${(x / 1000).toFixed(1)} s`).join(', ')} after the memory threads started (goal ≤ 10 s)`);
    console.log('  systemd-oomd (reference figure, not run here): acts after memory pressure has stayed above its limit for ManagedOOMMemoryPressureDurationSec, default 30 s');
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    fs.rmSync(store, { recursive: true, force: true });
  }
}
await main();
