package sqlite

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
)

// The rounding of the packed R*Tree is the module's own: a point's box
// holds the point, and is the smallest float32 box that does.
func TestRtreeRounding(t *testing.T) {
	for _, d := range []float64{0, 1, -1, 0.1, -0.1, 33.123456789, -179.99999999, 89.9999999, 1e-40, -1e-40} {
		lo, hi := rtreeDown(d), rtreeUp(d)
		if float64(lo) > d || float64(hi) < d {
			t.Errorf("%v: box [%v, %v] misses it", d, lo, hi)
		}
		if float64(lo) < d && float64(math.Nextafter32(lo, float32(math.Inf(1)))) <= d {
			t.Errorf("%v: lower bound %v is not the largest float32 below", d, lo)
		}
		if float64(hi) > d && float64(math.Nextafter32(hi, float32(math.Inf(-1)))) >= d {
			t.Errorf("%v: upper bound %v is not the smallest float32 above", d, hi)
		}
	}
}

// rtreeRows reads the R*Tree's rows in seq order.
func rtreeRows(t *testing.T, s *Store) [][5]float64 {
	t.Helper()
	rows, err := s.writer.QueryContext(t.Context(), "SELECT seq, min_lon, max_lon, min_lat, max_lat FROM events_rtree ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][5]float64
	for rows.Next() {
		var r [5]float64
		if err := rows.Scan(&r[0], &r[1], &r[2], &r[3], &r[4]); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func rtreeCheck(t *testing.T, s *Store, when string) {
	t.Helper()
	var check string
	if err := s.writer.QueryRowContext(t.Context(), "SELECT rtreecheck('events_rtree')").Scan(&check); err != nil || check != "ok" {
		t.Errorf("%s: rtreecheck: %q, %v", when, check, err)
	}
}

// rtreeDepth is the depth the root of the file's R*Tree records: how many
// levels of nodes lie below it.
func rtreeDepth(t *testing.T, s *Store) int {
	t.Helper()
	var data []byte
	if err := s.writer.QueryRowContext(t.Context(), "SELECT data FROM events_rtree_node WHERE nodeno = 1").Scan(&data); err != nil {
		t.Fatal(err)
	}
	if len(data) < 2 {
		t.Fatalf("the R*Tree's root holds %d bytes", len(data))
	}
	return int(binary.BigEndian.Uint16(data))
}

// A packed R*Tree holds the rows the module wrote for the same events, the
// module's own check finds it sound, box queries through it find what a
// scan finds, and the module goes on adding and removing rows in it. The
// module's nodes hold at most 51 cells, packed ones 40 (rtreeFill): the
// sizes are those on either side of a root alone (40, 41) and of a tree of
// two levels below its root (1,600, 1,601), each in a file of its own,
// beside the others.
func TestRebuildRtree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, depth int }{{0, 0}, {7, 0}, {40, 0}, {41, 1}, {1600, 1}, {1601, 2}} {
		n := tc.n
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			s, err := Open(t.Context(), filepath.Join(t.TempDir(), "db.sqlite"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			a := geo.Article{ID: "a", Title: "A", Text: "Text."}
			evs := storetest.Generate(uint64(n)+1, a, n)
			r := rand.New(rand.NewPCG(1, uint64(n)))
			for i := range evs {
				evs[i].Point[0], evs[i].Point[1] = r.Float64()*360-180, r.Float64()*180-90
			}
			// Imported, the events' R*Tree rows go in one by one through
			// the module, as ingested ones do, without the merge's work.
			if err := s.Import(t.Context(), []geo.Article{a}, evs); err != nil {
				t.Fatal(err)
			}
			want := rtreeRows(t, s)
			tx, err := s.writer.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := rebuildRtree(t.Context(), tx); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if got := rtreeDepth(t, s); got != tc.depth {
				t.Errorf("%d events: the packed R*Tree has %d levels below its root, want %d", n, got, tc.depth)
			}
			if got := rtreeRows(t, s); !reflect.DeepEqual(got, want) {
				t.Errorf("%d events: the packed R*Tree holds %d rows unlike the module's %d", n, len(got), len(want))
			}
			rtreeCheck(t, s, "packed")
			for i := 0; i < 30; i++ {
				w, so := r.Float64()*300-180, r.Float64()*150-90
				box := geo.BBox{West: w, South: so, East: w + r.Float64()*60, North: so + r.Float64()*30}
				var got int
				err := s.writer.QueryRowContext(t.Context(), `SELECT count(*) FROM events_rtree
				WHERE min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ?`, box.East, box.West, box.North, box.South).Scan(&got)
				if err != nil {
					t.Fatal(err)
				}
				wantN := 0
				for _, e := range evs {
					if box.Contains(e.Point[0], e.Point[1]) {
						wantN++
					}
				}
				if got != wantN {
					t.Errorf("%d events, box %+v: the R*Tree finds %d, want %d", n, box, got, wantN)
				}
			}
			more := storetest.Generate(uint64(n)+2, geo.Article{ID: "b", Title: "B", Text: "Text."}, 300)
			for i := range more {
				more[i].ID += "-b"
			}
			if _, err := s.Ingest(t.Context(), geo.Article{ID: "b", Title: "B", Text: "Text."}, more); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Ingest(t.Context(), a, evs[:n/2]); err != nil { // removes the others
				t.Fatal(err)
			}
			rtreeCheck(t, s, "after adding and removing events")
		})
	}
}

// A bulk import runs with its own page cache size and gives the writer
// back the one it had, committed or rolled back.
func TestBulkCacheSize(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	size := func() int {
		var n int
		if err := s.writer.QueryRowContext(t.Context(), "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := size()
	for _, commit := range []bool{true, false} {
		b, err := s.BeginBulk(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var during int
		if err := b.tx.QueryRowContext(t.Context(), "PRAGMA cache_size").Scan(&during); err != nil || during != bulkCacheSize {
			t.Errorf("during a bulk import the cache size is %d (%v), want %d", during, err, bulkCacheSize)
		}
		if commit {
			err = b.Commit(t.Context())
		} else {
			err = b.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := size(); got != before {
			t.Errorf("after a bulk import (committed: %v) the cache size is %d, want %d", commit, got, before)
		}
	}
}
