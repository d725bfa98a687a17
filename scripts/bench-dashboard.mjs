#!/usr/bin/env node
// The dashboard's render time in Chromium (Debian's /usr/bin/chromium through playwright-core). Goal: 100 targets
// with an hour of 1 Hz data each render in <= 1 s, navigation start to drawn.
// - The Targets page as the agent serves it (GET /api/v1/targets?spark=3600): each target's CPU, memory and
//   progress sparklines as at most 120 means over the hour, beside the old way (all 3,600 points of each).
// - One target's nine uPlot charts over an hour.
// The page data is the real recording of a thrashing `repro --preset small` cgroup (test/fixtures/dashboard/),
// served by the contract server of the browser tests (src/test-support/dashboard-api.ts, through tsx).
// - The agent's side of ?spark=3600 (src/agent/http/dashboard/spark-cache.ts) over a real store holding an hour
//   of 1 Hz samples per target (BENCH_DASHBOARD_STORE_TARGETS, default 10: filling the store takes ~1.5 s a
//   target): the first read of a target from the store, and a request once the points are kept.
// Prints figures with the host's load average beside each; never fails on a number.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const ROUNDS = Number(process.env.BENCH_DASHBOARD_ROUNDS ?? 5);
const STORE_TARGETS = Number(process.env.BENCH_DASHBOARD_STORE_TARGETS ?? 10);
const CHROMIUM = '/usr/bin/chromium';
const HOUR_S = 3600;

const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Chromium: navigation start to the page's drawn mark, over ROUNDS fresh pages after one warm-up. */
async function measure(browser, url, mark, ready, apiPath) {
  const out = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // The renderer's main-thread CPU time (CDP Performance.ThreadTime): what the page itself costs, which a
    // loaded host stretches far less than wall time.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(url);
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    const ms = await page.evaluate(`performance.getEntriesByName('${mark}')[0].startTime`);
    // When the page asked the API and when its first answer had arrived: the rest is parsing and drawing.
    const api = await page.evaluate(`(() => { const e = performance.getEntriesByType('resource').filter((e) => e.name.includes('${apiPath}'))[0]; return [e.requestStart, e.responseEnd]; })()`);
    const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const n = await page.evaluate(`document.querySelectorAll('[data-page="targets"] tbody tr, .rw-panel').length`);
    await page.close();
    if (r > 0) out.push({ ms, n, asked: api[0], draw: ms - api[1], cpu: (metrics.ThreadTime ?? metrics.TaskDuration ?? NaN) * 1000 });
  }
  const ms = out.map((o) => o.ms).sort((a, b) => a - b);
  return { median: median(ms), worst: ms.at(-1), n: out[0].n, asked: median(out.map((o) => o.asked)), draw: median(out.map((o) => o.draw)), cpu: median(out.map((o) => o.cpu)), load: load() };
}

async function browserFigures(rec, startDashboardApi, CHROMIUM_ARGS) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  let api;
  try {
    console.log(`dashboard (Chromium ${browser.version()}, ${ROUNDS} rounds after a warm-up; navigation start to drawn, median / worst):`);
    // 30 s means: what GET /api/v1/targets?spark=3600 answers (120 points and the partial step to now).
    for (const step of [30, 1]) {
      api = await startDashboardApi({ recording: rec, copies: 20, maxTargets: 100, sparkSeconds: HOUR_S, sparkStepSeconds: step });
      const body = (await (await fetch(`${api.url}/api/v1/targets`)).text()).length;
      const t = await measure(browser, `${api.url}/#/targets`, 'rw-targets-drawn', '[data-page="targets"][data-ready="1"]', '/api/v1/targets');
      const what = step === 30 ? `${HOUR_S / step} means of 30 s (as served now)  ` : `${HOUR_S} points (the old way)        `;
      console.log(`  Targets page, ${t.n} targets x 3 sparklines of an hour, ${what} ${(body / 1e6).toFixed(2).padStart(5)} MB of JSON: ${t.median.toFixed(0).padStart(4)} ms / ${t.worst.toFixed(0).padStart(4)} ms${step === 30 ? '  goal <= 1000 ms' : '                 '}; asked at ${t.asked.toFixed(0)} ms, parse+draw after the answer ${t.draw.toFixed(0)} ms; page main-thread CPU ${t.cpu.toFixed(0)} ms; load ${t.load}`);
      if (step === 30) {
        const g = await measure(browser, `${api.url}/#/target/${api.ids[1]}`, 'rw-target-drawn', '[data-page="target"][data-ready="1"]', '/series?');
        console.log(`  One target, ${g.n} uPlot charts over 1 h (1,200 points at a 3 s step): ${g.median.toFixed(0)} ms / ${g.worst.toFixed(0)} ms; asked at ${g.asked.toFixed(0)} ms, drawing after the answer ${g.draw.toFixed(0)} ms; page main-thread CPU ${g.cpu.toFixed(0)} ms; load ${g.load}`);
      }
      await api.close();
      api = undefined;
    }
  } finally {
    await browser.close();
    await api?.close();
  }
}

