// The live Prometheus harness against the real thing: Prometheus scraping its own /metrics, with our rules loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cannotRunHere } from './live.js';
import { PROMETHEUS_BIN, startPrometheus } from './prometheus.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('startPrometheus() scrapes a target every second, answers PromQL, loads our rules, and stops leaving nothing behind', async (t) => {
  if (!fs.existsSync(PROMETHEUS_BIN)) return void cannotRunHere(t, `${PROMETHEUS_BIN} is not installed`);
  const prom = await startPrometheus({ target: 'self', ruleFiles: ['deploy/prometheus/reclaimwatch-rules.yml'] });
  try {
    assert.match(prom.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const up = await prom.waitFor('up{job="reclaimwatch"} == 1');
    assert.equal(up[0]!.metric['instance'], `127.0.0.1:${prom.port}`);
    const build = await prom.query('prometheus_build_info');
    assert.ok(build[0]!.metric['version'], 'its own metrics came through the scrape');
    // Scraped at 1 s: a few seconds on, the scrape counter has several samples in a 10 s range.
    const samples = await prom.waitFor('count_over_time(up{job="reclaimwatch"}[10s]) >= 3');
    assert.ok(Number(samples[0]!.value[1]) >= 3);
    const rules = (await prom.api('/api/v1/rules')) as { groups: { name: string; rules: { name: string; health: string }[] }[] };
    assert.deepEqual(rules.groups.map((g) => g.name).sort(), ['reclaimwatch.alerts', 'reclaimwatch.records']);
    assert.ok(rules.groups.flatMap((g) => g.rules).some((r) => r.name === 'ReclaimwatchReclaimLivelock'));
    await assert.rejects(prom.query('sum(('), /bad_data/, 'a bad query fails with Prometheus\'s reason');
  } finally {
    await prom.stop();
  }
  assert.equal(alive(prom.pid), false, 'prometheus has exited');
  assert.equal(fs.existsSync(prom.dir), false, 'its directory is removed');
  await prom.stop(); // twice is fine
  // Its port is free again.
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(prom.port, '127.0.0.1', resolve); });
  await new Promise((resolve) => srv.close(resolve));
});

test('startPrometheus() on a config Prometheus rejects fails with its log and leaves nothing behind', async (t) => {
  if (!fs.existsSync(PROMETHEUS_BIN)) return void cannotRunHere(t, `${PROMETHEUS_BIN} is not installed`);
  const badDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwbadrules-'));
  const bad = path.join(badDir, 'bad.yml');
  fs.writeFileSync(bad, 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum((\n');
  const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('rwprom-')).length;
  try {
    await assert.rejects(startPrometheus({ target: 'self', ruleFiles: [bad], readyTimeoutMs: 20_000 }), /prometheus (exited|not ready)[\s\S]*(parse|error)/i);
  } finally {
    fs.rmSync(badDir, { recursive: true, force: true });
  }
  assert.equal(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('rwprom-')).length, before, 'no temporary directory left');
});
