// The order of a doctor --trace window: the sampling window starts once the traces have attached, and a trace
// that never attaches holds it back no longer than the attach budget. The trace itself is injected (its real
// bpftrace run is tested in doctor.live.test.ts); the samples are of this test process on the real /proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIVE_HOST } from '../host/host-paths.js';
import type { TraceSummary } from '../detect/verdict.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import { sleep } from '../units/sleep.js';
import { runDoctor } from './run-doctor.js';
import type { DoctorRecording } from './run-doctor.js';

const summary = (tracedMs: number): TraceSummary => ({ ran: true, tracedMs, memcgReclaim: undefined, mmapLock: undefined, unavailable: [] });

void test('with a trace, the window starts when bpftrace has attached and the trace is stopped at its end', async () => {
  const { targets } = await resolveTargets(LIVE_HOST, { pids: [process.pid] });
  const t0 = performance.now();
  let attachedAt = 0;
  let stoppedAt = 0;
  let rec: DoctorRecording | undefined;
  const report = await runDoctor(LIVE_HOST, targets, {
    windowMs: 1000, stacks: false, probe: false, onRecording: (r) => (rec = r),
    trace: {
      run: async (_t, durationMs, stop, onAttached) => {
        assert.ok(durationMs >= 1000, `trace asked for ${durationMs} ms, less than the window`);
        await sleep(600);
        attachedAt = performance.now();
        onAttached();
        await sleep(durationMs, stop);
        stoppedAt = performance.now();
        return summary(stoppedAt - attachedAt);
      },
    },
  });
  assert.ok(rec && rec.hostSamples.length >= 2);
  assert.ok(rec.hostSamples[0]!.monoMs >= attachedAt - 1, `first sample ${(rec.hostSamples[0]!.monoMs - t0).toFixed(0)} ms, attach ${(attachedAt - t0).toFixed(0)} ms`);
  assert.ok(stoppedAt - attachedAt >= 950 && stoppedAt - attachedAt < 3000, `trace ran ${(stoppedAt - attachedAt).toFixed(0)} ms for a 1000 ms window`);
  assert.ok(report.targets[0]!.trace?.ran);
});

void test('a trace that never attaches delays the window by the attach budget only, and one that fails does not delay it', async () => {
  const { targets } = await resolveTargets(LIVE_HOST, { pids: [process.pid] });
  const base = { windowMs: 1000, stacks: false, probe: false };
  let t0 = performance.now();
  const slow = await runDoctor(LIVE_HOST, targets, {
    ...base,
    trace: { attachBudgetMs: 500, run: async (_t, durationMs, stop) => (await sleep(durationMs, stop), summary(0)) },
  });
  const hung = performance.now() - t0;
  assert.match(slow.targets[0]!.trace?.unavailable.join() ?? '', /took over 1 s to attach: the trace covers only the last 0\.0 s/);
  assert.ok(hung >= 1400 && hung < 4000, `never-attaching trace: doctor took ${hung.toFixed(0)} ms (budget 500 + window 1000)`);
  t0 = performance.now();
  const report = await runDoctor(LIVE_HOST, targets, {
    ...base,
    trace: { run: () => Promise.resolve({ ran: false, tracedMs: 0, memcgReclaim: undefined, mmapLock: undefined, unavailable: ['bpftrace not installed'] }) },
  });
  const failed = performance.now() - t0;
  assert.ok(failed < 2500, `failing trace: doctor took ${failed.toFixed(0)} ms for a 1000 ms window`);
  assert.deepEqual(report.targets[0]!.trace?.unavailable, ['bpftrace not installed']);
});
