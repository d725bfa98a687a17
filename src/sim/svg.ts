// The --svg chart of one run: three panels over simulated time, each stating its unit and the model counter it
// draws (progress per thread group; pages scanned vs reclaimed; the longest mmap_lock hold and the wait a `ps`
// would see). Hand-written SVG: a static file with no script.
import type { SimResult } from './run-sim.js';

const W = 900;
const PANEL_H = 170;
const LEFT = 70;
const RIGHT = 20;
const TOP = 40;
const GAP = 50;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(0)}k` : v.toFixed(v < 10 && v % 1 ? 1 : 0));

interface Series {
  name: string;
  colour: string;
  values: number[];
}

function panel(y0: number, title: string, unit: string, xs: number[], series: Series[], log: boolean): string {
  const plotW = W - LEFT - RIGHT;
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const max = Math.max(1, ...all);
  const tx = (x: number): number => LEFT + (xs.length > 1 ? ((x - xs[0]!) / (xs[xs.length - 1]! - xs[0]!)) * plotW : 0);
  const ty = (v: number): number => {
    const f = log ? Math.log10(1 + Math.max(0, v)) / Math.log10(1 + max) : Math.max(0, v) / max;
    return y0 + PANEL_H - f * PANEL_H;
  };
  const parts: string[] = [];
  parts.push(`<text x="${LEFT}" y="${y0 - 8}" font-weight="bold">${esc(title)}</text>`);
  parts.push(`<text x="${W - RIGHT}" y="${y0 - 8}" text-anchor="end" fill="#555">${esc(unit)}${log ? ', log scale' : ''}</text>`);
  parts.push(`<rect x="${LEFT}" y="${y0}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#bbb"/>`);
  for (const f of [0, 0.5, 1]) {
    const v = log ? 10 ** (f * Math.log10(1 + max)) - 1 : f * max;
    const y = ty(v);
    parts.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#eee"/><text x="${LEFT - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
  }
  series.forEach((s, i) => {
    const pts = s.values.map((v, k) => `${tx(xs[k]!).toFixed(1)},${ty(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="1.5" points="${pts}"><title>${esc(s.name)}</title></polyline>`);
    parts.push(`<rect x="${LEFT + 10 + i * 230}" y="${y0 + 8}" width="10" height="10" fill="${s.colour}"/><text x="${LEFT + 24 + i * 230}" y="${y0 + 17}">${esc(s.name)}</text>`);
  });
  return parts.join('\n');
}

/** Renders the chart of one run as a standalone SVG document. */
export function renderSimSvg(r: SimResult): string {
  const xs = r.seconds.map((s) => s.tS);
  const H = TOP + 3 * PANEL_H + 2 * GAP + 40;
  const p = r.params;
  const head = `reclaimwatch sim — ${p.lru === 'mglru' ? 'MGLRU' : 'two-list LRU'}, ${p.fileThreads} file + ${p.memoryThreads} memory threads, ${p.cpus} CPU(s), seed ${p.seed}; verdict: ${r.verdict.class}`;
  const body = [
    panel(TOP + 10, 'Progress per thread group', 'pages/s (model: filePages, memoryPages)', xs, [
      { name: 'file threads, pages read/s', colour: '#1f77b4', values: r.seconds.map((s) => s.filePagesPerS) },
      { name: 'memory threads, pages written/s', colour: '#ff7f0e', values: r.seconds.map((s) => s.memoryPagesPerS) },
    ], false),
    panel(TOP + 10 + PANEL_H + GAP, 'Reclaim: pages scanned vs reclaimed', 'pages/s (model: nr_scanned, nr_reclaimed)', xs, [
      { name: 'scanned/s', colour: '#9467bd', values: r.seconds.map((s) => s.scannedPerS) },
      { name: 'reclaimed/s', colour: '#2ca02c', values: r.seconds.map((s) => s.reclaimedPerS) },
    ], true),
    panel(TOP + 10 + 2 * (PANEL_H + GAP), 'mmap_lock: longest read hold, and what a `ps` would wait', 'seconds (model: hold duration, new-reader wait)', xs, [
      { name: 'longest read hold, s', colour: '#d62728', values: r.seconds.map((s) => s.maxHoldMs / 1000) },
      { name: 'wait of a reader arriving then, s', colour: '#7f7f7f', values: r.seconds.map((s) => s.probeWaitMs / 1000) },
    ], false),
  ];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${esc(head)}</text>`,
    ...body,
    `<text x="${LEFT + (W - LEFT - RIGHT) / 2}" y="${H - 12}" text-anchor="middle" fill="#555">simulated time, s</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
