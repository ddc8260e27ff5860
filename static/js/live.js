// live.js: new events without a reload. The page listens to the server's
// stream of changes (GET api/events/stream, Server-Sent Events); when an
// ingest adds or changes events it asks for the events of the view again,
// and marks the new and changed ones as new (a badge on the marker and in
// the list) until the reader opens them. Where the stream is unavailable
// (an old proxy, a browser without EventSource) it asks every POLL_MS
// instead, and marks what appeared since the last answer.
//
// The stream says which data version it announces; the API answers from
// that version or a newer one (its cache is keyed by the version read from
// the store), so asking again after an announcement always shows the
// announced events.

const POLL_MS = 20000;
// STREAM_DELAY_MS: the stream opens a few seconds after the page has drawn,
// so that a page only glanced at (a link preview, a headless render that
// waits for the network to settle) never holds a long-lived connection; on
// opening, the view is asked for once more, so nothing ingested meanwhile
// is missed.
const STREAM_DELAY_MS = 6000;
const STREAM_FAILURES = 3; // errors in a row before polling instead

// createLive starts listening. reload({announced}) asks for the view's
// events again and resolves when they are drawn: announced is true when
// the server said the data changed, false for a poll that only looks;
// ids() lists the ids on the map now.
export function createLive({ reload, ids }) {
  const fresh = new Set();
  let failures = 0;
  let source = null;
  let pollTimer = null;
  let pending = Promise.resolve();

  function mode(m) {
    document.body.dataset.live = m;
  }

  // queue runs reloads one after the other, so that two announcements in
  // quick succession never race.
  function queue(fn) {
    pending = pending.then(fn, fn);
    return pending;
  }

  const changed = () => reload({ announced: true });

  function announced(data) {
    for (const f of data.changed || []) {
      const id = f && f.properties && f.properties.id;
      if (id) fresh.add(id);
    }
    for (const id of data.removed || []) fresh.delete(id);
    if (typeof data.version === 'number') document.body.dataset.liveVersion = String(data.version);
    return queue(changed);
  }

  function poll() {
    return queue(async () => {
      const before = new Set(ids());
      await reload({ announced: false });
      for (const id of ids()) if (!before.has(id)) fresh.add(id);
    });
  }

  function startPolling() {
    if (pollTimer) return;
    mode('polling');
    pollTimer = setInterval(poll, POLL_MS);
  }

  function startStream() {
    if (typeof EventSource !== 'function') {
      startPolling();
      return;
    }
    source = new EventSource('api/events/stream');
    let first = true;
    source.addEventListener('hello', () => {
      failures = 0;
      mode('stream');
      if (first) poll(); // what was ingested before the stream opened
      first = false;
    });
    source.addEventListener('events', (e) => {
      failures = 0;
      try {
        announced(JSON.parse(e.data));
      } catch {
        queue(changed);
      }
    });
    // The server's log no longer reaches back to what this page saw.
    source.addEventListener('reload', () => queue(changed));
    source.addEventListener('error', () => {
      failures++;
      if (source.readyState === EventSource.CLOSED || failures >= STREAM_FAILURES) {
        source.close();
        source = null;
        startPolling();
      }
    });
  }

  setTimeout(startStream, STREAM_DELAY_MS);
  return {
    isNew: (id) => fresh.has(id),
    // seen stops marking an event once the reader has opened it.
    seen(id) {
      if (!fresh.delete(id)) return;
      for (const node of document.querySelectorAll('[data-event-id="' + CSS.escape(id) + '"]')) node.classList.remove('new-event');
    },
    // decorate marks the list items of new events (markers are marked as
    // they are drawn).
    decorate(root) {
      for (const node of root.querySelectorAll('[data-event-id]')) node.classList.toggle('new-event', fresh.has(node.dataset.eventId));
    },
  };
}
