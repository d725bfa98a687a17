// Live tests of `reclaimwatch repro` on this machine's kernel: real cgroups, the real native workload,
// real signals. Each run uses its own --state-dir so it never sees another run's records.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERDICTS } from '../detect/verdict.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { cannotRunHere, liveCgroupBlocker, waitFor } from '../test-support/live.js';
import { listRunRecords, type RunRecord } from '../repro/run-registry.js';
import { AS_NOBODY, makeReadableInstall } from '../test-support/readable-install.js';
import { defaultWorkloadPath } from '../repro/workload.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const main = path.join(root, 'src/cli/main.ts');
const nodeArgs = ['--import', 'tsx', main, 'repro'];

function blocker(): string | undefined {
  const b = liveCgroupBlocker();
  if (b) return b;
  if (!fs.existsSync(defaultWorkloadPath())) return `the workload is not built (${defaultWorkloadPath()}): run npm install with a C compiler`;
  return undefined;
}

/** Runs a live test with its own --state-dir, removed afterwards; `why` says it cannot run here. */
async function withStateDir(t: TestContext, body: (stateDir: string) => Promise<void>, why = blocker()): Promise<void> {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-repro-state-'));
  try {
    await body(stateDir);
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

function cli(args: string[], deadlineMs = 90_000): ReturnType<typeof runWithDeadline> {
  return runWithDeadline(process.execPath, [...nodeArgs, ...args], { deadlineMs, cwd: root });
}

/** True while a process exists and is not a zombie waiting for init to reap it. */
const alive = (pid: number): boolean => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
};

/** Asserts nothing of a recorded run is left: cgroups, file directories, processes. */
function assertNothingLeft(rec: RunRecord): void {
  assert.ok(rec.cgroupDirs.length >= 1);
  for (const d of rec.cgroupDirs) assert.ok(!fs.existsSync(d), `cgroup ${d} is gone`);
  for (const d of rec.workDirs) assert.ok(!fs.existsSync(d), `file directory ${d} is gone`);
  for (const w of rec.workloads) assert.ok(!alive(w.pid), `workload ${w.pid} is gone`);
}

/** Polls the state directory until the run's workload runs; returns a copy of its record. */
async function recordWhenRunning(stateDir: string): Promise<RunRecord> {
  let rec: RunRecord | undefined;
  const ok = await waitFor(() => {
    rec = listRunRecords(stateDir).find((r) => r.workloads.length > 0);
    return rec !== undefined;
  }, 30_000, 100);
  assert.ok(ok && rec, 'the run recorded its workload');
  return rec;
}

void test('repro --preset small runs end to end: limits applied, progress in both phases, probe, verdict, nothing left', (t) => withStateDir(t, async (stateDir) => {
  const running = cli(['--preset', 'small', '--limit', '48M', '--cpus', '0.5', '--json', '--state-dir', stateDir, '--dir', '/var/tmp']);
  const rec = await recordWhenRunning(stateDir);
  const mem = rec.cgroupDirs.find((d) => d.includes('/memory/'));
  const cpu = rec.cgroupDirs.find((d) => d.includes('/cpu/'));
  assert.ok(mem && cpu, 'v1 memory and cpu cgroups were made on this host');
  assert.equal(fs.readFileSync(`${mem}/memory.limit_in_bytes`, 'utf8').trim(), String(48 * 1024 * 1024));
  // memsw = limit only where the host has swap: otherwise memsw would fail first and memory.failcnt stay 0.
  const hostSwap = /^SwapTotal:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] !== '0';
  if (fs.existsSync(`${mem}/memory.memsw.limit_in_bytes`)) {
    const memsw = fs.readFileSync(`${mem}/memory.memsw.limit_in_bytes`, 'utf8').trim();
    if (hostSwap) assert.equal(memsw, String(48 * 1024 * 1024));
    else assert.notEqual(memsw, String(48 * 1024 * 1024), 'no swap on the host: memsw is left unlimited');
  }
  assert.equal(fs.readFileSync(`${cpu}/cpu.cfs_quota_us`, 'utf8').trim(), '50000');
  // The workload joins its cgroups itself, just after it is recorded: wait for it rather than race it.
  const joined = await waitFor(() => fs.readFileSync(`${mem}/cgroup.procs`, 'utf8').split('\n').includes(String(rec.workloads[0]!.pid)), 10_000, 50);
  assert.ok(joined, 'the workload runs in the cgroup');
  const r = await running;
  assert.ok(r.code === 0 || r.code === 1, `exit 0 or 1 (verdict), got ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { verdict: string; legs: Array<{ end: string; seconds: Array<{ phase: string; filePagesPerS?: number; memoryPagesPerS?: number }>; verdict: { class: string; figures: Record<string, number | undefined> } }>; cleanup: { left: string[] } };
  const leg = report.legs[0]!;
  assert.equal(leg.end, 'completed');
  // Phase 1 is everything before the memory threads: `prepare` while some files are still being written
  // (a loaded 2-CPU host at 0.5 CPU may take all of --delay for that), then `file`.
  assert.ok(leg.seconds.some((s) => (s.phase === 'file' || s.phase === 'prepare') && (s.filePagesPerS ?? 0) > 0), 'file threads progressed in phase 1');
  assert.ok(leg.seconds.some((s) => s.phase === 'both' && (s.filePagesPerS ?? 0) > 0), 'file threads progressed in phase 2');
  assert.ok(leg.seconds.some((s) => s.phase === 'both' && (s.memoryPagesPerS ?? 0) > 0), 'memory threads progressed in phase 2');
  const f = leg.verdict.figures;
  assert.ok((f['probes'] ?? 0) >= 3 && f['worstProbeMs'] !== undefined && f['worstProbeMs'] > 0, 'the mmap_lock probe was measured');
  assert.ok((f['fileBeforePerS'] ?? 0) > 0 && f['fileAfterPerS'] !== undefined, 'before/after figures are there');
  // The small preset runs at its limit in phase 2 (usage = limit): memory.failcnt of the v1 cgroup counts it.
  if (!hostSwap) assert.ok((f['limitHits'] ?? 0) > 0, `limit hits counted (memory.failcnt), got ${f['limitHits']}`);
  assert.ok(['affected', 'degraded', 'not affected'].includes(report.verdict));
  assert.match(r.stderr, /MGLRU as found, cgroup .*reclaimwatch-repro-/, 'the live view went to stderr');
  assert.deepEqual(report.cleanup.left, []);
  assertNothingLeft(rec);
  assert.deepEqual(listRunRecords(stateDir), [], 'the record is removed at the end');
}));

void test('repro --trace puts the mmap-lock and memcg-reclaim figures and the doctor verdict into the live view, JSON and report', (t) => withStateDir(t, async (stateDir) => {
  const reportFile = path.join(stateDir, 'report.txt');
  // 12 s: room for two 3 s doctor windows even when bpftrace and the tests of others slow the start.
  const r = await cli(['--preset', 'small', '--duration', '12s', '--trace', '--json', '--report', reportFile, '--state-dir', stateDir], 120_000);
  assert.ok(r.code === 0 || r.code === 1, `exit 0 or 1 (verdict), got ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { legs: Array<{ trace: { ran: boolean; tracedMs: number; attachedAtS?: number; unavailable: string[]; memcgReclaim?: { calls: number }; mmapLock?: { holds: number; maxHoldMs: number } }; doctor: { windows: number; last?: { verdict: string; atS: number } }; verdict: { figures: Record<string, number | undefined> } }> };
  const leg = report.legs[0]!;
  assert.ok(leg.trace.ran, `the trace ran: ${leg.trace.unavailable.join('; ')}`);
  assert.ok(leg.trace.tracedMs > 1000 && leg.trace.attachedAtS !== undefined, 'bpftrace attached during the run');
  // The small preset hits its limit (memcg reclaim) and its file threads mmap and munmap their files every window (mmap_lock writes).
  assert.ok((leg.trace.memcgReclaim?.calls ?? 0) > 0, `memcg reclaim traced: ${JSON.stringify(leg.trace.memcgReclaim)}`);
  assert.ok((leg.trace.mmapLock?.holds ?? 0) > 0, `mmap_lock holds traced: ${JSON.stringify(leg.trace.mmapLock)}`);
  const f = leg.verdict.figures;
  assert.equal(f['traceReclaimCalls'], leg.trace.memcgReclaim?.calls, 'the traced figures are among the deciding figures');
  assert.equal(f['traceMmapLockMaxHoldMs'], leg.trace.mmapLock?.maxHoldMs);
  assert.ok(leg.doctor.windows >= 1 && leg.doctor.last, `a doctor window finished: ${JSON.stringify(leg.doctor)}`);
  assert.ok((VERDICTS as readonly string[]).includes(leg.doctor.last.verdict), `a doctor verdict: ${leg.doctor.last.verdict}`);
  assert.match(r.stderr, new RegExp(`doctor ${leg.doctor.last.verdict} \\(\\d+ s\\)\\n`), 'the live view shows the doctor verdict');
  const text = fs.readFileSync(reportFile, 'utf8');
  assert.match(text, /mmap_lock trace {2}[\d,]+ holds, longest /);
  assert.match(text, /reclaim trace {4}[\d,]+ memcg reclaim calls/);
  assert.match(text, new RegExp(`doctor {11}last ${leg.doctor.last.verdict} `));
  assert.deepEqual(listRunRecords(stateDir), [], 'nothing left recorded');
}, blocker() ?? (spawnSync('bpftrace', ['--version']).error ? 'bpftrace is not installed (apt-get install bpftrace)' : undefined)));

void test('after SIGKILL of reclaimwatch mid-run, repro --cleanup removes the cgroups, files and processes', (t) => withStateDir(t, async (stateDir) => {
  const child = spawn(process.execPath, [...nodeArgs, '--preset', 'small', '--duration', '30s', '--state-dir', stateDir], { cwd: root, stdio: 'ignore' });
  const exited = new Promise((res) => child.on('exit', res));
  const rec = await recordWhenRunning(stateDir);
  await new Promise((r) => setTimeout(r, 2000));
  child.kill('SIGKILL');
  await exited;
  const left = listRunRecords(stateDir);
  assert.equal(left.length, 1, 'the killed run left its record');
  assert.ok(left[0]!.cgroupDirs.some((d) => fs.existsSync(d)), 'and its cgroups (something for --cleanup to do)');
  assert.ok(left[0]!.workDirs.some((d) => fs.existsSync(d)), 'and its file directory');
  const r = await cli(['--cleanup', '--state-dir', stateDir], 60_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`run ${rec.runId}: .*removed [1-9]\\d* cgroup dir`));
  assertNothingLeft(left[0]!);
  assert.deepEqual(listRunRecords(stateDir), []);
  const again = await cli(['--cleanup', '--state-dir', stateDir], 30_000);
  assert.match(again.stdout, /nothing to clean/);
}));

