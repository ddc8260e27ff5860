// Browser tests of the map page, in headless Chromium driven by
// playwright-core, against a running conflictmap server that holds the
// sample article and the articles of ../testdata/articles.json.
//
// Usage: node test/browser.mjs BASE_URL [SCREENSHOT_DIR]
//   BASE_URL        e.g. http://127.0.0.1:8080/
//   SCREENSHOT_DIR  where the screenshots go (default ../testout):
//                   desktop-*.png (1400x900) and phone-*.png (390x844) of the
//                   first view, a filtered range, playback mid-way, a popup
//                   and the feed (SCREENSHOTS lists them)
// Environment: CONFLICTMAP_TOKEN (default "test") is the server's ingest
// token; CHROMIUM (default /usr/bin/chromium).
//
// static/browser_test.go starts the server and runs this under `go test`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const base = new URL(process.argv[2] || process.env.CONFLICTMAP_URL || 'http://127.0.0.1:8080/');
const shots = resolve(process.argv[3] || join(here, '..', '..', 'testout'));
const token = process.env.CONFLICTMAP_TOKEN || 'test';
const articles = JSON.parse(readFileSync(join(here, '..', 'testdata', 'articles.json'), 'utf8'));
const xss = articles[0];

const FIVE = ['Jordan', 'Baghdad', 'Damascus', 'Red Sea', 'Rafah'];
const DESKTOP = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };
export const SCREENSHOTS = ['first-view', 'range', 'playback', 'popup', 'feed'].flatMap((n) => ['desktop-' + n + '.png', 'phone-' + n + '.png']);
const WAIT = 15000;

mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
after(() => browser.close());

// isTile tells map tiles apart: the only requests allowed to fail.
function isTile(url) {
  return /\/\d+\/\d+\/\d+(@2x)?\.(png|jpg|jpeg|webp|pbf)(\?|$)/.test(url);
}

// open loads the page and records everything a reader would call broken:
// console errors, uncaught exceptions, failed requests, HTTP errors, dialogs
// (an alert means injected script ran) and requests to other hosts (the
// page must work offline).
async function open(opts) {
  const context = await browser.newContext({ viewport: opts.viewport || DESKTOP });
  const page = await context.newPage();
  const problems = [];
  const eventRequests = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push('console error: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('uncaught: ' + e.message));
  page.on('dialog', (d) => {
    problems.push('dialog opened: ' + d.message());
    d.dismiss().catch(() => {});
  });
  page.on('requestfailed', (r) => {
    const why = (r.failure() || {}).errorText;
    // Leaving the page cancels what it was still fetching; the page itself
    // never cancels a request.
    if (page.leaving && why === 'net::ERR_ABORTED') return;
    // The page aborts an API request a newer view or filter has replaced.
    if (why === 'net::ERR_ABORTED' && new URL(r.url()).pathname.includes('/api/')) return;
    if (!isTile(r.url())) problems.push('request failed: ' + r.url() + ' ' + why);
  });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.origin !== base.origin && !isTile(r.url())) problems.push('request to another host: ' + r.url());
    // The view's queries (with a bbox); not the page's one-event probe of the latest day.
    if (u.pathname.endsWith('/api/events') && u.searchParams.has('bbox')) eventRequests.push(u);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !isTile(r.url())) problems.push('HTTP ' + r.status() + ' for ' + r.url());
  });
  await page.goto(new URL(opts.hash || '', base).href);
  await settled(page);
  return { page, context, problems, eventRequests };
}

// settled waits until the page has asked for the events of its view and
// drawn the answer.
async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.eventsSeq !== undefined, null, { timeout: WAIT });
  await page.waitForTimeout(350); // the page asks once the map stands still
  await page.waitForFunction(() => !document.getElementById('map').hasAttribute('aria-busy'), null, { timeout: WAIT });
  await page.waitForTimeout(150);
}

// fresh opens the page anew, without a permalink.
async function fresh(page, hash) {
  page.leaving = true;
  await page.goto('about:blank');
  page.leaving = false;
  await page.goto(new URL(hash || '', base).href);
  await settled(page);
}

async function api(path) {
  const r = await fetch(new URL(path, base));
  assert.equal(r.status, 200, 'GET ' + path);
  return r.json();
}

function lastEventsRequest(reqs) {
  assert.ok(reqs.length > 0, 'the page asked /api/events');
  return reqs[reqs.length - 1];
}

// pageCounts reads the header's "N of M events" and the feed.
async function pageCounts(page) {
  return page.evaluate(() => ({
    matched: Number(document.getElementById('count').dataset.matched),
    returned: Number(document.getElementById('count').dataset.returned),
    feed: document.querySelectorAll('#feed .feed-item').length,
    text: document.getElementById('count').textContent,
  }));
}

// labels lists the accessible names of every marker and cluster drawn.
async function labels(page) {
  return page.$$eval('.leaflet-marker-pane [aria-label]', (els) => els.map((e) => e.getAttribute('aria-label')));
}

