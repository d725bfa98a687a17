import { ParseError } from './errors.js';

/** Parses a non-negative decimal integer the kernel printed; `max` is `Infinity`. */
export function parseCount(raw: string | undefined, field: string, path?: string, line?: number): number {
  if (raw === 'max') return Infinity;
  if (raw === undefined || !/^-?\d+$/.test(raw)) {
    throw new ParseError({ field, message: `expected an integer, got ${JSON.stringify(raw ?? '')}`, ...(path ? { path } : {}), ...(line ? { line } : {}) });
  }
  return Number(raw);
}

/** Parses a decimal number (PSI averages have two decimals). */
export function parseDecimal(raw: string | undefined, field: string, path?: string, line?: number): number {
  if (raw === undefined || !/^-?\d+(\.\d+)?$/.test(raw)) {
    throw new ParseError({ field, message: `expected a number, got ${JSON.stringify(raw ?? '')}`, ...(path ? { path } : {}), ...(line ? { line } : {}) });
  }
  return Number(raw);
}

/**
 * Parses the kernel's flat keyed format (`memory.stat`, `cpu.stat`, `memory.events`, `/proc/vmstat`):
 * one `key value` per line. Lines that are not a key and an integer are skipped so a newer kernel never
 * breaks the reader.
 */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1).trim();
    if (!/^\d+$/.test(value)) continue;
    out[key] = Number(value);
  }
  return out;
}

/** Parses a file holding one integer or `max` (`memory.max`, `memory.limit_in_bytes`). */
export function parseSingleValue(text: string, field: string, path?: string): number {
  return parseCount(text.trim(), field, path);
}
