// timing-density.mjs measures the map page on a large store with skewed
// density (most events in three hotspots), in headless Chromium: how long
// until the first markers or cells are drawn, and how long a pan or a
// click on a cell takes to redraw. It is a measurement for BENCHMARKS.md
// ("Map page at scale"), not a test.
//
// Usage (from the repository root, after `make assets`):
//   node static/test/timing-density.mjs [--events N] [--runs N] [--keep DIR]
//
// It builds conflictmap and cmbench, writes N events (default 1,000,000)
// with `cmbench gen --hotspots` and loads them with `conflictmap import`
// into a SQLite file (kept in DIR with --keep, and reused from there when
// it exists), starts `conflictmap serve` on a loopback port with no tiles
// and no Redis, and opens the page N times per case (default 5), each in
// a fresh browser context (an empty browser cache). Figures are
// milliseconds:
//   first drawn   from the start of navigation to the page's performance
//                 mark "conflictmap:markers-drawn" (the first answer's
//                 markers or cells are all on the map)
//   pan           from the map standing still after a mouse drag (its
//                 moveend, the page's mark "conflictmap:moveend") to the map
//                 drawn anew (cells or markers); in brackets, from the
//                 release of the mouse (Leaflet's inertia glides on
//                 first); each run drags by a different length, so that no
//                 two runs ask the server the same view
//   cell click    from the map standing still after a click on the largest
//                 cell (its zoom animation done) to the map drawn anew
// The first run of each case is reported apart ("cold": the server's
// answer cache is empty for its queries; later runs ask the same blocks of
// counts, from a fresh browser, so the server answers them from its
// cache), the others ("warm") as median (min–max).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const events = Number(arg('--events', '1000000'));
const runs = Number(arg('--runs', '5'));
const keep = arg('--keep', '');

const tmp = mkdtempSync(join(tmpdir(), 'conflictmap-timing-density-'));
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
  for (let i = 0; i < 600; i++) {
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

// redraw runs act() and resolves with the milliseconds from its end to the
// frame after the map's next drawing (body[data-drawn-seq]: cells or
// markers of the new view).
async function redraw(page, act) {
  const seq = await page.evaluate(() => document.body.dataset.drawnSeq);
  await page.evaluate((s) => {
    window.__redrawn = new Promise((ok) => {
      new MutationObserver((records, obs) => {
        if (document.body.dataset.drawnSeq === s) return;
        obs.disconnect();
        requestAnimationFrame(() => ok(performance.now()));
      }).observe(document.body, { attributes: true, attributeFilter: ['data-drawn-seq'] });
    });
  }, seq);
  const t0 = await act();
  const t1 = await page.evaluate(() => window.__redrawn);
  const stopped = await page.evaluate(() => {
    const marks = performance.getEntriesByName('conflictmap:moveend');
    return marks.length ? marks[marks.length - 1].startTime : NaN;
  });
  return { fromAct: t1 - t0, fromStop: t1 - stopped };
}

// now is the page's clock.
function now(page) {
  return page.evaluate(() => performance.now());
}

async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.eventsSeq !== undefined, null, { timeout: 120000 });
  await page.waitForTimeout(350);
  await page.waitForFunction(() => !document.getElementById('map').hasAttribute('aria-busy'), null, { timeout: 120000 });
}

