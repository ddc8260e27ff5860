// markers.js: the events on the map: one marker per event in clusters
// whose ring is split by event type, a popup per marker, and the extent of
// an approximate place drawn only while its marker is hovered, focused or
// selected, so that country- and sea-wide events do not cover the map.

import { ringGradient, typeOrder } from './cells.js';
import { el } from './dom.js';
import { popupContent } from './popup.js';
import { sourceBadge, sourceCount } from './reports.js';
import { symbol } from './symbols.js';
import { accessibleName, isApproximate, placeName, recency } from './text.js';

const L = window.L;

// targetSize is a marker's hit area: 44 px on touch screens and phones,
// 32 px elsewhere; the drawn symbol stays 22 px inside it.
function targetSize() {
  return window.matchMedia('(pointer: coarse), (max-width: 700px)').matches ? 44 : 32;
}

function featureKey(f) {
  return JSON.stringify([f.geometry && f.geometry.coordinates, f.bbox, f.properties]);
}

// createEventLayer adds the event layers to a map. hooks: onSelect(id) when
// a popup opens or closes, onDrawn() when an answer's markers are all on
// the map.
export function createEventLayer(map, taxonomy, hooks) {
  let today = '';
  let selectedId = null;
  const layers = new Map(); // event id -> { marker, feature, key }
  const extent = L.layerGroup().addTo(map);
  let extentOf = null; // id whose extent is drawn

  const EventIcon = L.DivIcon.extend({
    createIcon(old) {
      const div = old && old.tagName === 'DIV' ? old : document.createElement('div');
      const p = this.options.props;
      const approx = isApproximate(p);
      const fresh = recency(p, today);
      div.replaceChildren(symbol(taxonomy.colourOf(p.event_type), p.modality, { approximate: approx, recency: fresh }));
      const badge = sourceBadge(p);
      if (badge) div.append(badge);
      this._setIconStyles(div, 'icon');
      div.classList.add('m-' + (p.modality || 'unknown'));
      div.dataset.sources = String(sourceCount(p));
      if (this.options.isNew) div.classList.add('new-event');
      if (approx) div.classList.add('approximate');
      if (fresh) div.classList.add('fresh-' + fresh);
      if (p.id === selectedId) div.classList.add('selected');
      div.setAttribute('aria-label', this.options.label);
      div.dataset.eventId = p.id;
      div.dataset.modality = p.modality || '';
      div.dataset.eventType = p.event_type || '';
      if (fresh) div.dataset.recency = fresh;
      return div;
    },
  });

  const ClusterIcon = L.DivIcon.extend({
    createIcon(old) {
      const div = old && old.tagName === 'DIV' ? old : document.createElement('div');
      const ring = el('span', { class: 'ring' });
      ring.style.background = this.options.background;
      div.replaceChildren(ring, el('span', { class: 'n' }, String(this.options.count)));
      this._setIconStyles(div, 'icon');
      div.setAttribute('aria-label', this.options.label);
      div.title = this.options.label;
      return div;
    },
  });

  // clusterIcon shows how many events a cluster holds, a ring split by
  // event type, and names the places inside so they can be found without
  // zooming.
  function clusterIcon(c) {
    const children = c.getAllChildMarkers();
    const byType = new Map();
    const places = [];
    for (const m of children) {
      const p = m.options.icon.options.props;
      byType.set(p.event_type, (byType.get(p.event_type) || 0) + 1);
      const name = placeName(p);
      if (!places.includes(name)) places.push(name);
    }
    const order = typeOrder(taxonomy.types, byType);
    const shown = places.slice(0, 6).join(', ') + (places.length > 6 ? ', and ' + (places.length - 6) + ' more places' : '');
    const kinds = order.map((t) => t + ' ' + byType.get(t));
    const size = Math.max(targetSize(), children.length < 10 ? 34 : children.length < 100 ? 40 : 46);
    return new ClusterIcon({
      className: 'cluster-marker',
      iconSize: [size, size],
      count: children.length,
      background: ringGradient(taxonomy.types, byType, taxonomy.colourOf),
      label: children.length + ' events: ' + shown + (kinds.length ? ' — ' + kinds.join(', ') : ''),
    });
  }

  const cluster = L.markerClusterGroup({
    maxClusterRadius: 32,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    chunkedLoading: true,
    chunkProgress: (done, total) => {
      if (done >= total) hooks.onDrawn();
    },
    iconCreateFunction: clusterIcon,
  }).addTo(map);

  function showExtent(f) {
    const id = f ? f.properties.id : null;
    if (id === extentOf) return;
    extent.clearLayers();
    extentOf = id;
    if (!f || !isApproximate(f.properties)) return;
    const p = f.properties;
    const colour = taxonomy.colourOf(p.event_type);
    const style = {
      pane: 'areas', interactive: false, color: colour, weight: 2, opacity: 0.9,
      dashArray: p.modality === 'threatened' ? '2 5' : '6 4', fillColor: colour, fillOpacity: 0.08, className: 'extent',
    };
    if (f.bbox && f.bbox.length >= 4) {
      const b = f.bbox.length === 6 ? [f.bbox[0], f.bbox[1], f.bbox[3], f.bbox[4]] : f.bbox;
      // A box across the antimeridian (w > e) is drawn east of it.
      const east = b[2] < b[0] ? b[2] + 360 : b[2];
      extent.addLayer(L.rectangle([[b[1], b[0]], [b[3], east]], style));
    } else {
      const [lon, lat] = f.geometry.coordinates;
      extent.addLayer(L.circle([lat, lon], { radius: p.geo_precision === 2 ? 25000 : 150000, ...style }));
    }
  }

  function hoverOn(id) {
    const entry = layers.get(id);
    if (entry) showExtent(entry.feature);
  }

  function hoverOff() {
    const sel = selectedId && layers.get(selectedId);
    showExtent(sel ? sel.feature : null);
  }

  function popupOptions() {
    // The popup fits a phone: never wider than the screen less its margins,
    // and panned so that its close button stays on screen.
    const w = Math.min(340, window.innerWidth - 90);
    return { maxWidth: w, minWidth: Math.min(220, w), autoPanPaddingTopLeft: [10, 50], autoPanPaddingBottomRight: [10, 10], keepInView: true };
  }

  function makeMarker(f) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const label = accessibleName(p, today);
    const size = targetSize();
    const marker = L.marker([lat, lon], {
      icon: new EventIcon({
        className: 'event-marker', iconSize: [size, size], props: p, label, popupAnchor: [0, -8],
        isNew: hooks.isNew ? hooks.isNew(p.id) : false,
      }),
      title: label,
      keyboard: true,
      riseOnHover: true,
    });
    marker.bindPopup(() => popupContent(f, taxonomy, today), popupOptions());
    marker.on('popupopen', () => {
      select(p.id);
      hooks.onSelect(p.id);
    });
    marker.on('popupclose', () => {
      if (selectedId === p.id) {
        select(null);
        hooks.onSelect(null);
      }
    });
    marker.on('mouseover', () => hoverOn(p.id));
    marker.on('mouseout', hoverOff);
    marker.on('add', () => {
      const icon = marker.getElement();
      if (!icon || icon.dataset.wired) return;
      icon.dataset.wired = '1';
      icon.addEventListener('focus', () => hoverOn(p.id));
      icon.addEventListener('blur', hoverOff);
    });
    return marker;
  }

  // Enter on a marker opens its popup and moves the focus into it; closing
  // the popup gives the focus back to the marker.
  let keyboardOpen = null;
  map.getContainer().addEventListener('keydown', (e) => {
    const icon = e.target.closest && e.target.closest('.event-marker');
    if (icon && (e.key === 'Enter' || e.key === ' ')) keyboardOpen = icon.dataset.eventId;
  }, true);
  map.on('popupopen', (e) => {
    const box = e.popup.getElement() && e.popup.getElement().querySelector('.event-popup');
    const id = box && box.dataset.eventId;
    if (box && id && keyboardOpen === id) {
      box.focus({ preventScroll: true });
    }
    keyboardOpen = null;
  });
  map.on('popupclose', (e) => {
    const root = e.popup.getElement();
    if (root && root.contains(document.activeElement)) {
      const box = root.querySelector('.event-popup');
      const entry = box && layers.get(box.dataset.eventId);
      const icon = entry && entry.marker.getElement();
      if (icon) icon.focus({ preventScroll: true });
    }
  });

  function select(id) {
    selectedId = id;
    for (const m of map.getContainer().querySelectorAll('.event-marker.selected')) m.classList.remove('selected');
    const entry = id && layers.get(id);
    const icon = entry && entry.marker.getElement();
    if (icon) icon.classList.add('selected');
    showExtent(entry ? entry.feature : null);
  }

  // render replaces the markers by those of an answer, keeping the ones
  // that did not change (and the one whose popup the reader has open).
  function render(list, day) {
    const dayChanged = day !== today;
    today = day;
    const next = new Map();
    for (const f of list) {
      if (!f || !f.geometry || f.geometry.type !== 'Point' || !f.properties) continue;
      next.set(f.properties.id || String(f.id), f);
    }
    const remove = [];
    const add = [];
    for (const [id, entry] of layers) {
      const f = next.get(id);
      if (f && featureKey(f) === entry.key && !dayChanged) continue;
      if (!f && id === selectedId && entry.marker.isPopupOpen()) continue; // keep what the reader is looking at
      remove.push(entry.marker);
      layers.delete(id);
    }
    for (const [id, f] of next) {
      if (layers.has(id)) continue;
      const marker = makeMarker(f);
      layers.set(id, { marker, feature: f, key: featureKey(f) });
      add.push(marker);
    }
    if (remove.length) cluster.removeLayers(remove);
    if (add.length) cluster.addLayers(add);
    if (extentOf && !layers.has(extentOf)) showExtent(null);
    if (!add.length) hooks.onDrawn();
  }

  // open shows an event: zooms out of its cluster and opens its popup.
  function open(id, opts = {}) {
    const current = layers.get(id);
    if (!current) return;
    if (opts.keyboard) keyboardOpen = id;
    cluster.zoomToShowLayer(current.marker, () => current.marker.openPopup());
  }

  // openAlone opens an event's popup where it has no marker (the map
  // shows counts per area there): at its place, with the same content.
  function openAlone(f, opts = {}) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const centre = map.getCenter().lng;
    const popup = L.popup(popupOptions())
      .setLatLng([lat, lon + 360 * Math.round((centre - lon) / 360)])
      .setContent(() => popupContent(f, taxonomy, today));
    popup.on('add', () => {
      selectedId = p.id;
      showExtent(f);
      hooks.onSelect(p.id);
    });
    popup.on('remove', () => {
      if (selectedId !== p.id) return;
      select(null);
      hooks.onSelect(null);
    });
    if (opts.keyboard) keyboardOpen = p.id;
    popup.openOn(map);
  }

  return {
    render,
    select,
    open,
    openAlone,
    get: (id) => layers.get(id),
    size: () => layers.size,
  };
}
