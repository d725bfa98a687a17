// The matrix as a terminal table: kernel × MGLRU → verdict and the figures that decided it.
import type { MatrixCell } from './matrix.js';

/** Figures shown in the table, in this order, with how to print them (the repro report's names). */
const COLUMNS: { key: string; head: string; fmt: (v: number) => string }[] = [
  { key: 'fileRatio', head: 'FILE AFTER/BEFORE', fmt: (v) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)} %` },
  { key: 'memoryRatio', head: 'MEMORY END/PEAK', fmt: (v) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)} %` },
  { key: 'worstProbeMs', head: 'WORST MMAP_LOCK', fmt: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`) },
  { key: 'kernelCpuShare', head: 'KERNEL CPU', fmt: (v) => `${(v * 100).toFixed(0)} %` },
  { key: 'evictFoliosShare', head: 'EVICT_FOLIOS', fmt: (v) => `${(v * 100).toFixed(0)} %` },
  { key: 'spinLockShare', head: 'SPIN LOCK', fmt: (v) => `${(v * 100).toFixed(0)} %` },
  { key: 'shrinkLruvecShare', head: 'SHRINK_LRUVEC', fmt: (v) => `${(v * 100).toFixed(0)} %` },
  { key: 'mmapLockWaitShare', head: 'MMAP_LOCK WAIT', fmt: (v) => `${(v * 100).toFixed(0)} %` },
  { key: 'profileSamples', head: 'SAMPLES', fmt: (v) => String(v) },
  { key: 'oomKills', head: 'OOM KILLS', fmt: (v) => String(v) },
];

const mglruText = (c: MatrixCell): string => `${c.mglru}${c.mglruRead !== undefined ? ` (${c.mglruRead})` : c.mglru === 'keep' ? ' (absent)' : ''}`;

/** Renders the cells as an aligned table, with a note on the accelerator and a line per cell without a verdict. */
export function renderMatrixTable(cells: readonly MatrixCell[]): string {
  // Only the figures some cell has: a repro matrix has no profile shares, a variant matrix no file ratio.
  const cols = COLUMNS.filter((col) => cells.some((c) => c.figures[col.key] !== undefined));
  const withVariant = cells.some((c) => c.variant !== undefined);
  const head = ['KERNEL', 'MGLRU', 'VERDICT', ...(withVariant ? ['VARIANT'] : []), ...cols.map((c) => c.head), 'EXIT'];
  const rows = cells.map((c) => [
    c.release ?? c.kernel,
    mglruText(c),
    c.verdict ?? (c.error ? 'FAILED' : 'no verdict'),
    ...(withVariant ? [c.variant ?? '-'] : []),
    ...cols.map((col) => (c.figures[col.key] === undefined ? '-' : col.fmt(c.figures[col.key] as number))),
    c.exitCode === undefined ? '-' : String(c.exitCode),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  const notes = cells.filter((c) => c.verdict === undefined).map((c) => `${c.release ?? c.kernel} MGLRU ${c.mglru}: no verdict: ${c.why ?? c.error ?? 'unknown'}`);
  const onDisk = cells.filter((c) => c.share === 'disk').map((c) => c.release ?? c.kernel);
  if (onDisk.length) notes.push(`${[...new Set(onDisk)].join(', ')}: no 9p in the kernel, so the guest got a read-only ext4 image of the files it needs`);
  const accels = [...new Set(cells.map((c) => c.accel).filter((a) => a !== undefined))];
  if (accels.includes('tcg')) notes.push('guests ran under TCG (software emulation): rates and times are not comparable to hardware, compare cells with each other only');
  return `${[...out, ...(notes.length ? ['', ...notes] : [])].join('\n')}\n`;
}
