// Browser, for real: the agent (src/agent/agent.ts, temp store) watching a thrashing and an idle test cgroup,
// its dashboard in Debian's Chromium. The thrashing cgroup's verdict is red with the word, each chart holds the
// points the API returns for its range, a drag zooms by asking the API for the zoomed range, a new tick shows
// within 2 s, the page makes no request outside the agent and logs no error. Screenshots for the README.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { LIVE_HOST } from '../../../host/host-paths.js';
import { launchChromium } from '../../../test-support/chromium.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup } from '../../../test-support/live.js';
import { startAgent, type RunningAgent } from '../../agent.js';

const SHOTS = new URL('../../../../docs/screenshots/', import.meta.url).pathname;
const ROOT = new URL('../../../../', import.meta.url).pathname;

interface Styled { getAttribute(n: string): string | null }
interface Shown { lens: number[]; from: number; to: number; step: number; last: number }

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    const v = await f().catch((err: unknown) => {
      last = err;
      return undefined;
    });
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message}${last.cause instanceof Error ? `: ${last.cause.message}` : ''})` : ''}`);
}

const SHOWN = `(() => {
  const area = document.querySelector('.rw-charts');
  const n = (k) => Number(area.getAttribute(k));
  return { lens: window.rwDashboard.charts.plots.map((p) => p.plot.data[0].length), from: n('data-from'), to: n('data-to'), step: n('data-step'), last: n('data-last-t') };
})()`;

