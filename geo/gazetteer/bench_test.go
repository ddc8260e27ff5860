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

// BenchmarkLoadVillages reads one country's village file on top of a
// loaded core tier (what the first article about that country pays);
// heap-MB is what the country adds to the live heap. "all" reads every
// country.
func BenchmarkLoadVillages(b *testing.B) {
	for _, cc := range []string{"SY", "NG", "PK", "all"} {
		b.Run(cc, func(b *testing.B) {
			var heap uint64
			for b.Loop() {
				b.StopTimer()
				g, err := gazetteer.Load()
				if err != nil {
					b.Fatal(err)
				}
				ccs := []string{cc}
				if cc == "all" {
					ccs = g.VillageCountries()
				}
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				b.StartTimer()
				for _, c := range ccs {
					if err := g.LoadVillages(c); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				runtime.GC()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				heap = after.HeapAlloc - before.HeapAlloc
				runtime.KeepAlive(g)
				b.StartTimer()
			}
			b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
		})
	}
}

// BenchmarkLookupVillage looks up village names in a loaded country, with
// and without a province to agree with, and a miss.
func BenchmarkLookupVillage(b *testing.B) {
	g := gaz(b)
	if err := g.LoadVillages("NG"); err != nil {
		b.Fatal(err)
	}
	qs := [][]string{{"Shirigari"}, {"Yakawada", "Kaduna State"}, {"Wuro Sani"}, {"Nowhereville"}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := qs[i%len(qs)]
		if _, err := g.LookupVillage(q[0], "NG", q[1:]...); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
