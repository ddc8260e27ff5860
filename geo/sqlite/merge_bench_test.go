package sqlite_test

import (
	"path/filepath"
	"testing"

	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
)

// BenchmarkMergeScale ingests 10,000 articles about 2,000 events into one
// store (storetest.MergeScale says what it measures), with the CPU time of
// the process (all of the store's work) per article. Run it once:
//
//	go test -run '^$' -bench MergeScale -benchtime 1x ./geo/sqlite/
func BenchmarkMergeScale(b *testing.B) {
	storetest.MergeScale(b, func(b *testing.B) (storetest.Store, []storetest.Meter) {
		s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "scale.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s, []storetest.Meter{storetest.ProcessCPU()}
	})
}
