// doctor as a user runs it: exit statuses, bad input, a hung /proc/PID/cmdline, targets that vanish, no root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../test-support/cli.js';
import { AS_NOBODY, makeReadableInstall } from '../test-support/readable-install.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup } from '../test-support/live.js';
import { doctorReportSchema } from '../doctor/report.js';

test('doctor without a target says what to give and exits 2', async () => {
  const r = await runCli(['doctor']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /say what to examine: --pid PID/);
});

test('doctor with a bad window or threshold exits 2 with the accepted range', async () => {
  const a = await runCli(['doctor', '--pid', String(process.pid), '--window', '0']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /bad --window "0": it must be more than zero/);
  const a2 = await runCli(['doctor', '--pid', String(process.pid), '--window', '2h']);
  assert.equal(a2.code, 2);
  assert.match(a2.stderr, /bad --window "2h": give a value from 1s to 1h/);
  const b = await runCli(['doctor', '--pid', String(process.pid), '--threshold', 'nope=1']);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /unknown threshold "nope": known are memoryAtLimitRatio/);
  const c = await runCli(['doctor', '--pid', 'abc']);
  assert.equal(c.code, 2);
});

test('doctor on a PID that does not exist exits 3 and says so, without a stack trace', async () => {
  const r = await runCli(['doctor', '--pid', '999999999', '--window', '1']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /no process 999999999/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

test('a process that exits mid-window is "gone", not a crash', async () => {
  // The CLI's start-up on a loaded 2-core host can outlast the process: then it is a failure (no target, exit 3),
  // and the case is tried again with a process that lives longer.
  for (const seconds of [2, 4, 8]) {
    const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
    const r = await runCli(['doctor', '--pid', String(child.pid), '--window', `${seconds + 3}s`, '--json']);
    const report = doctorReportSchema.parse(JSON.parse(r.stdout));
    assert.equal(r.code, 3);
    if (report.targets.length === 0) {
      assert.deepEqual(report.failures.map((f) => f.target), [`--pid ${child.pid}`]);
      continue;
    }
    assert.equal(report.targets[0]!.verdict, 'gone');
    return;
  }
  assert.fail('the doctor never started before an 8 s process ended');
});

test('a hung /proc/PID/cmdline (a FIFO nobody writes) is an mmap-lock-stall, and doctor still ends on time, leaving no child', async () => {
  // A fake procfs: real files of a real process, but cmdline is a FIFO, so reading it blocks like a held mmap_lock.
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  const pid = sleeper.pid!;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rwfakeproc-'));
  try {
    for (const f of ['stat', 'vmstat', 'meminfo', 'pressure/memory', 'pressure/cpu', 'pressure/io', 'sys/kernel/osrelease']) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), fs.readFileSync(`/proc/${f}`));
    }
    const pdir = path.join(root, String(pid));
    fs.mkdirSync(path.join(pdir, 'task', String(pid)), { recursive: true });
    for (const f of ['stat', 'status', 'cgroup', 'comm', 'io']) fs.writeFileSync(path.join(pdir, f), fs.readFileSync(`/proc/${pid}/${f}`));
    fs.writeFileSync(path.join(pdir, 'task', String(pid), 'stat'), fs.readFileSync(`/proc/${pid}/stat`));
    execFileSync('mkfifo', [path.join(pdir, 'cmdline')]);
    const window = 2;
    const deadlineMs = 1000;
    const r = await runCli(['doctor', '--path.procfs', root, '--pid', String(pid), '--window', String(window), '--probe-deadline', `${deadlineMs}ms`, '--json']);
    const report = doctorReportSchema.parse(JSON.parse(r.stdout));
    const t = report.targets[0]!;
    assert.ok(t.findings.some((f) => f.code === 'mmap-lock-stall'), JSON.stringify(t.findings));
    assert.notEqual(t.verdict, 'healthy');
    assert.ok(t.probes.some((p) => p.outcome === 'timeout'));
    assert.equal(r.code, 1);
    assert.ok(r.elapsedMs < window * 1000 + deadlineMs + 1000, `took ${Math.round(r.elapsedMs)} ms`);
    const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(root));
    assert.deepEqual(left, [], 'no probe child left behind');
  } finally {
    sleeper.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a cgroup removed mid-window makes the target "gone"', async (t) => {
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  // The removal must come after the doctor found the cgroup: on a loaded host its start-up can take seconds, so a
  // removal that beat it (the report then lists the cgroup as a failure, with no target) is tried again later.
  for (const delayMs of [1200, 3000, 6000]) {
    const cg = makeTestCgroup('rwgone');
    try {
      const child = spawnInCgroup(cg, 'sleep', ['600']);
      child.stdout?.resume();
      await new Promise((r) => setTimeout(r, 200));
      const run = runCli(['doctor', '--cgroup', cg.path, '--window', `${Math.ceil(delayMs / 1000) + 2}s`, '--json']);
      await new Promise((r) => setTimeout(r, delayMs));
      await cg.remove();
      const r = await run;
      const report = doctorReportSchema.parse(JSON.parse(r.stdout));
      assert.equal(r.code, 3);
      if (report.targets.length === 0) {
        assert.deepEqual(report.failures.map((f) => f.target), [`--cgroup ${cg.path}`], 'removed before the doctor started: a failure, not a crash');
        continue;
      }
      assert.equal(report.targets[0]!.verdict, 'gone');
      return;
    } finally {
      await cg.remove();
    }
  }
  assert.fail('the doctor never started within 6 s of its launch');
});

