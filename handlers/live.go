package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"conflictmap/geo"
	"conflictmap/handlers/cache"
)

// Stream defaults: how often a stream looks at the data version when no
// ingest of this process wakes it (other instances write to the same
// store), how often it sends a keep-alive comment, and how many events one
// message carries before the client is told to reload instead.
const (
	DefaultStreamPoll = time.Second
	streamKeepAlive   = 15 * time.Second
	streamMaxEvents   = 500
	streamRetryMS     = 3000
)

// notifier wakes every waiting stream when this process has ingested.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
	// done is closed when the server shuts down: streams end, so that
	// shutting down does not wait for them.
	done     chan struct{}
	doneOnce sync.Once
}

func newNotifier() *notifier {
	return &notifier{ch: make(chan struct{}), done: make(chan struct{})}
}

// wait returns a channel closed at the next notify.
func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
}

// CloseStreams ends every live event stream (GET /api/events/stream), as
// the server shuts down: clients reconnect elsewhere and resume.
func (s *Server) CloseStreams() {
	s.streams.doneOnce.Do(func() { close(s.streams.done) })
}

// streamMessage is one Server-Sent Event's data: the data version the
// changes are part of, the events written (new, or with new reports) as
// GeoJSON features, and the ids of events that no longer exist.
type streamMessage struct {
	Version int64
	Changed []geo.Event
	Removed []string
}

// liveEvents serves GET /api/events/stream as Server-Sent Events. Each
// message is an "events" event whose id is the data version it brings the
// client to, and whose data is {"version", "changed": [features], "removed":
// [ids]}; a client that reconnects with Last-Event-ID (browsers do it by
// themselves) gets every change after that version, or a "reload" event
// when the store's log no longer reaches back that far. Once a client has
// received an event, every answer of /api/events is at that version or
// newer: the cache keys answers by the version read from the store on each
// request, and the stream announces a version only after its ingest
// committed.
func (s *Server) liveEvents(c echo.Context) error {
	ctx := c.Request().Context()
	last, err := s.streamStart(ctx, c)
	if err != nil {
		return err
	}
	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	write := func(b []byte) error {
		// The server's write timeout bounds each write, not the stream.
		_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	hello := fmt.Sprintf("retry: %d\nid: %d\nevent: hello\ndata: {\"version\":%d}\n\n", streamRetryMS, last, last)
	if err := write([]byte(hello)); err != nil {
		return nil
	}
	poll := s.cfg.StreamPoll
	if poll <= 0 {
		poll = DefaultStreamPoll
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	idle := time.Now()
	for {
		woken := s.streams.wait()
		v, err := s.cfg.Store.Version(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Warn("event stream: reading the data version", "err", err)
		} else if v > last {
			msgs, reload, err := s.streamChanges(ctx, last, v)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.log.Warn("event stream: reading changes", "err", err)
			} else {
				for _, m := range msgs {
					if err := write(m); err != nil {
						return nil
					}
				}
				if reload {
					if err := write(fmt.Appendf(nil, "id: %d\nevent: reload\ndata: {\"version\":%d}\n\n", v, v)); err != nil {
						return nil
					}
				}
				last, idle = v, time.Now()
			}
		}
		if time.Since(idle) >= streamKeepAlive {
			if err := write([]byte(": keep-alive\n\n")); err != nil {
				return nil
			}
			idle = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.streams.done:
			return nil
		case <-woken:
		case <-ticker.C:
		}
	}
}

// streamStart returns the version a stream starts after: Last-Event-ID (or
// the last_event_id parameter, for clients that cannot set headers), else
// the current version.
func (s *Server) streamStart(ctx context.Context, c echo.Context) (int64, error) {
	id := c.Request().Header.Get("Last-Event-ID")
	if id == "" {
		id = c.QueryParam("last_event_id")
	}
	if id = strings.TrimSpace(id); id != "" {
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil || v < 0 {
			return 0, geo.Errorf(geo.EINVALID, "Last-Event-ID: %q is not a data version (a whole number)", id)
		}
		return v, nil
	}
	v, err := s.cfg.Store.Version(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the data version: %w", err)
	}
	return v, nil
}

// streamChanges returns the messages that bring a client from version
// after to version v, one per data version, and reload true when the
// store's log does not reach back to after or the changes are too many to
// send one by one.
func (s *Server) streamChanges(ctx context.Context, after, v int64) ([][]byte, bool, error) {
	changes, complete, err := s.cfg.Store.Changes(ctx, after, streamMaxEvents+1)
	if err != nil {
		return nil, false, err
	}
	if !complete || len(changes) > streamMaxEvents {
		return nil, true, nil
	}
	var msgs [][]byte
	var cur *streamMessage
	flush := func() {
		if cur != nil {
			msgs = append(msgs, encodeStreamMessage(*cur))
		}
	}
	for _, ch := range changes {
		if ch.Version > v {
			break // a later ingest: the next round sends it whole
		}
		if cur == nil || cur.Version != ch.Version {
			flush()
			cur = &streamMessage{Version: ch.Version}
		}
		if ch.Gone {
			cur.Removed = append(cur.Removed, ch.EventID)
			continue
		}
		e, err := s.cfg.Store.Event(ctx, ch.EventID)
		if geo.ErrorCode(err) == geo.ENOTFOUND {
			// Merged away or removed by a later ingest, whose own
			// message will say so.
			continue
		}
		if err != nil {
			return nil, false, err
		}
		cur.Changed = append(cur.Changed, e)
	}
	flush()
	return msgs, false, nil
}

func encodeStreamMessage(m streamMessage) []byte {
	b := fmt.Appendf(nil, "id: %d\nevent: events\ndata: {\"version\":%d,\"changed\":[", m.Version, m.Version)
	for i, e := range m.Changed {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFeature(b, e)
	}
	b = append(b, `],"removed":[`...)
	for i, id := range m.Removed {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, id)
	}
	return append(b, "]}\n\n"...)
}

// getReports answers the reports merged into one event, as extracted,
// earliest first: what an analyst checks a merge against.
func (s *Server) getReports(c echo.Context) error {
	id := c.Param("id")
	if len(id) > maxIDLen {
		return geo.Errorf(geo.ENOTFOUND, "no event %.20q...", id)
	}
	return s.respondCached(c, cacheKey{Route: "reports", ID: id}, func(ctx context.Context) (cache.Body, error) {
		reports, err := s.cfg.Store.Reports(ctx, id)
		if err != nil {
			return cache.Body{}, err
		}
		page := geo.EventPage{Events: reports, Matched: len(reports)}
		b, err := appendFeatureCollection(make([]byte, 0, 512+1024*len(reports)), page)
		if err != nil {
			return cache.Body{}, fmt.Errorf("encoding reports: %w", err)
		}
		return cache.Body{ContentType: contentGeoJSON, Data: b}, nil
	})
}
