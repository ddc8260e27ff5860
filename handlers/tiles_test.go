package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
)

// A vector tile counts the matching events inside it: summed over the
// tiles of a zoom, the counts are every matching event once.
func TestTilesCountTheEventsInside(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	for _, c := range []struct {
		query string
		f     geo.Filter
	}{{"", geo.Filter{}}, {"?type=Explosions%2FRemote+violence", geo.Filter{Types: []string{geo.ExplosionsRemote}}}} {
		for _, z := range []int{0, 2} {
			total := 0
			for x := 0; x < 1<<z; x++ {
				for y := 0; y < 1<<z; y++ {
					target := fmt.Sprintf("/ogc/collections/events/tiles/WebMercatorQuad/%d/%d/%d%s", z, y, x, c.query)
					w := s.get(target)
					if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
						t.Fatalf("%s: %d %s", target, w.Code, w.Body)
					}
					layers, err := mvt.Unmarshal(w.Body.Bytes())
					if err != nil {
						t.Fatalf("%s: %v", target, err)
					}
					layers.ProjectToWGS84(maptile.New(uint32(x), uint32(y), maptile.Zoom(z)))
					for _, l := range layers {
						if l.Name != "events" {
							t.Errorf("%s: layer %q", target, l.Name)
						}
						for _, f := range l.Features {
							total += int(f.Properties.MustFloat64("count", 0))
						}
					}
				}
			}
			// Web Mercator stops short of the poles: only events within
			// its latitudes are tiled.
			f := c.f
			f.BBox = &geo.BBox{West: -180, South: -85.0511287798066, East: 180, North: 85.0511287798066}
			if want := storetest.Expect(f, all).Matched; total != want {
				t.Errorf("tiles at zoom %d%s count %d events, want %d", z, c.query, total, want)
			}
		}
	}
	var meta struct {
		TileMatrixSetURI string `json:"tileMatrixSetURI"`
		Links            []struct{ Href, Rel, Type string }
	}
	w := s.get("/ogc/collections/events/tiles/WebMercatorQuad")
	if err := json.Unmarshal(w.Body.Bytes(), &meta); err != nil || meta.TileMatrixSetURI == "" {
		t.Fatalf("tileset metadata: %d %s", w.Code, w.Body)
	}
	found := false
	for _, l := range meta.Links {
		found = found || (l.Rel == "item" && l.Type == "application/vnd.mapbox-vector-tile")
	}
	if !found {
		t.Errorf("tileset links %+v lack the tile template", meta.Links)
	}
	for _, bad := range []string{"/ogc/collections/events/tiles/WebMercatorQuad/1/2/0", "/ogc/collections/events/tiles/WebMercatorQuad/x/0/0",
		"/ogc/collections/events/tiles/WebMercatorQuad/0/0/0?bbox=1,2,3,4"} {
		if w := s.get(bad); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, w.Code)
		}
	}
	if w := s.get("/ogc/collections/events/tiles/Other/0/0/0"); w.Code != http.StatusNotFound {
		t.Errorf("unknown tile matrix set: %d, want 404", w.Code)
	}
}
