// `reclaimwatch stacks` and `reclaimwatch flamegraph` through the real CLI entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cannotRunHere } from '../test-support/live.js';
import { parkedBuildBlocker, startParked } from '../stacks/test-program.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
function cli(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, ...(input !== undefined ? { input } : {}) });
}

void test('stacks: usage errors exit 2 with a clear line; a vanished pid exits 3', () => {
  let r = cli(['stacks']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give the process: reclaimwatch stacks --pid PID/);
  r = cli(['stacks', '--pid', 'abc']);
  assert.equal(r.status, 2);
  r = cli(['stacks', '--pid', '1', '--perf', '--samples', '3']);
  assert.equal(r.status, 2);
  r = cli(['stacks', '--pid', String(2 ** 22 + 7), '--kernel-only']);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /is gone/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
});

void test('stacks: a snapshot prints grouped stacks and writes folded stacks and an SVG', async (t) => {
  const why = process.getuid?.() !== 0 ? 'needs root' : parkedBuildBlocker();
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const p = await startParked();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-stacks-cli-'));
  try {
    const r = cli(['stacks', '--pid', String(p.pid), '--folded', `${dir}/s.folded`, '--svg', `${dir}/s.svg`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^pid \d+ \(parked-threads\): 7 threads in 4 groups; user stacks by (eu-stack|gdb)/);
    assert.match(r.stdout, /^3 threads {2}rw-futex {2}state S×3/m);
    assert.match(fs.readFileSync(`${dir}/s.folded`, 'utf8'), /^rw-futex;.*park_in_futex;.*futex_wait.*_\[k\] 3$/m);
    assert.match(fs.readFileSync(`${dir}/s.svg`, 'utf8'), /<g class="f k" data-k="1" data-name="entry_SYSCALL_64_after_hwframe">/);
    const j = cli(['stacks', '--pid', String(p.pid), '--kernel-only', '--json']);
    assert.equal(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as { threads: unknown[]; groups: { count: number }[]; user: { collected: boolean } };
    assert.equal(doc.threads.length, 7);
    assert.equal(doc.user.collected, false);
    assert.equal(doc.groups[0]!.count, 3);
  } finally {
    await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('flamegraph: malformed lines are reported with their numbers and skipped, not fatal', () => {
  const r = cli(['flamegraph', '--title', 'x'], 'a;b 1\nnot folded\na;c 2\n');
  assert.equal(r.status, 0);
  assert.match(r.stderr, /^reclaimwatch: line 2: bad sample count "folded"/m);
  assert.match(r.stdout, /^<\?xml/);
  assert.match(r.stdout, /<title>c \(2 samples, 66\.67%\)<\/title>/);
});

void test('flamegraph: bad options exit 2', () => {
  assert.equal(cli(['flamegraph', '--colors', 'rainbow'], 'a 1\n').status, 2);
  assert.equal(cli(['flamegraph', '--input', '/nonexistent/x.folded']).status, 2);
});

void test('stacks: bad --states, and an output path that cannot be written, are refused before any work (exit 2)', () => {
  let r = cli(['stacks', '--pid', String(process.pid), '--samples', '3', '--states', 'XYZ']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad --states "XYZ": give letters from R \(running\)/);
  r = cli(['stacks', '--pid', String(process.pid), '--kernel-only', '--folded', '/nonexistent/x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot write --folded \/nonexistent\/x: the directory \/nonexistent does not exist/);
  r = cli(['stacks', '--pid', String(process.pid), '--samples', '3', '--hz', '0']);
  assert.equal(r.status, 2);
});

void test('flamegraph: an unwritable --output or a directory as --input is a usage error, not an internal one', () => {
  let r = cli(['flamegraph', '--output', '/nonexistent/x.svg'], 'a;b 1\n');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot write --output \/nonexistent\/x.svg: the directory \/nonexistent does not exist/);
  r = cli(['flamegraph', '--input', os.tmpdir()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read --input .*: it is a directory/);
  for (const x of [r]) assert.doesNotMatch(x.stderr, /internal error/);
});

void test('flamegraph: no stacks is a failure (exit 3, no SVG); a flood of bad lines is summarised, printably', () => {
  let r = cli(['flamegraph'], '');
  assert.equal(r.status, 3);
  assert.equal(r.stdout, '', 'nothing drawn, nothing written');
  assert.match(r.stderr, /held no folded stacks \(0 lines read\): nothing drawn/);
  // Random bytes, as when a binary file is piped in by mistake.
  let seed = 7;
  const bytes = Buffer.alloc(64 * 1024, 0);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16 & 0xff;
  r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'flamegraph'], { cwd: root, input: bytes, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 3);
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length <= 7, `${lines.length} lines on stderr:\n${r.stderr}`);
  assert.match(r.stderr, /\d+ more malformed lines skipped/);
  assert.match(r.stderr, /^[\x20-\x7e\n…]*$/, 'stderr is printable');
});
