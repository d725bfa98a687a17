import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostPaths } from '../host/host-paths.js';
import { hasCode } from '../kernel/errors.js';
import { lruGenEnabledFile, parseMglruMode, planMglruLegs, runMglruLegs } from './mglru.js';

/** A sysfs root with lru_gen/enabled set to `value` (the format a 6.1+ kernel prints). */
function sysWithLruGen(value: string | undefined): { host: ReturnType<typeof hostPaths>; file: string; dispose: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-mglru-'));
  const host = hostPaths({ sys: root });
  const file = lruGenEnabledFile(host);
  if (value !== undefined) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${value}\n`);
  }
  return { host, file, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
}

void test('planMglruLegs() runs off then on for both, and once for keep even without MGLRU', () => {
  const s = sysWithLruGen('0x0007');
  try {
    assert.deepEqual(planMglruLegs(s.host, 'both').map((l) => [l.label, l.write]), [['off', 'n'], ['on', 'y']]);
    assert.deepEqual(planMglruLegs(s.host, 'on').map((l) => l.write), ['y']);
  } finally {
    s.dispose();
  }
  const none = sysWithLruGen(undefined);
  try {
    assert.deepEqual(planMglruLegs(none.host, 'keep').map((l) => l.write), [undefined]);
    for (const mode of ['on', 'off', 'both'] as const) {
      assert.throws(() => planMglruLegs(none.host, mode), (e: unknown) => hasCode(e, 'kernel-lacks') && /CONFIG_LRU_GEN/.test((e as Error).message));
    }
  } finally {
    none.dispose();
  }
  assert.throws(() => parseMglruMode('maybe'), /keep, on, off or both/);
});

void test('runMglruLegs() switches before each leg and restores the original text afterwards', async () => {
  const s = sysWithLruGen('0x0005');
  try {
    const seen: string[] = [];
    let remembered = '';
    await runMglruLegs(s.host, planMglruLegs(s.host, 'both'), (_f, v) => {
      remembered = v;
    }, async (leg) => {
      seen.push(`${leg.label}:${fs.readFileSync(s.file, 'utf8')}`);
      await Promise.resolve();
    });
    assert.deepEqual(seen, ['off:n', 'on:y']);
    assert.equal(remembered, '0x0005');
    assert.equal(fs.readFileSync(s.file, 'utf8'), '0x0005');
  } finally {
    s.dispose();
  }
});

void test('runMglruLegs() restores the original setting when a leg fails', async () => {
  const s = sysWithLruGen('0x0000');
  try {
    await assert.rejects(runMglruLegs(s.host, planMglruLegs(s.host, 'both'), () => undefined, async (leg) => {
      await Promise.resolve();
      if (leg.label === 'off') throw new Error('workload crashed');
    }), /workload crashed/);
    assert.equal(fs.readFileSync(s.file, 'utf8'), '0x0000');
  } finally {
    s.dispose();
  }
});

void test('runMglruLegs() never writes for keep', async () => {
  const s = sysWithLruGen('0x0007');
  try {
    fs.chmodSync(s.file, 0o444);
    const out = await runMglruLegs(s.host, planMglruLegs(s.host, 'keep'), () => assert.fail('nothing to remember'), () => Promise.resolve(1));
    assert.deepEqual(out, [1]);
  } finally {
    s.dispose();
  }
});
