import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { LIVE_HOST } from '../host/host-paths.js';
import { checkWorkDir, mountOf, parseMountinfo, whyNotBlockBacked } from './work-dir.js';

// Captured from this machine's /proc/self/mountinfo (Debian bookworm guest, kernel 6.18).
const MOUNTINFO = `22 27 0:21 / /proc rw,relatime - proc proc rw
25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683656k
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict
30 25 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683656k
44 27 0:40 / /var/lib/docker/overlay2/x/merged rw - overlay overlay rw,lowerdir=/a,upperdir=/b
45 27 0:41 / /mnt/my\\040disk rw - btrfs /dev/vdb rw
garbage line`;

void test('parseMountinfo() reads device, mount point and type, unescaping spaces', () => {
  const m = parseMountinfo(MOUNTINFO);
  assert.equal(m.length, 6);
  assert.deepEqual(m[2], { major: 254, minor: 0, mountPoint: '/', fsType: 'ext4', source: '/dev/vda' });
  assert.equal(m[5]!.mountPoint, '/mnt/my disk');
});

void test('mountOf() picks the longest prefix and the last mount of a stacked mount point', () => {
  const m = parseMountinfo(MOUNTINFO);
  assert.equal(mountOf('/var/tmp', m)!.fsType, 'ext4');
  assert.equal(mountOf('/dev/shm/x', m)!.major, 0);
  assert.equal(mountOf('/dev/shm/x', m)!.minor, 27);
  assert.equal(mountOf('/dev/shmx', m)!.fsType, 'ext4');
});

void test('whyNotBlockBacked() refuses tmpfs and proc, accepts ext4, btrfs and overlay', () => {
  const m = parseMountinfo(MOUNTINFO);
  assert.match(whyNotBlockBacked(m[1]!)!, /tmpfs: its pages are shared memory/);
  assert.match(whyNotBlockBacked(m[0]!)!, /not a block-device file system/);
  assert.equal(whyNotBlockBacked(m[2]!), undefined);
  assert.equal(whyNotBlockBacked(m[4]!), undefined);
  assert.equal(whyNotBlockBacked(m[5]!), undefined);
});

void test('checkWorkDir() refuses /dev/shm and a missing directory, accepts /var/tmp on this host', () => {
  if (fs.existsSync('/dev/shm')) assert.throws(() => checkWorkDir(LIVE_HOST, '/dev/shm', 4096), /tmpfs.*--dir \/var\/tmp/);
  assert.throws(() => checkWorkDir(LIVE_HOST, '/nonexistent/dir', 4096), /does not exist/);
  assert.throws(() => checkWorkDir(LIVE_HOST, '/var/tmp', 1e18), /free/);
  assert.equal(checkWorkDir(LIVE_HOST, '/var/tmp', 4096).realDir, '/var/tmp');
});
