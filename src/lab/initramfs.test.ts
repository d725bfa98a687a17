import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planGuestModules } from './initramfs.js';
import type { GuestKernel } from './guest-kernel.js';

/** A module tree shaped like Debian's 6.1 cloud kernel: ext4 and crc32c built in, no 9p at all. */
function kernelTree(with9p: boolean): GuestKernel {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-mods-'));
  const mods = ['kernel/drivers/virtio/virtio_pci.ko', 'kernel/drivers/char/virtio_console.ko', 'kernel/fs/overlayfs/overlay.ko', 'kernel/drivers/block/virtio_blk.ko'];
  if (with9p) mods.push('kernel/net/9p/9pnet_virtio.ko', 'kernel/fs/9p/9p.ko');
  fs.writeFileSync(path.join(dir, 'modules.dep'), mods.map((m) => `${m}:\n`).join(''));
  fs.writeFileSync(path.join(dir, 'modules.builtin'), 'kernel/fs/ext4/ext4.ko\nkernel/crypto/crc32c_generic.ko\n');
  return { spec: 'k', vmlinuz: '/k', pvhVmlinux: undefined, release: with9p ? '6.1.0-50-amd64' : '6.1.0-50-cloud-amd64', modulesDir: dir, package: undefined };
}

test('planGuestModules() picks a disk image for a kernel without 9p, and 9p where it can', () => {
  const cloud = kernelTree(false);
  const generic = kernelTree(true);
  try {
    const c = planGuestModules(cloud);
    assert.equal(c.share, 'disk');
    assert.ok(!c.load.some((m) => m.includes('9p')));
    assert.ok(c.load.some((m) => m.endsWith('virtio_blk.ko')));
    assert.equal(planGuestModules(generic).share, '9p');
    assert.equal(planGuestModules(generic, 'disk').share, 'disk');
    assert.throws(() => planGuestModules(cloud, '9p'), /neither built in nor as modules: 9pnet_virtio, 9p/);
  } finally {
    for (const k of [cloud, generic]) fs.rmSync(k.modulesDir!, { recursive: true, force: true });
  }
});
