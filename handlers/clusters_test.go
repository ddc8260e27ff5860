package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
)

// Every matching event is counted in exactly one cell at every zoom: the
// cells add up to numberMatched of the same query on /api/events, and each
// cell holds what the reference model puts in it.
func TestClustersCountEveryMatchingEvent(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	for _, c := range []struct {
		query string
		f     geo.Filter
	}{
		{"", geo.Filter{}},
		{"type=Explosions%2FRemote+violence&limit=1", geo.Filter{Types: []string{geo.ExplosionsRemote}}},
		{"bbox=170,-20,-170,-10", geo.Filter{BBox: &geo.BBox{West: 170, South: -20, East: -170, North: -10}}},
		{"country=UA&start=2024-02-20", geo.Filter{Country: "UA", Start: "2024-02-20"}},
	} {
		var events struct {
			NumberMatched int `json:"numberMatched"`
		}
		if w := s.get("/api/events?" + c.query); json.Unmarshal(w.Body.Bytes(), &events) != nil {
			t.Fatalf("/api/events?%s: %d %s", c.query, w.Code, w.Body)
		}
		for _, zoom := range []int{0, 3, 9} {
			target := "/api/clusters?zoom=" + string(rune('0'+zoom)) + "&" + c.query
			w := s.get(target)
			var fc struct {
				NumberMatched int `json:"numberMatched"`
				Features      []struct {
					Geometry struct {
						Coordinates [2]float64 `json:"coordinates"`
					} `json:"geometry"`
					BBox       [4]float64 `json:"bbox"`
					Properties struct {
						Count      int            `json:"count"`
						Fatalities int            `json:"fatalities"`
						ByType     map[string]int `json:"by_type"`
					} `json:"properties"`
				} `json:"features"`
			}
			if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/geo+json") {
				t.Fatalf("%s: %d %s", target, w.Code, w.Body)
			}
			if err := json.Unmarshal(w.Body.Bytes(), &fc); err != nil {
				t.Fatalf("%s: %v", target, err)
			}
			sum := 0
			for _, f := range fc.Features {
				sum += f.Properties.Count
			}
			if sum != events.NumberMatched || fc.NumberMatched != events.NumberMatched {
				t.Errorf("%s: cells count %d (numberMatched %d), /api/events matched %d", target, sum, fc.NumberMatched, events.NumberMatched)
			}
			want := storetest.ExpectCells(c.f, zoom, all)
			if len(want) != len(fc.Features) {
				t.Errorf("%s: %d cells, want %d", target, len(fc.Features), len(want))
				continue
			}
			for i, wc := range want {
				g := fc.Features[i]
				if g.Properties.Count != wc.Count || g.Properties.Fatalities != wc.Fatalities || len(g.Properties.ByType) != len(wc.ByType) ||
					g.BBox != [4]float64{wc.Bound.Min[0], wc.Bound.Min[1], wc.Bound.Max[0], wc.Bound.Max[1]} || !wc.Bound.Contains(g.Geometry.Coordinates) {
					t.Errorf("%s: cell %d is %+v, want %+v", target, i, g, wc)
				}
				for typ, n := range wc.ByType {
					if g.Properties.ByType[typ] != n {
						t.Errorf("%s: cell %d has %d %s, want %d", target, i, g.Properties.ByType[typ], typ, n)
					}
				}
			}
		}
	}
	for _, bad := range []string{"/api/clusters", "/api/clusters?zoom=x", "/api/clusters?zoom=23", "/api/clusters?zoom=1&zoom=2", "/api/clusters?zoom=2&type=Nope"} {
		if w := s.get(bad); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"error"`) {
			t.Errorf("%s: %d %s, want 400 with an error", bad, w.Code, w.Body)
		}
	}
}
