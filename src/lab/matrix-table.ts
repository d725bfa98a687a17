// The matrix as a terminal table: kernel × MGLRU → verdict and the figures that decided it.
import type { MatrixCell } from './matrix.js';

/** Figures shown in the table, in this order, with how to print them (the repro report's names). */
const COLUMNS: { key: string; head: string; fmt: (v: number) => string }[] = [
  { key: 'fileRatio', head: 'FILE AFTER/BEFORE', fmt: (v) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)} %` },
  { key: 'memoryRatio', head: 'MEMORY END/PEAK', fmt: (v) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)} %` },
  { key: 'worstProbeMs', head: 'WORST MMAP_LOCK', fmt: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`) },
  { key: 'kernelCpuShare', head: 'KERNEL CPU', fmt: (v) => `${(v * 100).toFixed(0)} %` },
  { key: 'oomKills', head: 'OOM KILLS', fmt: (v) => String(v) },
];

const mglruText = (c: MatrixCell): string => `${c.mglru}${c.mglruRead !== undefined ? ` (${c.mglruRead})` : c.mglru === 'keep' ? ' (absent)' : ''}`;

/** Renders the cells as an aligned table, with a note on the accelerator and a line per cell without a verdict. */
export function renderMatrixTable(cells: readonly MatrixCell[]): string {
  const head = ['KERNEL', 'MGLRU', 'VERDICT', ...COLUMNS.map((c) => c.head), 'EXIT'];
  const rows = cells.map((c) => [
    c.release ?? c.kernel,
    mglruText(c),
    c.verdict ?? (c.error ? 'FAILED' : 'no verdict'),
    ...COLUMNS.map((col) => (c.figures[col.key] === undefined ? '-' : col.fmt(c.figures[col.key] as number))),
    c.exitCode === undefined ? '-' : String(c.exitCode),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  const notes = cells.filter((c) => c.verdict === undefined).map((c) => `${c.release ?? c.kernel} MGLRU ${c.mglru}: no verdict: ${c.why ?? c.error ?? 'unknown'}`);
  const accels = [...new Set(cells.map((c) => c.accel).filter((a) => a !== undefined))];
  if (accels.includes('tcg')) notes.push('guests ran under TCG (software emulation): rates and times are not comparable to hardware, compare cells with each other only');
  return `${[...out, ...(notes.length ? ['', ...notes] : [])].join('\n')}\n`;
}
