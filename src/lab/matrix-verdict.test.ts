import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastJsonObject, parseCellVerdict } from './matrix-verdict.js';

test('parseCellVerdict() reads a repro-shaped report: top-level verdict, figures of the first leg', () => {
  const doc = { tool: 'reclaimwatch repro', verdict: 'affected', legs: [{ mglru: 'off', verdict: { class: 'affected', reasons: ['x'], figures: { fileRatio: 0.02, worstProbeMs: 4100.5, oomKills: 0, reclaimScope: 'cgroup' } } }] };
  const v = parseCellVerdict(JSON.stringify(doc, null, 2));
  assert.equal(v.verdict, 'affected');
  assert.deepEqual(v.figures, { fileRatio: 0.02, worstProbeMs: 4100.5, oomKills: 0 });
  assert.equal(v.why, undefined);
});

test('parseCellVerdict() takes a verdict object ({class}) and output with log lines before the JSON', () => {
  const v = parseCellVerdict(`starting\nphase 1\n{\n  "verdict": { "class": "not affected", "figures": { "fileRatio": 0.9 } }\n}\n`);
  assert.equal(v.verdict, 'not affected');
  assert.deepEqual(v.figures, { fileRatio: 0.9 });
});

test('parseCellVerdict() says why there is no verdict', () => {
  assert.match(parseCellVerdict('').why ?? '', /printed nothing/);
  assert.match(parseCellVerdict('Error: something').why ?? '', /no JSON document/);
  const v = parseCellVerdict('{"host":{"kernel":"6.1"}}');
  assert.equal(v.verdict, undefined);
  assert.match(v.why ?? '', /no "verdict" field/);
});

test('lastJsonObject() ignores arrays and broken JSON', () => {
  assert.equal(lastJsonObject('[1,2]'), undefined);
  assert.equal(lastJsonObject('{"a": '), undefined);
  assert.deepEqual(lastJsonObject('x\n{"a":1}'), { a: 1 });
});

test('parseCellVerdict() reads the variant: top level, in the verdict, or of the first target', () => {
  assert.equal(parseCellVerdict('{"verdict":{"class":"reclaim-livelock","figures":{}},"variant":"lru-lock"}').variant, 'lru-lock');
  assert.equal(parseCellVerdict('{"targets":[{"verdict":"thrashing","variant":{"variant":"unknown","missing":[]}}],"verdict":"x"}').variant, 'unknown');
  assert.equal(parseCellVerdict('{"verdict":"affected"}').variant, undefined);
});

test('parseCellVerdict() reads a repro leg\'s variant and its profile shares (legs[0].verdict.variant)', () => {
  const doc = { tool: 'reclaimwatch repro', verdict: 'degraded', variant: 'lru-lock', legs: [{ verdict: { class: 'degraded', figures: { fileRatio: 0.05 }, variant: { variant: 'lru-lock', because: [], missing: [], borderline: false, figures: { evictFoliosShare: 0.84, spinLockShare: 0.67, profileMethod: 'bpftrace' } } } }] };
  const v = parseCellVerdict(JSON.stringify(doc));
  assert.equal(v.variant, 'lru-lock');
  assert.deepEqual(v.figures, { fileRatio: 0.05, evictFoliosShare: 0.84, spinLockShare: 0.67 });
});
