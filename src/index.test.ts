import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rw from './index.js';

test('the public surface exports the spine by name: readers, samples, derive, classify, doctor', () => {
  for (const name of ['readPidStat', 'readV1Memory', 'readV2Memory', 'collectTargetSample', 'derive', 'classify', 'runDoctor', 'assessRecording', 'probeMmapLock', 'traceEvidence', 'takeSnapshot', 'renderFlameGraph', 'runRepro', 'runInGuest']) {
    assert.equal(typeof (rw as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(rw.DEFAULT_THRESHOLDS.memoryAtLimitRatio, 0.95);
  assert.deepEqual([...rw.VERDICTS], ['healthy', 'cpu-bound', 'memory-pressure', 'thrashing', 'oom-loop', 'reclaim-livelock', 'gone']);
});