// findMarker finds a place's marker by its accessible name, opening the
// clusters that name it the way a reader would: by clicking them.
async function findMarker(page, place) {
  for (let i = 0; i < 12; i++) {
    const marker = page.locator(`.event-marker[aria-label^="${place}:"]`);
    if (await marker.count() > 0) return marker;
    const clusters = page.locator('.cluster-marker');
    const n = await clusters.count();
    let clicked = false;
    for (let k = 0; k < n; k++) {
      const c = clusters.nth(k);
      const label = (await c.getAttribute('aria-label')) || '';
      // "3 events: Jordan, Damascus — Battles 2, ..." names its places.
      const names = label.slice(label.indexOf(':') + 1).split(' — ')[0].split(',').map((x) => x.trim());
      if (names.includes(place)) {
        await c.click();
        await page.waitForTimeout(700);
        await settled(page);
        clicked = true;
        break;
      }
    }
    if (!clicked) {
      // A cluster too full to name every place ("and 2 more places").
      for (let k = 0; k < n && !clicked; k++) {
        const c = clusters.nth(k);
        if (/more places/.test((await c.getAttribute('aria-label')) || '')) {
          await c.click();
          await page.waitForTimeout(700);
          await settled(page);
          clicked = true;
        }
      }
    }
    if (!clicked) break;
  }
  return null;
}

async function typeOf(page, id) {
  return page.$eval(`#feed .feed-item[data-event-id="${id}"]`, (b) => b.dataset.eventType).catch(() => null);
}

