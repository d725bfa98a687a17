import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assessExposure, decidePerVmaLock, parseKernelVersion, parseOsRelease, readExposure } from './exposure.js';
import { hostPaths } from './host-paths.js';

const COS_109 = 'NAME="Container-Optimized OS"\nID=cos\nPRETTY_NAME="Container-Optimized OS from Google"\nHOME_URL="https://cloud.google.com/container-optimized-os/docs"\nVERSION=109\nVERSION_ID=109\nBUILD_ID=17800.66.78\n';
const AL2023 = 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\nPRETTY_NAME="Amazon Linux 2023.5.20240805"\n';
const AZURE = 'NAME="Common Base Linux Mariner"\nVERSION="2.0.20240609"\nID=mariner\nVERSION_ID="2.0"\n';
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const vpre = (release: string): ReturnType<typeof decidePerVmaLock> => decidePerVmaLock({ version: parseKernelVersion(release), release });

test('parseOsRelease() reads quoted and bare values and the COS milestone', () => {
  const cos = parseOsRelease(COS_109);
  assert.deepEqual([cos.id, cos.versionId, cos.cosMilestone, cos.name], ['cos', '109', 109, 'Container-Optimized OS from Google']);
  const al = parseOsRelease(AL2023);
  assert.deepEqual([al.id, al.versionId, al.cosMilestone], ['amzn', '2023', undefined]);
});

test('decidePerVmaLock() trusts the config, then vmstat counters, then the version', () => {
  assert.equal(decidePerVmaLock({ config: 'CONFIG_MMU=y\nCONFIG_PER_VMA_LOCK=y\n', version: [6, 1], release: '6.1.0' }).available, true);
  assert.equal(decidePerVmaLock({ config: '# CONFIG_PER_VMA_LOCK is not set\n', version: [6, 12], release: '6.12.0' }).available, false);
  assert.equal(decidePerVmaLock({ vmstatKeys: ['nr_free_pages', 'vma_lock_success'], version: [6, 1], release: '6.1' }).source, 'vmstat');
  assert.deepEqual([vpre('6.1.0-50-amd64').available, vpre('6.12.117+deb12-amd64').available, vpre('weird').available], [false, true, undefined]);
});

test('COS 109 with MGLRU off is exposed to the mmap-lock livelock, and the reference\'s row says so', () => {
  const e = assessExposure({ kernelRelease: '6.1.85+', distro: parseOsRelease(COS_109), mglru: { present: true, enabled: false }, perVmaLock: vpre('6.1.85+') });
  assert.equal(e.mmapLock.level, 'exposed');
  assert.ok(e.mmapLock.why.some((w) => /COS 109 \(6\.1\): affected; cured by enabling MGLRU/.test(w)), e.mmapLock.why.join(' | '));
  assert.equal(e.lruLock.level, 'not-exposed');
  assert.ok(e.lruLock.why.some((w) => /becomes possible once MGLRU is switched on/.test(w)));
  assert.deepEqual(e.reference.filter((r) => r.thisNode).map((r) => r.platform), ['COS 109']);
  assert.ok(e.sources.some((s) => /vanishing CPU/.test(s)));
});

test('the same node with MGLRU on is exposed to the lru-lock livelock instead', () => {
  const e = assessExposure({ kernelRelease: '6.1.85+', distro: parseOsRelease(COS_109), mglru: { present: true, enabled: true }, perVmaLock: vpre('6.1.85+') });
  assert.equal(e.mmapLock.level, 'unlikely');
  assert.equal(e.lruLock.level, 'possible');
  assert.ok(e.lruLock.why.some((w) => /evict_folios can spin on lru_lock/.test(w)));
});

test('Amazon Linux 2023 (6.1) is only "possible" for mmap-lock: the reference saw no sign; Azure Linux 5.15 is exposed with its caveat', () => {
  const al = assessExposure({ kernelRelease: '6.1.102-111.182.amzn2023.x86_64', distro: parseOsRelease(AL2023), mglru: { present: true, enabled: false }, perVmaLock: vpre('6.1.102') });
  assert.equal(al.mmapLock.level, 'possible');
  assert.ok(al.mmapLock.why.some((w) => /no sign of the issue/.test(w)));
  const az = assessExposure({ kernelRelease: '5.15.160.1-1.cm2', distro: parseOsRelease(AZURE), mglru: { present: false, enabled: false }, perVmaLock: vpre('5.15.160') });
  assert.equal(az.mmapLock.level, 'exposed');
  assert.ok(az.mmapLock.why.some((w) => /never seen in production/.test(w)));
  assert.equal(az.lruLock.level, 'not-exposed');
});

test('Debian 6.12 with per-VMA locks is unlikely to be exposed to mmap-lock even with MGLRU off; Debian 6.1 is exposed', () => {
  const d = parseOsRelease(DEBIAN);
  assert.equal(assessExposure({ kernelRelease: '6.12.117+deb12-amd64', distro: d, mglru: { present: true, enabled: false }, perVmaLock: vpre('6.12.117') }).mmapLock.level, 'unlikely');
  assert.equal(assessExposure({ kernelRelease: '6.1.0-50-amd64', distro: d, mglru: { present: true, enabled: false }, perVmaLock: vpre('6.1.0') }).mmapLock.level, 'exposed');
});

test('readExposure() reads os-release and the kernel config under the rootfs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-expo-'));
  try {
    fs.mkdirSync(path.join(dir, 'etc'));
    fs.mkdirSync(path.join(dir, 'boot'));
    fs.mkdirSync(path.join(dir, 'proc'));
    fs.writeFileSync(path.join(dir, 'etc/os-release'), COS_109);
    fs.writeFileSync(path.join(dir, 'boot/config-6.1.85+'), 'CONFIG_PER_VMA_LOCK=y\n');
    fs.writeFileSync(path.join(dir, 'proc/vmstat'), 'nr_free_pages 1\n');
    const e = readExposure(hostPaths({ proc: path.join(dir, 'proc'), sys: path.join(dir, 'sys'), rootfs: dir }), '6.1.85+', { present: true, enabled: false });
    assert.equal(e.distro.cosMilestone, 109);
    assert.equal(e.distro.source, path.join(dir, 'etc/os-release'));
    assert.deepEqual([e.perVmaLock.available, e.perVmaLock.source], [true, 'config']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