async function measure(browser, url, i) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // The live stream stays open for as long as the page does; refused here
  // so that it adds no request to what is timed.
  await context.route('**/api/events/stream', (route) => route.abort());
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('conflictmap:markers-drawn').length > 0, null, { timeout: 120000 });
  const t = await page.evaluate(() => ({
    first: performance.getEntriesByName('conflictmap:markers-drawn')[0].startTime,
    count: document.getElementById('count').textContent,
    cells: document.querySelectorAll('.density-cell').length,
  }));
  await settled(page);
  const map = await page.locator('#map').boundingBox();
  const cx = map.x + map.width / 2;
  const cy = map.y + map.height / 2;
  const dx = 120 + 17 * i;
  t.pan = await redraw(page, async () => {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - dx, cy + 10, { steps: 5 });
    const t0 = await now(page);
    await page.mouse.up();
    return t0;
  });
  t.panCount = await page.evaluate(() => document.getElementById('count').textContent);
  await settled(page);
  // The largest cell whose disc lies inside the map (not under the panels).
  const biggest = await page.$$eval('.density-cell', (els) => {
    const m = document.getElementById('map').getBoundingClientRect();
    let best = null;
    for (const e of els) {
      const r = e.getBoundingClientRect();
      if (r.left < m.left + 40 || r.right > m.right - 40 || r.top < m.top + 40 || r.bottom > m.bottom - 40) continue;
      if (!best || Number(e.dataset.count) > Number(best.dataset.count)) best = e;
    }
    return best && best.dataset.cell;
  });
  t.click = biggest ? await redraw(page, async () => {
    const t0 = await now(page);
    await page.locator(`.density-cell[data-cell="${biggest}"]`).click();
    return t0;
  }) : { fromStop: NaN };
  await context.close();
  return t;
}

console.error('building conflictmap and cmbench...');
execFileSync('go', ['build', '-o', join(tmp, 'conflictmap'), './cmd/conflictmap'], { cwd: root, stdio: 'inherit' });
execFileSync('go', ['build', '-o', join(tmp, 'cmbench'), './cmd/cmbench'], { cwd: root, stdio: 'inherit' });
const dir = keep || tmp;
mkdirSync(dir, { recursive: true });
const db = join(dir, `skewed-${events}.db`);
if (!existsSync(db)) {
  const csv = join(tmp, 'gen.csv');
  console.error(`generating ${events} events (cmbench gen --hotspots) and importing them...`);
  const out = openSync(csv, 'w');
  execFileSync(join(tmp, 'cmbench'), ['gen', '--events', String(events), '--hotspots'], { stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  const started = Date.now();
  execFileSync(join(tmp, 'conflictmap'), ['import', '--db', db, csv], { stdio: ['ignore', 'inherit', 'ignore'] });
  console.error(`imported in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  rmSync(csv);
}
const base = await serve(db);

const cases = [
  ['first visit (fits the newest events)', base],
  ['world permalink, zoom 2', base + '#map=2/25/40'],
  ['hotspot permalink, zoom 6', base + '#map=6/48/37.8'],
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
console.log(`# ${new Date().toISOString()} ${events.toLocaleString('en')} events (cmbench gen --hotspots), SQLite, Chromium ${browser.version()}, ${cpus().length} cores, ${runs} runs per case, 1400x900, load average before: ${load()}`);
console.log('| case | page says | first drawn, ms: cold; warm | pan redraw, ms: cold; warm (from release) | cell click redraw, ms: cold; warm |');
console.log('|---|---|---|---|---|');
const fmt = (xs) => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
for (const [name, url] of cases) {
  const all = [];
  for (let i = 0; i < runs + 1; i++) all.push(await measure(browser, url, i));
  const [cold, ...warm] = all;
  const said = warm[warm.length - 1].count.trim();
  const pans = warm.map((t) => t.pan.fromStop);
  const released = warm.map((t) => t.pan.fromAct);
  const clicks = warm.map((t) => t.click.fromStop).filter((x) => !Number.isNaN(x));
  const r = (x) => (Number.isNaN(x) ? 'no cell' : Math.round(x));
  console.log(`| ${name} | ${said} | ${r(cold.first)}; ${fmt(warm.map((t) => t.first))} | ${r(cold.pan.fromStop)}; ${fmt(pans)} (${fmt(released)}) | ${r(cold.click.fromStop)}; ${clicks.length ? fmt(clicks) : 'no cell'} |`);
}
console.log(`# load average after: ${load()}`);
await browser.close();
process.exit(0);
