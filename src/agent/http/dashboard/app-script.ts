// The dashboard's browser code (served as /assets/app.js after uPlot and the shared /assets/ui.js): pages Node,
// Targets, one target and Incidents over the agent's read-only JSON API, routed on the URL hash. "Now" is live
// from the server-sent `tick` events of /api/v1/events, or from polling /api/v1/node when they are unavailable.

/** The dashboard's script. Plain ES2017; it only reads (GET) from the agent that served it. */
export const APP_SCRIPT = String.raw`
(function () {
  'use strict';
  var rw = window.rw, el = rw.el, esc = rw.esc;
  var app = document.getElementById('app'), liveEl = document.getElementById('live');
  var RANGES = [['15 min', 15 * 60e3], ['1 h', 3600e3], ['24 h', 86400e3], ['7 d', 7 * 86400e3]];
  var SEV = { critical: 2, warning: 1, info: 0 };
  var SPARK_SECONDS = 3600;
  var ctx = { lastTick: 0, onTick: null, charts: null, uplot: null, filters: { name: '', namespace: '', verdict: '' } };
  window.rwDashboard = ctx;

  function getJson(url) {
    return fetch(url, { headers: { accept: 'application/json' } }).then(function (r) {
      if (r.ok) return r.json();
      return r.json().catch(function () { return {}; }).then(function (b) {
        throw new Error(url + ': ' + ((b && b.error && b.error.message) || r.status + ' ' + r.statusText));
      });
    });
  }
  // uPlot is loaded by the first page that draws charts (the Targets page draws none).
  function withUplot() {
    if (window.uPlot) return Promise.resolve();
    if (!ctx.uplot) ctx.uplot = new Promise(function (ok, no) {
      var s = el('script', { src: '/assets/uplot.min.js' });
      s.onload = ok;
      s.onerror = function () { ctx.uplot = null; no(new Error('/assets/uplot.min.js did not load')); };
      document.head.appendChild(s);
    });
    return ctx.uplot;
  }
  function fail(box, err) { box.appendChild(el('p', { class: 'sev-critical' }, ['could not load: ' + err.message])); }
  function html(tag, attrs, inner) { var e = el(tag, attrs); e.innerHTML = inner; return e; }
  function targetName(t) {
    if (t.pod) return (t.namespace ? t.namespace + '/' : '') + t.pod + (t.container ? ' · ' + t.container : '');
    return t.cgroup || t.id;
  }
  function deciding(findings) {
    return findings.filter(function (f) { return f.severity !== 'info'; }).sort(function (a, b) { return SEV[b.severity] - SEV[a.severity]; }).slice(0, 2);
  }
  function findingsHtml(findings) {
    if (!findings.length) return '<span class="rw-muted">no findings</span>';
    return findings.map(function (f) { return '<div><span class="sev-' + esc(f.severity) + '">' + esc(f.severity) + '</span> ' + esc(f.message) + '</div>'; }).join('');
  }
  function table(head, rows) {
    return '<table class="rw-table"><thead><tr>' + head.map(function (h) { return '<th>' + esc(h) + '</th>'; }).join('') + '</tr></thead><tbody>' +
      rows.map(function (r) { return '<tr>' + r.map(function (c) { return '<td>' + c + '</td>'; }).join('') + '</tr>'; }).join('') + '</tbody></table>';
  }

  // Live "now": server-sent events, else polling once a second.
  function tick(ms) {
    if (!(ms > ctx.lastTick)) return;
    ctx.lastTick = ms;
    liveEl.textContent = 'live · last tick ' + new Date(ms).toLocaleTimeString(undefined, { hour12: false });
    liveEl.setAttribute('data-last-tick', String(ms));
    if (ctx.onTick) ctx.onTick(ms);
  }
  function poll() {
    liveEl.title = 'polling /api/v1/node every second';
    setInterval(function () { getJson('/api/v1/node').then(function (n) { tick(n.agent.lastTickWallMs); }, function () { liveEl.textContent = 'agent unreachable'; }); }, 1000);
  }
  function live() {
    if (!window.EventSource) return poll();
    var es = new EventSource('/api/v1/events'), polling = false;
    es.addEventListener('tick', function (e) { try { tick(JSON.parse(e.data).wallMs); } catch (x) { /* a malformed event is skipped */ } });
    es.onerror = function () { if (es.readyState === 2 && !polling) { polling = true; poll(); } };
  }

  function nodePage(box) {
    box.appendChild(el('h1', null, ['Node']));
    getJson('/api/v1/node').then(function (n) {
      var a = n.agent, m = n.mglru;
      box.appendChild(html('div', null, table(['kernel', 'cgroup mode', 'CPUs', 'MGLRU'], [[esc(n.kernelRelease), esc(n.cgroupMode), esc(n.cpus),
        m.present ? (m.enabled ? 'present, enabled' : '<span class="sev-warning">present, OFF</span>') : 'absent (no CONFIG_LRU_GEN)']])));
      box.appendChild(el('h2', null, ['Advice']));
      box.appendChild(html('ul', null, n.advice.length ? n.advice.map(function (x) { return '<li>' + esc(x) + '</li>'; }).join('') : '<li class="rw-muted">none</li>'));
      box.appendChild(el('h2', null, ["The agent's health and cost"]));
      var late = a.ticks ? a.lateTicks / a.ticks : 0;
      box.appendChild(html('div', null, table(['running since', 'ticks', 'late ticks', 'last tick', 'tick duration', 'CPU', 'memory (RSS)', 'store'], [[
        esc(rw.time(a.startedWallMs)), esc(a.ticks), '<span class="' + (late > 0.01 ? 'sev-warning' : '') + '">' + esc(a.lateTicks) + ' (' + (late * 100).toFixed(1) + ' %)</span>',
        '<span data-field="last-tick">' + esc(rw.ago(a.lastTickWallMs)) + '</span>', esc(rw.format('ms', a.tickDurationMs)), esc((a.cpuCoreShare * 100).toFixed(2) + ' % of a core'),
        esc(rw.bytes(a.rssBytes)), esc(rw.bytes(a.store.sizeBytes)) + (a.store.writable ? '' : ' <span class="sev-critical">NOT writable</span>')]])));
      box.setAttribute('data-ready', '1');
    }, function (e) { fail(box, e); });
  }

  function targetsPage(box) {
    var f = ctx.filters, data = null, loadedAt = 0, again = 5000;
    box.appendChild(el('h1', null, ['Targets']));
    var name = el('input', { type: 'search', placeholder: 'name, pod, cgroup', 'aria-label': 'filter by name', value: f.name });
    var ns = el('select', { 'aria-label': 'filter by namespace' });
    var vd = el('select', { 'aria-label': 'filter by verdict' });
    var count = el('span', { class: 'rw-muted' });
    box.appendChild(el('div', { class: 'rw-filters' }, ['filter: ', name, ' ', ns, ' ', vd, ' ', count]));
    var list = el('div');
    box.appendChild(list);
    function options(sel, values, all, cur) {
      sel.innerHTML = '<option value="">' + esc(all) + '</option>' + values.map(function (v) { return '<option' + (v === cur ? ' selected' : '') + '>' + esc(v) + '</option>'; }).join('');
    }
    function draw() {
      var q = f.name.toLowerCase();
      var rows = data.targets.filter(function (t) {
        return (!q || [t.id, t.cgroup, t.pod, t.container, t.namespace].some(function (s) { return s && String(s).toLowerCase().indexOf(q) >= 0; })) &&
          (!f.namespace || t.namespace === f.namespace) && (!f.verdict || t.verdict === f.verdict);
      }).sort(function (a, b) { return b.severity - a.severity || targetName(a).localeCompare(targetName(b)); });
      // Sparklines over the last hour from the store (at most 60 means each), or the judged window.
      // A short history fills the width (its span is in each title); under 10 points the agent sends the window.
      var sp = data.spark || {};
      count.textContent = rows.length + ' of ' + data.targets.length + ' targets, as of ' + rw.time(data.generatedAt) + ' · sparklines: ' + (sp.source === 'store' ? 'up to the last ' + (SPARK_SECONDS / 3600) + ' h' : 'the judged window') +
        (sp.pending ? ' (reading the history of ' + sp.pending + ': their window meanwhile)' : '');
      list.innerHTML = table(['verdict', 'severity', 'target', 'namespace', 'since', 'deciding findings', 'CPU (cores)', 'memory / limit', 'progress'], rows.map(function (t) {
        var s = t.spark || { t: [], cpuCores: [], memoryRatio: [], progress: [] };
        var hist = sp.source === 'store' && s.source === 'store' && s.t.length > 1, from = hist ? Math.max(sp.fromMs, s.t[0]) : 0;
        var over = hist ? ' over the last ' + rw.span(sp.toMs - from) : ' over the judged window';
        var o = function (x) { if (hist) { x.t = s.t; x.from = from; x.to = sp.toMs; } return x; };
        var last = function (a) { for (var i = a.length - 1; i >= 0; i--) if (a[i] !== null) return a[i]; return null; };
        return [rw.badge(t.verdict), esc(t.severity),
          '<a href="#/target/' + encodeURIComponent(t.id) + '">' + esc(targetName(t)) + '</a>' + (t.pod ? '<div class="rw-muted mono">' + esc(t.cgroup) + '</div>' : ''),
          esc(t.namespace || ''), esc(rw.ago(t.sinceWallMs)), findingsHtml(deciding(t.findings)),
          rw.spark(s.cpuCores, o({ colour: '#0969da', title: 'CPU cores' + over + ', now ' + rw.format('cores', last(s.cpuCores)) })),
          rw.spark(s.memoryRatio, o({ colour: '#8250df', max: 1, ref: 1, title: 'memory usage / limit (dashed line: the limit)' + over + ', now ' + rw.format('ratio', last(s.memoryRatio)) })),
          rw.spark(s.progress, o({ colour: '#1a7f37', title: 'progress per kernel CPU-second' + over + ', now ' + rw.format('perCpuSecond', last(s.progress)) }))];
      }));
      var trs = list.querySelectorAll('tbody tr');
      rows.forEach(function (t, i) { trs[i].setAttribute('data-id', t.id); trs[i].setAttribute('data-verdict', t.verdict); });
      if (!box.hasAttribute('data-ready')) {
        performance.mark('rw-targets-drawn');
        setTimeout(function () { withUplot().catch(function () { /* the target page says so */ }); }, 1000);
      }
      box.setAttribute('data-ready', '1');
    }
    function load() {
      loadedAt = Date.now();
      return getJson('/api/v1/targets?spark=' + SPARK_SECONDS).then(function (d) {
        data = d;
        again = d.spark && d.spark.pending ? 1000 : 5000;
        var nss = {}, vds = {};
        d.targets.forEach(function (t) { if (t.namespace) nss[t.namespace] = 1; vds[t.verdict] = 1; });
        options(ns, Object.keys(nss).sort(), 'all namespaces', f.namespace);
        options(vd, Object.keys(vds).sort(), 'all verdicts', f.verdict);
        draw();
      }, function (e) { fail(box, e); });
    }
    name.addEventListener('input', function () { f.name = name.value; if (data) draw(); });
    ns.addEventListener('change', function () { f.namespace = ns.value; if (data) draw(); });
    vd.addEventListener('change', function () { f.verdict = vd.value; if (data) draw(); });
    ctx.onTick = function () { if (Date.now() - loadedAt >= again) load(); };
    load();
  }

  // About 1,500 points a chart; a step of 30 s or more in whole minutes, as the series API rounds its own, since
  // the store keeps each minute's first sample apart and reads a whole-minute step without walking the others.
  function stepFor(rangeMs) { var s = Math.max(1000, Math.ceil(rangeMs / 1500 / 1000) * 1000); return s >= 30000 ? Math.ceil(s / 60000) * 60000 : s; }

  function targetPage(box, id) {
    var range = RANGES[0][1], isLive = true, from = 0, to = 0, charts = null, points = [], busy = false;
    var head = el('div'), bar = el('div', { class: 'rw-ranges' }), info = el('span', { class: 'rw-muted' }), area = el('div', { class: 'rw-charts' });
    box.appendChild(head);
    box.appendChild(bar);
    box.appendChild(area);
    RANGES.forEach(function (r) {
      var b = el('button', { type: 'button', 'data-range': String(r[1]) }, [r[0]]);
      b.addEventListener('click', function () { range = r[1]; isLive = true; load(); });
      bar.appendChild(b);
    });
    bar.appendChild(el('span', null, [' ']));
    bar.appendChild(info);
    getJson('/api/v1/targets').then(function (d) {
      var t = d.targets.filter(function (x) { return x.id === id; })[0];
      if (!t) { head.appendChild(el('h1', null, ['target ' + id + ' is not watched now'])); return; }
      head.appendChild(html('h1', null, rw.badge(t.verdict) + ' ' + esc(targetName(t))));
      head.appendChild(html('p', { class: 'rw-muted' }, esc(t.cgroup) + ' · severity ' + esc(t.severity) + (t.variant ? ' · ' + esc(t.variant) : '') + ' · since ' + esc(rw.time(t.sinceWallMs))));
      head.appendChild(html('div', null, findingsHtml(t.findings)));
    }, function (e) { fail(head, e); });
    function url(a, b) { return '/api/v1/targets/' + encodeURIComponent(id) + '/series?from=' + Math.floor(a) + '&to=' + Math.ceil(b) + '&step=' + stepFor(isLive ? range : b - a); }
    var stepMs = 0;
    function show(pts) {
      points = pts;
      area.setAttribute('data-from', String(Math.floor(from)));
      area.setAttribute('data-to', String(Math.ceil(to)));
      area.setAttribute('data-step', String(stepFor(isLive ? range : to - from)));
      area.setAttribute('data-last-t', pts.length ? String(pts[pts.length - 1].t) : '0');
      if (charts) charts.update(pts);
      else charts = ctx.charts = rw.charts(area, pts, { onZoom: zoom });
      Array.prototype.forEach.call(bar.querySelectorAll('button'), function (b) { b.classList.toggle('rw-on', isLive && +b.getAttribute('data-range') === range); });
      info.textContent = (isLive ? 'live, last ' : 'zoomed: ') + rw.time(from) + ' to ' + rw.time(to) + ' · ' + pts.length + ' points, one per ' + (stepMs || stepFor(isLive ? range : to - from)) / 1000 + ' s' +
        (isLive ? '' : ' · click a range to go back to live') + ' · drag across a chart to zoom';
    }
    function load() {
      to = isLive ? Math.max(ctx.lastTick, Date.now()) : to;
      if (isLive) from = to - range;
      busy = true;
      return Promise.all([getJson(url(from, to)), withUplot()]).then(function (r) { var s = r[0]; busy = false; stepMs = s.stepMs; show(s.points); if (!box.hasAttribute('data-ready')) performance.mark('rw-target-drawn'); box.setAttribute('data-ready', '1'); }, function (e) { busy = false; fail(area, e); });
    }
    function zoom(a, b) { if (b - a < 2000) return; isLive = false; from = a; to = b; load(); }
    ctx.onTick = function (ms) {
      if (!isLive || busy || !charts) return;
      var step = stepFor(range), lastT = points.length ? points[points.length - 1].t : ms - range;
      if (lastT + 1 >= ms) return step;
      busy = true;
      getJson(url(lastT + 1, ms)).then(function (s) {
        busy = false;
        if (!isLive) return;
        to = ms;
        from = ms - range;
        var keep = points.filter(function (p) { return p.t >= from; }).concat(s.points.filter(function (p) { return p.t > lastT; }));
        show(keep);
      }, function () { busy = false; });
      return step;
    };
    load();
  }

  function incidentsPage(box) {
    box.appendChild(el('h1', null, ['Incidents']));
    getJson('/api/v1/incidents').then(function (d) {
      var list = d.incidents.slice().sort(function (a, b) { return b.startWallMs - a.startWallMs; });
      if (!list.length) box.appendChild(el('p', { class: 'rw-muted' }, ['no incidents recorded']));
      else box.appendChild(html('div', null, table(['verdict', 'target', 'started', 'ended', 'peak severity', 'findings', 'evidence'], list.map(function (i) {
        return [rw.badge(i.verdict) + (i.variant ? ' <span class="rw-muted">' + esc(i.variant) + '</span>' : ''), '<a href="#/target/' + encodeURIComponent(i.targetId) + '">' + esc(i.targetId) + '</a>',
          esc(rw.time(i.startWallMs)), i.endWallMs === null ? '<strong>ongoing</strong>' : esc(rw.time(i.endWallMs)), esc(i.peakSeverity), findingsHtml(deciding(i.findings)),
          i.evidence ? '<a href="#/incident/' + encodeURIComponent(i.id) + '">bundle</a>' : '<span class="rw-muted">none</span>'];
      }))));
      box.setAttribute('data-ready', '1');
    }, function (e) { fail(box, e); });
  }

  function partName(p) { return typeof p === 'string' ? p : (p && (p.file || p.path || p.name)) || ''; }

  function incidentPage(box, id) {
    getJson('/api/v1/incidents').then(function (d) {
      var inc = d.incidents.filter(function (i) { return String(i.id) === id; })[0];
      if (!inc) { box.appendChild(el('h1', null, ['incident ' + id + ' is not in the store'])); return; }
      box.appendChild(html('h1', null, 'Incident ' + esc(inc.id) + ' ' + rw.badge(inc.verdict)));
      box.appendChild(html('p', null, '<a href="#/target/' + encodeURIComponent(inc.targetId) + '">' + esc(inc.targetId) + '</a> · ' + esc(rw.time(inc.startWallMs)) + ' to ' +
        (inc.endWallMs === null ? 'now (ongoing)' : esc(rw.time(inc.endWallMs))) + ' · peak severity ' + esc(inc.peakSeverity)));
      box.appendChild(html('div', null, findingsHtml(inc.findings)));
      if (!inc.evidence) { box.appendChild(el('p', { class: 'rw-muted' }, ['no evidence bundle for this incident'])); box.setAttribute('data-ready', '1'); return; }
      var base = '/evidence/' + encodeURIComponent(inc.evidence.id) + '/';
      box.appendChild(html('p', null, '<a href="/evidence/' + encodeURIComponent(inc.evidence.id) + '.tar.gz" download>download the bundle (.tar.gz)</a>'));
      var parts = (inc.evidence.parts || []).map(function (p) {
        var o = typeof p === 'object' && p ? p : {};
        return { file: partName(p), title: o.title || rw.partKind(partName(p)).title, absent: o.status === 'absent' || o.absent ? String(o.reason || o.absent || 'absent') : '', note: o.note || '', bytes: o.bytes };
      });
      box.appendChild(html('div', null, table(['part', 'file', 'size', ''], parts.map(function (p) {
        return [esc(p.title), esc(p.absent ? '' : p.file), p.bytes !== undefined && !p.absent ? esc(rw.bytes(p.bytes)) : '',
          p.absent ? '<span class="rw-muted">absent: ' + esc(p.absent) + '</span>' : esc(p.note) + ' <a href="' + base + encodeURIComponent(p.file) + '">raw</a>'];
      }))));
      var pending = [];
      rw.byPartOrder(parts, function (p) { return p.file; }).forEach(function (p) {
        var k = rw.partKind(p.file);
        if (!p.file || p.absent || k.kind === 'manifest' || k.kind === 'page') return;
        var sec = el('section', { 'data-part': p.file }, [html('h2', null, esc(p.title) + ' <span class="rw-muted mono">' + esc(p.file) + '</span>')]);
        box.appendChild(sec);
        var body = el('div');
        sec.appendChild(body);
        pending.push(fetch(base + encodeURIComponent(p.file)).then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(r.status + ' ' + r.statusText)); }).then(function (text) {
          if (k.kind === 'flame' || k.kind === 'flame-reversed') rw.flame(body, text, p.title);
          else if (k.kind === 'report-json') body.appendChild(reportSummary(text));
          else body.appendChild(el('pre', null, [text.length > 524288 ? text.slice(0, 524288) + '\n… (first 512 KiB shown; download the bundle for all of it)' : text]));
        }, function (e) { fail(body, e); }));
      });
      Promise.all(pending).then(function () { box.setAttribute('data-ready', '1'); });
    }, function (e) { fail(box, e); });
  }
  function reportSummary(text) {
    var r; try { r = JSON.parse(text); } catch (e) { return el('pre', null, [text]); }
    var box = el('div');
    (r.targets || []).forEach(function (t) {
      box.appendChild(html('h3', null, rw.badge(t.verdict) + ' ' + esc(t.target && t.target.label || '') + ' <span class="rw-muted">severity ' + esc(t.severity) + '</span>'));
      box.appendChild(html('div', null, findingsHtml(t.findings || [])));
      box.appendChild(html('div', null, table(['signal', 'value', 'threshold', 'meaning'], (t.evidence || []).map(function (e) { return [esc(e.signal), esc(e.value), esc(e.threshold), esc(e.meaning)]; }))));
    });
    if (!r.targets) box.appendChild(el('pre', null, [JSON.stringify(r, null, 2)]));
    return box;
  }

  function route() {
    if (ctx.charts) ctx.charts.destroy();
    ctx.onTick = null;
    ctx.charts = null;
    var h = location.hash.replace(/^#\/?/, ''), parts = h.split('/'), box = el('div', { 'data-page': parts[0] || 'targets' });
    app.textContent = '';
    app.appendChild(box);
    Array.prototype.forEach.call(document.querySelectorAll('nav a'), function (a) { a.classList.toggle('rw-on', a.getAttribute('href') === '#/' + (parts[0] === 'target' ? 'targets' : parts[0] === 'incident' ? 'incidents' : parts[0] || 'targets')); });
    var arg = decodeURIComponent(parts.slice(1).join('/'));
    if (parts[0] === 'node') nodePage(box);
    else if (parts[0] === 'target' && arg) targetPage(box, arg);
    else if (parts[0] === 'incidents') incidentsPage(box);
    else if (parts[0] === 'incident' && arg) incidentPage(box, arg);
    else targetsPage(box);
  }
  window.addEventListener('hashchange', route);
  live();
  route();
})();
`;
