package feed_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/feed"
	"conflictmap/geo/fetch"
)

// discard is an ingest that stores nothing: it isolates fetching and page
// extraction from event extraction.
type discard struct{}

func (discard) Ingest(context.Context, geo.Article) (int, error) { return 0, nil }

// BenchmarkFeed1000 reads a local feed of 1,000 items with no host delay,
// as BENCHMARKS.md reports it:
//
//	go test -run '^$' -bench Feed1000 -benchtime 3x ./geo/feed/
//
// "pages" fetches every page and extracts its text, title and date;
// "ingest" also extracts the events and stores them in SQLite, as the
// server does. Each iteration starts from an empty store.
func BenchmarkFeed1000(b *testing.B) {
	const n = 1000
	mux := http.NewServeMux()
	var items strings.Builder
	for i := range n {
		fmt.Fprintf(&items, "<item><title>Story %d</title><link>/story/%d</link><guid>story-%d</guid><pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate></item>", i, i, i)
		st := stories[i%len(stories)]
		page := articlePage(fmt.Sprintf("Violence in %s, report %d", st.town, i), st.what, "")
		mux.HandleFunc(fmt.Sprintf("/story/%d", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		})
	}
	body := `<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>` + items.String() + `</channel></rss>`
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, body)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	x, err := loadExtractor()
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"pages", "ingest"} {
		b.Run(mode, func(b *testing.B) {
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				s := openSQLite(b)
				var in feed.Ingester = discard{}
				if mode == "ingest" {
					in = ingester{x, s}
				}
				fc, err := fetch.New(fetch.Options{AllowPrivate: true, HostDelay: -1, UserAgent: "conflictmap/bench"})
				if err != nil {
					b.Fatal(err)
				}
				p := feed.New(feed.Config{Store: s, Fetcher: fc, Ingester: in})
				f, _, err := s.AddFeed(context.Background(), srv.URL+"/feed.xml", 0, "api", time.Now())
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				if _, err := p.PollDue(context.Background()); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				b.StopTimer()
				got, err := s.Feed(context.Background(), f.ID)
				if err != nil {
					b.Fatal(err)
				}
				if got.ItemsSeen != n || got.ItemErrors != 0 || got.LastError != "" {
					b.Fatalf("%d items seen, %d errors (%s %s)", got.ItemsSeen, got.ItemErrors, got.LastError, got.LastItemError)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Minutes(), "articles/min")
		})
	}
}
