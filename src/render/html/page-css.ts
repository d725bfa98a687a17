// Styles shared by the dashboard and the HTML reports: system fonts only (no web fonts), verdict colours from
// VERDICT_COLOURS, tables, chart panels, the verdict band, sparklines, the inline flame graph.
import { VERDICT_COLOURS } from './verdict-badge.js';

const verdictRules = Object.entries(VERDICT_COLOURS).map(([v, c]) => `.v-${v}{background:${c};color:#fff}`).join('\n');

/** The CSS of every page and report. */
export const PAGE_CSS = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1f2328;background:#fff}
main{padding:12px 20px 40px;max-width:1400px}
h1{font-size:20px;margin:8px 0 12px}h2{font-size:17px;margin:22px 0 8px}h3{font-size:14px;margin:0}
code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f8fa;padding:8px 10px;overflow:auto;max-height:480px;border-radius:4px}
a{color:#0969da}
.rw-muted{color:#57606a}
.rw-badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;white-space:nowrap}
${verdictRules}
.rw-table{border-collapse:collapse;margin:4px 0 12px}
.rw-table th,.rw-table td{border-bottom:1px solid #d0d7de;padding:4px 10px 4px 0;text-align:left;vertical-align:top}
.rw-table th{font-size:12px;color:#57606a;font-weight:600}
.rw-findings{margin:4px 0 8px;padding-left:18px}
.sev-critical{color:#a40e26;font-weight:600}.sev-warning{color:#9a6700}.sev-info{color:#57606a}
.rw-panels{display:block}
.rw-panel{min-width:0;margin:0 0 10px}
.rw-source{margin:0 0 2px;font-size:11px;color:#57606a}
.rw-nodata{font-size:12px;color:#57606a;margin:2px 0 8px}
.rw-band-wrap{position:relative;margin:6px 0 2px}
.rw-band{position:relative;height:20px;background:#eaeef2;border-radius:3px;overflow:hidden}
.rw-seg{position:absolute;top:0;bottom:0;font-size:11px;line-height:20px;padding-left:3px;overflow:hidden;white-space:nowrap;text-overflow:clip;box-sizing:border-box;border-right:1px solid #fff}
.rw-band-legend{font-size:11px;margin:2px 0 8px}
.rw-band-legend .rw-badge{font-size:11px;margin-right:4px}
.rw-spark{display:block}
.rw-spark path{fill:none;stroke-width:1.2}
.rw-flame-box{border:1px solid #d0d7de;border-radius:4px;padding:6px;margin:6px 0 14px}
.rw-flame-box svg{width:100%;height:auto;display:block}
.rw-flame-tools{margin:0 0 6px;font-size:13px}
.rw-flame-tools input{font:inherit;padding:2px 6px;width:260px}
.uplot{font-family:inherit}
.u-legend{font-size:12px}
`;
