// The agent for real: test cgroups with a healthy, a busy-loop and a thrashing workload; their verdicts in
// /metrics (scraped by Debian's prometheus too), the thrash incident in the store with its findings, the verdict
// change within 10 s of the limit, ticks on time while 1,000 requests hit the API, nothing left behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup } from '../test-support/live.js';
import { freeLoopbackPort, startPrometheus } from '../test-support/prometheus.js';
import { Store } from './store/store.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Polls an async condition until it holds or `timeoutMs` passes. */
async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, stepMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

const get = async (url: string): Promise<{ status: number; text: string }> => {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    return { status: r.status, text: await r.text() };
  } catch (err) {
    throw new Error(`GET ${url}: ${(err as Error).message}`, { cause: err });
  }
};

function metric(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('healthy, busy and thrashing cgroups get their verdicts in /metrics and Prometheus; the thrash is an incident in history', async (t) => {
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  if (!fs.existsSync('/usr/bin/prometheus')) return void cannotRunHere(t, 'Debian\'s prometheus is not installed (apt-get install prometheus)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwagent-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'thrash');
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, 'test/workloads/thrash.c']);
  const data = fs.mkdtempSync('/var/tmp/rwagent-');
  cleanups.push(() => fs.rmSync(data, { recursive: true, force: true }));
  const idle = makeTestCgroup('rwagent-idle');
  const busy = makeTestCgroup('rwagent-busy');
  const thrash = makeTestCgroup('rwagent-thrash');
  for (const c of [idle, busy, thrash]) cleanups.push(() => c.remove());
  thrash.setLimit(64 << 20);
  spawnInCgroup(idle, 'sleep', ['600']);
  spawnInCgroup(busy, 'sh', ['-c', 'while :; do :; done']);
  const port = await freeLoopbackPort();
  // As a user runs it: the launcher, a process of its own.
  const agent = spawn('bin/reclaimwatch', ['agent', '--listen', `127.0.0.1:${port}`, '--store', path.join(dir, 'store'), '--window', '5s', '--hold', '2', '--match', `${path.dirname(idle.path)}/rwagent-*`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RECLAIMWATCH_NODE: process.execPath } });
  let log = '';
  agent.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<number | null>((r) => agent.once('exit', (code) => r(code)));
  cleanups.push(async () => {
    agent.kill('SIGKILL');
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  assert.ok(await waitFor(async () => (await get(`${url}/healthz`).catch(() => ({ status: 0 }))).status === 200, 30_000, 250), `agent did not come up: ${log}`);
  const prom = await startPrometheus({ target: `127.0.0.1:${port}` });
  cleanups.push(() => prom.stop());
  // Before the thrash takes the CPUs: the idle cgroup is healthy, the busy loop cpu-bound.
  assert.ok(await waitFor(async () => {
    const t0 = (await get(`${url}/metrics`)).text;
    return metric(t0, 'reclaimwatch_target_verdict', { cgroup: busy.path, verdict: 'cpu-bound' }) === 1 && metric(t0, 'reclaimwatch_target_verdict', { cgroup: idle.path, verdict: 'healthy' }) === 1;
  }, 30_000, 500), 'idle is healthy and the busy loop cpu-bound');
  // The thrash starts once the agent watches; its verdict must change within 10 s of reaching the limit.
  const child = spawnInCgroup(thrash, bin, [data, '16', '16', '4', '8']);
  child.stdout?.resume();
  const limitHits = (): number => Number(fs.readFileSync(`${thrash.memoryDir}/${fs.existsSync(`${thrash.memoryDir}/memory.failcnt`) ? 'memory.failcnt' : 'memory.events'}`, 'utf8').match(/\d+/)?.[0] ?? 0);
  assert.ok(await waitFor(() => limitHits() > 0, 60_000, 100), 'the thrash reached its limit');
  const atLimit = Date.now();
  const bad = ['thrashing', 'reclaim-livelock'];
  let m = '';
  const changed = await waitFor(async () => {
    m = (await get(`${url}/metrics`)).text;
    return bad.some((v) => metric(m, 'reclaimwatch_target_verdict', { cgroup: thrash.path, verdict: v }) === 1);
  }, 30_000, 250);
  const detectMs = Date.now() - atLimit;
  assert.ok(changed, `thrash verdict never came: ${m.split('\n').filter((l) => l.includes(thrash.path) && !l.endsWith(' 0')).join('\n')}\nagent log: ${log}`);
  assert.ok(detectMs <= 10_000, `verdict came ${detectMs} ms after the limit`);
  // promtool lints real output.
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: m, encoding: 'utf8' });
  assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
  // Prometheus scraped the agent and has the test cgroup's series.
  const got = await prom.waitFor(`reclaimwatch_target_verdict{cgroup="${thrash.path}",verdict=~"thrashing|reclaim-livelock"} == 1`, 30_000);
  assert.ok(got.length >= 1, 'Prometheus has the thrash verdict');
  // 1,000 requests over loopback while sampling: tick lateness stays low (the agent's own histogram).
  const lateness = async (): Promise<{ count: number; under200: number }> => {
    const text = (await get(`${url}/metrics`)).text;
    return { count: metric(text, 'reclaimwatch_agent_tick_lateness_seconds_count', {}) ?? Number(/reclaimwatch_agent_tick_lateness_seconds_count (\d+)/.exec(text)?.[1]), under200: Number(/reclaimwatch_agent_tick_lateness_seconds_bucket\{le="0.2"\} (\d+)/.exec(text)?.[1]) };
  };
  const before = await lateness();
  const paths = ['/metrics', '/api/v1/targets', '/healthz', `/api/v1/targets/${encodeURIComponent(thrash.path)}/series?from=${Date.now() - 60_000}`, '/api/v1/incidents'];
  for (let i = 0; i < 1000; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => get(`${url}${paths[(i + k) % paths.length]}`)));
  const afterReq = await lateness();
  const ticks = afterReq.count - before.count;
  const onTime = afterReq.under200 - before.under200;
  assert.ok(ticks > 0, 'ticks went on during the requests');
  assert.ok(onTime >= 0.99 * ticks, `tick lateness: ${onTime} of ${ticks} ticks under 200 ms during the requests`);
  // Bad input gets a 400 with a message.
  const badq = await get(`${url}/api/v1/targets/${encodeURIComponent(thrash.path)}/series?from=abc`);
  assert.equal(badq.status, 400);
  assert.match(badq.text, /"error":\{"code":"bad-query"/);
  // The incident is in the store, with its findings; the agent stops cleanly.
  child.kill('SIGKILL');
  agent.kill('SIGTERM');
  assert.equal(await exited, 0, `the agent stops cleanly on SIGTERM: ${log}`);
  const store = Store.openReadOnly(path.join(dir, 'store'));
  try {
    const inc = store.listIncidents({ targetId: thrash.path });
    assert.ok(inc.length >= 1, 'an incident for the thrash');
    assert.ok(bad.includes(inc[0]!.verdict));
    assert.ok(Array.isArray(inc[0]!.findings) && (inc[0]!.findings as Array<{ code: string }>).some((f) => f.code === 'memory-at-limit'), JSON.stringify(inc[0]!.findings));
    assert.ok(store.listVerdictChanges({ targetId: thrash.path }).some((c) => bad.includes(c.to)));
  } finally {
    store.close();
  }
  const hist = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'history', '--store', path.join(dir, 'store'), '--since', '1h'], { encoding: 'utf8' });
  assert.equal(hist.status, 0, hist.stderr);
  assert.match(hist.stdout, new RegExp(`(THRASHING|RECLAIM-LIVELOCK).*${thrash.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});
