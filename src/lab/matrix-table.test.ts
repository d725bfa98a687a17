import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMatrixTable } from './matrix-table.js';
import type { MatrixCell } from './matrix.js';

const cell = (over: Partial<MatrixCell>): MatrixCell => ({
  kernel: 'linux-image-6.1.0-50-amd64', release: '6.1.0-50-amd64', mglru: 'off', mglruRead: '0x0000', exitCode: 0, accel: 'tcg',
  bootMs: 9000, commandMs: 60000, error: undefined, verdict: 'affected', figures: { fileRatio: 0.02, worstProbeMs: 4100, oomKills: 0 }, why: undefined, variant: undefined, ...over,
});

test('renderMatrixTable() shows one row per kernel × MGLRU with verdict and deciding figures', () => {
  const text = renderMatrixTable([cell({}), cell({ mglru: 'on', mglruRead: '0x0007', verdict: 'not affected', figures: { fileRatio: 0.85, worstProbeMs: 3, oomKills: 0 } })]);
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^KERNEL\s+MGLRU\s+VERDICT\s+FILE AFTER\/BEFORE/);
  assert.match(lines[1] ?? '', /^6\.1\.0-50-amd64\s+off \(0x0000\)\s+affected\s+2\.0 %\s+4\.1 s\s+0\s+0$/, 'columns no cell has are left out');
  assert.match(lines[2] ?? '', /on \(0x0007\)\s+not affected\s+85 %/);
  assert.match(text, /TCG \(software emulation\): rates and times are not comparable to hardware/);
});

test('renderMatrixTable() says "no verdict" and why, and FAILED for a guest that failed', () => {
  const text = renderMatrixTable([
    cell({ verdict: undefined, figures: {}, why: 'the JSON document has no "verdict" field', accel: 'kvm' }),
    cell({ mglru: 'on', verdict: undefined, figures: {}, exitCode: undefined, error: 'the command did not finish within the 600 s timeout', why: 'the command did not finish within the 600 s timeout', accel: 'kvm' }),
  ]);
  assert.match(text, /off \(0x0000\)\s+no verdict/);
  assert.match(text, /FAILED/);
  assert.match(text, /MGLRU off: no verdict: the JSON document has no "verdict" field/);
  assert.match(text, /MGLRU on: no verdict: the command did not finish/);
  assert.doesNotMatch(text, /TCG/);
});

test('renderMatrixTable() shows the variant and the profile shares of a variant matrix', () => {
  const text = renderMatrixTable([
    cell({ verdict: 'thrashing', variant: 'unknown', figures: { kernelCpuShare: 0.93, evictFoliosShare: 0, spinLockShare: 0.02, shrinkLruvecShare: 0.4, profileSamples: 900 } }),
    cell({ mglru: 'on', mglruRead: '0x0007', verdict: 'reclaim-livelock', variant: 'lru-lock', figures: { kernelCpuShare: 0.97, evictFoliosShare: 0.81, spinLockShare: 0.55, shrinkLruvecShare: 0.85, profileSamples: 1200 } }),
  ]);
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^KERNEL\s+MGLRU\s+VERDICT\s+VARIANT\s+KERNEL CPU\s+EVICT_FOLIOS\s+SPIN LOCK\s+SHRINK_LRUVEC\s+SAMPLES\s+EXIT$/);
  assert.match(lines[2] ?? '', /on \(0x0007\)\s+reclaim-livelock\s+lru-lock\s+97 %\s+81 %\s+55 %\s+85 %\s+1200\s+0$/);
});
