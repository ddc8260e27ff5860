// Browser test of the map page on a store with skewed density: most
// events in three hotspots, many more than the page draws one by one. At
// world zoom each hotspot's cell must read its true total (the server's
// count, not the number of events downloaded), the cells must follow the
// filters and never show an outdated view's answer, clicking a cell zooms
// into it until single events show, with their popups; and /api/stats is
// asked once per view or filter change, never twice for the same.
//
// Usage: node test/density.mjs BASE_URL HOTSPOTS_JSON
//   HOTSPOTS_JSON  [{name, lon, lat, total, by_type}] of the store
// Environment: CHROMIUM (default /usr/bin/chromium).
// static/density_test.go builds the store and runs this under `go test`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = new URL(process.argv[2] || 'http://127.0.0.1:8080/');
const spots = JSON.parse(process.argv[3] || '[]');
const WAIT = 20000;
const WORLD = '#map=2/25/40';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
after(() => browser.close());

async function api(path) {
  const r = await fetch(new URL(path, base));
  assert.equal(r.status, 200, 'GET ' + path);
  return r.json();
}

// cellAt is the id of the world-zoom density cell holding a point: the
// grid is 4 << zoom cells around the world, counted from -180 and -90.
function cellAt(lon, lat, zoom) {
  const n = 4 << zoom;
  return zoom + '/' + Math.floor(((lon + 180) * n) / 360) + '/' + Math.floor(((lat + 90) * n) / 360);
}

// shortCount is how a reader expects a large count on a map: in full up to
// 9,999, in thousands above.
function shortCount(n) {
  return n < 10000 ? n.toLocaleString('en') : Math.round(n / 1000) + 'k';
}

// settled waits until the page has asked for its view and drawn the answer.
async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.eventsSeq !== undefined, null, { timeout: WAIT });
  await page.waitForTimeout(350); // the page asks once the map stands still
  await page.waitForFunction(() => !document.getElementById('map').hasAttribute('aria-busy'), null, { timeout: WAIT });
  await page.waitForTimeout(150);
}

async function countBox(page) {
  return page.$eval('#count', (b) => ({ mode: b.dataset.mode, matched: Number(b.dataset.matched), returned: Number(b.dataset.returned), text: b.textContent }));
}

async function cells(page) {
  return page.$$eval('.density-cell', (els) => els.map((e) => ({ id: e.dataset.cell, count: Number(e.dataset.count), text: e.querySelector('.n').textContent, label: e.getAttribute('aria-label') })));
}

function zoomOf(url) {
  const m = /#map=(\d+)\//.exec(url);
  return m ? Number(m[1]) : NaN;
}

