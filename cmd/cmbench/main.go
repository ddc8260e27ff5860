// Command cmbench holds what the server benchmarks in BENCHMARKS.md need
// besides conflictmap itself: a generator that fills an SQLite store with
// reproducible events, and a trivial HTTP handler that serves one fixed
// body, the ceiling a cached answer is compared against.
//
//	cmbench seed --db FILE --events N
//	cmbench gen --events N [--hotspots] > events.csv   (ACLED 2023+ CSV columns)
//	cmbench measure --url BASE [--runs N] [--label L]   (latency of scaleQueries)
//	cmbench static --addr ADDR --body FILE [--gzip] [--content-type T]
//	cmbench ingestload --server URL --token T [--clients 100] [--size 1048576] [--duration 30s]
//	cmbench calibrate [--mb 256] [--rows 200000] [--runs 21]   (how fast this machine is)
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: cmbench seed|gen|measure|static|ingestload|calibrate [flags]")
	}
	switch args[0] {
	case "seed":
		return seed(ctx, args[1:])
	case "static":
		return serveStatic(ctx, args[1:])
	case "ingestload":
		return ingestLoad(ctx, args[1:])
	case "gen":
		return gen(args[1:])
	case "measure":
		return measure(ctx, args[1:])
	case "calibrate":
		return calibrate(ctx, args[1:], os.Stdout)
	}
	return fmt.Errorf("unknown command %q; want seed, static, ingestload, gen, measure or calibrate", args[0])
}

// seed stores n generated events, in articles of 10,000 through the
// store's bulk import, so that a server started on the file answers with
// them.
func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	db := fs.String("db", "", "SQLite file to fill (created if missing)")
	n := fs.Int("events", 10000, "how many events to generate")
	s := fs.Uint64("seed", 1, "random seed; the same seed gives the same events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("seed: --db is required")
	}
	st, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	const batch = 10000
	for done, i := 0, 0; done < *n; i++ {
		a := geo.Article{Title: "Generated events", Published: "2024-12-31", Text: fmt.Sprintf("generated: seed %d, batch %d", *s, i)}
		a.ID = geo.ArticleID("", a.Text)
		evs := storetest.Generate(*s+uint64(i), a, min(batch, *n-done))
		if err := st.Import(ctx, []geo.Article{a}, evs); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		done += len(evs)
		fmt.Fprintf(os.Stderr, "\rstored %d of %d events", done, *n)
	}
	fmt.Fprintf(os.Stderr, "\n")
	fmt.Printf("stored %d events in %s in %s\n", *n, *db, time.Since(start).Round(time.Millisecond))
	return nil
}

// acledColumns are the columns of ACLED's CSV export from 2023 on, which
// gen writes so that the import of a million rows reads the format
// analysts bring.
var acledColumns = []string{"event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
	"sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
	"civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
	"longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp"}

// genCountries are the countries gen's rows name (names the gazetteer
// knows), with a point inside each.
var genCountries = []struct {
	name     string
	lon, lat float64
}{{"Ukraine", 31.2, 49.0}, {"Sudan", 30.0, 15.0}, {"Mali", -2.0, 17.0}, {"Myanmar", 96.0, 21.0},
	{"Nigeria", 8.0, 9.5}, {"Syria", 38.5, 35.0}, {"Yemen", 47.5, 15.5}, {"Mexico", -102.0, 23.5},
	{"Colombia", -73.5, 4.5}, {"Somalia", 45.5, 5.0}, {"Iraq", 43.7, 33.2}, {"Afghanistan", 66.0, 34.0}}

