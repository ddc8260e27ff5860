package sqlite_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
)

// pragma reads a setting of the file at path.
func pragma(t *testing.T, path, name string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// files lists the names in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A store from Create is filled by a bulk import and published: the file
// at the path is then a store like any other, in WAL mode, with 16 KiB
// pages, its indexes whole and its events there; nothing else is left in
// the directory. Before Publish nothing is at the path.
func TestCreatePublish(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "db.sqlite")
	s, err := sqlite.Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	file := geo.Article{ID: "file", Title: "Imported"}
	events := storetest.Generate(1, file, 200)
	for i := range events {
		events[i].Origin = geo.OriginImport
	}
	if err := (bulkStore{s}).Import(ctx, []geo.Article{file}, events); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("before Publish: %s: %v, want no file", path, err)
	}
	if err := s.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after Publish: %v", err)
	}
	if got := files(t, dir); len(got) != 1 || got[0] != "db.sqlite" {
		t.Errorf("after Publish the directory holds %q, want the store alone", got)
	}
	if got := pragma(t, path, "journal_mode"); got != "wal" {
		t.Errorf("journal mode %s, want wal", got)
	}
	if got := pragma(t, path, "page_size"); got != "16384" {
		t.Errorf("page size %s, want 16384", got)
	}
	checkIndexes(t, path, "after Publish")
	s = open(t, path)
	page, err := s.Events(ctx, geo.Filter{Limit: geo.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != len(events) {
		t.Errorf("%d events stored, want %d", len(page.Events), len(events))
	}
	checkKept(t, s, events, "after Publish")
}

// A new store's bulk import whose kept counts cannot be written (here a
// directory stands where their side file goes) fails and stores nothing.
func TestCreateKeptFailure(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	s, err := sqlite.Create(ctx, filepath.Join(dir, "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	temp := files(t, dir)
	if len(temp) != 1 {
		t.Fatalf("after Create the directory holds %q, want the new file alone", temp)
	}
	blocker := filepath.Join(dir, temp[0]+"-kept")
	if err := os.MkdirAll(filepath.Join(blocker, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := geo.Article{ID: "file", Title: "Imported"}
	if err := (bulkStore{s}).Import(ctx, []geo.Article{file}, storetest.Generate(1, file, 100)); err == nil {
		t.Fatal("bulk import with nowhere to write its counts: no error")
	}
	// The rows themselves: the store's answers count from its kept
	// counts.
	db, err := sql.Open("sqlite", filepath.Join(dir, temp[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil || n != 0 {
		t.Errorf("the failed import stored %d events (%v), want none", n, err)
	}
}

// checkKept holds the answers that a store reads from its kept counts
// (stats, density cells; by type, country, week, word, sub-event type and
// precision, with and without a box) to the model of events, the events
// it holds: a new store's bulk import writes its counts beside its index
// builds and copies them in.
func checkKept(t *testing.T, s *sqlite.Store, events []geo.Event, when string) {
	t.Helper()
	ctx := t.Context()
	storetest.CheckCells(t, s, when)
	word := geo.Words(events[0].Quote)[0]
	actor := geo.Words(events[1].Actor1)[0]
	for _, box := range []*geo.BBox{nil, {West: -20, South: -40, East: 60, North: 40}, {West: 30, South: 44, East: 40, North: 52}} {
		for _, f := range []geo.Filter{{}, {Types: []string{"Battles"}}, {Country: events[2].CountryCode}, {Start: "2024-02-01"},
			{Q: word}, {Actor: actor}, {SubTypes: []string{events[3].SubEventType}}, {GeoPrecisions: []int{geo.GeoTown}},
			{Origins: []string{geo.OriginImport}, Modalities: []string{geo.Occurred}}} {
			f.BBox = box
			got, err := s.Stats(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if want := storetest.ExpectStats(f, events); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: stats of %+v are\n%+v\nwant\n%+v", when, f, got, want)
			}
			for _, zoom := range []int{2, 6, 9, 11} {
				cells, err := s.Cells(ctx, f, zoom)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := cellCounts(cells), cellCounts(storetest.ExpectCells(f, zoom, events)); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: cells of %+v at zoom %d are\n%v\nwant\n%v", when, f, zoom, got, want)
				}
			}
		}
	}
}

// cellCounts are the counts of density cells by place, with their counts
// by type and fatalities: the cells' own, not their mean places.
func cellCounts(cells []geo.Cell) map[[2]int]string {
	out := map[[2]int]string{}
	for _, c := range cells {
		out[[2]int{c.X, c.Y}] = fmt.Sprintf("%d %v %d", c.Count, c.ByType, c.Fatalities)
	}
	return out
}

// A store from Create that is closed without Publish, after a bulk import
// rolled back, leaves nothing behind; Create refuses a path that exists,
// and Publish fails, leaving the file there alone, when one appeared at
// the path meanwhile.
func TestCreateUnpublished(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "db.sqlite")
	s, err := sqlite.Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := geo.Article{ID: "file", Title: "Imported"}
	if err := b.Add(ctx, []geo.Article{file}, storetest.Generate(1, file, 50)); err != nil {
		t.Fatal(err)
	}
	if err := b.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("after Close without Publish the directory holds %q", got)
	}

	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Create(ctx, path); err == nil {
		s.Close()
		t.Error("Create of a path that exists: no error")
	}
	os.Remove(path)
	s, err = sqlite.Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.WriteFile(path, []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx); err == nil {
		t.Error("Publish over a file that appeared: no error")
	}
	if got := files(t, dir); len(got) != 1 || got[0] != "db.sqlite" {
		t.Errorf("after the failed Publish the directory holds %q, want the other file alone", got)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "theirs" {
		t.Errorf("the file at the path: %q, %v", b, err)
	}
}
