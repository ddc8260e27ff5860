package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
)

func indexNames(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

// An import with its indexes deferred answers as the model says, and the
// indexes are all back after it, or, when it died before building them,
// after the next Open.
func TestImportWithDeferredIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.sqlite")
	s := open(t, path)
	want := indexNames(t, path)
	if len(want) < 5 {
		t.Fatalf("only indexes %v", want)
	}
	build, err := s.DeferIndexes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := indexNames(t, path); len(got) != 0 {
		t.Errorf("indexes %v left during the import", got)
	}
	a := geo.Article{ID: "file", Title: "Imported"}
	evs := storetest.Generate(3, a, 300)
	for i := range evs {
		evs[i].Origin = geo.OriginACLED
	}
	if err := s.Import(t.Context(), []geo.Article{a}, evs); err != nil {
		t.Fatal(err)
	}
	for _, f := range []geo.Filter{{Q: evs[0].Quote}, {BBox: &geo.BBox{West: -10, South: -10, East: 10, North: 10}}, {Country: evs[1].CountryCode, Limit: 5}} {
		page, err := s.Events(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if w := storetest.Expect(f, evs); page.Matched != w.Matched || !reflect.DeepEqual(page.Events, w.Events) {
			t.Errorf("%+v: matched %d, want %d", f, page.Matched, w.Matched)
		}
	}
	if err := build(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := indexNames(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("after the import the indexes are %v, want %v", got, want)
	}

	if _, err := s.DeferIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.Close() // the import died
	open(t, path)
	if got := indexNames(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("after re-opening the indexes are %v, want %v", got, want)
	}
}

func TestImportCounts(t *testing.T) {
	t.Parallel()
	storetest.ImportCounts(t, open(t, filepath.Join(t.TempDir(), "db.sqlite")))
}
