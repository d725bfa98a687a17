// Plain terminal tables and colour, shared by every command's human output.
// The one rendering rule: a table takes the width its cells need; when that is wider than the terminal
// (`width`), the widest wrappable columns are narrowed and their cells wrapped at spaces onto more lines.
// Nothing is ever cut: a word longer than its column keeps the column that wide, and the table is then
// wider than the terminal rather than lose a threshold or a value. Without a `width` (a pipe, a file)
// nothing is wrapped.

/** ANSI styles, or identity functions when colour is off. */
export interface Style {
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
}

/** A style that colours (TTY) or not. */
export function style(colour: boolean): Style {
  const wrap = (code: string) => (s: string): string => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: wrap('1'), red: wrap('31'), yellow: wrap('33'), green: wrap('32'), dim: wrap('2') };
}

/** Options of `table`. */
export interface TableOptions {
  /** Put before every line. */
  indent?: string;
  /** The terminal width to fit (columns); undefined: no limit. */
  width?: number;
  /** Right-align these columns (numbers). */
  alignRight?: number[];
  /** Leave out the header line (a table of label/value rows). */
  noHeader?: boolean;
  /** Columns of prose that wrap first (default: the last). */
  prose?: number[];
  /** Columns that wrap only when nothing else can give way (thresholds). */
  keep?: number[];
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Visible length of a cell (colour codes do not count). */
export function visibleLength(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/** Splits a cell into lines of at most `w` visible characters, breaking at spaces only. */
export function wrapCell(text: string, w: number): string[] {
  if (visibleLength(text) <= w) return [text];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line === '') line = word;
    else if (visibleLength(line) + 1 + visibleLength(word) <= w) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
  }
  out.push(line);
  return out;
}

const longestWord = (s: string): number => Math.max(0, ...s.split(' ').map(visibleLength));

/** Narrowest a prose column is made before the other columns give way. */
const PROSE_FLOOR = 30;

/**
 * The column widths that fit `available`: the prose columns (explanations) give way first, down to 30
 * characters; then the widest column, one character at a time, the `keep` columns (thresholds) last. No
 * column goes below its longest word.
 */
export function fitColumns(natural: number[], minimum: number[], available: number | undefined, gap: number, prose: number[] = [natural.length - 1], keep: number[] = []): number[] {
  const w = [...natural];
  if (available === undefined) return w;
  const total = (): number => w.reduce((a, b) => a + b, 0) + gap * Math.max(0, w.length - 1);
  for (const i of prose) {
    if (i < 0 || i >= w.length) continue;
    const floor = Math.max(minimum[i]!, Math.min(w[i]!, PROSE_FLOOR));
    w[i] = Math.max(floor, w[i]! - Math.max(0, total() - available));
  }
  // Then the widest column, one character at a time; the `keep` columns only when nothing else can give way.
  for (const allowKept of [false, true]) {
    while (total() > available) {
      let widest = -1;
      for (let i = 0; i < w.length; i++) {
        if (w[i]! <= minimum[i]! || (!allowKept && keep.includes(i))) continue;
        if (widest < 0 || w[i]! > w[widest]!) widest = i;
      }
      if (widest < 0) break;
      w[widest]!--;
    }
  }
  return w;
}

/** Renders rows as aligned columns that fit `opts.width` (see the rule at the top of this file). */
export function table(header: string[], rows: string[][], opts: TableOptions = {}): string {
  const indent = opts.indent ?? '';
  const all = opts.noHeader ? rows : [header, ...rows];
  const n = Math.max(header.length, ...all.map((r) => r.length));
  const cell = (r: string[], i: number): string => r[i] ?? '';
  const natural = Array.from({ length: n }, (_, i) => Math.max(0, ...all.map((r) => visibleLength(cell(r, i)))));
  const minimum = Array.from({ length: n }, (_, i) => Math.max(1, ...all.map((r) => longestWord(cell(r, i)))));
  const widths = fitColumns(natural, minimum, opts.width === undefined ? undefined : opts.width - visibleLength(indent), 2, opts.prose ?? [n - 1], opts.keep ?? []);
  const right = new Set(opts.alignRight ?? []);
  const lines: string[] = [];
  for (const r of all) {
    const cells = Array.from({ length: n }, (_, i) => wrapCell(cell(r, i), widths[i]!));
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++) {
      const parts = cells.map((c, i) => {
        const t = c[k] ?? '';
        const pad = ' '.repeat(Math.max(0, widths[i]! - visibleLength(t)));
        return right.has(i) ? pad + t : t + pad;
      });
      lines.push((indent + parts.join('  ')).trimEnd());
    }
  }
  return lines.join('\n');
}