/** Numeric leaves that only grow over the recording (counters), with how much one pass of it adds. */
function counterDeltas(samples) {
  const out = new Map();
  const walk = (p, vals) => {
    if (typeof vals[0] === 'number') {
      if (!vals.every((v) => typeof v === 'number' && Number.isFinite(v))) return;
      for (let i = 1; i < vals.length; i++) if (vals[i] < vals[i - 1]) return;
      const d = vals.at(-1) - vals[0];
      if (d > 0) out.set(p, d + d / (vals.length - 1));
      return;
    }
    if (vals[0] && typeof vals[0] === 'object') for (const k of Object.keys(vals[0])) walk(`${p}/${k}`, vals.map((v) => (v && typeof v === 'object' ? v[k] : undefined)));
  };
  walk('', samples);
  return out;
}
/** `s` with every counter moved on by `r` passes of the recording. */
function shifted(s, deltas, r, p = '') {
  if (typeof s === 'number') return deltas.has(p) ? s + r * deltas.get(p) : s;
  if (Array.isArray(s)) return s.map((x, i) => shifted(x, deltas, r, `${p}/${i}`));
  if (s && typeof s === 'object') return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, shifted(v, deltas, r, `${p}/${k}`)]));
  return s;
}

async function storeFigures(rec) {
  const { Store } = await tsImport(path.join(root, 'src/agent/store/store.ts'), import.meta.url);
  const { SparkCache, sparkStepMs } = await tsImport(path.join(root, 'src/agent/http/dashboard/spark-cache.ts'), import.meta.url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwbench-dash-'));
  let store;
  try {
    store = Store.open({ dir });
    // The recording's seconds repeated along an hour, counters carried on, so every step's means are real.
    const bases = rec.targets.map((t) => t.samples).filter((s) => s.length > 1);
    const deltas = bases.map(counterDeltas);
    const hostDeltas = counterDeltas(rec.hostSamples);
    const end = Math.floor(Date.now() / 1000) * 1000;
    const wallOf = (k) => end - (HOUR_S - 1 - k) * 1000;
    const at = (k) => bases.map((b, i) => ({ ...shifted(b[k % b.length], deltas[i], Math.floor(k / b.length)), wallMs: wallOf(k), monoMs: k * 1000 }));
    const ids = Array.from({ length: STORE_TARGETS }, (_, j) => `t${j}`);
    const t0 = performance.now();
    for (let k = 0; k < HOUR_S; k++) {
      const h = rec.hostSamples[k % rec.hostSamples.length];
      const per = at(k);
      store.appendTick(wallOf(k), { ...shifted(h, hostDeltas, Math.floor(k / rec.hostSamples.length)), wallMs: wallOf(k), monoMs: k * 1000 }, ids.map((id, j) => ({ id, sample: per[j % per.length] })));
      if (k % 300 === 299) for (let r = store.maintain(wallOf(k) + 120_000, 5000); r.more; r = store.maintain(wallOf(k) + 120_000, 5000));
    }
    for (let r = store.maintain(end + 600_000, 5000); r.more; r = store.maintain(end + 600_000, 5000));
    const fillS = (performance.now() - t0) / 1000;
    const from = end - HOUR_S * 1000;
    const step = sparkStepMs(HOUR_S * 1000);
    const cpus = rec.hostSamples[0].cpus;
    // The Sampler's ring: the last 12 seconds (a 10 s window), and 5 s later for the next request.
    const asks = new Map();
    for (let s = 0; s <= 6; s++) {
      const last = HOUR_S - 1 + 5 * s;
      const ring = Array.from({ length: 12 }, (_, i) => at(last - 11 + i));
      asks.set(last, ids.map((id, j) => ({ id, ring: ring.map((r) => r[j % bases.length]) })));
    }
    const ask = (cache, last) => cache.sparklines(asks.get(last), cpus, wallOf(last) - HOUR_S * 1000, wallOf(last), step);
    const cold = [];
    const warm = [];
    let points = 0;
    for (let r = 0; r < 3; r++) {
      const cache = new SparkCache(store, Infinity);
      let t = performance.now();
      points = [...ask(cache, HOUR_S - 1).values()].reduce((n, l) => n + l.t.length, 0);
      cold.push((performance.now() - t) / STORE_TARGETS);
      for (let s = 1; s <= 6; s++) {
        t = performance.now();
        ask(cache, HOUR_S - 1 + 5 * s);
        warm.push((performance.now() - t) / STORE_TARGETS);
      }
    }
    console.log(`  The agent's side of ?spark=3600 (a real store: ${STORE_TARGETS} targets x 1 h at 1 Hz, ${(fs.statSync(path.join(dir, 'store.db')).size / 1e6).toFixed(0)} MB, filled in ${fillS.toFixed(0)} s; ${points / STORE_TARGETS} points a target, from ${new Date(from).toISOString().slice(11, 19)}):`);
    console.log(`    first read of a target from the store ${median(cold).toFixed(1)} ms (100 targets: ~${(median(cold) * 100 / 1000).toFixed(1)} s, spread over the page's first requests at <= 200 ms each); a request once kept ${median(warm).toFixed(3)} ms a target (100 targets: ~${(median(warm) * 100).toFixed(0)} ms); load ${load()}`);
  } finally {
    store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const { loadRecording } = await tsImport(path.join(root, 'src/doctor/recording-json.ts'), import.meta.url);
  const rec = loadRecording(path.join(root, 'test/fixtures/dashboard/recording-thrashing.json'));
  if (!fs.existsSync(CHROMIUM)) console.log(`dashboard: Chromium skipped, ${CHROMIUM} is missing (apt-get install chromium)`);
  else {
    const { startDashboardApi } = await tsImport(path.join(root, 'src/test-support/dashboard-api.ts'), import.meta.url);
    const { CHROMIUM_ARGS } = await tsImport(path.join(root, 'src/test-support/chromium.ts'), import.meta.url);
    await browserFigures(rec, startDashboardApi, CHROMIUM_ARGS);
  }
  if (STORE_TARGETS > 0) await storeFigures(rec);
  console.log(`  (host load average at the end ${load()} on ${os.availableParallelism()} CPUs)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
