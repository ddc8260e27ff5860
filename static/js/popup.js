// popup.js: an event's popup: place, date, kind, actors, fatalities, the
// sentence it was read from with the place marked, and its source.
// Further sections (merged reports, a permalink) add to the article this
// returns.

import { el } from './dom.js';
import { eventLink, sourcesSection } from './reports.js';
import { symbol } from './symbols.js';
import {
  PRECISION_WORDS, dateText, isApproximate, mentionSpan, outletOf, placeText, recency, RECENCY_WORDS, safeURL,
} from './text.js';

// quoteBlock returns the quote as text nodes with the place as written in
// the text wrapped in <mark>.
export function quoteBlock(quote, mention) {
  const block = el('blockquote', { class: 'quote' });
  const span = mentionSpan(quote, mention);
  if (!span) {
    block.textContent = quote;
    return block;
  }
  block.append(quote.slice(0, span[0]), el('mark', null, quote.slice(span[0], span[1])), quote.slice(span[1]));
  return block;
}

export function sourceLine(p) {
  const source = el('p', { class: 'source' });
  if (p.title) source.append('From ', el('cite', null, p.title));
  else source.append('From an article');
  const outlet = outletOf(p.source_url);
  if (outlet) source.append(' (', el('span', { class: 'outlet' }, outlet), ')');
  if (p.published) source.append(', published ' + p.published);
  const href = safeURL(p.source_url);
  if (href) {
    source.append(' — ', el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, 'source'));
  } else if (p.source_url) {
    source.append(' — source: ', el('span', { class: 'url' }, p.source_url));
  }
  return source;
}

export function popupContent(f, taxonomy, today) {
  const p = f.properties;
  const box = el('article', { class: 'event-popup', 'data-event-id': p.id, tabindex: '-1', 'aria-labelledby': 'popup-title' });
  box.append(el('h3', { id: 'popup-title' }, placeText(p)));
  if (p.admin1 && p.admin1 !== p.location) box.append(el('p', { class: 'admin' }, p.admin1));
  const fresh = recency(p, today);
  box.append(el('p', { class: 'when' }, dateText(p), fresh ? el('span', { class: 'badge fresh-' + fresh }, RECENCY_WORDS[fresh]) : null));
  box.append(el('p', { class: 'kind' },
    symbol(taxonomy.colourOf(p.event_type), p.modality, { approximate: isApproximate(p), size: 16 }), ' ',
    p.event_type || 'Unknown type', p.sub_event_type ? ' — ' + p.sub_event_type : ''));
  const dl = el('dl');
  const row = (k, v) => dl.append(el('dt', null, k), el('dd', null, v));
  row('Modality', el('span', { class: 'badge modality-' + (p.modality || 'unknown') }, p.modality || 'unknown'));
  if (p.actor1 || p.actor2) row('Actors', [p.actor1 || 'unknown', p.actor2].filter(Boolean).join(' → '));
  row('Fatalities', typeof p.fatalities === 'number' ? String(p.fatalities) : 'not reported');
  box.append(dl);
  if (p.quote) box.append(quoteBlock(p.quote, p.mention));
  box.append(sourceLine(p));
  const reports = sourcesSection(p);
  if (reports) box.append(reports);
  const meta = [];
  if (isApproximate(p)) meta.push('place: ' + (PRECISION_WORDS[p.geo_precision] || 'approximate'));
  if (typeof p.confidence === 'number') meta.push('confidence ' + p.confidence.toFixed(2));
  if (p.extractor_version) meta.push('extractor ' + p.extractor_version);
  if (meta.length) box.append(el('p', { class: 'meta' }, meta.join(' · ')));
  if (p.id) box.append(eventLink(p.id));
  return box;
}
