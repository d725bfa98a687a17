import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tailCgroupDir } from './cgroup-files.js';

test('tailCgroupDir() prints every file as tail -n 100 * does, caps each file and the total, skips directories', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwtail-'));
  try {
    fs.writeFileSync(path.join(dir, 'memory.failcnt'), '31\n');
    fs.writeFileSync(path.join(dir, 'memory.stat'), Array.from({ length: 150 }, (_, i) => `k${i} ${i}`).join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'big'), 'x'.repeat(100_000));
    fs.mkdirSync(path.join(dir, 'child'));
    const t = await tailCgroupDir(dir, { capBytes: 5000 });
    assert.equal(t.files, 3);
    assert.deepEqual(t.capped, ['big']);
    assert.match(t.text, /==> memory\.failcnt <==\n31\n/);
    assert.ok(!t.text.includes('k49 49') && t.text.includes('k50 50') && t.text.includes('k149 149'), 'last 100 lines');
    assert.ok(!t.text.includes('child'));
    const small = await tailCgroupDir(dir, { totalCapBytes: 50 });
    assert.match(small.text, /more file\(s\) left out/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tailCgroupDir() lists write-only files of a real cgroup as unreadable instead of failing', async (t) => {
  const d = ['/sys/fs/cgroup/memory', '/sys/fs/cgroup'].find((x) => fs.existsSync(`${x}/cgroup.procs`));
  if (!d || process.getuid?.() !== 0) return void t.skip('needs root and a cgroup hierarchy');
  const r = await tailCgroupDir(d);
  assert.ok(r.files > 5);
  assert.match(r.text, /==> cgroup\.procs <==/);
});
