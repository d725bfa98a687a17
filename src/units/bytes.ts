// Byte sizes on the command line ("4G", "512MiB", "4194304") and in human output, for every command.
import { UsageError } from '../kernel/errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/**
 * Parses a size such as `4G`, `512MiB`, `64k` or a bare number of bytes (binary units); throws UsageError.
 * Zero is refused unless `allowZero` (e.g. `lab --scratch 0`: no scratch disk).
 */
export function parseBytes(text: string, what = 'size', opts: { allowZero?: boolean } = {}): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give bytes or a size such as 64M, 4G, 512MiB`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (!(bytes > 0) && !(opts.allowZero && bytes === 0)) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: it must be more than zero`);
  return bytes;
}

/** Formats bytes with a binary unit, e.g. `3.9 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'max';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? String(v) : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
