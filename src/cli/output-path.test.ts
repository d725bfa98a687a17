import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../kernel/errors.js';
import { checkInputPath, checkOutputPath, permissionHint } from './output-path.js';

void test('checkOutputPath() accepts a new or writable file and says what is wrong with the rest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-outpath-'));
  try {
    assert.equal(checkOutputPath(path.join(dir, 'x.json'), '--record'), path.join(dir, 'x.json'));
    assert.throws(() => checkOutputPath('/nonexistent/dir/x.json', '--record'), /cannot write --record \/nonexistent\/dir\/x.json: the directory \/nonexistent\/dir does not exist/);
    assert.throws(() => checkOutputPath(dir, '--output'), /it is a directory/);
    fs.writeFileSync(path.join(dir, 'f'), '');
    assert.throws(() => checkOutputPath(path.join(dir, 'f', 'x'), '--svg'), /\/f is not a directory/);
    assert.throws(() => checkOutputPath('', '--svg'), UsageError);
    assert.equal(checkOutputPath(path.join(dir, 'f'), '--folded'), path.join(dir, 'f'), 'an existing file may be overwritten');
    assert.ok(!fs.existsSync(path.join(dir, 'x.json')), 'the check creates nothing');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('checkInputPath() refuses a missing file and a directory', () => {
  assert.throws(() => checkInputPath('/nonexistent/x.folded', '--input'), /cannot read --input \/nonexistent\/x.folded: no such file/);
  assert.throws(() => checkInputPath(os.tmpdir(), '--input'), /it is a directory; give a file/);
  assert.equal(checkInputPath('/proc/self/stat', '--input'), '/proc/self/stat');
});

void test('permission advice does not tell root to run as root', () => {
  assert.doesNotMatch(permissionHint(0), /run as root/);
  assert.match(permissionHint(1000), /run as root/);
});
