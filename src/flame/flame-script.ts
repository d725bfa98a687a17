// The script embedded in every flame graph SVG: zoom on click, search that highlights matching frames,
// reset, and a details line on hover. Plain ES5 so that any SVG viewer with scripting runs it.

/** JavaScript source embedded (in CDATA) in the SVG. Reads its layout from attributes of the root element. */
export const FLAME_SCRIPT = String.raw`
(function () {
  'use strict';
  var svg = document.documentElement;
  var W = +svg.getAttribute('data-width'), PAD = +svg.getAttribute('data-pad');
  var FONT = +svg.getAttribute('data-font'), FULL = W - 2 * PAD;
  var HILITE = 'rgb(230,0,230)';
  var details = document.getElementById('details'), matched = document.getElementById('matched');
  var resetBtn = document.getElementById('reset'), searchBtn = document.getElementById('search');
  var frames = [];
  var nodes = document.querySelectorAll('g.f');
  for (var i = 0; i < nodes.length; i++) {
    var g = nodes[i], r = g.querySelector('rect'), t = g.querySelector('text'), title = g.querySelector('title').textContent;
    var f = { g: g, r: r, t: t, x: +r.getAttribute('x'), w: +r.getAttribute('width'), y: +r.getAttribute('y'),
      name: g.getAttribute('data-name'), fill: r.getAttribute('fill'), title: title };
    frames.push(f);
    g.addEventListener('click', zoomer(f));
    g.addEventListener('mouseover', hover(f));
    g.addEventListener('mouseout', function () { details.textContent = ' '; });
  }
  function hover(f) { return function () { details.textContent = 'Function: ' + f.title; }; }
  function zoomer(f) { return function (e) { e.stopPropagation(); zoom(f); }; }
  function label(f, w) {
    var n = Math.floor((w - 6) / (FONT * 0.59));
    if (n < 3) return '';
    return f.name.length <= n ? f.name : f.name.slice(0, n - 2) + '..';
  }
  function place(f, x, w, cls) {
    f.r.setAttribute('x', x.toFixed(2)); f.r.setAttribute('width', w.toFixed(2));
    f.t.setAttribute('x', (x + 3).toFixed(2)); f.t.textContent = label(f, w);
    f.g.setAttribute('class', cls);
    f.g.style.display = '';
  }
  function zoom(z) {
    var eps = 1e-6, scale = FULL / z.w;
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i], base = f.g.getAttribute('data-k') ? 'f k' : 'f';
      if (f.y > z.y) {
        if (f.x <= z.x + eps && f.x + f.w >= z.x + z.w - eps) place(f, PAD, FULL, base + ' parent');
        else f.g.style.display = 'none';
      } else if (f.x >= z.x - eps && f.x + f.w <= z.x + z.w + eps) {
        place(f, PAD + (f.x - z.x) * scale, f.w * scale, base);
      } else f.g.style.display = 'none';
    }
    resetBtn.style.display = '';
  }
  function reset() {
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      place(f, f.x, f.w, f.g.getAttribute('data-k') ? 'f k' : 'f');
    }
    resetBtn.style.display = 'none';
  }
  function clearSearch() {
    for (var i = 0; i < frames.length; i++) { frames[i].r.setAttribute('fill', frames[i].fill); frames[i].g.removeAttribute('data-match'); }
    matched.textContent = ' ';
    searchBtn.textContent = 'Search';
  }
  function search(term) {
    clearSearch();
    if (!term) return 0;
    var re;
    try { re = new RegExp(term); } catch (err) { re = new RegExp(term.replace(/[.*+?^$\{\}()|[\]\\]/g, '\\$&')); }
    var spans = [];
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (f.g.getAttribute('data-root')) continue;
      if (re.test(f.name)) { f.r.setAttribute('fill', HILITE); f.g.setAttribute('data-match', '1'); spans.push([f.x, f.x + f.w]); }
    }
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var covered = 0, end = -Infinity;
    for (var j = 0; j < spans.length; j++) {
      var s = Math.max(spans[j][0], end);
      if (spans[j][1] > s) { covered += spans[j][1] - s; end = spans[j][1]; }
    }
    var pct = 100 * covered / FULL;
    matched.textContent = 'Matched: ' + pct.toFixed(1) + '%';
    searchBtn.textContent = 'Reset Search';
    return pct;
  }
  function ask() {
    if (searchBtn.textContent === 'Reset Search') { clearSearch(); return; }
    var term = window.prompt('Search for (regular expression):', '');
    if (term !== null) search(term);
  }
  resetBtn.addEventListener('click', reset);
  searchBtn.addEventListener('click', ask);
  window.addEventListener('keydown', function (e) {
    if ((e.ctrlKey && e.key === 'f') || e.key === '/') { e.preventDefault(); ask(); }
    else if (e.key === 'Escape') { reset(); clearSearch(); }
  });
  window.flamegraph = { zoom: function (i) { zoom(frames[i]); }, reset: reset, search: search };
})();
`;
