// boot.js: the page's first requests, sent before the rest of the page is
// ready. index.html loads it as an async module from its head, so it runs
// while the browser still lays the page out for the first time and loads
// Leaflet and the other modules (together most of the page's start), and
// the first answers are in, or on their way, by the time the map exists.
// main.js takes them through api.js when it asks for exactly the same
// URL; an answer it does not ask for is dropped unread.
//
// Only what needs no answer from the server and no layout is asked here:
// - a permalink of a view with no filter ("#map=Z/LAT/LNG"): the blocks
//   of counts (api/clusters) around its centre at its zoom, over the
//   window's size (the map is smaller, so its own blocks are among them);
// - a first visit (no hash): the newest events the page fits its first
//   view to, once api/config (preloaded by index.html) says how many.
// Anything else (filters, an event's permalink) starts with main.js.

import { askEarly, clustersURL, eventsURL } from './api.js';
import { blockQuery } from './blocks.js';
import { blocksInView, viewAround } from './cells.js';
import { MAX_ZOOM, MIN_ZOOM } from './geometry.js';
import { drawLimit, viewParam } from './urlstate.js';

function start() {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const keys = [...hash.keys()];
  if (keys.length === 0) {
    askEarly('api/config').then((r) => (r.ok ? r.clone().json() : null)).then((cfg) => {
      if (cfg) askEarly(eventsURL(new URLSearchParams({ limit: String(drawLimit(0, cfg)) }), false));
    }).catch(() => {});
    return;
  }
  if (keys.some((k) => k !== 'map' && k !== 'limit')) return;
  const view = viewParam(hash.get('map'));
  if (!view) return;
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom));
  // A few pixels more than the window: the map never reaches its edges.
  const v = viewAround(view.lat, view.lng, zoom, window.innerWidth + 8, window.innerHeight + 8);
  for (const b of blocksInView(v.west, v.south, v.east, v.north, zoom)) {
    askEarly(clustersURL(blockQuery(new URLSearchParams(), b, zoom)));
  }
}

start();