test('density on a skewed store', async (t) => {
  assert.equal(spots.length, 3, 'three hotspots given');
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  const stats = [];
  const clusters = [];
  const eventRequests = [];
  const answers = new Map(); // clusters URL -> answer
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push('console error: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('uncaught: ' + e.message));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith('/api/stats')) stats.push(u.search);
    if (u.pathname.endsWith('/api/clusters')) clusters.push(r.url());
    if (u.pathname.endsWith('/api/events') && u.searchParams.has('bbox')) eventRequests.push(r.url());
  });
  page.on('response', async (r) => {
    if (!new URL(r.url()).pathname.endsWith('/api/clusters') || r.status() !== 200) return;
    try {
      answers.set(r.url(), await r.json());
    } catch {
      // an answer the page dropped
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push('HTTP ' + r.status() + ' for ' + r.url());
  });
  await page.goto(new URL(WORLD, base).href);
  await settled(page);

  await t.test('at world zoom each hotspot reads its true total', async () => {
    const box = await countBox(page);
    assert.equal(box.mode, 'cells', 'the view is drawn as counts per area: ' + box.text);
    const view = new URL(eventRequests[eventRequests.length - 1]);
    const truth = await api('api/events?limit=1&bbox=' + view.searchParams.get('bbox'));
    assert.equal(box.matched, truth.numberMatched, 'the header counts every matching event in view');
    // At zoom 2 the counts are asked in blocks of half the world each:
    // the cells drawn count every event there is.
    const everything = await api('api/events?limit=1');
    const drawn = await cells(page);
    assert.equal(new Set(drawn.map((c) => c.id)).size, drawn.length, 'no cell drawn twice');
    assert.equal(drawn.reduce((n, c) => n + c.count, 0), everything.numberMatched, 'the cells add up to every matching event');
    for (const s of spots) {
      const id = cellAt(s.lon, s.lat, 2);
      const c = drawn.find((x) => x.id === id);
      assert.ok(c, `${s.name}: a cell ${id} is drawn (cells: ${drawn.map((x) => x.id + '=' + x.count).join(' ')})`);
      assert.ok(s.total > box.returned, `${s.name}: more events than the page downloads (${box.returned})`);
      assert.equal(c.count, s.total, `${s.name}: the cell counts ${c.count}, the hotspot holds ${s.total}`);
      assert.equal(c.text, shortCount(s.total), `${s.name}: the label reads the total`);
      assert.ok(c.label.startsWith(s.total.toLocaleString('en') + ' events here'), c.label);
      for (const [type, n] of Object.entries(s.by_type)) {
        assert.ok(c.label.includes(type + ' ' + n.toLocaleString('en')), `${s.name}: the label says ${type} ${n}: ${c.label}`);
      }
    }
    assert.equal(await page.locator('.event-marker, .cluster-marker').count(), 0, 'no single event drawn over the counts');
    const heading = await page.locator('#feed-count').textContent();
    assert.equal(heading, `(newest ${box.returned.toLocaleString('en')} of ${box.matched.toLocaleString('en')})`, 'the list says it holds the newest only');
    assert.equal(await page.locator('#feed .feed-item').count(), box.returned);
    assert.deepEqual(problems, []);
  });

  await t.test('the time bar is counted once for the first view', async () => {
    // The live stream opens after 6 s and looks at the view once more: an
    // unchanged answer must not ask for the counts again.
    await page.waitForFunction(() => document.body.dataset.live !== undefined, null, { timeout: WAIT });
    await page.waitForTimeout(1500);
    assert.equal(stats.length, 1, 'one /api/stats on load: ' + stats.join(' '));
    assert.ok(new URLSearchParams(stats[0]).has('bbox'), 'for the view: ' + stats[0]);
  });

  await t.test('cells follow the filters', async () => {
    const levant = spots[0];
    const id = cellAt(levant.lon, levant.lat, 2);
    await page.locator('#types input[value="Battles"]').uncheck();
    await settled(page);
    let c = (await cells(page)).find((x) => x.id === id);
    assert.equal(c.count, levant.total - levant.by_type.Battles, 'without Battles');
    assert.equal(stats.length, 2, 'one more /api/stats for the filter change: ' + stats.join(' '));
    assert.match(stats[1], /type=/);
    // Dates: the cells count the dated events; the time bar (all dates) is not asked again.
    await page.fill('#start', '2024-07-01');
    await page.locator('#start').dispatchEvent('change');
    await settled(page);
    const last = new URL(clusters[clusters.length - 1]);
    assert.equal(last.searchParams.get('start'), '2024-07-01');
    c = (await cells(page)).find((x) => x.id === id);
    const p = new URLSearchParams(last.search);
    p.delete('zoom');
    const [w, s, e, n] = [...answers.values()].flatMap((a) => a.features).find((f) => f.id === id).bbox;
    p.set('bbox', [w, s, e, n].join(','));
    p.set('limit', '1');
    const truth = await api('api/events?' + p.toString());
    assert.equal(c.count, truth.numberMatched, 'the cell counts the events of its area matching every filter');
    assert.ok(c.count < levant.total - levant.by_type.Battles, 'fewer with the dates');
    assert.equal(stats.length, 2, 'no /api/stats for a change of dates (the time bar shows every date): ' + stats.join(' '));
    await page.locator('#clear-dates').click();
    await page.locator('#types input[value="Battles"]').check();
    await settled(page);
    c = (await cells(page)).find((x) => x.id === id);
    assert.equal(c.count, levant.total, 'every type and date again');
  });

  await t.test('a pan shows the newest view only, counted once, and asks only for new blocks', async () => {
    const before = stats.length;
    const asked = clusters.length;
    // The first pan's events are slow to come: they must never show after the second pan's.
    let delayed = 0;
    await page.route('**/api/events?*', async (route) => {
      if (new URL(route.request().url()).searchParams.has('bbox') && delayed++ === 0) await new Promise((r) => setTimeout(r, 1500));
      route.continue().catch(() => {});
    });
    const map = page.locator('#map');
    const boxOf = await map.boundingBox();
    const cx = boxOf.x + boxOf.width / 2;
    const cy = boxOf.y + boxOf.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - 120, cy, { steps: 4 });
    await page.mouse.up();
    await page.waitForTimeout(400); // the first pan's query is on its way
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - 150, cy + 40, { steps: 4 });
    await page.mouse.up();
    await settled(page);
    await page.waitForTimeout(1800); // past the delayed answer
    await page.unroute('**/api/events?*');
    const last = new URL(eventRequests[eventRequests.length - 1]);
    const truth = await api('api/events?limit=1&bbox=' + last.searchParams.get('bbox'));
    const box = await countBox(page);
    assert.equal(box.matched, truth.numberMatched, 'the header counts the last view');
    const newest = await page.$eval('#feed .feed-item', (b) => b.dataset.eventId);
    const list = await api('api/events?limit=1&bbox=' + last.searchParams.get('bbox'));
    assert.equal(newest, list.features[0].properties.id, 'the list is the last view\'s');
    // Both halves of the world were asked already at this zoom: nothing new.
    assert.equal(clusters.length, asked, 'no block asked again: ' + clusters.slice(asked).join(' '));
    const drawn = await cells(page);
    const unfiltered = [...answers].filter(([u]) => !/[?&](type|start|end)=/.test(u)).map(([, a]) => a);
    const known = new Map(unfiltered.flatMap((a) => a.features).map((f) => [f.id, f.properties.count]));
    for (const c of drawn) assert.equal(c.count, known.get(c.id), 'cell ' + c.id + ' as answered');
    const fresh = stats.slice(before);
    assert.ok(fresh.length >= 1 && fresh.length <= 2, 'one /api/stats per view: ' + fresh.join(' '));
    for (let i = 1; i < stats.length; i++) assert.notEqual(stats[i], stats[i - 1], 'the same counts asked twice in a row: ' + stats.join(' '));
  });

  await t.test('an event of the list opens where the map shows counts', async () => {
    await page.goto('about:blank');
    await page.goto(new URL(WORLD, base).href);
    await settled(page);
    assert.equal((await countBox(page)).mode, 'cells');
    const item = page.locator('#feed .feed-item').first();
    const id = await item.getAttribute('data-event-id');
    await item.click();
    const popup = page.locator(`.leaflet-popup .event-popup[data-event-id="${id}"]`);
    await popup.waitFor({ state: 'visible', timeout: WAIT });
    assert.ok(zoomOf(page.url()) >= 8, 'the map flew to the event: ' + page.url());
    assert.match(await popup.locator('a.permalink-event').getAttribute('href'), /#event=/);
    await page.keyboard.press('Escape');
  });

  await t.test('clicking a cell (or Enter on it) zooms into it until single events show', async () => {
    await page.goto('about:blank');
    await page.goto(new URL(WORLD, base).href);
    await settled(page);
    const mekong = spots[2];
    let target = page.locator(`.density-cell[data-cell="${cellAt(mekong.lon, mekong.lat, 2)}"]`);
    let zoom = zoomOf(page.url());
    for (let i = 0; i < 6 && (await countBox(page)).mode === 'cells'; i++) {
      if (i === 0) {
        // From the keyboard first: a cell takes the focus and Enter zooms in.
        await target.focus();
        await page.keyboard.press('Enter');
      } else {
        await target.click();
      }
      await page.waitForTimeout(400);
      await settled(page);
      const z = zoomOf(page.url());
      assert.ok(z > zoom, `a click zooms in (${zoom} -> ${z})`);
      zoom = z;
      // The largest cell in view holds the hotspot's centre.
      const drawn = await cells(page);
      if (!drawn.length) break;
      const biggest = drawn.reduce((a, b) => (b.count > a.count ? b : a));
      target = page.locator(`.density-cell[data-cell="${biggest.id}"]`);
    }
    const box = await countBox(page);
    assert.equal(box.mode, 'events', 'single events at zoom ' + zoom + ': ' + box.text);
    assert.ok(box.matched <= box.returned, 'every event in view is drawn');
    assert.equal(await page.locator('.density-cell').count(), 0, 'no counts left over the events');
    assert.ok(await page.locator('.event-marker, .cluster-marker').count() > 0, 'markers are drawn');
    const item = page.locator('#feed .feed-item').first();
    const id = await item.getAttribute('data-event-id');
    await item.click();
    await page.locator(`.leaflet-popup .event-popup[data-event-id="${id}"]`).waitFor({ state: 'visible', timeout: WAIT });
    assert.deepEqual(problems, []);
  });
  await context.close();
});
