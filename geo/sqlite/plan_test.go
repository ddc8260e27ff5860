package sqlite

import (
	"path/filepath"
	"testing"

	"conflictmap/geo/storetest"
)

// BenchmarkBBoxPlan answers the store benchmarks' bbox queries with and
// without the R*Tree lookup, on 10,000 generated events, to show where
// rtreeMaxArea should lie: go test -run '^$' -bench BBoxPlan ./geo/sqlite/
func BenchmarkBBoxPlan(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "conflictmap.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	storetest.Load(b, s, 10000)
	for _, nf := range storetest.BenchFilters() {
		for _, rtree := range []bool{true, false} {
			name := nf.Name + "/rtree"
			if !rtree {
				name = nf.Name + "/no-rtree"
			}
			if useRtree(*nf.Filter.BBox) == rtree {
				name += "(chosen)"
			}
			q := whereRtree(nf.Filter, rtree)
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					if _, err := s.page(b.Context(), nf.Filter, q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
