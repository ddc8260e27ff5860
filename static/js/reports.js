// reports.js: what merging shows on the page. An event told by several
// articles carries source_count and sources; its marker wears a badge with
// the count, and its popup lists every source (outlet, day, the sentence it
// was read from, a link to the article) and a permalink (#event=ID) that
// opens the map on the event with this popup.

import { el } from './dom.js';
import { outletOf, safeURL } from './text.js';

// sourceCount is how many articles report the event (1 when unsaid).
export function sourceCount(p) {
  return typeof p.source_count === 'number' && p.source_count > 1 ? p.source_count : 1;
}

// sourceBadge is the count drawn on a marker of an event with several
// sources, or null.
export function sourceBadge(p) {
  const n = sourceCount(p);
  if (n < 2) return null;
  return el('span', { class: 'source-count', 'aria-hidden': 'true', title: n + ' sources' }, String(n));
}

function sourceItem(s) {
  const li = el('li', { class: 'report' });
  const outlet = s.outlet || outletOf(s.url) || 'unknown outlet';
  const head = el('p', { class: 'report-head' }, el('span', { class: 'outlet' }, outlet));
  if (s.published) head.append(', ' + s.published);
  if (typeof s.fatalities === 'number') head.append(' · ' + s.fatalities + (s.fatalities === 1 ? ' death' : ' deaths'));
  const href = safeURL(s.url);
  if (href) head.append(' — ', el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, s.title || 'article'));
  else if (s.title) head.append(' — ', el('cite', null, s.title));
  li.append(head);
  if (s.quote) li.append(el('p', { class: 'report-quote' }, el('q', null, s.quote)));
  return li;
}

// sourcesSection lists the sources of an event told by several articles,
// earliest first, or returns null for an event read from one.
export function sourcesSection(p) {
  const sources = Array.isArray(p.sources) ? p.sources : [];
  if (sourceCount(p) < 2 || sources.length < 2) return null;
  return el('section', { class: 'reports', 'aria-label': 'Sources' },
    el('h4', null, sources.length + ' sources'),
    el('ol', { class: 'report-list' }, sources.map(sourceItem)));
}

// eventLink is the permalink of one event.
export function eventLink(id) {
  return el('p', { class: 'event-link' },
    el('a', { href: '#event=' + encodeURIComponent(id), class: 'permalink-event' }, 'Link to this event'));
}

// eventFromHash returns the event id of a #event=ID permalink, or ''.
export function eventFromHash(hash) {
  const m = /(?:^#|&)event=([^&]+)/.exec(hash || '');
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}
