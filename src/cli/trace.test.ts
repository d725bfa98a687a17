// The trace command's error paths, run through the real CLI entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cannotRunHere } from '../test-support/live.js';
import { AS_NOBODY, makeReadableInstall } from '../test-support/readable-install.js';

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

void test('trace list as nobody tells a tracefs it may not read from one that is not mounted', (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root to drop to nobody with setpriv');
  const install = makeReadableInstall();
  try {
    const r = spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, install.cli, 'trace', 'list'], { cwd: '/', encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: '/tmp' } });
    assert.equal(r.status, 0, r.stderr);
    const rootView = cli('list');
    if (/runs here: yes/.test(rootView.stdout) && /runs here: cannot tell/.test(r.stdout)) {
      assert.doesNotMatch(r.stdout, /not mounted/, 'mounted, only unreadable');
      assert.match(r.stdout, /not readable by you/);
    } else {
      // tracefs readable by everyone here (or absent for root too): nobody sees what root sees.
      assert.equal(r.stdout.match(/runs here: .*/g)?.join('\n'), rootView.stdout.match(/runs here: .*/g)?.join('\n'));
    }
  } finally {
    install.remove();
  }
});
