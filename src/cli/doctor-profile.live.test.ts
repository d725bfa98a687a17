// doctor --profile: the kernel's CPU profile of the target over the window, in the report, deciding the variant.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cannotRunHere, liveCgroupBlocker, startThrash, waitFor } from '../test-support/live.js';
import { runCli } from '../test-support/cli.js';
import { doctorReportSchema } from '../doctor/report.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('doctor --profile puts the kernel CPU profile of a thrashing cgroup in the report, and the variant rests on it', async (t) => {
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  const { cg, child } = startThrash('rwprofile', 64 << 20, ['16', '16', '4', '8'], cleanups);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  assert.ok(await waitFor(() => out.includes('ready'), 60_000, 100), 'the thrash started');
  const r = await runCli(['doctor', '--cgroup', cg.path, '--window', '3', '--profile', '--json'], { timeoutMs: 90_000 });
  const report = doctorReportSchema.parse(JSON.parse(r.stdout));
  const tr = report.targets[0]!;
  const p = tr.profile as { method?: string; samples?: number; top?: Array<{ name: string }> } | undefined;
  assert.ok(p && ['bpftrace', 'perf', 'proc-stack'].includes(p.method ?? ''), JSON.stringify(tr.profile));
  assert.ok((p.samples ?? 0) > 0 && (p.top ?? []).length > 0, JSON.stringify(p));
  assert.equal(typeof tr.variant?.figures['profileSamples'], 'number', 'the variant rests on the profile');
  assert.notEqual(tr.variant?.variant, 'lru-lock', 'never lru-lock on a kernel without MGLRU on');
});
