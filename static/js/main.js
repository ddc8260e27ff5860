// main.js: conflictmap's map page. It asks the server for the events that
// match the filters inside the current view (the server filters; the page
// never downloads everything to filter locally), draws them on the map, in
// the feed and on the time bar, and keeps the view and every filter in the
// URL's hash so that a link reopens the same view. When the view holds more
// matching events than the page draws one by one, the map shows the
// server's count per area instead (api/clusters), so that every matching
// event is counted wherever it is, and the feed lists the newest.
//
// Each concern lives in its own module; this one holds the page's state
// and decides when to ask the server again.

import './boot.js'; // the first requests, if index.html's copy has not sent them yet
import * as api from './api.js';
import { createArticleForm } from './articleform.js';
import { addLegend, addTiles, createLabels, createMap, createOutlines, loadingIndicator } from './basemap.js';
import { $, el, isSmallScreen, showError } from './dom.js';
import { createFeed, FEED_PAGE } from './feed.js';
import { createFilters } from './filters.js';
import { createLive } from './live.js';
import { createBlocks } from './blocks.js';
import { countInView } from './cells.js';
import { createDensityLayer } from './density.js';
import { createEventLayer } from './markers.js';
import { createSources } from './sources.js';
import { eventFromHash } from './reports.js';
import { makeTaxonomy } from './taxonomy.js';
import { isApproximate } from './text.js';
import { createTimebar } from './timebar.js';
import { isoDay } from './timeline.js';
import {
  bboxParam, decodeHash, drawLimit, encodeHash, filterParams, nothingSelected,
} from './urlstate.js';

const L = window.L;

// painted resolves once the browser has painted what was drawn (or after
// a tenth of a second in a hidden tab, which paints nothing).
function painted() {
  return new Promise((ok) => {
    requestAnimationFrame(() => setTimeout(ok, 0));
    setTimeout(ok, 100);
  });
}

function todayISO() {
  return isoDay(new Date());
}

async function start() {
  if (typeof L === 'undefined' || typeof L.markerClusterGroup !== 'function' || typeof window.topojson === 'undefined') {
    $('assets-missing').hidden = false;
    $('count').textContent = 'Map libraries missing: run make assets';
    return;
  }
  let config = { tile_url: '', tile_attribution: '', max_limit: 10000, default_limit: 1000 };
  let taxonomy;
  try {
    const [cfg, tax] = await Promise.all([
      api.config().catch((err) => {
        showError('Could not read the server configuration: ' + err.message);
        return {};
      }),
      api.taxonomy(),
    ]);
    config = Object.assign(config, cfg);
    taxonomy = makeTaxonomy(tax);
  } catch (err) {
    showError('Could not read the event types from the server: ' + err.message);
    $('count').textContent = 'The page could not start';
    return;
  }
  const app = createApp(config, taxonomy);
  await app.start();
}

