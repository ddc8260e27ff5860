// basemap.js: the map under the events: Leaflet itself, the tile layer
// when the server names one, the embedded Natural Earth country outlines
// (1:110m at world zooms, 1:50m from DETAIL_ZOOM in), offline labels for
// countries and capitals, the legend and the loading indicator.

import { $, el, escapeText } from './dom.js';
import { fixAntimeridian, MAX_ZOOM, MIN_ZOOM, outlineScale, visibleLabels } from './geometry.js';
import { symbol } from './symbols.js';

const L = window.L;

export function createMap(container) {
  const map = L.map(container, { worldCopyJump: true, minZoom: MIN_ZOOM, maxZoom: MAX_ZOOM, zoomSnap: 1 });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  map.createPane('outlines');
  map.getPane('outlines').classList.add('pane-outlines'); // below tiles: outlines show where tiles do not load
  map.createPane('labels');
  map.getPane('labels').classList.add('pane-labels');
  map.createPane('areas');
  map.getPane('areas').classList.add('pane-areas');
  map.attributionControl.addAttribution('Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0), <a href="https://whosonfirst.org/">Who\'s On First</a>');
  return map;
}

export function addTiles(map, cfg) {
  if (!cfg.tile_url) return false;
  L.tileLayer(cfg.tile_url, { attribution: escapeText(cfg.tile_attribution || ''), maxZoom: 19, crossOrigin: true }).addTo(map);
  return true;
}

// assetURL reads a file's address (fingerprinted by the server) from the
// <link> of that id in index.html.
function assetURL(id) {
  const link = document.getElementById(id);
  return link ? link.getAttribute('href') : null;
}

// createOutlines draws the country outlines at the scale the zoom needs,
// fetching each scale once. onError(message) reports a failed download.
//
// Parsing and drawing a scale takes the main thread for a long while (the
// 1:50m outlines most), and downloading one takes one of the browser's
// few connections to the server: the page calls update() once the view's
// events and counts are drawn, and only then is a new scale fetched,
// parsed and drawn, so that neither holds up the counts of a new zoom.
export function createOutlines(map, onError) {
  const renderer = L.canvas({ pane: 'outlines' });
  const fetched = new Map(); // scale -> Promise<text>
  const loaded = new Map(); // scale -> Promise<layer>
  let shown = null;
  let shownScale = '';
  let started = false;
  const style = { color: '#8c8575', weight: 0.7, fillColor: '#f2efe6', fillOpacity: 1 };

  function download(scale) {
    if (!fetched.has(scale)) {
      const url = assetURL('outlines-' + scale);
      fetched.set(scale, fetch(url).then((r) => {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      }));
    }
    return fetched.get(scale);
  }

  function load(scale) {
    if (!loaded.has(scale)) {
      loaded.set(scale, download(scale).then((text) => {
        const topo = JSON.parse(text);
        const land = fixAntimeridian(window.topojson.feature(topo, topo.objects.countries));
        return L.geoJSON(land, {
          renderer, pane: 'outlines', interactive: false, style,
          attribution: 'Outlines: <a href="https://www.naturalearthdata.com/">Natural Earth</a>',
        });
      }));
    }
    return loaded.get(scale);
  }

  function update() {
    if (!started) return;
    const scale = outlineScale(map.getZoom());
    if (scale === shownScale) return;
    shownScale = scale;
    load(scale).then((layer) => {
      if (scale !== shownScale || layer === shown) return;
      if (shown) map.removeLayer(shown);
      shown = layer.addTo(map);
      map.getContainer().dataset.outlines = scale;
    }).catch((err) => onError('Country outlines could not be loaded (' + err.message + '); run make assets.'));
  }

  return {
    // prefetch starts the download for the current zoom at once; start
    // draws it (after the first events, which matter more to a reader).
    prefetch: () => download(outlineScale(map.getZoom())).catch(() => {}),
    start() {
      started = true;
      update();
    },
    // update draws the scale of the current zoom, parsing it first when
    // it is new: called once a view is drawn.
    update,
  };
}

