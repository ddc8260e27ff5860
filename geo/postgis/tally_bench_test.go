package postgis

import (
	"os"
	"strings"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventfile"
	"conflictmap/geo/gazetteer"
)

// BenchmarkTally times a bulk import's tally alone, without PostgreSQL, on
// the events of a file (CONFLICTMAP_BENCH_CSV, e.g. the scale script's
// events-1000000.csv), in the import's batches of 20,000 in list order:
// adding them up (add-s) and making the kept tables' sorted rows
// (tables-s), per run:
//
//	CONFLICTMAP_BENCH_CSV=/tmp/s1/events-1000000.csv go test -run '^$' -bench Tally -benchtime 4x ./geo/postgis/
func BenchmarkTally(b *testing.B) {
	name := os.Getenv("CONFLICTMAP_BENCH_CSV")
	if name == "" {
		b.Skip("CONFLICTMAP_BENCH_CSV names no file of events")
	}
	batches := readBatches(b, name, 20000)
	var adding, sorting time.Duration
	for b.Loop() {
		t := newTally()
		start := time.Now()
		var ord int64
		for _, events := range batches {
			ords := make([]int64, len(events))
			for i := range ords {
				ords[i] = ord
				ord++
			}
			t.addEvents(events, ords)
		}
		added := time.Now()
		t.tables(func(keptTable) {})
		adding += added.Sub(start)
		sorting += time.Since(added)
	}
	b.ReportMetric(adding.Seconds()/float64(b.N), "add-s")
	b.ReportMetric(sorting.Seconds()/float64(b.N), "tables-s")
}

// readBatches reads the events of a file into batches of n in list order,
// with the countries' codes as import finds them.
func readBatches(b *testing.B, name string, n int) [][]geo.Event {
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	gaz, err := gazetteer.Load()
	if err != nil {
		b.Fatal(err)
	}
	code := func(country string) string {
		for _, p := range gaz.Lookup(country) {
			if strings.HasPrefix(p.FeatureCode, "PCL") || p.FeatureCode == "TERR" {
				return p.CountryCode
			}
		}
		return ""
	}
	codes := map[string]string{}
	var batches [][]geo.Event
	var batch []geo.Event
	_, err = eventfile.Read(f, eventfile.Options{CountryCode: func(country string) string {
		c, ok := codes[country]
		if !ok {
			c = code(country)
			codes[country] = c
		}
		return c
	}}, func(r eventfile.Row) error {
		if r.Err == nil {
			batch = append(batch, r.Event)
		}
		if len(batch) == n {
			batches = append(batches, geo.InListOrder(batch))
			batch = nil
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(batch) > 0 {
		batches = append(batches, geo.InListOrder(batch))
	}
	return batches
}
