// `reclaimwatch check` run as node-problem-detector runs a custom plugin (pkg/custompluginmonitor/plugin/plugin.go):
// a child with a deadline after which it is killed, stdout read up to 4 KiB, trimmed and cut at max_output_length,
// and the exit status mapped 0 → OK, 1 → NonOK, anything else → Unknown. The agent is a real HTTP server on
// loopback that speaks the agent's contract, or nothing at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CLI } from '../test-support/cli.js';

interface NpdResult {
  status: 'OK' | 'NonOK' | 'Unknown';
  message: string;
  /** stdout as the plugin wrote it, before NPD trims and cuts it. */
  raw: string;
  timedOut: boolean;
  elapsedMs: number;
}

/** Runs `reclaimwatch ARGS` the way NPD's custom plugin monitor does. */
function runAsNpd(args: string[], timeoutMs: number, maxOutputLength = 80): Promise<NpdResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let raw = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => { if (raw.length < 4096) raw += c.toString('latin1'); });
    child.stderr.resume();
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      let message = raw.slice(0, 4096).trim();
      if (timedOut) message = `Timeout when running plugin: output - ${JSON.stringify(message)}`;
      message = message.slice(0, maxOutputLength);
      resolve({ status: code === 0 ? 'OK' : code === 1 ? 'NonOK' : 'Unknown', message, raw, timedOut, elapsedMs: performance.now() - started });
    });
  });
}

async function withAgent(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void, body: (hostPort: string) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** An agent that answers the contract's JSON with these targets and this health. */
function contractAgent(targets: unknown[], health: { status: string; reason?: string } = { status: 'ok' }) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const send = (code: number, v: unknown): void => void res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (req.url === '/healthz') send(health.status === 'ok' ? 200 : 503, health);
    else if (req.url === '/api/v1/targets') send(200, { generatedAt: new Date().toISOString(), targets });
    else send(404, { error: { code: 'not-found', message: `no route ${req.url}` } });
  };
}

const healthy = (id: string, over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ id, cgroup: `/kubepods/burstable/pod-${id}`, pod: id, namespace: 'prod', container: '', verdict: 'healthy', severity: 0, sinceWallMs: Date.now() - 5000, findings: [], ...over });

/** What NPD shows must be what check printed: one line of at most 80 bytes, so NPD's cut never bites. */
function assertOneLine(r: NpdResult): void {
  assert.match(r.raw, /^[^\n]{1,80}\n$/, `one line of at most 80 characters: ${JSON.stringify(r.raw)}`);
  assert.equal(r.message, r.raw.trim());
}

test('check against an agent with a livelocked pod: NonOK, naming the pod, the time and the variant', async () => {
  // An hour ago, so the clock alone names it (older than a day would add the date), whatever the time of the run.
  const since = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
  const d = new Date(since);
  const clock = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const agent = contractAgent([
    healthy('web-0'),
    healthy('db-0', { verdict: 'reclaim-livelock', severity: 92, variant: 'mmap-lock', sinceWallMs: since, findings: [{ code: 'mmap-lock-stall', severity: 'critical', message: 'x' }] }),
  ]);
  await withAgent(agent, async (hp) => {
    const r = await runAsNpd(['check', '--agent', hp], 10_000);
    assert.equal(r.status, 'NonOK');
    assert.equal(r.message, `reclaim-livelock: pod db-0 (ns prod) since ${clock}, mmap-lock`);
    assertOneLine(r);
    const other = await runAsNpd(['check', '--agent', `http://${hp}`, '--pod', 'web-0'], 10_000);
    assert.equal(other.status, 'OK');
    assert.equal(other.message, 'ok: pod web-0 (ns prod) is healthy');
  });
});

