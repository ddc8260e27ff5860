package gazetteer_test

import (
	"runtime"
	"testing"

	"conflictmap/geo/gazetteer"
)

// BenchmarkLoad decodes the embedded gazetteer; heap-MB is the live heap
// after a load, with the gazetteer still referenced.
func BenchmarkLoad(b *testing.B) {
	var heap uint64
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		g, err := gazetteer.Load()
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(g)
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
}

// BenchmarkLookup looks up a mix of names: ambiguous, alternate spellings,
// multi-word, and misses.
func BenchmarkLookup(b *testing.B) {
	g := gaz(b)
	names := []string{"Washington", "Rafah", "Sana'a", "Kharkov", "Red Sea", "Bab el-Mandeb", "Paris", "Jordan", "Netanyahu", "Police"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		g.Lookup(names[i%len(names)])
		i++
	}
}
