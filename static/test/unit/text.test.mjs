import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accessibleName, dateText, fatalitiesText, mentionSpan, outletOf, parseDate, placeText, recency, safeURL,
} from '../../js/text.js';

test('dateText says a day, a month, parts of a month and ranges', () => {
  assert.equal(dateText({ event_date: '2024-01-28', event_date_end: '2024-01-28' }), '28 January 2024');
  assert.equal(dateText({ event_date: '2024-01-01', event_date_end: '2024-01-31' }), 'January 2024');
  assert.equal(dateText({ event_date: '2024-01-21', event_date_end: '2024-01-31' }), 'late January 2024 (21–31 Jan)');
  assert.equal(dateText({ event_date: '2024-01-01', event_date_end: '2024-01-07' }), 'early January 2024 (1–7 Jan)');
  assert.equal(dateText({ event_date: '2024-01-01', event_date_end: '2024-03-31' }), 'January–March 2024');
  assert.equal(dateText({ event_date: '2023-12-30', event_date_end: '2024-01-02' }), '30 December 2023 – 2 January 2024');
  assert.equal(dateText({ event_date: null }), 'date unknown');
});

test('parseDate refuses impossible days', () => {
  assert.deepEqual(parseDate('2024-02-29'), { y: 2024, m: 2, d: 29 });
  assert.equal(parseDate('2023-02-29'), null);
  assert.equal(parseDate('2024-1-1'), null);
});

test('recency: new within a day, recent within a week, else nothing', () => {
  const today = '2024-03-10';
  assert.equal(recency({ event_date: '2024-03-10' }, today), 'new');
  assert.equal(recency({ event_date: '2024-03-09' }, today), 'new');
  assert.equal(recency({ event_date: '2024-03-04' }, today), 'recent');
  assert.equal(recency({ event_date: '2024-02-01', event_date_end: '2024-03-10' }, today), 'new', 'an ongoing span ending today');
  assert.equal(recency({ event_date: '2024-03-01' }, today), '');
  assert.equal(recency({ event_date: null }, today), '');
});

test('the accessible name starts with the place and says fresh and approximate', () => {
  const p = { location: 'Rafah', modality: 'threatened', event_type: 'Battles', event_date: '2024-03-10', geo_precision: 3 };
  assert.equal(accessibleName(p, '2024-03-10'), 'Rafah: threatened Battles, 10 March 2024 (new, last 24 hours) (approximate area)');
  assert.equal(accessibleName({ mention: 'Gaza City', event_date: '2024-01-01' }, '2025-01-01'), 'Gaza City: unknown modality event, 1 January 2024');
});

test('placeText adds the country once', () => {
  assert.equal(placeText({ location: 'Baghdad', country: 'Iraq' }), 'Baghdad, Iraq');
  assert.equal(placeText({ location: 'Jordan', country: 'Jordan' }), 'Jordan');
});

test('outlets are hosts of http(s) URLs only', () => {
  assert.equal(outletOf('https://www.reuters.com/world/x'), 'reuters.com');
  assert.equal(outletOf('http://news.example.org/a?b=c'), 'news.example.org');
  assert.equal(outletOf('javascript:alert(1)'), '');
  assert.equal(outletOf(''), '');
  assert.equal(safeURL('data:text/html,<script>'), null);
  assert.equal(safeURL('https://example.org/a b'), 'https://example.org/a%20b');
});

test('fatalities are said only when known', () => {
  assert.equal(fatalitiesText(3), '3 killed');
  assert.equal(fatalitiesText(0), 'no deaths reported');
  assert.equal(fatalitiesText(null), '');
  assert.equal(fatalitiesText(1200), '1,200 killed');
});

test('mentionSpan finds the place as written, any case', () => {
  assert.deepEqual(mentionSpan('Strikes hit DAMASCUS on Tuesday', 'Damascus'), [12, 20]);
  assert.equal(mentionSpan('Nothing here', 'Rafah'), null);
});
