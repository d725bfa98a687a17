import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { hasPvhNote } from './vmlinux-extract.js';
import { resolveGuestKernel } from './guest-kernel.js';
import { DEFAULT_LAB_CACHE } from './run-in-guest.js';
import { cannotRunHere } from '../test-support/live.js';

test('hasPvhNote() is false for an ELF without the Xen PVH note (node) and for garbage', () => {
  assert.equal(hasPvhNote(fs.readFileSync(process.execPath).subarray(0, 1 << 20)), false);
  assert.equal(hasPvhNote(Buffer.alloc(256)), false);
});

test('the Debian 6.1 package gives a PVH vmlinux extracted from its bzImage', { timeout: 300_000 }, async (t) => {
  const name = process.env['RECLAIMWATCH_LAB_KERNEL'] ?? 'linux-image-6.1.0-50-amd64';
  let k;
  try {
    k = await resolveGuestKernel(name, { cacheDir: DEFAULT_LAB_CACHE });
  } catch (err) {
    cannotRunHere(t, `cannot fetch ${name}: ${(err as Error).message}`);
    return;
  }
  assert.ok(k.pvhVmlinux, 'no vmlinux extracted');
  assert.equal(hasPvhNote(fs.readFileSync(k.pvhVmlinux)), true);
  assert.ok(fs.statSync(k.pvhVmlinux).size > fs.statSync(k.vmlinuz).size * 3, 'the ELF is the decompressed kernel');
});
