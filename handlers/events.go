package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/labstack/echo/v4"

	"conflictmap/geo"
	"conflictmap/handlers/cache"
)

// Content types of the answers built from the store.
const (
	contentGeoJSON = "application/geo+json"
	contentJSON    = "application/json"
	contentCSV     = "text/csv; charset=utf-8"
)

// maxIDLen bounds ids taken from the path before they reach the store.
const maxIDLen = 128

// respondCached answers through the cache under key at the current data
// version. The version is read from the store on every
// request, so after an ingest commits no instance serves an older answer,
// whatever happened to the cache meanwhile.
func (s *Server) respondCached(c echo.Context, key cacheKey, build func(ctx context.Context) (cache.Body, error)) error {
	v, err := s.cfg.Store.Version(c.Request().Context())
	if err != nil {
		return fmt.Errorf("reading the data version: %w", err)
	}
	return s.cfg.Cache.Respond(c.Response(), c.Request(), key.String(v), build)
}

// respondEventCollection answers the events matching f as a GeoJSON
// FeatureCollection through the cache. route names the answer's shape in
// the cache key (two routes whose bodies differ must not share it); extra,
// when set, adds top-level members computed from the page (OGC links).
func (s *Server) respondEventCollection(c echo.Context, key cacheKey, f geo.Filter, extra func(geo.EventPage) []member) error {
	key.Filter = &f
	return s.respondCached(c, key, func(ctx context.Context) (cache.Body, error) {
		page, err := s.cfg.Store.Events(ctx, f)
		if err != nil {
			return cache.Body{}, err
		}
		var more []member
		if extra != nil {
			more = extra(page)
		}
		b, err := appendFeatureCollection(make([]byte, 0, 512+1024*len(page.Events)), page, more...)
		if err != nil {
			return cache.Body{}, fmt.Errorf("encoding events: %w", err)
		}
		return cache.Body{ContentType: contentGeoJSON, Data: b}, nil
	})
}

func (s *Server) listEvents(c echo.Context) error {
	f, err := parseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	return s.respondEventCollection(c, cacheKey{Route: "events"}, f, nil)
}

func (s *Server) eventsCSV(c echo.Context) error {
	f, err := parseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	return s.respondEventsCSV(c, f)
}

// respondEventsCSV answers the events matching f as CSV through the cache;
// /api/events.csv and OGC items' f=csv share it, and so one cache entry.
func (s *Server) respondEventsCSV(c echo.Context, f geo.Filter) error {
	c.Response().Header().Set("Content-Disposition", `attachment; filename="conflictmap-events.csv"`)
	return s.respondCached(c, cacheKey{Route: "csv", Filter: &f}, func(ctx context.Context) (cache.Body, error) {
		page, err := s.cfg.Store.Events(ctx, f)
		if err != nil {
			return cache.Body{}, err
		}
		b, err := encodeCSV(page.Events)
		if err != nil {
			return cache.Body{}, fmt.Errorf("encoding CSV: %w", err)
		}
		return cache.Body{ContentType: contentCSV, Data: b}, nil
	})
}

func (s *Server) getEvent(c echo.Context) error {
	id := c.Param("id")
	if len(id) > maxIDLen {
		return geo.Errorf(geo.ENOTFOUND, "no event %.20q...", id)
	}
	return s.respondCached(c, cacheKey{Route: "event", ID: id}, func(ctx context.Context) (cache.Body, error) {
		e, err := s.cfg.Store.Event(ctx, id)
		if err != nil {
			return cache.Body{}, err
		}
		b := appendFeature(make([]byte, 0, 1024), e)
		return cache.Body{ContentType: contentGeoJSON, Data: append(b, '\n')}, nil
	})
}

// stats counts the events of the same filters as /api/events; paging
// parameters are accepted (the page sends the same query) but ignored.
func (s *Server) stats(c echo.Context) error {
	f, err := parseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	f.Limit, f.Offset = 0, 0
	return s.respondCached(c, cacheKey{Route: "stats", Filter: &f}, func(ctx context.Context) (cache.Body, error) {
		st, err := s.cfg.Store.Stats(ctx, f)
		if err != nil {
			return cache.Body{}, err
		}
		for _, p := range []*[]geo.Count{&st.ByType, &st.ByCountry, &st.ByWeek} {
			if *p == nil {
				*p = []geo.Count{}
			}
		}
		b, err := json.Marshal(st)
		if err != nil {
			return cache.Body{}, fmt.Errorf("encoding stats: %w", err)
		}
		return cache.Body{ContentType: contentJSON, Data: append(b, '\n')}, nil
	})
}
