// Browser test of the live map: with the page open, articles are posted to
// the server; the new event must appear without a reload, marked as new,
// with a badge of its sources once a second outlet reports it, a popup
// listing every source, and a permalink (#event=ID) that opens the map on
// it with its popup.
//
// Usage: node test/live.mjs BASE_URL
// Environment: CONFLICTMAP_TOKEN (default "test"), CHROMIUM (default
// /usr/bin/chromium). static/live_test.go starts the server and runs this;
// it prints "live latency: N ms" (post answered to marker drawn) for
// BENCHMARKS.md.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = new URL(process.argv[2] || 'http://127.0.0.1:8080/');
const token = process.env.CONFLICTMAP_TOKEN || 'test';
const WAIT = 20000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
after(() => browser.close());

async function post(article) {
  const r = await fetch(new URL('api/articles', base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: JSON.stringify(article),
  });
  const body = await r.json();
  assert.equal(r.status, 201, JSON.stringify(body));
  return body;
}

const strike = (outlet, toll, published) => ({
  title: 'Air strike on Saraqib (' + outlet + ')',
  url: 'https://' + outlet + '/live/' + toll,
  published,
  text: 'An air strike hit the town of Saraqib in Idlib province on Monday, killing ' + toll + ' civilians, medics said.',
});

test('a posted event appears without a reload, with its sources and a permalink', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('uncaught: ' + e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push('console: ' + m.text());
  });
  // A view over north-western Syria, where the posted event happens.
  await page.goto(new URL('#map=8/35.9/36.7', base).href);
  await page.waitForFunction(() => document.body.dataset.live === 'stream', null, { timeout: WAIT });
  const loads = await page.evaluate(() => performance.getEntriesByType('navigation').length);

  const first = await post(strike('alpha.example', 'five', '2024-03-04'));
  const posted = Date.now();
  const ids = first.events.features.map((f) => f.id);
  assert.equal(ids.length, 1, 'the article gives one event');
  const marker = (id) => '.event-marker[data-event-id="' + id + '"]';
  await page.waitForSelector(marker(ids[0]), { timeout: WAIT });
  const latency = Date.now() - posted;
  console.log('live latency: ' + latency + ' ms');
  assert.ok(await page.$eval(marker(ids[0]), (n) => n.classList.contains('new-event')), 'the new event is marked new');

  // A second outlet: the event now has two sources (its id may move to
  // the earliest report's).
  await post(strike('bravo.example', 'seven', '2024-03-04'));
  const two = '.event-marker[data-sources="2"]';
  await page.waitForSelector(two, { timeout: WAIT });
  assert.equal(await page.$eval(two + ' .source-count', (n) => n.textContent), '2');
  assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), loads, 'no reload');

  const id = await page.$eval(two, (n) => n.dataset.eventId);
  await page.click(two);
  const popup = '.event-popup[data-event-id="' + id + '"]';
  await page.waitForSelector(popup, { timeout: WAIT });
  const outlets = await page.$$eval(popup + ' .report .outlet', (ns) => ns.map((n) => n.textContent));
  assert.deepEqual(outlets.sort(), ['alpha.example', 'bravo.example']);
  const quotes = await page.$$eval(popup + ' .report-quote', (ns) => ns.length);
  assert.equal(quotes, 2, 'each source quotes its sentence');
  const links = await page.$$eval(popup + ' .report a', (ns) => ns.map((n) => n.href));
  assert.ok(links.some((h) => h.startsWith('https://alpha.example/')) && links.some((h) => h.startsWith('https://bravo.example/')));
  const permalink = await page.$eval(popup + ' a.permalink-event', (n) => n.href);
  assert.ok(permalink.endsWith('#event=' + id), permalink);

  // The permalink, in a new page that starts elsewhere, opens on the event
  // with its popup.
  const other = await context.newPage();
  await other.goto(permalink);
  await other.waitForSelector(popup, { timeout: WAIT });
  const outlets2 = await other.$$eval(popup + ' .report .outlet', (ns) => ns.map((n) => n.textContent));
  assert.equal(outlets2.length, 2);
  assert.deepEqual(problems, []);
  await context.close();
});
