package postgis_test

import (
	"testing"

	"conflictmap/geo/storetest"
)

// BenchmarkMergeScale is geo/sqlite's BenchmarkMergeScale on PostGIS: 10,000
// articles about 2,000 events into one schema (storetest.MergeScale says
// what it measures). Run it once:
//
//	go test -run '^$' -bench MergeScale -benchtime 1x ./geo/postgis/
func BenchmarkMergeScale(b *testing.B) {
	storetest.MergeScale(b, func(b *testing.B) storetest.Store { return open(b, newSchema(b)) })
}