test('check against an agent where all is well: OK with the number of targets', async () => {
  await withAgent(contractAgent([healthy('a'), healthy('b', { verdict: 'thrashing', severity: 40 }), healthy('c')]), async (hp) => {
    const r = await runAsNpd(['check', '--agent', hp], 10_000);
    assert.equal(r.status, 'OK');
    assert.equal(r.message, 'ok: 3 targets watched, none livelocked');
    assertOneLine(r);
    const thrash = await runAsNpd(['check', '--agent', hp, '--on', 'thrashing,reclaim-livelock'], 10_000);
    assert.equal(thrash.status, 'NonOK');
    assert.match(thrash.message, /^thrashing: pod b \(ns prod\) since \d\d:\d\d:\d\d$/);
  });
});

test('check with no agent running is Unknown (never OK or NonOK), and says where it looked', async () => {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  const r = await runAsNpd(['check', '--agent', `127.0.0.1:${port}`], 10_000);
  assert.equal(r.status, 'Unknown');
  assert.equal(r.message, `unknown: agent at 127.0.0.1:${port} not reachable (ECONNREFUSED)`);
  assertOneLine(r);
});

test('check against an agent that never answers ends by itself before NPD\'s timeout, Unknown', async () => {
  await withAgent(() => undefined, async (hp) => {
    const r = await runAsNpd(['check', '--agent', hp, '--timeout', '1s'], 5000);
    assert.equal(r.timedOut, false, 'check must finish before NPD kills it, so that it can say why');
    assert.equal(r.status, 'Unknown');
    assert.equal(r.message, `unknown: agent at ${hp} did not answer within 1s`);
    assert.ok(r.elapsedMs < 4000, `took ${r.elapsedMs} ms`);
  });
});

test('check against a late agent is Unknown, not OK', async () => {
  await withAgent(contractAgent([healthy('a')], { status: 'late', reason: 'tick 4.2 s late' }), async (hp) => {
    const r = await runAsNpd(['check', '--agent', hp], 10_000);
    assert.equal(r.status, 'Unknown');
    assert.equal(r.message, `unknown: agent at ${hp} is late: tick 4.2 s late`);
  });
});

test('check with bad options is Unknown with the reason on stdout, where NPD looks', async () => {
  for (const args of [['--on', 'livelock'], ['--timeout', 'soon'], ['--agent', 'ftp://x'], ['--no-such-option']]) {
    const r = await runAsNpd(['check', ...args], 10_000);
    assert.equal(r.status, 'Unknown', args.join(' '));
    assert.match(r.message, /^unknown: (bad --on verdict "livelock"|bad --timeout "soon"|bad --agent "ftp:\/\/x"|unknown option '--no-such-option')/);
    assertOneLine(r);
  }
});

test('the node-problem-detector config runs check with arguments and deadlines that work', async () => {
  const config = JSON.parse(fs.readFileSync(path.resolve('deploy/node-problem-detector/reclaimwatch-monitor.json'), 'utf8')) as {
    pluginConfig: { timeout: string; max_output_length: number };
    rules: { type: string; path: string; args?: string[]; timeout?: string }[];
  };
  const seconds = (d: string): number => Number(/^(\d+)s$/.exec(d)?.[1] ?? Number.NaN);
  assert.equal(config.pluginConfig.max_output_length, 80);
  await withAgent(contractAgent([healthy('db-0', { verdict: 'reclaim-livelock', severity: 90 })]), async (hp) => {
    for (const rule of config.rules) {
      const args = rule.args ?? [];
      assert.equal(args[0], 'check');
      const i = args.indexOf('--agent');
      const asked = i >= 0 ? [...args.slice(0, i + 1), hp, ...args.slice(i + 2)] : [...args, '--agent', hp];
      const r = await runAsNpd(asked, seconds(rule.timeout ?? config.pluginConfig.timeout) * 1000, config.pluginConfig.max_output_length);
      assert.equal(r.status, 'NonOK', `${rule.type} rule`);
      assert.match(r.message, /^reclaim-livelock: pod db-0/);
    }
  });
});
