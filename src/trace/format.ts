// Small text helpers for trace reports.
import { table as renderTable } from '../render/table.js';

/** Microseconds as a short human duration: `850 µs`, `12.3 ms`, `4.20 s`. */
export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** Aligned columns (first and last column left, the numbers between right), by the one table rule of src/render/table.ts. */
export function traceTable(rows: string[][], width?: number): string {
  if (rows.length === 0) return '';
  const n = Math.max(...rows.map((r) => r.length));
  const middle = Array.from({ length: Math.max(0, n - 2) }, (_, i) => i + 1);
  return `${renderTable([], rows, { noHeader: true, alignRight: middle, ...(width !== undefined ? { width } : {}) })}\n`;
}
