// Browser: the dashboard in real Chromium (Debian's, through playwright-core) against the agent's JSON contract
// served from a real recording of this machine (a thrashing `repro --preset small` cgroup among the host's own).
// The incident page's screenshot goes to docs/screenshots/ (the other pages' come from the live agent test).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadRecording } from '../../../doctor/recording-json.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../test-support/chromium.js';
import { type DashboardApi, startDashboardApi } from '../../../test-support/dashboard-api.js';
import { writeEvidenceBundle } from '../../../test-support/evidence-bundle-fixture.js';
import { cannotRunHere } from '../../../test-support/live.js';
import { dashboardAssets } from './dashboard-routes.js';

const FIXTURE = new URL('../../../../test/fixtures/dashboard/recording-thrashing.json', import.meta.url).pathname;
const SHOTS = new URL('../../../../docs/screenshots/', import.meta.url).pathname;

interface Plot { data: unknown[][] }
interface DashboardCtx { charts: { plots: Array<{ plot: Plot }> } | null; lastTick: number }
interface Win { rwDashboard: DashboardCtx }
interface Styled { getAttribute(n: string): string | null }

void test('dashboardAssets() serves the page, the shared code, the app and uPlot from the package', () => {
  const a = dashboardAssets();
  assert.deepEqual([...a.keys()].sort(), ['/', '/assets/app.css', '/assets/app.js', '/assets/ui.js', '/assets/uplot.min.css', '/assets/uplot.min.js']);
  assert.match(a.get('/')!.contentType, /^text\/html/);
  const html = a.get('/')!.body.toString();
  assert.doesNotMatch(html, /https?:\/\//, 'the page refers to nothing outside its origin');
  assert.ok(a.get('/assets/uplot.min.js')!.body.length > 40_000, 'uPlot is the real minified build');
  assert.match(a.get('/assets/uplot.min.js')!.body.toString(), /uPlot/);
});

void describe('the dashboard in Chromium', () => {
  let api: DashboardApi;
  let browser: Browser | undefined;
  let dir: string;
  let thrashingId = '';
  let release = '';
  const errors: string[] = [];
  const foreign: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-dashboard-'));
    const rec = loadRecording(FIXTURE);
    release = rec.facts.kernelRelease;
    const thrashing = rec.targets.findIndex((t) => t.target.label.includes('reclaimwatch-repro'));
    const probe = await startDashboardApi({ recording: rec });
    const report = probe.report;
    await probe.close();
    const parts = await writeEvidenceBundle(path.join(dir, 'inc-1'), 'inc-1', rec, report, thrashing);
    api = await startDashboardApi({ recording: rec, incidents: [{ id: 'inc-1', targetIndex: thrashing, bundleDir: path.join(dir, 'inc-1'), parts }] });
    thrashingId = api.ids[thrashing]!;
    if (fs.existsSync(CHROMIUM)) {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    }
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(hash: string): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${hash}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`${hash}: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith(api.url) && !r.url().startsWith('data:')) foreign.push(r.url()); });
    await page.goto(`${api.url}/${hash}`);
    await page.locator('[data-ready="1"]').first().waitFor({ timeout: 10_000 });
    return page;
  }

  void test('Targets: loads without a console error, thrashing target shows its verdict in red with the word, filters work', async (t) => {
    if (!browser) return void cannotRunHere(t, `${CHROMIUM} is missing (apt-get install chromium)`);
    const page = await open('#/targets');
    const row = page.locator('tr[data-verdict="thrashing"]').first();
    const badge = row.locator('.rw-badge');
    assert.equal(await badge.textContent(), 'thrashing');
    const bg = await badge.evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g)!.map(Number) as [number, number, number];
    assert.ok(r > 150 && g < 80 && b < 80, `thrashing badge is red: ${bg}`);
    // Sorted by severity: the first row is the most severe.
    const sev = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(sev.map(Number), [...sev.map(Number)].sort((x, y) => y - x));
    assert.ok(sev.length >= 5);
    assert.equal(await row.locator('svg.rw-spark').count(), 3, 'CPU, memory and progress sparklines');
    await page.selectOption('select[aria-label="filter by verdict"]', 'thrashing');
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.selectOption('select[aria-label="filter by verdict"]', '');
    await page.fill('input[aria-label="filter by name"]', 'reclaimwatch-repro');
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.close();
    assert.deepEqual(errors, []);
  });

  void test('Node: kernel, cgroup mode, MGLRU and the agent health', async (t) => {
    if (!browser) return void cannotRunHere(t, `${CHROMIUM} is missing`);
    const page = await open('#/node');
    const text = (await page.locator('#app').textContent()) ?? '';
    // The kernel the recording was made on (the page shows what the API says, here the recording's facts).
    assert.ok(release.length > 0 && text.includes(release), `the recording's kernel ${release} on the page`);
    assert.match(text, /hybrid|unified|legacy/);
    assert.match(text, /MGLRU/);
    assert.match(text, /% of a core/);
    await page.close();
    assert.deepEqual(errors, []);
  });

  void test('One target: every chart has as many points as the API returned; drag-to-zoom asks for the zoomed range; a new tick shows within 2 s', async (t) => {
    if (!browser) return void cannotRunHere(t, `${CHROMIUM} is missing`);
    const id = thrashingId;
    // A series response whose range spans more than a minute (live ticks ask for the last second or so).
    const spanOf = (u: URL): number => Number(u.searchParams.get('to')) - Number(u.searchParams.get('from'));
    const seriesDone = (p: Page): Promise<number> => p.waitForResponse((r) => r.url().includes('/series?') && spanOf(new URL(r.url())) > 60_000)
      .then(async (r) => ((await r.json()) as { points: unknown[] }).points.length);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(`target: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`target: ${m.text()}`); });
    const first = seriesDone(page);
    await page.goto(`${api.url}/#/target/${id}`);
    const n = await first;
    await page.locator('[data-ready="1"]').waitFor();
    assert.ok(n >= 890 && n <= 901, `15 min at 1 s: ${n} points`);
    const lengths = async (): Promise<number[]> => page.evaluate(() => (globalThis as unknown as Win).rwDashboard.charts!.plots.map((p) => p.plot.data[0]!.length));
    const ls = await lengths();
    assert.equal(ls.length, 9, 'nine charts');
    // What the charts hold and the range they show, read at one instant (live ticks append points).
    // (A string, so that tsx adds no helper calls to code that runs in the page.)
    const shown = await page.evaluate<{ lens: number[]; from: number; to: number; step: number }>(`(() => {
      const area = document.querySelector('.rw-charts');
      return { lens: window.rwDashboard.charts.plots.map((p) => p.plot.data[0].length),
        from: Number(area.getAttribute('data-from')), to: Number(area.getAttribute('data-to')), step: Number(area.getAttribute('data-step')) };
    })()`);
    const again = (await (await fetch(`${api.url}/api/v1/targets/${id}/series?from=${shown.from}&to=${shown.to}&step=${shown.step}`)).json()) as { points: unknown[] };
    assert.deepEqual(shown.lens, shown.lens.map(() => again.points.length), 'each chart has the points the API returns for its range');
    assert.equal(await page.locator('.rw-seg[data-verdict]').count() > 0, true, 'the verdict band');

    // Live: the newest point follows the agent's tick within 2 s.
    const tick = await page.waitForFunction(() => Number((globalThis as unknown as { document: { getElementById(i: string): Styled } }).document.getElementById('live').getAttribute('data-last-tick')), null, { timeout: 3000 });
    const tickMs = Number(await tick.jsonValue());
    const t0 = Date.now();
    await page.waitForFunction((ms) => Number((globalThis as unknown as { document: { querySelector(s: string): Styled } }).document.querySelector('.rw-charts').getAttribute('data-last-t')) >= ms, tickMs, { timeout: 2000 });
    assert.ok(Date.now() - t0 <= 2000);

    // Zoom: drag across the middle of the CPU chart.
    const before = api.seriesRequests.length;
    const over = page.locator('[data-panel="cpu"] .u-over');
    const box = (await over.boundingBox())!;
    const zoomed = seriesDone(page);
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const zn = await zoomed;
    const asked = api.seriesRequests.slice(before).find((u) => spanOf(u) > 60_000)!;
    assert.ok(asked, 'a request for the zoomed range');
    const span = spanOf(asked);
    assert.ok(span > 2 * 60_000 && span < 4 * 60_000, `about a fifth of 15 min: ${span} ms`);
    await page.waitForFunction((k) => (globalThis as unknown as Win).rwDashboard.charts!.plots[0]!.plot.data[0]!.length === k, zn);
    assert.deepEqual(await lengths(), ls.map(() => zn));
    // A range button goes back to live with the range asked for.
    const back = seriesDone(page);
    await page.click('button[data-range="3600000"]');
    const hn = await back;
    assert.ok(hn >= 1190 && hn <= 1201, `1 h at a 3 s step: ${hn}`);
    await page.close();
    assert.deepEqual(errors, []);
  });

  void test('Incidents: the list, and the bundle in place with the flame graph and its search', async (t) => {
    if (!browser) return void cannotRunHere(t, `${CHROMIUM} is missing`);
    const page = await open('#/incidents');
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.click('a[href="#/incident/inc-1"]');
    await page.locator('[data-page="incident"][data-ready="1"]').waitFor();
    assert.equal(await page.locator('a[href="/evidence/inc-1.tar.gz"]').count(), 1);
    const flame = page.locator('[data-part="flame.svg"]');
    const frames = await flame.locator('g.f').count();
    assert.ok(frames > 3, `${frames} frames`);
    assert.ok(await page.locator('[data-part="flame-reversed.svg"] g.f').count() > 3);
    await flame.locator('input[type="search"]').fill('shrink|reclaim|try_charge');
    await flame.locator('button', { hasText: 'Search' }).click();
    const hits = await flame.locator('g.f[data-match="1"] rect').evaluateAll((rs) => (rs as unknown as Styled[]).map((r) => r.getAttribute('fill')));
    assert.ok(hits.length > 0, 'search highlights frames');
    assert.ok(hits.every((f) => f === 'rgb(230,0,230)'));
    assert.match((await flame.locator('.rw-flame-tools').textContent()) ?? '', /matched \d/);
    assert.match((await page.locator('[data-part="report.txt"] pre').textContent()) ?? '', /THRASHING/);
    await flame.screenshot({ path: path.join(SHOTS, 'incident.png') });
    await page.close();
    assert.deepEqual(errors, []);
    assert.deepEqual(foreign, [], 'no request leaves the agent');
  });
});
