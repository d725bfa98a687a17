// The trace command's error paths, run through the real CLI entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'trace', ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

void test('a missing bpftrace exits 3 and names the Debian package', () => {
  const r = cli('memcg-reclaim', '--pid', String(process.pid), '--duration', '1s', '--bpftrace', '/nonexistent');
  assert.equal(r.status, 3);
  assert.match(r.stderr, /bpftrace not found at \/nonexistent/);
  assert.match(r.stderr, /apt-get install bpftrace/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
});

void test('an unknown program exits 2 and lists the programs', () => {
  const r = cli('no-such-program', '--pid', '1');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown trace program "no-such-program"/);
  assert.match(r.stderr, /memcg-reclaim/);
});

void test('a cgroup that is not there exits 3 (could not inspect), as in doctor', () => {
  const r = cli('memcg-reclaim', '--cgroup', '/no/such/cgroup', '--duration', '1s');
  assert.equal(r.status, 3);
  assert.match(r.stderr, /no cgroup \/no\/such\/cgroup/);
});

void test('a bad duration exits 2 with an example of a good one', () => {
  const r = cli('mmap-lock', '--pid', '1', '--duration', 'soon');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad --duration "soon".*30s/);
});

void test('no target, and --folded with a program without stacks, are usage errors', () => {
  assert.equal(cli('mmap-lock').status, 2);
  const r = cli('memcg-reclaim', '--pid', '1', '--folded', '/tmp/x');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--folded works with/);
});

void test('syscall-latency without --syscall is a usage error', () => {
  const r = cli('syscall-latency', '--pid', '1');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--syscall NAME/);
});

void test('trace list shows every program with what it needs', () => {
  const r = cli('list');
  assert.equal(r.status, 0);
  for (const p of ['syscall-latency', 'memcg-reclaim', 'direct-reclaim', 'mmap-lock', 'profile-under-lock', 'hold-stats']) assert.match(r.stdout, new RegExp(`^${p}$`, 'm'));
  assert.match(r.stdout, /kprobes here: /);
});
