// Plain terminal tables and colour, shared by every command's human output.

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

/** Renders rows as aligned columns; the last column is not padded. Cells are truncated at `maxWidth`. */
export function table(header: string[], rows: string[][], opts: { indent?: string; maxWidth?: number | number[] } = {}): string {
  const indent = opts.indent ?? '';
  const maxOf = (i: number): number => (Array.isArray(opts.maxWidth) ? (opts.maxWidth[i] ?? 60) : (opts.maxWidth ?? 60));
  // eslint-disable-next-line no-control-regex
  const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const cut = (s: string, i: number): string => (visible(s) > maxOf(i) ? `${s.slice(0, maxOf(i) - 1)}…` : s);
  const all = [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : cut(c, i))));
  const widths = header.map((_, i) => Math.max(...all.map((r) => visible(r[i] ?? ''))));
  return all
    .map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(Math.max(0, widths[i]! - visible(c))))).join('  ').trimEnd())
    .join('\n');
}
