import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parsePerfScript } from './perf-script.js';

const fixture = new URL('../../test/fixtures/flame/perf-script-dd.txt', import.meta.url);

void test('parsePerfScript() folds real perf script output, kernel frames marked, root first', () => {
  const r = parsePerfScript(fs.readFileSync(fixture, 'utf8'));
  assert.equal(r.samples, 12);
  const lines = r.folded.trim().split('\n');
  const write = lines.find((l) => l.includes('vfs_write'));
  assert.ok(write, r.folded);
  assert.match(write, /^dd;.*__GI___libc_write;entry_SYSCALL_64_after_hwframe_\[k\];do_syscall_64_\[k\];ksys_write_\[k\];vfs_write_\[k\] \d+$/);
  // The terminal "0 [unknown] ([unknown])" frame perf adds below the real root is dropped.
  assert.ok(!r.folded.includes('dd;[unknown]'), r.folded);
  const total = lines.reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  assert.equal(total, 12);
});
