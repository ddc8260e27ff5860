package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/sqlite"

	"github.com/jackc/pgx/v5"
)

func importFiles() []string {
	var out []string
	for _, f := range []string{"acled-2020.csv", "acled-2023.csv", "acled-api.json", "ucdp-ged.csv"} {
		out = append(out, filepath.Join("testdata", "import", f))
	}
	return out
}

func allEvents(t *testing.T, st interface {
	Events(context.Context, geo.Filter) (geo.EventPage, error)
}) map[string]geo.Event {
	t.Helper()
	page, err := st.Events(t.Context(), geo.Filter{Limit: geo.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]geo.Event{}
	for _, e := range page.Events {
		out[e.ID] = e
	}
	return out
}

// ACLED's three column generations and UCDP's GED load with their fields
// mapped onto ours; every bad row is named by its line and left out.
// Both ways of storing them, in batches and in one transaction per file
// (--bulk-mb), store the same.
func TestImportFormats(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct{ name, bulkMB string }{{"batches", "1000"}, {"bulk", "0"}} {
		t.Run(mode.name, func(t *testing.T) { testImportFormats(t, "--bulk-mb", mode.bulkMB) })
	}
}

func testImportFormats(t *testing.T, flags ...string) {
	db := filepath.Join(t.TempDir(), "db.sqlite")
	env, out, errb := testEnv(nil)
	if err := Main(t.Context(), env, append(append([]string{"import", "--db", db}, flags...), importFiles()...)); err != nil {
		t.Fatalf("import: %v\n%s", err, errb)
	}
	for _, want := range []string{
		"acled-2020.csv: line 4: skipped: date \"31 Febtober 2020\"",
		"acled-2023.csv: line 4: skipped: event_type \"Unrest\"",
		"acled-2023.csv: line 5: skipped: latitude \"n/a\" is not a number",
		"acled-api.json: record 3: skipped: no latitude or longitude",
		"ucdp-ged.csv: line 4: skipped: type_of_violence \"4\"",
		"ucdp-ged.csv: line 5: skipped: fatalities 2000000 is more than 1000000",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb)
		}
	}
	for _, want := range []string{
		"acled-2020.csv\tacled-2020\t2 events stored\t1 bad row skipped",
		"acled-2023.csv\tacled\t3 events stored\t2 bad rows skipped",
		"acled-api.json\tacled-api\t2 events stored\t1 bad row skipped",
		"ucdp-ged.csv\tucdp\t2 events stored\t2 bad rows skipped",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}

	st, err := sqlite.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := allEvents(t, st)
	if len(got) != 9 {
		t.Errorf("%d events stored, want 9: %v", len(got), got)
	}
	intp := func(n int) *int { return &n }
	check := func(id string, want geo.Event) {
		t.Helper()
		e, ok := got[id]
		if !ok {
			t.Errorf("no event %s", id)
			return
		}
		want.ID, want.ArticleID = e.ID, e.ArticleID
		if !reflect.DeepEqual(e, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", id, e, want)
		}
	}
	check("acled-MLI9001", geo.Event{Point: [2]float64{-4.5632, 14.0731}, EventDate: "2020-03-14", EventDateEnd: "2020-03-14",
		TimePrecision: 1, EventType: geo.Battles, SubEventType: "Armed clash", Modality: geo.Occurred,
		Actor1: "Military Forces of Mali (2002-2012)", Actor2: "JNIM: Jamaah Nusrat al Islam wal Muslimin", Fatalities: intp(4),
		Location: "Kouakourou", Country: "Mali", CountryCode: "ML", Admin1: "Mopti", GeoPrecision: 2,
		Quote: "On 14 March 2020, soldiers and JNIM militants clashed near Kouakourou; four soldiers were killed.",
		Title: "Test Wire; Sahel Test Radio", Origin: geo.OriginACLED})
	check("acled-UKR90002", geo.Event{Point: [2]float64{37.7497, 48.1394}, EventDate: "2024-02-11", EventDateEnd: "2024-02-11",
		TimePrecision: 1, EventType: geo.Battles, SubEventType: "Armed clash", Modality: geo.Occurred,
		Actor1: "Military Forces of Ukraine (2019-)", Actor2: "Military Forces of Russia (2000-)",
		Location: "Avdiivka", Country: "Ukraine", CountryCode: "UA", Admin1: "Donetska", GeoPrecision: 2,
		Quote: "On 11 February 2024, Ukrainian and Russian forces clashed near Avdiivka. Fatalities unknown.",
		Title: "Test Ministry Channel", Origin: geo.OriginACLED})
	check("acled-MMR90102", geo.Event{Point: [2]float64{97.7167, 23.0667}, EventDate: "2023-11-02", EventDateEnd: "2023-11-02",
		TimePrecision: 2, EventType: geo.Battles, SubEventType: "Non-state actor overtakes territory", Modality: geo.Occurred,
		Actor1: "TNLA: Taang National Liberation Army", Actor2: "Military Forces of Myanmar (2021-)", Fatalities: intp(0),
		Location: "Namhsan", Country: "Myanmar", CountryCode: "MM", Admin1: "Shan-North", GeoPrecision: 2,
		Quote: "Around 2 November 2023, TNLA fighters took a military post near Namhsan.",
		Title: "Test Irrawaddy Wire", Origin: geo.OriginACLED})
	check("ucdp-990002", geo.Event{Point: [2]float64{2.4022, 15.9182}, EventDate: "2022-03-01", EventDateEnd: "2022-03-31",
		TimePrecision: geo.TimeMonth, EventType: geo.ViolenceCivilians, SubEventType: "Attack", Modality: geo.Occurred,
		Actor1: "IS", Actor2: "Civilians", Fatalities: intp(20),
		Location: "Menaka region", Country: "Mali", CountryCode: "ML", Admin1: "Menaka region", GeoPrecision: geo.GeoRegion,
		Quote: "Menaka region; IS - civilians; deaths: best 20, low 20, high 35",
		Title: "Test Wire", Origin: geo.OriginUCDP})
	if e := got["ucdp-990001"]; e.EventType != geo.Battles || e.GeoPrecision != geo.GeoTown || e.TimePrecision != geo.TimeDay ||
		e.Fatalities == nil || *e.Fatalities != 11 || e.CountryCode != "NG" {
		t.Errorf("ucdp-990001: %+v", e)
	}

	// The origin filter tells the sources apart; the file is an article of
	// its own that re-extraction leaves alone.
	page, err := st.Events(t.Context(), geo.Filter{Origins: []string{geo.OriginUCDP}})
	if err != nil || page.Matched != 2 {
		t.Errorf("origin=ucdp matched %d (%v), want 2", page.Matched, err)
	}
	n := 0
	if err := st.ForEachArticle(t.Context(), func(geo.Article) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("re-extraction would visit %d imported articles (%v), want 0", n, err)
	}

	// Importing again replaces the rows: nothing is stored twice.
	env2, _, errb2 := testEnv(nil)
	if err := Main(t.Context(), env2, append(append([]string{"import", "--db", db}, flags...), importFiles()...)); err != nil {
		t.Fatalf("second import: %v\n%s", err, errb2)
	}
	if again := allEvents(t, st); len(again) != len(got) {
		t.Errorf("after a second import %d events, want %d", len(again), len(got))
	}
}

