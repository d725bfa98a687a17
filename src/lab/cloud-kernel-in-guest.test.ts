// Live: Debian's 6.1 cloud kernel, which has no 9p, boots with the host's files on a read-only ext4 image
// (virtio-blk) and runs reclaimwatch from it: `host --json` there sees the cloud kernel and its exposure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CHECKOUT_ROOT, guestKernelForTest } from '../test-support/guest-test.js';
import { DEFAULT_LAB_CACHE, runInGuest } from './run-in-guest.js';

const KERNEL = process.env['RECLAIMWATCH_LAB_CLOUD_KERNEL'] ?? 'linux-image-6.1.0-50-cloud-amd64';
const root = CHECKOUT_ROOT;

test('a kernel without 9p (Debian cloud) boots from a disk image of the host\'s files and runs host --json', { timeout: 600_000 }, async (t) => {
  const kernel = await guestKernelForTest(t, KERNEL, [{ program: 'mkfs.ext4', versionArg: '-V', hint: 'mkfs.ext4 is not installed' }]);
  if (!kernel) return;
  const progress: string[] = [];
  const r = await runInGuest({
    kernel, cgroup: 'v2', mglru: 'on', cpus: 1, memoryBytes: 1 << 30, accel: 'auto', cacheDir: DEFAULT_LAB_CACHE, timeoutMs: 480_000,
    argv: [process.execPath, path.join(root, 'dist/cli/main.js'), 'host', '--json'], onProgress: (l) => progress.push(l),
  });
  t.diagnostic(`${progress.join(' / ')}; boot ${r.bootMs} ms, command ${r.commandMs} ms`);
  assert.equal(r.share, 'disk');
  assert.ok(progress.some((l) => /no 9p in this kernel: the guest gets a read-only ext4 image/.test(l)), progress.join('\n'));
  assert.equal(r.exitCode, 0, r.stderr.slice(-2000));
  const host = JSON.parse(r.stdout) as { kernelRelease: string; mglru: { enabled: boolean }; exposure: { lruLock: { level: string }; distro: { id: string } } };
  assert.match(host.kernelRelease, /^6\.1\.0-.*cloud-amd64$/);
  assert.equal(host.mglru.enabled, true);
  assert.equal(host.exposure.lruLock.level, 'possible');
  assert.equal(host.exposure.distro.id, 'debian', 'os-release came along in the image');
});
