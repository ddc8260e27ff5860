package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
)

// ogcBenchServer is a server over a store of 10,000 generated events.
func ogcBenchServer(b *testing.B) *testServer {
	b.Helper()
	s := newServer(b, serverOptions{})
	a := geo.Article{ID: "bench", Title: "generated", Text: "generated"}
	if _, err := s.store.Ingest(context.Background(), a, storetest.Generate(1, a, 10000)); err != nil {
		b.Fatal(err)
	}
	return s
}

// ogcBench serves target(i) on every iteration and checks the cache's
// verdict.
func ogcBench(b *testing.B, s *testServer, target func(i int) string, wantCache string) {
	b.Helper()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, target(i), nil)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || w.Header().Get("X-Cache") != wantCache {
			b.Fatalf("%s: %d %s", target(i), w.Code, w.Header().Get("X-Cache"))
		}
		i++
	}
}

// A cached page of 1,000 features, through /ogc and through /api/events:
// the difference is what the OGC layer adds to a hit (parameter checks,
// format negotiation, the base URL).
func BenchmarkOGCItemsHit(b *testing.B) {
	s := ogcBenchServer(b)
	for name, target := range map[string]string{
		"ogc":    "/ogc/collections/events/items?limit=1000",
		"events": "/api/events?limit=1000",
	} {
		b.Run(name, func(b *testing.B) {
			if w := s.get(target); w.Code != http.StatusOK {
				b.Fatalf("%s: %d", target, w.Code)
			}
			ogcBench(b, s, func(int) string { return target }, "hit")
		})
	}
}

// A miss: the store query for a page of 1,000 features and its encoding
// with links (GeoJSON) or as an HTML table; each iteration asks a page no
// earlier one did.
func BenchmarkOGCItemsMiss(b *testing.B) {
	s := ogcBenchServer(b)
	for _, f := range []string{"json", "html"} {
		b.Run(f, func(b *testing.B) {
			ogcBench(b, s, func(i int) string {
				return "/ogc/collections/events/items?limit=1000&f=" + f + "&offset=" + strconv.Itoa(i%9000)
			}, "miss")
		})
	}
}
