import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VERDICTS } from '../../detect/verdict.js';
import { trackVerdict, type TrackedVerdict } from './verdict-tracker.js';

test('trackVerdict() changes the verdict only after it held for holdTicks assessments, dated from its first sight', () => {
  let s = trackVerdict(undefined, 'healthy', 0, 3).state;
  const seen: Array<string | undefined> = [];
  for (const [i, v] of (['thrashing', 'reclaim-livelock', 'thrashing', 'thrashing', 'thrashing'] as const).entries()) {
    const r = trackVerdict(s, v, (i + 1) * 1000, 3);
    s = r.state;
    seen.push(r.change?.to);
  }
  assert.deepEqual(seen, [undefined, undefined, undefined, undefined, 'thrashing']);
  assert.equal(s.sinceWallMs, 3000);
});

test('trackVerdict() never flaps: alternating verdicts keep the one in force', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom('thrashing' as const, 'reclaim-livelock' as const), { minLength: 1, maxLength: 50 }), fc.integer({ min: 2, max: 5 }), (seq, hold) => {
    let s: TrackedVerdict = trackVerdict(undefined, 'healthy', 0, hold).state;
    let changes = 0;
    let run = 0;
    let last: string | undefined;
    let maxRun = 0;
    seq.forEach((v, i) => {
      run = v === last ? run + 1 : 1;
      last = v;
      maxRun = Math.max(maxRun, run);
      const r = trackVerdict(s, v, i + 1, hold);
      s = r.state;
      if (r.change) changes++;
    });
    // Every change needs a run of `hold` equal assessments.
    if (maxRun < hold) assert.equal(changes, 0);
  }));
});

test('a gone target changes at once', () => {
  const s = trackVerdict(undefined, 'thrashing', 0, 5).state;
  assert.equal(trackVerdict(s, 'gone', 1, 5).change?.to, 'gone');
  assert.ok(VERDICTS.includes('gone'));
});
