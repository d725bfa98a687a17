import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectGolden, UPDATE_GOLDEN_ENV } from './golden.js';

void test('expectGolden() compares, and with RECLAIMWATCH_UPDATE_GOLDEN=1 writes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-golden-'));
  try {
    const f = path.join(dir, 'a.txt');
    assert.throws(() => expectGolden(f, 'one\n', {}), /golden file a.txt is missing: run the test with RECLAIMWATCH_UPDATE_GOLDEN=1/);
    expectGolden(f, 'one\n', { [UPDATE_GOLDEN_ENV]: '1' });
    expectGolden(f, 'one\n', {});
    assert.throws(() => expectGolden(f, 'two\n', {}), /a.txt differs from its golden file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('every golden test goes through expectGolden(), so one switch updates them all', () => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'fixtures') walk(p);
      else if (e.name.endsWith('.test.ts') && p !== fileURLPath()) files.push(p);
    }
  };
  for (const d of ['src', 'test']) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  const own = files.filter((f) => /UPDATE_GOLDEN|--update\b/.test(fs.readFileSync(f, 'utf8')) && !/expectGolden/.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(own.map((f) => path.relative(root, f)), [], 'these tests keep a golden switch of their own');
});

function fileURLPath(): string {
  return new URL(import.meta.url).pathname;
}
