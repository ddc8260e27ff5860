package storetest

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"syscall"
	"testing"
	"time"

	"conflictmap/geo"
)

// scaleReports returns the reports of article i of a corpus of 10,000
// articles about n events: each article reports one or two of the events
// of its time (an event at a place on a day), from one of 40 outlets.
func scaleReports(r *rand.Rand, i, events int) (geo.Article, []geo.Event) {
	url := fmt.Sprintf("https://outlet%d.example/story/%d", r.IntN(40), i)
	text := fmt.Sprintf("story %d", i)
	a := geo.Article{ID: geo.ArticleID(url, text), Title: fmt.Sprintf("Story %d", i), URL: url,
		Published: "2024-12-31", Text: text}
	var out []geo.Event
	for j := range 1 + r.IntN(2) {
		// News follows events as they happen: article i tells one of the
		// events current at its time, so that each event gets some five
		// reports whenever it arrives, and the store only grows.
		ev := min(events-1, i*events/10000+r.IntN(3))
		// Event ev happens at place ev%400 on day ev/400*7 of 2024, so that
		// the events at one place are a week apart and never overlap.
		place := int64(ev%400 + 1)
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (ev/400)*7)
		fat := r.IntN(20)
		out = append(out, geo.Event{
			ID: fmt.Sprintf("%s-%d", a.ID, j), ArticleID: a.ID, Title: a.Title, SourceURL: url, Published: a.Published,
			Point: [2]float64{float64(place%90) / 2, float64(place%60) / 2}, GeonameID: place,
			Location: fmt.Sprintf("Town %d", place), CountryCode: "SY", Country: "Syria", GeoPrecision: geo.GeoTown,
			EventDate: day.Format(geo.DateLayout), EventDateEnd: day.Format(geo.DateLayout), TimePrecision: geo.TimeDay,
			EventType: geo.ExplosionsRemote, SubEventType: "Air/drone strike", Modality: geo.Occurred,
			Fatalities: &fat, Quote: fmt.Sprintf("Sentence about event %d.", ev), Confidence: 0.5,
			ExtractorVersion: "scale",
		})
	}
	return a, out
}

// A Meter counts work done so far (CPU time, buffers read), which
// MergeScale reports per article over the same thousands of articles as
// the ingest time: unlike wall time, the count hardly depends on what else
// the machine runs.
type Meter struct {
	// Unit names the count in the reported metric: Unit/article-first1k.
	Unit string
	// Read returns the count so far.
	Read func() (float64, error)
	// Settle is how long to wait before a reading, for a count that its
	// source publishes late.
	Settle time.Duration
}

// ProcessCPU is a Meter of the CPU time of this process, in microseconds:
// all of an in-process store's work, the client's share of a server's.
func ProcessCPU() Meter {
	return Meter{Unit: "µs-cpu", Read: func() (float64, error) {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0, err
		}
		return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e3, nil
	}}
}

// MergeScale ingests 10,000 articles about 2,000 events into one store
// that open returns empty, one article per transaction as a server does,
// and reports the ingest time per article (merging included) over the
// first, middle and last thousand articles (medians), what each of open's
// meters counts per article over the same thousands (means), and the time
// of an /api/events page (the store's answer to a page of the 100 newest
// events, and of the 100 newest inside a bbox) with 1,000 and with 10,000
// articles stored. Each store's BenchmarkMergeScale runs it once
// (-benchtime 1x).
func MergeScale(b *testing.B, open func(b *testing.B) (Store, []Meter)) {
	const articles, events = 10000, 2000
	// The thousands reported, as [first, last) article numbers.
	blocks := []struct {
		name     string
		from, to int
	}{{"first1k", 0, 1000}, {"mid1k", 4500, 5500}, {"last1k", articles - 1000, articles}}
	for range b.N {
		s, meters := open(b)
		ctx := b.Context()
		// counts[m][i] is meter m's reading before article i, for the
		// first and last article of each block.
		counts := make([]map[int]float64, len(meters))
		for m := range counts {
			counts[m] = map[int]float64{}
		}
		read := func(at int) {
			for m, mt := range meters {
				time.Sleep(mt.Settle)
				v, err := mt.Read()
				if err != nil {
					b.Fatalf("meter %s: %v", mt.Unit, err)
				}
				counts[m][at] = v
			}
		}
		isBound := func(i int) bool {
			for _, bl := range blocks {
				if i == bl.from || i == bl.to {
					return true
				}
			}
			return false
		}
		r := rand.New(rand.NewPCG(14, 2000))
		per := make([]time.Duration, articles)
		// page times a page of the 100 newest events and of the 100 newest
		// at ten places: the same amount of answer whatever the store holds.
		page := func() (all, bbox time.Duration) {
			const runs = 20
			for range runs {
				t0 := time.Now()
				if _, err := s.Events(ctx, geo.Filter{Limit: 100}); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := s.Events(ctx, geo.Filter{BBox: &geo.BBox{West: 0, South: 0, East: 5, North: 5}, Limit: 100}); err != nil {
					b.Fatal(err)
				}
				all += t1.Sub(t0)
				bbox += time.Since(t1)
			}
			return all / runs, bbox / runs
		}
		var early, earlyBox time.Duration
		reports := 0
		read(0)
		for i := range articles {
			a, evs := scaleReports(r, i, events)
			reports += len(evs)
			t0 := time.Now()
			if _, err := s.Ingest(ctx, a, evs); err != nil {
				b.Fatal(err)
			}
			per[i] = time.Since(t0)
			if isBound(i + 1) {
				read(i + 1) // before the pages, whose work is not merging
			}
			if i == 999 {
				early, earlyBox = page()
			}
		}
		late, lateBox := page()
		final, err := s.Events(ctx, geo.Filter{Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		median := func(ds []time.Duration) time.Duration {
			c := append([]time.Duration(nil), ds...)
			sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
			return c[len(c)/2]
		}
		for _, bl := range blocks {
			b.ReportMetric(float64(median(per[bl.from:bl.to]).Microseconds()), "µs/article-"+bl.name)
			for m, mt := range meters {
				b.ReportMetric((counts[m][bl.to]-counts[m][bl.from])/float64(bl.to-bl.from), mt.Unit+"/article-"+bl.name)
			}
		}
		b.ReportMetric(float64(early.Microseconds()), "µs/page-at1k")
		b.ReportMetric(float64(late.Microseconds()), "µs/page-at10k")
		b.ReportMetric(float64(earlyBox.Microseconds()), "µs/bboxpage-at1k")
		b.ReportMetric(float64(lateBox.Microseconds()), "µs/bboxpage-at10k")
		b.ReportMetric(float64(final.Matched), "events")
		b.ReportMetric(float64(reports), "reports")
	}
}
