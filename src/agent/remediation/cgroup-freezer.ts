// Freezing and thawing a cgroup: v1 `freezer.state` (FROZEN, FREEZING, THAWED) and v2 `cgroup.freeze`
// (0/1, with `frozen 0|1` in cgroup.events). https://docs.kernel.org/admin-guide/cgroup-v1/freezer-subsystem.html
// https://docs.kernel.org/admin-guide/cgroup-v2.html#core-interface-files
import fs from 'node:fs';
import { isGoneErrno } from '../../kernel/errors.js';
import { readKernelFile } from '../../kernel/read.js';
import { sleep } from '../../units/sleep.js';
import type { FreezeDir } from './audit.js';

/** A freezer's state: `gone` when its directory vanished. */
export type FreezerState = 'frozen' | 'freezing' | 'thawed' | 'gone';

/** Reads whether a cgroup is frozen. */
export function freezerState(f: FreezeDir): FreezerState {
  try {
    if (f.kind === 'v1') {
      const s = readKernelFile(`${f.dir}/freezer.state`, 64).trim();
      return s === 'FROZEN' ? 'frozen' : s === 'FREEZING' ? 'freezing' : 'thawed';
    }
    const want = readKernelFile(`${f.dir}/cgroup.freeze`, 64).trim() === '1';
    const frozen = /^frozen 1$/m.test(readKernelFile(`${f.dir}/cgroup.events`, 4096));
    return frozen ? 'frozen' : want ? 'freezing' : 'thawed';
  } catch (err) {
    if (isGoneErrno(err) || (err as { code?: string }).code === 'gone') return 'gone';
    throw err;
  }
}

function write(f: FreezeDir, frozen: boolean): void {
  if (f.kind === 'v1') fs.writeFileSync(`${f.dir}/freezer.state`, frozen ? 'FROZEN' : 'THAWED');
  else fs.writeFileSync(`${f.dir}/cgroup.freeze`, frozen ? '1' : '0');
}

/** Asks the kernel to freeze, and waits up to `deadlineMs` for every task to stop. True when frozen. */
export async function freezeCgroup(f: FreezeDir, deadlineMs: number): Promise<boolean> {
  write(f, true);
  const end = Date.now() + deadlineMs;
  for (;;) {
    const s = freezerState(f);
    if (s === 'frozen') return true;
    if (s === 'gone' || Date.now() >= end) return false;
    await sleep(10);
  }
}

/** Thaws a cgroup; a vanished one counts as thawed. Returns the state it was in before. */
export function thawCgroup(f: FreezeDir): FreezerState {
  const before = freezerState(f);
  if (before === 'gone') return before;
  try {
    write(f, false);
  } catch (err) {
    if (isGoneErrno(err)) return 'gone';
    throw err;
  }
  return before;
}
