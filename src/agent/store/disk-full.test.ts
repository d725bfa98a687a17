import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cannotRunHere } from '../../test-support/live.js';
import { Store } from './store.js';

const T0 = 1_800_000_000_000;

/** Fills the file system of `dir` with a file until ENOSPC; returns the file. */
function fillUp(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  try {
    for (;;) fs.writeSync(fd, block, 0, 512); // the last few sectors
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

test('on a full file system the store keeps accepting ticks in a bounded backlog, says so, and writes it when space returns', { timeout: 60_000 }, (t) => {
  if (process.getuid?.() !== 0) {
    cannotRunHere(t, 'needs root to mount a small tmpfs');
    return;
  }
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'rwstore-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
  } catch (err) {
    fs.rmdirSync(mnt);
    cannotRunHere(t, `cannot mount a tmpfs: ${(err as Error).message}`);
    return;
  }
  let store: Store | undefined;
  try {
    store = Store.open({ dir: path.join(mnt, 'store'), tuning: { retryMs: 0, backlog: { maxTicks: 50, maxRecords: 100 } } });
    const sample = (i: number) => ({ i, limit: Infinity, blob: Buffer.alloc(3000, i % 251).toString('hex') + String(Math.sin(i)) });
    for (let i = 0; i < 10; i++) store.appendTick(T0 + i * 1000, { i }, [{ id: 'a', sample: sample(i) }]);
    assert.equal(store.status().writable, true);
    const filler = fillUp(mnt);

    let i = 10;
    for (; i < 400 && store.status().writable; i++) store.appendTick(T0 + i * 1000, { i }, [{ id: 'a', sample: sample(i) }]);
    const full = store.status();
    assert.equal(full.writable, false, 'the store says it cannot write');
    assert.match(full.lastError?.code ?? '', /^SQLITE_(FULL|IOERR)/);
    const firstUnwritten = i - 1;
    const incident = store.openIncident({ targetId: 'a', verdict: 'thrashing', startWallMs: T0 + i * 1000, peakSeverity: 2, findings: ['while full'] });
    for (const end = i + 120; i < end; i++) store.appendTick(T0 + i * 1000, { i }, [{ id: 'a', sample: sample(i) }]); // never throws
    const waiting = store.status();
    assert.equal(waiting.writable, false);
    assert.equal(waiting.pendingTicks, 50, 'the backlog is bounded');
    assert.ok(waiting.droppedTicks > 0);
    assert.equal(waiting.pendingRecords, 1);
    assert.equal(store.maintain(T0 + i * 1000).flushed, 0, 'maintain() while full writes nothing and does not throw');

    fs.rmSync(filler);
    const last = i;
    store.appendTick(T0 + last * 1000, { i: last }, [{ id: 'a', sample: sample(last) }]);
    for (let k = 0; k < 20 && store.status().pendingTicks > 0; k++) store.maintain(T0 + last * 1000, 1000);
    const back = store.status();
    assert.equal(back.writable, true, `writes again: ${back.lastError?.message}`);
    assert.equal(back.pendingTicks, 0);
    assert.equal(back.pendingRecords, 0);
    const times = new Set(store.readTargetSamples('a', 0, Number.MAX_SAFE_INTEGER, (x) => x).map((s) => s.wallMs));
    for (let k = last - 49; k <= last; k++) assert.ok(times.has(T0 + k * 1000), `backlogged tick ${k} written`);
    for (let k = 0; k < 10; k++) assert.ok(times.has(T0 + k * 1000), `tick ${k} from before the disk filled is there`);
    assert.ok(!times.has(T0 + (firstUnwritten + 1) * 1000), 'ticks dropped from the bounded backlog stay missing (a gap)');
    assert.deepStrictEqual(store.getIncident(incident)?.findings, ['while full'], 'the incident opened while full was written');
    t.diagnostic(`full after ${firstUnwritten - 9} ticks on a full tmpfs (${full.lastError?.code}); backlog ${waiting.pendingTicks} ticks, ${waiting.droppedTicks} dropped; written back after space returned`);
  } finally {
    store?.close();
    execFileSync('umount', [mnt]);
    fs.rmdirSync(mnt);
  }
});