// createLabels writes the names of countries and capitals on the outline
// map (when there are no tiles to carry them), more of them as the reader
// zooms in. The labels are decoration: hidden from screen readers, which
// get the places from the markers.
export function createLabels(map) {
  const layer = L.layerGroup().addTo(map);
  let labels = null;
  const drawn = new Map();

  function update() {
    if (!labels) return;
    const b = map.getBounds();
    const box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    const want = new Map();
    const placed = [];
    // Labels come in order of importance (larger countries first); one that
    // would overlap a label already placed is left out, so names stay legible.
    // A label that would overlap one already placed tries a line below, then
    // a line above, its point before it is left out.
    const fit = (l, dx) => {
      const p = map.latLngToContainerPoint([l.lat, l.lon + dx]);
      const w = l.name.length * (l.kind === 'country' ? 8.5 : 6.5) + 8;
      for (const dy of [0, 14, -14]) {
        const r = { x0: p.x - w / 2, x1: p.x + w / 2, y0: p.y + dy - 7, y1: p.y + dy + 7 };
        if (placed.some((q) => r.x0 < q.x1 && q.x0 < r.x1 && r.y0 < q.y1 && q.y0 < r.y1)) continue;
        placed.push(r);
        return dy;
      }
      return null;
    };
    for (let k = Math.floor((box[0] + 180) / 360); k <= Math.floor((box[2] + 180) / 360); k++) {
      const dx = k * 360;
      const local = [box[0] - dx, box[1], box[2] - dx, box[3]];
      for (const l of visibleLabels(labels, map.getZoom(), local)) {
        const dy = fit(l, dx);
        if (dy !== null) want.set(l.kind + '|' + l.name + '|' + dx + '|' + dy + '|' + map.getZoom(), [l, dx, dy]);
      }
    }
    for (const [k, m] of drawn) {
      if (!want.has(k)) {
        layer.removeLayer(m);
        drawn.delete(k);
      }
    }
    for (const [k, [l, dx, dy]] of want) {
      if (drawn.has(k)) continue;
      const icon = L.divIcon({ className: 'place-label ' + l.kind, html: '', iconSize: null });
      const at = dy ? map.containerPointToLatLng(map.latLngToContainerPoint([l.lat, l.lon + dx]).add([0, dy])) : [l.lat, l.lon + dx];
      const m = L.marker(at, { icon, interactive: false, keyboard: false, pane: 'labels' });
      m.on('add', () => {
        const e = m.getElement();
        e.textContent = l.name;
        e.setAttribute('aria-hidden', 'true');
      });
      drawn.set(k, m);
      layer.addLayer(m);
    }
  }

  return {
    start() {
      const url = assetURL('place-labels');
      if (!url) return;
      fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status)))).then((data) => {
        labels = data.labels;
        update();
        map.on('moveend zoomend', update);
      }).catch(() => {});
    },
  };
}

// addLegend explains colours and shapes; folded at first so that it hides
// no marker until the reader opens it.
export function addLegend(map, taxonomy) {
  const Legend = L.Control.extend({
    options: { position: 'bottomright' },
    onAdd() {
      const details = el('details', { class: 'legend' });
      details.append(el('summary', null, 'Legend'));
      const types = el('ul', { 'aria-label': 'Event types' });
      for (const t of taxonomy.types) types.append(el('li', null, symbol(taxonomy.colourOf(t), 'occurred', { size: 16 }), t));
      const c = taxonomy.unknownColour;
      const shapes = el('ul', { 'aria-label': 'Shapes' },
        el('li', null, symbol(c, 'occurred', { size: 16 }), 'occurred'),
        el('li', null, symbol(c, 'ongoing', { size: 16 }), 'ongoing'),
        el('li', null, symbol(c, 'threatened', { size: 16 }), 'threatened, not occurred'),
        el('li', null, symbol(c, 'occurred', { size: 16, approximate: true }), 'region, country or sea: its area shows on hover'),
        el('li', null, symbol(c, 'occurred', { size: 16, recency: 'new' }), 'new (last 24 hours)'),
        el('li', null, symbol(c, 'occurred', { size: 16, recency: 'recent' }), 'this week'));
      details.append(types, shapes);
      L.DomEvent.disableClickPropagation(details);
      L.DomEvent.disableScrollPropagation(details);
      return details;
    },
  });
  new Legend().addTo(map);
}

// loading shows "Loading…" on the map while the events of a view are on
// their way, and marks the map busy for assistive technology.
export function loadingIndicator(map) {
  const box = el('div', { class: 'map-loading', role: 'status', 'aria-live': 'polite' });
  map.getContainer().append(box);
  let pending = 0;
  return {
    begin() {
      pending++;
      map.getContainer().setAttribute('aria-busy', 'true');
      box.textContent = 'Loading events…';
      box.classList.add('on');
    },
    end() {
      pending = Math.max(0, pending - 1);
      if (pending) return;
      map.getContainer().removeAttribute('aria-busy');
      box.textContent = '';
      box.classList.remove('on');
    },
  };
}

