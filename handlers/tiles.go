package handlers

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"conflictmap/geo"
	"conflictmap/handlers/cache"
)

// The one tile matrix set the events are tiled in, and the answer's type.
const (
	tileMatrixSet    = "WebMercatorQuad"
	tileMatrixSetURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	contentMVT       = "application/vnd.mapbox-vector-tile"
	// tileCellZoom is how much finer than the tile's zoom its density
	// cells are: 2 makes 16 cells across a tile, 16 pixels each.
	tileCellZoom = 2
	maxTileZoom  = geo.MaxCellZoom - tileCellZoom
)

// tileRoutes adds OGC API - Tiles for the events collection: its tilesets,
// the WebMercatorQuad tileset's metadata and its Mapbox Vector Tiles.
func (s *Server) tileRoutes(route func(path string, h echo.HandlerFunc)) {
	route("/ogc/collections/:collection/tiles", s.tilesets)
	route("/ogc/collections/:collection/tiles/:tms", s.tileset)
	route("/ogc/collections/:collection/tiles/:tms/:z/:y/:x", s.tile)
}

func (s *Server) tilesetDoc(base string) map[string]any {
	self := base + "/collections/" + ogcCollectionID + "/tiles/" + tileMatrixSet
	return map[string]any{
		"title":            "Density of the conflict events",
		"description":      "Each tile holds the matching events counted in a 16 by 16 grid of cells (layer \"events\": Points at the mean place of each cell's events, with count, fatalities and a count per event type). Takes the filters of items (type, modality, origin, country, actor, q, datetime).",
		"dataType":         "vector",
		"crs":              "http://www.opengis.net/def/crs/EPSG/0/3857",
		"tileMatrixSetURI": tileMatrixSetURI,
		"tileMatrixSetLimits": func() []map[string]any {
			var out []map[string]any
			for z := 0; z <= maxTileZoom; z++ {
				n := (1 << z) - 1
				out = append(out, map[string]any{"tileMatrix": strconv.Itoa(z), "minTileRow": 0, "maxTileRow": n, "minTileCol": 0, "maxTileCol": n})
			}
			return out
		}(),
		"layers": []map[string]any{{
			"id": "events", "dataType": "vector", "geometryType": "points",
			"minTileMatrix": "0", "maxTileMatrix": strconv.Itoa(maxTileZoom),
			"propertiesSchema": map[string]any{"type": "object", "properties": map[string]any{
				"count":      map[string]any{"type": "integer", "description": "matching events in the cell"},
				"fatalities": map[string]any{"type": "integer", "description": "sum of their known fatalities"},
				"type":       map[string]any{"type": "string", "description": "the most frequent event type in the cell"},
			}},
		}},
		"links": []ogcLink{
			{Href: self, Rel: "self", Type: contentJSON, Title: "This tileset"},
			{Href: self + "/{tileMatrix}/{tileRow}/{tileCol}", Rel: "item", Type: contentMVT, Title: "Mapbox vector tiles of the events"},
			{Href: tileMatrixSetURI, Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", Type: contentJSON, Title: "WebMercatorQuad"},
			{Href: base + "/collections/" + ogcCollectionID, Rel: "collection", Type: contentJSON, Title: "The collection"},
		},
	}
}

func (s *Server) tilesets(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	base := ogcBase(c.Request())
	return s.respondCached(c, cacheKey{Route: "ogc/tilesets", Base: base}, func(context.Context) (cache.Body, error) {
		doc := s.tilesetDoc(base)
		b, err := marshalJSON(map[string]any{"tilesets": []map[string]any{{
			"title": doc["title"], "dataType": "vector", "crs": doc["crs"], "tileMatrixSetURI": tileMatrixSetURI,
			"links": []ogcLink{{Href: base + "/collections/" + ogcCollectionID + "/tiles/" + tileMatrixSet, Rel: "self", Type: contentJSON, Title: "WebMercatorQuad tileset"}},
		}}}, "  ")
		return cache.Body{ContentType: contentJSON, Data: b}, err
	})
}

func checkTMS(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	if c.Param("tms") != tileMatrixSet {
		return geo.Errorf(geo.ENOTFOUND, "no tile matrix set %q; the events are tiled in %s", c.Param("tms"), tileMatrixSet)
	}
	return nil
}

func (s *Server) tileset(c echo.Context) error {
	if err := checkTMS(c); err != nil {
		return err
	}
	base := ogcBase(c.Request())
	return s.respondCached(c, cacheKey{Route: "ogc/tileset", Base: base}, func(context.Context) (cache.Body, error) {
		b, err := marshalJSON(s.tilesetDoc(base), "  ")
		return cache.Body{ContentType: contentJSON, Data: b}, err
	})
}

// tile answers one Mapbox Vector Tile: the density cells (at the tile's
// zoom plus two) of the events inside the tile that match the filters.
func (s *Server) tile(c echo.Context) error {
	if err := checkTMS(c); err != nil {
		return err
	}
	z, err1 := strconv.Atoi(c.Param("z"))
	y, err2 := strconv.Atoi(c.Param("y"))
	x, err3 := strconv.Atoi(c.Param("x"))
	if err1 != nil || err2 != nil || err3 != nil || z < 0 || z > maxTileZoom || y < 0 || x < 0 || y >= 1<<z || x >= 1<<z {
		return geo.Errorf(geo.EINVALID, "tile %s/%s/%s: want tileMatrix 0..%d and tileRow, tileCol within it", c.Param("z"), c.Param("y"), c.Param("x"), maxTileZoom)
	}
	q := c.QueryParams()
	if q.Has("bbox") {
		return geo.Errorf(geo.EINVALID, "bbox: a tile is its own box")
	}
	f, err := parseOGCFilter(q)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = 0, 0
	t := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
	b := t.Bound()
	// The tile's box, its east and north edges just inside so that a point
	// on an edge belongs to one tile only.
	east, north := b.Max[0], b.Max[1]
	if x < 1<<z-1 {
		east = math.Nextafter(east, math.Inf(-1))
	}
	if y > 0 {
		north = math.Nextafter(north, math.Inf(-1))
	}
	f.BBox = &geo.BBox{West: b.Min[0], South: b.Min[1], East: east, North: north}
	key := cacheKey{Route: "tile", Filter: &f, Params: []string{fmt.Sprintf("%d/%d/%d", z, y, x)}}
	return s.respondCached(c, key, func(ctx context.Context) (cache.Body, error) {
		cells, err := s.cfg.Store.Cells(ctx, f, z+tileCellZoom)
		if err != nil {
			return cache.Body{}, err
		}
		fc := geojson.NewFeatureCollection()
		for _, cell := range cells {
			ft := geojson.NewFeature(orb.Point(cell.Center))
			ft.ID = uint64(cell.Y)<<32 | uint64(cell.X)
			top, n := "", 0
			for typ, k := range cell.ByType {
				if k > n || (k == n && typ < top) {
					top, n = typ, k
				}
			}
			ft.Properties = geojson.Properties{"count": cell.Count, "fatalities": cell.Fatalities, "type": top}
			for typ, k := range cell.ByType {
				ft.Properties["n_"+typ] = k
			}
			fc.Append(ft)
		}
		layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{"events": fc})
		layers.ProjectToTile(t)
		data, err := mvt.Marshal(layers)
		if err != nil {
			return cache.Body{}, fmt.Errorf("encoding tile: %w", err)
		}
		return cache.Body{ContentType: contentMVT, Data: data}, nil
	})
}