test('the map page', async (t) => {
  const sample = await api('api/events?limit=10000');
  assert.ok(sample.numberMatched > 0, 'the server holds events');

  const { page, context, problems, eventRequests } = await open({});

  await t.test('loads with no console error and no failed request, offline', async () => {
    await page.waitForSelector('.leaflet-outlines-pane canvas, .leaflet-pane.leaflet-outlines-pane canvas', { timeout: WAIT, state: 'attached' });
    const missing = await page.locator('#assets-missing').isVisible();
    assert.equal(missing, false, 'the "assets missing" notice is hidden');
    const attribution = await page.locator('.leaflet-control-attribution').textContent();
    assert.match(attribution, /Natural Earth/);
    assert.match(attribution, /GeoNames/);
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(shots, 'desktop-first-view.png') });
  });

  await t.test('shows the five places of the sample article, Rafah as threatened', async () => {
    for (const place of FIVE) {
      const marker = await findMarker(page, place);
      assert.ok(marker, `a marker named "${place}: ..." is on the map (labels: ${(await labels(page)).join(' | ')})`);
      if (place === 'Rafah') {
        const threatened = page.locator('.event-marker[aria-label^="Rafah:"][data-modality="threatened"]');
        assert.ok(await threatened.count() > 0, 'a Rafah marker is threatened');
        const label = await threatened.first().getAttribute('aria-label');
        assert.match(label, /threatened/);
        const look = await threatened.first().evaluate((el) => {
          const dot = el.querySelector('.dot');
          const s = getComputedStyle(dot);
          return { dash: dot.getAttribute('stroke-dasharray'), fill: s.fill };
        });
        assert.ok(look.dash && look.dash !== 'none', 'the threatened marker is dashed');
        assert.equal(look.fill, 'rgb(255, 255, 255)', 'the threatened marker is hollow');
      }
      // Back to the whole picture for the next place.
      await fresh(page);
    }
    assert.deepEqual(problems, []);
  });

  await t.test('unticking an event type removes its markers and entries, and the API request carries it', async () => {
    await fresh(page);
    const before = await pageCounts(page);
    const types = await page.$$eval('#feed .feed-item', (bs) => bs.map((b) => b.dataset.eventType));
    const present = [...new Set(types)];
    assert.ok(present.length >= 2, 'the view holds events of at least two types: ' + present.join(', '));
    const drop = present[0];
    const n = eventRequests.length;
    await page.locator('#types label', { hasText: drop }).locator('input').uncheck();
    await settled(page);
    assert.ok(eventRequests.length > n, 'the page asked the API again');
    const req = lastEventsRequest(eventRequests);
    const sent = req.searchParams.getAll('type');
    assert.ok(sent.length > 0 && !sent.includes(drop), `the request names the other types, not ${drop}: ${req.search}`);
    const after = await pageCounts(page);
    const left = await page.$$eval('#feed .feed-item', (bs) => bs.map((b) => b.dataset.eventType));
    assert.ok(!left.includes(drop), 'no feed entry of the unticked type');
    assert.ok(after.matched < before.matched, `fewer events (${after.matched} < ${before.matched})`);
    const markerTypes = await page.$$eval('.event-marker', (ms) => ms.map((m) => m.dataset.eventType));
    assert.ok(!markerTypes.includes(drop), 'no marker of the unticked type');
    for (const l of await labels(page)) assert.ok(!l.includes(drop), 'no marker or cluster names the unticked type: ' + l);
    const answer = await api(req.pathname.slice(1) + req.search);
    assert.equal(after.matched, answer.numberMatched, 'the count is the API\'s numberMatched');
    assert.equal(after.feed, Math.min(answer.numberReturned, 100), 'one feed entry per event returned');
    await page.locator('#types label', { hasText: drop }).locator('input').check();
    await settled(page);
    assert.equal((await pageCounts(page)).matched, before.matched, 'ticking it again brings them back');
  });

  await t.test('a date range filters the map, the feed and the counts', async () => {
    await fresh(page);
    const before = await pageCounts(page);
    const dates = await page.$$eval('#feed .feed-item', (bs) => bs.map((b) => [b.dataset.start, b.dataset.end]));
    const days = [...new Set(dates.map((d) => d[0]).filter(Boolean))].sort();
    assert.ok(days.length >= 2, 'events on at least two dates: ' + days.join(', '));
    const day = days[0];
    await page.fill('#start', day);
    await page.locator('#start').dispatchEvent('change');
    await page.fill('#end', day);
    await page.locator('#end').dispatchEvent('change');
    await settled(page);
    const req = lastEventsRequest(eventRequests);
    assert.equal(req.searchParams.get('start'), day);
    assert.equal(req.searchParams.get('end'), day);
    const after = await pageCounts(page);
    assert.ok(after.matched > 0 && after.matched < before.matched, `some but not all events (${after.matched} of ${before.matched})`);
    const left = await page.$$eval('#feed .feed-item', (bs) => bs.map((b) => [b.dataset.start, b.dataset.end]));
    for (const [s, e] of left) assert.ok(s <= day && (e || s) >= day, `entry ${s}..${e} covers ${day}`);
    const answer = await api(req.pathname.slice(1) + req.search);
    assert.equal(after.matched, answer.numberMatched, 'the count is the API\'s numberMatched');
    const histogramIn = await page.locator('#histogram .bar.in').count();
    assert.ok(histogramIn >= 1, 'the histogram marks the chosen week');
    await page.click('#clear-dates');
    await settled(page);
    assert.equal((await pageCounts(page)).matched, before.matched);
  });

  await t.test('clicking a feed entry opens its popup with the quote and the source link', async () => {
    await fresh(page);
    // The sample article's Rafah entry, by keyboard: its quote, its place marked.
    const rafah = page.locator('#feed .feed-item').filter({ has: page.locator('.place', { hasText: 'Rafah' }) }).first();
    const rafahId = await rafah.getAttribute('data-event-id');
    const rp = (await api('api/events/' + encodeURIComponent(rafahId))).properties;
    await rafah.focus();
    await page.keyboard.press('Enter');
    const rafahPopup = page.locator(`.leaflet-popup .event-popup[data-event-id="${rafahId}"]`);
    await rafahPopup.waitFor({ timeout: WAIT });
    assert.equal(await rafahPopup.locator('blockquote').textContent(), rp.quote);
    assert.match(await rafahPopup.locator('blockquote mark').textContent(), /Rafah/i);
    assert.match(await rafahPopup.textContent(), /threatened/);
    await page.waitForTimeout(1200); // let the flight end before the picture
    await page.screenshot({ path: join(shots, 'desktop-popup.png') });

    // An event of an article with a source URL (the sample article has none).
    const all = await api('api/events?limit=10000');
    const linked = all.features.find((f) => f.properties.source_url && f.properties.title === articles[2].title) ||
      all.features.find((f) => f.properties.source_url);
    assert.ok(linked, 'an event with a source URL');
    const [lon, lat] = linked.geometry.coordinates;
    await fresh(page, `#map=6/${lat}/${lon}`);
    const id = linked.properties.id;
    const target = page.locator(`#feed .feed-item[data-event-id="${id}"]`);
    const feature = await api('api/events/' + encodeURIComponent(id));
    const p = feature.properties;
    await target.click();
    const popup = page.locator(`.leaflet-popup .event-popup[data-event-id="${id}"]`);
    await popup.waitFor({ timeout: WAIT });
    assert.equal(await popup.locator('blockquote').textContent(), p.quote);
    if (p.mention && p.quote.toLowerCase().includes(p.mention.toLowerCase())) {
      assert.equal((await popup.locator('blockquote mark').textContent()).toLowerCase(), p.mention.toLowerCase());
    }
    const link = popup.locator('.source a[href]');
    assert.equal(await link.getAttribute('href'), new URL(p.source_url).href);
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.ok(await page.locator(`#feed .feed-item[data-event-id="${id}"][aria-current="true"]`).count() === 1, 'the entry is highlighted');
    assert.deepEqual(problems, []);
  });

  await t.test('clicking a marker highlights its feed entry', async () => {
    await fresh(page);
    const marker = page.locator('.event-marker').first();
    await marker.waitFor({ timeout: WAIT });
    const id = await marker.getAttribute('data-event-id');
    await marker.click();
    await page.locator(`#feed .feed-item[data-event-id="${id}"][aria-current="true"]`).waitFor({ timeout: WAIT });
  });

  await t.test('a permalink restores centre, zoom and filters', async () => {
    await fresh(page);
    const types = await page.$$eval('#feed .feed-item', (bs) => [...new Set(bs.map((b) => b.dataset.eventType))]);
    await page.locator('#types label', { hasText: types[0] }).locator('input').uncheck();
    await settled(page);
    await page.locator('#modalities label', { hasText: 'threatened' }).locator('input').uncheck();
    await settled(page);
    await page.fill('#q', 'the');
    await page.waitForTimeout(500);
    await settled(page);
    await page.locator('.leaflet-control-zoom-in').click();
    await page.waitForTimeout(600);
    await settled(page);
    const href = await page.evaluate(() => location.href);
    const want = await pageCounts(page);
    const wantState = await page.evaluate(() => location.hash);
    const other = await open({ hash: href.slice(href.indexOf('#')) });
    try {
      const got = await other.page.evaluate(() => location.hash);
      const view = (h) => new URLSearchParams(h.slice(1)).get('map');
      assert.equal(view(got), view(wantState), 'same centre and zoom');
      assert.equal(await other.page.locator('#types label', { hasText: types[0] }).locator('input').isChecked(), false);
      assert.equal(await other.page.locator('#modalities label', { hasText: 'threatened' }).locator('input').isChecked(), false);
      assert.equal(await other.page.inputValue('#q'), 'the');
      const req = lastEventsRequest(other.eventRequests);
      assert.ok(!req.searchParams.getAll('type').includes(types[0]));
      assert.ok(!req.searchParams.getAll('modality').includes('threatened'));
      assert.equal(req.searchParams.get('q'), 'the');
      const got2 = await pageCounts(other.page);
      assert.equal(got2.matched, want.matched, 'the same events');
      assert.deepEqual(other.problems, []);
    } finally {
      await other.context.close();
    }
  });

  await t.test('an article with HTML in its title and text shows it as text and runs no script', async () => {
    await fresh(page);
    const all = await api('api/events?limit=10000');
    const ev = all.features.find((f) => f.properties.title === xss.title);
    assert.ok(ev, 'the server extracted an event from the article with HTML in it');
    await page.fill('#q', '');
    const entry = page.locator(`#feed .feed-item[data-event-id="${ev.properties.id}"]`);
    if (await entry.count() === 0) {
      // Out of view or past the feed's first page: look at that place.
      const [lon, lat] = ev.geometry.coordinates;
      await fresh(page, `#map=8/${lat}/${lon}`);
    }
    await page.locator(`#feed .feed-item[data-event-id="${ev.properties.id}"]`).click();
    const popup = page.locator(`.leaflet-popup .event-popup[data-event-id="${ev.properties.id}"]`);
    await popup.waitFor({ timeout: WAIT });
    assert.equal(await popup.locator('cite').textContent(), xss.title, 'the title is shown as written');
    assert.equal(await popup.locator('blockquote').textContent(), ev.properties.quote);
    const injected = await page.evaluate(() => ({
      img: document.querySelectorAll('img[src="x"]').length,
      scripts: [...document.scripts].map((s) => s.getAttribute('src')),
      flag: window.__xss === undefined ? null : String(window.__xss),
    }));
    assert.equal(injected.img, 0, 'no <img src=x> element');
    assert.ok(injected.scripts.every((s) => s && !s.includes('alert')), 'only the page\'s own scripts');
    assert.equal(injected.flag, null, 'no injected script ran');
    assert.deepEqual(problems, [], 'no dialog, no error');
  });

  await t.test('the add-article form ingests an article and its events appear', async () => {
    await fresh(page);
    await page.click('#add-article summary');
    const stamp = Date.now();
    await page.fill('#article-title', 'Aid workers abducted in Goma ' + stamp);
    await page.fill('#article-url', 'https://news.example.org/goma-' + stamp);
    await page.fill('#article-published', '2024-03-02');
    await page.fill('#article-text', 'Gunmen abducted three aid workers in Goma on March 1, the United Nations said.\nThe abduction in Goma was the third this year.');
    await page.fill('#article-token', token);
    await page.click('#article-form button[type=submit]');
    await page.locator('#article-result').filter({ hasText: /Added/ }).waitFor({ timeout: WAIT });
    assert.match(await page.locator('#article-result').textContent(), /Goma/);
    await page.waitForTimeout(800);
    await settled(page);
    assert.ok(await findMarker(page, 'Goma'), 'a Goma marker is on the map: ' + (await labels(page)).join(' | '));
    assert.ok(await page.locator('#feed .feed-item', { hasText: 'Goma' }).count() > 0, 'and in the feed');
    assert.deepEqual(problems, []);
  });

  await t.test('the add-article form says in words why the server refused', async () => {
    problems.length = 0;
    await page.fill('#article-text', 'Clashes in Goma.');
    await page.fill('#article-token', 'wrong-token');
    await page.click('#article-form button[type=submit]');
    const result = page.locator('#article-result.error');
    await result.waitFor({ timeout: WAIT });
    assert.match(await result.textContent(), /not added: .*token/i);
  });

  await t.test('downloads ask the API for the same query', async () => {
    const req = lastEventsRequest(eventRequests);
    for (const [sel, path] of [['#download-geojson', '/api/events'], ['#download-csv', '/api/events.csv']]) {
      const href = new URL(await page.getAttribute(sel, 'href'), base);
      assert.equal(href.pathname, path);
      for (const k of ['bbox', 'start', 'end', 'country', 'q', 'actor']) {
        assert.equal(href.searchParams.get(k), req.searchParams.get(k), k);
      }
      assert.deepEqual(href.searchParams.getAll('type'), req.searchParams.getAll('type'));
      const r = await fetch(href);
      assert.equal(r.status, 200, sel);
    }
  });

  await context.close();

  await t.test('without its built libraries the page says how to build them', async () => {
    const bare = await browser.newContext();
    try {
      const p = await bare.newPage();
      // A clone built without `make assets` serves no vendor/ files.
      await p.route('**/vendor/**', (route) => route.fulfill({ status: 404, body: 'not found' }));
      await p.goto(base.href);
      const notice = p.locator('#assets-missing');
      await notice.waitFor({ state: 'visible', timeout: WAIT });
      assert.match(await notice.textContent(), /make assets/);
    } finally {
      await bare.close();
    }
  });
});

