// timeline.js: the arithmetic of the time bar: days, buckets of days,
// weeks, months or years, presets and the steps of playback. Pure
// (test/timeline.test.mjs).

import { MONTHS, parseDate, dayText } from './text.js';

export function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

export function toDate(iso) {
  const p = parseDate(iso);
  return p ? new Date(Date.UTC(p.y, p.m - 1, p.d)) : null;
}

export function addDays(iso, n) {
  const d = toDate(iso);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
}

export function mondayOf(iso) {
  const d = toDate(iso);
  return addDays(iso, -((d.getUTCDay() + 6) % 7));
}

// MAX_BARS bounds the bars of the time bar: a longer span of days is shown
// by week, then by month, then by year, so that bars stay readable.
export const MAX_BARS = 90;
export const UNITS = ['day', 'week', 'month', 'year'];

function startOf(iso, unit) {
  if (unit === 'day') return iso;
  if (unit === 'week') return mondayOf(iso);
  return unit === 'month' ? iso.slice(0, 7) + '-01' : iso.slice(0, 4) + '-01-01';
}

function next(iso, unit) {
  const p = parseDate(iso);
  if (unit === 'day') return addDays(iso, 1);
  if (unit === 'week') return addDays(iso, 7);
  if (unit === 'month') return isoDay(new Date(Date.UTC(p.y, p.m, 1)));
  return (p.y + 1) + '-01-01';
}

function label(iso, unit) {
  const p = parseDate(iso);
  if (unit === 'day') return dayText(p);
  if (unit === 'week') return 'Week of ' + dayText(p);
  return unit === 'month' ? MONTHS[p.m - 1] + ' ' + p.y : String(p.y);
}

// bucketsOf sums daily counts ([{key: 'YYYY-MM-DD', count}]) into
// consecutive buckets of a unit from the first to the last day, empty
// buckets included: [{start, end, label, count}].
export function bucketsOf(rows, unit) {
  const counts = new Map();
  for (const r of rows) {
    if (!r || !parseDate(r.key)) continue;
    const k = startOf(r.key, unit);
    counts.set(k, (counts.get(k) || 0) + r.count);
  }
  const keys = [...counts.keys()].sort();
  const out = [];
  if (!keys.length) return out;
  for (let k = keys[0]; k <= keys[keys.length - 1] && out.length < 100000; k = next(k, unit)) {
    out.push({ start: k, end: addDays(next(k, unit), -1), label: label(k, unit), count: counts.get(k) || 0 });
  }
  return out;
}

// bucketsFor picks the finest unit whose buckets fit MAX_BARS, starting at
// `finest` (the server counts by week, so 'week' unless daily rows came).
export function bucketsFor(rows, finest = 'week') {
  for (const unit of UNITS.slice(UNITS.indexOf(finest))) {
    const b = bucketsOf(rows, unit);
    if (b.length <= MAX_BARS || unit === 'year') return { unit, buckets: b };
  }
  return { unit: 'year', buckets: [] };
}

// PRESETS are the quick ranges, in days, ending on the latest day.
export const PRESETS = { '24h': 1, '7d': 7, '30d': 30 };

// presetRange is the range of a preset ending on `latest` (YYYY-MM-DD).
export function presetRange(name, latest) {
  const days = PRESETS[name];
  if (!days || !parseDate(latest)) return null;
  return { start: addDays(latest, -(days - 1)), end: latest };
}

// rangeOfBuckets covers buckets i..j (any order), inclusive.
export function rangeOfBuckets(buckets, i, j) {
  const a = Math.max(0, Math.min(i, j));
  const b = Math.min(buckets.length - 1, Math.max(i, j));
  if (!buckets.length) return null;
  return { start: buckets[a].start, end: buckets[b].end };
}

// playSteps cuts the range [start, end] into the buckets playback shows one
// after the other: each step is one bucket of the time bar's unit, clipped
// to the range.
export function playSteps(buckets, start, end) {
  const steps = [];
  for (const b of buckets) {
    if ((end && b.start > end) || (start && b.end < start)) continue;
    steps.push({
      start: start && b.start < start ? start : b.start,
      end: end && b.end > end ? end : b.end,
      label: b.label,
    });
  }
  return steps;
}

// inRange: a bucket meets the range [start, end] (either end open).
export function inRange(b, start, end) {
  if (!start && !end) return false;
  return (!start || b.end >= start) && (!end || b.start <= end);
}

// axisTicks picks up to n bucket indexes to label under the bars, evenly
// spread, always the first and the last.
export function axisTicks(count, n) {
  if (count <= 0) return [];
  if (count <= n) return [...Array(count).keys()];
  const out = [];
  for (let i = 0; i < n; i++) out.push(Math.round((i * (count - 1)) / (n - 1)));
  return [...new Set(out)];
}

// tickLabel is a short axis label for a bucket start.
export function tickLabel(iso, unit) {
  const p = parseDate(iso);
  if (unit === 'year') return String(p.y);
  if (unit === 'month') return MONTHS[p.m - 1].slice(0, 3) + ' ' + p.y;
  return p.d + ' ' + MONTHS[p.m - 1].slice(0, 3) + (unit === 'day' ? '' : ' ' + String(p.y).slice(2));
}
