// `reclaimwatch sim` through the built CLI, as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../test-support/cli.js';

void test('sim --preset small prints the longest hold in the reference\'s table, progress and a verdict in repro\'s terms', async () => {
  const r = await runCli(['sim', '--preset', 'small']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /=== \[READ\] mmap_lock hold stats in TID \d+ COMM r_(file|memory) ===/);
  assert.match(r.stdout, /\n {20}nr_scanned: \d+\n/);
  assert.match(r.stdout, /\n {22}duration: \d+ us/);
  assert.match(r.stdout, /progress per thread group:/);
  assert.match(r.stdout, /verdict \(repro's rules\): (affected|degraded|not affected)/);
  assert.match(r.stdout, /our figures beside the reference's:/);
});

void test('sim --json gives the whole result, and --svg writes the chart', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-sim-'));
  try {
    const svg = path.join(dir, 'run.svg');
    const r = await runCli(['sim', '--preset', 'small', '--lru', 'mglru', '--seed', '7', '--duration', '20s', '--json', '--svg', svg]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { params: { lru: string; seed: number; durationMs: number }; seconds: unknown[]; verdict: { class: string } };
    assert.equal(j.params.lru, 'mglru');
    assert.equal(j.params.seed, 7);
    assert.equal(j.params.durationMs, 20_000);
    assert.equal(j.seconds.length, 20);
    const text = fs.readFileSync(svg, 'utf8');
    assert.match(text, /^<\?xml/);
    assert.match(text, /Progress per thread group/);
    assert.match(text, /scanned vs reclaimed/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('sim --reclaim-under-mmap-lock overrides the LRU\'s default (two-list: held, MGLRU: released), and the report says which', async () => {
  const byLru = await runCli(['sim', '--preset', 'small', '--lru', 'mglru', '--duration', '15s', '--json']);
  assert.equal(byLru.code, 0, byLru.stderr);
  assert.equal((JSON.parse(byLru.stdout) as { mmapLockDuringReclaim: string }).mmapLockDuringReclaim, 'released');
  const held = await runCli(['sim', '--preset', 'small', '--lru', 'mglru', '--duration', '15s', '--reclaim-under-mmap-lock', '1', '--json']);
  assert.equal(held.code, 0, held.stderr);
  const j = JSON.parse(held.stdout) as { mmapLockDuringReclaim: string; params: { reclaimUnderMmapLock: number } };
  assert.equal(j.mmapLockDuringReclaim, 'held');
  assert.equal(j.params.reclaimUnderMmapLock, 1);
  const text = await runCli(['sim', '--preset', 'small', '--lru', 'classic', '--duration', '15s', '--reclaim-under-mmap-lock', '0']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /two-list \(classic\) LRU, .*reclaim with mmap_lock released first/);
  const bad = await runCli(['sim', '--preset', 'small', '--reclaim-under-mmap-lock', '2']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /reclaimUnderMmapLock: 2: give 1/);
});

void test('sim refuses bad input with exit 2 and says what to give, before any work', async () => {
  const cpus = await runCli(['sim', '--preset', 'small', '--cpus', '0']);
  assert.equal(cpus.code, 2);
  assert.match(cpus.stderr, /cpus/);
  const limit = await runCli(['sim', '--limit', 'lots']);
  assert.equal(limit.code, 2);
  assert.match(limit.stderr, /give bytes or a size such as/);
  const svg = await runCli(['sim', '--svg', '/nonexistent/dir/x.svg']);
  assert.equal(svg.code, 2);
  assert.match(svg.stderr, /\/nonexistent\/dir/);
  assert.ok(svg.elapsedMs < 5000, 'the path is checked before the (600 s) reference run');
  const sweep = await runCli(['sim', 'sweep', '--preset', 'small']);
  assert.equal(sweep.code, 2);
  assert.match(sweep.stderr, /needs --x and --y/);
  const axis = await runCli(['sim', 'sweep', '--x', 'colour=1,2', '--y', 'cpus=1']);
  assert.equal(axis.code, 2);
  assert.match(axis.stderr, /unknown sweep parameter "colour"/);
});

void test('sim sweep prints the map for each LRU and the edges where the verdict changes', async () => {
  const r = await runCli(['sim', 'sweep', '--preset', 'small', '--duration', '30s', '--x', 'threads=20,200', '--y', 'cpus=1,2'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /two-list \(classic\) LRU: cpus down, threads across/);
  assert.match(r.stdout, /MGLRU: cpus down, threads across/);
  assert.match(r.stdout, /edges \(where the verdict changes\):|no edge inside this grid/);
});
