package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
)

// benchServer is a server over a store holding n generated events.
func benchServer(b *testing.B, n int) *testServer {
	b.Helper()
	s := newServer(b, serverOptions{})
	a := geo.Article{ID: "bench", Title: "generated", Text: "generated"}
	if _, err := s.store.Ingest(context.Background(), a, storetest.Generate(1, a, n)); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchGet(b *testing.B, s *testServer, target, wantCache string) {
	b.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || (wantCache != "" && w.Header().Get("X-Cache") != wantCache) {
			b.Fatalf("%d %s", w.Code, w.Header().Get("X-Cache"))
		}
	}
}

// The whole request path of a cached answer: routing, parsing, the data
// version read, the cache lookup and the write.
func BenchmarkEventsMemoryHit(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(map[int]string{10: "10events", 10000: "10000events"}[n], func(b *testing.B) {
			benchGet(b, benchServer(b, n), "/api/events?limit=10000", "hit")
		})
	}
}

// What a miss costs to build: the store query and the GeoJSON encoding of
// 10,000 features (a new data version each time would cost the same).
func BenchmarkEventsBuild10000(b *testing.B) {
	s := benchServer(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		page, err := s.store.Events(context.Background(), geo.Filter{Limit: geo.MaxLimit})
		if err != nil || len(page.Events) != 10000 {
			b.Fatal(err)
		}
	}
}

// The domain form encoded through orb and encoding/json, for comparison with
// the handlers' writer (BenchmarkAppendFeatureCollection in package handlers).
func BenchmarkOrbFeatureCollection10000(b *testing.B) {
	a := geo.Article{ID: "bench", Title: "generated", Text: "generated"}
	events := storetest.Generate(1, a, 10000)
	b.ReportAllocs()
	for b.Loop() {
		out, err := json.Marshal(geo.FeatureCollection(events))
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
	}
}
