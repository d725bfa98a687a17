// Draws a FlameTree as a self-contained interactive SVG (no external fonts, scripts or styles).
// Layout: root ("all") at the bottom, callees above callers, width proportional to samples.
import { FLAME_SCRIPT } from './flame-script.js';
import type { FlameTree } from './flame-tree.js';
import { type FlamePalette, frameColour } from './palette.js';

/** Options of `renderFlameSvg`. */
export interface FlameSvgOptions {
  title?: string;
  /** Subtitle under the title (e.g. "reversed: leaf frames at the root"). */
  subtitle?: string;
  /** Image width in pixels (default 1200). */
  widthPx?: number;
  /** Frames narrower than this are not drawn (default 0.1 px), which bounds the SVG size. */
  minWidthPx?: number;
  palette?: FlamePalette;
  /** What a count is called in tooltips (default "samples"). */
  countName?: string;
}

const PAD = 10;
const FRAME_H = 16;
const FONT = 12;
const TOP = 70;
const BOTTOM = 34;

/** Escapes text for XML, dropping characters that XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '?').replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;');
}

function fitLabel(name: string, w: number): string {
  const n = Math.floor((w - 6) / (FONT * 0.59));
  if (n < 3) return '';
  return name.length <= n ? name : `${name.slice(0, n - 2)}..`;
}

function formatCount(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** Renders the tree as SVG text. An empty tree yields a valid SVG that says so. */
export function renderFlameSvg(tree: FlameTree, opts: FlameSvgOptions = {}): string {
  const width = opts.widthPx ?? 1200;
  const minW = opts.minWidthPx ?? 0.1;
  const palette = opts.palette ?? 'kernel';
  const unit = opts.countName ?? 'samples';
  const full = width - 2 * PAD;
  const total = tree.total;
  // First pass: which nodes are wide enough, and how deep the drawing goes.
  interface Item { node: number; x: number; w: number; depth: number }
  const drawn: Item[] = [];
  let maxDepth = 0;
  if (total > 0) {
    const stack: Item[] = [{ node: tree.root, x: PAD, w: full, depth: 0 }];
    while (stack.length > 0) {
      const it = stack.pop()!;
      drawn.push(it);
      if (it.depth > maxDepth) maxDepth = it.depth;
      let x = it.x;
      const kids: Item[] = [];
      for (const c of tree.children(it.node)) {
        const w = (tree.valueOf(c) / total) * full;
        if (w >= minW) kids.push({ node: c, x, w, depth: it.depth + 1 });
        x += w;
      }
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
  const height = TOP + (maxDepth + 1) * FRAME_H + BOTTOM;
  const out: string[] = [];
  const title = xmlEscape(opts.title ?? 'Flame Graph');
  out.push(
    '<?xml version="1.0" standalone="no"?>\n',
    `<svg version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg" data-width="${width}" data-pad="${PAD}" data-font="${FONT}">\n`,
    '<style>text{font-family:Verdana,"DejaVu Sans",sans-serif;font-size:12px;fill:#000}.f{cursor:pointer}.f:hover rect{stroke:#000;stroke-width:0.5}',
    '.parent{opacity:0.5}.btn{cursor:pointer;fill:#333}.btn:hover{text-decoration:underline}.sub{fill:#555}</style>\n',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#f8f8f0"/>\n`,
    `<text x="${width / 2}" y="24" text-anchor="middle" style="font-size:17px">${title}</text>\n`,
  );
  const legend = palette === 'kernel' ? 'warm: user frames · blue: kernel frames' : '';
  const sub = [opts.subtitle ? xmlEscape(opts.subtitle) : '', legend].filter(Boolean).join(' — ');
  if (sub) out.push(`<text class="sub" x="${width / 2}" y="44" text-anchor="middle">${sub}</text>\n`);
  out.push(
    `<text id="reset" class="btn" x="${PAD}" y="24" style="display:none">Reset Zoom</text>\n`,
    `<text id="search" class="btn" x="${width - PAD}" y="24" text-anchor="end">Search</text>\n`,
    `<text id="matched" x="${width - PAD}" y="${height - 12}" text-anchor="end"> </text>\n`,
    `<text id="details" x="${PAD}" y="${height - 12}"> </text>\n`,
  );
  const parts: string[] = [];
  if (total === 0) out.push(`<text x="${width / 2}" y="${TOP + 12}" text-anchor="middle">no stacks in the input</text>\n`);
  // What depends only on the frame (escaped name, colour) is computed once per distinct frame.
  interface Look { name: string; escaped: string; kernel: boolean; fill: string }
  const looks = new Map<number, Look>();
  const lookOf = (node: number): Look => {
    if (node === tree.root) return { name: 'all', escaped: 'all', kernel: false, fill: 'rgb(200,200,200)' };
    const k = tree.frameKey(node);
    let l = looks.get(k);
    if (l === undefined) {
      const f = tree.frame(node);
      l = { name: f.name, escaped: xmlEscape(f.name), kernel: f.kernel, fill: frameColour(f.name, f.kernel, palette) };
      looks.set(k, l);
    }
    return l;
  };
  for (const it of drawn) {
    const isRoot = it.node === tree.root;
    const f = lookOf(it.node);
    const v = tree.valueOf(it.node);
    const pct = (100 * v) / total;
    const name = f.escaped;
    const y = height - BOTTOM - (it.depth + 1) * FRAME_H;
    const fill = f.fill;
    const kind = f.kernel ? ' [kernel]' : '';
    // One flat string per frame, joined into blocks: thousands of small strings kept alive until the end
    // would make every young-generation GC copy them all.
    parts.push(
      `<g class="f${f.kernel ? ' k' : ''}"${f.kernel ? ' data-k="1"' : ''}${isRoot ? ' data-root="1"' : ''} data-name="${name}">`,
      `<title>${name}${kind} (${formatCount(v)} ${unit}, ${pct.toFixed(2)}%)</title>`,
      `<rect x="${it.x.toFixed(2)}" y="${y}" width="${it.w.toFixed(2)}" height="${FRAME_H - 1}" rx="2" ry="2" fill="${fill}"/>`,
      `<text x="${(it.x + 3).toFixed(2)}" y="${y + FRAME_H - 4.5}">${xmlEscape(fitLabel(f.name, it.w))}</text></g>\n`,
    );
    if (parts.length >= 1024) {
      out.push(parts.join(''));
      parts.length = 0;
    }
  }
  out.push(parts.join(''));
  out.push(`<script type="text/ecmascript"><![CDATA[${FLAME_SCRIPT}]]></script>\n</svg>\n`);
  return out.join('');
}
