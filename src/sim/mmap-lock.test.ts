import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MmapLock } from './mmap-lock.js';
import { NO_THREAD } from './scheduler.js';

void test('a new reader waits behind a waiting writer, and the writer behind the readers that hold the lock', () => {
  const l = new MmapLock();
  assert.equal(l.read(1), true);
  assert.equal(l.write(2), false, 'the writer waits for the reader');
  assert.equal(l.read(3), false, 'a new reader queues behind the waiting writer');
  assert.equal(l.tryRead(), false, 'down_read_trylock fails while anyone waits');
  assert.equal(l.readTrylockWould(), false, 'and so does the check MGLRU\'s walk_mm makes');
  assert.deepEqual(l.releaseRead(), [2]);
  assert.equal(l.writer, 2);
  assert.deepEqual(l.releaseWrite(), [3]);
  assert.equal(l.readers, 1);
  assert.equal(l.writer, NO_THREAD);
  assert.equal(l.readTrylockWould(), true, 'readers alone, nobody waiting: the trylock would succeed');
});

void test('readers share the lock, and a reader at the front wakes the queued readers even behind a writer', () => {
  const l = new MmapLock();
  assert.equal(l.write(1), true);
  assert.equal(l.read(2), false);
  assert.equal(l.write(3), false);
  assert.equal(l.read(4), false);
  assert.deepEqual(l.releaseWrite(), [2, 4]);
  assert.equal(l.readers, 2);
  assert.deepEqual(l.releaseRead(), []);
  assert.deepEqual(l.releaseRead(), [3]);
});
