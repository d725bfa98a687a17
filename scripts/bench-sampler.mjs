#!/usr/bin/env node
// Bench (npm run bench): the Sampler watching every non-empty cgroup of this host plus one process with 1,000
// threads at 1 Hz, beside Debian's prometheus-node-exporter scraped at 1 Hz over the same seconds; then the agent
// (sampler + store + HTTP) over the same set, and its /metrics scrape time with 100 extra cgroups.
// Prints figures; never fails on a number. BENCH_SECONDS (default 60), BENCH_AGENT_SECONDS (default 60).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const AGENT_SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 60);
const TICK = Number(fs.readFileSync('/proc/self/stat', 'utf8') && 100); // USER_HZ

function procCpuMs(pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / TICK; // utime stime cutime cstime
}
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/sample/sampler.js'))) {
    console.error('build first: npm run build');
    process.exit(2);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rwbench-sampler-'));
  const bin = path.join(tmp, 'threads');
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, path.join(root, 'test/workloads/threads.c')]);
  const threads = spawn(bin, ['1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => threads.stdout.once('data', r));
  const children = [threads];
  try {
    const { LIVE_HOST } = await import(path.join(root, 'dist/host/host-paths.js'));
    const { Sampler } = await import(path.join(root, 'dist/sample/sampler.js'));
    const { allTargets, resolveTargets } = await import(path.join(root, 'dist/targets/resolve-targets.js'));
    const { detectCgroupLayout } = await import(path.join(root, 'dist/kernel/cgroup/layout.js'));
    const cgroups = allTargets(LIVE_HOST, detectCgroupLayout(LIVE_HOST));
    const { targets: proc } = await resolveTargets(LIVE_HOST, { pids: [threads.pid] });
    const sampler = new Sampler(LIVE_HOST, [...cgroups, ...proc], { ringSize: 16 });

    // node_exporter on loopback, scraped at 1 Hz by this process (its cost is the exporter's, read from /proc).
    let ne;
    const neBin = '/usr/bin/prometheus-node-exporter';
    const nePort = await freePort();
    if (fs.existsSync(neBin)) {
      ne = spawn(neBin, [`--web.listen-address=127.0.0.1:${nePort}`], { stdio: 'ignore' });
      children.push(ne);
      for (let i = 0; i < 50; i++) {
        try {
          await fetch(`http://127.0.0.1:${nePort}/metrics`);
          break;
        } catch {
          await sleep(100);
        }
      }
    }
    const ac = new AbortController();
    let scrapes = 0;
    const scraping = ne ? (async () => {
      while (!ac.signal.aborted) {
        const t = performance.now();
        try {
          await (await fetch(`http://127.0.0.1:${nePort}/metrics`)).text();
          scrapes++;
        } catch { /* counted as missing */ }
        await sleep(Math.max(0, 1000 - (performance.now() - t)));
      }
    })() : Promise.resolve();
    // Warm up one tick each, then measure.
    sampler.tick();
    await sleep(1000);
    const cpu0 = process.cpuUsage();
    const kids0 = procCpuMs('self') - (cpu0.user + cpu0.system) / 1000; // probe children so far
    const ne0 = ne ? procCpuMs(ne.pid) : 0;
    const rssStart = rssMb('self');
    const neRssStart = ne ? rssMb(ne.pid) : NaN;
    const t0 = performance.now();
    const lat = [];
    sampler.subscribe((tk) => lat.push(tk.latenessMs));
    await sampler.run(new AbortController().signal, t0 + SECONDS * 1000);
    const wall = performance.now() - t0;
    const cpu1 = process.cpuUsage(cpu0);
    const kids = procCpuMs('self') - (process.cpuUsage().user + process.cpuUsage().system) / 1000 - kids0;
    const rssEnd = rssMb('self');
    const neCpu = ne ? procCpuMs(ne.pid) - ne0 : NaN;
    const neRssEnd = ne ? rssMb(ne.pid) : NaN;
    ac.abort();
    await scraping;
    await sampler.settleProbes(2000);
    sampler.close();
    const share = (ms) => `${((ms / wall) * 100).toFixed(2)} % of a core`;
    const selfMs = (cpu1.user + cpu1.system) / 1000;
    lat.sort((a, b) => a - b);
    console.log(`\nSampler at 1 Hz for ${(wall / 1000).toFixed(0)} s over ${cgroups.length} cgroups + one 1,000-thread process (${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)})`);
    console.log(`  ${'reclaimwatch Sampler (in-process CPU)'.padEnd(56)} ${share(selfMs).padStart(16)}   RSS ${rssStart.toFixed(0)} → ${rssEnd.toFixed(0)} MB`);
    console.log(`  ${'  + its mmap_lock probe children'.padEnd(56)} ${share(Math.max(0, kids)).padStart(16)}`);
    if (ne) console.log(`  ${`prometheus-node-exporter 1.5, scraped at 1 Hz (${scrapes} scrapes)`.padEnd(56)} ${share(neCpu).padStart(16)}   RSS ${neRssStart.toFixed(0)} → ${neRssEnd.toFixed(0)} MB`);
    else console.log('  prometheus-node-exporter not installed (apt-get install prometheus-node-exporter): no peer figure');
    console.log(`  tick lateness p50 ${lat[Math.floor(lat.length / 2)]?.toFixed(1)} ms, p99 ${lat[Math.floor(lat.length * 0.99)]?.toFixed(1)} ms, max ${lat.at(-1)?.toFixed(1)} ms; goal: ≤ 1 % of a core and no more than node_exporter, RSS flat`);

    // The agent: a child process, its CPU and RSS from /proc, its /metrics scrape time with 100 more cgroups.
    const store = path.join(tmp, 'store');
    const port = await freePort();
    // 100 more cgroups, each with a sleeping process, under this process's memory cgroup (v1 here, else v2).
    const extra = [];
    const layout = detectCgroupLayout(LIVE_HOST);
    const memRoot = layout.v1Memory ?? layout.unified;
    const mine = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').map((l) => l.split(':')).find((f) => (layout.v1Memory ? f[1]?.split(',').includes('memory') : f[0] === '0'));
    if (process.getuid?.() === 0 && memRoot && mine) {
      for (let i = 0; i < 100; i++) {
        const dir = path.join(memRoot, mine[2] ?? '/', `rwbench-${process.pid}-${i}`);
        fs.mkdirSync(dir);
        const s = spawn('/bin/sh', ['-c', `echo $$ > '${dir}/cgroup.procs' && exec sleep 3600`], { stdio: 'ignore' });
        children.push(s);
        extra.push({ dir, proc: s });
      }
    }
    const agent = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'agent', '--store', store, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(agent);
    await sleep(12_000); // discovery, first windows
    const a0 = procCpuMs(agent.pid);
    const ar0 = rssMb(agent.pid);
    const at0 = performance.now();
    const scrapeMs = [];
    while (performance.now() - at0 < AGENT_SECONDS * 1000) {
      const t = performance.now();
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      scrapeMs.push(performance.now() - t);
      if (scrapeMs.length === 1) console.log(`\nagent /metrics: ${body.split('\n').filter((l) => l.startsWith('reclaimwatch_target_verdict{') && l.endsWith(' 1')).length} targets, ${body.length} bytes`);
      await sleep(Math.max(0, 5000 - (performance.now() - t)));
    }
    const aw = performance.now() - at0;
    const aCpu = procCpuMs(agent.pid) - a0;
    const ar1 = rssMb(agent.pid);
    const series = performance.now();
    await (await fetch(`http://127.0.0.1:${port}/api/v1/targets/${encodeURIComponent('host')}/series?from=${Date.now() - 86_400_000}`)).text();
    const seriesMs = performance.now() - series;
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    const size = fs.statSync(path.join(store, 'store.db')).size + (fs.existsSync(path.join(store, 'store.db-wal')) ? fs.statSync(path.join(store, 'store.db-wal')).size : 0);
    scrapeMs.sort((a, b) => a - b);
    console.log(`agent at 1 Hz over ${(aw / 1000).toFixed(0)} s, ${cgroups.length + extra.length} cgroups + the 1,000-thread process: ${((aCpu / aw) * 100).toFixed(2)} % of a core (goal ≤ 1 %), RSS ${ar0.toFixed(0)} → ${ar1.toFixed(0)} MB (goal < 100 MB, flat)`);
    console.log(`  /metrics scrape: median ${scrapeMs[Math.floor(scrapeMs.length / 2)]?.toFixed(1)} ms, max ${scrapeMs.at(-1)?.toFixed(1)} ms (goal ≤ 50 ms for 100 targets); series query over 24 h of one target ${seriesMs.toFixed(0)} ms (the store held ${((aw + 12_000) / 1000).toFixed(0)} s of it)`);
    console.log(`  store: ${(size / 1024).toFixed(0)} KiB after ${((aw + 12_000) / 1000).toFixed(0)} s (${(size / ((aw + 12_000) / 3_600_000) / (cgroups.length + extra.length + 1) / 1024).toFixed(0)} KiB per target-hour before compaction; see bench-store for the compacted figure)`);
    for (const e of extra) e.proc.kill('SIGKILL');
    await sleep(500);
    for (const e of extra) {
      try {
        fs.rmdirSync(e.dir);
      } catch { /* a member not yet gone: retried below */ }
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await sleep(300);
    for (const d of fs.readdirSync('/sys/fs/cgroup/memory', { recursive: true }).filter((x) => String(x).includes(`rwbench-${process.pid}-`))) {
      try { fs.rmdirSync(path.join('/sys/fs/cgroup/memory', String(d))); } catch { /* gone */ }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
await main();
