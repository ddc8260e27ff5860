// text.js: how an event is said in words (dates, places, outlets, recency).
// Pure functions of an event's properties: no DOM, no map, so node's test
// runner checks them (test/text.test.mjs).

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
  'August', 'September', 'October', 'November', 'December'];
const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));

export const PRECISION_WORDS = {
  1: 'a town or precise site',
  2: 'near a town or part of a region',
  3: 'a region, country or sea',
};

// parseDate reads YYYY-MM-DD; anything else is null.
export function parseDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  if (!m) return null;
  const p = { y: +m[1], m: +m[2], d: +m[3] };
  if (p.m < 1 || p.m > 12 || p.d < 1 || p.d > daysInMonth(p.y, p.m)) return null;
  return p;
}

export function daysInMonth(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function dayText(p) {
  return p.d + ' ' + MONTHS[p.m - 1] + ' ' + p.y;
}

// dateText says when an event happened as a reader would: a day, a month,
// "late January 2024" for a span at the end of a month, else a range.
export function dateText(props) {
  const a = parseDate(props.event_date);
  const b = parseDate(props.event_date_end) || a;
  if (!a) return 'date unknown';
  if (a.y === b.y && a.m === b.m && a.d === b.d) return dayText(a);
  if (a.y === b.y && a.m === b.m) {
    const last = daysInMonth(a.y, a.m);
    const month = MONTHS[a.m - 1] + ' ' + a.y;
    const span = a.d + '–' + b.d + ' ' + SHORT_MONTHS[a.m - 1];
    if (a.d === 1 && b.d === last) return month;
    if (a.d === 1 && b.d <= 10) return 'early ' + month + ' (' + span + ')';
    if (a.d >= 11 && b.d <= 20) return 'mid-' + month + ' (' + span + ')';
    if (a.d >= 20 && b.d === last) return 'late ' + month + ' (' + span + ')';
    return a.d + '–' + b.d + ' ' + month;
  }
  if (a.y === b.y) {
    if (a.d === 1 && b.d === daysInMonth(b.y, b.m)) {
      return MONTHS[a.m - 1] + '–' + MONTHS[b.m - 1] + ' ' + a.y;
    }
    return a.d + ' ' + MONTHS[a.m - 1] + ' – ' + dayText(b);
  }
  return dayText(a) + ' – ' + dayText(b);
}

export function placeName(props) {
  return props.location || props.mention || 'Unknown place';
}

export function placeText(props) {
  const name = placeName(props);
  if (props.country && props.country !== name) return name + ', ' + props.country;
  return name;
}

// isApproximate: the place is coarser than a town (ACLED geo_precision 2, 3).
export function isApproximate(props) {
  return (props.geo_precision || 1) >= 2;
}

// daysBetween counts whole days from ISO day a to ISO day b.
export function daysBetween(a, b) {
  const pa = parseDate(a);
  const pb = parseDate(b);
  if (!pa || !pb) return NaN;
  return Math.round((Date.UTC(pb.y, pb.m - 1, pb.d) - Date.UTC(pa.y, pa.m - 1, pa.d)) / 86400000);
}

// recency tells how fresh an event is on the day `today` (YYYY-MM-DD):
// "new" when its last possible day is today or yesterday, "recent" within
// the last 7 days, "" otherwise (and for undated events).
export function recency(props, today) {
  const last = props.event_date_end || props.event_date;
  const age = daysBetween(last, today);
  if (Number.isNaN(age)) return '';
  if (age <= 1) return 'new';
  if (age <= 7) return 'recent';
  return '';
}

export const RECENCY_WORDS = { new: 'new, last 24 hours', recent: 'this week' };

// accessibleName is what a screen reader (and a test) hears for a marker:
// the place first, then what happened and when.
export function accessibleName(props, today) {
  const parts = [placeName(props) + ':'];
  parts.push((props.modality || 'unknown modality') + ' ' + (props.event_type || 'event') + ',');
  parts.push(dateText(props));
  const r = today ? recency(props, today) : '';
  if (r) parts.push('(' + RECENCY_WORDS[r] + ')');
  if (isApproximate(props)) parts.push('(approximate area)');
  return parts.join(' ');
}

// kindText is "occurred Battles · Armed clash".
export function kindText(props) {
  return [props.modality, props.event_type,
    props.sub_event_type && props.sub_event_type !== props.event_type ? '· ' + props.sub_event_type : null]
    .filter(Boolean).join(' ');
}

// safeURL returns an http(s) URL in canonical form, or null for anything a
// link must not point at (javascript:, data:, garbage).
export function safeURL(raw) {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch (e) {
    return null;
  }
}

// outletOf names the outlet of a source URL by its host, without "www.".
export function outletOf(raw) {
  const href = safeURL(raw);
  if (!href) return '';
  return new URL(href).hostname.replace(/^www\d?\./, '');
}

// fatalitiesText is "3 killed", "no deaths reported" or "" when unknown.
export function fatalitiesText(n) {
  if (n === null || n === undefined || typeof n !== 'number') return '';
  if (n === 0) return 'no deaths reported';
  return n.toLocaleString('en') + ' killed';
}

// mentionSpan finds the place as written inside the quote, case-folded:
// [start, end) or null.
export function mentionSpan(quote, mention) {
  if (!quote || !mention) return null;
  const i = quote.toLowerCase().indexOf(mention.toLowerCase());
  return i < 0 ? null : [i, i + mention.length];
}
