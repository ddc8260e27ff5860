package storetest

import (
	"fmt"
	"math/rand/v2"
	"sort"
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

// MergeScale ingests 10,000 articles about 2,000 events into one store
// that open returns empty, one article per transaction as a server does,
// and reports the ingest time per article (merging included) over the
// first, middle and last thousand articles (medians), and the time of an
// /api/events page (the store's answer to a page of the 100 newest events,
// and of the 100 newest inside a bbox) with 1,000 and with 10,000 articles
// stored. Each store's BenchmarkMergeScale runs it once (-benchtime 1x).
func MergeScale(b *testing.B, open func(b *testing.B) Store) {
	const articles, events = 10000, 2000
	for range b.N {
		s := open(b)
		ctx := b.Context()
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
		for i := range articles {
			a, evs := scaleReports(r, i, events)
			reports += len(evs)
			t0 := time.Now()
			if _, err := s.Ingest(ctx, a, evs); err != nil {
				b.Fatal(err)
			}
			per[i] = time.Since(t0)
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
		b.ReportMetric(float64(median(per[:1000]).Microseconds()), "µs/article-first1k")
		b.ReportMetric(float64(median(per[4500:5500]).Microseconds()), "µs/article-mid1k")
		b.ReportMetric(float64(median(per[articles-1000:]).Microseconds()), "µs/article-last1k")
		b.ReportMetric(float64(early.Microseconds()), "µs/page-at1k")
		b.ReportMetric(float64(late.Microseconds()), "µs/page-at10k")
		b.ReportMetric(float64(earlyBox.Microseconds()), "µs/bboxpage-at1k")
		b.ReportMetric(float64(lateBox.Microseconds()), "µs/bboxpage-at10k")
		b.ReportMetric(float64(final.Matched), "events")
		b.ReportMetric(float64(reports), "reports")
	}
}
