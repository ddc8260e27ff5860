package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"

	"github.com/paulmach/orb"
)

// bulkStore imports through a bulk import of its own per call.
type bulkStore struct{ *sqlite.Store }

func (s bulkStore) Import(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	b, err := s.BeginBulk(ctx)
	if err != nil {
		return err
	}
	defer b.Rollback()
	// Two batches, so that the second finds the first's rows.
	half := len(events) / 2
	if err := b.Add(ctx, articles, events[:half]); err != nil {
		return err
	}
	if err := b.Add(ctx, articles, events[half:]); err != nil {
		return err
	}
	return b.Commit(ctx)
}

// The kept counts follow a bulk import's inserts and replacements.
func TestBulkImportCounts(t *testing.T) {
	t.Parallel()
	storetest.ImportCounts(t, bulkStore{open(t, filepath.Join(t.TempDir(), "db.sqlite"))})
}

// checkIndexes runs the R*Tree's and the full-text index's own checks.
func checkIndexes(t *testing.T, path, when string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("SELECT rtreecheck('events_rtree')").Scan(&check); err != nil || check != "ok" {
		t.Errorf("%s: rtreecheck: %q, %v", when, check, err)
	}
	if _, err := db.Exec("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')"); err != nil {
		t.Errorf("%s: full-text index: %v", when, err)
	}
	var rtree, fts, events int
	if err := db.QueryRow("SELECT (SELECT count(*) FROM events_rtree), (SELECT count(*) FROM events_fts_docsize), (SELECT count(*) FROM events)").
		Scan(&rtree, &fts, &events); err != nil {
		t.Fatal(err)
	}
	if rtree != events || fts != events {
		t.Errorf("%s: %d events, %d in the R*Tree, %d in the full-text index", when, events, rtree, fts)
	}
}

