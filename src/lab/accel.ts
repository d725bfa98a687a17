// Chooses KVM or TCG. KVM is used only where it is known to boot a guest: on some hosts /dev/kvm exists but
// guests hang in it (a paravirtual KVM module), so "auto" tries KVM once with a short boot deadline and
// records the outcome per host kernel in the cache (accel.json); later runs read it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolMissingError } from '../kernel/errors.js';

/** What the user asked for. */
export type AccelChoice = 'auto' | 'kvm' | 'tcg';
/** What to do: use one, or try KVM first and fall back to TCG if the guest does not come up. */
export type AccelDecision = 'kvm' | 'tcg' | 'kvm-probe';

interface AccelRecord {
  hostRelease: string;
  kvm: 'works' | 'broken';
  checkedAt: string;
}

function kvmUsable(dev: string): boolean {
  try {
    fs.accessSync(dev, fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Decides the accelerator. Throws ToolMissingError when KVM is demanded but /dev/kvm is not usable. */
export function decideAccel(choice: AccelChoice, cacheDir: string, dev = '/dev/kvm'): AccelDecision {
  if (choice === 'tcg') return 'tcg';
  const usable = kvmUsable(dev);
  if (choice === 'kvm') {
    if (!usable) throw new ToolMissingError('kvm', `${dev} is missing or not writable: use --accel tcg (software emulation) or load the kvm module`);
    return 'kvm';
  }
  if (!usable) return 'tcg';
  try {
    const rec = JSON.parse(fs.readFileSync(path.join(cacheDir, 'accel.json'), 'utf8')) as AccelRecord;
    if (rec.hostRelease === os.release()) return rec.kvm === 'works' ? 'kvm' : 'tcg';
  } catch {
    /* no record yet */
  }
  return 'kvm-probe';
}

/** Records whether a KVM guest came up on this host kernel. */
export function recordKvmOutcome(cacheDir: string, works: boolean): void {
  const rec: AccelRecord = { hostRelease: os.release(), kvm: works ? 'works' : 'broken', checkedAt: new Date().toISOString() };
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'accel.json'), `${JSON.stringify(rec)}\n`);
  } catch {
    /* the cache is an optimisation */
  }
}