// ---------------------------------------------------------------- the analyst's page

const axeSource = readFileSync(join(here, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

// axeCheck runs axe-core in the page (evaluated, so no inline script is
// injected: the page's Content-Security-Policy stays in force) and returns
// the serious and critical violations.
async function axeCheck(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => what + ': ' + JSON.stringify(v));
}

// bars reads the time bar: each bar's dates and count.
async function bars(page) {
  return page.$$eval('#histogram rect.hit', (rs) => rs.map((r) => ({
    start: r.dataset.start,
    end: r.dataset.end,
    count: Number((/: (\d+) events?$/.exec(r.getAttribute('aria-label')) || [0, 0])[1]),
    in: r.getAttribute('aria-pressed') === 'true',
  })));
}

// dragBars drags across the time bar from bar i to bar j.
async function dragBars(page, i, j) {
  const box = await page.locator('#histogram').boundingBox();
  const n = await page.locator('#histogram rect.hit').count();
  const x = (k) => box.x + ((k + 0.5) / n) * box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x(i), y);
  await page.mouse.down();
  await page.mouse.move(x(j), y, { steps: 6 });
  await page.mouse.up();
  await settled(page);
}

function isoToday() {
  return new Date().toISOString().slice(0, 10);
}

// inBox: a bbox parameter "w,s,e,n" holds the point.
function inBox(bbox, lat, lon) {
  const [w, s, e, n] = bbox.split(',').map(Number);
  const inLon = w <= e ? lon >= w && lon <= e : lon >= w || lon <= e;
  return inLon && lat >= s && lat <= n;
}

