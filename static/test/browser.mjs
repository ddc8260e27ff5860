// Browser tests of the map page, in headless Chromium driven by
// playwright-core, against a running conflictmap server that holds the
// sample article and the articles of ../testdata/articles.json.
//
// Usage: node test/browser.mjs BASE_URL [SCREENSHOT_DIR]
//   BASE_URL        e.g. http://127.0.0.1:8080/
//   SCREENSHOT_DIR  where the screenshots go (default ../testout): desktop.png
//                   (1280x800 as the page opens), desktop-popup.png (an event's
//                   popup), phone.png and phone-panel.png (375x812)
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
  const context = await browser.newContext({ viewport: opts.viewport || { width: 1280, height: 800 } });
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
  await page.waitForTimeout(350); // the page waits 200 ms after a move before asking
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
    await page.screenshot({ path: join(shots, 'desktop.png') });
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
    const link = popup.locator('a[href]');
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

  await t.test('on a phone the panel folds away and the map stays usable', async () => {
    const phone = await open({ viewport: { width: 375, height: 812 } });
    try {
      const p = phone.page;
      assert.equal(await p.locator('#panel').isVisible(), false, 'the panel starts folded');
      const box = await p.locator('#map').boundingBox();
      assert.ok(box.width >= 370 && box.height >= 600, 'the map fills the screen: ' + JSON.stringify(box));
      await p.screenshot({ path: join(shots, 'phone.png') });
      await p.click('#panel-toggle');
      assert.equal(await p.locator('#panel').isVisible(), true, 'the toggle opens it');
      await p.screenshot({ path: join(shots, 'phone-panel.png') });
      await p.click('#feed-toggle');
      assert.equal(await p.locator('#panel').isVisible(), false, 'opening the list folds the filters');
      await p.locator('#feed .feed-item').first().click();
      await p.locator('.leaflet-popup .event-popup').waitFor({ timeout: WAIT });
      assert.equal(await p.locator('#panel').isVisible(), false, 'picking an event folds the panel to show it');
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });
});

