import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostPaths } from '../host/host-paths.js';
import { PodNames, parsePodLogDir } from './pod-names.js';

const UID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

test('a kubelet pod log directory name gives namespace, pod name and UID; anything else nothing', () => {
  assert.deepEqual(parsePodLogDir(`kube-system_coredns-5d78c9869d-x2x7q_${UID}`), { namespace: 'kube-system', name: 'coredns-5d78c9869d-x2x7q', uid: UID });
  assert.deepEqual(parsePodLogDir(`prod_db-0.shard_${UID}`), { namespace: 'prod', name: 'db-0.shard', uid: UID });
  for (const bad of ['README', `prod_db_0_${UID}`, `Prod_db_${UID}`, `prod_db_${UID.slice(1)}`, `_db_${UID}`]) assert.equal(parsePodLogDir(bad), undefined, bad);
});

test('names come from <rootfs>/var/log/pods, cached; an unknown UID lists the directory again at most once per interval', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rwpods-'));
  try {
    fs.mkdirSync(path.join(root, 'var/log/pods', `prod_db-0_${UID}`), { recursive: true });
    let now = 0;
    const names = new PodNames(hostPaths({ rootfs: root }), 10_000, () => now);
    assert.deepEqual(names.lookup(UID), { namespace: 'prod', name: 'db-0' });
    const other = '11111111-2222-3333-4444-555555555555';
    assert.equal(names.lookup(other), undefined);
    fs.mkdirSync(path.join(root, 'var/log/pods', `web_api-7_${other}`));
    now = 5_000;
    assert.equal(names.lookup(other), undefined, 'not listed again within 10 s');
    now = 10_001;
    assert.deepEqual(names.lookup(other), { namespace: 'web', name: 'api-7' });
    assert.deepEqual(names.lookup(UID), { namespace: 'prod', name: 'db-0' }, 'still known');
    assert.equal(new PodNames(hostPaths({ rootfs: path.join(root, 'nowhere') })).lookup(UID), undefined, 'no kubelet here');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
