// The top kernel functions of a kernel CPU profile as an HTML table: the evidence page and repro's legs show the
// same one.
import type { ProfileFunction } from '../../probe/kernel-profile.js';
import { sharePct } from '../../probe/kernel-profile-summary.js';
import { escapeHtml } from './escape-html.js';
import { htmlTable } from './html-table.js';

/** Share, samples and name of each function, in the order given (most samples first). */
export function kernelProfileTable(top: readonly ProfileFunction[]): string {
  return htmlTable(['share', 'samples', 'kernel function (innermost)'], top.map((f) => [sharePct(f.share), f.samples, { html: `<code>${escapeHtml(f.name)}</code>` }]));
}
