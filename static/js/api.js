// api.js: the page's client of the conflictmap API. Every call can be
// aborted (a newer view or filter replaces an older request), and an
// error carries the server's {"error": "..."} message and status.

export class APIError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

// early holds the answers boot.js asked for before the page was ready
// (url -> Promise<Response>); each is taken once, by the first call that
// asks for exactly that URL.
const early = new Map();

// askEarly sends a request now, for getJSON to take later.
export function askEarly(url) {
  if (!early.has(url)) {
    const p = fetch(url);
    p.catch(() => {}); // reported to whoever takes it
    early.set(url, p);
  }
  return early.get(url);
}

// dropEarly forgets the early answers nobody took (boot.js asks for more
// blocks than the first view needs): once the page has started, an answer
// that old could be older than the data.
export function dropEarly() {
  early.clear();
}

export async function getJSON(url, init) {
  const asked = !init || !init.method ? early.get(url) : null;
  if (asked) early.delete(url);
  const r = await (asked || fetch(url, init));
  if (asked && init && init.signal && init.signal.aborted) throw new DOMException('The request was dropped', 'AbortError');
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = null;
  }
  if (!r.ok) {
    throw new APIError(body && body.error ? body.error : r.statusText || 'request failed', r.status);
  }
  return body;
}

export const config = () => getJSON('api/config');
export const taxonomy = () => getJSON('api/taxonomy');
export const events = (params, signal) => getJSON('api/events?' + params.toString(), { signal });
export const clustersURL = (params) => 'api/clusters?' + params.toString();
export const clusters = (params, signal) => getJSON(clustersURL(params), { signal });
export const stats = (params, signal) => getJSON('api/stats' + (params && [...params].length ? '?' + params.toString() : ''), { signal });

export function postArticle(body, token) {
  return getJSON('api/articles', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: JSON.stringify(body),
  });
}

export function eventsURL(params, csv) {
  return (csv ? 'api/events.csv?' : 'api/events?') + params.toString();
}

// isAbort tells a request the page dropped on purpose from a failure.
export function isAbort(err) {
  return err && err.name === 'AbortError';
}

// Latest keeps one request of a kind in flight: starting one aborts the
// one before, so an old view's answer never lands after a new one's.
export class Latest {
  constructor() {
    this.ctrl = null;
  }

  next() {
    if (this.ctrl) this.ctrl.abort();
    this.ctrl = new AbortController();
    return this.ctrl.signal;
  }

  current(signal) {
    return this.ctrl && this.ctrl.signal === signal;
  }
}