// A bulk import beside extracted and imported events: it adds events,
// replaces events stored before (extracted or imported) and events of its
// own earlier batches, and its events answer every kind of query as the
// model says; the indexes and triggers it dropped are back, and the
// R*Tree and full-text index hold every event once. A bulk import that is
// rolled back leaves nothing.
func TestBulkImport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		before  int // imported events stored before the bulk import
		batches int
	}{{"into a store of a few events (the R*Tree packed)", 40, 3}, {"into a larger store (the R*Tree inserted into)", 600, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "db.sqlite")
			s := open(t, path)
			schema := schemaOf(t, path)
			extracted := geo.Article{ID: "extracted", Title: "Extracted", Text: "Text."}
			ingested := storetest.Generate(1, extracted, 30)
			if _, err := s.Ingest(ctx, extracted, ingested); err != nil {
				t.Fatal(err)
			}
			file := geo.Article{ID: "file", Title: "Imported"}
			first := storetest.Generate(2, file, tc.before)
			for i := range first {
				first[i].ID += "-first"
				first[i].Origin = geo.OriginImport
			}
			if err := s.Import(ctx, []geo.Article{file}, first); err != nil {
				t.Fatal(err)
			}
			byID := map[string]geo.Event{}
			for _, e := range append(append([]geo.Event(nil), ingested...), first...) {
				e.ArticleID = cmpOr(e.ArticleID, extracted.ID)
				byID[e.ID] = e
			}
			stored, err := s.Events(ctx, geo.Filter{Limit: geo.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range stored.Events {
				byID[e.ID] = e // as stored, with what the store fills in
			}

			b, err := s.BeginBulk(ctx)
			if err != nil {
				t.Fatal(err)
			}
			bulk := storetest.Generate(3, file, 150)
			for i := range bulk {
				bulk[i].Origin = geo.OriginACLED
				switch {
				case i < 10: // replaces an extracted event
					bulk[i].ID = ingested[i].ID
				case i < 20: // replaces an imported one
					bulk[i].ID = first[i].ID
				}
			}
			var batches [][]geo.Event
			per := len(bulk) / tc.batches
			for i := 0; i < len(bulk); i += per {
				batches = append(batches, bulk[i:min(len(bulk), i+per)])
			}
			// The last batch repeats events of the first with changes.
			again := append([]geo.Event(nil), bulk[25:35]...)
			for i := range again {
				again[i].EventType, again[i].SubEventType, again[i].CountryCode = "Protests", "Peaceful protest", "FR"
				again[i].Point = orb.Point{2.35, 48.85}
				again[i].Quote = "renewed protest downtown"
			}
			batches = append(batches, again)
			for _, batch := range batches {
				if err := b.Add(ctx, []geo.Article{file}, batch); err != nil {
					t.Fatal(err)
				}
				for _, e := range batch {
					byID[e.ID] = e
				}
			}
			if err := b.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if got := schemaOf(t, path); !reflect.DeepEqual(got, schema) {
				t.Errorf("after the bulk import the schema is\n%v\nwant\n%v", got, schema)
			}
			checkIndexes(t, path, "after the bulk import")
			checkFineCells(t, path, "after the bulk import")
			storetest.CheckCells(t, s, "after the bulk import")
			var all []geo.Event
			for _, e := range byID {
				all = append(all, e)
			}
			for _, f := range []geo.Filter{{}, {Q: "renewed protest"}, {Q: bulk[60].Quote}, {Actor: bulk[70].Actor1},
				{BBox: &geo.BBox{West: 2, South: 48, East: 3, North: 49}}, {BBox: &geo.BBox{West: -10, South: -10, East: 40, North: 60}},
				{Country: "FR"}, {Types: []string{"Protests"}}, {Origins: []string{geo.OriginACLED}}, {Start: "2024-03-01", End: "2024-06-30"}} {
				f.Limit = geo.MaxLimit
				page, err := s.Events(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want := storetest.Expect(f, all)
				if page.Matched != want.Matched || !reflect.DeepEqual(ids(page.Events), ids(want.Events)) {
					t.Errorf("%+v: matched %d %v, want %d %v", f, page.Matched, ids(page.Events), want.Matched, ids(want.Events))
				}
				st, err := s.Stats(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if w := storetest.ExpectStats(f, all); !reflect.DeepEqual(st, w) {
					t.Errorf("%+v: stats %+v, want %+v", f, st, w)
				}
			}

			// Rolled back: nothing of it is stored.
			b, err = s.BeginBulk(ctx)
			if err != nil {
				t.Fatal(err)
			}
			more := storetest.Generate(4, file, 50)
			for i := range more {
				more[i].ID += "-more"
			}
			if err := b.Add(ctx, []geo.Article{file}, more); err != nil {
				t.Fatal(err)
			}
			if err := b.Rollback(); err != nil {
				t.Fatal(err)
			}
			page, err := s.Events(ctx, geo.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if page.Matched != len(all) {
				t.Errorf("after a rolled back bulk import %d events, want %d", page.Matched, len(all))
			}
			if got := schemaOf(t, path); !reflect.DeepEqual(got, schema) {
				t.Errorf("after a rolled back bulk import the schema is\n%v\nwant\n%v", got, schema)
			}
			checkIndexes(t, path, "after a rolled back bulk import")
		})
	}
}

// checkFineCells compares the groups of cell_fine, cell_types,
// cell_fine_weeks, cell_country_weeks and cell_countries that hold events with those of the events themselves, at
// every level: the counts and fatalities alike, the sums of the points
// within rounding.
func checkFineCells(t *testing.T, path, when string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var kept, want, wrong int
	err = db.QueryRow(`WITH want AS (
			SELECT l.level, min(CAST((e.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1) AS x,
				min(CAST((e.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) AS y, e.event_type, e.modality, e.origin, e.geo_precision,
				count(*) AS n, coalesce(sum(e.fatalities), 0) AS fatalities, sum(e.lon) AS sum_lon, sum(e.lat) AS sum_lat
			FROM events e, cell_fine_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT (SELECT count(*) FROM cell_fine WHERE n <> 0), (SELECT count(*) FROM want),
			(SELECT count(*) FROM want w LEFT JOIN cell_fine c USING (level, x, y, event_type, modality, origin, geo_precision)
			WHERE c.n IS NOT w.n OR c.fatalities IS NOT w.fatalities OR abs(c.sum_lon - w.sum_lon) > 1e-6 OR abs(c.sum_lat - w.sum_lat) > 1e-6)`).
		Scan(&kept, &want, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if kept != want || wrong != 0 {
		t.Errorf("%s: cell_fine holds %d groups of events, want %d; %d of them wrong", when, kept, want, wrong)
	}
	err = db.QueryRow(`WITH want AS (
			SELECT l.level, min(CAST((e.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1) AS x,
				min(CAST((e.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) AS y, e.event_type,
				coalesce(date(e.event_date, 'weekday 0', '-6 days'), '') AS week,
				coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), '') AS week_last, e.modality, e.origin,
				count(*) AS n, coalesce(sum(e.fatalities), 0) AS fatalities, sum(e.lon) AS sum_lon, sum(e.lat) AS sum_lat
			FROM events e, cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7, 8)
		SELECT (SELECT count(*) FROM cell_types WHERE n <> 0), (SELECT count(*) FROM want),
			(SELECT count(*) FROM want w LEFT JOIN cell_types c USING (level, x, y, event_type, week, week_last, modality, origin)
			WHERE c.n IS NOT w.n OR c.fatalities IS NOT w.fatalities OR abs(c.sum_lon - w.sum_lon) > 1e-6 OR abs(c.sum_lat - w.sum_lat) > 1e-6)`).
		Scan(&kept, &want, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if kept != want || wrong != 0 {
		t.Errorf("%s: cell_types holds %d groups of events, want %d; %d of them wrong", when, kept, want, wrong)
	}
	err = db.QueryRow(`WITH want AS (
			SELECT l.level, min(CAST((e.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1) AS x,
				min(CAST((e.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) AS y, e.event_type,
				coalesce(date(e.event_date, 'weekday 0', '-6 days'), '') AS week,
				coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), '') AS week_last, e.modality, e.origin,
				count(*) AS n, coalesce(sum(e.fatalities), 0) AS fatalities, sum(e.lon) AS sum_lon, sum(e.lat) AS sum_lat
			FROM events e, (SELECT 10 AS level, 4096.0 AS n, 4096 AS cols UNION ALL SELECT 11, 8192.0, 8192) l GROUP BY 1, 2, 3, 4, 5, 6, 7, 8)
		SELECT (SELECT count(*) FROM cell_fine_weeks WHERE n <> 0), (SELECT count(*) FROM want),
			(SELECT count(*) FROM want w LEFT JOIN cell_fine_weeks c USING (level, x, y, event_type, week, week_last, modality, origin)
			WHERE c.n IS NOT w.n OR c.fatalities IS NOT w.fatalities OR abs(c.sum_lon - w.sum_lon) > 1e-6 OR abs(c.sum_lat - w.sum_lat) > 1e-6)`).
		Scan(&kept, &want, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if kept != want || wrong != 0 {
		t.Errorf("%s: cell_fine_weeks holds %d groups of events, want %d; %d of them wrong", when, kept, want, wrong)
	}
	err = db.QueryRow(`WITH want AS (
			SELECT l.level, min(CAST((e.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1) AS x,
				min(CAST((e.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) AS y, e.country_code,
				coalesce(date(e.event_date, 'weekday 0', '-6 days'), '') AS week,
				coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), '') AS week_last, count(*) AS n
			FROM events e, (SELECT level, n, cols FROM cell_levels UNION ALL SELECT 10, 4096.0, 4096) l GROUP BY 1, 2, 3, 4, 5, 6)
		SELECT (SELECT count(*) FROM cell_country_weeks WHERE n <> 0), (SELECT count(*) FROM want),
			(SELECT count(*) FROM want w LEFT JOIN cell_country_weeks c USING (level, x, y, country_code, week, week_last)
			WHERE c.n IS NOT w.n)`).
		Scan(&kept, &want, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if kept != want || wrong != 0 {
		t.Errorf("%s: cell_country_weeks holds %d groups of events, want %d; %d of them wrong", when, kept, want, wrong)
	}
	err = db.QueryRow(`WITH want AS (
			SELECT l.level, min(CAST((e.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1) AS x,
				min(CAST((e.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) AS y, e.event_type, e.country_code, e.modality, e.origin,
				count(*) AS n
			FROM events e, cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT (SELECT count(*) FROM cell_countries WHERE n <> 0), (SELECT count(*) FROM want),
			(SELECT count(*) FROM want w LEFT JOIN cell_countries c USING (level, x, y, event_type, country_code, modality, origin)
			WHERE c.n IS NOT w.n)`).
		Scan(&kept, &want, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if kept != want || wrong != 0 {
		t.Errorf("%s: cell_countries holds %d groups of events, want %d; %d of them wrong", when, kept, want, wrong)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func ids(events []geo.Event) []string {
	out := []string{}
	for _, e := range events {
		out = append(out, e.ID)
	}
	slices.Sort(out)
	return out
}

// schemaOf lists the definitions of the file's tables, indexes and
// triggers.
func schemaOf(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
