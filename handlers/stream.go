package handlers

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"conflictmap/geo"
	"conflictmap/handlers/cache"
)

// streamWriteTimeout bounds writing one page of a streamed answer; the
// whole answer may take longer than the server's write timeout.
const streamWriteTimeout = time.Minute

// takeAll reports whether q asks for limit=all, and removes it so that the
// rest of q parses as usual.
func takeAll(q url.Values) bool {
	if vs := q["limit"]; len(vs) == 1 && strings.EqualFold(strings.TrimSpace(vs[0]), "all") {
		delete(q, "limit")
		return true
	}
	return false
}

// streamPage is how many events a stream reads from the store at once:
// a million events streamed in pages of 10,000 peaked at 10-20 MB more of
// the server's memory than in pages of 5,000, as fast; in pages of 2,500
// PostGIS streamed them a fifth slower (BENCHMARKS.md).
const streamPage = 5000

// streamFlushBytes is how much GeoJSON a stream holds before writing it
// on: a page of 5,000 features is some 4 MB.
const streamFlushBytes = 256 << 10

// streamEvents answers every event matching f (from f.Offset on), read
// from the store page by page and written as it comes, as GeoJSON or CSV:
// limit=all on /api/events and /api/events.csv. It bypasses the cache, and
// holds one page at a time: each page after the first starts after the
// last event of the one before (geo.Filter.After), so that the store reads
// only that page's rows, not every row before it. The
// pages must come from one version of the data: when an ingest or a delete
// changes it mid-answer the connection is cut before the end of the body,
// so that the client sees a failed download rather than a silently
// inconsistent one.
func (s *Server) streamEvents(c echo.Context, f geo.Filter, asCSV bool) error {
	r := c.Request()
	ctx := r.Context()
	v0, err := s.cfg.Store.Version(ctx)
	if err != nil {
		return err
	}
	f.Limit = streamPage
	page, err := s.cfg.Store.Events(ctx, f)
	if err != nil {
		return err
	}
	res := c.Response()
	h := res.Header()
	h.Set("X-Cache", "bypass")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if asCSV {
		h.Set("Content-Type", contentCSV)
		h.Set("Content-Disposition", `attachment; filename="conflictmap-events.csv"`)
	} else {
		h.Set("Content-Type", contentGeoJSON)
	}
	var w io.Writer = res
	if cache.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(res, gzip.BestSpeed)
		defer zw.Close()
		w = zw
	}
	rc := http.NewResponseController(res)
	_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	res.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	total := max(0, page.Matched-f.Offset)
	var cw *csv.Writer
	var b []byte
	if asCSV {
		cw = csv.NewWriter(w)
		cw.UseCRLF = true
		_ = cw.Write(csvColumns)
	} else {
		b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
		b = strconv.AppendInt(b, int64(page.Matched), 10)
		b = append(b, `,"numberReturned":`...)
		b = strconv.AppendInt(b, int64(total), 10)
		b = append(b, `,"features":[`...)
	}
	written := 0
	for {
		for _, e := range page.Events {
			if asCSV {
				_ = cw.Write(csvRow(e))
				continue
			}
			if written > 0 {
				b = append(b, ',')
			}
			b = appendFeature(b, e)
			written++
			if len(b) >= streamFlushBytes {
				if _, err = w.Write(b); err != nil {
					return nil // the client left; nothing to answer
				}
				b = b[:0]
			}
		}
		if asCSV {
			cw.Flush()
			err = cw.Error()
		} else {
			_, err = w.Write(b)
			b = b[:0]
		}
		if err != nil {
			return nil // the client left; nothing to answer
		}
		if len(page.Events) < f.Limit {
			break
		}
		last := page.Events[len(page.Events)-1].Key()
		f.After, f.Offset = &last, 0
		page = geo.EventPage{} // not held while the next is read
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		if page, err = s.cfg.Store.Events(ctx, f); err != nil {
			s.log.Warn("limit=all: reading the next page failed; cutting the answer", "after", last.ID, "err", err)
			panic(http.ErrAbortHandler)
		}
		if v, err := s.cfg.Store.Version(ctx); err != nil || v != v0 {
			s.log.Warn("limit=all: the data changed during the answer; cutting it so that the client retries", "after", last.ID, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
	if !asCSV {
		_, _ = w.Write([]byte("]}\n"))
	}
	return nil
}