void test('the dashboard on a running agent: a thrashing cgroup in red with its word, charts with the API\'s points, zoom, live ticks', async (t) => {
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  const browser = await launchChromium(t);
  if (!browser) return;
  cleanups.push(() => browser.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwdash-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const data = fs.mkdtempSync('/var/tmp/rwdash-');
  cleanups.push(() => fs.rmSync(data, { recursive: true, force: true }));
  const bin = path.join(dir, 'thrash');
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, path.join(ROOT, 'test/workloads/thrash.c')]);
  const idle = makeTestCgroup('rwdash-idle');
  const thrash = makeTestCgroup('rwdash-thrash');
  cleanups.push(() => idle.remove(), () => thrash.remove());
  thrash.setLimit(48 << 20);
  spawnInCgroup(idle, 'sleep', ['600']);
  // Few threads (the host has 2 CPUs, shared): 4 x 16 MiB of files re-read and 16 MiB of anonymous memory in 48 MiB.
  const child = spawnInCgroup(thrash, bin, [data, '4', '16', '2', '8']);
  child.stdout?.resume();
  cleanups.push(() => void child.kill('SIGKILL'));
  const agent: RunningAgent = await startAgent({
    host: LIVE_HOST, listen: { host: '127.0.0.1', port: 0 }, storeDir: path.join(dir, 'store'), retentionMs: 86_400_000, storeMaxBytes: 1 << 30,
    intervalMs: 1000, windowMs: 5000, holdTicks: 2, match: [`${path.dirname(idle.path)}/rwdash-*`], log: () => undefined,
  });
  cleanups.push(() => agent.stop());
  const url = agent.url!;
  interface ApiTarget { id: string; cgroup: string; verdict: string }
  const bad = ['thrashing', 'reclaim-livelock'];
  let seen: ApiTarget[] = [];
  const target = await until('the thrash verdict in /api/v1/targets', async () => {
    seen = ((await (await fetch(`${url}/api/v1/targets`)).json()) as { targets: ApiTarget[] }).targets;
    return seen.find((x) => x.cgroup === thrash.path && bad.includes(x.verdict));
  }, 90_000).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; targets: ${JSON.stringify(seen.map((x) => [x.id, x.cgroup, x.verdict]))}, thrash ${thrash.path}`);
  });
  // Some history for the charts.
  await new Promise((r) => setTimeout(r, 8000));

  // Sparklines of history over HTTP: a bad span is a 400 with its reason; an hour comes from the store.
  const refused = await fetch(`${url}/api/v1/targets?spark=59`);
  assert.equal(refused.status, 400);
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /spark/);
  const hour = (await (await fetch(`${url}/api/v1/targets?spark=3600`)).json()) as { spark: { source: string } };
  assert.equal(hour.spark.source, 'store');

  const errors: string[] = [];
  const foreign: string[] = [];
  const open = async (hash: string): Promise<Page> => {
    const t0 = Date.now();
    const h = await fetch(`${url}/healthz`).then((r) => r.status, (e: unknown) => String(e));
    t.diagnostic(`${hash}: /healthz ${h} in ${Date.now() - t0} ms; sampler ${JSON.stringify(agent.watch.sampler.stats().lastTick?.durationMs)}`);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${hash}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`${hash}: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('data:')) foreign.push(r.url()); });
    await page.goto(`${url}/${hash}`, { waitUntil: 'commit', timeout: 60_000 });
    await page.locator('[data-ready="1"]').first().waitFor({ timeout: 60_000 });
    await page.locator('#live[data-last-tick]').waitFor({ timeout: 10_000 });
    return page;
  };

  // Targets: the thrashing row's badge carries the word, and thrashing is red.
  let page = await open('#/targets');
  const row = page.locator(`tr[data-id="${target.id}"]`);
  const verdict = (await row.getAttribute('data-verdict'))!;
  assert.ok(bad.includes(verdict), verdict);
  assert.equal(await row.locator('.rw-badge').textContent(), verdict);
  if (verdict === 'thrashing') {
    const bg = await row.locator('.rw-badge').evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g)!.map(Number) as [number, number, number];
    assert.ok(r > 150 && g < 80 && b < 80, `thrashing is red: ${bg}`);
  }
  assert.equal(await page.locator('tbody tr').first().getAttribute('data-id'), target.id, 'the most severe first');
  await page.screenshot({ path: path.join(SHOTS, 'targets.png') });
  await page.close();

  page = await open('#/node');
  assert.match((await page.locator('#app').textContent()) ?? '', /% of a core/);
  await page.screenshot({ path: path.join(SHOTS, 'node.png') });
  await page.close();

  // One target: what the charts hold is what the API returns for the range they show.
  page = await open(`#/target/${encodeURIComponent(target.id)}`);
  const seriesOf = async (s: Shown): Promise<number> => ((await (await fetch(`${url}/api/v1/targets/${encodeURIComponent(target.id)}/series?from=${s.from}&to=${s.to}&step=${s.step}`)).json()) as { points: unknown[] }).points.length;
  let shown = await page.evaluate<Shown>(SHOWN);
  assert.equal(shown.lens.length, 9);
  assert.ok(shown.lens[0]! >= 5, `${shown.lens[0]} points`);
  // A tick may append a point between the page's read and ours: read both again until they agree (they must, soon).
  let apiCount = await seriesOf(shown);
  for (let i = 0; i < 3 && apiCount !== shown.lens[0]; i++) {
    shown = await page.evaluate<Shown>(SHOWN);
    apiCount = await seriesOf(shown);
  }
  assert.deepEqual(shown.lens, shown.lens.map(() => apiCount));
  assert.ok(await page.locator('.rw-seg[data-verdict]').count() > 0, 'the verdict band');
  await page.screenshot({ path: path.join(SHOTS, 'target.png'), fullPage: true });

  // Live: after a tick event, the newest point is there within 2 s.
  const lastBefore = shown.last;
  const tick = Number(await (await page.waitForFunction((prev) => {
    const v = Number((globalThis as unknown as { document: { getElementById(i: string): Styled } }).document.getElementById('live').getAttribute('data-last-tick'));
    return v > prev ? v : 0;
  }, lastBefore, { timeout: 5000 })).jsonValue());
  const t0 = Date.now();
  await page.waitForFunction((ms) => Number((globalThis as unknown as { document: { querySelector(s: string): Styled } }).document.querySelector('.rw-charts').getAttribute('data-last-t')) >= ms - 1000, tick, { timeout: 2000 });
  assert.ok(Date.now() - t0 <= 2000);

  // Zoom: drag over the middle of the CPU chart; the next range asked for is inside the one shown.
  const before = await page.evaluate<Shown>(SHOWN);
  const over = page.locator('[data-panel="cpu"] .u-over');
  const box = (await over.boundingBox())!;
  const asked = page.waitForRequest((r) => r.url().includes('/series?') && Number(new URL(r.url()).searchParams.get('to')) < before.last - 500);
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  const q = new URL((await asked).url()).searchParams;
  assert.ok(Number(q.get('from')) > before.from && Number(q.get('to')) < before.last, `zoomed ${q.toString()} inside ${before.from}..${before.last}`);
  await page.waitForFunction(`document.querySelector('.rw-charts').getAttribute('data-to') === '${q.get('to')}'`);
  const z = await page.evaluate<Shown>(SHOWN);
  assert.deepEqual(z.lens, z.lens.map(() => z.lens[0]));
  assert.equal(z.lens[0], await seriesOf(z), 'the zoomed charts hold what the API returns for the zoomed range');
  await page.close();

  // Incidents: the thrash is one (its bundle, when the evidence capture made one, is checked in dashboard-routes.test.ts).
  page = await open('#/incidents');
  assert.match((await page.locator('#app').textContent()) ?? '', new RegExp(thrash.path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  await page.screenshot({ path: path.join(SHOTS, 'incidents.png') });
  await page.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
});