void test('a crash of the workload ends the run with exit 3 and leaves nothing', (t) => withStateDir(t, async (stateDir) => {
  const running = cli(['--preset', 'small', '--duration', '30s', '--state-dir', stateDir]);
  const rec = await recordWhenRunning(stateDir);
  await new Promise((r) => setTimeout(r, 1500));
  process.kill(rec.workloads[0]!.pid, 'SIGSEGV');
  const r = await running;
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /the workload crashed \(SIGSEGV\).*removed/);
  assertNothingLeft(rec);
  assert.deepEqual(listRunRecords(stateDir), []);
}));

void test('repro refuses bad input with a clear message and creates nothing', (t) => withStateDir(t, async (stateDir) => {
  const small = await cli(['--preset', 'small', '--limit', '1M', '--state-dir', stateDir], 30_000);
  assert.equal(small.code, 2);
  assert.match(small.stderr, /--limit 1\.0 MiB is below the .* the workload needs to start/);
  const shm = await cli(['--preset', 'small', '--dir', '/dev/shm', '--state-dir', stateDir], 30_000);
  assert.equal(shm.code, 2);
  assert.match(shm.stderr, /--dir \/dev\/shm cannot hold the workload's files: it is tmpfs/);
  const bad = await cli(['--preset', 'huge'], 30_000);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad --preset "huge"/);
  if (!fs.existsSync('/sys/kernel/mm/lru_gen/enabled')) {
    const mglru = await cli(['--preset', 'small', '--mglru', 'both', '--state-dir', stateDir], 30_000);
    assert.equal(mglru.code, 3);
    assert.match(mglru.stderr, /--mglru both needs MGLRU.*CONFIG_LRU_GEN/);
  }
  const noBpftrace = await cli(['--preset', 'small', '--trace', '--bpftrace', '/nonexistent/bpftrace', '--state-dir', stateDir], 30_000);
  assert.equal(noBpftrace.code, 3, noBpftrace.stderr);
  assert.match(noBpftrace.stderr, /bpftrace .*\/nonexistent\/bpftrace/);
  assert.doesNotMatch(noBpftrace.stdout + noBpftrace.stderr, /-- MGLRU/, 'refused before the run started');
  for (const r of [small, shm, bad, noBpftrace]) assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(fs.readdirSync(stateDir), [], 'nothing was recorded: nothing was created');
}));

