package storetest

import (
	"fmt"
	"testing"

	"conflictmap/geo"
)

// Load ingests n generated events into s, as articles of 20 events each, and
// returns them.
func Load(tb testing.TB, s Store, n int) []geo.Event {
	tb.Helper()
	var all []geo.Event
	for i := 0; len(all) < n; i++ {
		a := geo.Article{ID: fmt.Sprintf("load-%05d", i), Title: "Generated", Published: "2024-12-31", Text: "generated"}
		evs := Generate(uint64(i+1), a, min(20, n-len(all)))
		if _, err := s.Ingest(tb.Context(), a, evs); err != nil {
			tb.Fatal(err)
		}
		all = append(all, evs...)
	}
	return all
}

// BenchFilters are the queries the Events benchmarks time on 10,000
// generated events: a region and a year, which matches some hundreds; and
// most of the world over eighteen months, which fills a page of 1000.
func BenchFilters() []NamedFilter {
	return []NamedFilter{
		{"region-year", geo.Filter{BBox: &geo.BBox{West: 25, South: 10, East: 65, North: 45}, Start: "2024-01-01", End: "2024-12-31", Limit: 1000}},
		{"full-page", geo.Filter{BBox: &geo.BBox{West: -180, South: -60, East: 180, North: 60}, Start: "2023-07-01", End: "2024-12-31", Limit: 1000}},
	}
}

// NamedFilter is a filter with a name for a benchmark.
type NamedFilter struct {
	Name   string
	Filter geo.Filter
}

// Bench runs the store benchmarks: Ingest of a 20-event article, Events with
// a bbox and date filter and limit 1000 on 10,000 generated events, and
// Version, which is read on every request to key the response cache. open
// returns a new, empty store.
func Bench(b *testing.B, open func(b *testing.B) Store) {
	b.Run("Ingest20", func(b *testing.B) {
		s := open(b)
		ctx := b.Context()
		a := geo.Article{Title: "Benchmark", Published: "2024-12-31", Text: "benchmark article"}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a.ID = fmt.Sprintf("bench-%07d", i)
			i++
			evs := Generate(uint64(i), a, 20)
			if _, err := s.Ingest(ctx, a, evs); err != nil {
				b.Fatal(err)
			}
		}
	})

	s := open(b)
	Load(b, s, 10000)
	for _, nf := range BenchFilters() {
		name, f := nf.Name, nf.Filter
		b.Run("Events10k/"+name, func(b *testing.B) {
			ctx := b.Context()
			b.ReportAllocs()
			var matched, returned int
			for b.Loop() {
				page, err := s.Events(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				matched, returned = page.Matched, len(page.Events)
			}
			b.ReportMetric(float64(matched), "matched")
			b.ReportMetric(float64(returned), "returned")
		})
		b.Run("Events10k/"+name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Events(b.Context(), f); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	b.Run("Stats10k", func(b *testing.B) {
		f := BenchFilters()[1].Filter
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Stats(b.Context(), f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Version", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Version(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Version/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Version(b.Context()); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
