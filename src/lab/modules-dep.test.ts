import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moduleName, parseModulesBuiltin, parseModulesDep, resolveModuleLoadOrder } from './modules-dep.js';

// Real lines from Debian 6.1.0-50-amd64's modules.dep (written by depmod -b).
const DEP = `kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
kernel/net/9p/9pnet.ko:
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/fs/netfs/netfs.ko:
kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
kernel/lib/crc16.ko:
kernel/fs/mbcache.ko:
kernel/fs/jbd2/jbd2.ko:
kernel/drivers/char/virtio-console.ko.xz: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
`;

test('moduleName() drops directories and compression suffixes and folds dashes', () => {
  assert.equal(moduleName('kernel/drivers/char/virtio-console.ko.xz'), 'virtio_console');
  assert.equal(moduleName('kernel/fs/9p/9p.ko'), '9p');
});

test('resolveModuleLoadOrder() puts every dependency before its user, each once', () => {
  const plan = resolveModuleLoadOrder(parseModulesDep(DEP), new Set(), ['9pnet_virtio', '9p', 'virtio_console', 'ext4']);
  assert.equal(new Set(plan.load).size, plan.load.length);
  const at = (f: string): number => plan.load.indexOf(f);
  assert.ok(at('kernel/fs/netfs/netfs.ko') < at('kernel/fs/fscache/fscache.ko'));
  assert.ok(at('kernel/fs/fscache/fscache.ko') < at('kernel/fs/9p/9p.ko'));
  assert.ok(at('kernel/drivers/virtio/virtio_ring.ko') < at('kernel/drivers/virtio/virtio.ko'));
  assert.ok(at('kernel/net/9p/9pnet.ko') < at('kernel/net/9p/9pnet_virtio.ko'));
  assert.ok(at('kernel/fs/jbd2/jbd2.ko') < at('kernel/fs/ext4/ext4.ko'));
  assert.ok(at('kernel/drivers/char/virtio-console.ko.xz') >= 0);
  assert.equal(plan.load.length, 12);
  assert.deepEqual(plan.missing, []);
});

test('resolveModuleLoadOrder() skips built-in modules and reports missing ones, but not missing optional ones', () => {
  const plan = resolveModuleLoadOrder(parseModulesDep(DEP), parseModulesBuiltin('kernel/fs/overlayfs/overlay.ko\n'), ['overlay', 'virtio_blk'], ['crc32c_intel']);
  assert.deepEqual(plan.builtin, ['overlay']);
  assert.deepEqual(plan.missing, ['virtio_blk']);
  assert.deepEqual(plan.load, []);
});
