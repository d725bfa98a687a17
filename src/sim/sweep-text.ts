// The sweep's map as text and as SVG: one grid per LRU, x across, y down; each cell says the verdict (A
// affected, D degraded, · not affected, O an OOM kill), the file threads' end rate over before, and the longest hold.
import { table } from '../render/table.js';
import type { SweepCell, SweepResult } from './sweep.js';

const mark = (c: SweepCell): string => (c.oom ? 'O' : c.verdict === 'affected' ? 'A' : c.verdict === 'degraded' ? 'D' : '·');
const ratio = (r: number | undefined): string => (r === undefined ? 'n/a' : `${Math.round(r * 100)}%`);

/** Formats an axis value in its unit for a heading. */
export type AxisFormat = (v: number) => string;

/** The map as text. */
export function renderSweepText(s: SweepResult, fx: AxisFormat = String, fy: AxisFormat = String): string {
  const out: string[] = [];
  const lrus = [...new Set(s.cells.map((c) => c.lru))];
  for (const lru of lrus) {
    out.push(`${lru === 'mglru' ? 'MGLRU' : 'two-list (classic) LRU'}: ${s.y.name} down, ${s.x.name} across; cell = verdict (A affected, D degraded, · not affected, O OOM kill), file rate at the end / before, longest mmap_lock hold`);
    const rows = s.y.values.map((yv) => [fy(yv), ...s.x.values.map((xv) => {
      const c = s.cells.find((k) => k.lru === lru && k.x === xv && k.y === yv)!;
      return `${mark(c)} ${ratio(c.fileRatio)} ${c.longestHoldS.toFixed(1)}s`;
    })]);
    out.push(...table([`${s.y.name} \\ ${s.x.name}`, ...s.x.values.map(fx)], rows).split('\n'));
    const edges = s.edges[lru] ?? [];
    out.push(edges.length ? 'edges (where the verdict changes):' : 'no edge inside this grid: every cell has the same verdict');
    for (const e of edges) out.push(`  ${s.x.name}=${fx(e.from.x)}, ${s.y.name}=${fy(e.from.y)} → ${s.x.name}=${fx(e.to.x)}, ${s.y.name}=${fy(e.to.y)}: ${e.from.state} → ${e.to.state}`);
    out.push('');
  }
  return `${out.join('\n')}`;
}

/** The map as a standalone SVG: one coloured grid per LRU. */
export function renderSweepSvg(s: SweepResult, fx: AxisFormat = String, fy: AxisFormat = String): string {
  const lrus = [...new Set(s.cells.map((c) => c.lru))];
  const cw = 120;
  const ch = 44;
  const left = 110;
  const top = 60;
  const gridW = left + cw * s.x.values.length + 30;
  const W = gridW * lrus.length;
  const H = top + ch * s.y.values.length + 70;
  const colour = (c: SweepCell): string => (c.oom ? '#9ecae1' : c.verdict === 'affected' ? '#de2d26' : c.verdict === 'degraded' ? '#fdae6b' : '#a1d99b');
  const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [];
  lrus.forEach((lru, g) => {
    const ox = g * gridW;
    parts.push(`<text x="${ox + left}" y="24" font-weight="bold">${lru === 'mglru' ? 'MGLRU' : 'two-list (classic) LRU'}: ${esc(s.y.name)} down, ${esc(s.x.name)} across</text>`);
    s.x.values.forEach((xv, i) => parts.push(`<text x="${ox + left + i * cw + cw / 2}" y="${top - 8}" text-anchor="middle">${esc(fx(xv))}</text>`));
    s.y.values.forEach((yv, j) => {
      parts.push(`<text x="${ox + left - 8}" y="${top + j * ch + ch / 2 + 4}" text-anchor="end">${esc(fy(yv))}</text>`);
      s.x.values.forEach((xv, i) => {
        const c = s.cells.find((k) => k.lru === lru && k.x === xv && k.y === yv)!;
        const x = ox + left + i * cw;
        const y = top + j * ch;
        parts.push(`<rect x="${x}" y="${y}" width="${cw - 2}" height="${ch - 2}" fill="${colour(c)}"><title>${esc(`${c.verdict}${c.oom ? ', OOM kill' : ''}; file rate ${ratio(c.fileRatio)} of before; longest hold ${c.longestHoldS.toFixed(1)} s (${c.holdScanned} scanned, ${c.holdReclaimed} reclaimed)`)}</title></rect>`);
        parts.push(`<text x="${x + cw / 2}" y="${y + 18}" text-anchor="middle">${mark(c)} ${ratio(c.fileRatio)}</text><text x="${x + cw / 2}" y="${y + 34}" text-anchor="middle" fill="#333">hold ${c.longestHoldS.toFixed(1)} s</text>`);
      });
    });
  });
  parts.push(`<text x="10" y="${H - 20}" fill="#555">red: affected · orange: degraded · green: not affected · blue: OOM kill (repro's verdict rules on the model's seconds); cell: file threads' rate at the end / before, longest mmap_lock read hold</text>`);
  return [`<?xml version="1.0" encoding="UTF-8"?>`, `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="100%" height="100%" fill="white"/>`, ...parts, `</svg>`, ''].join('\n');
}
