import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSizeBytes } from './size-bytes.js';

test('parseSizeBytes() takes binary units and bare bytes, and rejects the rest with a usage error', () => {
  assert.equal(parseSizeBytes('512M'), 512 << 20);
  assert.equal(parseSizeBytes('1.5GiB'), 1.5 * 2 ** 30);
  assert.equal(parseSizeBytes('4096'), 4096);
  assert.equal(parseSizeBytes('0'), 0);
  assert.throws(() => parseSizeBytes('lots', '--memory'), (e: unknown) => (e as { code?: string }).code === 'usage' && /bad --memory "lots"/.test((e as Error).message));
});
