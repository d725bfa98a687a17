#!/usr/bin/env node
// The agent store's figures (not a test: it prints, it never fails on a number). Build first (npm run build).
//  1. bytes per target-hour on a 1 Hz fill of this host's real target samples (a `doctor --record` of 120 s,
//     replayed in a loop with counters growing on across loops; kernel stacks as recorded),
//     extrapolated to 100 targets x 7 days against the 1 GiB goal (a full-resolution day, then 1 sample in 10);
//  2. appendTick() cost for 100 targets (the sampling loop's share), and maintain() step times;
//  3. reading 24 h of one target (goal: the time-travel query within 200 ms): whole samples (every one, at a 60 s
//     step, at the step the series API picks for a day: 44 s rounded up to whole minutes, 60 s), the 10 min window
//     `doctor --store --at` reads; then the samples' series projections (what the series API reads: at 60 s, at an
//     explicit 44 s step, every sample) and the series API's handler itself (targetSeries(): reads, derive, points)
//     for a day at its own step and at step=44000.
// Then every figure again in one table.
// Env: BENCH_STORE_RECORDING (a `doctor --record` file; made here when absent), BENCH_STORE_TARGETS (fill, 20),
//      BENCH_STORE_HOURS (fill, 1), BENCH_STORE_DIR (where the stores go; a temporary directory),
//      BENCH_STORE_DIST (the built tree to measure, default dist/), BENCH_STORE_PARTS (which parts, default 1,2,3).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const FILL_TARGETS = Number(process.env.BENCH_STORE_TARGETS ?? 20);
const FILL_HOURS = Number(process.env.BENCH_STORE_HOURS ?? 1);
const GIB = 2 ** 30;
const PARTS = new Set((process.env.BENCH_STORE_PARTS ?? '1,2,3').split(',').map(Number));
const T0 = Date.UTC(2026, 0, 1);

const dist = path.resolve(process.env.BENCH_STORE_DIST ?? path.join(root, 'dist'));
if (!fs.existsSync(path.join(dist, 'agent/store/store.js'))) {
  console.error('build first: npm run build');
  process.exit(2);
}
const { Store } = await import(path.join(dist, 'agent/store/store.js'));
const { encodeChunk, decodeChunk } = await import(path.join(dist, 'agent/store/chunk-codec.js'));
const { targetSeries } = await import(path.join(dist, 'agent/http/api.js'));
// Builds before the series projection have no series codec (their chunks have no series column).
const seriesCodec = fs.existsSync(path.join(dist, 'agent/store/series-codec.js')) ? await import(path.join(dist, 'agent/store/series-codec.js')) : undefined;
/** Every figure, for the table at the end: [what, value, goal]. */
const table = [];