// Opened by keyboard or mouse, these are the sample's precise and
// approximate places the tests look at.
const KHARKIV = articles[0];

test('the analyst\'s page (desktop 1400x900)', async (t) => {
  const { page, context, problems, eventRequests } = await open({});
  const all = await api('api/events?limit=10000');

  await t.test('1. the time bar counts the events in view, by dragging chooses a range, and has an axis', async () => {
    await fresh(page, '#map=7/31.4/34.4'); // Gaza and Rafah only
    const local = await bars(page);
    const req = lastEventsRequest(eventRequests);
    const stats = await api('api/stats?bbox=' + req.searchParams.get('bbox'));
    const dated = stats.by_week.filter((w) => w.key).reduce((n, w) => n + w.count, 0);
    const allDated = all.features.filter((f) => f.properties.event_date).length;
    const shown = local.reduce((n, b) => n + b.count, 0);
    assert.equal(shown, dated, 'the bars sum to the dated events in view');
    assert.ok(shown < allDated, `only the view's events (${shown} of ${allDated})`);

    await fresh(page);
    const b = await bars(page);
    assert.ok(b.length >= 3, 'at least three bars: ' + b.length);
    assert.ok(await page.locator('#histogram-axis span').count() >= 2, 'the axis is labelled');
    const before = await pageCounts(page);
    await dragBars(page, 0, 2);
    const sent = lastEventsRequest(eventRequests);
    assert.equal(sent.searchParams.get('start'), b[0].start);
    assert.equal(sent.searchParams.get('end'), b[2].end);
    const after = await bars(page);
    assert.deepEqual(after.map((x) => x.in), after.map((x, i) => i <= 2), 'bars 0..2 are chosen');
    const answer = await api(sent.pathname.slice(1) + sent.search);
    const counts = await pageCounts(page);
    assert.equal(counts.matched, answer.numberMatched);
    assert.ok(counts.matched < before.matched, 'fewer events in the range');
    assert.equal(await page.inputValue('#start'), b[0].start, 'the date fields follow');
    await page.screenshot({ path: join(shots, 'desktop-range.png') });
  });

  await t.test('1. presets choose the latest day, week and month of events', async () => {
    const latest = all.features.map((f) => f.properties.event_date_end || f.properties.event_date).filter(Boolean)
      .reduce((a, d) => (d > a ? d : a), '');
    const last = latest < isoToday() ? latest : isoToday();
    for (const [name, days] of [['7d', 7], ['30d', 30], ['24h', 1]]) {
      await page.click(`#presets button[data-preset="${name}"]`);
      await settled(page);
      const req = lastEventsRequest(eventRequests);
      const start = new Date(Date.parse(last + 'T00:00:00Z') - (days - 1) * 86400000).toISOString().slice(0, 10);
      assert.equal(req.searchParams.get('end'), last, name);
      assert.equal(req.searchParams.get('start'), start, name);
      assert.equal(await page.getAttribute(`#presets button[data-preset="${name}"]`, 'aria-pressed'), 'true');
    }
    await page.click('#clear-dates');
    await settled(page);
    assert.equal(lastEventsRequest(eventRequests).searchParams.get('start'), null);
  });

  await t.test('1. play steps through the range one bar at a time, then comes back', async () => {
    await fresh(page);
    const b = await bars(page);
    await page.click('#play');
    await page.waitForFunction(() => document.body.dataset.playStep === '2', null, { timeout: WAIT });
    await settled(page);
    const req = lastEventsRequest(eventRequests);
    assert.equal(req.searchParams.get('start'), b[1].start);
    assert.equal(req.searchParams.get('end'), b[1].end);
    assert.match(await page.textContent('#play-status'), new RegExp('Playing 2 of ' + b.length));
    const answer = await api(req.pathname.slice(1) + req.search);
    assert.equal((await pageCounts(page)).matched, answer.numberMatched, 'the map shows that step');
    await page.screenshot({ path: join(shots, 'desktop-playback.png') });
    await page.click('#play'); // pause
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
    await page.click('#clear-dates');
    await settled(page);
  });

  await t.test('2. an approximate place is a diamond at its point; its extent shows only on hover', async () => {
    await fresh(page, '#map=5/31/40');
    const extents = page.locator('.leaflet-areas-pane path.extent');
    assert.equal(await extents.count(), 0, 'no extent drawn until asked');
    const approx = page.locator('.event-marker.approximate');
    assert.ok(await approx.count() > 0, 'approximate markers are drawn');
    const m = approx.first();
    assert.equal(await m.locator('path.halo').count(), 1, 'drawn as a diamond');
    const box = await m.boundingBox();
    assert.ok(box.width <= 44, 'a marker, not a box across the map');
    await m.hover();
    assert.equal(await extents.count(), 1, 'hover shows the extent');
    await page.mouse.move(5, DESKTOP.height - 5);
    assert.equal(await extents.count(), 0, 'leaving hides it');
    const precise = page.locator('.event-marker:not(.approximate)');
    if (await precise.count()) assert.equal(await precise.first().locator('path.halo').count(), 0, 'a town is a plain dot');
  });

  await t.test('3. the feed is on screen with quote, outlet, fatalities, time and source link, and follows the view', async () => {
    await fresh(page);
    const onScreen = await page.$$eval('#feed .feed-item', (bs) => bs.filter((b) => {
      const r = b.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
    }).length);
    assert.ok(onScreen >= 4, `at least four items fully on a 1400x900 screen (${onScreen})`);
    const ev = all.features.find((f) => f.properties.title === KHARKIV.title && f.properties.fatalities);
    assert.ok(ev, 'the Kharkiv event with its fatalities');
    const [lon, lat] = ev.geometry.coordinates;
    await fresh(page, `#map=8/${lat}/${lon}`);
    const li = page.locator('#feed li').filter({ has: page.locator(`.feed-item[data-event-id="${ev.properties.id}"]`) });
    const p = ev.properties;
    assert.ok((await li.locator('.quote').textContent()).startsWith(p.quote.slice(0, 60)), 'the quote');
    assert.equal(await li.locator('.outlet').textContent(), new URL(p.source_url).hostname, 'the outlet');
    assert.match(await li.locator('.fatalities').textContent(), new RegExp(p.fatalities + ' killed'));
    assert.match(await li.locator('.when').textContent(), /4 March 2024/);
    assert.equal(await li.locator('a').getAttribute('href'), new URL(p.source_url).href, 'the source link');
    await page.locator('#feed-section').screenshot({ path: join(shots, 'desktop-feed.png') });
    // In step with the map: the feed lists what the view's query answered.
    await fresh(page, '#map=6/33.5/38');
    const req = lastEventsRequest(eventRequests);
    const answer = await api(req.pathname.slice(1) + req.search);
    const ids = await page.$$eval('#feed .feed-item', (bs) => bs.map((b) => b.dataset.eventId));
    assert.deepEqual(ids, answer.features.slice(0, 100).map((f) => f.properties.id));
    assert.ok(answer.features.every((f) => inBox(req.searchParams.get('bbox'), f.geometry.coordinates[1], f.geometry.coordinates[0])));
  });

  await t.test('4. no stripe across the world, legend folded, colours from the server, offline labels', async () => {
    await fresh(page, '#map=2/20/0');
    assert.equal(await page.locator('.legend').evaluate((d) => d.open), false, 'the legend starts folded');
    // The page's own outline code, run on the outlines it fetched, leaves no
    // edge running across the world (the stripes at Chukotka and Fiji).
    const stripes = await page.evaluate(async () => {
      const geo = await import(new URL('js/geometry.js', location.href).href);
      const topo = await (await fetch(document.getElementById('outlines-110m').href)).json();
      // eslint-disable-next-line no-undef
      const land = topojson.feature(topo, topo.objects.countries);
      const count = (fc) => {
        let n = 0;
        for (const f of fc.features) {
          const g = f.geometry;
          const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
          for (const poly of polys) for (const ring of poly) for (let i = 1; i < ring.length; i++) if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) n++;
        }
        return n;
      };
      return { raw: count(land), drawn: count(geo.fixAntimeridian(land)) };
    });
    assert.ok(stripes.raw > 0 && stripes.drawn === 0, JSON.stringify(stripes));
    const taxonomy = await api('api/taxonomy');
    await fresh(page, '#map=5/33/42');
    const more = await page.$$eval('.event-marker', (ms) => ms.map((m) => [m.dataset.eventType, m.querySelector('.dot').getAttribute('fill') || m.querySelector('.dot').getAttribute('stroke')]));
    const want = new Map(taxonomy.event_types.map((c) => [c.type, c.colour.toLowerCase()]));
    assert.ok(more.length > 0);
    for (const [type, colour] of more) assert.equal(colour.toLowerCase(), want.get(type), type);
    const b = taxonomy.event_types.find((c) => c.type === 'Battles').colour;
    const e = taxonomy.event_types.find((c) => c.type === 'Explosions/Remote violence').colour;
    assert.notEqual(b.toLowerCase(), '#e69f00');
    assert.notEqual(e.toLowerCase(), '#e69f00', 'Explosions is no longer the orange beside Battles\' vermillion');
    const names = await page.$$eval('.place-label', (ls) => ls.map((l) => l.textContent));
    for (const n of ['Iraq', 'Syria', 'Baghdad', 'Damascus']) assert.ok(names.includes(n), `"${n}" is written on the map: ${names.join(', ')}`);
  });

  await t.test('7. keyboard: "Skip to map" first, bars focusable, Enter moves focus into the popup', async () => {
    await fresh(page);
    await page.keyboard.press('Tab');
    assert.deepEqual(await page.evaluate(() => [document.activeElement.id, document.activeElement.textContent.trim()]), ['skip-to-map', 'Skip to map']);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'map', 'the map has the focus');
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => document.activeElement.className);
    assert.match(next, /event-marker|cluster-marker/, 'the next stop is a marker, not one of the feed items');

    const bar = page.locator('#histogram rect.hit[tabindex="0"]');
    await bar.focus();
    const first = Number(await bar.getAttribute('data-index'));
    await page.keyboard.press(first > 0 ? 'ArrowLeft' : 'ArrowRight');
    const moved = await page.evaluate(() => document.activeElement.dataset.index);
    assert.notEqual(Number(moved), first, 'arrows move along the bars');
    await page.keyboard.press('Enter');
    await settled(page);
    const req = lastEventsRequest(eventRequests);
    assert.equal(req.searchParams.get('start'), await page.locator(`#histogram rect.hit[data-index="${moved}"]`).getAttribute('data-start'));
    await page.click('#clear-dates');
    await settled(page);

    const marker = page.locator('.event-marker').first();
    const id = await marker.getAttribute('data-event-id');
    await marker.focus();
    await page.keyboard.press('Enter');
    await page.locator(`.leaflet-popup .event-popup[data-event-id="${id}"]`).waitFor({ timeout: WAIT });
    assert.ok(await page.evaluate(() => !!document.activeElement.closest('.leaflet-popup')), 'the focus is in the popup');
    await page.keyboard.press('Escape');
    await page.locator('.leaflet-popup').waitFor({ state: 'detached', timeout: WAIT }); // after its fade
    assert.equal(await page.evaluate(() => document.activeElement.dataset.eventId), id, 'and back on the marker');
  });

  await t.test('8. a pan shows that it is loading; a new permalink asks only for its own view', async () => {
    await fresh(page);
    await page.route('**/api/events?*', async (route) => {
      await new Promise((r) => setTimeout(r, 900));
      await route.continue();
    });
    await page.mouse.move(700, 400);
    await page.mouse.down();
    await page.mouse.move(600, 420, { steps: 5 });
    await page.mouse.up();
    await page.locator('.map-loading.on').waitFor({ timeout: WAIT });
    assert.match(await page.textContent('.map-loading'), /Loading/);
    assert.equal(await page.getAttribute('#map', 'aria-busy'), 'true');
    await settled(page);
    assert.equal(await page.locator('.map-loading.on').count(), 0, 'gone once the events are in');
    await page.unrouteAll({ behavior: 'wait' });

    const n = eventRequests.length;
    await page.evaluate(() => { location.hash = '#map=8/49.99/36.23'; });
    await settled(page);
    const since = eventRequests.slice(n);
    assert.ok(since.length >= 1, 'the new view was asked for');
    for (const r of since) assert.ok(inBox(r.searchParams.get('bbox'), 49.99, 36.23), 'no request for the old view: ' + r.search);
    const answer = await api(since[since.length - 1].pathname.slice(1) + since[since.length - 1].search);
    assert.equal((await pageCounts(page)).matched, answer.numberMatched);
  });

  await t.test('accessibility: no serious or critical axe violation on the first view, a popup and the filters', async () => {
    await fresh(page);
    const found = await axeCheck(page, 'first view (filters open)');
    const marker = page.locator('.event-marker').first();
    await marker.click();
    await page.locator('.leaflet-popup .event-popup').waitFor({ timeout: WAIT });
    // The popup fades in: contrast is judged once it is fully opaque.
    await page.waitForFunction(() => {
      const p = document.querySelector('.leaflet-popup');
      return p && getComputedStyle(p).opacity === '1';
    }, null, { timeout: WAIT });
    found.push(...await axeCheck(page, 'popup'));
    await page.keyboard.press('Escape');
    // The popup fades out too: a check made while it does judges its
    // half-transparent text.
    await page.locator('.leaflet-popup').waitFor({ state: 'detached', timeout: WAIT });
    await page.click('.legend summary');
    found.push(...await axeCheck(page, 'legend open'));
    assert.deepEqual(found, []);
  });

  await t.test('1. fresh events are marked on the map and in the feed', async () => {
    const today = isoToday();
    const d = new Date();
    const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    const r = await fetch(new URL('api/articles', base), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({
        title: 'Shelling in Kherson', url: 'https://news.example.org/kherson-' + today, published: today,
        text: `Russian forces shelled Kherson on ${months[d.getUTCMonth()]} ${d.getUTCDate()}, killing three civilians, regional officials said.`,
      }),
    });
    assert.equal(r.status, 201);
    const evs = (await r.json()).events.features;
    const ev = evs.find((f) => (f.properties.event_date_end || f.properties.event_date) === today);
    assert.ok(ev, 'the article gave an event dated today: ' + JSON.stringify(evs.map((f) => f.properties.event_date)));
    const [lon, lat] = ev.geometry.coordinates;
    await fresh(page, `#map=9/${lat}/${lon}`);
    const marker = page.locator(`.event-marker[data-event-id="${ev.properties.id}"]`);
    assert.equal(await marker.getAttribute('data-recency'), 'new');
    assert.match(await marker.getAttribute('aria-label'), /new, last 24 hours/);
    assert.equal(await marker.locator('circle.fresh').count(), 1, 'a dark halo marks it');
    assert.ok(await page.locator(`#feed .feed-item[data-event-id="${ev.properties.id}"] .fresh-new`).count() === 1, 'and the feed says new');
  });

  assert.deepEqual(problems, []);
  await context.close();
});

