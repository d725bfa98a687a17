// The inline script of a report: draws each `[data-chart=i]` box from the embedded points with the shared
// browser code (`rw.charts`), when its <details> is open (at load or when opened later).
import type { ChartPanel } from './chart-panels.js';
import type { ChartPoint } from './chart-point.js';
import { jsonForScript } from './html-document.js';

/** Script of a report: draws `[data-chart=i]` from `RW_POINTS[i]` when its <details> is open (at load or later). */
export function chartsScript(points: ChartPoint[][], opts: { relative?: boolean; panels?: readonly ChartPanel[] } = {}): string {
  return `(function(){var P=${jsonForScript(points)},O=${jsonForScript(opts)};
document.querySelectorAll('[data-chart]').forEach(function(box){
  var pts=P[+box.getAttribute('data-chart')]||[],done=false,d=box.closest('details');
  function draw(){if(done||(d&&!d.open))return;done=true;if(pts.length===0){box.textContent='no samples to chart';return;}
    var o={relative:!!O.relative};if(O.panels)o.panels=O.panels;rw.charts(box,pts,o);}
  if(d)d.addEventListener('toggle',draw);draw();});
document.body.setAttribute('data-ready','1');})();`;
}