function createApp(config, taxonomy) {
  const first = decodeHash(location.hash, taxonomy);
  let state = first.state;
  let lastHash = '';
  let selectedId = null;
  let features = [];
  let firstDrawn = false;
  let today = todayISO();
  const eventsReq = new api.Latest();
  const statsReq = new api.Latest();
  const latestReq = new api.Latest();
  let live = null; // new events without a reload, once the page has started

  const map = createMap('map');
  const loading = loadingIndicator(map);
  const outlines = createOutlines(map, showError);
  const tiles = addTiles(map, config);
  const labels = tiles ? null : createLabels(map);
  addLegend(map, taxonomy);

  const markers = createEventLayer(map, taxonomy, {
    onSelect(id) {
      selectedId = id;
      feed.select(id, { scroll: true });
      if (id && live) live.seen(id);
    },
    isNew: (id) => Boolean(live && live.isNew(id)),
    onDrawn: drawnMark,
  });
  const density = createDensityLayer(map, taxonomy, { onDrawn: drawnMark });
  const blocks = createBlocks(api.clusters);
  // dense: the map shows counts per area. It starts true so that a first
  // view of a large store asks for its counts at once, beside its events.
  let dense = true;

  function drawnMark() {
    if (!firstDrawn && (markers.size() > 0 || density.size() > 0)) {
      firstDrawn = true;
      // test/timing.mjs reads this mark: the first answer's markers or cells are all on the map.
      requestAnimationFrame(() => performance.mark('conflictmap:markers-drawn'));
    }
  }

  const feed = createFeed({
    list: $('feed'),
    more: $('feed-more'),
    count: $('feed-count'),
    taxonomy,
    onPick: (id, opts) => flyToEvent(id, opts),
    emptyText: () => (nothingSelected(state)
      ? 'Tick at least one event type and one modality.'
      : 'No event matches here: zoom out, move the map or widen the filters.'),
  });

  const filters = createFilters({
    taxonomy,
    config,
    getState: () => state,
    onChange(kind) {
      if (kind === 'limit') {
        writeHash();
        loadEvents();
      } else {
        timebar.stop();
        filtersChanged();
      }
    },
  });

  const timebar = createTimebar({
    range: () => ({ start: state.start, end: state.end }),
    setRange(start, end) {
      state.start = start;
      state.end = end;
      filters.sync();
      writeHash();
      timebar.draw();
      return loadEvents();
    },
  });

  createSources();
  createArticleForm((evs) => {
    countriesStale = true;
    blocks.clear();
    loadHistogram(true);
    const pts = evs.filter((f) => f.geometry && f.geometry.type === 'Point').map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
    if (pts.length) {
      // Show where the new events are; moving the map reloads the events in view.
      const target = L.latLngBounds(pts);
      if (map.getBounds().contains(target)) loadEvents();
      else map.fitBounds(target.pad(0.3), { maxZoom: 7 });
    } else {
      loadEvents();
    }
  });

  function view() {
    const c = map.getCenter();
    return { zoom: map.getZoom(), lat: c.lat, lng: c.lng };
  }

  function bbox() {
    const b = map.getBounds();
    return bboxParam(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
  }

  function viewLimit() {
    return drawLimit(state.limit, config);
  }

  function writeHash() {
    const hash = encodeHash(state, view(), taxonomy);
    lastHash = hash;
    if (location.hash !== hash) history.replaceState(null, '', hash || location.pathname + location.search);
    $('permalink').href = hash || '#';
  }

  function updateLinks() {
    const p = filterParams(state, taxonomy, { bbox: bbox() });
    p.set('limit', String(config.max_limit || 10000));
    for (const [id, csv] of [['download-geojson', false], ['download-csv', true]]) {
      const a = $(id);
      if (nothingSelected(state)) {
        a.removeAttribute('href');
        a.setAttribute('aria-disabled', 'true');
      } else {
        a.href = api.eventsURL(p, csv);
        a.removeAttribute('aria-disabled');
      }
    }
  }

  function renderCount(fc, cells) {
    const matched = typeof fc.numberMatched === 'number' ? fc.numberMatched : features.length;
    const returned = typeof fc.numberReturned === 'number' ? fc.numberReturned : features.length;
    const box = $('count');
    box.replaceChildren();
    box.dataset.matched = String(matched);
    box.dataset.returned = String(returned);
    box.dataset.mode = cells ? 'cells' : 'events';
    box.classList.toggle('cut', returned < matched && !cells);
    if (cells) {
      box.append(el('strong', null, matched.toLocaleString('en')), ' events in view, counted by area: zoom in or narrow the filters to see each one');
    } else if (returned < matched) {
      box.append('Showing ', el('strong', null, returned.toLocaleString('en')), ' of ', el('strong', null, matched.toLocaleString('en')),
        ' events in view: zoom in, narrow the filters or draw more per view to see all');
    } else {
      box.append(el('strong', null, matched.toLocaleString('en')), matched === 1 ? ' event in view' : ' events in view');
    }
  }

  let seq = 0;
  let drawnSeq = 0;
  let answerSeen = ''; // what the last answer held, to tell a change after a poll

  // mapDrawn counts the views the map has drawn (body[data-drawn-seq]),
  // cells or markers: test/timing-density.mjs times a pan by it.
  function mapDrawn() {
    document.body.dataset.drawnSeq = String(++drawnSeq);
  }

  // drawCells puts counts per area (cell features) on the map in place of
  // the markers.
  function drawCells(cells) {
    markers.render([], today);
    density.render(cells);
    dense = true;
    mapDrawn();
  }

  // render draws an answer: the events one by one, or, with cells (the
  // cell features of api/clusters for the same filters), the counts per
  // area on the map and the events in the feed.
  function render(list, fc, cells) {
    today = todayISO();
    features = list;
    if (cells) {
      drawCells(cells);
    } else {
      dense = false;
      density.clear();
      markers.render(list, today);
      mapDrawn();
    }
    feed.show(list, typeof fc.numberReturned === 'number' ? fc.numberReturned : list.length, today, fc.numberMatched);
    if (live) live.decorate($('feed'));
    renderCount(fc, cells);
    answerSeen = fc.numberMatched + '|' + list.map((f) => f.properties && [f.properties.id, f.properties.source_count, f.properties.fatalities].join('@')).join(',');
    document.body.dataset.eventsSeq = String(++seq);
    const open = pendingOpen;
    pendingOpen = null;
    if (open) openDrawn(open);
  }

  // drawKeptCells draws the counts of a dense view the moment the map
  // stops, when every block in view was answered before (kept from an
  // earlier view, or asked while the map was zooming): the queries of the
  // view (its events, and blocks for nothing) follow.
  function drawKeptCells() {
    if (!dense || nothingSelected(state)) return;
    const b = map.getBounds();
    const view = { west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth() };
    const cells = blocks.ready(filterParams(state, taxonomy), Math.max(0, Math.round(map.getZoom())), view);
    if (cells && countInView(cells, view.west, view.south, view.east, view.north) > viewLimit()) drawCells(cells);
  }

  // askZoomTarget asks for the blocks of counts of the view a zoom
  // animation ends on (a click on a cell, the zoom buttons, the wheel) as
  // it starts: its answers come in while the map still moves, and the
  // counts are drawn the moment it stops (drawKeptCells), where the view's
  // own query asks for the same blocks and finds them kept.
  function askZoomTarget(e) {
    // A pinch reports every step of the gesture (noUpdate): only its end counts.
    if (e.noUpdate || !dense || nothingSelected(state)) return;
    const zoom = Math.max(0, Math.round(e.zoom));
    const px = map.getPixelBounds(e.center, e.zoom);
    const sw = map.unproject(px.getBottomLeft(), e.zoom);
    const ne = map.unproject(px.getTopRight(), e.zoom);
    blocks.cells(filterParams(state, taxonomy), zoom, { west: sw.lng, south: sw.lat, east: ne.lng, north: ne.lat }).catch(() => {});
  }

  // loadEvents asks for the events of the view and the filters and, when
  // they are more than the page draws, for their counts per area (block by
  // block, kept: see blocks.js). A newer call makes an older one's answers
  // never show (its events request is aborted). While the map shows counts
  // (a pan of a dense view is most often dense still), the counts are
  // drawn as soon as they are in, before the events of the list arrive.
  let viewGen = 0;
  async function loadEvents() {
    const signal = eventsReq.next();
    const gen = ++viewGen;
    updateLinks();
    if (nothingSelected(state)) {
      render([], { numberMatched: 0, numberReturned: 0 });
      $('count').textContent = 'No event type or modality selected';
      return;
    }
    // A view expected dense asks for one page of the list only: its events
    // are not drawn, and a thousand of them cost the server and the
    // browser more than the counts do.
    const guessDense = dense;
    const params = filterParams(state, taxonomy, { bbox: bbox() });
    params.set('limit', String(guessDense ? Math.min(FEED_PAGE, viewLimit()) : viewLimit()));
    const zoom = Math.max(0, Math.round(map.getZoom()));
    const b = map.getBounds();
    const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    const countCells = () => blocks.cells(filterParams(state, taxonomy), zoom, { west: view[0], south: view[1], east: view[2], north: view[3] });
    loading.begin();
    try {
      const answer = api.events(params, signal);
      answer.catch(() => {}); // awaited below; the counts may come first
      let cells = null;
      if (dense) {
        try {
          cells = await countCells();
        } catch (err) {
          if (gen !== viewGen) return;
          cells = null; // asked again below once the events say they are needed
        }
        if (gen !== viewGen) return;
        if (cells && countInView(cells, ...view) > viewLimit()) {
          drawCells(cells);
          // The counts are painted before the list is built: the list
          // (a hundred events) takes as long again.
          await painted();
          if (gen !== viewGen) return;
        }
      }
      let fc = await answer;
      if (gen !== viewGen) return;
      let list = fc.features || [];
      let cut = typeof fc.numberMatched === 'number' && typeof fc.numberReturned === 'number' && fc.numberReturned < fc.numberMatched;
      if (cut && guessDense && fc.numberMatched <= viewLimit()) {
        // Not dense after all (zoomed in): every event of the view, one by one.
        params.set('limit', String(viewLimit()));
        fc = await api.events(params, signal);
        if (gen !== viewGen) return;
        list = fc.features || [];
        cut = fc.numberReturned < fc.numberMatched;
      }
      if (!cut) {
        showError('');
        render(list, fc, null);
        return;
      }
      if (!cells) {
        try {
          cells = await countCells();
        } catch (err) {
          if (gen !== viewGen || api.isAbort(err)) return;
          // Without counts (an older server), the events drawn still show.
          showError('Could not count the events per area: ' + err.message);
          render(list, fc, null);
          return;
        }
        if (gen !== viewGen) return;
      }
      showError('');
      render(list, fc, cells);
    } catch (err) {
      if (api.isAbort(err) || gen !== viewGen) return;
      showError('Could not load events: ' + err.message);
    } finally {
      loading.end();
    }
  }

  // loadHistogram counts the events in view per week for the time bar, with
  // every filter but the dates (the bar is where dates are chosen). The
  // same query is asked once: again only when the data changed (fresh), so
  // a change of dates, or a view and a filter change arriving together,
  // costs the server no second count.
  let statsKey = null; // the query of the answer shown or on its way
  let statsAnswer = null;
  async function loadHistogram(fresh) {
    if (nothingSelected(state)) {
      statsReq.next();
      statsKey = null;
      statsAnswer = null;
      timebar.setData([], '');
      return;
    }
    const params = filterParams(state, taxonomy, { bbox: bbox(), dates: false });
    const key = params.toString();
    if (!fresh && key === statsKey) return;
    statsKey = key;
    const signal = statsReq.next();
    try {
      const stats = await api.stats(params, signal);
      if (!statsReq.current(signal)) return;
      statsAnswer = stats;
      drawTimebar();
    } catch (err) {
      if (api.isAbort(err) || !statsReq.current(signal)) return;
      statsKey = null; // asked again on the next change
      showError('Could not load the timeline: ' + err.message);
    }
  }

  function drawTimebar() {
    if (statsAnswer) timebar.setData(statsAnswer.by_week || [], latestDay);
  }

  // latestDay is the newest event day of the filters (anywhere), where the
  // presets (latest 24 hours, 7 days, 30 days) end; never after today.
  let latestDay = '';
  async function loadLatest() {
    const signal = latestReq.next();
    if (nothingSelected(state)) return;
    const p = filterParams(state, taxonomy, { dates: false });
    p.set('limit', '1');
    try {
      const fc = await api.events(p, signal);
      if (!latestReq.current(signal)) return;
      const f = fc.features && fc.features[0];
      const d = f && f.properties && (f.properties.event_date_end || f.properties.event_date);
      latestDay = d && d < today ? d : d ? today : '';
      drawTimebar();
    } catch (err) {
      if (api.isAbort(err)) return;
      latestDay = '';
      drawTimebar();
    }
  }

  // The country menu lists every country with its count (api/stats with no
  // filter): asked when the reader first reaches for the menu, not on
  // every load, and again after an article was added here.
  let countriesStale = true;
  async function loadCountries() {
    if (!countriesStale) return;
    countriesStale = false;
    try {
      filters.setCountries((await api.stats(null)).by_country);
    } catch (err) {
      countriesStale = true;
      showError('Could not load the list of countries: ' + err.message);
    }
  }
  for (const type of ['focus', 'pointerdown']) $('country').addEventListener(type, loadCountries);

  let quiet = false; // set while the page moves the map itself
  // viewChanged asks for the new view the moment the map stands still:
  // Leaflet's moveend comes once a move is over (a drag after its glide, a
  // zoom after its animation, a flight at its end), so there is nothing to
  // wait for; a move after it aborts its events request, and its blocks of
  // counts stay kept for the next view.
  function viewChanged() {
    if (quiet) return;
    // test/timing-density.mjs times a pan from here: the map stopped.
    performance.mark('conflictmap:moveend');
    writeHash();
    drawKeptCells();
    // The time bar's counts and finer outlines come once the map's answer
    // is drawn: the map matters more, the server counts one thing at a
    // time, and parsing outlines would hold up drawing the counts.
    afterView(loadEvents(), () => {
      loadHistogram();
      outlines.update();
    });
  }

  // afterView runs then() once a view's load is over, when no newer view
  // replaced it meanwhile: a view that was left is never asked for stats.
  function afterView(load, then) {
    const gen = viewGen;
    return load.then(() => {
      if (gen === viewGen) then();
    });
  }

  function filtersChanged() {
    filters.sync();
    writeHash();
    const load = loadEvents();
    // The newest day of the filters does not depend on the view: asked
    // even when a move replaced this view meanwhile.
    load.then(loadLatest);
    afterView(load, () => {
      loadHistogram();
      outlines.update(); // a permalink may change the zoom
    });
  }

  // A permalink pasted or edited in the address bar: the new view and
  // filters are applied first, then asked for once.
  window.addEventListener('hashchange', () => {
    if (location.hash === lastHash) return;
    const eventId = eventFromHash(location.hash);
    if (eventId) {
      openEvent(eventId);
      return;
    }
    const next = decodeHash(location.hash, taxonomy);
    timebar.stop();
    state = next.state;
    if (next.view) {
      quiet = true;
      map.setView([next.view.lat, next.view.lng], next.view.zoom, { animate: false });
      quiet = false;
    }
    filtersChanged();
  });

  // The filters and, on a phone, the event list are drawers: on a phone at
  // most one is open, over the lower part of the map.
  function setPanel(open) {
    document.body.classList.toggle('panel-open', open);
    document.body.classList.toggle('panel-closed', !open);
    $('panel-toggle').setAttribute('aria-expanded', String(open));
    $('panel-toggle').textContent = open ? 'Hide filters' : 'Filters';
    if (open && isSmallScreen()) setFeed(false);
    map.invalidateSize();
  }

  function setFeed(open) {
    document.body.classList.toggle('feed-open', open);
    $('feed-toggle').setAttribute('aria-expanded', String(open));
    $('feed-toggle').textContent = open ? 'Hide list' : 'Event list';
    if (open && isSmallScreen()) setPanel(false);
  }

  $('panel-toggle').addEventListener('click', () => setPanel($('panel-toggle').getAttribute('aria-expanded') !== 'true'));
  $('feed-toggle').addEventListener('click', () => setFeed($('feed-toggle').getAttribute('aria-expanded') !== 'true'));

  // Escape closes an open popup wherever the focus is (the feed, a marker).
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) map.closePopup();
  });

  // The skip link takes the keyboard straight to the map, past the filters
  // and the feed.
  $('skip-to-map').addEventListener('click', (e) => {
    e.preventDefault();
    map.getContainer().focus();
  });

  // flyToEvent moves the map to an event (to the whole area of an
  // approximate place), then opens its popup, out of a cluster if needed.
  // An event of the feed while the map shows counts per area has no
  // marker yet: the map flies to it and opens it once the view's answer
  // is drawn, on its marker or, where the view is dense still, on its own.
  function flyToEvent(id, opts = {}) {
    const entry = markers.get(id);
    const f = entry ? entry.feature : features.find((x) => x.properties && x.properties.id === id);
    if (!f || !f.geometry || f.geometry.type !== 'Point') return;
    selectedId = id;
    feed.select(id);
    if (entry) markers.select(id);
    if (isSmallScreen()) {
      setPanel(false);
      setFeed(false);
    }
    const ll = entry ? entry.marker.getLatLng() : L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
    const target = Math.max(map.getZoom(), isApproximate(f.properties) ? 5 : 8);
    const here = map.getCenter().distanceTo(ll) < 1 && map.getZoom() === target;
    if (entry) {
      const open = () => markers.open(id, opts);
      if (here) {
        open();
        return;
      }
      map.once('moveend', open);
    } else {
      pendingOpen = { feature: f, opts };
      if (here) {
        openDrawn(pendingOpen);
        pendingOpen = null;
        return;
      }
    }
    map.flyTo(ll, target, { duration: 0.8 });
  }

  // pendingOpen is the event to open once the next answer is drawn.
  let pendingOpen = null;
  function openDrawn({ feature, opts }) {
    const id = feature.properties.id;
    if (markers.get(id)) {
      markers.select(id);
      markers.open(id, opts);
    } else {
      markers.openAlone(feature, opts);
    }
  }

  // openEvent answers an event's permalink (#event=ID): the map opens on the
  // event with its popup, whatever the filters in view would show.
  async function openEvent(id) {
    let f;
    try {
      f = await api.getJSON('api/events/' + encodeURIComponent(id));
    } catch (err) {
      showError('Could not open the linked event: ' + err.message);
      return false;
    }
    const [lon, lat] = f.geometry.coordinates;
    quiet = true;
    map.setView([lat, lon], Math.max(map.getZoom(), isApproximate(f.properties) ? 5 : 8), { animate: false });
    quiet = false;
    writeHash();
    await loadEvents();
    outlines.update();
    if (dense && !markers.get(id)) {
      selectedId = id;
      feed.select(id);
      markers.openAlone(f, {});
      return true;
    }
    if (!markers.get(id)) render([...features, f], { numberMatched: features.length + 1, numberReturned: features.length + 1 });
    flyToEvent(id);
    return true;
  }

  // fitToData opens a page without a permalink on the events that match the
  // filters, wherever they are. It reports whether it drew them all (the
  // answer was not cut by the limit), so the view needs no query of its own.
  async function fitToData() {
    map.setView([25, 30], 2, { animate: false });
    outlines.prefetch();
    if (nothingSelected(state)) return false;
    const signal = eventsReq.next();
    loading.begin();
    try {
      const params = filterParams(state, taxonomy);
      params.set('limit', String(viewLimit()));
      const fc = await api.events(params, signal);
      const pts = (fc.features || []).filter((f) => f.geometry && f.geometry.type === 'Point')
        .map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.15), { maxZoom: 7, animate: false });
      const complete = fc.numberReturned === fc.numberMatched && pts.length === (fc.features || []).length;
      // Draw what was fetched now rather than wait for the query of the
      // view; when it is not every event, the view is counted by area and
      // the counts are asked at once beside its events.
      if (complete) render(fc.features || [], fc);
      else dense = fc.numberReturned < fc.numberMatched;
      return complete;
    } catch (err) {
      if (!api.isAbort(err)) showError('Could not load events: ' + err.message);
      return false;
    } finally {
      loading.end();
    }
  }

  return {
    async start() {
      filters.sync();
      setPanel(!isSmallScreen());
      let complete = false;
      const eventId = eventFromHash(location.hash);
      if (eventId) {
        map.setView([25, 30], 2, { animate: false });
      } else if (first.view) {
        map.setView([first.view.lat, first.view.lng], first.view.zoom, { animate: false });
      } else {
        complete = await fitToData();
      }
      outlines.prefetch();
      map.on('moveend', viewChanged);
      map.on('zoomanim', askZoomTarget);
      writeHash();
      // When the view holds every matching event already, no second query.
      if (eventId && await openEvent(eventId)) updateLinks();
      else if (complete) updateLinks();
      else await loadEvents();
      api.dropEarly();
      loadHistogram();
      loadLatest();
      live = createLive({
        // The counts of the time bar and the country menu are asked again
        // when the data changed: announced by the server, or seen in the
        // view's answer after a poll.
        reload: async ({ announced }) => {
          const before = answerSeen;
          if (announced) blocks.clear();
          await loadEvents();
          if (announced || answerSeen !== before) {
            if (!announced) blocks.clear();
            countriesStale = true;
            loadHistogram(true);
          }
        },
        ids: () => features.map((f) => f.properties && f.properties.id),
      });
      outlines.start();
      if (labels) labels.start();
    },
  };
}

start();
