// deploy/prometheus checked by Debian's promtool: the rules parse (check rules), their unit tests pass and can fail
// (test rules, and again on a weakened copy), the example configs are valid (check config), and metrics text in the
// agent's contract passes the linter (check metrics). Without promtool this is "cannot run here" (a failure in CI).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { parse, stringify } from 'yaml';
import { cannotRunHere } from '../test-support/live.js';

const PROMTOOL = '/usr/bin/promtool';
const DIR = path.resolve('deploy/prometheus');

function promtool(args: string[], opts: { cwd?: string; input?: string } = {}): { code: number | null; out: string } {
  const r = spawnSync(PROMTOOL, args, { cwd: opts.cwd ?? DIR, input: opts.input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function noPromtool(t: TestContext): boolean {
  if (fs.existsSync(PROMTOOL)) return false;
  return cannotRunHere(t, `${PROMTOOL} is not installed (apt-get install prometheus)`);
}

test('promtool check rules accepts the rules', (t) => {
  if (noPromtool(t)) return;
  const r = promtool(['check', 'rules', 'reclaimwatch-rules.yml']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS: 16 rules found/);
});

test('every alert has a severity, a summary, a description and a runbook that names a reclaimwatch command', () => {
  const doc = parse(fs.readFileSync(path.join(DIR, 'reclaimwatch-rules.yml'), 'utf8')) as { groups: { rules: { alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] };
  const alerts = doc.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
  assert.deepEqual(alerts.map((a) => a.alert).sort(), ['ReclaimwatchAgentDown', 'ReclaimwatchAgentLate', 'ReclaimwatchCollectorFailing', 'ReclaimwatchMglruOffOnExposedKernel',
    'ReclaimwatchMmapLockStall', 'ReclaimwatchReclaimLivelock', 'ReclaimwatchStoreUnwritable', 'ReclaimwatchThrashing']);
  for (const a of alerts) {
    assert.match(a.labels?.['severity'] ?? '', /^(critical|warning|info)$/, a.alert);
    for (const k of ['summary', 'description', 'runbook']) assert.ok((a.annotations?.[k] ?? '').length > 20, `${a.alert} ${k}`);
    assert.match(a.annotations!['runbook']!, /reclaimwatch (doctor|host|check|history)|kubectl/, a.alert);
  }
  const doctor = alerts.filter((a) => /Livelock$|Stall$|Thrashing$/.test(a.alert!));
  for (const a of doctor) assert.match(a.annotations!['runbook']!, /reclaimwatch doctor \{\{ if \$labels\.pod \}\}--pod \{\{ \$labels\.pod \}\}/, a.alert);
});

test('promtool test rules: every alert fires where it must and stays quiet where it must not', (t) => {
  if (noPromtool(t)) return;
  const r = promtool(['test', 'rules', 'reclaimwatch-rules.test.yml']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS/);
});

test('the rule tests catch a weakened rule (a longer hold, a higher threshold, a lost label matcher)', (t) => {
  if (noPromtool(t)) return;
  const original = fs.readFileSync(path.join(DIR, 'reclaimwatch-rules.yml'), 'utf8');
  const mutants: [string, string, RegExp][] = [
    ['expr: reclaimwatch_target_verdict{verdict="reclaim-livelock"} == 1\n        for: 1m', 'expr: reclaimwatch_target_verdict{verdict="reclaim-livelock"} == 1\n        for: 3m', /ReclaimwatchReclaimLivelock/],
    ['reclaimwatch_target_mmap_lock_probe_worst_seconds >= 0.5', 'reclaimwatch_target_mmap_lock_probe_worst_seconds >= 1', /ReclaimwatchMmapLockStall/],
    ['reclaimwatch_host_exposed{variant="mmap-lock"} == 1', 'reclaimwatch_host_exposed == 1', /ReclaimwatchMglruOffOnExposedKernel/],
    ['up{job="reclaimwatch"} == 0', 'up == 0', /ReclaimwatchAgentDown/],
    ['{mode="system"})\n            / (sum without (mode) (reclaimwatch_target_cpu_cores) > 0)', '{mode="system"})\n            / (sum without (mode) (reclaimwatch_target_cpu_cores))', /target_kernel_cpu_share/],
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwrules-'));
  try {
    fs.copyFileSync(path.join(DIR, 'reclaimwatch-rules.test.yml'), path.join(dir, 'reclaimwatch-rules.test.yml'));
    for (const [from, to, where] of mutants) {
      assert.ok(original.includes(from), `mutation site still in the rules: ${from}`);
      fs.writeFileSync(path.join(dir, 'reclaimwatch-rules.yml'), original.replace(from, to));
      const r = promtool(['test', 'rules', 'reclaimwatch-rules.test.yml'], { cwd: dir });
      assert.notEqual(r.code, 0, `the tests pass although the rules say ${to}`);
      assert.match(r.out, where);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool check config accepts the example Prometheus configurations', (t) => {
  if (noPromtool(t)) return;
  const st = promtool(['check', 'config', 'prometheus-static.example.yml']);
  assert.equal(st.code, 0, st.out);
  const k8s = promtool(['check', 'config', 'prometheus.example.yml']);
  if (k8s.code !== 0) {
    // Debian builds Prometheus without Kubernetes service discovery: only that may be what it rejects. The rest of
    // the scrape config (relabelling included) is checked with the discovery swapped for a static target.
    assert.match(k8s.out, /field kubernetes_sd_configs not found/, k8s.out);
    const doc = parse(fs.readFileSync(path.join(DIR, 'prometheus.example.yml'), 'utf8')) as { scrape_configs: Record<string, unknown>[] };
    for (const sc of doc.scrape_configs) {
      assert.ok(sc['kubernetes_sd_configs'], 'the Kubernetes example discovers pods');
      delete sc['kubernetes_sd_configs'];
      sc['static_configs'] = [{ targets: ['127.0.0.1:9847'] }];
    }
    const swapped = path.join(DIR, `.prometheus.swapped-${process.pid}.yml`);
    try {
      fs.writeFileSync(swapped, stringify(doc));
      const r = promtool(['check', 'config', path.basename(swapped)]);
      assert.equal(r.code, 0, r.out);
    } finally {
      fs.rmSync(swapped, { force: true });
    }
  }
});

/** Metrics text as the agent's contract defines it (names, types, labels), made with prom-client as the agent is. */
async function contractMetricsText(): Promise<string> {
  const r = new Registry();
  const L = ['target', 'cgroup', 'pod', 'namespace', 'container'] as const;
  const v = { target: 'k8s:prod/db-0/db', cgroup: '/kubepods/pod1/c1', pod: 'db-0', namespace: 'prod', container: 'c1' };
  const gauge = (name: string, help: string, extra: string[] = [], values: Record<string, string> = {}, n = 1): void => {
    new Gauge({ name, help, labelNames: [...L, ...extra], registers: [r] }).set({ ...v, ...values }, n);
  };
  const counter = (name: string, help: string, labelNames: readonly string[] = L, values: Record<string, string> = v): void => {
    new Counter({ name, help, labelNames, registers: [r] }).inc(values, 3);
  };
  gauge('reclaimwatch_target_verdict', 'Current verdict of the target: 1 for the current one, 0 for the others.', ['verdict'], { verdict: 'reclaim-livelock' });
  gauge('reclaimwatch_target_severity', 'Severity of the current verdict, 0 to 100.', [], {}, 92);
  gauge('reclaimwatch_target_livelock_variant', 'Variant of a reclaim livelock (1 while the verdict is reclaim-livelock).', ['variant'], { variant: 'mmap-lock' });
  gauge('reclaimwatch_target_cpu_cores', 'CPU used by the target over the last window, in cores, by mode.', ['mode'], { mode: 'system' }, 1.9);
  gauge('reclaimwatch_target_cpu_quota_cores', 'CPU quota of the target, in cores.', [], {}, 2);
  gauge('reclaimwatch_target_memory_usage_bytes', 'Memory charged to the target cgroup, in bytes.', [], {}, 2 ** 30);
  gauge('reclaimwatch_target_memory_limit_bytes', 'Memory limit of the target cgroup, in bytes.', [], {}, 2 ** 30);
  counter('reclaimwatch_target_memory_limit_hits_total', 'Times the target cgroup hit its memory limit.');
  counter('reclaimwatch_target_reclaim_scanned_pages_total', 'Pages scanned by reclaim in the target cgroup (cgroup v2).');
  counter('reclaimwatch_target_reclaim_freed_pages_total', 'Pages freed by reclaim in the target cgroup (cgroup v2).');
  counter('reclaimwatch_target_refaults_total', 'Refaults of pages evicted from the target cgroup.');
  gauge('reclaimwatch_target_memory_pressure_ratio', 'Share of the last window with memory pressure (PSI), by kind.', ['kind'], { kind: 'full' }, 0.8);
  gauge('reclaimwatch_target_progress_per_kernel_cpu_second', 'Useful progress per second of kernel CPU.', [], {}, 0.01);
  gauge('reclaimwatch_target_threads_in_reclaim_ratio', 'Share of the target threads found in reclaim.', [], {}, 0.9);
  gauge('reclaimwatch_target_mmap_lock_probe_worst_seconds', 'Worst mmap_lock probe latency over the last window, in seconds.', [], {}, 1.2);
  counter('reclaimwatch_incidents_total', 'Incidents opened, by verdict.', ['verdict'], { verdict: 'reclaim-livelock' });
  counter('reclaimwatch_host_reclaim_scanned_pages_total', 'Pages scanned by reclaim on the host.', [], {});
  counter('reclaimwatch_host_reclaim_freed_pages_total', 'Pages freed by reclaim on the host.', [], {});
  new Gauge({ name: 'reclaimwatch_host_mglru_present', help: 'Whether the kernel has MGLRU (0/1).', registers: [r] }).set(1);
  new Gauge({ name: 'reclaimwatch_host_mglru_enabled', help: 'Whether MGLRU is on (0/1).', registers: [r] }).set(0);
  new Gauge({ name: 'reclaimwatch_host_exposed', help: 'Whether this kernel is exposed to a livelock variant (0/1).', labelNames: ['variant'], registers: [r] }).set({ variant: 'mmap-lock' }, 1);
  new Histogram({ name: 'reclaimwatch_agent_tick_duration_seconds', help: 'Duration of a tick, in seconds.', registers: [r] }).observe(0.02);
  new Histogram({ name: 'reclaimwatch_agent_tick_lateness_seconds', help: 'Lateness of a tick, in seconds.', registers: [r] }).observe(0.001);
  new Gauge({ name: 'reclaimwatch_agent_collector_success', help: 'Whether a collector succeeded at the last tick (0/1).', labelNames: ['collector'], registers: [r] }).set({ collector: 'psi' }, 1);
  new Gauge({ name: 'reclaimwatch_agent_collector_duration_seconds', help: 'Duration of a collector at the last tick, in seconds.', labelNames: ['collector'], registers: [r] }).set({ collector: 'psi' }, 0.001);
  new Gauge({ name: 'reclaimwatch_agent_store_size_bytes', help: 'Size of the store, in bytes.', registers: [r] }).set(12345);
  new Gauge({ name: 'reclaimwatch_agent_store_writable', help: 'Whether the store can be written (0/1).', registers: [r] }).set(1);
  new Counter({ name: 'reclaimwatch_remediations_total', help: 'Remediation actions, dry or real, by action and result.', labelNames: ['action', 'result'], registers: [r] }).inc({ action: 'restart', result: 'dry-run' });
  return r.metrics();
}

test('promtool check metrics passes on the contract\'s metrics as prom-client writes them', async (t) => {
  if (noPromtool(t)) return;
  const text = await contractMetricsText();
  assert.match(text, /^reclaimwatch_target_verdict\{target="k8s:prod\/db-0\/db",.*verdict="reclaim-livelock"\} 1$/m);
  const r = promtool(['check', 'metrics'], { input: text });
  assert.equal(r.code, 0, r.out);
  assert.equal(r.out.trim(), '');
  // The linter is not a rubber stamp: a gauge named like a counter, or milliseconds, are flagged.
  const bad = promtool(['check', 'metrics'], { input: '# HELP reclaimwatch_x_total x.\n# TYPE reclaimwatch_x_total gauge\nreclaimwatch_x_total 1\n# HELP reclaimwatch_y_milliseconds y.\n# TYPE reclaimwatch_y_milliseconds gauge\nreclaimwatch_y_milliseconds 1\n' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.out, /reclaimwatch_x_total non-counter metrics should not have "_total" suffix/);
  assert.match(bad.out, /reclaimwatch_y_milliseconds use base unit "seconds" instead of "milliseconds"/);
});

test('prom-client\'s default Node.js metrics parse, but three of them fail the linter (the agent must leave them out or accept that)', async (t) => {
  if (noPromtool(t)) return;
  const r = new Registry();
  collectDefaultMetrics({ register: r });
  const out = promtool(['check', 'metrics'], { input: await r.metrics() });
  const problems = out.out.trim().split('\n').filter((l) => l !== '');
  assert.deepEqual(problems.map((l) => l.split(' ')[0]).sort(), ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']);
  assert.ok(problems.every((l) => l.endsWith('non-counter metrics should not have "_total" suffix')), out.out);
});
