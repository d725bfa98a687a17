// The self-contained reports (doctor, repro, evidence) open from file:// in real Chromium with every request
// routed and none made; charts, badges and the flame graph's search work offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadRecording } from '../../doctor/recording-json.js';
import { assessRecording } from '../../doctor/run-doctor.js';
import type { ReproReport } from '../../repro/report.js';
import { launchChromium } from '../../test-support/chromium.js';
import { writeEvidenceBundle } from '../../test-support/evidence-bundle-fixture.js';
import { renderDoctorHtml } from './render-doctor-html.js';
import { renderEvidenceHtml } from './render-evidence-html.js';
import { renderReproHtml } from './render-repro-html.js';

const FIXTURES = new URL('../../../test/fixtures/dashboard/', import.meta.url).pathname;
const SHOTS = new URL('../../../docs/screenshots/', import.meta.url).pathname;

interface Styled { getAttribute(n: string): string | null }

/** Opens a file with every request routed: the file itself is let through, anything else is recorded and aborted. */
async function openOffline(browser: Browser, file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  const self = `file://${file}`;
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u === self) return route.continue();
    requests.push(u);
    return route.abort();
  });
  page.on('request', (r) => { if (r.url() !== self && !requests.includes(r.url())) requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(self);
  await page.locator('body[data-ready="1"]').waitFor({ timeout: 10_000 });
  return { page, requests, errors };
}

void test('doctor, repro and evidence HTML reports open from file:// with no network request', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-html-'));
  try {
    fs.mkdirSync(SHOTS, { recursive: true });
    const rec = loadRecording(path.join(FIXTURES, 'recording-thrashing.json'));
    const report = assessRecording(rec);

    await t.test('doctor --html: verdict badges with words, one chart per panel with the window\'s points', async () => {
      const file = path.join(dir, 'doctor.html');
      fs.writeFileSync(file, renderDoctorHtml(report, rec));
      const { page, requests, errors } = await openOffline(browser, file);
      const badge = page.locator('section.rw-target .rw-badge.v-thrashing').first();
      assert.equal(await badge.textContent(), 'thrashing');
      const open = page.locator('section.rw-target details[open] [data-chart]');
      assert.equal(await open.count(), 1, 'the thrashing target is open with its charts');
      const panels = open.first().locator('.rw-panel');
      assert.equal(await panels.count(), 9);
      const samples = rec.targets.find((x) => x.target.label.includes('reclaimwatch-repro'))!.samples.length;
      assert.equal(await panels.first().getAttribute('data-points'), String(samples - 1), 'one point per interval of the window');
      assert.ok(await page.locator('canvas').count() >= 9);
      await page.screenshot({ path: path.join(SHOTS, 'doctor-report.png') });
      // A closed target draws its charts when opened.
      const closedId = await page.locator('section.rw-target:has(details:not([open]))').first().getAttribute('id');
      const closed = page.locator(`section#${closedId!}`);
      assert.equal(await closed.locator('.rw-panel').count(), 0, 'not drawn while closed');
      await closed.locator('summary').click();
      await closed.locator('.rw-panel').first().waitFor();
      assert.equal(await closed.locator('.rw-panel').count(), 9);
      assert.deepEqual(requests, []);
      assert.deepEqual(errors, []);
      await page.close();
    });

    await t.test('repro --html: the legs with the workload\'s progress first', async () => {
      const r = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'repro-small.json'), 'utf8')) as ReproReport;
      const file = path.join(dir, 'repro.html');
      fs.writeFileSync(file, renderReproHtml(r));
      const { page, requests, errors } = await openOffline(browser, file);
      assert.equal(await page.locator('h1 .rw-badge').textContent(), r.verdict);
      const first = page.locator('[data-chart="0"] .rw-panel').first();
      assert.equal(await first.getAttribute('data-panel'), 'workload-progress');
      assert.equal(await first.getAttribute('data-points'), String(r.legs[0]!.seconds.length));
      // The leg's variant and its kernel CPU profile (this fixture: a real repro --preset small on this host).
      const text = (await page.textContent('body')) ?? '';
      assert.match(text, new RegExp(`livelock variant ${r.legs[0]!.verdict.variant!.variant}`));
      assert.match(text, /kernel CPU profile: (bpftrace|proc-stack) at \d+ Hz over [\d.]+ s/);
      assert.deepEqual(requests, []);
      assert.deepEqual(errors, []);
      await page.close();
    });

    await t.test('evidence export --html: the bundle\'s parts, the flame graphs with their search', async () => {
      const i = rec.targets.findIndex((x) => x.target.label.includes('reclaimwatch-repro'));
      const bundle = path.join(dir, 'bundle');
      await writeEvidenceBundle(bundle, 'inc-7', rec, report, i);
      // The kernel profile's summary as a capture on this host wrote it (bpftrace, 2.5 s at 99 Hz).
      const mf = path.join(bundle, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(mf, 'utf8')) as Record<string, unknown>;
      manifest['kernelProfile'] = {
        method: 'bpftrace', hz: 99, durationMs: 2500, samples: 132, kernelSamples: 121, filter: 'cgroup /reclaimwatch-repro (bpftrace cgroup filter)',
        top: [{ name: '_raw_spin_unlock_irq', samples: 75, share: 0.568 }, { name: 'shrink_lruvec', samples: 12, share: 0.091 }],
        shares: { evictFolios: 0, spinLockInReclaim: 0.568, shrinkLruvec: 0.62, lruNoteCost: 0.05, mmapLockWait: 0, reclaim: 0.8 }, fallbacks: [], notes: [],
      };
      fs.writeFileSync(mf, JSON.stringify(manifest));
      const file = path.join(dir, 'evidence.html');
      fs.writeFileSync(file, renderEvidenceHtml(bundle));
      const { page, requests, errors } = await openOffline(browser, file);
      assert.equal(await page.locator('#flame-0 g.f').count() > 3, true);
      assert.equal(await page.locator('#flame-1 g.f').count() > 3, true);
      await page.locator('#flame-0 input[type="search"]').fill('shrink|reclaim|try_charge');
      await page.locator('#flame-0 button', { hasText: 'Search' }).click();
      const fills = await page.locator('#flame-0 g.f[data-match="1"] rect').evaluateAll((rs) => (rs as unknown as Styled[]).map((r) => r.getAttribute('fill')));
      assert.ok(fills.length > 0 && fills.every((f) => f === 'rgb(230,0,230)'));
      // The flame graph's own zoom (its script, run inline) works too.
      const g = page.locator('#flame-0 g.f:not([data-root])').first();
      await g.click();
      assert.ok(await page.locator('#flame-0 #reset').isVisible());
      assert.match((await page.textContent('body')) ?? '', /absent: bpftrace was not run/);
      assert.match((await page.textContent('body')) ?? '', /Kernel CPU profile[\s\S]*method bpftrace at 99 Hz[\s\S]*56\.8 %[\s\S]*_raw_spin_unlock_irq/);
      assert.equal(await page.locator('.rw-badge.v-thrashing').count() > 0, true);
      assert.deepEqual(requests, []);
      assert.deepEqual(errors, []);
      await page.close();
    });
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('renderEvidenceHtml() says what is wrong with a path that is not a bundle', () => {
  assert.throws(() => renderEvidenceHtml('/nonexistent/bundle'), /cannot read evidence bundle \/nonexistent\/bundle: ENOENT/);
  assert.throws(() => renderEvidenceHtml(fileURLToPathSafe()), /is not an evidence bundle directory/);
});

function fileURLToPathSafe(): string {
  return new URL(import.meta.url).pathname;
}
