// Browser: the SVG opens in headless Chromium (Debian's chromium through playwright-core), search
// highlights the matching frames, a click zooms, reset restores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { cannotRunHere } from '../test-support/live.js';

interface DomElement { getAttribute(n: string): string | null; style: { display: string } }
import { renderFlameGraph } from './render-flame-graph.js';

const CHROMIUM = '/usr/bin/chromium';
const fixture = new URL('../../test/fixtures/flame/small.folded', import.meta.url);

void test('the flame graph renders in Chromium; search highlights matches; click zooms; reset restores', async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    cannotRunHere(t, `${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-flame-browser-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const file = path.join(dir, 'small.svg');
    fs.writeFileSync(file, (await renderFlameGraph(fs.createReadStream(fixture), { title: 'small' })).svg);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    assert.equal(await page.locator('parsererror').count(), 0, 'the SVG is not well-formed XML');
    const frames = page.locator('g.f');
    assert.equal(await frames.count(), 41);
    const fillOf = (name: string): Promise<string | null> => page.locator(`g.f[data-name="${name}"] rect`).first().getAttribute('fill');
    // Kernel frames are blue (blue channel dominant), user frames warm (red dominant).
    const rgb = (s: string | null): number[] => (s ?? '').match(/\d+/g)!.map(Number);
    const k = rgb(await fillOf('shrink_lruvec'));
    const u = rgb(await fillOf('memcpy'));
    assert.ok(k[2]! > k[0]!, `kernel fill ${String(k)}`);
    assert.ok(u[0]! > u[2]!, `user fill ${String(u)}`);

    // Search: the prompt gets a regular expression; matching frames turn magenta. shrink_ covers 50 + 20 of 121 samples.
    page.once('dialog', (d) => void d.accept('shrink_'));
    await page.locator('#search').click();
    const matched = await page.locator('g.f[data-match="1"]').evaluateAll((gs) => (gs as unknown as DomElement[]).map((g) => g.getAttribute('data-name')));
    assert.deepEqual([...new Set(matched)].sort(), ['shrink_lruvec', 'shrink_node']);
    assert.equal(await fillOf('shrink_node'), 'rgb(230,0,230)');
    assert.notEqual(await fillOf('memcpy'), 'rgb(230,0,230)');
    assert.match((await page.locator('#matched').textContent()) ?? '', /^Matched: 57\.9%$/);
    await page.locator('#search').click(); // "Reset Search"
    assert.equal(await page.locator('g.f[data-match="1"]').count(), 0);

    // Zoom: clicking a frame makes it full width, hides unrelated frames, keeps ancestors as faded parents.
    const target = page.locator('g.f[data-name="DB::Aggregator::executeOnBlock"]');
    const before = Number(await target.locator('rect').getAttribute('width'));
    assert.ok(before < 1000);
    await target.click();
    assert.equal(Number(await target.locator('rect').getAttribute('width')), 1180);
    assert.equal(await page.locator('g.f[data-name="kswapd"]').evaluate((g) => (g as unknown as DomElement).style.display), 'none');
    assert.match((await page.locator('g.f[data-name="clickhouse"]').getAttribute('class')) ?? '', /parent/);
    assert.ok(await page.locator('#reset').isVisible());
    await page.locator('#reset').click();
    assert.equal(Number(await target.locator('rect').getAttribute('width')), before);
    assert.equal(await page.locator('g.f[data-name="kswapd"]').evaluate((g) => (g as unknown as DomElement).style.display), '');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
