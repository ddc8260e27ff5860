// urlstate.js: the page's state (filters and map view) and its two
// spellings: the URL hash of a permalink and the API's query parameters.
// Pure: decoding a hash returns a new state and changes nothing, so the
// page decides when to apply it (test/urlstate.test.mjs).

import { parseDate } from './text.js';

// defaultState is every type and modality, no dates, no words, the
// server's default limit, and no view (the page fits it to the data).
export function defaultState(taxonomy) {
  return {
    start: '',
    end: '',
    types: new Set(taxonomy.types),
    modalities: new Set(taxonomy.modalities),
    country: '',
    actor: '',
    q: '',
    limit: 0,
  };
}

export function cloneState(s) {
  return { ...s, types: new Set(s.types), modalities: new Set(s.modalities) };
}

const VIEW = /^(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/;

// decodeHash reads a permalink ("#map=5/33.3/44.4&type=Battles&start=...").
// Unknown types and modalities are dropped, malformed dates ignored; the
// view is null when the hash has none.
export function decodeHash(hash, taxonomy) {
  const p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const s = defaultState(taxonomy);
  if (p.has('type')) s.types = new Set(p.getAll('type').filter((t) => taxonomy.types.includes(t)));
  if (p.has('modality')) s.modalities = new Set(p.getAll('modality').filter((m) => taxonomy.modalities.includes(m)));
  s.start = parseDate(p.get('start')) ? p.get('start') : '';
  s.end = parseDate(p.get('end')) ? p.get('end') : '';
  if (s.start && s.end && s.end < s.start) [s.start, s.end] = [s.end, s.start];
  const cc = p.get('country') || '';
  s.country = /^[A-Za-z]{2}$/.test(cc) ? cc.toUpperCase() : '';
  s.actor = (p.get('actor') || '').trim();
  s.q = (p.get('q') || '').trim();
  s.limit = /^\d{1,6}$/.test(p.get('limit') || '') ? Number(p.get('limit')) : 0;
  return { state: s, view: viewParam(p.get('map')) };
}

// viewParam reads a permalink's map view ("5/33.3/44.4"): null when
// malformed.
export function viewParam(text) {
  const m = VIEW.exec(text || '');
  if (!m) return null;
  const zoom = +m[1];
  const lat = +m[2];
  const lng = +m[3];
  return lat >= -90 && lat <= 90 && lng >= -540 && lng <= 540 ? { zoom, lat, lng } : null;
}

// drawLimit is how many events a view draws one by one: the permalink's
// limit (0: none), else the server's default, never past its maximum.
export function drawLimit(limit, config) {
  return Math.min(limit || config.default_limit || 1000, config.max_limit || 10000);
}

// filterParams writes the filters as API parameters. opts.bbox adds the
// view's box ("w,s,e,n"); opts.dates === false leaves the dates out (the
// time bar counts every day of the other filters).
export function filterParams(s, taxonomy, opts = {}) {
  const p = new URLSearchParams();
  if (opts.bbox) p.set('bbox', opts.bbox);
  if (opts.dates !== false) {
    if (s.start) p.set('start', s.start);
    if (s.end) p.set('end', s.end);
  }
  if (s.types.size < taxonomy.types.length) for (const t of taxonomy.types) if (s.types.has(t)) p.append('type', t);
  if (s.modalities.size < taxonomy.modalities.length) {
    for (const m of taxonomy.modalities) if (s.modalities.has(m)) p.append('modality', m);
  }
  if (s.country) p.set('country', s.country);
  if (s.actor) p.set('actor', s.actor);
  if (s.q) p.set('q', s.q);
  return p;
}

// encodeHash writes a permalink: the view (zoom/lat/lng) and the filters,
// "none" when no type or modality is ticked. Slashes and commas stay
// readable; everything else is encoded.
export function encodeHash(s, view, taxonomy) {
  const p = new URLSearchParams();
  if (view) p.set('map', view.zoom + '/' + view.lat.toFixed(4) + '/' + view.lng.toFixed(4));
  for (const [k, v] of filterParams(s, taxonomy)) p.append(k, v);
  if (s.types.size === 0) p.set('type', 'none');
  if (s.modalities.size === 0) p.set('modality', 'none');
  if (s.limit) p.set('limit', String(s.limit));
  const text = p.toString().replace(/%2F/gi, '/').replace(/%2C/gi, ',');
  return text ? '#' + text : '';
}

// nothingSelected: no type or no modality ticked, so no event can match.
export function nothingSelected(s) {
  return s.types.size === 0 || s.modalities.size === 0;
}

function round(x) {
  return Math.round(x * 1e4) / 1e4;
}

export function wrapLon(x) {
  return ((((x + 180) % 360) + 360) % 360) - 180;
}

// bboxParam writes a view's bounds (west, south, east, north as Leaflet
// gives them, west and east unwrapped) as the API's bbox; west > east when
// the view crosses the antimeridian, a whole-world box when it spans 360°.
export function bboxParam(west, south, east, north) {
  let w = west;
  let e = east;
  const s = Math.max(-90, south);
  const n = Math.min(90, north);
  if (e - w >= 360) {
    w = -180;
    e = 180;
  } else {
    w = wrapLon(w);
    e = wrapLon(e);
    if (e === -180) e = 180;
    if (w === 180) w = -180;
  }
  return [round(w), round(s), round(e), round(n)].join(',');
}