void test('repro as a non-root user says it needs root', async (t) => {
  const why = blocker();
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  // nobody may not be able to read this checkout (a clone in a 0700 home): run a readable copy of the built CLI.
  const install = makeReadableInstall();
  try {
    for (const args of [['--preset', 'small'], ['--cleanup']]) {
      const r = await runWithDeadline(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, install.cli, 'repro', ...args], { deadlineMs: 30_000, cwd: '/', env: { ...process.env, HOME: '/tmp' } });
      if (r.spawnError) {
        cannotRunHere(t, `setpriv is missing: ${r.spawnError.message}`);
        return;
      }
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /needs root: it creates cgroups .* run it with sudo/);
    }
  } finally {
    install.remove();
  }
});

void test('a missing compiler at install time is a clear warning, exit 0, and repro then says what to install', async (t) => {
  const why = blocker();
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-nocc-'));
  try {
    for (const f of ['binding.gyp', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(copy, f));
    fs.cpSync(path.join(root, 'native'), path.join(copy, 'native'), { recursive: true });
    fs.cpSync(path.join(root, 'scripts'), path.join(copy, 'scripts'), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    // A PATH with every tool of /usr/bin and /bin except the C/C++ compilers.
    const bin = path.join(copy, 'bin');
    fs.mkdirSync(bin);
    const compiler = /^(cc|c\+\+|cpp|gcc|g\+\+|clang|clang\+\+|tcc|x86_64-linux-gnu-(gcc|g\+\+|cpp))(-[\d.]+)?$/;
    for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
      for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        if (compiler.test(name) || fs.existsSync(path.join(bin, name))) continue;
        fs.symlinkSync(path.join(dir, name), path.join(bin, name));
      }
    }
    const py = await runWithDeadline('python3', ['-c', 'import sys; print(sys.executable)'], { deadlineMs: 10_000 });
    const env: NodeJS.ProcessEnv = { PATH: bin, HOME: process.env['HOME'] ?? '/root', PYTHON: py.stdout.trim() || 'python3' };
    if (fs.existsSync('/usr/include/node/node_api.h')) env['npm_config_nodedir'] = '/usr';
    const r = await runWithDeadline(process.execPath, ['scripts/build-native.mjs'], { deadlineMs: 120_000, cwd: copy, env });
    assert.equal(r.code, 0, `the install step must not fail: ${r.stderr}`);
    assert.match(r.stderr, /the native parts did not build/);
    assert.match(r.stderr, /install a C compiler and make/);
    assert.ok(!fs.existsSync(path.join(copy, 'build/Release/repro_workload')), 'no workload was built');
    const repro = await cli(['--preset', 'small', '--workload', path.join(copy, 'build/Release/repro_workload')], 30_000);
    assert.equal(repro.code, 3);
    assert.match(repro.stderr, /repro workload .* is not built: .*C compiler and make/);
    const help = await runWithDeadline(process.execPath, ['--import', 'tsx', main, '--help'], { deadlineMs: 30_000, cwd: root });
    assert.equal(help.code, 0, 'the rest of reclaimwatch still runs');
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
