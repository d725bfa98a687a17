// Recordings as JSON: `Infinity` (no limit, no quota) is written as "max", the kernel's own word, and read back.
import fs from 'node:fs';
import { UsageError } from '../kernel/errors.js';
import type { DoctorRecording } from './run-doctor.js';

/** JSON.stringify replacer: Infinity → "max". */
export function infinityReplacer(_key: string, value: unknown): unknown {
  return value === Infinity ? 'max' : value;
}

/** JSON.parse reviver: "max" in a numeric field (…Bytes, …Cores) → Infinity. */
export function infinityReviver(key: string, value: unknown): unknown {
  return value === 'max' && /(Bytes|Cores)$/.test(key) ? Infinity : value;
}

/** Writes a recording. */
export function saveRecording(file: string, rec: DoctorRecording): void {
  fs.writeFileSync(file, `${JSON.stringify(rec, infinityReplacer)}\n`);
}

/** Reads a recording; a missing or foreign file is a usage error that says what was expected. */
export function loadRecording(file: string): DoctorRecording {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read recording ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let rec: DoctorRecording;
  try {
    rec = JSON.parse(text, infinityReviver) as DoctorRecording;
  } catch (err) {
    throw new UsageError(`${file} is not JSON: make it with reclaimwatch doctor --record FILE`, { cause: err });
  }
  if (rec?.schema !== 'reclaimwatch.recording/v1' || !Array.isArray(rec.targets)) throw new UsageError(`${file} is not a reclaimwatch recording (schema reclaimwatch.recording/v1): make it with reclaimwatch doctor --record FILE`);
  return rec;
}
