import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../kernel/errors.js';
import { bundleDir, bundleName, listBundles, removePartialBundles } from './bundle-store.js';

test('bundleName() makes any incident id a safe directory name; bundleDir() refuses what is not one', () => {
  assert.equal(bundleName('42'), '42');
  assert.equal(bundleName('../../etc/passwd'), '__.._etc_passwd');
  assert.equal(bundleName('/kubepods/pod-1/abc-1700000000000'), '_kubepods_pod-1_abc-1700000000000');
  for (const bad of ['..', '.hidden', 'a/b', 'x.partial', '']) assert.throws(() => bundleDir('/s', bad), UsageError, bad);
  assert.equal(bundleDir('/s', '42'), '/s/evidence/42');
});

test('listBundles() lists finished bundles, says when a manifest is bad, and ignores .partial ones; removePartialBundles() drops them', () => {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'rwbundles-'));
  try {
    fs.mkdirSync(path.join(store, 'evidence/1'), { recursive: true });
    fs.writeFileSync(path.join(store, 'evidence/1/manifest.json'), '{"not":"a manifest"}');
    fs.mkdirSync(path.join(store, 'evidence/2.partial'));
    const l = listBundles(store);
    assert.deepEqual(l.map((b) => b.id), ['1']);
    assert.match(l[0]!.problem ?? '', /bad manifest\.json/);
    assert.deepEqual(removePartialBundles(store), ['2.partial']);
    assert.ok(!fs.existsSync(path.join(store, 'evidence/2.partial')));
    assert.deepEqual(listBundles(path.join(store, 'nothing')), []);
  } finally {
    fs.rmSync(store, { recursive: true, force: true });
  }
});
