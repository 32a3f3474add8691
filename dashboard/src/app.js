// parley dashboard: dyad picker, tension chart (uPlot), country-level map
// (Leaflet on an offline world-atlas basemap), events with highlighted
// sentences and their "why", alerts, and a "try it" box.  Every piece of
// text from the server goes in with textContent: nothing is parsed as HTML.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text != null) e.textContent = String(text); if (cls) e.className = cls; return e; };
  const state = { a: 'ISR', b: 'SYR', by: 'week', offset: 0, to: '' };
  let countries = {}, chart = null, map = null, markers = null;

  async function api(url, opts) {
    const r = await fetch(url, opts);
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || r.status);
    return j;
  }

  function readUrl() {
    const p = new URLSearchParams(location.search);
    for (const k of ['a', 'b', 'by']) if (p.get(k)) state[k] = p.get(k).toUpperCase().replace(/[^A-Z0-9-]/g, '');
    state.by = ['day', 'week', 'month'].includes(state.by.toLowerCase()) ? state.by.toLowerCase() : 'week';
    state.to = /^\d{4}-\d{2}-\d{2}$/.test(p.get('to') || '') ? p.get('to') : '';
    $('a').value = state.a; $('b').value = state.b; $('by').value = state.by;
  }
  function writeUrl() {
    const p = new URLSearchParams({ a: state.a, b: state.b, by: state.by });
    if (state.to) p.set('to', state.to);
    history.replaceState(null, '', '?' + p.toString());
  }

  async function loadHealth() {
    try {
      const h = await api('/api/health');
      const d = (n) => n ? String(n).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3') : '?';
      $('health').textContent = `${h.events} events from ${h.documents} documents, ${d(h.first_date)} to ${d(h.last_date)}`;
    } catch (e) { $('health').textContent = 'store unavailable: ' + e.message; }
  }

  async function loadDyads() {
    const ol = $('dyads');
    try {
      const j = await api('/api/dyads?limit=15');
      ol.textContent = '';
      const dl = $('codes');
      const seen = new Set();
      for (const d of j.dyads) {
        const li = el('li');
        const a = el('a', `${d.a}–${d.b}`);
        a.addEventListener('click', () => { state.a = d.a; state.b = d.b; $('a').value = d.a; $('b').value = d.b; refresh(); });
        li.append(a, el('span', ` ${d.events} events, tension ${d.tension}`, 'muted'));
        ol.append(li);
        for (const c of [d.a, d.b]) if (!seen.has(c)) { seen.add(c); const o = el('option'); o.value = c; dl.append(o); }
      }
      if (!j.dyads.length) ol.append(el('li', 'no events yet', 'muted'));
    } catch (e) { ol.textContent = ''; ol.append(el('li', 'error: ' + e.message)); }
  }

  async function loadAlerts() {
    const ol = $('alerts');
    try {
      const j = await api('/api/alerts?by=' + state.by);
      ol.textContent = '';
      for (const a of j.alerts.slice(-20).reverse()) {
        const li = el('li', null, a.flag > 0 ? 'esc' : 'deesc');
        const link = el('a', `${a.a}–${a.b} ${a.period}`);
        link.addEventListener('click', () => { state.a = a.a; state.b = a.b; $('a').value = a.a; $('b').value = a.b; refresh(); });
        li.append(link, el('span', ` ${a.flag > 0 ? '▲ escalation' : '▼ de-escalation'} (z ${a.z})`));
        ol.append(li);
      }
      if (!j.alerts.length) ol.append(el('li', 'no alerts', 'muted'));
    } catch (e) { ol.textContent = ''; ol.append(el('li', 'error: ' + e.message)); }
  }

  async function loadTrend() {
    const box = $('chart');
    box.textContent = 'loading…'; box.className = 'loading';
    $('chart-title').textContent = `Tension ${state.a}–${state.b} by ${state.by}`;
    try {
      const j = await api(`/api/trend?a=${encodeURIComponent(state.a)}&b=${encodeURIComponent(state.b)}&by=${state.by}`);
      box.textContent = ''; box.className = '';
      if (!j.series.length) { box.append(el('p', 'no events for this dyad', 'muted')); return; }
      const xs = j.series.map(r => Date.parse(r.period + 'T00:00:00Z') / 1000);
      const tension = j.series.map(r => r.tension);
      const events = j.series.map(r => r.events);
      const flags = j.series.map(r => r.flag ? r.tension : null);
      if (chart) chart.destroy();
      chart = new uPlot({
        width: Math.max(320, box.clientWidth || 600), height: 240,
        series: [{},
          { label: 'tension', stroke: '#b00020', width: 2 },
          { label: 'events', stroke: '#5a7fa8', fill: 'rgba(90,127,168,.25)', scale: 'n', paths: uPlot.paths.bars({ size: [0.6, 40] }) },
          { label: 'flag', stroke: '#000', width: 0, points: { show: true, size: 9, fill: '#000' } }],
        axes: [{}, { label: 'tension' }, { side: 1, scale: 'n', label: 'events', grid: { show: false } }],
        scales: { n: { range: (u, mn, mx) => [0, Math.max(1, mx)] } },
      }, [xs, tension, events, flags], box);
      box.setAttribute('data-points', String(xs.length));
    } catch (e) { box.textContent = 'error: ' + e.message; }
  }

  function initMap() {
    map = L.map('map', { worldCopyJump: false, minZoom: 1, maxBounds: [[-85, -180], [85, 180]], attributionControl: true });
    map.attributionControl.setPrefix('').addAttribution('Natural Earth via world-atlas');
    fetch('countries.geo.json').then(r => r.json()).then(geo => {
      L.geoJSON(geo, { style: { color: '#8aa', weight: 0.6, fillColor: '#eef2ee', fillOpacity: 1 } }).addTo(map);
    });
    map.setView([30, 20], 2);
    markers = L.layerGroup().addTo(map);
  }

  // One marker per place.  A located event (city, region, province, or a
  // country the text names) is drawn solid at its coordinates; a country
  // guessed from the actors is drawn hollow and dashed and says so, so a
  // centroid is never mistaken for a spot.  Events with no place (a store
  // built without the gazetteer) fall back to their actors' countries, also
  // as guesses.
  function placeKey(e) {
    const p = e.place;
    if (p && p.lat != null) {
      const guess = p.basis === 'actor';
      return { key: `${p.lat.toFixed(3)},${p.lon.toFixed(3)},${guess}`, lat: p.lat, lon: p.lon, guess,
               label: guess ? `${p.name}: country-level guess from the actors` : `${p.name} (${p.level}${p.adm1_name && p.level !== 'adm1' ? ', ' + p.adm1_name : ''}, from the ${p.basis})` };
    }
    const k = [e.target, e.source].map(c => c && c.slice(0, 3)).find(c => c && countries[c]);
    if (!k) return null;
    const c = countries[k];
    return { key: `${k},guess`, lat: c.lat, lon: c.lon, guess: true, label: `${c.name}: country-level guess from the actors` };
  }

  function placeMarkers(evs) {
    markers.clearLayers();
    const per = new Map();
    for (const e of evs) {
      const k = placeKey(e);
      if (!k) continue;
      const g = per.get(k.key) || Object.assign(k, { n: 0 });
      g.n++;
      per.set(k.key, g);
    }
    let located = 0, guesses = 0;
    for (const g of per.values()) {
      const style = g.guess
        ? { className: 'geo-guess', color: '#777', weight: 1.5, dashArray: '3 3', fillOpacity: 0 }
        : { className: 'geo-located', color: '#b00020', weight: 1, fillOpacity: 0.6 };
      const m = L.circleMarker([g.lat, g.lon], Object.assign({ radius: 5 + Math.min(20, Math.sqrt(g.n) * 2) }, style));
      const tip = document.createElement('span');
      tip.textContent = `${g.label}: ${g.n} event${g.n > 1 ? 's' : ''}`;
      m.bindTooltip(tip);
      m.addTo(markers);
      if (g.guess) guesses++; else located++;
    }
    $('map').setAttribute('data-markers', String(per.size));
    $('map').setAttribute('data-located', String(located));
    $('map').setAttribute('data-guesses', String(guesses));
  }

  function placeText(e) {
    const p = e.place;
    if (!p) return null;
    const t = p.basis === 'actor' ? `country-level guess: ${p.name} (from the actors)` : `at ${p.name} (${p.level}, from the ${p.basis})`;
    return el('div', t, p.basis === 'actor' ? 'muted place guess' : 'muted place');
  }

  function highlighted(e) {
    // the sentence with source, target and verb marked, built from text nodes
    const s = e.sentence_text || '';
    const spans = [];
    const mark = (t, cls) => { if (!t) return; const i = s.indexOf(t); if (i >= 0) spans.push([i, i + t.length, cls]); };
    mark(e.source_text, 'src'); mark(e.target_text, 'tgt'); mark(e.verb_text, 'verb');
    spans.sort((x, y) => x[0] - y[0]);
    const frag = document.createDocumentFragment();
    let at = 0;
    for (const [a, b, cls] of spans) {
      if (a < at) continue;
      frag.append(document.createTextNode(s.slice(at, a)));
      frag.append(el('mark', s.slice(a, b), cls));
      at = b;
    }
    frag.append(document.createTextNode(s.slice(at)));
    return frag;
  }

  async function loadEvents(append) {
    const tb = $('events').tBodies[0];
    if (!append) { state.offset = 0; tb.textContent = ''; tb.append(rowMsg('loading…')); }
    try {
      const to = state.to ? '&to=' + state.to : '';
      const j = await api(`/api/events?a=${encodeURIComponent(state.a)}&b=${encodeURIComponent(state.b)}&limit=50&offset=${state.offset}${to}`);
      if (!append) tb.textContent = '';
      for (const e of j.events) {
        const tr = el('tr', null, 'ev');
        tr.dataset.id = e.id;
        const sent = el('td'); sent.append(highlighted(e));
        const pt = placeText(e); if (pt) sent.append(pt);
        tr.append(el('td', e.date), el('td', e.source || '—'), el('td', e.target || '—'), el('td', e.cameo), sent, el('td', `${e.num_articles}/${e.num_sources}`));
        tr.addEventListener('click', () => showEvent(e.id));
        tb.append(tr);
      }
      if (!tb.rows.length) tb.append(rowMsg('no events'));
      state.offset = j.next_offset || 0;
      $('more').hidden = !j.next_offset;
      if (!append) placeMarkers(j.events);
    } catch (e) { tb.textContent = ''; tb.append(rowMsg('error: ' + e.message)); }
  }
  const rowMsg = (t) => { const tr = el('tr'); const td = el('td', t, 'muted'); td.colSpan = 6; tr.append(td); return tr; };

  async function showEvent(id) {
    const box = $('detail');
    $('detail-panel').hidden = false;
    $('detail-id').textContent = id;
    box.textContent = 'loading…';
    try {
      const e = await api('/api/events/' + encodeURIComponent(id));
      box.textContent = '';
      const p = el('p'); p.append(highlighted(e)); box.append(p);
      box.append(el('p', `${e.source || '—'} → ${e.target || '—'}  CAMEO ${e.cameo} (${e.plover || ''}), Goldstein ${e.goldstein}, ${e.num_mentions} mentions in ${e.num_articles} articles from ${e.num_sources} sources`));
      box.append(el('h3', 'why'));
      const ul = el('ul', null, 'why');
      for (const w of e.why || []) ul.append(el('li', w));
      box.append(ul);
      box.append(el('h3', 'reported in'));
      const ml = el('ul');
      for (const m of e.mentions) ml.append(el('li', `${m.publisher || m.doc_id}${m.attribution ? ' (' + m.attribution + ')' : ''}: ${m.sentence_text || ''}`));
      box.append(ml);
      $('detail-panel').scrollIntoView({ block: 'nearest' });
    } catch (err) { box.textContent = 'error: ' + err.message; }
  }

  async function tryIt(ev) {
    ev.preventDefault();
    const out = $('try-out');
    out.textContent = 'coding…';
    const body = { text: $('try-text').value };
    if ($('try-date').value) body.date = $('try-date').value;
    try {
      const j = await api('/api/code', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      out.textContent = '';
      out.append(el('p', `${j.count} events from ${j.sentences} sentences`, 'muted'));
      const t = el('table');
      for (const e of j.events) {
        const tr = el('tr', null, 'try-ev');
        const s = el('td'); s.append(highlighted(e));
        tr.append(el('td', e.source || '—'), el('td', e.target || '—'), el('td', e.cameo), s);
        t.append(tr);
      }
      out.append(t);
    } catch (e) { out.textContent = 'error: ' + e.message; }
  }

  function refresh() {
    state.a = $('a').value.trim().toUpperCase(); state.b = $('b').value.trim().toUpperCase(); state.by = $('by').value;
    writeUrl();
    loadTrend(); loadEvents(false); loadAlerts();
  }

  $('dyad-form').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
  $('more').addEventListener('click', () => loadEvents(true));
  $('try-form').addEventListener('submit', tryIt);
  readUrl();
  initMap();
  fetch('countries.json').then(r => r.json()).then(c => { countries = c; refresh(); }).catch(() => refresh());
  loadHealth(); loadDyads();
})();
