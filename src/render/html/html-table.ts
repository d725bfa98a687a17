// A plain HTML table, cells escaped unless given as `{ html }` (a badge, a link).
import { escapeHtml } from './escape-html.js';

/** A table cell: text (escaped) or ready HTML. */
export type Cell = string | number | { html: string };

/** Renders a table with a header row; `className` goes on the <table>. */
export function htmlTable(head: string[], rows: Cell[][], className = 'rw-table'): string {
  const cell = (c: Cell): string => (typeof c === 'object' ? c.html : escapeHtml(String(c)));
  return [
    `<table class="${escapeHtml(className)}"><thead><tr>`,
    head.map((h) => `<th>${escapeHtml(h)}</th>`).join(''),
    '</tr></thead><tbody>',
    rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join(''),
    '</tbody></table>',
  ].join('');
}
