// feed.js: the list of the events in view, newest first, each with its
// place, time, kind, fatalities, the quoted sentence, the outlet and a link
// to the source. Choosing an item shows the event on the map.

import { el } from './dom.js';
import { symbol } from './symbols.js';
import {
  dateText, fatalitiesText, isApproximate, kindText, outletOf, placeText, recency, RECENCY_WORDS, safeURL,
} from './text.js';

export const FEED_PAGE = 100;
const QUOTE_MAX = 220;

function shorten(s, n) {
  if (!s || s.length <= n) return s || '';
  const cut = s.slice(0, n);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), n - 20)) + '…';
}

// createFeed drives the list; onPick(id, {keyboard}) shows an event.
export function createFeed({ list, more, count, taxonomy, onPick, emptyText }) {
  let features = [];
  let shown = FEED_PAGE;
  let selectedId = null;
  let today = '';

  function item(f) {
    const p = f.properties;
    const fresh = recency(p, today);
    const button = el('button', {
      type: 'button',
      class: 'feed-item',
      'data-event-id': p.id,
      'data-event-type': p.event_type,
      'data-start': p.event_date,
      'data-end': p.event_date_end,
    },
    symbol(taxonomy.colourOf(p.event_type), p.modality, { approximate: isApproximate(p), size: 18, recency: fresh }),
    el('span', { class: 'place' }, placeText(p)),
    el('span', { class: 'when' }, dateText(p), fresh ? el('span', { class: 'badge fresh-' + fresh }, RECENCY_WORDS[fresh]) : null),
    el('span', { class: 'what' }, kindText(p), fatalitiesText(p.fatalities) ? el('span', { class: 'fatalities' }, ' · ' + fatalitiesText(p.fatalities)) : null),
    p.quote ? el('q', { class: 'quote' }, shorten(p.quote, QUOTE_MAX)) : null);
    if (p.id === selectedId) {
      button.classList.add('selected');
      button.setAttribute('aria-current', 'true');
    }
    button.addEventListener('click', (e) => onPick(p.id, { keyboard: e.detail === 0 }));
    // The outlet and its link sit beside the button: a link inside a
    // button would be neither clickable nor reachable.
    const outlet = outletOf(p.source_url);
    const href = safeURL(p.source_url);
    const source = el('p', { class: 'feed-source' },
      outlet ? el('span', { class: 'outlet' }, outlet) : null,
      href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer', 'aria-label': 'Source of the ' + placeText(p) + ' event' + (outlet ? ' at ' + outlet : '') }, 'source') : null,
      p.published ? el('span', { class: 'published' }, 'published ' + p.published) : null);
    return el('li', null, button, source);
  }

  function render() {
    const active = document.activeElement;
    const focusedId = active && list.contains(active) ? active.dataset.eventId : null;
    const items = features.slice(0, shown).map(item);
    if (!items.length) items.push(el('li', { class: 'empty' }, emptyText()));
    list.replaceChildren(...items);
    // A redraw must not take the keyboard's place or the reader's selection away.
    if (focusedId) {
      const again = list.querySelector('.feed-item[data-event-id="' + CSS.escape(focusedId) + '"]');
      if (again) again.focus({ preventScroll: true });
    }
    const chosen = selectedId && list.querySelector('.feed-item[data-event-id="' + CSS.escape(selectedId) + '"]');
    if (chosen) chosen.scrollIntoView({ block: 'nearest' });
    more.hidden = features.length <= shown;
    more.textContent = 'Show more (' + (features.length - shown) + ' not listed)';
  }

  more.addEventListener('click', () => {
    shown += FEED_PAGE;
    render();
  });

  return {
    // show lists an answer: returned events, the newest of matched (when
    // given and more, the heading says the list is the newest only).
    show(list2, returned, day, matched) {
      features = list2;
      today = day;
      shown = FEED_PAGE;
      count.textContent = matched > returned
        ? '(newest ' + returned.toLocaleString('en') + ' of ' + matched.toLocaleString('en') + ')'
        : '(' + returned.toLocaleString('en') + ')';
      render();
    },
    select(id, opts = {}) {
      selectedId = id;
      for (const b of list.querySelectorAll('.feed-item')) {
        const on = b.dataset.eventId === id;
        b.classList.toggle('selected', on);
        if (on) b.setAttribute('aria-current', 'true');
        else b.removeAttribute('aria-current');
        if (on && opts.scroll) b.scrollIntoView({ block: 'nearest' });
      }
    },
  };
}
