// The verdict as a badge: the word on a colour (never colour alone). The dashboard's browser code writes the
// same markup (ui-script.ts `rw.badge`), and PAGE_CSS colours the `v-<verdict>` classes for both.
import { escapeHtml } from './escape-html.js';

/** Background colour of each verdict's badge and band segment (white text on all of them). */
export const VERDICT_COLOURS: Readonly<Record<string, string>> = {
  healthy: '#1a7f37',
  'cpu-bound': '#0969da',
  'memory-pressure': '#9a6700',
  thrashing: '#cf222e',
  'oom-loop': '#a40e26',
  'reclaim-livelock': '#6e1a8a',
  gone: '#6e7781',
  // repro's verdicts
  affected: '#cf222e',
  degraded: '#9a6700',
  'not-affected': '#1a7f37',
};

/** The CSS class suffix of a verdict (`not affected` → `not-affected`). */
export function verdictClass(verdict: string): string {
  return verdict.toLowerCase().replace(/\s+/g, '-').replace(/[^a-z-]/g, '');
}

/** A verdict badge: `<span class="rw-badge v-thrashing">thrashing</span>`. */
export function verdictBadge(verdict: string): string {
  return `<span class="rw-badge v-${verdictClass(verdict)}">${escapeHtml(verdict)}</span>`;
}
