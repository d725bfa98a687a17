import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { durabilitySample } from './durability-writer.js';
import { Store } from './store.js';

const WRITER = path.join(import.meta.dirname, 'durability-writer.ts');

/** Starts the writer; resolves once it has acknowledged `minAcks` ticks. */
function startWriter(dir: string, targets: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(targets), '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: number[] = [];
  let buf = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l.startsWith('ack ')) acks.push(Number(l.slice(4)));
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, sig) => resolve(sig ?? code)));
  const started = async (minAcks: number): Promise<void> => {
    const t0 = Date.now();
    while (acks.length < minAcks) {
      if (child.exitCode !== null) throw new Error(`writer exited early: ${stderr}`);
      if (Date.now() - t0 > 30_000) throw new Error(`writer acknowledged only ${acks.length} ticks in 30 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { child, acks, exited, started, stderr: () => stderr };
}

test('kill -9 of a writer mid-tick, 20 times in a row: the store opens every time, every acknowledged tick is there, restarts show as gaps', { timeout: 300_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstore-kill-'));
  try {
    const targets = 4;
    const acked: number[] = [];
    for (let round = 0; round < 20; round++) {
      const w = startWriter(dir, targets);
      await w.started(5);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 700)); // a random moment, writes under way
      w.child.kill('SIGKILL');
      assert.equal(await w.exited, 'SIGKILL', `round ${round}: the writer ended otherwise: ${w.stderr()}`);
      acked.push(...w.acks);

      const check = new Database(path.join(dir, 'store.db'), { readonly: true });
      assert.equal(check.pragma('quick_check', { simple: true }), 'ok', `round ${round}: database damaged`);
      check.close();
      const store = Store.open({ dir });
      try {
        const hostTimes = new Set(store.readHostSamples(0, Number.MAX_SAFE_INTEGER, (x) => x).map((s) => s.wallMs));
        const missing = acked.filter((t) => !hostTimes.has(t));
        assert.deepStrictEqual(missing, [], `round ${round}: acknowledged ticks lost`);
        for (let t = 0; t < targets; t++) {
          const got = store.readTargetSamples(`t${t}`, 0, Number.MAX_SAFE_INTEGER, (x) => x);
          const times = new Set(got.map((s) => s.wallMs));
          assert.deepStrictEqual(acked.filter((x) => !times.has(x)), [], `round ${round}: target t${t} lost ticks`);
          const one = got[Math.floor(got.length / 2)]!;
          assert.deepStrictEqual(one.sample, durabilitySample(t, one.wallMs));
        }
        assert.equal(store.listRuns().filter((r) => r.kind === 'start').length, round + 1);
      } finally {
        store.close();
      }
    }
    // Each restart continues 5 s after the newest tick: the missing seconds are absent, not filled.
    const store = Store.openReadOnly(dir);
    try {
      const times = store.readHostSamples(0, Number.MAX_SAFE_INTEGER, (x) => x).map((s) => s.wallMs);
      const gaps = times.slice(1).filter((t, i) => t - times[i]! > 1000).length;
      assert.ok(gaps >= 19, `expected a gap per restart, found ${gaps}`);
      const chunked = (new Database(path.join(dir, 'store.db'), { readonly: true }).prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
      assert.ok(chunked > 0, 'the compactor ran between kills');
      t.diagnostic(`20 kills: ${acked.length} acknowledged ticks, none lost; ${times.length} host samples stored, ${gaps} gaps, ${chunked} chunks`);
    } finally {
      store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a read-only reader in another process reads while the writer writes, and sees new ticks', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstore-ro-'));
  const w = startWriter(dir, 3);
  try {
    await w.started(20);
    const reader = Store.openReadOnly(dir);
    try {
      const first = reader.readTargetSamples('t1', 0, Number.MAX_SAFE_INTEGER, (x) => x).length;
      assert.ok(first >= 20);
      await w.started(first + 60);
      const second = reader.readTargetSamples('t1', 0, Number.MAX_SAFE_INTEGER, (x) => x);
      assert.ok(second.length > first, `no new ticks seen: ${first} then ${second.length}`);
      assert.ok(second.every((s, i) => i === 0 || s.wallMs > second[i - 1]!.wallMs), 'samples in time order');
      assert.throws(() => reader.appendTick(1, {}, []), { code: 'usage', message: /read-only/ });
      assert.throws(() => Store.open({ dir }), { code: 'usage', message: new RegExp(`another reclaimwatch agent \\(pid ${w.child.pid}\\)`) });
    } finally {
      reader.close();
    }
  } finally {
    w.child.kill('SIGKILL');
    await w.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('openReadOnly() of a directory without a store is a UsageError saying what to pass', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstore-none-'));
  try {
    assert.throws(() => Store.openReadOnly(dir), { code: 'usage', message: /no reclaimwatch store in .*pass the --store directory the agent writes/ });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