test('the analyst\'s page (phone 390x844)', async (t) => {
  const { page, context, problems } = await open({ viewport: PHONE });

  await t.test('6. first view: the map fills the screen, markers are 44 px targets', async () => {
    assert.equal(await page.locator('#panel').isVisible(), false, 'the filters start folded');
    const box = await page.locator('#map').boundingBox();
    assert.ok(box.width >= 385 && box.height >= 500, 'the map fills the screen: ' + JSON.stringify(box));
    const sizes = await page.$$eval('.event-marker, .cluster-marker', (ms) => ms.map((m) => {
      const r = m.getBoundingClientRect();
      return Math.min(r.width, r.height);
    }));
    assert.ok(sizes.length > 0);
    for (const s of sizes) assert.ok(s >= 44, 'a marker target of ' + s + ' px');
    await page.screenshot({ path: join(shots, 'phone-first-view.png') });
  });

  await t.test('6. the filter drawer leaves the map in sight', async () => {
    await page.click('#panel-toggle');
    const panel = await page.locator('#panel').boundingBox();
    assert.ok(panel.height <= PHONE.height * 0.6, 'the drawer is ' + panel.height + ' px high');
    const map = await page.locator('#map').boundingBox();
    const hit = await page.evaluate(([x, y]) => !!document.elementFromPoint(x, y).closest('#map'), [map.x + 40, map.y + 120]);
    assert.ok(hit, 'the top of the map is still on screen and answers');
    const found = await axeCheck(page, 'phone filters');
    assert.deepEqual(found, []);
    await page.click('#panel-toggle');
  });

  await t.test('1. a range and playback on a phone', async () => {
    const b = await bars(page);
    await dragBars(page, 1, 2);
    assert.deepEqual((await bars(page)).map((x) => x.in), b.map((x, i) => i === 1 || i === 2));
    await page.screenshot({ path: join(shots, 'phone-range.png') });
    await page.click('#clear-dates');
    await settled(page);
    await page.click('#play');
    await page.waitForFunction(() => document.body.dataset.playStep === '2', null, { timeout: WAIT });
    await settled(page);
    await page.screenshot({ path: join(shots, 'phone-playback.png') });
    await page.click('#play');
    await page.click('#clear-dates');
    await settled(page);
  });

  await t.test('6. the feed drawer and a popup that fits the screen with its close button', async () => {
    await page.click('#feed-toggle');
    const list = await page.locator('#feed-section').boundingBox();
    assert.ok(list.height <= PHONE.height * 0.6, 'the list is ' + list.height + ' px high');
    assert.ok(await page.locator('#feed .feed-item .quote').count() > 0, 'with quotes');
    await page.screenshot({ path: join(shots, 'phone-feed.png') });
    const item = page.locator('#feed .feed-item').filter({ has: page.locator('.place', { hasText: 'Damascus' }) }).first();
    await item.click();
    await page.locator('.leaflet-popup .event-popup').waitFor({ timeout: WAIT });
    await page.waitForTimeout(1200); // the flight and the popup's pan end
    assert.equal(await page.locator('#feed-section').isVisible(), false, 'picking an event folds the list');
    const popup = await page.locator('.leaflet-popup').boundingBox();
    assert.ok(popup.x >= 0 && popup.x + popup.width <= PHONE.width, 'the popup fits in 390 px: ' + JSON.stringify(popup));
    const close = await page.locator('.leaflet-popup-close-button').boundingBox();
    assert.ok(close.x >= 0 && close.x + close.width <= PHONE.width && close.y >= 0 && close.y + close.height <= PHONE.height,
      'its close button is on screen: ' + JSON.stringify(close));
    await page.screenshot({ path: join(shots, 'phone-popup.png') });
    await page.click('.leaflet-popup-close-button');
    await page.locator('.leaflet-popup').waitFor({ state: 'detached', timeout: WAIT }); // it closes
  });

  assert.deepEqual(problems, []);
  await context.close();
});