const tmp = fs.mkdtempSync(path.join(process.env.BENCH_STORE_DIR ?? os.tmpdir(), 'rwbench-store-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function recording() {
  const given = process.env.BENCH_STORE_RECORDING;
  if (given) return JSON.parse(fs.readFileSync(given, 'utf8'));
  const file = path.join(tmp, 'rec.json');
  console.log('recording 120 s of this host\'s targets (doctor --all --window 120 --record) ...');
  execFileSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'doctor', '--all', '--window', '120', '--record', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// --- real samples, replayed over time ----------------------------------------------------------------------
// Each target replays its recorded sequence in a loop; a counter (a number that grew over the recording) keeps
// growing across loops, so deltas stay as real as the recording's, and nothing repeats exactly.
function leafPaths(v, p, out) {
  if (Array.isArray(v)) v.forEach((x, k) => leafPaths(x, `${p}[${k}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) leafPaths(x, `${p}.${k}`, out);
  else if (typeof v === 'number' && Number.isFinite(v)) out.set(p, v);
  return out;
}
function replayer(seq) {
  const first = leafPaths(seq[0], '', new Map());
  const last = leafPaths(seq.at(-1), '', new Map());
  const growth = new Map();
  for (const [p, v] of last) if (first.has(p) && v > first.get(p)) growth.set(p, v - first.get(p));
  const span = seq.at(-1).wallMs - seq[0].wallMs + 1000;
  return (i) => {
    const cycle = Math.floor(i / seq.length);
    const base = seq[i % seq.length];
    if (cycle === 0) return { ...base, wallMs: T0 + i * 1000 };
    const walk = (v, p) => {
      if (Array.isArray(v)) return v.map((x, k) => walk(x, `${p}[${k}]`));
      if (v && typeof v === 'object') {
        const o = {};
        for (const [k, x] of Object.entries(v)) o[k] = walk(x, `${p}.${k}`);
        return o;
      }
      const g = growth.get(p);
      return g === undefined || typeof v !== 'number' ? v : v + cycle * g;
    };
    const s = walk(base, '');
    s.wallMs = T0 + i * 1000;
    s.monoMs = base.monoMs + cycle * span;
    return s;
  };
}

const rec = recording();
const seqs = rec.targets.map((t) => t.samples).filter((s) => s.length > 0);
if (seqs.length === 0) { console.error('the recording has no target samples'); process.exit(2); }
const replays = seqs.map(replayer);
const hostReplay = replayer(rec.hostSamples);
const all = seqs.flat();
const meanJson = Math.round(all.reduce((a, b) => a + JSON.stringify(b).length, 0) / all.length);
const withStacks = all.filter((s) => s.stacks?.length).length;
console.log(`store bench: ${seqs.length} targets of this host recorded ${seqs[0].length} s (mean sample ${meanJson} B of JSON, ${Math.round(withStacks / all.length * 100)} % with kernel stacks), replayed`);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const fmt = (x, d = 2) => x.toFixed(d);

// --- 1. bytes per target-hour ------------------------------------------------------------------------------
if (PARTS.has(1)) {
  const dir = path.join(tmp, 'fill');
  const store = Store.open({ dir, maxBytes: 8 * GIB, retentionMs: 3650 * 86_400_000 });
  const ticks = Math.round(FILL_HOURS * 3600);
  const targets = Array.from({ length: FILL_TARGETS }, (_, k) => ({ id: `t${k}`, replay: replays[k % replays.length], shift: Math.floor(k / replays.length) * 37 }));
  const t0 = performance.now();
  const maintainMs = [];
  let maintainCpu = 0;
  for (let i = 0; i < ticks; i++) {
    store.appendTick(T0 + i * 1000, hostReplay(i), targets.map((t) => ({ id: t.id, sample: t.replay(i + t.shift) })));
    if (i % 5 === 4) {
      const c0 = cpuMs();
      maintainMs.push(store.maintain(T0 + i * 1000, 50).elapsedMs);
      maintainCpu += cpuMs() - c0;
    }
  }
  {
    const c0 = cpuMs();
    for (let k = 0; k < 10_000 && store.maintain(T0 + ticks * 1000 + 3_600_000, 1000).more;) k++;
    maintainCpu += cpuMs() - c0;
  }
  // Compaction's CPU per sample folded, as a share of a tick of 100 targets + the host.
  const maintainPerTick = maintainCpu / (ticks * (FILL_TARGETS + 1)) * 101;
  const fillS = (performance.now() - t0) / 1000;
  store.close(); // checkpoints the WAL into the file
  const bytes = fs.statSync(path.join(dir, 'store.db')).size;
  const Database = (await import(path.join(root, 'node_modules/better-sqlite3/lib/index.js'))).default;
  const db = new Database(path.join(dir, 'store.db'), { readonly: true });
  const withSeries = seriesCodec !== undefined;
  const chunks = db.prepare(`SELECT target, from_ms, data, ${withSeries ? 'series' : 'NULL AS series'} FROM chunks ORDER BY target, from_ms`).all();
  db.close();
  const chunkBytes = chunks.reduce((a, c) => a + c.data.length, 0);
  const seriesBytes = chunks.reduce((a, c) => a + (c.series?.length ?? 0), 0);
  const series = FILL_TARGETS + 1; // + the host
  const perHour = bytes / series / FILL_HOURS;
  // Thinning old chunks to 1 sample in 10 (what retention does past a day under size pressure):
  // Thinning as retention does it: one sample per step, the chunks of one target and hour merged into one.
  let full = 0, thin = 0, thin60 = 0;
  const hours = new Map();
  for (const c of chunks) {
    const key = `${c.target}:${Math.floor(c.from_ms / 3_600_000)}`;
    if (!hours.has(key)) hours.set(key, []);
    hours.get(key).push(c);
  }
  for (const group of [...hours.values()].slice(0, 40)) {
    const s = group.flatMap((c) => decodeChunk(c.data));
    full += group.reduce((a, c) => a + c.data.length + (c.series?.length ?? 0), 0);
    // A thinned chunk as retention writes it: its samples, and their series projection when the build has one.
    const thinned = (every) => {
      const kept = s.filter((x) => Math.floor(x.wallMs / 1000) % every === 0);
      return encodeChunk(kept).length + (seriesCodec ? seriesCodec.encodeSeriesChunk(group[0].target === '' ? 'host' : 'target', kept).length : 0);
    };
    thin += thinned(10);
    thin60 += thinned(60);
  }
  const thinRatio = thin / full;
  const thin60Ratio = thin60 / full;
  const sevenFull = perHour * 24 * 7 * 101;
  const sevenThin = perHour * 24 * 101 * (1 + 6 * thinRatio);
  const sevenThin60 = perHour * 24 * 101 * (1 + 6 * thin60Ratio);
  console.log(`1. fill: ${FILL_TARGETS} targets + host x ${FILL_HOURS} h at 1 Hz in ${fmt(fillS, 1)} s; file ${fmt(bytes / 2 ** 20, 1)} MiB (chunk data ${fmt(chunkBytes / 2 ** 20, 1)} MiB, series projections ${fmt(seriesBytes / 2 ** 20, 2)} MiB)`);
  console.log(`   bytes per target-hour: ${Math.round(perHour)} (${fmt(perHour / 3600, 1)} B per sample; the JSON is ${meanJson} B)`);
  console.log(`   100 targets x 7 days at full resolution: ${fmt(sevenFull / GIB)} GiB; with a full day then 1 in 10 (thinned chunks are ${fmt(thinRatio * 100, 0)} % of full): ${fmt(sevenThin / GIB)} GiB; then 1 in 60 (${fmt(thin60Ratio * 100, 0)} %): ${fmt(sevenThin60 / GIB)} GiB  (goal <= 1 GiB; retention thins in that order when over the limit)`);
  console.log(`   maintain() per call during the fill (every 5 ticks, 50 ms budget): p50 ${fmt(quantile(maintainMs, 0.5))} ms, p99 ${fmt(quantile(maintainMs, 0.99))} ms, max ${fmt(Math.max(...maintainMs))} ms; CPU ${fmt(maintainPerTick)} ms per tick of 100 targets (compaction of every sample)`);
  table.push(['bytes per target-hour (B per sample)', `${Math.round(perHour)} (${fmt(perHour / 3600, 1)})`, '']);
  table.push(['100 targets x 7 days, full resolution', `${fmt(sevenFull / GIB)} GiB`, '<= 1 GiB']);
  table.push(['  ... a full day, then 1 in 10 (retention under pressure)', `${fmt(sevenThin / GIB)} GiB`, '<= 1 GiB']);
  table.push(['  ... a full day, then 1 in 60', `${fmt(sevenThin60 / GIB)} GiB`, '<= 1 GiB']);
  table.push(['maintain() CPU per tick of 100 targets (compaction)', `${fmt(maintainPerTick)} ms`, '']);
}

// --- 2. appendTick() for 100 targets -----------------------------------------------------------------------
if (PARTS.has(2)) {
  const store = Store.open({ dir: path.join(tmp, 'append') });
  const targets = Array.from({ length: 100 }, (_, k) => ({ id: `t${k}`, replay: replays[k % replays.length] }));
  const ms = [];
  let cpu = 0;
  for (let i = 0; i < 200; i++) {
    const host = hostReplay(i);
    const ts = targets.map((t) => ({ id: t.id, sample: t.replay(i) })); // the sampler's work, not timed
    const c0 = cpuMs();
    const t0 = performance.now();
    store.appendTick(T0 + i * 1000, host, ts);
    ms.push(performance.now() - t0);
    if (i >= 20) cpu += cpuMs() - c0;
  }
  store.close();
  console.log(`2. appendTick() with 100 targets (encode + one transaction): p50 ${fmt(quantile(ms.slice(20), 0.5))} ms, p99 ${fmt(quantile(ms.slice(20), 0.99))} ms per tick; ${fmt(cpu / 180)} ms CPU per tick`);
  table.push(['appendTick() CPU per tick, 100 targets', `${fmt(cpu / 180)} ms`, 'store <= 2-3 ms per tick in all']);
}

// --- 3. reading 24 h of one target -------------------------------------------------------------------------
if (PARTS.has(3)) {
  const store = Store.open({ dir: path.join(tmp, 'day') });
  // The target whose mean sample size is the median one.
  const sizes = seqs.map((q, k) => [k, q.reduce((a, x) => a + JSON.stringify(x).length, 0) / q.length]).sort((a, b) => a[1] - b[1]);
  const [pick, size] = sizes[Math.floor(sizes.length / 2)];
  const day = 86_400;
  for (let i = 0; i < day; i++) {
    store.appendTick(T0 + i * 1000, hostReplay(i), [{ id: 'one', sample: replays[pick](i) }]);
    if (i % 600 === 599) store.maintain(T0 + i * 1000, 200);
  }
  for (let k = 0; k < 10_000 && store.maintain(T0 + day * 1000 + 3_600_000, 1000).more;) k++;
  const time = (f) => { const t0 = performance.now(); const c0 = cpuMs(); const n = f(); return [performance.now() - t0, n, cpuMs() - c0]; };
  const id = (x) => x;
  time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id).length); // warm
  const [whole, n, wholeCpu] = time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id).length);
  const [stepped, m, steppedCpu] = time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id, { stepMs: 60_000 }).length);
  const autoStep = Math.max(1000, Math.ceil(day * 1000 / 2000 / 1000) * 1000);
  const apiStep = autoStep > 30_000 ? Math.ceil(autoStep / 60_000) * 60_000 : autoStep; // as targetSeries() picks it: past 30 s, whole minutes
  const [api, a, apiCpu] = time(() => store.readTargetSamples('one', T0 - apiStep, T0 + day * 1000, id, { stepMs: apiStep }).length);
  const [window, w, windowCpu] = time(() => store.readTargetSamples('one', T0 + 43_200_000, T0 + 43_200_000 + 600_000, id).length);
  console.log(`3. read 24 h of one target (${Math.round(size)} B samples), wall (CPU): all ${n} samples ${fmt(whole, 0)} ms (${fmt(wholeCpu, 0)}); at a 60 s step (${m}) ${fmt(stepped, 0)} ms (${fmt(steppedCpu, 0)}); at the API's ${apiStep / 1000} s step (${a}) ${fmt(api, 0)} ms (${fmt(apiCpu, 0)}); a 10 min window (${w}) ${fmt(window, 1)} ms (${fmt(windowCpu, 1)})  (goal <= 200 ms)`);
  // The series projections (a build without them reads whole samples here: the "before" figures).
  const ser = { series: true };
  // Each path once before it is timed (as the whole read above): the agent serves these warm, many times a day.
  const [s60cold] = time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id, { ...ser, stepMs: 60_000 }).length);
  const [s60, sn60, s60Cpu] = time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id, { ...ser, stepMs: 60_000 }).length);
  const [s44, sn44, s44Cpu] = time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id, { ...ser, stepMs: 44_000 }).length);
  const [s1, sn1, s1Cpu] = time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id, ser).length);
  const q = (o) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)]));
  const apiPoints = (o) => { const r = targetSeries(store, 'one', q(o), T0 + day * 1000); if (r.status !== 200) throw new Error(JSON.stringify(r.body)); return r.body.points.length; };
  const [h60cold] = time(() => apiPoints({ from: T0, to: T0 + day * 1000 }));
  const [h60, hn60, h60Cpu] = time(() => apiPoints({ from: T0, to: T0 + day * 1000 }));
  const [h44, hn44, h44Cpu] = time(() => apiPoints({ from: T0, to: T0 + day * 1000, step: 44_000 }));
  // The dashboard's day chart asks for 1,500 points: step=58000 (app-script.ts stepFor()).
  const [h58, hn58, h58Cpu] = time(() => apiPoints({ from: T0, to: T0 + day * 1000, step: 58_000 }));
  store.close();
  console.log(`   series projections of 24 h, wall (CPU): at a 60 s step (${sn60}) ${fmt(s60, 0)} ms (${fmt(s60Cpu, 0)}; the first call ${fmt(s60cold, 0)} ms); at a 44 s step (${sn44}) ${fmt(s44, 0)} ms (${fmt(s44Cpu, 0)}); every sample (${sn1}) ${fmt(s1, 0)} ms (${fmt(s1Cpu, 0)})`);
  console.log(`   the series API's handler over 24 h (reads, derive, points), wall (CPU): its own step (${hn60} points) ${fmt(h60, 0)} ms (${fmt(h60Cpu, 0)}; the first call ${fmt(h60cold, 0)} ms); step=44000 (${hn44} points) ${fmt(h44, 0)} ms (${fmt(h44Cpu, 0)}); step=58000, the dashboard's day (${hn58} points) ${fmt(h58, 0)} ms (${fmt(h58Cpu, 0)})  (goal <= 200 ms)`);
  table.push(['24 h of one target at a 60 s step', `${fmt(stepped, 0)} ms (${m} samples)`, '<= 200 ms']);
  table.push([`24 h at the series API's step (${apiStep / 1000} s)`, `${fmt(api, 0)} ms (${a} samples)`, '<= 200 ms']);
  table.push(['24 h of one target, every sample', `${fmt(whole, 0)} ms (${n} samples)`, '<= 200 ms']);
  table.push(['10 min window (doctor --store --at)', `${fmt(window, 1)} ms (${w} samples)`, '']);
  table.push(['24 h series projections at a 60 s step', `${fmt(s60, 0)} ms (${sn60} samples)`, '<= 200 ms']);
  table.push(['24 h series projections at a 44 s step', `${fmt(s44, 0)} ms (${sn44} samples)`, '<= 200 ms']);
  table.push(['24 h series projections, every sample', `${fmt(s1, 0)} ms (${sn1} samples)`, '<= 200 ms']);
  table.push([`series API, 24 h at its step (60 s)`, `${fmt(h60, 0)} ms (${hn60} points)`, '<= 200 ms']);
  table.push(['series API, 24 h at step=44000', `${fmt(h44, 0)} ms (${hn44} points)`, '<= 200 ms']);
  table.push(['series API, 24 h at step=58000 (the dashboard)', `${fmt(h58, 0)} ms (${hn58} points)`, '<= 200 ms']);
}

const widths = [0, 1, 2].map((k) => Math.max(...table.map((r) => r[k].length), ['figure', 'measured', 'goal'][k].length));
const line = (r) => `| ${r.map((x, k) => x.padEnd(widths[k])).join(' | ')} |`;
console.log(`\n${line(['figure', 'measured', 'goal'])}\n|${widths.map((x) => '-'.repeat(x + 2)).join('|')}|`);
for (const r of table) console.log(line(r));
