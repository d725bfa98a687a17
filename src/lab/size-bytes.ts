import { UsageError } from '../kernel/errors.js';

/** Parses a size such as `512M`, `2G`, `1.5GiB` or a bare number of bytes (binary units); throws UsageError. */
export function parseSizeBytes(text: string, what = 'size'): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt])?(i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give bytes or a value such as 512M, 2G`);
  const exp = { k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? '').toLowerCase() as 'k'] ?? 0;
  return Math.round(Number(m[1]) * 1024 ** exp);
}