// A file that is none of the formats fails with a message naming it, and
// import exits non-zero.
func TestImportRefusesUnknownFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := writeFile(t, dir, "notes.csv", "name,colour\nfoo,blue\n")
	env, _, errb := testEnv(nil)
	err := Main(t.Context(), env, []string{"import", "--db", filepath.Join(dir, "db.sqlite"), bad})
	if err == nil || !strings.Contains(errb.String(), "notes.csv: the header names none of the known formats") {
		t.Errorf("import of an unknown CSV: %v\n%s", err, errb)
	}
}

// A negative memory limit is refused before anything is opened, in the
// flag's words and from its environment variable alike.
func TestImportRefusesNegativeMemoryLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeFile(t, dir, "events.csv", "name\n")
	db := filepath.Join(dir, "db.sqlite")
	env, _, errb := testEnv(nil)
	if err := Main(t.Context(), env, []string{"import", "--db", db, "--memory-mb", "-1", file}); err == nil ||
		!strings.Contains(errb.String(), "--memory-mb must be 0 (no limit) or more") {
		t.Errorf("import --memory-mb -1: %v\n%s", err, errb)
	}
	env, _, errb = testEnv(map[string]string{"CONFLICTMAP_IMPORT_MEMORY_MB": "lots"})
	if err := Main(t.Context(), env, []string{"import", "--db", db, file}); err == nil ||
		!strings.Contains(err.Error()+errb.String(), `CONFLICTMAP_IMPORT_MEMORY_MB="lots": not an integer`) {
		t.Errorf("import with CONFLICTMAP_IMPORT_MEMORY_MB=lots: %v\n%s", err, errb)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a refused import made %s", db)
	}
}

