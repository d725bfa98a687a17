// Typed views of the map values bpftrace prints (see json-stream.ts for the shapes).
import type { HistBucket, MapValue } from './json-stream.js';

function isBucket(v: unknown): v is HistBucket {
  return typeof v === 'object' && v !== null && typeof (v as HistBucket).count === 'number';
}

/** A log2 histogram (`hist()`), or an empty one when the map was never printed. */
export function asHist(v: MapValue): HistBucket[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isBucket).map((b) => ({ min: Number(b.min ?? 0), max: Number(b.max ?? b.min ?? 0), count: b.count }));
}

/** A keyed histogram (`@h[key] = hist()`): key → buckets. */
export function asKeyedHists(v: MapValue): Record<string, HistBucket[]> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, HistBucket[]> = {};
  for (const [k, b] of Object.entries(v as Record<string, unknown>)) out[k] = asHist(b);
  return out;
}

/** A scalar (`count()`, `sum()`, `max()`, `avg()`), or 0 when the map was never printed. */
export function asNumber(v: MapValue): number {
  return typeof v === 'number' ? v : 0;
}

/** A keyed scalar map: key → number. */
export function asKeyedNumbers(v: MapValue): Record<string, number> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'number') out[k] = n;
  return out;
}

/** Sum of all bucket counts. */
export function histTotal(h: HistBucket[]): number {
  return h.reduce((a, b) => a + b.count, 0);
}
