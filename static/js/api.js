// api.js: the page's client of the conflictmap API. Every call can be
// aborted (a newer view or filter replaces an older request), and an
// error carries the server's {"error": "..."} message and status.

export class APIError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function getJSON(url, init) {
  const r = await fetch(url, init);
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
export const clusters = (params, signal) => getJSON('api/clusters?' + params.toString(), { signal });
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
