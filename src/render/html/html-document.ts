// One self-contained HTML file: styles, uPlot, the shared browser code and the page's data inline, and a
// Content-Security-Policy that forbids every fetch, so the file opens from disk with no network request.
import { escapeHtml } from './escape-html.js';
import { PAGE_CSS } from './page-css.js';
import { UI_SCRIPT } from './ui-script.js';
import { readUplotAssets } from './uplot-assets.js';

/** What goes into a self-contained report. */
export interface HtmlDocumentParts {
  title: string;
  /** The body's HTML. */
  body: string;
  /** Inline script run after uPlot and the shared code (draws the charts from the embedded data). */
  script?: string;
}

/** JSON that is safe inside an inline <script> (no `</script>`, no U+2028/9 surprises). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Network-free policy: nothing may be loaded; inline styles and scripts (and the flame graph's script) run. */
export const OFFLINE_CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'";

/** Assembles the whole file. */
export function htmlDocument(p: HtmlDocumentParts): string {
  const uplot = readUplotAssets();
  const safe = (js: string): string => js.replace(/<\/script/gi, '<\\/script');
  return [
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${OFFLINE_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(p.title)}</title>`,
    `<style>${uplot.css}\n${PAGE_CSS}</style></head><body><main>\n`,
    p.body,
    '\n</main>',
    `<script>${safe(uplot.js)}</script>`,
    `<script>${safe(UI_SCRIPT)}</script>`,
    p.script ? `<script>${safe(p.script)}</script>` : '',
    '</body></html>\n',
  ].join('');
}
