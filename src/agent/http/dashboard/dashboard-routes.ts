// The dashboard's files, served by the agent's HTTP server at `/` and `/assets/*` (GET only): one HTML shell,
// the shared browser code and styles (src/render/html/), the dashboard's script, and uPlot read from the
// installed package at start-up. Nothing comes from a CDN; the page's CSP lets it talk to its own origin only.
// The scripts are deferred from the head (fetched at once, run in order once the page is parsed); uPlot is
// loaded by the first page that draws charts (the Targets page needs none: its sparklines are SVG).
import { PAGE_CSS } from '../../../render/html/page-css.js';
import { UI_SCRIPT } from '../../../render/html/ui-script.js';
import { readUplotAssets } from '../../../render/html/uplot-assets.js';
import { APP_SCRIPT } from './app-script.js';

/** One served file. */
export interface DashboardAsset {
  contentType: string;
  body: Buffer;
}

/** The policy of the dashboard page (a <meta> in the page; the server may also send it as a header, with `frame-ancestors 'none'`). */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

const DASHBOARD_CSS = `
header{display:flex;align-items:center;gap:18px;padding:8px 20px;border-bottom:1px solid #d0d7de;background:#f6f8fa}
header strong{font-size:15px}
nav a{margin-right:14px;text-decoration:none;font-weight:500}
nav a.rw-on{text-decoration:underline;color:#1f2328}
#live{margin-left:auto;font-size:12px;color:#57606a}
.rw-filters{margin:0 0 8px}
.rw-filters input,.rw-filters select{font:inherit;padding:2px 6px}
.rw-ranges{margin:6px 0}
.rw-ranges button{font:inherit;padding:2px 10px;margin-right:4px}
.rw-ranges button.rw-on{background:#0969da;color:#fff;border-color:#0969da}
`;

const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reclaimwatch</title>
<link rel="stylesheet" href="/assets/uplot.min.css"><link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="data:,">
<script defer src="/assets/ui.js"></script><script defer src="/assets/app.js"></script>
</head><body>
<header><strong>reclaimwatch</strong><nav><a href="#/node">Node</a><a href="#/targets">Targets</a><a href="#/incidents">Incidents</a></nav><span id="live">connecting…</span></header>
<main id="app"></main>
</body></html>
`;

/** Every dashboard file by its URL path (`/`, `/assets/app.js`, …). Call once at start-up. */
export function dashboardAssets(): Map<string, DashboardAsset> {
  const uplot = readUplotAssets();
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  const asset = (contentType: string, text: string): DashboardAsset => ({ contentType, body: Buffer.from(text, 'utf8') });
  return new Map([
    ['/', asset('text/html; charset=utf-8', INDEX_HTML)],
    ['/assets/app.js', asset(js, APP_SCRIPT)],
    ['/assets/ui.js', asset(js, UI_SCRIPT)],
    ['/assets/app.css', asset(css, PAGE_CSS + DASHBOARD_CSS)],
    ['/assets/uplot.min.js', asset(js, uplot.js)],
    ['/assets/uplot.min.css', asset(css, uplot.css)],
  ]);
}
