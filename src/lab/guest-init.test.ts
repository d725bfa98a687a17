import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hiddenByScratch, renderGuestInit, shellQuote } from './guest-init.js';

test('shellQuote() leaves plain words and quotes the rest so sh gives them back unchanged', () => {
  assert.equal(shellQuote('--json'), '--json');
  const words = ["it's", 'a b', '$HOME', '`x`', '"q"', '', 'back\\slash', 'new\nline'];
  const r = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), words);
});

const base = { modules: ['lib/modules/kernel/fs/9p/9p.ko'], argv: ['/usr/bin/node', '/x/main.js', 'repro', "it's"], cwd: '/work/main', env: { PATH: '/usr/bin:/bin' }, watchdogS: 65, scratch: true } as const;

test('renderGuestInit() is valid sh for cgroup v1 and v2, with and without MGLRU and scratch disk', () => {
  for (const cgroup of ['v1', 'v2'] as const) {
    for (const mglru of [undefined, 'on', 'off'] as const) {
      const script = renderGuestInit({ ...base, cgroup, mglru, scratch: mglru !== 'off' });
      const r = spawnSync('/bin/sh', ['-n'], { input: script, encoding: 'utf8' });
      assert.equal(r.status, 0, `${cgroup} ${mglru}: ${r.stderr}`);
    }
  }
});

test('renderGuestInit() enables the v2 memory controller, sets MGLRU as asked and quotes the command', () => {
  const v2 = renderGuestInit({ ...base, cgroup: 'v2', mglru: 'off' });
  assert.match(v2, /mount -t cgroup2 cgroup2 \$R\/sys\/fs\/cgroup/);
  assert.match(v2, /for c in memory cpu io pids; do echo "\+\$c" > \$R\/sys\/fs\/cgroup\/cgroup.subtree_control/);
  assert.match(v2, /echo n > \/sys\/kernel\/mm\/lru_gen\/enabled/);
  assert.match(v2, /'it'\\''s'/);
  assert.match(v2, /sleep 65;/);
  const v1 = renderGuestInit({ ...base, cgroup: 'v1', mglru: undefined });
  assert.match(v1, /mount -t cgroup -o \$c cgroup/);
  assert.doesNotMatch(v1, /lru_gen\/enabled \|\|/);
});

test('renderGuestInit() keeps a checkout under /tmp visible over the scratch disk (a CI clone in /tmp)', () => {
  const script = renderGuestInit({ ...base, cgroup: 'v2', mglru: undefined, scratch: true, keep: ['/tmp/ci-clone', '/work/main', '/usr/bin', '/var/tmp/x/'] });
  assert.deepEqual(hiddenByScratch(['/tmp/ci-clone', '/work/main', '/tmpx', '/var/tmp/x/', '/tmp']), ['/tmp/ci-clone', '/var/tmp/x', '/tmp']);
  const aside = script.indexOf('mount --bind $R/tmp/ci-clone /keep/0');
  const scratchMount = script.indexOf('mount -t ext4 $SCRATCH');
  const back = script.indexOf('mount --bind /keep/0 $R/tmp/ci-clone');
  assert.ok(aside > 0 && aside < scratchMount && scratchMount < back, 'bound aside before the scratch mount, back after');
  assert.ok(script.includes('mount --bind /keep/1 $R/var/tmp/x'));
  assert.ok(!script.includes('/keep/2'), '/work/main and /usr/bin need no keeping');
  const r = spawnSync('sh', ['-n'], { input: script });
  assert.equal(r.status, 0, String(r.stderr));
});

test('renderGuestInit() mounts the host\'s files from the rwroot disk image instead of 9p when told to', () => {
  const script = renderGuestInit({ ...base, cgroup: 'v2', mglru: 'on', share: 'disk' });
  assert.match(script, /ROOTDISK=\$\(disk rwroot\)/);
  assert.match(script, /mount -t ext4 -o ro,noload \$ROOTDISK \/host/);
  assert.doesNotMatch(script, /mount -t 9p/);
  assert.match(renderGuestInit({ ...base, cgroup: 'v2', mglru: 'on' }), /mount -t 9p/);
  assert.equal(spawnSync('sh', ['-n'], { input: script }).status, 0);
});
