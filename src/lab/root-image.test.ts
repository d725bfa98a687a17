import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildRootImage, parseLddOutput, stageRootTree } from './root-image.js';
import { cannotRunHere } from '../test-support/live.js';

test('parseLddOutput() takes the resolved libraries and the loader, not vdso', () => {
  const text = '\tlinux-vdso.so.1 (0x00007ffd)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n\tlibgone.so => not found\n';
  assert.deepEqual(parseLddOutput(text), ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
});

test('stageRootTree() lays out Node with its libraries, a kept directory without .git, and busybox links; a chroot into it runs node', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-rootimg-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const kept = path.join(dir, 'kept');
  fs.mkdirSync(path.join(kept, '.git'), { recursive: true });
  fs.writeFileSync(path.join(kept, 'hello.js'), 'console.log("hello from the image")\n');
  fs.writeFileSync(path.join(kept, '.git', 'HEAD'), 'x');
  const stage = path.join(dir, 'stage');
  fs.mkdirSync(stage);
  const n = await stageRootTree(stage, { programs: [process.execPath, '/bin/sh'], paths: [process.execPath, kept], busybox: '/bin/sh' });
  assert.ok(n > 5, `${n} files`);
  assert.ok(fs.existsSync(path.join(stage, kept, 'hello.js')));
  assert.ok(!fs.existsSync(path.join(stage, kept, '.git')), '.git left out');
  assert.ok(fs.existsSync(path.join(stage, process.execPath)));
  assert.equal(fs.readlinkSync(path.join(stage, 'usr/bin/cat')), 'busybox');
  if (process.getuid?.() !== 0) return;
  const r = spawnSync('chroot', [stage, process.execPath, path.join(kept, 'hello.js')], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'hello from the image', r.stderr);
});

test('buildRootImage() makes an ext4 image that e2ls/debugfs lists with the kept file', async (t) => {
  if (spawnSync('mkfs.ext4', ['-V']).error) return void cannotRunHere(t, 'mkfs.ext4 is not installed (apt-get install e2fsprogs)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-rootimg-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const kept = path.join(dir, 'kept');
  fs.mkdirSync(kept);
  fs.writeFileSync(path.join(kept, 'f.txt'), 'x');
  const img = await buildRootImage(path.join(dir, 'root.img'), { programs: ['/bin/sh'], paths: [kept] });
  assert.ok(img.bytes >= 64 << 20 && fs.statSync(img.file).size === img.bytes);
  assert.ok(!fs.existsSync(`${img.file}.stage`), 'staging tree removed');
  const ls = spawnSync('debugfs', ['-R', `ls ${kept}`, img.file], { encoding: 'utf8' });
  assert.match(ls.stdout, /f\.txt/, ls.stderr);
});
