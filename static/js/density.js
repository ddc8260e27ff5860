// density.js: the events on the map when the view holds more than the page
// draws one by one: one disc per grid cell of GET api/clusters, reading
// the cell's true count (every matching event counted by the server, not
// only the ones downloaded), with a ring split by event type. Clicking a
// cell (or Enter on it) zooms into it.

import { el } from './dom.js';
import { cellLabel, cellSize, compactCount, nearestCopy, ringGradient } from './cells.js';

const L = window.L;

// targetSize is the smallest hit area: 44 px on touch screens and phones.
function targetSize() {
  return window.matchMedia('(pointer: coarse), (max-width: 700px)').matches ? 44 : 32;
}

// createDensityLayer adds the layer of cells to a map; render(cells) draws
// cell features of api/clusters, clear() removes them. hooks.onDrawn() is
// called once an answer's cells are on the map.
export function createDensityLayer(map, taxonomy, hooks) {
  const layer = L.layerGroup().addTo(map);
  let drawn = new Map(); // key (cell id and count) -> marker

  const CellIcon = L.DivIcon.extend({
    createIcon(old) {
      const div = old && old.tagName === 'DIV' ? old : document.createElement('div');
      const o = this.options;
      const ring = el('span', { class: 'ring' });
      ring.style.background = o.background;
      div.replaceChildren(ring, el('span', { class: 'n' }, compactCount(o.count)));
      this._setIconStyles(div, 'icon');
      div.setAttribute('aria-label', o.label);
      div.title = o.label;
      div.dataset.count = String(o.count);
      div.dataset.cell = o.cell;
      return div;
    },
  });

  // inside moves a disc of radius r (pixels) centred on the cell's mean
  // place (at) just enough to keep it within the cell's extent (b, shifted
  // by whole turns), so that the discs of neighbouring cells never cover
  // one another and each stays where a reader can click it.
  function inside(at, b, shift, r) {
    if (!b || b.length < 4) return at;
    const z = map.getZoom();
    const p = map.project(at, z);
    const nw = map.project([b[3], b[0] + shift], z);
    const se = map.project([b[1], b[2] + shift], z);
    const clamp = (v, lo, hi) => (lo > hi ? (lo + hi) / 2 : Math.min(Math.max(v, lo), hi));
    return map.unproject(L.point(clamp(p.x, nw.x + r, se.x - r), clamp(p.y, nw.y + r, se.y - r)), z);
  }

  function makeCell(f, centreLon) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const shift = nearestCopy(lon, centreLon) - lon;
    const counts = new Map(Object.entries(p.by_type || {}));
    const size = cellSize(p.count, targetSize());
    const b = f.bbox;
    const marker = L.marker(inside([lat, lon + shift], b, shift, size / 2), {
      icon: new CellIcon({
        className: 'density-cell',
        iconSize: [size, size],
        count: p.count,
        cell: String(f.id),
        background: ringGradient(taxonomy.types, counts, taxonomy.colourOf),
        label: cellLabel(p, taxonomy.types),
      }),
      keyboard: true,
      riseOnHover: true,
    });
    // A cell's extent is its bbox; zooming to it shows its events spread
    // over the screen (as cells still, or one by one).
    const zoomIn = () => {
      if (b && b.length >= 4) {
        const bounds = L.latLngBounds([[b[1], b[0] + shift], [b[3], b[2] + shift]]);
        map.setView(bounds.getCenter(), Math.max(map.getBoundsZoom(bounds), map.getZoom() + 1));
      } else {
        map.setView(marker.getLatLng(), map.getZoom() + 2);
      }
    };
    marker.on('click', zoomIn);
    // A cell is a button to the keyboard too (Leaflet answers Enter only
    // on markers with a popup): Enter or Space zooms in.
    marker.on('keypress', (e) => {
      const key = e.originalEvent.key;
      if (key !== 'Enter' && key !== ' ') return;
      e.originalEvent.preventDefault();
      zoomIn();
    });
    return marker;
  }

  // render replaces the cells by those of an answer, keeping the ones
  // that did not change so that a pan does not make the map blink.
  function render(cells) {
    const centreLon = map.getCenter().lng;
    const next = new Map();
    for (const f of cells || []) {
      if (!f || !f.geometry || f.geometry.type !== 'Point' || !f.properties || !(f.properties.count > 0)) continue;
      const lon = f.geometry.coordinates[0];
      const key = f.id + '|' + f.properties.count + '|' + nearestCopy(lon, centreLon).toFixed(3) + '|' + JSON.stringify(f.properties.by_type);
      const kept = drawn.get(key);
      next.set(key, kept || makeCell(f, centreLon));
    }
    for (const [key, m] of drawn) if (!next.has(key)) layer.removeLayer(m);
    for (const [key, m] of next) if (!drawn.has(key)) layer.addLayer(m);
    drawn = next;
    hooks.onDrawn();
  }

  function clear() {
    layer.clearLayers();
    drawn = new Map();
  }

  return { render, clear, size: () => drawn.size };
}
