import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fitColumns, table, visibleLength, wrapCell } from './table.js';

const rows = [
  ['CPU: user + system', '0.02 + 0.01 cores', 'busy ≥ 0.5 cores or 50 % of capacity', 'where the CPU went: user code or the kernel'],
  ['reclaim scanned / freed (host-wide, /proc/vmstat)', '1.2k / 800 pages/s', 'efficiency < 10 % while scanning ≥ 1000 pages/s', 'reclaim works for nothing when it scans much and frees little'],
];

void test('table() on a wide terminal prints every cell whole on one line', () => {
  const out = table(['signal', 'value', 'threshold', 'what it means'], rows, { indent: '    ', width: 250 });
  for (const r of rows) for (const c of r) assert.ok(out.includes(c), `"${c}" is whole`);
  assert.equal(out.split('\n').length, 3);
  assert.doesNotMatch(out, /…/);
});

void test('table() on a narrow terminal wraps at spaces and never cuts a word, a threshold or a value', () => {
  const out = table(['signal', 'value', 'threshold', 'what it means'], rows, { indent: '  ', width: 80 });
  const lines = out.split('\n');
  for (const l of lines) assert.ok(visibleLength(l) <= 80, `fits: ${l}`);
  const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);
  assert.deepEqual(words(out).sort(), words(['signal value threshold what it means', ...rows.flat()].join(' ')).sort(), 'every word is printed, none cut');
  assert.doesNotMatch(out, /…/);
});

void test('table() without a width (a pipe or a file) never wraps', () => {
  assert.equal(table(['a', 'b'], [['x '.repeat(100).trim(), 'y']]).split('\n').length, 2);
});

void test('wrapCell() and fitColumns() keep every character and respect the longest word', () => {
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z≥%]{1,12}$/), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 60 }), (ws, w) => {
    const text = ws.join(' ');
    const lines = wrapCell(text, w);
    assert.equal(lines.join(' '), text);
    const longest = Math.max(...ws.map((x) => x.length));
    for (const l of lines) assert.ok(visibleLength(l) <= Math.max(w, longest));
  }));
  assert.deepEqual(fitColumns([10, 60], [5, 10], 50, 2), [10, 38], 'the prose column gives way first');
  assert.deepEqual(fitColumns([30, 40], [5, 10], 50, 2, []), [24, 24]);
  assert.deepEqual(fitColumns([30, 40], [25, 30], 20, 2), [25, 30], 'never below the longest word');
});

void test('table() keeps colour codes out of the width', () => {
  const out = table(['v', 'x'], [['\x1b[32mHEALTHY\x1b[0m', 'a']], {});
  assert.equal(out.split('\n')[1], '\x1b[32mHEALTHY\x1b[0m  a');
});
