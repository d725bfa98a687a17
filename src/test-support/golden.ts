// The one switch that updates every golden file: RECLAIMWATCH_UPDATE_GOLDEN=1 (README "Install, run, test").
// Every golden test compares through expectGolden(), so one run with the switch rewrites them all, and the
// diff is reviewed in git before it is committed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable that makes expectGolden() write instead of compare. */
export const UPDATE_GOLDEN_ENV = 'RECLAIMWATCH_UPDATE_GOLDEN';

/** True when golden files are being rewritten in this run. */
export function updatingGolden(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[UPDATE_GOLDEN_ENV] === '1';
}

/**
 * Asserts that `actual` equals the golden file `file` (a path or file: URL); with RECLAIMWATCH_UPDATE_GOLDEN=1
 * writes it instead. A missing golden file fails and says how to create it.
 */
export function expectGolden(file: string | URL, actual: string, env: NodeJS.ProcessEnv = process.env): void {
  const p = file instanceof URL ? fileURLToPath(file) : file;
  const name = path.basename(p);
  if (updatingGolden(env)) {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, actual);
    return;
  }
  if (!fs.existsSync(p)) assert.fail(`golden file ${name} is missing: run the test with ${UPDATE_GOLDEN_ENV}=1 and review the new file`);
  assert.equal(actual, fs.readFileSync(p, 'utf8'), `${name} differs from its golden file (${UPDATE_GOLDEN_ENV}=1 rewrites it; review the diff)`);
}
