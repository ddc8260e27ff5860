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
// server does. Each iteration starts from an empty store. The pages retell
// six stories, all published one day, so "ingest" merges each article into
// one of six events that grow to ~167 reports (the worst case of merging);
// "ingest-spread" reads the same pages from a feed that dates the k-th
// retelling of a story k weeks later, so that each makes its own event,
// as a feed of 1,000 different stories would.
func BenchmarkFeed1000(b *testing.B) {
	const n = 1000
	mux := http.NewServeMux()
	var items, spread strings.Builder
	day := time.Date(2024, 3, 5, 8, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&items, "<item><title>Story %d</title><link>/story/%d</link><guid>story-%d</guid><pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate></item>", i, i, i)
		fmt.Fprintf(&spread, "<item><title>Story %d</title><link>/story/%d</link><guid>story-%d</guid><pubDate>%s</pubDate></item>",
			i, i, i, day.AddDate(0, 0, 7*(i/len(stories))).Format(time.RFC1123Z))
		st := stories[i%len(stories)]
		page := articlePage(fmt.Sprintf("Violence in %s, report %d", st.town, i), st.what, "")
		mux.HandleFunc(fmt.Sprintf("/story/%d", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		})
	}
	for path, list := range map[string]string{"/feed.xml": items.String(), "/spread.xml": spread.String()} {
		body := `<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>` + list + `</channel></rss>`
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, body)
		})
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	x, err := loadExtractor()
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"pages", "ingest", "ingest-spread"} {
		b.Run(mode, func(b *testing.B) {
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				s := openSQLite(b)
				var in feed.Ingester = discard{}
				feedPath := "/feed.xml"
				switch mode {
				case "ingest":
					in = ingester{x, s}
				case "ingest-spread":
					in, feedPath = ingester{x, s}, "/spread.xml"
				}
				fc, err := fetch.New(fetch.Options{AllowPrivate: true, HostDelay: -1, UserAgent: "conflictmap/bench"})
				if err != nil {
					b.Fatal(err)
				}
				p := feed.New(feed.Config{Store: s, Fetcher: fc, Ingester: in})
				f, _, err := s.AddFeed(context.Background(), srv.URL+feedPath, 0, "api", time.Now())
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
