// Small text helpers for trace reports.

/** Microseconds as a short human duration: `850 µs`, `12.3 ms`, `4.20 s`. */
export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** Pads cells into aligned columns (first column left, others right). */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(i === r.length - 1 ? 0 : (widths[i] ?? 0)) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}
