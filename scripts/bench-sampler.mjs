#!/usr/bin/env node
// Bench (npm run bench), three parts, each beside Debian's prometheus-node-exporter scraped at 1 Hz over the same
// seconds:
//   1. the Sampler in this process over every non-empty cgroup of this host plus one process with 1,000 threads,
//      at 1 Hz, as the agent runs it (calm cgroups in full every 5 s, their pulse every second) and with every
//      target in full every tick;
//   2. the agent (sampler + store + HTTP, a child process) over the same set for BENCH_AGENT_SECONDS (default 300:
//      the five minutes): its CPU share and RSS at the start, middle and end;
//   3. the agent with 100 more cgroups (a sleeping process each): CPU, RSS, /metrics scrape time, a series query.
// Prints figures; never fails on a number. BENCH_SECONDS (default 60) for part 1, BENCH_MANY_SECONDS (default 60).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, procCpuMs, rssMb, sleep } from './bench-util.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const AGENT_SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 300);
const MANY_SECONDS = Number(process.env.BENCH_MANY_SECONDS ?? 60);

/** node_exporter on loopback, scraped at 1 Hz by this process; `measure()` gives its CPU and RSS since the last call. */
async function startNodeExporter(children) {
  const neBin = '/usr/bin/prometheus-node-exporter';
  if (!fs.existsSync(neBin)) return undefined;
  const port = await freePort();
  const ne = spawn(neBin, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  children.push(ne);
  for (let i = 0; i < 50; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/metrics`);
      break;
    } catch {
      await sleep(100);
    }
  }
  const ac = new AbortController();
  let scrapes = 0;
  const scraping = (async () => {
    while (!ac.signal.aborted) {
      const t = performance.now();
      try {
        await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        scrapes++;
      } catch { /* counted as missing */ }
      await sleep(Math.max(0, 1000 - (performance.now() - t)));
    }
  })();
  let cpu0 = procCpuMs(ne.pid);
  let at0 = performance.now();
  let scrapes0 = 0;
  return {
    pid: ne.pid,
    mark() {
      cpu0 = procCpuMs(ne.pid);
      at0 = performance.now();
      scrapes0 = scrapes;
    },
    measure() {
      const wall = performance.now() - at0;
      return { share: (procCpuMs(ne.pid) - cpu0) / wall, rss: rssMb(ne.pid), scrapes: scrapes - scrapes0 };
    },
    async stop() {
      ac.abort();
      await scraping;
    },
  };
}

const pct = (x) => `${(x * 100).toFixed(2)} % of a core`;
const row = (name, share, rss) => console.log(`  ${name.padEnd(64)} ${pct(share).padStart(17)}   ${rss}`);

async function startAgent(store, port, children) {
  const agent = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'agent', '--store', store, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RECLAIMWATCH_NO_REALTIME: '1' } });
  children.push(agent);
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) break;
    } catch { /* not up yet */ }
    await sleep(200);
  }
  return agent;
}

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
    const ne = await startNodeExporter(children);

    // 1. The Sampler in this process, as the agent runs it, then with every target in full every tick.
    console.log(`\n1. Sampler at 1 Hz over ${cgroups.length} cgroups + one 1,000-thread process (${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}), ${SECONDS} s each`);
    for (const [name, opts] of [['as the agent runs it (calm: full every 5 s, pulse every 1 s)', { threadsEveryTicks: 5, calmEveryTicks: 5 }], ['every target in full every tick', {}]]) {
      const sampler = new Sampler(LIVE_HOST, [...cgroups, ...proc], { ringSize: 16, ...opts });
      sampler.tick();
      await sleep(1000);
      ne?.mark();
      const cpu0 = process.cpuUsage();
      const kids0 = procCpuMs('self') - (cpu0.user + cpu0.system) / 1000; // probe children so far
      const rssStart = rssMb('self');
      const t0 = performance.now();
      const lat = [];
      sampler.subscribe((tk) => lat.push(tk.latenessMs));
      await sampler.run(new AbortController().signal, t0 + SECONDS * 1000);
      const wall = performance.now() - t0;
      const cpu1 = process.cpuUsage(cpu0);
      const kids = procCpuMs('self') - (process.cpuUsage().user + process.cpuUsage().system) / 1000 - kids0;
      const n = ne?.measure();
      await sampler.settleProbes(2000);
      const probes = sampler.stats().probes;
      sampler.close();
      lat.sort((a, b) => a - b);
      row(`reclaimwatch Sampler, ${name}`, (cpu1.user + cpu1.system) / 1000 / wall, `RSS ${rssStart.toFixed(0)} → ${rssMb('self').toFixed(0)} MB`);
      row(`  + its mmap_lock probe children (${probes.started} probes in ${probes.children} children)`, Math.max(0, kids) / wall, '');
      if (n) row(`prometheus-node-exporter 1.5, scraped at 1 Hz (${n.scrapes} scrapes)`, n.share, `RSS ${n.rss.toFixed(0)} MB`);
      console.log(`  tick lateness p50 ${lat[Math.floor(lat.length / 2)]?.toFixed(1)} ms, p99 ${lat[Math.floor(lat.length * 0.99)]?.toFixed(1)} ms, max ${lat.at(-1)?.toFixed(1)} ms`);
    }
    if (!ne) console.log('  prometheus-node-exporter not installed (apt-get install prometheus-node-exporter): no peer figure');

    // 2. The agent over this host's cgroups + the 1,000-thread process (in this process's cgroup, so watched).
    const store = path.join(tmp, 'store');
    let port = await freePort();
    let agent = await startAgent(store, port, children);
    await sleep(5000); // first discovery and windows
    ne?.mark();
    const a0 = procCpuMs(agent.pid);
    const at0 = performance.now();
    const rss = [rssMb(agent.pid)];
    const every = Math.max(10, AGENT_SECONDS / 10);
    while (performance.now() - at0 < AGENT_SECONDS * 1000) {
      await sleep(every * 1000);
      rss.push(rssMb(agent.pid));
    }
    const aShare = (procCpuMs(agent.pid) - a0) / (performance.now() - at0);
    const n2 = ne?.measure();
    console.log(`\n2. The agent at 1 Hz over this host's ${cgroups.length} cgroups + the 1,000-thread process, ${AGENT_SECONDS} s (load ${os.loadavg()[0].toFixed(1)})`);
    row('reclaimwatch agent (sampler, store, HTTP)', aShare, `RSS ${rss.map((x) => x.toFixed(0)).join(' → ')} MB (every ${every} s)`);
    if (n2) row(`prometheus-node-exporter 1.5, scraped at 1 Hz (${n2.scrapes} scrapes)`, n2.share, `RSS ${n2.rss.toFixed(0)} MB`);
    console.log('  goal: ≤ 1 % of a core, < 100 MB RSS, flat');
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));

    // 3. 100 more cgroups, each with a sleeping process, under this process's memory cgroup (v1 here, else v2).
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
    port = await freePort();
    fs.rmSync(store, { recursive: true, force: true });
    agent = await startAgent(store, port, children);
    await sleep(12_000); // discovery, first windows
    ne?.mark();
    const b0 = procCpuMs(agent.pid);
    const br0 = rssMb(agent.pid);
    const bt0 = performance.now();
    const scrapeMs = [];
    let first;
    while (performance.now() - bt0 < MANY_SECONDS * 1000) {
      const t = performance.now();
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      scrapeMs.push(performance.now() - t);
      first ??= `${body.split('\n').filter((l) => l.startsWith('reclaimwatch_target_verdict{') && l.endsWith(' 1')).length} targets, ${body.length} bytes`;
      await sleep(Math.max(0, 5000 - (performance.now() - t)));
    }
    const bw = performance.now() - bt0;
    const bShare = (procCpuMs(agent.pid) - b0) / bw;
    const br1 = rssMb(agent.pid);
    const n3 = ne?.measure();
    const series = performance.now();
    await (await fetch(`http://127.0.0.1:${port}/api/v1/targets/${encodeURIComponent('host')}/series?from=${Date.now() - 86_400_000}`)).text();
    const seriesMs = performance.now() - series;
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    const size = fs.statSync(path.join(store, 'store.db')).size + (fs.existsSync(path.join(store, 'store.db-wal')) ? fs.statSync(path.join(store, 'store.db-wal')).size : 0);
    scrapeMs.sort((a, b) => a - b);
    console.log(`\n3. The agent with ${extra.length} more cgroups (${cgroups.length + extra.length} in all) + the 1,000-thread process, ${MANY_SECONDS} s (load ${os.loadavg()[0].toFixed(1)})`);
    row('reclaimwatch agent', bShare, `RSS ${br0.toFixed(0)} → ${br1.toFixed(0)} MB`);
    if (n3) row(`prometheus-node-exporter 1.5, scraped at 1 Hz (${n3.scrapes} scrapes)`, n3.share, `RSS ${n3.rss.toFixed(0)} MB`);
    console.log(`  /metrics (${first}): median ${scrapeMs[Math.floor(scrapeMs.length / 2)]?.toFixed(1)} ms, max ${scrapeMs.at(-1)?.toFixed(1)} ms (goal ≤ 50 ms for 100 targets); series query over 24 h of one target ${seriesMs.toFixed(0)} ms (the store held ${((bw + 12_000) / 1000).toFixed(0)} s of it)`);
    console.log(`  store: ${(size / 1024).toFixed(0)} KiB after ${((bw + 12_000) / 1000).toFixed(0)} s (see bench-store for bytes per target-hour)`);
    await ne?.stop();
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
