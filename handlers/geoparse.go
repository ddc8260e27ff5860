package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"

	"conflictmap/geo"
)

// Geoparser reads every place mention of a text, as a FeatureCollection
// of one feature per mention.
type Geoparser interface {
	GeoparseFeatures(a geo.Article) (*geojson.FeatureCollection, error)
}

// DefaultGeoparseTimeout bounds the wait for one POST /api/geoparse.
const DefaultGeoparseTimeout = 10 * time.Second

// geoparseRequest is the JSON body of POST /api/geoparse.
type geoparseRequest struct {
	Text      string `json:"text"`
	Published string `json:"published"`
}

// postGeoparse answers the place mentions of a posted text, as JSON
// {"text", "published"} or as text/plain (published in the query). It
// stores nothing. The body is bounded like an article's, and the wait for
// the answer by GeoparseTimeout.
func (s *Server) postGeoparse(c echo.Context) error {
	r := c.Request()
	tooLarge := geo.Errorf(geo.ETOOLARGE, "request body is larger than the %d-byte limit (--max-body)", s.cfg.MaxBody)
	if r.ContentLength > s.cfg.MaxBody {
		return tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge
		}
		return geo.Errorf(geo.EINVALID, "reading the request body: %v", err)
	}
	var req geoparseRequest
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json", "":
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&req); err != nil {
			return geo.Errorf(geo.EINVALID, "malformed JSON body: %s; want {\"text\", \"published\"} or a text/plain body", jsonProblem(err))
		}
		if dec.More() {
			return geo.Errorf(geo.EINVALID, "malformed JSON body: more than one JSON value")
		}
	case "text/plain":
		req.Text, req.Published = string(body), c.QueryParam("published")
	default:
		return echo.NewHTTPError(http.StatusUnsupportedMediaType,
			"Content-Type "+mt+" is not accepted; send application/json {\"text\", \"published\"} or text/plain")
	}
	if strings.TrimSpace(req.Text) == "" {
		return geo.Errorf(geo.EINVALID, "text: missing; the text to geoparse is required")
	}
	published, err := parsePublished(req.Published)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.GeoparseTimeout)
	defer cancel()
	type answer struct {
		fc  *geojson.FeatureCollection
		err error
	}
	done := make(chan answer, 1)
	go func() {
		fc, err := s.cfg.Geoparser.GeoparseFeatures(geo.Article{Published: published, Text: req.Text})
		done <- answer{fc, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "geoparsing took longer than "+s.cfg.GeoparseTimeout.String()+"; send a shorter text")
		}
		return ctx.Err()
	}
	if a.err != nil {
		return a.err
	}
	b, err := json.Marshal(a.fc)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, contentGeoJSON, append(b, '\n'))
}
