// The deployment pieces against the real agent (`reclaimwatch agent` on loopback, this host's cgroups): check as
// node-problem-detector runs it, promtool check metrics on its /metrics, and a real Prometheus scraping it with
// deploy/prometheus's rules loaded, so the rules meet the metric names the agent really exports.
// These run once the agent is committed (src/agent/agent.ts in git log); before that they say so and skip.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { CLI, runCli } from '../test-support/cli.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup } from '../test-support/live.js';
import { freeLoopbackPort, PROMETHEUS_BIN, startPrometheus } from '../test-support/prometheus.js';

const agentCommitted = spawnSync('git', ['log', '--oneline', '-1', '--', 'src/agent/agent.ts'], { encoding: 'utf8' }).stdout.trim() !== '';

interface LiveAgent { hostPort: string; child: ChildProcess; stop(): Promise<void> }

async function startAgent(): Promise<LiveAgent> {
  const port = await freeLoopbackPort();
  const hostPort = `127.0.0.1:${port}`;
  const child = spawn(process.execPath, [CLI, 'agent', '--listen', hostPort, '--store-off', '--interval', '1s', '--window', '2s', '--hold', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (c: Buffer) => { log = (log + c.toString()).slice(-4000); });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  };
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`http://${hostPort}/api/v1/targets`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { targets?: unknown[] };
      if (res.ok && (body.targets?.length ?? 0) > 0) break;
    } catch {
      // not up yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`the agent at ${hostPort} listed no target within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { hostPort, child, stop };
}

function notYet(t: TestContext): boolean {
  if (agentCommitted) return false;
  t.skip('the agent (src/agent/agent.ts) is not committed yet');
  return true;
}

test('check against the real agent: OK or NonOK with its line, never Unknown; Unknown once the agent is gone', async (t) => {
  if (notYet(t)) return;
  const agent = await startAgent();
  try {
    const r = await runCli(['check', '--agent', agent.hostPort, '--timeout', '5s'], { timeoutMs: 10_000 });
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^(ok: \d+ targets? watched, none livelocked|reclaim-livelock: .+ since .+)\n$/);
    assert.ok(Buffer.byteLength(r.stdout.trim()) <= 80);
  } finally {
    await agent.stop();
  }
  const gone = await runCli(['check', '--agent', agent.hostPort], { timeoutMs: 10_000 });
  assert.equal(gone.code, 2);
  assert.equal(gone.stdout, `unknown: agent at ${agent.hostPort} not reachable (ECONNREFUSED)\n`);
});

test('promtool check metrics passes on the real agent\'s /metrics, and Prometheus scraping it evaluates our rules on its series', async (t) => {
  if (notYet(t)) return;
  if (!fs.existsSync('/usr/bin/promtool') || !fs.existsSync(PROMETHEUS_BIN)) return void cannotRunHere(t, 'promtool or prometheus is not installed');
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  // A busy loop in a test cgroup: the kernel-share rule has a sample only for a target that used CPU, and on a
  // quiet host none of its own cgroups may have.
  const cg = makeTestCgroup('rwpromlive');
  const busy = spawnInCgroup(cg, '/bin/sh', ['-c', 'while :; do :; done']);
  t.after(async () => {
    busy.kill('SIGKILL');
    if (busy.exitCode === null && busy.signalCode === null) await new Promise((r) => busy.once('exit', r));
    await cg.remove();
  });
  const agent = await startAgent();
  try {
    const text = await (await fetch(`http://${agent.hostPort}/metrics`)).text();
    assert.match(text, /^reclaimwatch_target_verdict\{/m);
    const lint = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);
    const prom = await startPrometheus({ target: agent.hostPort, ruleFiles: ['deploy/prometheus/reclaimwatch-rules.yml'] });
    try {
      const verdicts = await prom.waitFor('reclaimwatch_target_verdict == 1');
      assert.ok(verdicts.every((s) => s.metric['target'] && s.metric['cgroup'] && s.metric['verdict']), JSON.stringify(verdicts[0]));
      // A recording rule of ours, computed by Prometheus from the agent's real series.
      const counts = await prom.waitFor('node_verdict:reclaimwatch_targets:count');
      assert.equal(counts.reduce((n, s) => n + Number(s.value[1]), 0), verdicts.length);
      await prom.waitFor('reclaimwatch:target_kernel_cpu_share:ratio >= 0');
    } finally {
      await prom.stop();
    }
  } finally {
    await agent.stop();
  }
});