test('without root, doctor lists what it could not read and still gives a verdict', async (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root to drop to nobody with setpriv');
  const target = spawn('sleep', ['30'], { stdio: 'ignore' });
  // nobody may not be able to read this checkout (a clone in a 0700 home): run a readable copy of the built CLI.
  const install = makeReadableInstall();
  try {
    const r = await runCli(['doctor', '--pid', String(target.pid), '--window', '1', '--json'], { wrapper: AS_NOBODY, cli: install.cli, env: { HOME: '/tmp' } });
    const report = doctorReportSchema.parse(JSON.parse(r.stdout));
    const tr = report.targets[0]!;
    assert.equal(report.host.root, false);
    assert.ok(['healthy', 'cpu-bound'].includes(tr.verdict), tr.verdict);
    assert.ok(tr.unreadable.some((u: unknown) => /io/.test(typeof u === 'string' ? u : JSON.stringify(u))), JSON.stringify(tr.unreadable));
    assert.ok(tr.stacks.unavailable !== undefined || tr.stacks.sampled === 0);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /Cannot find (package|module)/);
  } finally {
    target.kill('SIGKILL');
    install.remove();
  }
});

test('doctor --all ranks every non-empty cgroup and exits 0 or 1', async () => {
  const r = await runCli(['doctor', '--all', '--window', '1', '--json']);
  const report = doctorReportSchema.parse(JSON.parse(r.stdout));
  assert.ok(report.targets.length >= 1);
  const sev = report.targets.map((t) => t.severity);
  assert.deepEqual(sev, [...sev].sort((a, b) => b - a));
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
});

test('host --json reports the kernel, cgroup mode and tools', async () => {
  const r = await runCli(['host', '--json']);
  assert.equal(r.code, 0);
  const h = JSON.parse(r.stdout) as { schema: string; kernelRelease: string; cgroup: { mode: string }; tools: Array<{ name: string }> };
  assert.equal(h.schema, 'reclaimwatch.host/v1');
  assert.equal(h.kernelRelease, fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
  assert.ok(['v1', 'v2', 'hybrid'].includes(h.cgroup.mode));
  assert.ok(h.tools.some((t) => t.name === 'bpftrace'));
});

test('a good and a missing PID together: the good one is judged, the missing one listed by what was asked, exit 3', async () => {
  const r = await runCli(['doctor', '--pid', String(process.pid), '--pid', '999999999', '--window', '1', '--json']);
  const report = doctorReportSchema.parse(JSON.parse(r.stdout));
  assert.equal(report.targets.length, 1);
  assert.deepEqual(report.failures.map((f) => f.target), ['--pid 999999999']);
  assert.equal(r.code, report.targets[0]!.verdict === 'healthy' || report.targets[0]!.verdict === 'cpu-bound' ? 3 : 1);
});

test('doctor --record into a missing directory fails at once, exit 2, saying what is wrong (before any sampling)', async () => {
  const r = await runCli(['doctor', '--pid', String(process.pid), '--window', '30s', '--record', '/nonexistent/dir/x.json']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /cannot write --record \/nonexistent\/dir\/x.json: the directory \/nonexistent\/dir does not exist/);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.ok(r.elapsedMs < 5000, `refused after ${Math.round(r.elapsedMs)} ms, not after the window`);
  const d = await runCli(['doctor', '--replay', os.tmpdir()]);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /cannot read --replay .*: it is a directory/);
});

test('doctor takes durations as every command does (--window 1s), and an empty --pod is a usage error', async () => {
  const r = await runCli(['doctor', '--pid', String(process.pid), '--window', '1s', '--json']);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  assert.equal(doctorReportSchema.parse(JSON.parse(r.stdout)).windowSeconds, 1);
  for (const opt of ['--pod', '--cgroup', '--container']) {
    const e = await runCli(['doctor', opt, '']);
    assert.equal(e.code, 2, opt);
    assert.match(e.stderr, new RegExp(`${opt} needs a value`));
  }
});

test('doctor --pid of a missing process --json still prints the document, with failures, exit 3', async () => {
  const r = await runCli(['doctor', '--pid', '99999999', '--json']);
  assert.equal(r.code, 3);
  const report = doctorReportSchema.parse(JSON.parse(r.stdout));
  assert.deepEqual(report.targets, []);
  assert.deepEqual(report.failures.map((f) => f.target), ['--pid 99999999']);
  assert.ok(r.elapsedMs < 5000, 'answered at once, without waiting out the window');
});

test('a missing cgroup has the same exit status, 3, in doctor and in trace', async () => {
  const d = await runCli(['doctor', '--cgroup', '/no/such/cgroup', '--window', '1']);
  const t = await runCli(['trace', 'memcg-reclaim', '--cgroup', '/no/such/cgroup', '--duration', '1s']);
  assert.equal(d.code, 3, d.stderr);
  assert.equal(t.code, 3, t.stderr);
  for (const r of [d, t]) assert.match(r.stderr, /no cgroup \/no\/such\/cgroup/);
});

test('root is never told to run as root (the kernel may refuse /proc/1/io even to root)', async (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root');
  const r = await runCli(['doctor', '--pid', '1', '--window', '1']);
  assert.ok(r.code === 0 || r.code === 1 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, /run as root|needs root/);
});
