// conflictmap's map page. It asks the server for the events that match the
// filters inside the current view (the server filters; the page never
// downloads everything to filter locally), draws them on a Leaflet map and in
// a feed, and keeps the view and every filter in the URL's hash so that a link
// reopens the same view.
//
// Everything that comes from an article (titles, quotes, names, URLs) is put
// into the page as text or as DOM attributes, never parsed as HTML.
(function () {
  'use strict';

  // ACLED's six event types, each with a colour from the Okabe-Ito palette,
  // which stays distinguishable under the common colour-vision deficiencies.
  const TYPES = [
    { name: 'Battles', colour: '#D55E00' },
    { name: 'Explosions/Remote violence', colour: '#E69F00' },
    { name: 'Violence against civilians', colour: '#CC79A7' },
    { name: 'Protests', colour: '#0072B2' },
    { name: 'Riots', colour: '#56B4E9' },
    { name: 'Strategic developments', colour: '#009E73' },
  ];
  const UNKNOWN_COLOUR = '#777777';
  const MODALITIES = [
    { name: 'occurred', label: 'occurred' },
    { name: 'ongoing', label: 'ongoing' },
    { name: 'threatened', label: 'threatened (not occurred)' },
  ];
  const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
    'August', 'September', 'October', 'November', 'December'];
  const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));
  const PRECISION_WORDS = { 1: 'a town or precise site', 2: 'near a town or part of a region', 3: 'a region, country or sea' };
  const FEED_PAGE = 200;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);

  if (typeof window.L === 'undefined' || typeof L.markerClusterGroup !== 'function') {
    $('assets-missing').hidden = false;
    $('count').textContent = 'Map libraries missing: run make assets';
    return;
  }

  const colourOf = (type) => (TYPES.find((t) => t.name === type) || { colour: UNKNOWN_COLOUR }).colour;

  // ---------------------------------------------------------------- state

  // state holds every filter; the map's centre and zoom live in the map.
  const state = {
    start: '',
    end: '',
    types: new Set(TYPES.map((t) => t.name)),
    modalities: new Set(MODALITIES.map((m) => m.name)),
    country: '',
    actor: '',
    q: '',
    limit: 0, // events per view; 0 is the server's default
  };
  let config = { tile_url: '', tile_attribution: '', max_limit: 10000, default_limit: 1000, extractor_version: '' };
  let eventsSeq = 0; // answers to older requests are dropped, not aborted
  let statsSeq = 0;
  let lastHash = '';
  let selectedId = null;
  let feedShown = FEED_PAGE;
  let firstDrawn = false;
  const layers = new Map(); // event id -> { marker, feature, key }
  let features = []; // the features of the last answer, newest first

  // ---------------------------------------------------------------- text helpers

  function parseDate(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
    return m ? { y: +m[1], m: +m[2], d: +m[3] } : null;
  }

  function daysInMonth(y, m) {
    return new Date(Date.UTC(y, m, 0)).getUTCDate();
  }

  function dayText(p) {
    return p.d + ' ' + MONTHS[p.m - 1] + ' ' + p.y;
  }

  // dateText says when an event happened as a reader would: a day, a month,
  // "late January 2024" for a span at the end of a month, else a range.
  function dateText(props) {
    const a = parseDate(props.event_date);
    const b = parseDate(props.event_date_end) || a;
    if (!a) return 'date unknown';
    if (a.y === b.y && a.m === b.m && a.d === b.d) return dayText(a);
    if (a.y === b.y && a.m === b.m) {
      const last = daysInMonth(a.y, a.m);
      const month = MONTHS[a.m - 1] + ' ' + a.y;
      const span = a.d + '–' + b.d + ' ' + SHORT_MONTHS[a.m - 1];
      if (a.d === 1 && b.d === last) return month;
      if (a.d === 1 && b.d <= 10) return 'early ' + month + ' (' + span + ')';
      if (a.d >= 11 && b.d <= 20) return 'mid-' + month + ' (' + span + ')';
      if (a.d >= 20 && b.d === last) return 'late ' + month + ' (' + span + ')';
      return a.d + '–' + b.d + ' ' + month;
    }
    if (a.y === b.y) {
      if (a.d === 1 && b.d === daysInMonth(b.y, b.m)) {
        return MONTHS[a.m - 1] + '–' + MONTHS[b.m - 1] + ' ' + a.y;
      }
      return a.d + ' ' + MONTHS[a.m - 1] + ' – ' + dayText(b);
    }
    return dayText(a) + ' – ' + dayText(b);
  }

  function placeText(props) {
    const name = props.location || props.mention || 'Unknown place';
    if (props.country && props.country !== name) return name + ', ' + props.country;
    return name;
  }

  function isApproximate(props) {
    return (props.geo_precision || 1) >= 2;
  }

  // accessibleName is what a screen reader (and a test) hears for a marker:
  // the place first, then what happened and when.
  function accessibleName(props) {
    const parts = [(props.location || props.mention || 'Unknown place') + ':'];
    parts.push((props.modality || 'unknown modality') + ' ' + (props.event_type || 'event') + ',');
    parts.push(dateText(props));
    if (isApproximate(props)) parts.push('(approximate area)');
    return parts.join(' ');
  }

  function safeURL(raw) {
    if (!raw) return null;
    try {
      const u = new URL(raw);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  // symbol draws an event's marker: colour for the type, a filled dot for
  // occurred, a ring around it for ongoing, a hollow dashed ring for
  // threatened, and a dotted halo when the place is only approximate.
  function symbol(type, modality, approximate, size) {
    const s = size || 22;
    const c = s / 2;
    const colour = colourOf(type);
    const svg = svgEl('svg', { width: s, height: s, viewBox: '0 0 ' + s + ' ' + s, 'aria-hidden': 'true', focusable: 'false' });
    svg.classList.add('symbol', 'm-' + (modality || 'unknown'));
    if (approximate) {
      svg.append(svgEl('circle', { cx: c, cy: c, r: c - 1, fill: 'none', stroke: '#333', 'stroke-width': 1.2, 'stroke-dasharray': '1.5 2', class: 'halo' }));
    }
    if (modality === 'threatened') {
      svg.append(svgEl('circle', { cx: c, cy: c, r: s * 0.29, fill: '#fff', 'fill-opacity': 0.85, stroke: colour, 'stroke-width': 2.6, 'stroke-dasharray': '3 2', class: 'dot' }));
    } else {
      if (modality === 'ongoing') {
        svg.append(svgEl('circle', { cx: c, cy: c, r: s * 0.38, fill: 'none', stroke: colour, 'stroke-width': 2, class: 'ring' }));
      }
      svg.append(svgEl('circle', { cx: c, cy: c, r: modality === 'ongoing' ? s * 0.22 : s * 0.28, fill: colour, stroke: '#222', 'stroke-width': 1.3, class: 'dot' }));
    }
    return svg;
  }

  // ---------------------------------------------------------------- map

  const map = L.map('map', {
    worldCopyJump: true,
    minZoom: 2,
    maxZoom: 14,
    zoomSnap: 1,
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');

  map.createPane('outlines');
  map.getPane('outlines').style.zIndex = 150; // below tiles: outlines show where tiles do not load
  map.createPane('areas');
  map.getPane('areas').style.zIndex = 390;

  const outlineRenderer = L.canvas({ pane: 'outlines' });
  const areas = L.layerGroup().addTo(map);
  const cluster = L.markerClusterGroup({
    maxClusterRadius: 32,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    chunkedLoading: true,
    chunkProgress: (done, total) => {
      if (done >= total) markersAdded();
    },
    iconCreateFunction: clusterIcon,
  }).addTo(map);

  // EventIcon is a marker icon whose element carries the event's accessible
  // name and symbol, built as DOM so no text from an article is parsed.
  const EventIcon = L.DivIcon.extend({
    createIcon: function (old) {
      const div = old && old.tagName === 'DIV' ? old : document.createElement('div');
      const p = this.options.props;
      div.replaceChildren(symbol(p.event_type, p.modality, isApproximate(p)));
      this._setIconStyles(div, 'icon');
      div.classList.add('m-' + (p.modality || 'unknown'));
      if (isApproximate(p)) div.classList.add('approximate');
      if (p.id === selectedId) div.classList.add('selected');
      div.setAttribute('aria-label', this.options.label);
      div.dataset.eventId = p.id;
      div.dataset.modality = p.modality || '';
      div.dataset.eventType = p.event_type || '';
      return div;
    },
  });

  const ClusterIcon = L.DivIcon.extend({
    createIcon: function (old) {
      const div = old && old.tagName === 'DIV' ? old : document.createElement('div');
      div.replaceChildren(el('span', null, String(this.options.count)));
      this._setIconStyles(div, 'icon');
      div.style.background = this.options.background;
      div.setAttribute('aria-label', this.options.label);
      div.title = this.options.label;
      return div;
    },
  });

  // clusterIcon shows how many events a cluster holds, a ring split by event
  // type, and names the places inside so they can be found without zooming.
  function clusterIcon(c) {
    const children = c.getAllChildMarkers();
    const byType = new Map();
    const places = [];
    for (const m of children) {
      const p = m.options.icon.options.props;
      byType.set(p.event_type, (byType.get(p.event_type) || 0) + 1);
      const name = p.location || p.mention || 'Unknown place';
      if (!places.includes(name)) places.push(name);
    }
    const counted = new Map(byType);
    let at = 0;
    const stops = [];
    for (const t of [...TYPES.map((x) => x.name), ...byType.keys()]) {
      const n = byType.get(t);
      if (!n) continue;
      byType.delete(t);
      const from = (at / children.length) * 360;
      at += n;
      const to = (at / children.length) * 360;
      stops.push(colourOf(t) + ' ' + from.toFixed(1) + 'deg ' + to.toFixed(1) + 'deg');
    }
    const shown = places.slice(0, 6).join(', ') + (places.length > 6 ? ', and ' + (places.length - 6) + ' more places' : '');
    const kinds = TYPES.filter((t) => counted.get(t.name)).map((t) => t.name + ' ' + counted.get(t.name));
    const size = children.length < 10 ? 32 : children.length < 100 ? 38 : 44;
    return new ClusterIcon({
      className: 'cluster-marker',
      iconSize: [size, size],
      count: children.length,
      background: 'conic-gradient(' + stops.join(', ') + ')',
      label: children.length + ' events: ' + shown + (kinds.length ? ' — ' + kinds.join(', ') : ''),
    });
  }

  function escapeText(s) {
    const d = document.createElement('div');
    d.textContent = s;
    return d.innerHTML;
  }

  // Outlines of the countries (Natural Earth, embedded): the map keeps its
  // shape with no tile server and no internet.
  // fetchOutlines starts the download at once; drawOutlines decodes and
  // draws them after the first events, which matter more to a reader.
  let outlines = null;
  function fetchOutlines() {
    outlines = fetch('vendor/world-atlas/countries-50m.json').then((r) => {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
    outlines.catch(() => {}); // reported by drawOutlines
  }

  function drawOutlines() {
    outlines
      .then((topo) => {
        const land = topojson.feature(topo, topo.objects.countries);
        L.geoJSON(land, {
          renderer: outlineRenderer,
          pane: 'outlines',
          interactive: false,
          style: { color: '#8c8575', weight: 0.7, fillColor: '#f2efe6', fillOpacity: 1 },
          attribution: 'Outlines: <a href="https://www.naturalearthdata.com/">Natural Earth</a>',
        }).addTo(map);
      })
      .catch((err) => showError('Country outlines could not be loaded (' + err.message + '); run make assets.'));
  }

  function addTiles() {
    if (!config.tile_url) return;
    L.tileLayer(config.tile_url, {
      attribution: escapeText(config.tile_attribution || ''),
      maxZoom: 19,
      crossOrigin: true,
    }).addTo(map);
  }

  // The legend explains colours and shapes on the map itself, folded on
  // small screens.
  const Legend = L.Control.extend({
    options: { position: 'bottomright' },
    onAdd: function () {
      const details = el('details', { class: 'legend' });
      if (!window.matchMedia('(max-width: 700px)').matches) details.open = true;
      details.append(el('summary', null, 'Legend'));
      const types = el('ul', { 'aria-label': 'Event types' });
      for (const t of TYPES) types.append(el('li', null, symbol(t.name, 'occurred', false, 16), t.name));
      const shapes = el('ul', { 'aria-label': 'Shapes' });
      shapes.append(el('li', null, symbol('', 'occurred', false, 16), 'occurred'));
      shapes.append(el('li', null, symbol('', 'ongoing', false, 16), 'ongoing'));
      shapes.append(el('li', null, symbol('', 'threatened', false, 16), 'threatened, not occurred'));
      shapes.append(el('li', null, symbol('', 'occurred', true, 16), 'approximate place: its area is outlined'));
      details.append(types, shapes);
      L.DomEvent.disableClickPropagation(details);
      L.DomEvent.disableScrollPropagation(details);
      return details;
    },
  });
  new Legend().addTo(map);
  map.attributionControl.addAttribution('Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)');

  // ---------------------------------------------------------------- queries

  function round(x) {
    return Math.round(x * 1e4) / 1e4;
  }

  function wrapLon(x) {
    return ((((x + 180) % 360) + 360) % 360) - 180;
  }

  // viewBBox is the visible map as w,s,e,n; w > e when the view crosses the
  // antimeridian, which the API understands.
  function viewBBox() {
    const b = map.getBounds();
    let w = b.getWest();
    let e = b.getEast();
    const s = Math.max(-90, b.getSouth());
    const n = Math.min(90, b.getNorth());
    if (e - w >= 360) {
      w = -180;
      e = 180;
    } else {
      w = wrapLon(w);
      e = wrapLon(e);
      if (e === -180) e = 180;
    }
    return [round(w), round(s), round(e), round(n)].join(',');
  }

  // filterParams writes the filters as API parameters; parts can leave out
  // the dates (for the histogram, which shows every week).
  function filterParams(opts) {
    const o = opts || {};
    const p = new URLSearchParams();
    if (o.bbox !== false) p.set('bbox', viewBBox());
    if (o.dates !== false) {
      if (state.start) p.set('start', state.start);
      if (state.end) p.set('end', state.end);
    }
    if (state.types.size < TYPES.length) for (const t of TYPES) if (state.types.has(t.name)) p.append('type', t.name);
    if (state.modalities.size < MODALITIES.length) {
      for (const m of MODALITIES) if (state.modalities.has(m.name)) p.append('modality', m.name);
    }
    if (state.country) p.set('country', state.country);
    if (state.actor) p.set('actor', state.actor);
    if (state.q) p.set('q', state.q);
    return p;
  }

  function viewLimit() {
    const max = config.max_limit || 10000;
    return Math.min(state.limit || config.default_limit || 1000, max);
  }

  function nothingSelected() {
    return state.types.size === 0 || state.modalities.size === 0;
  }

  async function apiJSON(url, init) {
    const r = await fetch(url, init);
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      body = null;
    }
    if (!r.ok) {
      const msg = body && body.error ? body.error : r.statusText || 'request failed';
      const err = new Error(msg);
      err.status = r.status;
      throw err;
    }
    return body;
  }

  function showError(msg) {
    const box = $('error');
    if (!msg) {
      box.hidden = true;
      box.textContent = '';
      return;
    }
    box.hidden = false;
    box.textContent = msg;
  }

  // ---------------------------------------------------------------- events

  async function loadEvents() {
    const seq = ++eventsSeq;
    updateLinks();
    if (nothingSelected()) {
      render([], { numberMatched: 0, numberReturned: 0 }, seq);
      $('count').textContent = 'No event type or modality selected';
      return;
    }
    const params = filterParams();
    params.set('limit', String(viewLimit()));
    $('map').setAttribute('aria-busy', 'true');
    try {
      const fc = await apiJSON('api/events?' + params.toString());
      if (seq !== eventsSeq) return;
      showError('');
      render(fc.features || [], fc, seq);
    } catch (err) {
      if (seq !== eventsSeq) return;
      showError('Could not load events: ' + err.message);
    } finally {
      if (seq === eventsSeq) $('map').removeAttribute('aria-busy');
    }
  }

  function featureKey(f) {
    return JSON.stringify([f.geometry && f.geometry.coordinates, f.bbox, f.properties]);
  }

  function makeMarker(f) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const label = accessibleName(p);
    const marker = L.marker([lat, lon], {
      icon: new EventIcon({ className: 'event-marker', iconSize: [22, 22], props: p, label: label, popupAnchor: [0, -8] }),
      title: label,
      keyboard: true,
      riseOnHover: true,
    });
    marker.bindPopup(() => popupContent(f), { maxWidth: 340, minWidth: 220, autoPanPadding: [30, 30] });
    marker.on('popupopen', () => select(p.id, { scroll: true }));
    marker.on('popupclose', () => {
      if (selectedId === p.id) select(null);
    });
    return marker;
  }

  // markersAdded runs when the cluster layer holds every marker of an
  // answer (it adds large answers in chunks to keep the page responsive).
  function markersAdded() {
    if (!firstDrawn && layers.size > 0) {
      firstDrawn = true;
      // test/timing.mjs reads this mark: the first answer's markers are all on the map.
      requestAnimationFrame(() => performance.mark('conflictmap:markers-drawn'));
    }
  }

  function render(list, fc, seq) {
    features = list;
    const next = new Map();
    for (const f of list) {
      if (!f || !f.geometry || f.geometry.type !== 'Point' || !f.properties) continue;
      next.set(f.properties.id || String(f.id), f);
    }
    const remove = [];
    const add = [];
    for (const [id, entry] of layers) {
      const f = next.get(id);
      if (f && featureKey(f) === entry.key) continue;
      if (!f && id === selectedId && entry.marker.isPopupOpen()) continue; // keep what the reader is looking at
      remove.push(entry.marker);
      layers.delete(id);
    }
    for (const [id, f] of next) {
      if (layers.has(id)) continue;
      const marker = makeMarker(f);
      layers.set(id, { marker: marker, feature: f, key: featureKey(f) });
      add.push(marker);
    }
    if (remove.length) cluster.removeLayers(remove);
    if (add.length) cluster.addLayers(add);
    drawAreas(next);
    feedShown = FEED_PAGE;
    renderFeed();
    renderCount(fc);
    if (!add.length) markersAdded();
    document.body.dataset.eventsSeq = String(seq);
  }

  // drawAreas outlines the extent of places coarser than a town (or a circle
  // of uncertainty when the server gave no extent), one shape per place.
  function drawAreas(next) {
    areas.clearLayers();
    const shapes = new Map();
    for (const f of next.values()) {
      const p = f.properties;
      if (!isApproximate(p)) continue;
      const key = f.bbox ? f.bbox.join(',') : f.geometry.coordinates.join(',') + '/' + p.geo_precision;
      const s = shapes.get(key);
      if (s) {
        if (s.type !== p.event_type) s.colour = UNKNOWN_COLOUR;
        if (p.modality !== 'threatened') s.threatened = false;
        continue;
      }
      shapes.set(key, { f: f, type: p.event_type, colour: colourOf(p.event_type), threatened: p.modality === 'threatened' });
    }
    for (const s of shapes.values()) {
      const style = {
        pane: 'areas',
        interactive: false,
        color: s.colour,
        weight: 1.5,
        opacity: 0.8,
        dashArray: s.threatened ? '2 5' : '6 4',
        fillColor: s.colour,
        fillOpacity: 0.07,
      };
      const f = s.f;
      if (f.bbox && f.bbox.length >= 4) {
        const b = f.bbox.length === 6 ? [f.bbox[0], f.bbox[1], f.bbox[3], f.bbox[4]] : f.bbox;
        areas.addLayer(L.rectangle([[b[1], b[0]], [b[3], b[2]]], style));
      } else {
        const [lon, lat] = f.geometry.coordinates;
        areas.addLayer(L.circle([lat, lon], Object.assign({ radius: f.properties.geo_precision === 2 ? 25000 : 150000 }, style)));
      }
    }
  }

  function renderCount(fc) {
    const matched = typeof fc.numberMatched === 'number' ? fc.numberMatched : features.length;
    const returned = typeof fc.numberReturned === 'number' ? fc.numberReturned : features.length;
    const box = $('count');
    box.replaceChildren();
    box.dataset.matched = String(matched);
    box.dataset.returned = String(returned);
    box.classList.toggle('cut', returned < matched);
    if (returned < matched) {
      box.append('Showing ', el('strong', null, returned.toLocaleString('en')), ' of ', el('strong', null, matched.toLocaleString('en')),
        ' events in view: zoom in, narrow the filters or draw more per view to see all');
    } else {
      box.append(el('strong', null, matched.toLocaleString('en')), matched === 1 ? ' event in view' : ' events in view');
    }
    $('feed-count').textContent = '(' + returned.toLocaleString('en') + ')';
  }

  // ---------------------------------------------------------------- feed

  function feedItem(f) {
    const p = f.properties;
    const kind = [p.modality, p.event_type, p.sub_event_type && p.sub_event_type !== p.event_type ? '· ' + p.sub_event_type : null]
      .filter(Boolean).join(' ');
    const button = el('button', {
      type: 'button',
      class: 'feed-item',
      'data-event-id': p.id,
      'data-event-type': p.event_type,
      'data-start': p.event_date,
      'data-end': p.event_date_end,
    },
      symbol(p.event_type, p.modality, isApproximate(p), 18),
      el('span', { class: 'place' }, placeText(p)),
      el('span', { class: 'when' }, dateText(p)),
      el('span', { class: 'what' }, kind));
    if (p.id === selectedId) {
      button.classList.add('selected');
      button.setAttribute('aria-current', 'true');
    }
    button.addEventListener('click', () => flyToEvent(p.id));
    return el('li', null, button);
  }

  function renderFeed() {
    const list = $('feed');
    const active = document.activeElement;
    const focusedId = active && list.contains(active) ? active.dataset.eventId : null;
    const items = features.slice(0, feedShown).map(feedItem);
    if (!items.length) {
      items.push(el('li', { class: 'empty' }, nothingSelected()
        ? 'Tick at least one event type and one modality.'
        : 'No event matches here: zoom out, move the map or widen the filters.'));
    }
    list.replaceChildren(...items);
    // A redraw must not take the keyboard's place or the reader's selection away.
    if (focusedId) {
      const again = list.querySelector('.feed-item[data-event-id="' + CSS.escape(focusedId) + '"]');
      if (again) again.focus({ preventScroll: true });
    }
    const chosen = selectedId && list.querySelector('.feed-item[data-event-id="' + CSS.escape(selectedId) + '"]');
    if (chosen) chosen.scrollIntoView({ block: 'nearest' });
    const more = $('feed-more');
    more.hidden = features.length <= feedShown;
    more.textContent = 'Show more (' + (features.length - feedShown) + ' not listed)';
  }

  $('feed-more').addEventListener('click', () => {
    feedShown += FEED_PAGE;
    renderFeed();
  });

  function select(id, opts) {
    selectedId = id;
    for (const b of document.querySelectorAll('.feed-item')) {
      const on = b.dataset.eventId === id;
      b.classList.toggle('selected', on);
      if (on) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
      if (on && opts && opts.scroll) b.scrollIntoView({ block: 'nearest' });
    }
    for (const m of document.querySelectorAll('.event-marker.selected')) m.classList.remove('selected');
    if (id) {
      const entry = layers.get(id);
      const icon = entry && entry.marker.getElement();
      if (icon) icon.classList.add('selected');
    }
  }

  // flyToEvent moves the map to an event (to the whole area of an
  // approximate place), then opens its popup, out of a cluster if needed.
  function flyToEvent(id) {
    const entry = layers.get(id);
    if (!entry) return;
    select(id);
    if (isSmallScreen()) setPanel(false);
    const f = entry.feature;
    const ll = entry.marker.getLatLng();
    const open = () => {
      const current = layers.get(id);
      if (!current) return;
      cluster.zoomToShowLayer(current.marker, () => current.marker.openPopup());
    };
    const target = Math.max(map.getZoom(), isApproximate(f.properties) ? 6 : 8);
    if (map.getCenter().distanceTo(ll) < 1 && map.getZoom() === target) {
      open();
      return;
    }
    map.once('moveend', open);
    map.flyTo(ll, target, { duration: 0.8 });
  }

  // ---------------------------------------------------------------- popup

  // quoteWithMention returns the quote as text nodes with the place as
  // written in the text wrapped in <mark>.
  function quoteWithMention(quote, mention) {
    const block = el('blockquote', { class: 'quote' });
    const i = mention ? quote.toLowerCase().indexOf(mention.toLowerCase()) : -1;
    if (i < 0) {
      block.textContent = quote;
      return block;
    }
    block.append(quote.slice(0, i), el('mark', null, quote.slice(i, i + mention.length)), quote.slice(i + mention.length));
    return block;
  }

  function popupContent(f) {
    const p = f.properties;
    const box = el('article', { class: 'event-popup', 'data-event-id': p.id });
    box.append(el('h3', null, placeText(p)));
    if (p.admin1 && p.admin1 !== p.location) box.append(el('p', { class: 'admin' }, p.admin1));
    box.append(el('p', { class: 'when' }, dateText(p)));
    box.append(el('p', { class: 'kind' }, symbol(p.event_type, p.modality, isApproximate(p), 16), ' ',
      p.event_type || 'Unknown type', p.sub_event_type ? ' — ' + p.sub_event_type : ''));
    const dl = el('dl');
    const row = (k, v) => dl.append(el('dt', null, k), el('dd', null, v));
    row('Modality', el('span', { class: 'badge modality-' + (p.modality || 'unknown') }, p.modality || 'unknown'));
    if (p.actor1 || p.actor2) row('Actors', [p.actor1 || 'unknown', p.actor2].filter(Boolean).join(' → '));
    row('Fatalities', p.fatalities === null || p.fatalities === undefined ? 'not reported' : String(p.fatalities));
    box.append(dl);
    if (p.quote) box.append(quoteWithMention(p.quote, p.mention));
    const source = el('p', { class: 'source' });
    if (p.title) source.append('From ', el('cite', null, p.title));
    else source.append('From an article');
    if (p.published) source.append(', published ' + p.published);
    const href = safeURL(p.source_url);
    if (href) {
      source.append(' — ', el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, 'source'));
    } else if (p.source_url) {
      source.append(' — source: ', el('span', { class: 'url' }, p.source_url));
    }
    box.append(source);
    const meta = [];
    if (isApproximate(p)) meta.push('place: ' + (PRECISION_WORDS[p.geo_precision] || 'approximate'));
    if (typeof p.confidence === 'number') meta.push('confidence ' + p.confidence.toFixed(2));
    if (p.extractor_version) meta.push('extractor ' + p.extractor_version);
    if (meta.length) box.append(el('p', { class: 'meta' }, meta.join(' · ')));
    return box;
  }

  // ---------------------------------------------------------------- filters UI

  function buildFilterControls() {
    const types = $('types');
    for (const t of TYPES) {
      const input = el('input', { type: 'checkbox', name: 'type', value: t.name });
      input.checked = state.types.has(t.name);
      input.addEventListener('change', () => {
        if (input.checked) state.types.add(t.name);
        else state.types.delete(t.name);
        filtersChanged();
      });
      types.append(el('label', { class: 'check' }, input, symbol(t.name, 'occurred', false, 16), t.name));
    }
    const mods = $('modalities');
    for (const m of MODALITIES) {
      const input = el('input', { type: 'checkbox', name: 'modality', value: m.name });
      input.checked = state.modalities.has(m.name);
      input.addEventListener('change', () => {
        if (input.checked) state.modalities.add(m.name);
        else state.modalities.delete(m.name);
        filtersChanged();
      });
      mods.append(el('label', { class: 'check' }, input, symbol('', m.name, false, 16), m.label));
    }
    for (const id of ['start', 'end']) {
      $(id).addEventListener('change', () => {
        state[id] = parseDate($(id).value) ? $(id).value : '';
        filtersChanged();
      });
    }
    $('clear-dates').addEventListener('click', () => {
      state.start = '';
      state.end = '';
      filtersChanged();
    });
    $('country').addEventListener('change', () => {
      state.country = $('country').value;
      filtersChanged();
    });
    for (const id of ['actor', 'q']) {
      let timer = null;
      $(id).addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          state[id] = $(id).value.trim();
          filtersChanged();
        }, 350);
      });
    }
    $('limit').addEventListener('change', () => {
      state.limit = Number($('limit').value) || 0;
      writeHash();
      loadEvents();
    });
    $('filters').addEventListener('submit', (e) => e.preventDefault());
  }

  // syncControls shows the state in the form (after reading a permalink).
  function syncControls() {
    for (const input of document.querySelectorAll('#types input')) input.checked = state.types.has(input.value);
    for (const input of document.querySelectorAll('#modalities input')) input.checked = state.modalities.has(input.value);
    $('start').value = state.start;
    $('end').value = state.end;
    ensureCountryOption(state.country);
    $('country').value = state.country;
    if (document.activeElement !== $('actor')) $('actor').value = state.actor;
    if (document.activeElement !== $('q')) $('q').value = state.q;
    ensureLimitOption(state.limit);
    $('limit').value = String(state.limit);
  }

  const regionNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'region' }) : null;

  function countryName(code) {
    try {
      return (regionNames && regionNames.of(code)) || code;
    } catch (e) {
      return code;
    }
  }

  function ensureCountryOption(code) {
    if (!code) return;
    const select = $('country');
    if ([...select.options].some((o) => o.value === code)) return;
    select.append(el('option', { value: code }, countryName(code) + ' (' + code + ')'));
  }

  // The limit menu offers the server's default and larger pages up to its maximum.
  function buildLimitOptions() {
    const select = $('limit');
    const max = config.max_limit || 10000;
    const options = [el('option', { value: '0' }, 'up to ' + (config.default_limit || 1000).toLocaleString('en') + ' (default)')];
    for (const n of [5000, 10000, 25000, 50000]) {
      if (n > (config.default_limit || 1000) && n <= max) options.push(el('option', { value: String(n) }, 'up to ' + n.toLocaleString('en')));
    }
    select.replaceChildren(...options);
    ensureLimitOption(state.limit);
    select.value = String(state.limit);
  }

  function ensureLimitOption(n) {
    if (!n) return;
    const select = $('limit');
    if ([...select.options].some((o) => o.value === String(n))) return;
    select.append(el('option', { value: String(n) }, 'up to ' + n.toLocaleString('en')));
  }

  async function loadCountries() {
    try {
      const stats = await apiJSON('api/stats');
      const select = $('country');
      const keep = select.value;
      const options = [el('option', { value: '' }, 'All countries')];
      const rows = (stats.by_country || []).filter((r) => r && r.key);
      rows.sort((a, b) => countryName(a.key).localeCompare(countryName(b.key)));
      for (const r of rows) {
        options.push(el('option', { value: r.key }, countryName(r.key) + ' (' + r.count + ')'));
      }
      select.replaceChildren(...options);
      ensureCountryOption(keep);
      select.value = keep;
    } catch (err) {
      showError('Could not load the list of countries: ' + err.message);
    }
  }

  // ---------------------------------------------------------------- histogram

  function mondayOf(iso) {
    const p = parseDate(iso);
    const d = new Date(Date.UTC(p.y, p.m - 1, p.d));
    const dow = (d.getUTCDay() + 6) % 7;
    d.setUTCDate(d.getUTCDate() - dow);
    return d;
  }

  function isoDay(d) {
    return d.toISOString().slice(0, 10);
  }

  function addDays(d, n) {
    const x = new Date(d.getTime());
    x.setUTCDate(x.getUTCDate() + n);
    return x;
  }

  // The histogram shows weeks; a timeline longer than MAX_BARS weeks is
  // shown by month, and a longer one by year, so that bars stay readable.
  const MAX_BARS = 80;
  let buckets = []; // [{ start: 'YYYY-MM-DD', end: 'YYYY-MM-DD', label, count }]
  let bucketUnit = 'week';

  function bucketsOf(rows, unit) {
    const startOf = (iso) => {
      if (unit === 'week') return isoDay(mondayOf(iso));
      return unit === 'month' ? iso.slice(0, 7) + '-01' : iso.slice(0, 4) + '-01-01';
    };
    const next = (iso) => {
      const p = parseDate(iso);
      if (unit === 'week') return isoDay(addDays(new Date(Date.UTC(p.y, p.m - 1, p.d)), 7));
      if (unit === 'month') return isoDay(new Date(Date.UTC(p.y, p.m, 1)));
      return (p.y + 1) + '-01-01';
    };
    const label = (iso) => {
      const p = parseDate(iso);
      if (unit === 'week') return 'Week of ' + dayText(p);
      return unit === 'month' ? MONTHS[p.m - 1] + ' ' + p.y : String(p.y);
    };
    const counts = new Map();
    for (const r of rows) {
      const k = startOf(r.key);
      counts.set(k, (counts.get(k) || 0) + r.count);
    }
    const keys = [...counts.keys()].sort();
    const out = [];
    for (let k = keys[0]; k <= keys[keys.length - 1] && out.length <= MAX_BARS * 60; k = next(k)) {
      const n = next(k);
      const last = isoDay(addDays(new Date(Date.UTC(+n.slice(0, 4), +n.slice(5, 7) - 1, +n.slice(8, 10))), -1));
      out.push({ start: k, end: last, label: label(k), count: counts.get(k) || 0 });
    }
    return out;
  }

  async function loadHistogram() {
    const seq = ++statsSeq;
    if (nothingSelected()) {
      buckets = [];
      drawHistogram();
      return;
    }
    try {
      const stats = await apiJSON('api/stats?' + filterParams({ bbox: false, dates: false }).toString());
      if (seq !== statsSeq) return;
      const rows = (stats.by_week || []).filter((r) => r && parseDate(r.key));
      buckets = [];
      if (rows.length) {
        for (const unit of ['week', 'month', 'year']) {
          bucketUnit = unit;
          buckets = bucketsOf(rows, unit);
          if (buckets.length <= MAX_BARS) break;
        }
      }
      drawHistogram();
    } catch (err) {
      if (seq === statsSeq) showError('Could not load the timeline: ' + err.message);
    }
  }

  function drawHistogram() {
    const svg = $('histogram');
    svg.replaceChildren();
    const w = Math.max(buckets.length, 1);
    svg.setAttribute('viewBox', '0 0 ' + w * 10 + ' 40');
    const max = Math.max(1, ...buckets.map((x) => x.count));
    const chosen = state.start || state.end;
    buckets.forEach((b, i) => {
      const h = b.count ? Math.max(3, (b.count / max) * 38) : 0;
      const inRange = chosen && (!state.start || b.end >= state.start) && (!state.end || b.start <= state.end);
      // A full-height transparent hit area keeps empty and low bars clickable.
      const hit = svgEl('rect', { x: i * 10, y: 0, width: 10, height: 40, class: 'hit', 'data-start': b.start, 'data-end': b.end });
      const bar = svgEl('rect', { x: i * 10 + 1, y: 40 - h, width: 8, height: h, class: inRange ? 'bar in' : 'bar', 'data-start': b.start });
      const title = svgEl('title', {});
      title.textContent = b.label + ': ' + b.count + (b.count === 1 ? ' event' : ' events');
      hit.append(title);
      hit.addEventListener('click', (e) => {
        // Click picks a bar's dates; shift-click stretches the range to it.
        if (e.shiftKey && chosen) {
          if (!state.start || b.start < state.start) state.start = b.start;
          if (!state.end || b.end > state.end) state.end = b.end;
        } else {
          state.start = b.start;
          state.end = b.end;
        }
        filtersChanged();
      });
      svg.append(bar, hit);
    });
    const total = buckets.reduce((n, x) => n + x.count, 0);
    $('histogram-from').textContent = buckets.length ? buckets[0].start : 'no dated events';
    $('histogram-to').textContent = buckets.length ? buckets[buckets.length - 1].end : '';
    svg.setAttribute('aria-label', buckets.length
      ? total + ' dated events from ' + buckets[0].start + ' to ' + buckets[buckets.length - 1].end + ', one bar per ' + bucketUnit
      : 'No dated events');
  }

  // ---------------------------------------------------------------- permalink

  function writeHash() {
    const p = new URLSearchParams();
    const c = map.getCenter();
    p.set('map', map.getZoom() + '/' + c.lat.toFixed(4) + '/' + c.lng.toFixed(4));
    const f = filterParams({ bbox: false });
    for (const [k, v] of f) p.append(k, v);
    if (state.types.size === 0) p.set('type', 'none');
    if (state.modalities.size === 0) p.set('modality', 'none');
    if (state.limit) p.set('limit', String(state.limit));
    // Slashes and commas stay readable in the link; everything else is encoded.
    const hash = '#' + p.toString().replace(/%2F/gi, '/').replace(/%2C/gi, ',');
    lastHash = hash;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    $('permalink').href = hash;
  }

  // readHash restores filters and view from a permalink; it returns the view
  // or null when the hash has none.
  function readHash(hash) {
    const p = new URLSearchParams((hash || '').replace(/^#/, ''));
    const types = p.getAll('type').filter((t) => TYPES.some((x) => x.name === t));
    state.types = new Set(p.has('type') ? types : TYPES.map((t) => t.name));
    const mods = p.getAll('modality').filter((m) => MODALITIES.some((x) => x.name === m));
    state.modalities = new Set(p.has('modality') ? mods : MODALITIES.map((m) => m.name));
    state.start = parseDate(p.get('start')) ? p.get('start') : '';
    state.end = parseDate(p.get('end')) ? p.get('end') : '';
    state.country = /^[A-Za-z]{2}$/.test(p.get('country') || '') ? p.get('country').toUpperCase() : '';
    state.actor = p.get('actor') || '';
    state.q = p.get('q') || '';
    state.limit = /^\d{1,6}$/.test(p.get('limit') || '') ? Number(p.get('limit')) : 0;
    const m = /^(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(p.get('map') || '');
    if (!m) return null;
    return { zoom: +m[1], lat: +m[2], lng: +m[3] };
  }

  window.addEventListener('hashchange', () => {
    if (location.hash === lastHash) return;
    const view = readHash(location.hash);
    syncControls();
    if (view) map.setView([view.lat, view.lng], view.zoom);
    filtersChanged();
  });

  function updateLinks() {
    const p = filterParams();
    const off = nothingSelected();
    p.set('limit', String(config.max_limit || 10000));
    for (const [id, path] of [['download-geojson', 'api/events?'], ['download-csv', 'api/events.csv?']]) {
      const a = $(id);
      if (off) {
        a.removeAttribute('href');
        a.setAttribute('aria-disabled', 'true');
      } else {
        a.href = path + p.toString();
        a.removeAttribute('aria-disabled');
      }
    }
  }

  // ---------------------------------------------------------------- updates

  let moveTimer = null;
  function viewChanged() {
    writeHash();
    clearTimeout(moveTimer);
    moveTimer = setTimeout(loadEvents, 200);
  }

  function filtersChanged() {
    syncControls();
    writeHash();
    clearTimeout(moveTimer);
    loadEvents();
    loadHistogram();
  }

  // ---------------------------------------------------------------- panel

  function isSmallScreen() {
    return window.matchMedia('(max-width: 700px)').matches;
  }

  function setPanel(open) {
    document.body.classList.toggle('panel-open', open);
    document.body.classList.toggle('panel-closed', !open);
    $('panel-toggle').setAttribute('aria-expanded', String(open));
    $('panel-toggle').textContent = open ? 'Hide filters & events' : 'Filters & events';
    map.invalidateSize();
  }

  // Escape closes an open popup wherever the focus is (the feed, a marker).
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) map.closePopup();
  });

  $('panel-toggle').addEventListener('click', () => {
    setPanel($('panel-toggle').getAttribute('aria-expanded') !== 'true');
  });

  // ---------------------------------------------------------------- add an article

  $('article-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = $('article-result');
    out.classList.remove('error');
    const body = {
      title: $('article-title').value.trim(),
      url: $('article-url').value.trim(),
      published: $('article-published').value,
      text: $('article-text').value,
    };
    const token = $('article-token').value.trim();
    out.textContent = 'Adding…';
    try {
      const answer = await apiJSON('api/articles', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
        body: JSON.stringify(body),
      });
      const evs = (answer && answer.events && answer.events.features) || [];
      const places = [...new Set(evs.map((f) => f.properties && (f.properties.location || f.properties.mention)).filter(Boolean))];
      out.textContent = evs.length
        ? 'Added ' + evs.length + (evs.length === 1 ? ' event' : ' events') + ': ' + places.join(', ') + '.'
        : 'Added; no event was found in this article.';
      $('article-text').value = '';
      loadCountries();
      loadHistogram();
      const pts = evs.filter((f) => f.geometry && f.geometry.type === 'Point').map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      if (pts.length) {
        // Show where the new events are; moving the map reloads the events in view.
        const target = L.latLngBounds(pts);
        if (map.getBounds().contains(target)) loadEvents();
        else map.fitBounds(target.pad(0.3), { maxZoom: 7 });
      } else {
        loadEvents();
      }
    } catch (err) {
      out.classList.add('error');
      const why = err.status === 401 ? ' (the token was refused)' : err.status === 413 ? ' (the article is too large)' : '';
      out.textContent = 'The article was not added: ' + err.message + why + '.';
    }
  });

  // ---------------------------------------------------------------- start

  async function start() {
    buildFilterControls();
    const view = readHash(location.hash);
    syncControls();
    setPanel(!isSmallScreen());
    try {
      config = Object.assign(config, await apiJSON('api/config'));
    } catch (err) {
      showError('Could not read the server configuration: ' + err.message);
    }
    buildLimitOptions();
    addTiles();
    fetchOutlines();
    loadCountries();
    let complete = false;
    if (view) {
      map.setView([view.lat, view.lng], view.zoom);
    } else {
      complete = await fitToData();
    }
    map.on('moveend', viewChanged);
    writeHash();
    loadHistogram();
    // When the view holds every matching event already, no second query.
    if (complete) updateLinks();
    if (!view) drawOutlines(); // fitToData has drawn the first events
    if (!complete) await loadEvents();
    if (view) drawOutlines();
  }

  // fitToData opens a page without a permalink on the events that match the
  // filters, wherever they are. It reports whether it drew them all (the
  // answer was not cut by the limit), so the view needs no query of its own.
  async function fitToData() {
    map.setView([25, 30], 2);
    if (nothingSelected()) return false;
    try {
      const params = filterParams({ bbox: false });
      params.set('limit', String(viewLimit()));
      const fc = await apiJSON('api/events?' + params.toString());
      const pts = (fc.features || []).filter((f) => f.geometry && f.geometry.type === 'Point')
        .map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.15), { maxZoom: 7, animate: false });
      // Draw what was fetched now rather than wait for the query of the view.
      render(fc.features || [], fc, ++eventsSeq);
      return fc.numberReturned === fc.numberMatched && pts.length === (fc.features || []).length;
    } catch (err) {
      showError('Could not load events: ' + err.message);
      return false;
    }
  }

  start();
})();