test('5. weight: first visit and reload, outlines sized to the zoom', async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let bytes = 0;
    const urls = [];
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
    cdp.on('Network.requestWillBeSent', (e) => urls.push(e.request.url));
    await page.goto(new URL('#map=3/30/40', base).href);
    await settled(page);
    await page.waitForTimeout(500);
    const first = bytes;
    assert.ok(urls.some((u) => u.includes('countries-110m')), 'the 1:110m outlines at zoom 3');
    assert.ok(!urls.some((u) => u.includes('countries-50m')), 'not the 1:50m ones');
    assert.ok(first <= 400 * 1024, `first visit: ${first} bytes (at most 400 KB)`);
    bytes = 0;
    await page.reload();
    await settled(page);
    await page.waitForTimeout(500);
    assert.ok(bytes <= 60 * 1024, `reload: ${bytes} bytes (at most 60 KB)`);
    console.log(`# weight: first visit ${first} bytes, reload ${bytes} bytes`);
    await page.evaluate(() => { location.hash = '#map=6/33/40'; });
    await settled(page);
    await page.waitForFunction(() => document.getElementById('map').dataset.outlines === '50m', null, { timeout: WAIT });
    assert.ok(urls.some((u) => u.includes('countries-50m')), 'the 1:50m outlines once zoomed in');
  } finally {
    await context.close();
  }
});
