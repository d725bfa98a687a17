// Recorded samples replay into verdicts through the same derive → classify path as a live run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessRecording } from './run-doctor.js';
import { loadRecording } from './recording-json.js';
import { doctorReportSchema } from './report.js';
import { UsageError } from '../kernel/errors.js';
import { parseThresholdOverrides } from '../detect/thresholds.js';

const FILE = 'test/fixtures/recordings/thrash-hybrid-6.18.json';

test('a recording of the thrash workload on this kernel replays into thrashing or reclaim-livelock', () => {
  const report = assessRecording(loadRecording(FILE));
  doctorReportSchema.parse(report);
  const t = report.targets[0]!;
  assert.ok(['thrashing', 'reclaim-livelock'].includes(t.verdict), t.verdict);
  assert.ok(t.stacks.groups[0]!.frames.length > 0);
  assert.equal(report.host.cgroupMode, 'hybrid');
});

test('replaying with other thresholds changes the verdict, proving it is re-derived, not stored', () => {
  // The live run printed RECLAIM-LIVELOCK; without the stall and collapse criteria the same samples are thrashing.
  assert.equal(assessRecording(loadRecording(FILE)).targets[0]!.verdict, 'reclaim-livelock');
  const lax = parseThresholdOverrides(['threadsInReclaimShare=2', 'mmapLockStallMs=100000', 'progressMaxWorkPerSystemCpuSecond=0']);
  const t = assessRecording(loadRecording(FILE), lax).targets[0]!;
  assert.equal(t.verdict, 'thrashing');
});

test('loadRecording() refuses a file that is not a recording, saying how to make one', () => {
  assert.throws(() => loadRecording('package.json'), (e: unknown) => e instanceof UsageError && /doctor --record/.test(e.message));
  assert.throws(() => loadRecording('/nonexistent.json'), UsageError);
});
