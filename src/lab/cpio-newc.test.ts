import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cannotRunHere } from '../test-support/live.js';
import { buildCpioNewc } from './cpio-newc.js';
import { findStaticBusybox } from './busybox.js';
import { DEFAULT_LAB_CACHE } from './run-in-guest.js';

test('buildCpioNewc() writes newc headers with hex fields, 4-byte padding and a trailer', () => {
  const a = buildCpioNewc([{ kind: 'file', path: 'init', data: 'hello', mode: 0o755 }]);
  const head = a.subarray(0, 110).toString('ascii');
  assert.equal(head.slice(0, 6), '070701');
  assert.equal(head.slice(6 + 8, 6 + 16), (0o100755).toString(16).padStart(8, '0'));
  assert.equal(head.slice(6 + 6 * 8, 6 + 7 * 8), '00000005', 'filesize');
  assert.equal(head.slice(6 + 11 * 8, 6 + 12 * 8), '00000005', 'namesize counts the NUL');
  assert.equal(a.subarray(110, 115).toString(), 'init\0');
  assert.equal(a.subarray(116, 121).toString(), 'hello', 'data starts at the next 4-byte boundary');
  assert.ok(a.includes(Buffer.from('TRAILER!!!\0')));
  assert.equal(a.length % 4, 0);
});

test('buildCpioNewc() refuses absolute paths', () => {
  assert.throws(() => buildCpioNewc([{ kind: 'dir', path: '/bin' }]), /relative/);
});

test('busybox cpio unpacks what buildCpioNewc() wrote: directories, modes, symlinks, data', async (t) => {
  let busybox: string;
  try {
    busybox = await findStaticBusybox(undefined, { cacheDir: DEFAULT_LAB_CACHE });
  } catch (err) {
    cannotRunHere(t, `no static busybox: ${(err as Error).message}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwcpio-'));
  try {
    const data = Buffer.from(Array.from({ length: 1001 }, (_, i) => i & 0xff));
    const archive = buildCpioNewc([
      { kind: 'dir', path: 'bin' }, { kind: 'file', path: 'bin/tool', data, mode: 0o700 }, { kind: 'symlink', path: 'bin/sh', target: 'tool' },
      { kind: 'dir', path: 'etc', mode: 0o750 }, { kind: 'file', path: 'etc/x y', data: "it's" },
    ]);
    const r = spawnSync(busybox, ['cpio', '-i', '-d'], { cwd: dir, input: archive });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(fs.readFileSync(path.join(dir, 'bin/tool')), data);
    assert.equal(fs.statSync(path.join(dir, 'bin/tool')).mode & 0o777, 0o700);
    assert.equal(fs.readlinkSync(path.join(dir, 'bin/sh')), 'tool');
    assert.equal(fs.statSync(path.join(dir, 'etc')).mode & 0o777, 0o750);
    assert.equal(fs.readFileSync(path.join(dir, 'etc/x y'), 'utf8'), "it's");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
