// doctor end to end, in node_exporter's manner: the built CLI replays checked-in recordings (format 2 of this
// release, format 1 of the previous) and its --json output is diffed against golden files. One switch rewrites
// them (RECLAIMWATCH_UPDATE_GOLDEN=1); review the diff. The text of a report of unknown format is checked too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../test-support/cli.js';
import { expectGolden } from '../test-support/golden.js';
import { doctorReportSchema } from './report.js';

const CASES = [
  { name: 'thrash-hybrid-6.18-v2', file: 'test/fixtures/recordings/thrash-hybrid-6.18-v2.json' },
  { name: 'thrash-hybrid-6.18-v1', file: 'test/fixtures/recordings/thrash-hybrid-6.18.json' },
];

/** The report without what changes from run to run (its generation time). */
function normalise(json: string): string {
  const r = JSON.parse(json) as Record<string, unknown>;
  r['generatedAt'] = '<generatedAt>';
  return `${JSON.stringify(r, null, 2)}\n`;
}

for (const c of CASES) {
  void test(`golden: doctor --replay ${c.name} --json gives the reviewed report`, async () => {
    const r = await runCli(['doctor', '--replay', c.file, '--json']);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    doctorReportSchema.parse(JSON.parse(r.stdout));
    expectGolden(`test/fixtures/golden/doctor-${c.name}.json`, normalise(r.stdout));
  });
}

void test('a recording of an unknown format is refused, naming its version and the ones this release reads', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwrec-'));
  try {
    const f = path.join(dir, 'future.json');
    fs.writeFileSync(f, JSON.stringify({ schema: 'reclaimwatch.recording/v9', targets: [] }));
    const r = await runCli(['doctor', '--replay', f]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /format v9.*reads v1 and v2/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
