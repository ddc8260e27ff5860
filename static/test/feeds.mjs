// Browser test of a server that follows a feed by itself (issue 13): the
// page is opened as the server starts, and without a reload or any manual
// step the feed's articles' events appear in the list and on the map (each
// opens its popup with its source), and the Sources panel lists the feed
// with its health, its last answer and the articles it brought.
//
// Usage: node test/feeds.mjs BASE_URL FEED_URL TOWNS
//   TOWNS  comma-separated places of the feed's events
// Environment: CHROMIUM (default /usr/bin/chromium).
// static/feeds_test.go starts the feed and the server and runs this.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = new URL(process.argv[2] || 'http://127.0.0.1:8080/');
const feed = new URL(process.argv[3] || 'http://127.0.0.1:8081/feed.xml');
const towns = (process.argv[4] || '').split(',').filter(Boolean);
const WAIT = 60000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
after(() => browser.close());

test('a followed feed shows on the page by itself', async (t) => {
  assert.equal(towns.length, 3, 'three towns given');
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push('console error: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('uncaught: ' + e.message));
  page.on('request', (r) => {
    if (new URL(r.url()).origin === feed.origin) problems.push('the page itself fetched from the feed\'s site: ' + r.url());
  });
  // A view over the Middle East and the Horn of Africa, opened at once:
  // the feed may not have been read yet.
  await page.goto(new URL('#map=3/20/40', base).href);
  await page.waitForFunction(() => document.body.dataset.eventsSeq !== undefined, null, { timeout: 15000 });

  await t.test('the feed\'s events appear in the list without a reload', async () => {
    await page.waitForFunction(({ origin, towns }) => {
      const found = new Set();
      for (const li of document.querySelectorAll('#feed > li')) {
        const a = li.querySelector('.feed-source a');
        if (!a || !a.href.startsWith(origin)) continue;
        const place = li.querySelector('.feed-item .place').textContent;
        for (const t of towns) if (place.includes(t)) found.add(t);
      }
      return found.size === towns.length;
    }, { origin: feed.origin, towns }, { timeout: WAIT });
    const navigations = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    assert.equal(navigations, 1, 'the page was not reloaded');
  });

  await t.test('each of them opens on the map with its source', async () => {
    for (const town of towns) {
      // Back to the wide view: the previous popup moved the map to its town.
      const seq = await page.evaluate(() => document.body.dataset.eventsSeq);
      await page.evaluate(() => { location.hash = '#map=3/20/40'; });
      await page.waitForFunction((s) => document.body.dataset.eventsSeq !== s, seq, { timeout: 15000 }).catch(() => {});
      await page.waitForTimeout(500);
      const item = page.locator('#feed > li', { has: page.locator(`.feed-source a[href^="${feed.origin}"]`) })
        .filter({ has: page.locator('.feed-item .place', { hasText: town }) }).first().locator('.feed-item');
      const id = await item.getAttribute('data-event-id');
      await item.click();
      const popup = page.locator(`.leaflet-popup .event-popup[data-event-id="${id}"]`);
      await popup.waitFor({ state: 'visible', timeout: 15000 });
      assert.match(await popup.locator('h3').textContent(), new RegExp(town));
      const href = await popup.locator('.source a').first().getAttribute('href');
      assert.ok(href.startsWith(feed.origin), `${town}: the popup links the article (${href})`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);
    }
  });

  await t.test('the Sources panel lists the feed and its health', async () => {
    await page.locator('#sources summary').click();
    const row = page.locator('#sources-list li.source', { has: page.locator(`a[href="${feed.href}"]`) });
    await row.waitFor({ state: 'visible', timeout: 15000 });
    assert.equal(await row.locator('.source-health').textContent(), 'OK');
    assert.ok(await row.evaluate((li) => li.classList.contains('source-ok')), 'marked healthy');
    const facts = await row.locator('.source-facts').textContent();
    assert.match(facts, /HTTP 200/, facts);
    assert.match(facts, /\b3 articles\b/, facts);
    assert.match(facts, /\b([3-9]|\d\d+) events\b/, facts);
    assert.match(facts, /every 1h/, facts);
    assert.equal(await row.locator('.source-error').count(), 0, 'no error shown');
    assert.deepEqual(problems, []);
  });
  await context.close();
});
