import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DoctorReport, TargetReport } from '../doctor/report.js';
import { evidenceRows, renderDoctorText } from './doctor-text.js';

const host: DoctorReport['host'] = { kernelRelease: '6.1.0', cpus: 2, cgroupMode: 'v1', memoryController: 'v1', psi: false, mglru: { present: false, enabled: false }, root: true };

function target(over: Partial<TargetReport> = {}): TargetReport {
  return {
    target: { kind: 'pid', label: 'pid 42 (app)', pid: 42, pids: 1, threads: 3 },
    verdict: 'healthy', severity: 0, findings: [],
    evidence: [
      { signal: 'CPU: user + system', value: '0.10 + 0.02 cores', threshold: 'busy ≥ 0.5 cores or 50 % of capacity', meaning: 'where the CPU went' },
      { signal: 'R/D threads in reclaim frames', value: 'n/a', threshold: '', meaning: 'kernel stacks unreadable (needs root)' },
      { signal: 'trace: not measured', value: 'mmap_lock: mmap_lock tracepoints absent (need Linux 5.10+)', threshold: '', meaning: '' },
    ],
    metrics: { psi: { memorySome: undefined, memoryFull: undefined } },
    probes: [], stacks: { sampled: 0, groups: [] }, advice: [], unreadable: [],
    ...over,
  };
}

void test('every signal that was not measured says "not measured, because …"', () => {
  const rows = evidenceRows(target(), host);
  const bySignal = new Map(rows.map((r) => [r[0], r[1]]));
  assert.equal(bySignal.get('R/D threads in reclaim frames'), 'not measured, because kernel stacks unreadable (needs root)');
  assert.equal(bySignal.get('trace'), 'not measured, because mmap_lock: mmap_lock tracepoints absent (need Linux 5.10+)');
  assert.match(bySignal.get('PSI memory some / full') ?? '', /^not measured, because this kernel offers no PSI/);
  assert.match(bySignal.get('memory (cgroup)') ?? '', /^not measured, because the target has no memory cgroup/);
  assert.equal(bySignal.get('CPU: user + system'), '0.10 + 0.02 cores');
});

void test('PSI that the host has but the cgroup lacks says why, and measured PSI adds no row', () => {
  const rows = evidenceRows(target(), { ...host, psi: true });
  assert.match(rows.find((r) => r[0]?.startsWith('PSI'))![1]!, /cgroup has no memory.pressure/);
  const measured = evidenceRows(target({ metrics: { psi: { memorySome: 0.1, memoryFull: 0 }, memory: {} } }), host);
  assert.equal(measured.filter((r) => r[0]?.startsWith('PSI') || r[0]?.startsWith('memory')).length, 0);
});

void test('renderDoctorText() on a 250-column terminal prints thresholds whole', () => {
  const r: DoctorReport = { schema: 'reclaimwatch.doctor/v1', generatedAt: '2026-01-01T00:00:00Z', windowSeconds: 5, host, targets: [target()], failures: [] };
  const out = renderDoctorText(r, { colour: false, width: 250 });
  assert.match(out, /busy ≥ 0\.5 cores or 50 % of capacity/);
  assert.doesNotMatch(out, /…/);
  const narrow = renderDoctorText(r, { colour: false, width: 100 });
  assert.doesNotMatch(narrow, /…/);
  assert.match(narrow, /busy ≥ 0\.5 cores or 50 % of capacity/, 'the threshold stays whole while other columns can wrap');
});
