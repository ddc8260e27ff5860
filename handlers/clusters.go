package handlers

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"conflictmap/geo"
	"conflictmap/handlers/cache"
)

// parseZoom reads the zoom of a density query: an integer 0..MaxCellZoom.
func parseZoom(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, geo.Errorf(geo.EINVALID, "zoom: missing, want an integer 0..%d (the map's zoom)", geo.MaxCellZoom)
	}
	z, err := strconv.Atoi(s)
	if err != nil || z < 0 || z > geo.MaxCellZoom {
		return 0, geo.Errorf(geo.EINVALID, "zoom: %q is not an integer 0..%d", s, geo.MaxCellZoom)
	}
	return z, nil
}

// clusters answers the density of the events matching the filters of
// /api/events at a map zoom: a FeatureCollection of grid cells (64 pixels
// of a web map at that zoom), each a Point at the mean place of its events
// with the cell's extent as bbox and the count, the counts by event type
// and the sum of known fatalities; numberMatched is their total, the
// numberMatched of the same query on /api/events. limit and offset are
// accepted (the page sends the same query) and ignored.
func (s *Server) clusters(c echo.Context) error {
	q := c.QueryParams()
	if len(q["zoom"]) > 1 {
		return geo.Errorf(geo.EINVALID, "zoom: given %d times, want at most once", len(q["zoom"]))
	}
	zoom, err := parseZoom(q.Get("zoom"))
	if err != nil {
		return err
	}
	f, err := parseFilter(q)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = 0, 0
	key := cacheKey{Route: "clusters", Filter: &f, Params: []string{"zoom=" + strconv.Itoa(zoom)}}
	return s.respondCached(c, key, func(ctx context.Context) (cache.Body, error) {
		cells, err := s.cfg.Store.Cells(ctx, f, zoom)
		if err != nil {
			return cache.Body{}, err
		}
		return cache.Body{ContentType: contentGeoJSON, Data: appendCells(make([]byte, 0, 256+200*len(cells)), zoom, cells)}, nil
	})
}

// appendCells writes the density cells as a GeoJSON FeatureCollection.
func appendCells(b []byte, zoom int, cells []geo.Cell) []byte {
	total := 0
	for _, c := range cells {
		total += c.Count
	}
	b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(cells)), 10)
	b = append(b, `,"zoom":`...)
	b = strconv.AppendInt(b, int64(zoom), 10)
	b = append(b, `,"cellSize":`...)
	b = appendFloat(b, geo.CellSize(zoom))
	b = append(b, `,"features":[`...)
	for i, c := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"Feature","id":"`...)
		b = strconv.AppendInt(b, int64(zoom), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(c.X), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(c.Y), 10)
		b = append(b, `","geometry":{"type":"Point","coordinates":[`...)
		b = appendFloat(b, c.Center[0])
		b = append(b, ',')
		b = appendFloat(b, c.Center[1])
		b = append(b, `]},"bbox":[`...)
		b = appendFloat(b, c.Bound.Min[0])
		b = append(b, ',')
		b = appendFloat(b, c.Bound.Min[1])
		b = append(b, ',')
		b = appendFloat(b, c.Bound.Max[0])
		b = append(b, ',')
		b = appendFloat(b, c.Bound.Max[1])
		b = append(b, `],"properties":{"count":`...)
		b = strconv.AppendInt(b, int64(c.Count), 10)
		b = append(b, `,"fatalities":`...)
		b = strconv.AppendInt(b, int64(c.Fatalities), 10)
		b = append(b, `,"by_type":{`...)
		types := make([]string, 0, len(c.ByType))
		for t := range c.ByType {
			types = append(types, t)
		}
		sort.Strings(types)
		for j, t := range types {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, t)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(c.ByType[t]), 10)
		}
		b = append(b, "}}}"...)
	}
	return append(b, "]}\n"...)
}
