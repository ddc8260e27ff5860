package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

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

// listEvents answers a page of events; a partial page says so with its
// counts and a next link (absolute, as in OGC items, so the body's cache
// key carries the base URL). limit=all streams every matching event.
func (s *Server) listEvents(c echo.Context) error {
	q, err := apiQuery(c.Request())
	if err != nil {
		return err
	}
	all := takeAll(q)
	f, err := parseFilter(q)
	if err != nil {
		return err
	}
	if all {
		return s.streamEvents(c, f, false)
	}
	base := strings.TrimSuffix(ogcBase(c.Request()), "/ogc")
	return s.respondEventCollection(c, cacheKey{Route: "events", Base: base}, f, func(page geo.EventPage) []member {
		return []member{{Name: "links", Value: eventsLinks(base, f, page)}}
	})
}

// eventsLinks are the links of a page of /api/events: self, next while
// more events match, prev after the first page.
func eventsLinks(base string, f geo.Filter, page geo.EventPage) []ogcLink {
	at := func(offset int) string {
		g := f
		g.Offset = offset
		return base + "/api/events?" + canonicalQuery(g)
	}
	links := []ogcLink{{Href: at(f.Offset), Rel: "self", Type: contentGeoJSON, Title: "This page"}}
	if f.Offset+len(page.Events) < page.Matched {
		links = append(links, ogcLink{Href: at(f.Offset + f.Limit), Rel: "next", Type: contentGeoJSON, Title: "Next page"})
	}
	if f.Offset > 0 {
		links = append(links, ogcLink{Href: at(max(0, f.Offset-f.Limit)), Rel: "prev", Type: contentGeoJSON, Title: "Previous page"})
	}
	return links
}

func (s *Server) eventsCSV(c echo.Context) error {
	q, err := apiQuery(c.Request())
	if err != nil {
		return err
	}
	all := takeAll(q)
	f, err := parseFilter(q)
	if err != nil {
		return err
	}
	if all {
		return s.streamEvents(c, f, true)
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
	q, err := apiQuery(c.Request())
	if err != nil {
		return err
	}
	takeAll(q)
	f, err := parseFilter(q)
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
