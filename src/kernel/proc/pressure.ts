// PSI: /proc/pressure/{cpu,memory,io} and cgroup `*.pressure`. https://docs.kernel.org/accounting/psi.html
// Example: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0"
//          "full avg10=0.00 avg60=0.00 avg300=0.00 total=0"
import type { HostPaths } from '../../host/host-paths.js';
import { ParseError } from '../errors.js';
import { DIRECT_READER, type KernelReader } from '../read.js';
import { parseCount, parseDecimal } from '../parse-util.js';

/** One PSI line: running averages in percent and the total stall time in microseconds. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  totalUs: number;
}

/** A PSI file: `some` always, `full` where the resource has it (not host-wide cpu on older kernels). */
export interface Pressure {
  some: PressureLine;
  full: PressureLine | undefined;
}

/** Parses PSI text. Unknown lines are skipped; a file without a `some` line is a parse error. */
export function parsePressure(text: string, path?: string): Pressure {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  text.split('\n').forEach((line, i) => {
    const parts = line.trim().split(/\s+/);
    const kind = parts[0];
    if (kind !== 'some' && kind !== 'full') return;
    const kv: Record<string, string> = {};
    for (const p of parts.slice(1)) {
      const eq = p.indexOf('=');
      if (eq > 0) kv[p.slice(0, eq)] = p.slice(eq + 1);
    }
    const parsed: PressureLine = {
      avg10: parseDecimal(kv['avg10'], `${kind} avg10`, path, i + 1),
      avg60: parseDecimal(kv['avg60'], `${kind} avg60`, path, i + 1),
      avg300: parseDecimal(kv['avg300'], `${kind} avg300`, path, i + 1),
      totalUs: parseCount(kv['total'], `${kind} total`, path, i + 1),
    };
    if (kind === 'some') some = parsed;
    else full = parsed;
  });
  if (!some) throw new ParseError({ field: 'some', message: 'no "some" line', ...(path ? { path } : {}) });
  return { some, full };
}

/** The resources PSI reports on. */
export type PressureResource = 'cpu' | 'memory' | 'io';

/** Reads host-wide PSI, or `undefined` where the kernel has no PSI (CONFIG_PSI off or psi=0). */
export function readHostPressure(host: HostPaths, resource: PressureResource, reader: KernelReader = DIRECT_READER): Pressure | undefined {
  const file = `${host.proc}/pressure/${resource}`;
  const text = reader.readIfExists(file, 4096);
  return text === undefined ? undefined : parsePressure(text, file);
}
