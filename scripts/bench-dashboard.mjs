#!/usr/bin/env node
// The dashboard's render time in Chromium (Debian's /usr/bin/chromium through playwright-core): the Targets page
// with 100 targets, each with an hour of 1 Hz sparkline data (CPU, memory against the limit, progress), and one
// target's nine charts over an hour at 1 s. Goal: ≤ 1 s from navigation to drawn. The data is the real recording
// of a thrashing `repro --preset small` cgroup (test/fixtures/dashboard/), served by the contract server of the
// browser tests (src/test-support/dashboard-api.ts, loaded through tsx). Prints figures; never fails on a number.
import fs from 'node:fs';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const ROUNDS = Number(process.env.BENCH_DASHBOARD_ROUNDS ?? 5);
const CHROMIUM = '/usr/bin/chromium';

async function main() {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`dashboard: skipped, ${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const { startDashboardApi } = await tsImport(path.join(root, 'src/test-support/dashboard-api.ts'), import.meta.url);
  const { CHROMIUM_ARGS } = await tsImport(path.join(root, 'src/test-support/chromium.ts'), import.meta.url);
  const { loadRecording } = await tsImport(path.join(root, 'src/doctor/recording-json.ts'), import.meta.url);
  const rec = loadRecording(path.join(root, 'test/fixtures/dashboard/recording-thrashing.json'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  let api;
  try {
    const measure = async (hash, mark, ready) => {
      const out = [];
      for (let r = 0; r < ROUNDS + 1; r++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        // The renderer's main-thread CPU time (CDP Performance.ThreadTime): what the page itself costs, which a
        // loaded host stretches far less than wall time.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        await page.goto(`${api.url}/${hash}`);
        await page.locator(ready).first().waitFor({ timeout: 30_000 });
        const ms = await page.evaluate(`performance.getEntriesByName('${mark}')[0].startTime`);
        // When the last API response had arrived: the rest is parsing and drawing in the page.
        const apiEnd = await page.evaluate(`Math.max(...performance.getEntriesByType('resource').filter((e) => e.name.includes('${hash.includes('target/') ? '/series?' : '/api/v1/targets'}')).map((e) => e.responseEnd))`);
        const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
        const cpuMs = (metrics.ThreadTime ?? metrics.TaskDuration ?? NaN) * 1000;
        const n = await page.evaluate(`document.querySelectorAll('[data-page="targets"] tbody tr, .rw-panel').length`);
        await page.close();
        if (r > 0) out.push({ ms, n, draw: ms - apiEnd, cpuMs }); // the first round warms Chromium's caches
      }
      out.sort((a, b) => a.ms - b.ms);
      const draws = out.map((o) => o.draw).sort((a, b) => a - b);
      const cpus = out.map((o) => o.cpuMs).sort((a, b) => a - b);
      return { median: out[out.length >> 1].ms, worst: out[out.length - 1].ms, n: out[0].n, draw: draws[draws.length >> 1], cpu: cpus[cpus.length >> 1] };
    };
    console.log(`dashboard (Chromium ${browser.version()}, ${ROUNDS} rounds after a warm-up; navigation start to drawn, median / worst):`);
    for (const step of [1, 15]) {
      api = await startDashboardApi({ recording: rec, copies: 20, maxTargets: 100, sparkSeconds: 3600, sparkStepSeconds: step });
      const targets = await measure('#/targets', 'rw-targets-drawn', '[data-page="targets"][data-ready="1"]');
      const body = (await (await fetch(`${api.url}/api/v1/targets`)).text()).length;
      const what = step === 1 ? '3,600 points (every second)' : `${3600 / step} points (${step} s means)`;
      console.log(`  Targets page, ${targets.n} targets x 3 sparklines of an hour, ${what}, ${(body / 1e6).toFixed(1)} MB of JSON: ${targets.median.toFixed(0)} ms / ${targets.worst.toFixed(0)} ms   goal <= 1000 ms; parsing and drawing after the response: ${targets.draw.toFixed(0)} ms; page main-thread CPU ${targets.cpu.toFixed(0)} ms`);
      if (step === 1) {
        const t = await measure(`#/target/${api.ids[1]}`, 'rw-target-drawn', '[data-page="target"][data-ready="1"]');
        console.log(`  One target, ${t.n} uPlot charts over 1 h (1,200 points at a 3 s step): ${t.median.toFixed(0)} ms / ${t.worst.toFixed(0)} ms; drawing after the series response: ${t.draw.toFixed(0)} ms; page main-thread CPU ${t.cpu.toFixed(0)} ms`);
      }
      await api.close();
      api = undefined;
    }
    console.log(`  (host load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${(await import('node:os')).availableParallelism()} CPUs)`);
  } finally {
    await browser.close();
    await api?.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
