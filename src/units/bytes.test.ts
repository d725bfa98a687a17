import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, parseBytes } from './bytes.js';

test('parseBytes() takes binary units and bare bytes, and rejects the rest with a usage error', () => {
  assert.equal(parseBytes('512M'), 512 << 20);
  assert.equal(parseBytes('1.5GiB'), 1.5 * 2 ** 30);
  assert.equal(parseBytes('4096'), 4096);
  assert.equal(parseBytes('0', '--scratch', { allowZero: true }), 0);
  assert.throws(() => parseBytes('0', '--memory'), /it must be more than zero/);
  assert.throws(() => parseBytes('lots', '--memory'), (e: unknown) => (e as { code?: string }).code === 'usage' && /bad --memory "lots"/.test((e as Error).message));
});

test('formatBytes() prints a binary unit and "max" for no limit', () => {
  assert.equal(formatBytes(64 * 2 ** 20), '64.0 MiB');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(Infinity), 'max');
});
