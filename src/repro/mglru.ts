// `--mglru keep|on|off|both`: which MGLRU settings a repro runs under, and putting the original back.
// /sys/kernel/mm/lru_gen/enabled takes "y"/"n" or a bitmask and prints e.g. "0x0007".
// https://docs.kernel.org/admin-guide/mm/multigen_lru.html
import fs from 'node:fs';
import type { HostPaths } from '../host/host-paths.js';
import { KernelLacksError, ReclaimwatchError, UsageError } from '../kernel/errors.js';
import { readLruGen } from '../kernel/sys/lru-gen.js';

/** The `--mglru` choices. */
export type MglruMode = 'keep' | 'on' | 'off' | 'both';

/** One leg of a run: the label shown, and what to write to `enabled` first (undefined: leave it). */
export interface MglruLeg {
  label: 'as found' | 'off' | 'on';
  write: 'y' | 'n' | undefined;
}

/** Parses `--mglru`. */
export function parseMglruMode(text: string): MglruMode {
  if (text === 'keep' || text === 'on' || text === 'off' || text === 'both') return text;
  throw new UsageError(`bad --mglru ${JSON.stringify(text)}: give keep, on, off or both`);
}

/** The `enabled` file under a host's sysfs root. */
export function lruGenEnabledFile(host: HostPaths): string {
  return `${host.sys}/kernel/mm/lru_gen/enabled`;
}

/**
 * The legs for a mode: keep → one run as found; on/off → one run with MGLRU switched; both → off, then on
 * (the reference's A/B). Throws KernelLacksError when a switch is asked and the kernel has no MGLRU.
 */
export function planMglruLegs(host: HostPaths, mode: MglruMode): MglruLeg[] {
  if (mode === 'keep') return [{ label: 'as found', write: undefined }];
  if (!readLruGen(host).present) {
    throw new KernelLacksError('lru_gen', `--mglru ${mode} needs MGLRU, and this kernel has no ${lruGenEnabledFile(host)} (built without CONFIG_LRU_GEN): run with --mglru keep here, or on a kernel with MGLRU (reclaimwatch lab can boot one)`);
  }
  if (mode === 'on') return [{ label: 'on', write: 'y' }];
  if (mode === 'off') return [{ label: 'off', write: 'n' }];
  return [{ label: 'off', write: 'n' }, { label: 'on', write: 'y' }];
}

/**
 * Runs the legs in order, switching MGLRU before each, and writes the original text of `enabled` back
 * afterwards, whatever happened (an error, an abort). `remember` is called with the original before the
 * first write, so a SIGKILLed run can be restored by `repro --cleanup`.
 */
export async function runMglruLegs<T>(host: HostPaths, legs: readonly MglruLeg[], remember: (file: string, original: string) => void, runLeg: (leg: MglruLeg) => Promise<T>): Promise<T[]> {
  const file = lruGenEnabledFile(host);
  const needsWrite = legs.some((l) => l.write !== undefined);
  const original = needsWrite ? fs.readFileSync(file, 'utf8').trim() : undefined;
  if (original !== undefined) remember(file, original);
  const out: T[] = [];
  try {
    for (const leg of legs) {
      if (leg.write !== undefined) {
        try {
          fs.writeFileSync(file, leg.write);
        } catch (err) {
          throw new ReclaimwatchError('permission', `cannot write ${leg.write} to ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): run as root`, { cause: err });
        }
      }
      out.push(await runLeg(leg));
    }
  } finally {
    if (original !== undefined) fs.writeFileSync(file, original);
  }
  return out;
}
