package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
)

// cellState reads the cell triggers of the file and the total each kept
// level counts (cell_types and cell_fine).
func cellState(t *testing.T, path string) (triggers []string, totals map[int]int) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'cell%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		triggers = append(triggers, n)
	}
	rows.Close()
	totals = map[int]int{}
	rows, err = db.Query("SELECT level, sum(n) FROM cell_types GROUP BY 1 UNION ALL SELECT level, sum(n) FROM cell_fine GROUP BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var l, n int
		rows.Scan(&l, &n)
		totals[l] = n
	}
	return triggers, totals
}

// A bulk import defers the cell triggers with the indexes: meanwhile boxes
// and density are answered from the events, and building the indexes
// counts every cell again, at every kept level, and brings the triggers
// back.
func TestCellsAfterDeferredImport(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db.sqlite")
	s := open(t, path)
	storetest.Load(t, s, 200)
	wantTriggers, _ := cellState(t, path)
	if len(wantTriggers) != 36 {
		t.Fatalf("cell triggers %v, want 36", wantTriggers)
	}
	build, err := s.DeferIndexes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := cellState(t, path); len(got) != 0 {
		t.Errorf("cell triggers %v left during the import", got)
	}
	a := geo.Article{ID: "file", Title: "Imported"}
	evs := storetest.Generate(4, a, 300)
	for i := range evs {
		evs[i].Origin = geo.OriginUCDP
	}
	if err := s.Import(t.Context(), []geo.Article{a}, evs); err != nil {
		t.Fatal(err)
	}
	// The loaded events hold some of UCDP's origin too: the box's count
	// is compared with the one answered from the events (every precision).
	f := geo.Filter{BBox: &geo.BBox{West: -100, South: -60, East: 100, North: 60}, Origins: []string{geo.OriginUCDP}}
	g := f
	g.GeoPrecisions = []int{0, 1, 2, 3}
	want, err := s.Events(t.Context(), g)
	if err != nil {
		t.Fatal(err)
	}
	if n := storetest.Expect(f, evs).Matched; want.Matched <= n {
		t.Fatalf("%+v matches %d events, fewer than the %d imported", f, want.Matched, n)
	}
	if page, err := s.Events(t.Context(), f); err != nil || page.Matched != want.Matched {
		t.Errorf("during the import %+v matches %d (%v), want %d", f, page.Matched, err, want.Matched)
	}
	if err := build(t.Context()); err != nil {
		t.Fatal(err)
	}
	triggers, totals := cellState(t, path)
	if !reflect.DeepEqual(triggers, wantTriggers) {
		t.Errorf("after the import the cell triggers are %v, want %v", triggers, wantTriggers)
	}
	all, err := s.Events(t.Context(), geo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	levels := append(eventsql.CellLevels(), eventsql.FineLevels()...)
	for _, l := range levels {
		if totals[l] != all.Matched {
			t.Errorf("level %d counts %d events, want %d", l, totals[l], all.Matched)
		}
	}
	if len(totals) != len(levels) {
		t.Errorf("kept levels %v, want %v", totals, levels)
	}
	if page, err := s.Events(t.Context(), f); err != nil || page.Matched != want.Matched {
		t.Errorf("after the import %+v matches %d (%v), want %d", f, page.Matched, err, want.Matched)
	}
	storetest.CheckCells(t, s, "after a deferred import")
}

// Density requests that read their kept cells and strips on several
// connections at once, more of them at once than the reader pool holds
// connections, all answer: none holds a connection while it waits for
// another.
func TestCellsAtOnceManyRequests(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "db.sqlite"))
	storetest.Load(t, s, 300)
	sqlite.SetPieces(s, 2)
	f := geo.Filter{BBox: &geo.BBox{West: 30, South: 40, East: 50, North: 55}, Start: "2024-01-03", End: "2024-06-30"}
	if !sqlite.PlansZoom(f, 9) {
		t.Fatal("no plan of kept cells for the filter")
	}
	want, err := s.Cells(t.Context(), f, 9)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	errs := make(chan error, 16)
	for range cap(errs) {
		go func() {
			got, err := s.Cells(ctx, f, 9)
			if err == nil && !reflect.DeepEqual(got, want) {
				err = fmt.Errorf("cells %+v, want %+v", got, want)
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
