#!/usr/bin/env node
// The agent store's figures (not a test: it prints, it never fails on a number). Build first (npm run build).
//  1. bytes per target-hour on a 1 Hz fill of this host's real target samples (a `doctor --record` of 120 s,
//     replayed in a loop with counters growing on across loops; kernel stacks as recorded),
//     extrapolated to 100 targets x 7 days against the 1 GiB goal (a full-resolution day, then 1 sample in 10);
//  2. appendTick() cost for 100 targets (the sampling loop's share), and maintain() step times;
//  3. reading 24 h of one target (goal: the time-travel query within 200 ms), whole and at a 60 s step.
// Env: BENCH_STORE_RECORDING (a `doctor --record` file; made here when absent), BENCH_STORE_TARGETS (fill, 20),
//      BENCH_STORE_HOURS (fill, 1), BENCH_STORE_DIR (where the stores go; a temporary directory).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const FILL_TARGETS = Number(process.env.BENCH_STORE_TARGETS ?? 20);
const FILL_HOURS = Number(process.env.BENCH_STORE_HOURS ?? 1);
const GIB = 2 ** 30;
const T0 = Date.UTC(2026, 0, 1);

if (!fs.existsSync(path.join(root, 'dist/agent/store/store.js'))) {
  console.error('build first: npm run build');
  process.exit(2);
}
const { Store } = await import(path.join(root, 'dist/agent/store/store.js'));
const { encodeChunk, decodeChunk } = await import(path.join(root, 'dist/agent/store/chunk-codec.js'));

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
{
  const dir = path.join(tmp, 'fill');
  const store = Store.open({ dir, maxBytes: 8 * GIB, retentionMs: 3650 * 86_400_000 });
  const ticks = Math.round(FILL_HOURS * 3600);
  const targets = Array.from({ length: FILL_TARGETS }, (_, k) => ({ id: `t${k}`, replay: replays[k % replays.length], shift: Math.floor(k / replays.length) * 37 }));
  const t0 = performance.now();
  const maintainMs = [];
  for (let i = 0; i < ticks; i++) {
    store.appendTick(T0 + i * 1000, hostReplay(i), targets.map((t) => ({ id: t.id, sample: t.replay(i + t.shift) })));
    if (i % 5 === 4) maintainMs.push(store.maintain(T0 + i * 1000, 50).elapsedMs);
  }
  for (let k = 0; k < 10_000 && store.maintain(T0 + ticks * 1000 + 3_600_000, 1000).more;) k++;
  const fillS = (performance.now() - t0) / 1000;
  store.close(); // checkpoints the WAL into the file
  const bytes = fs.statSync(path.join(dir, 'store.db')).size;
  const Database = (await import(path.join(root, 'node_modules/better-sqlite3/lib/index.js'))).default;
  const db = new Database(path.join(dir, 'store.db'), { readonly: true });
  const chunks = db.prepare('SELECT target, from_ms, data FROM chunks ORDER BY target, from_ms').all();
  db.close();
  const chunkBytes = chunks.reduce((a, c) => a + c.data.length, 0);
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
    full += group.reduce((a, c) => a + c.data.length, 0);
    thin += encodeChunk(s.filter((x) => Math.floor(x.wallMs / 1000) % 10 === 0)).length;
    thin60 += encodeChunk(s.filter((x) => Math.floor(x.wallMs / 1000) % 60 === 0)).length;
  }
  const thinRatio = thin / full;
  const thin60Ratio = thin60 / full;
  const sevenFull = perHour * 24 * 7 * 101;
  const sevenThin = perHour * 24 * 101 * (1 + 6 * thinRatio);
  const sevenThin60 = perHour * 24 * 101 * (1 + 6 * thin60Ratio);
  console.log(`1. fill: ${FILL_TARGETS} targets + host x ${FILL_HOURS} h at 1 Hz in ${fmt(fillS, 1)} s; file ${fmt(bytes / 2 ** 20, 1)} MiB (chunk data ${fmt(chunkBytes / 2 ** 20, 1)} MiB)`);
  console.log(`   bytes per target-hour: ${Math.round(perHour)} (${fmt(perHour / 3600, 1)} B per sample; the JSON is ${meanJson} B)`);
  console.log(`   100 targets x 7 days at full resolution: ${fmt(sevenFull / GIB)} GiB; with a full day then 1 in 10 (thinned chunks are ${fmt(thinRatio * 100, 0)} % of full): ${fmt(sevenThin / GIB)} GiB; then 1 in 60 (${fmt(thin60Ratio * 100, 0)} %): ${fmt(sevenThin60 / GIB)} GiB  (goal <= 1 GiB; retention thins in that order when over the limit)`);
  console.log(`   maintain() per call during the fill (every 5 ticks, 50 ms budget): p50 ${fmt(quantile(maintainMs, 0.5))} ms, p99 ${fmt(quantile(maintainMs, 0.99))} ms, max ${fmt(Math.max(...maintainMs))} ms`);
}

// --- 2. appendTick() for 100 targets -----------------------------------------------------------------------
{
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
}

// --- 3. reading 24 h of one target -------------------------------------------------------------------------
{
  const store = Store.open({ dir: path.join(tmp, 'day') });
  // The target whose mean sample size is the median one.
  const sizes = seqs.map((q, k) => [k, q.reduce((a, x) => a + JSON.stringify(x).length, 0) / q.length]).sort((a, b) => a[1] - b[1]);
  const [pick, size] = sizes[Math.floor(sizes.length / 2)];
  const day = 86_400;
  for (let i = 0; i < day; i++) {
    store.appendTick(T0 + i * 1000, { i }, [{ id: 'one', sample: replays[pick](i) }]);
    if (i % 600 === 599) store.maintain(T0 + i * 1000, 200);
  }
  for (let k = 0; k < 10_000 && store.maintain(T0 + day * 1000 + 3_600_000, 1000).more;) k++;
  const time = (f) => { const t0 = performance.now(); const c0 = cpuMs(); const n = f(); return [performance.now() - t0, n, cpuMs() - c0]; };
  const id = (x) => x;
  time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id).length); // warm
  const [whole, n, wholeCpu] = time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id).length);
  const [stepped, m, steppedCpu] = time(() => store.readTargetSamples('one', T0, T0 + day * 1000, id, { stepMs: 60_000 }).length);
  const [window, w, windowCpu] = time(() => store.readTargetSamples('one', T0 + 43_200_000, T0 + 43_200_000 + 600_000, id).length);
  store.close();
  console.log(`3. read 24 h of one target (${Math.round(size)} B samples), wall (CPU): all ${n} samples ${fmt(whole, 0)} ms (${fmt(wholeCpu, 0)}); at a 60 s step (${m}) ${fmt(stepped, 0)} ms (${fmt(steppedCpu, 0)}); a 10 min window (${w}) ${fmt(window, 1)} ms (${fmt(windowCpu, 1)})  (goal <= 200 ms)`);
}
