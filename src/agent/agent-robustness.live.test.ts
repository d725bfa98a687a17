// The agent never loses what it stored and never stops ticking: kill -9 twenty times in a row (the store opens
// every time, nothing recorded a second before the kill is lost, the gaps show as gaps); its store's file
// system full (it keeps ticking and serving, says so in /healthz and a metric, writes again when space returns);
// and not root (it runs, and says what it cannot read).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cannotRunHere } from '../test-support/live.js';
import { freeLoopbackPort } from '../test-support/prometheus.js';
import { AS_NOBODY, makeReadableInstall } from '../test-support/readable-install.js';
import { Store } from './store/store.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await Promise.resolve().then(cond).catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

async function json(url: string): Promise<Record<string, unknown> & { status?: unknown }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return (await r.json()) as Record<string, unknown>;
}

function startAgent(args: string[], wrapper: string[] = [], cli = 'dist/cli/main.js'): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  const argv = [...wrapper, process.execPath, cli, 'agent', ...args];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  cleanups.push(() => void child.kill('SIGKILL'));
  return { child, log: () => log, exited };
}

test('kill -9 of the agent 20 times in a row: the store opens every time and keeps every tick acknowledged a second before the kill', async (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root to read every cgroup as the agent does');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwkill-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = path.join(dir, 'store');
  let firstStart = Infinity;
  for (let i = 0; i < 20; i++) {
    const port = await freeLoopbackPort();
    const a = startAgent(['--store', store, '--listen', `127.0.0.1:${port}`, '--window', '3s']);
    const up = await waitFor(async () => ((await json(`http://127.0.0.1:${port}/healthz`))['ticks'] as number) >= 2 + (i % 3), 30_000);
    assert.ok(up, `run ${i}: the agent did not tick: ${a.log()}`);
    const h = await json(`http://127.0.0.1:${port}/healthz`);
    const acknowledged = h['lastTickWallMs'] as number;
    firstStart = Math.min(firstStart, acknowledged - 60_000);
    // Kill in the middle of whatever it is doing (a tick, a write, a maintenance step).
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 900)));
    a.child.kill('SIGKILL');
    await a.exited;
    const s = Store.openReadOnly(store);
    try {
      const host = s.readHostSamples(acknowledged - 1000, acknowledged, (x) => x);
      assert.ok(host.some((x) => Math.abs(x.wallMs - acknowledged) < 1), `run ${i}: the tick of ${new Date(acknowledged).toISOString()} (acknowledged by /healthz) is lost`);
      const runs = s.listRuns({ sinceWallMs: firstStart });
      assert.equal(runs.filter((r) => r.kind === 'start').length, i + 1, `run ${i}: every start is marked, so the gaps between runs show`);
    } finally {
      s.close();
    }
  }
});

test('a full store file system: the agent keeps ticking and serving, says so, and writes again when space returns', async (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root to mount a tmpfs');
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'rwfull-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]);
  cleanups.push(() => {
    try {
      execFileSync('umount', ['-l', mnt]);
    } catch {
      /* already unmounted */
    }
    fs.rmSync(mnt, { recursive: true, force: true });
  });
  const port = await freeLoopbackPort();
  const a = startAgent(['--store', path.join(mnt, 'store'), '--listen', `127.0.0.1:${port}`, '--window', '3s']);
  const url = `http://127.0.0.1:${port}`;
  assert.ok(await waitFor(async () => ((await json(`${url}/healthz`))['ticks'] as number) >= 2, 30_000), a.log());
  // Fill the file system to the last byte.
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${path.join(mnt, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
  } catch {
    /* dd stops with ENOSPC: that is the point */
  }
  const degraded = await waitFor(async () => (await json(`${url}/healthz`))['status'] === 'degraded', 60_000, 500);
  assert.ok(degraded, `healthz never said degraded: ${JSON.stringify(await json(`${url}/healthz`))} ${a.log()}`);
  const h1 = await json(`${url}/healthz`);
  const m = await (await fetch(`${url}/metrics`)).text();
  assert.match(m, /^reclaimwatch_agent_store_writable 0$/m);
  await new Promise((r) => setTimeout(r, 3000));
  const h2 = await json(`${url}/healthz`);
  assert.ok((h2['ticks'] as number) > (h1['ticks'] as number), 'it keeps ticking while the disk is full');
  fs.rmSync(path.join(mnt, 'filler'));
  assert.ok(await waitFor(async () => (await json(`${url}/healthz`))['status'] === 'ok', 60_000, 500), `never writable again: ${JSON.stringify(await json(`${url}/healthz`))}`);
  assert.match(a.log(), /store not writable/);
  assert.ok(await waitFor(() => /store writable again/.test(a.log()), 15_000), `the log never said so: ${a.log()}`);
  a.child.kill('SIGTERM');
  assert.equal(await a.exited, 0);
});

test('not root, the agent runs and says what it cannot read', async (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root to drop to nobody');
  const inst = makeReadableInstall();
  cleanups.push(() => inst.remove());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwnobody-'));
  fs.chmodSync(dir, 0o777);
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await freeLoopbackPort();
  const a = startAgent(['--store', path.join(dir, 'store'), '--listen', `127.0.0.1:${port}`, '--window', '3s'], AS_NOBODY, inst.cli);
  const url = `http://127.0.0.1:${port}`;
  assert.ok(await waitFor(async () => ((await json(`${url}/healthz`))['ticks'] as number) >= 4, 30_000), `nobody's agent did not tick: ${a.log()}`);
  const targets = (await json(`${url}/api/v1/targets`))['targets'] as Array<{ verdict: string }>;
  assert.ok(targets.length > 0, 'it judges cgroups as nobody');
  assert.match(a.log(), /not root: kernel stacks/);
  a.child.kill('SIGTERM');
  assert.equal(await a.exited, 0, a.log());
});
