// sources.js: the "Sources" section of the panel: the feeds the server
// follows and how each is doing (GET /api/feeds): when it was last read,
// what it answered, why it failed, and how many articles and events it
// brought. Read when the section opens and every minute while it is open.

import { $, el } from './dom.js';

const REFRESH_MS = 60000;

function ago(iso) {
  if (!iso) return 'never';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return s + ' s ago';
  if (s < 5400) return Math.round(s / 60) + ' min ago';
  if (s < 129600) return Math.round(s / 3600) + ' h ago';
  return iso.slice(0, 10);
}

// shortURL is a feed's host and path, without the scheme.
function shortURL(url) {
  try {
    const u = new URL(url);
    return u.host + (u.pathname === '/' ? '' : u.pathname) + u.search;
  } catch {
    return url;
  }
}

function feedItem(f) {
  const health = { ok: 'OK', failing: 'failing', pending: 'not read yet' }[f.health] || f.health;
  const facts = [
    'read ' + ago(f.last_fetch) + (f.last_status ? ' (HTTP ' + f.last_status + ')' : ''),
    f.articles_ingested + (f.articles_ingested === 1 ? ' article, ' : ' articles, ') +
      f.events_found + (f.events_found === 1 ? ' event' : ' events'),
    'every ' + f.interval,
  ];
  return el('li', { class: 'source source-' + f.health },
    el('span', { class: 'source-health' }, health), ' ',
    el('a', { href: f.url, rel: 'noopener noreferrer', title: f.url }, shortURL(f.url)),
    el('span', { class: 'source-facts' }, ' · ' + facts.join(' · ')),
    f.last_error ? el('p', { class: 'source-error' }, f.last_error) : null,
    f.last_item_error ? el('p', { class: 'source-error' }, 'last article not read: ' + f.last_item_error) : null);
}

// createSources wires the section; it does nothing on a page without it.
export function createSources() {
  const box = $('sources');
  if (!box) return;
  const list = $('sources-list');
  let timer = null;
  async function load() {
    try {
      const resp = await fetch('api/feeds', { headers: { Accept: 'application/json' } });
      if (resp.status === 404) {
        list.replaceChildren(el('li', {}, 'This server follows no feeds.'));
        return;
      }
      if (!resp.ok) throw new Error('the server answered ' + resp.status);
      const body = await resp.json();
      const feeds = body.feeds || [];
      list.replaceChildren(...(feeds.length
        ? feeds.map(feedItem)
        : [el('li', {}, 'No feeds followed. Start the server with --feed URL, or POST /api/feeds.')]));
    } catch (err) {
      list.replaceChildren(el('li', { class: 'source-error' }, 'Could not read the feeds: ' + err.message));
    }
  }
  box.addEventListener('toggle', () => {
    clearInterval(timer);
    if (box.open) {
      load();
      timer = setInterval(load, REFRESH_MS);
    }
  });
}