// A file that fails half-way through leaves none of its events stored when
// it goes in one transaction, and says so; in batches, the batches before
// the failure are stored, and it says how many events they hold.
func TestImportFailingFile(t *testing.T) {
	t.Parallel()
	whole, err := os.ReadFile(filepath.Join("testdata", "import", "acled-api.json"))
	if err != nil {
		t.Fatal(err)
	}
	cut := writeFile(t, t.TempDir(), "cut.json", string(whole[:len(whole)*3/4]))
	for _, tc := range []struct {
		bulkMB, says string
		stored       int
	}{{"0", "none of the file's events is stored", 0}, {"1000", "the 1 events before it are stored", 1}} {
		db := filepath.Join(t.TempDir(), "db.sqlite")
		env, _, errb := testEnv(nil)
		err := Main(t.Context(), env, []string{"import", "--db", db, "--batch", "1", "--bulk-mb", tc.bulkMB, cut})
		if err == nil || !strings.Contains(errb.String(), tc.says) {
			t.Errorf("--bulk-mb %s: import of a cut file: %v\n%s", tc.bulkMB, err, errb)
		}
		st, err := sqlite.Open(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		if got := allEvents(t, st); len(got) != tc.stored {
			t.Errorf("--bulk-mb %s: %d events stored, want %d", tc.bulkMB, len(got), tc.stored)
		}
		st.Close()
	}
}

// The server's own GeoJSON and CSV exports import back as the same events
// (origin aside: they are imports here; and the CSV has no columns for a
// region's extent).
func TestImportRoundTripOfOurExports(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t)
	base := "http://" + s.Addr()
	dir := t.TempDir()
	var want struct {
		Features []struct{ ID string } `json:"features"`
	}
	getJSON(t, base+"/api/events", &want)
	if len(want.Features) == 0 {
		t.Fatal("the sample store has no events")
	}
	save := func(path, name string) string {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return writeFile(t, dir, name, string(b))
	}
	files := []string{save("/api/events", "events.geojson"), save("/api/events.csv", "events.csv")}
	orig := allEvents(t, s.store)
	for _, f := range files {
		db := filepath.Join(t.TempDir(), "copy.sqlite")
		env, _, errb := testEnv(nil)
		if err := Main(t.Context(), env, []string{"import", "--db", db, f}); err != nil {
			t.Fatalf("import %s: %v\n%s", f, err, errb)
		}
		st, err := sqlite.Open(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		got := allEvents(t, st)
		st.Close()
		if len(got) != len(orig) {
			t.Errorf("%s: %d events back, want %d", filepath.Base(f), len(got), len(orig))
		}
		for id, w := range orig {
			g := got[id]
			if g.Origin != geo.OriginImport {
				t.Errorf("%s: %s has origin %q, want import", filepath.Base(f), id, g.Origin)
			}
			g.Origin = w.Origin
			if strings.HasSuffix(f, ".csv") && g.Bound == nil {
				g.Bound = w.Bound // the CSV has no columns for a region's extent
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %s came back as\n%+v\nwant\n%+v", filepath.Base(f), id, g, w)
			}
		}
	}
}

// PostGIS takes the same files through COPY.
func TestImportIntoPostGIS(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct{ name, bulkMB string }{{"batches", "1000"}, {"bulk", "0"}} {
		t.Run(mode.name, func(t *testing.T) { testImportIntoPostGIS(t, "--bulk-mb", mode.bulkMB) })
	}
}

func testImportIntoPostGIS(t *testing.T, flags ...string) {
	dsn := pgDSN(t)
	schema := fmt.Sprintf("cm_test_import_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	})
	env, out, errb := testEnv(nil)
	if err := Main(t.Context(), env, append(append([]string{"import", "--db", dsn, "--pg-schema", schema, "--batch", "2"}, flags...), importFiles()...)); err != nil {
		t.Fatalf("import: %v\n%s", err, errb)
	}
	st, err := openStore(t.Context(), dsn, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := allEvents(t, st); len(got) != 9 {
		t.Errorf("%d events in PostGIS, want 9\n%s", len(got), out)
	}
	page, err := st.Events(t.Context(), geo.Filter{Q: "kharkiv", Origins: []string{geo.OriginACLED}})
	if err != nil || page.Matched != 1 {
		t.Errorf("q=kharkiv&origin=acled matched %d (%v), want 1", page.Matched, err)
	}
}