// gen writes n generated events as an ACLED CSV export on stdout: events
// from storetest.Generate (dates, types, actors, notes), placed in twelve
// countries, or with --hotspots mostly (90%) in three small areas of three
// of them, so that density at world zoom is skewed as real data is.
func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	n := fs.Int("events", 1000000, "how many rows")
	s := fs.Uint64("seed", 1, "random seed")
	hot := fs.Bool("hotspots", false, "put 90% of the events in three hotspots")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	cw := csv.NewWriter(w)
	cw.Write(acledColumns)
	r := rand.New(rand.NewPCG(*s, 99))
	// Each hotspot lies in one of genCountries, whose name its rows carry:
	// a place is in one country, as in any export.
	hotspots := []struct {
		lon, lat float64
		country  int
	}{{37.8, 48.0, 0}, {32.5, 15.6, 1}, {44.2, 15.4, 6}}
	a := geo.Article{ID: "gen"}
	row := make([]string, len(acledColumns))
	for done := 0; done < *n; {
		evs := storetest.Generate(*s+uint64(done), a, min(10000, *n-done))
		for _, e := range evs {
			c := genCountries[r.IntN(len(genCountries))]
			lon, lat := c.lon+r.Float64()*6-3, c.lat+r.Float64()*4-2
			if *hot && r.IntN(10) < 9 {
				h := hotspots[r.IntN(len(hotspots))]
				c, lon, lat = genCountries[h.country], h.lon+r.NormFloat64()*0.3, h.lat+r.NormFloat64()*0.3
			}
			date := e.EventDate
			if date == "" {
				date = "2024-06-01"
			}
			fat := ""
			if e.Fatalities != nil {
				fat = strconv.Itoa(*e.Fatalities)
			}
			clear(row)
			row[0] = fmt.Sprintf("GEN%07d", done)
			row[1], row[2], row[3] = date, date[:4], strconv.Itoa(max(1, e.TimePrecision))
			row[4], row[5], row[6] = "Political violence", e.EventType, e.SubEventType
			row[7], row[10] = e.Actor1, e.Actor2
			row[17], row[18], row[21] = c.name, "Region "+e.Location, e.Location
			row[22], row[23] = strconv.FormatFloat(lat, 'f', 4, 64), strconv.FormatFloat(lon, 'f', 4, 64)
			row[24], row[25], row[27], row[28] = strconv.Itoa(max(1, e.GeoPrecision)), "Generated Wire", e.Quote, fat
			cw.Write(row)
			done++
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return w.Flush()
}

// scaleQueries are the requests the scale measurement times: every filter
// alone and some combined, stats, density and a tile.
var scaleQueries = []string{
	"/api/events",
	"/api/events?bbox=36,47,39,49",
	"/api/events?bbox=-20,-40,60,40",
	"/api/events?start=2024-01-01&end=2024-01-31",
	"/api/events?type=Battles",
	"/api/events?type=Battles&country=UA",
	"/api/events?country=SD",
	"/api/events?modality=threatened",
	"/api/events?origin=acled",
	"/api/events?actor=police",
	"/api/events?q=drone",
	"/api/events?q=drone+convoy&country=UA",
	"/api/events?bbox=30,40,50,55&start=2024-01-01&type=Battles&q=strike",
	"/api/events?limit=10000",
	"/api/stats",
	"/api/stats?type=Battles",
	"/api/stats?country=UA",
	"/api/stats?modality=threatened",
	"/api/stats?start=2024-01-01&end=2024-03-31",
	"/api/stats?bbox=36,47,39,49",
	"/api/stats?q=drone",
	"/api/stats?actor=police",
	"/api/clusters?zoom=2",
	"/api/clusters?zoom=6&bbox=30,44,40,52",
	"/api/clusters?zoom=2&type=Battles&start=2024-01-01",
	"/api/clusters?zoom=3&bbox=10,30,60,60",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2",
	// Dates that are not whole weeks, with and without a box, and dates
	// at a zoom finer than the weekly cells.
	"/api/clusters?zoom=2&start=2024-01-03&end=2024-02-15",
	"/api/clusters?zoom=6&bbox=30,44,40,52&start=2024-05-08",
	"/api/events?bbox=36,47,39,49&start=2024-01-03&end=2024-02-15",
	"/api/stats?bbox=36,47,39,49&start=2024-01-03&end=2024-02-15",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49&start=2024-01-01&end=2024-01-31",
	// The stats of a box from a day on, as the page asks for them when a
	// start date is set and no end: the kept cells count no country by
	// week, so that every event of the box since the day is read.
	"/api/stats?bbox=36,47,39,49&start=2024-01-03",
	// The filters GDAL and QGIS send as properties: sub-event types (a
	// common one, the rarest, two together) and precisions, alone and with
	// a country, a type, dates that are not whole weeks and a box.
	"/api/events?sub_event_type=Armed+clash",
	"/api/events?sub_event_type=Agreement&country=UA",
	"/api/events?sub_event_type=Armed+clash&sub_event_type=Peaceful+protest",
	"/api/events?geo_precision=1",
	"/api/events?geo_precision=2&country=UA",
	"/api/events?sub_event_type=Armed+clash&bbox=36,47,39,49",
	"/api/events?sub_event_type=Armed+clash&start=2024-03-06&end=2024-05-22",
	"/api/stats?sub_event_type=Armed+clash",
	"/api/stats?geo_precision=3",
	"/api/stats?geo_precision=2&country=UA&type=Battles&start=2024-03-06&end=2024-05-22",
	"/api/clusters?zoom=2&sub_event_type=Armed+clash",
	// A word with a box, and the density cells of a word (the kept
	// counts per word and cell), and the stats of a word in a box.
	"/api/events?bbox=36,47,39,49&q=drone",
	"/api/events?bbox=30,40,50,55&actor=police",
	"/api/stats?bbox=36,47,39,49&q=drone",
	"/api/clusters?zoom=2&q=drone",
	"/api/clusters?zoom=6&bbox=30,44,40,52&q=drone",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49&q=drone",
	// A word's stats with another box and field, and its density cells at
	// zooms finer than the kept word cells (issue 15, item 3).
	"/api/stats?bbox=36.5,47,39.3,49&actor=police",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&q=drone",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49&actor=police",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&actor=police",
	// Finer than the kept counts per word and cell (level 11), and two
	// words, which they do not count.
	"/api/clusters?zoom=12&bbox=37.6,47.9,37.9,48.1&q=drone",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&q=drone+convoy",
	"/ogc/collections/events/tiles/WebMercatorQuad/2/1/2",
	// Words with a country, a type, dates or a box, with an actor, and
	// their pages far in and stats (issue 15, item 3).
	"/api/events?actor=police&country=UA",
	"/api/events?q=drone&type=Battles",
	"/api/events?q=drone&start=2024-01-01&end=2024-03-31",
	"/api/events?q=drone+convoy&type=Battles&country=UA",
	"/api/events?bbox=-20,-40,60,40&start=2024-01-01&end=2024-06-30&q=drone",
	"/api/events?bbox=30,40,50,55&start=2024-01-01&q=strike",
	"/api/events?actor=police&q=drone",
	"/api/events?actor=police&q=strike&country=UA",
	"/api/events?q=drone+convoy&country=UA&offset=5000",
	"/api/events?bbox=30,40,50,55&start=2024-01-01&type=Battles&q=strike&offset=5000",
	"/api/events?actor=police&country=UA&offset=5000",
	"/api/events?q=drone&type=Battles&offset=5000",
	"/api/events?q=drone&start=2024-01-01&end=2024-03-31&offset=5000",
	"/api/events?q=drone+convoy&type=Battles&country=UA&offset=5000",
	"/api/events?bbox=-20,-40,60,40&start=2024-01-01&end=2024-06-30&q=drone&offset=5000",
	"/api/events?actor=police&q=drone&offset=5000",
	"/api/stats?q=drone+convoy&country=UA",
	"/api/stats?bbox=30,40,50,55&start=2024-01-01&type=Battles&q=strike",
	"/api/stats?actor=police&country=UA",
	"/api/stats?q=drone&type=Battles",
	"/api/stats?q=drone&start=2024-01-01&end=2024-03-31",
	"/api/stats?q=drone+convoy&type=Battles&country=UA",
	"/api/stats?bbox=-20,-40,60,40&start=2024-01-01&end=2024-06-30&q=drone",
	"/api/stats?bbox=30,40,50,55&start=2024-01-01&q=strike",
	"/api/stats?actor=police&q=drone",
	"/api/stats?actor=police&q=strike&country=UA",
	// Sub-event types and precisions with a box, dates, fields and pages
	// far in (issue 15, item 3).
	"/api/stats?sub_event_type=Armed+clash&bbox=36,47,39,49",
	"/api/events?sub_event_type=Armed+clash&sub_event_type=Peaceful+protest&bbox=36,47,39,49",
	"/api/events?sub_event_type=Armed+clash&bbox=36,47,39,49&start=2024-01-03&end=2024-02-15",
	"/api/stats?sub_event_type=Armed+clash&bbox=36,47,39,49&start=2024-01-03&end=2024-02-15",
	"/api/events?geo_precision=1&bbox=36,47,39,49",
	"/api/stats?geo_precision=1&bbox=36,47,39,49",
	"/api/events?geo_precision=2&bbox=36,47,39,49&start=2024-01-03&end=2024-02-15",
	"/api/events?sub_event_type=Armed+clash&country=UA&type=Battles",
	"/api/events?sub_event_type=Armed+clash&q=drone",
	"/api/stats?sub_event_type=Armed+clash&q=drone",
	"/api/events?sub_event_type=Armed+clash&bbox=36,47,39,49&offset=5000",
	"/api/events?sub_event_type=Armed+clash&sub_event_type=Peaceful+protest&offset=5000",
	// The density cells of a sub-event type or a precision (the kept
	// cells per sub-event type and precision), with a box at two zooms,
	// with dates, and in a tile.
	"/api/clusters?zoom=2&geo_precision=1",
	"/api/clusters?zoom=6&bbox=30,44,40,52&geo_precision=3",
	"/api/clusters?zoom=6&bbox=30,44,40,52&sub_event_type=Armed+clash",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49&sub_event_type=Armed+clash",
	"/api/clusters?zoom=2&sub_event_type=Armed+clash&start=2024-03-06&end=2024-05-22",
	// A country's density, as the page draws it once a country is chosen.
	"/api/clusters?zoom=2&country=UA",
	"/api/clusters?zoom=6&bbox=30,44,40,52&country=UA",
	"/api/clusters?zoom=2&type=Battles&country=SD",
	"/api/clusters?zoom=2&start=2024-01-01&end=2024-01-31&country=UA",
	"/ogc/collections/events/tiles/WebMercatorQuad/2/2/1?country=UA",
	"/ogc/collections/events/tiles/WebMercatorQuad/2/1/2?sub_event_type=Armed+clash",
	// The hotspot's centre at zoom 11 with each filter that its kept
	// cells of zooms 9 and finer do not group by: a start date, a type
	// and a start, a sub-event type, a precision, a country.
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&start=2024-01-01",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&type=Battles&start=2024-01-01",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&sub_event_type=Armed+clash",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&geo_precision=1",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&country=UA",
	// At zoom 10 a sub-event type has kept cells (level 10, 0.088°), whose
	// strips along this box's edges hold a third of its events.
	"/api/clusters?zoom=10&bbox=37.5,47.8,38.1,48.2&sub_event_type=Armed+clash",
	// The hotspot's centre in a year and since a day, as the page asks
	// for a view after dates are set: its page, its stats and its density
	// cells, with and without a type, and the wider view at zoom 9.
	"/api/events?bbox=37.5,47.8,38.1,48.2&start=2024-01-01&end=2024-12-31",
	"/api/events?bbox=37.5,47.8,38.1,48.2&start=2024-01-01",
	"/api/stats?bbox=37.5,47.8,38.1,48.2&start=2024-01-01&end=2024-12-31",
	"/api/stats?bbox=37.5,47.8,38.1,48.2&start=2024-01-01",
	"/api/stats?bbox=37.5,47.8,38.1,48.2",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&start=2024-01-01&end=2024-12-31",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&start=2024-01-01&end=2024-12-31&type=Battles",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49&start=2024-01-01&end=2024-12-31",
	// A view at zoom 10 between dates that end mid-week, and a tile of
	// zoom 8 (its cells at zoom 10) over a year: the kept cells by week
	// of level 10, the days at either end and the edges from the events.
	"/api/clusters?zoom=10&bbox=37,47.5,38.5,48.5&start=2024-03-05&end=2024-11-20",
	"/ogc/collections/events/tiles/WebMercatorQuad/8/88/154?datetime=2024-01-01/2024-12-31",
	// An actor's word since a day, three pages in: counted from the kept
	// counts by week, the page walked from the list's start.
	"/api/events?actor=police&start=2024-01-01&offset=3000",
	// A view of zoom 8 in the hotspot as a script or a GIS client asks for
	// it, its box on no cell's edge (the page asks for blocks of whole
	// cells), with and without dates: its cells of level 8 inside, and the
	// strips along its edges.
	"/api/clusters?zoom=8&bbox=36.5,47.99,37.97,48.92",
	"/api/clusters?zoom=8&bbox=36.5,47.99,37.97,48.92&start=2024-01-01&end=2024-12-31",
	// A word since the Saturday before the generated data's busiest day
	// (its undated events are dated 2024-06-01): the week of the start
	// counted whole from the kept counts, and the five days before the
	// start walked and taken away rather than the two from it.
	"/api/events?q=drone&start=2024-06-01",
	"/api/stats?q=drone&start=2024-06-01",
	// Density of a word since a day, at the zooms the page asks for as it
	// zooms into the hotspot: up to zoom 9 from the kept counts per word,
	// cell and week (cell_word_weeks, and cell_word_weeks_coarse up to
	// zoom 5 without a box), or, when the dates leave out few
	// events, the word's kept cells of every date less those outside them;
	// finer, a box's are walked on events_box_walk (PostGIS) or
	// events_point_words (SQLite).
	"/api/clusters?zoom=2&q=drone&start=2024-01-01",
	"/api/clusters?zoom=5&bbox=22.5,45,45,67.5&q=drone&start=2024-01-01", // one of the page's blocks
	"/api/clusters?zoom=6&bbox=30,44,40,52&q=drone&start=2024-05-08",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49&q=drone&start=2024-01-01",
	"/api/clusters?zoom=11&bbox=37.5,47.8,38.1,48.2&q=drone&start=2024-01-01",
	// The same over the last month and week of the data: the dates'
	// entries walked rather than the word's matches or the box's.
	"/api/clusters?zoom=2&q=drone&start=2024-12-01",
	"/api/clusters?zoom=2&q=drone&start=2024-12-01&end=2024-12-07",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49&q=drone&start=2024-12-01",
	// The same since a month into the data (it starts on 2023-01-01):
	// the word's kept cells of every date less its events before the
	// start, walked on the dates' entries.
	"/api/clusters?zoom=2&q=drone&start=2023-02-01",
	"/api/clusters?zoom=9&bbox=36.5,47,39.3,49&q=drone&start=2023-02-01",
}

// measure requests every scale query --runs times in a row and prints a
// Markdown table row per query: p50 and p99 (the slowest but one of 100,
// i.e. the largest of fewer runs), the answer's size and its X-Cache.
func measure(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("measure", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "server base URL")
	runs := fs.Int("runs", 20, "requests per query")
	label := fs.String("label", "", "first column of every row (store, cold or warm)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	for _, q := range scaleQueries {
		var times []time.Duration
		var size int64
		xc, status := "", 0
		for range *runs {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, *base+q, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Accept-Encoding", "gzip")
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			size, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			times = append(times, time.Since(start))
			xc, status = resp.Header.Get("X-Cache"), resp.StatusCode
		}
		slices.Sort(times)
		p := func(f float64) time.Duration { return times[min(len(times)-1, int(f*float64(len(times))))] }
		fmt.Printf("| %s | `%s` | %d | %s | %s | %d | %s |\n", *label, q, status, ms(p(0.5)), ms(p(0.99)), size, xc)
	}
	return nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

// serveStatic answers every request with the same bytes and the headers a
// cached answer carries, doing no other work.
func serveStatic(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("static", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8091", "listen address")
	bodyFile := fs.String("body", "", "file whose bytes every answer carries")
	gz := fs.Bool("gzip", false, "the body is gzip-compressed: send Content-Encoding: gzip")
	ct := fs.String("content-type", "application/geo+json", "Content-Type of the answers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Type", *ct)
		hd.Set("ETag", `"static"`)
		hd.Set("Vary", "Accept-Encoding")
		if *gz {
			hd.Set("Content-Encoding", "gzip")
		}
		w.Write(body)
	})
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	slog.Info("serving fixed body", "addr", *addr, "bytes", len(body), "gzip", *gz)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
