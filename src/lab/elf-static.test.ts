import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { isStaticElf64 } from './elf-static.js';
import { findStaticBusybox } from './busybox.js';
import { DEFAULT_LAB_CACHE } from './run-in-guest.js';
import { cannotRunHere } from '../test-support/live.js';

const head = (f: string): Buffer => fs.readFileSync(f).subarray(0, 4096);

test('isStaticElf64() says no for a dynamic executable (node) and for non-ELF data', () => {
  assert.equal(isStaticElf64(head(process.execPath)), false);
  assert.equal(isStaticElf64(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(128))), false);
});

test('isStaticElf64() says yes for busybox-static', async (t) => {
  let bb: string;
  try {
    bb = await findStaticBusybox(undefined, { cacheDir: DEFAULT_LAB_CACHE });
  } catch (err) {
    cannotRunHere(t, (err as Error).message);
    return;
  }
  assert.equal(isStaticElf64(head(bb)), true);
});
