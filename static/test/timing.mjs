// timing.mjs measures how long the map page takes to draw its first
// markers and how many bytes it transfers on a first visit and on a reload,
// in headless Chromium, on the sample article and on 10,000 generated
// events. It is a measurement for BENCHMARKS.md, not a test.
//
// Usage (from the repository root, after `make assets`):
//   node static/test/timing.mjs [--runs N]
//
// It builds conflictmap and cmbench, fills a database with 10,000 events
// (`cmbench seed`), starts `conflictmap serve` on loopback ports with no
// tiles, and loads the page N times per case in a fresh browser context (an
// empty cache). Figures are milliseconds from the start of navigation:
//   events in     the first /api/events answer has arrived (resource timing)
//   first marker  the first marker or cluster element appears in the DOM
//   all drawn     every marker of that answer is on the map (the page's
//                 performance mark "conflictmap:markers-drawn")
// and bytes on the wire (Chromium's encodedDataLength: compressed bodies
// and headers) with the number of requests, for the first visit (empty
// cache) and for a reload of the same page in the same context, once the
// network is idle; "first marker" is also given for the reload.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const tmp = mkdtempSync(join(tmpdir(), 'conflictmap-timing-'));
const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function serve(db) {
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'REDIS_URL' && !k.startsWith('CONFLICTMAP_')));
  const child = spawn(join(tmp, 'conflictmap'), ['serve', '--addr', `127.0.0.1:${port}`, '--db', db, '--tiles', '', '--log-level', 'error'],
    { env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  const base = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(base + 'readyz');
      if (r.ok) return base;
    } catch (e) {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server on ' + base + ' did not become ready');
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function measure(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // The page's live stream stays open for as long as the page does, so the
  // network would never be idle: it is refused here (the page then polls,
  // which is outside what is timed).
  await context.route('**/api/events/stream', (route) => route.abort());
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const net = { bytes: 0, requests: 0 };
  cdp.on('Network.loadingFinished', (e) => {
    net.bytes += e.encodedDataLength;
    net.requests++;
  });
  await page.addInitScript(() => {
    new MutationObserver((records, obs) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType === 1 && (n.classList.contains('event-marker') || n.classList.contains('cluster-marker'))) {
            window.__firstMarker = performance.now();
            obs.disconnect();
            return;
          }
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__firstMarker !== undefined &&
    performance.getEntriesByName('conflictmap:markers-drawn').length > 0, null, { timeout: 60000 });
  const t = await page.evaluate(() => ({
    events: performance.getEntriesByType('resource').find((r) => new URL(r.name).pathname.endsWith('/api/events')).responseEnd,
    first: window.__firstMarker,
    drawn: performance.getEntriesByName('conflictmap:markers-drawn')[0].startTime,
    count: document.getElementById('count').textContent,
  }));
  await page.waitForLoadState('networkidle');
  t.firstBytes = net.bytes;
  t.firstRequests = net.requests;
  net.bytes = 0;
  net.requests = 0;
  await page.reload();
  await page.waitForFunction(() => window.__firstMarker !== undefined &&
    performance.getEntriesByName('conflictmap:markers-drawn').length > 0, null, { timeout: 60000 });
  t.reloadFirst = await page.evaluate(() => window.__firstMarker);
  await page.waitForLoadState('networkidle');
  t.reloadBytes = net.bytes;
  t.reloadRequests = net.requests;
  await context.close();
  return t;
}

console.error('building conflictmap and cmbench...');
execFileSync('go', ['build', '-o', join(tmp, 'conflictmap'), './cmd/conflictmap'], { cwd: root, stdio: 'inherit' });
execFileSync('go', ['build', '-o', join(tmp, 'cmbench'), './cmd/cmbench'], { cwd: root, stdio: 'inherit' });
execFileSync(join(tmp, 'cmbench'), ['seed', '--db', join(tmp, 'gen.db'), '--events', '10000'], { stdio: 'ignore' });

const sample = await serve(join(tmp, 'sample.db')); // a new store ingests the sample article
const generated = await serve(join(tmp, 'gen.db'));

const cases = [
  ['sample article', sample],
  ['10,000 events, default limit', generated],
  ['10,000 events, all drawn', generated + '#limit=10000'],
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const version = browser.version();
console.log(`# ${new Date().toISOString()} Chromium ${version}, ${cpus().length} cores, ${runs} runs per case, 1400x900`);
console.log('| case | page says | first visit: requests, kB | reload: requests, kB | events in, ms | first marker, ms | all drawn, ms | first marker on reload, ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, url] of cases) {
  await measure(browser, url); // warm the server's cache and the OS page cache
  const ins = [];
  const firsts = [];
  const drawns = [];
  const reloads = [];
  let said = '';
  let weight = null;
  for (let i = 0; i < runs; i++) {
    const t = await measure(browser, url);
    ins.push(t.events);
    firsts.push(t.first);
    drawns.push(t.drawn);
    reloads.push(t.reloadFirst);
    said = t.count.trim();
    weight = t; // the bytes are the same on every run
  }
  // median (min–max) over the runs
  const fmt = (xs) => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`| ${name} | ${said} | ${weight.firstRequests}, ${kb(weight.firstBytes)} | ${weight.reloadRequests}, ${kb(weight.reloadBytes)} | ${fmt(ins)} | ${fmt(firsts)} | ${fmt(drawns)} | ${fmt(reloads)} |`);
}
await browser.close();
process.exit(0);
