// Browser code shared by the dashboard and the HTML reports (plain ES2017, no framework, no network of its own):
// formatters with units, the verdict badge, sparklines as SVG, a target's uPlot charts on one time axis with the
// verdict band above them, and the flame graph SVG mounted inline with its own script and search.
// It defines `window.rw`; uPlot (uplot-assets.ts) must be loaded first for `rw.charts`.
import { TARGET_PANELS } from './chart-panels.js';
import { EVIDENCE_PART_ORDER, EVIDENCE_PART_RULES } from './evidence-parts.js';

const BODY = String.raw`
(function () {
  'use strict';
  var rw = window.rw = window.rw || {};

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  rw.el = el;
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'; });
  }
  rw.esc = esc;

  function sig(v) {
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : a === 0 ? '0' : v.toPrecision(2);
  }
  function count(v) {
    var a = Math.abs(v);
    return a >= 1e9 ? sig(v / 1e9) + ' G' : a >= 1e6 ? sig(v / 1e6) + ' M' : a >= 1e4 ? sig(v / 1e3) + ' k' : sig(v);
  }
  function bytes(v) {
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0, a = Math.abs(v);
    while (a >= 1024 && i < u.length - 1) { a /= 1024; v /= 1024; i++; }
    return sig(v) + ' ' + u[i];
  }
  rw.bytes = bytes;
  rw.count = count;
  var UNITS = {
    cores: function (v) { return sig(v) + ' cores'; },
    bytes: bytes,
    perSec: function (v) { return count(v) + '/s'; },
    pagesPerSec: function (v) { return count(v) + ' pages/s'; },
    ratio: function (v) { return (v * 100).toFixed(v < 0.1 ? 1 : 0) + ' %'; },
    ms: function (v) { return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(1) + ' ms'; },
    perCpuSecond: function (v) { return count(v) + ' per CPU-s'; }
  };
  var AXIS = {
    cores: sig, bytes: bytes, perSec: count, pagesPerSec: count, perCpuSecond: count, ms: function (v) { return sig(v) + ' ms'; },
    ratio: function (v) { return (v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0) + '%'; }
  };
  rw.format = function (unit, v) { return v === null || v === undefined || !isFinite(v) ? 'n/a' : UNITS[unit](v); };
  rw.time = function (ms) { var d = new Date(ms); return d.toLocaleString(undefined, { hour12: false }); };
  rw.ago = function (ms) {
    var s = Math.max(0, (Date.now() - ms) / 1000);
    return s < 90 ? Math.round(s) + ' s ago' : s < 5400 ? Math.round(s / 60) + ' min ago' : s < 129600 ? (s / 3600).toFixed(1) + ' h ago' : (s / 86400).toFixed(1) + ' d ago';
  };
  rw.span = function (ms) {
    var s = Math.max(0, ms / 1000), m = Math.round(s / 60);
    return s < 90 ? Math.round(s) + ' s' : m < 60 ? m + ' min' : (s / 3600).toFixed(1).replace(/\.0$/, '') + ' h';
  };
  rw.badge = function (verdict) {
    return '<span class="rw-badge v-' + String(verdict).toLowerCase().replace(/\s+/g, '-').replace(/[^a-z-]/g, '') + '">' + esc(verdict) + '</span>';
  };

  // A sparkline as an SVG string. With o.t (each value's time) and o.from < o.to, each value sits at its time
  // (a short history fills only its part of the width); else values are averaged per pixel, so an hour of 1 Hz
  // data stays small. Gaps (null) stay gaps.
  rw.spark = function (values, o) {
    o = o || {};
    var w = o.width || 120, h = o.height || 24, n = values.length;
    var lo = 0, hi = o.max || 0, i, v;
    for (i = 0; i < n; i++) { v = values[i]; if (v !== null && v > hi) hi = v; }
    if (!(hi > lo)) hi = 1;
    var y = function (v) { return (h - 1 - (v - lo) / (hi - lo) * (h - 2)).toFixed(1); };
    var d = '', pen = false, x;
    if (o.t && o.to > o.from) {
      var span = o.to - o.from;
      for (i = 0; i < n; i++) {
        v = values[i];
        if (v === null || v === undefined || o.t[i] < o.from) { pen = false; continue; }
        x = Math.min(w - 1, (o.t[i] - o.from) / span * (w - 1));
        d += (pen ? 'L' : 'M') + x.toFixed(1) + ' ' + y(v);
        pen = true;
      }
    } else {
      var buckets = Math.min(n, w);
      for (var b = 0; b < buckets; b++) {
        var from = Math.floor(b * n / buckets), to = Math.max(from + 1, Math.floor((b + 1) * n / buckets));
        var sum = 0, k = 0;
        for (i = from; i < to; i++) { v = values[i]; if (v !== null && v !== undefined) { sum += v; k++; } }
        x = (buckets <= 1 ? 0 : b * (w - 1) / (buckets - 1)).toFixed(1);
        if (k === 0) { pen = false; continue; }
        d += (pen ? 'L' : 'M') + x + ' ' + y(sum / k);
        pen = true;
      }
    }
    var ref = o.ref !== undefined ? '<line x1="0" x2="' + w + '" y1="' + y(o.ref) + '" y2="' + y(o.ref) + '" stroke="#8c959f" stroke-dasharray="3 2"/>' : '';
    return '<svg class="rw-spark" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + ' ' + h + '"' + (o.title ? ' aria-label="' + esc(o.title) + '"' : '') + '>' +
      (o.title ? '<title>' + esc(o.title) + '</title>' : '') + ref + '<path d="' + d + '" stroke="' + (o.colour || '#0969da') + '"/></svg>';
  };

  function num(v) { return v === null || v === undefined || (typeof v === 'number' && !isFinite(v)) ? null : v; }

  // Runs of one verdict as segments of a band; each segment names its verdict (text and tooltip), never colour alone.
  function drawBand(wrap, points, plot) {
    wrap.textContent = '';
    var withVerdict = points.filter(function (p) { return p.verdict; });
    if (withVerdict.length === 0 || !plot) return;
    var over = plot.over, min = plot.scales.x.min, max = plot.scales.x.max;
    var band = el('div', { class: 'rw-band', role: 'img', 'aria-label': 'verdict over time' });
    band.style.marginLeft = over.offsetLeft + 'px';
    band.style.width = over.clientWidth + 'px';
    var span = max - min || 1, seen = {}, i = 0;
    while (i < points.length) {
      var v = points[i].verdict, j = i;
      while (j + 1 < points.length && points[j + 1].verdict === v) j++;
      if (v) {
        var a = points[i].t / 1000, b = j + 1 < points.length ? points[j + 1].t / 1000 : points[j].t / 1000;
        var left = Math.max(0, (a - min) / span), right = Math.min(1, (b - min) / span);
        var seg = el('div', { class: 'rw-seg v-' + v, 'data-verdict': v, title: v + ': ' + rw.time(points[i].t) + ' to ' + rw.time(points[j].t) }, [v]);
        seg.style.left = (left * 100).toFixed(3) + '%';
        seg.style.width = (Math.max(0.2, (right - left) * 100)).toFixed(3) + '%';
        band.appendChild(seg);
        seen[v] = true;
      }
      i = j + 1;
    }
    wrap.appendChild(band);
    var legend = el('div', { class: 'rw-band-legend' }, ['verdict band: ']);
    legend.insertAdjacentHTML('beforeend', Object.keys(seen).map(rw.badge).join(''));
    wrap.appendChild(legend);
  }

  // A target's charts on one time axis. opts: panels, onZoom(fromMs, toMs), relative (x in seconds from 0),
  // width, height. Returns { update(points), plots, destroy() }.
  rw.charts = function (root, points, opts) {
    opts = opts || {};
    var panels = opts.panels || rw.panels;
    root.textContent = '';
    var bandWrap = el('div', { class: 'rw-band-wrap' });
    var grid = el('div', { class: 'rw-panels' });
    root.appendChild(bandWrap);
    root.appendChild(grid);
    var key = 'rw' + Math.random().toString(36).slice(2);
    var plots = [], notes = [];
    var width = opts.width || Math.max(360, (root.clientWidth || 1100) - 8);
    var xValue = opts.relative
      ? function (u, v) { return v === null || v === undefined ? '' : v.toFixed(0) + ' s'; }
      : function (u, v) { return v === null || v === undefined ? '' : rw.time(v * 1000); };
    function columns(panel, pts) {
      var data = [pts.map(function (p) { return p.t / 1000; })];
      panel.series.forEach(function (s) { data.push(pts.map(function (p) { return num(p[s.key]); })); });
      return data;
    }
    function measured(data) {
      for (var k = 1; k < data.length; k++) for (var i = 0; i < data[k].length; i++) if (data[k][i] !== null) return true;
      return false;
    }
    panels.forEach(function (panel) {
      var box = el('section', { class: 'rw-panel', 'data-panel': panel.id }, [
        el('h3', null, [panel.title + ' — ' + panel.unitLabel]),
        el('p', { class: 'rw-source' }, ['source: ' + panel.source])
      ]);
      var note = el('p', { class: 'rw-nodata', hidden: '' }, ['not measured in this range (the host or the target does not provide it)']);
      box.appendChild(note);
      grid.appendChild(box);
      var data = columns(panel, points);
      note.hidden = measured(data);
      var series = [{ label: 'time', value: xValue }];
      panel.series.forEach(function (s) {
        series.push({ label: s.label, stroke: s.colour, width: 1.5, dash: s.dash ? [6, 4] : undefined, spanGaps: false, points: { show: false },
          value: function (u, v) { return rw.format(panel.unit, v); } });
      });
      var plot = new uPlot({
        width: width, height: opts.height || 130, series: series,
        scales: { x: { time: !opts.relative }, y: { range: function (u, mn, mx) { return [0, Math.max(panel.minMax || 0, (mx || 0) * 1.08) || 1]; } } },
        axes: [{ values: opts.relative ? function (u, vals) { return vals.map(function (v) { return v + ' s'; }); } : undefined },
          { size: 72, values: function (u, vals) { return vals.map(function (v) { return AXIS[panel.unit](v); }); } }],
        cursor: { sync: { key: key }, drag: { x: true, y: false, setScale: false }, points: { size: 5 } },
        legend: { live: true },
        hooks: { setSelect: [function (u) {
          if (u.select.width < 4) return;
          var a = u.posToVal(u.select.left, 'x'), b = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          if (opts.onZoom) opts.onZoom(Math.round(a * 1000), Math.round(b * 1000));
        }] }
      }, data, box);
      box.setAttribute('data-points', String(points.length));
      plots.push({ panel: panel, plot: plot, box: box });
      notes.push(note);
    });
    drawBand(bandWrap, points, plots[0] && plots[0].plot);
    var resized = null;
    function onResize() {
      clearTimeout(resized);
      resized = setTimeout(function () {
        var w = Math.max(360, (root.clientWidth || 1100) - 8);
        plots.forEach(function (p) { p.plot.setSize({ width: w, height: p.plot.height }); });
        drawBand(bandWrap, points, plots[0] && plots[0].plot);
      }, 150);
    }
    if (!opts.width) window.addEventListener('resize', onResize);
    return {
      plots: plots,
      update: function (pts) {
        points = pts;
        plots.forEach(function (p, i) {
          var data = columns(p.panel, pts);
          notes[i].hidden = measured(data);
          p.plot.setData(data);
          p.box.setAttribute('data-points', String(pts.length));
        });
        drawBand(bandWrap, pts, plots[0] && plots[0].plot);
      },
      destroy: function () { window.removeEventListener('resize', onResize); plots.forEach(function (p) { p.plot.destroy(); }); root.textContent = ''; }
    };
  };

  // What a bundle file is (evidence-parts.ts): { kind, title }.
  rw.partKind = function (file) {
    var base = String(file).split('/').pop();
    for (var i = 0; i < rw.partRules.length; i++) if (new RegExp(rw.partRules[i].pattern, 'i').test(base)) return rw.partRules[i];
    return { kind: 'other', title: 'File' };
  };
  // Files in display order (rw.partOrder), stable within a kind.
  rw.byPartOrder = function (files, nameOf) {
    var rank = function (f) { var i = rw.partOrder.indexOf(rw.partKind(nameOf(f)).kind); return i < 0 ? 99 : i; };
    return files.map(function (f, i) { return [rank(f), i, f]; }).sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (x) { return x[2]; });
  };

  // The flame graph SVG (src/flame/flame-svg.ts) inline in a page: its own script runs against the SVG element
  // (it expects to be the document), and a search box outside it calls that script's search.
  rw.flame = function (box, svgText, title) {
    var m = /<script[^>]*>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/script>/.exec(svgText);
    var code = m ? m[1] : '';
    var clean = svgText.replace(/<\?xml[^>]*\?>/, '').replace(/<!DOCTYPE[^>]*>/i, '').replace(/<script[\s\S]*?<\/script>/g, '');
    box.textContent = '';
    box.classList.add('rw-flame-box');
    var input = el('input', { type: 'search', placeholder: 'regular expression, e.g. shrink_|mmap_lock', 'aria-label': 'search frames' });
    var go = el('button', { type: 'button' }, ['Search']);
    var clear = el('button', { type: 'button' }, ['Clear']);
    var out = el('span', { class: 'rw-muted' }, ['']);
    box.appendChild(el('div', { class: 'rw-flame-tools' }, [title ? el('strong', null, [title + ' ']) : null, input, ' ', go, ' ', clear, ' ', out]));
    var holder = el('div');
    holder.innerHTML = clean;
    box.appendChild(holder);
    var svg = holder.querySelector('svg');
    if (!svg) { out.textContent = 'not a flame graph SVG'; return null; }
    svg.removeAttribute('height');
    var fakeDoc = {
      documentElement: svg,
      getElementById: function (id) { return svg.querySelector('#' + id); },
      querySelectorAll: function (s) { return svg.querySelectorAll(s); },
      querySelector: function (s) { return svg.querySelector(s); }
    };
    var win = { prompt: function (a, b) { return window.prompt(a, b); }, addEventListener: function () {}, flamegraph: null };
    try { new Function('document', 'window', code)(fakeDoc, win); } catch (e) { out.textContent = 'flame graph script failed: ' + e.message; }
    var api = win.flamegraph;
    function run() {
      if (!api) return;
      var pct = api.search(input.value);
      out.textContent = input.value ? 'matched ' + (pct || 0).toFixed(1) + ' % of samples' : '';
    }
    go.addEventListener('click', run);
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') run(); });
    clear.addEventListener('click', function () { input.value = ''; if (api) { api.search(''); api.reset(); } out.textContent = ''; });
    return api;
  };
})();
`;

/** The shared browser code, with the target panels (TARGET_PANELS) as `rw.panels` and EVIDENCE_PART_RULES as `rw.partRules`. */
export const UI_SCRIPT = `window.rw=window.rw||{};window.rw.panels=${JSON.stringify(TARGET_PANELS)};window.rw.partRules=${JSON.stringify(EVIDENCE_PART_RULES)};window.rw.partOrder=${JSON.stringify(EVIDENCE_PART_ORDER)};\n${BODY}`;
