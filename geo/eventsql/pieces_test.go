package eventsql_test

import (
	"cmp"
	"math"
	"slices"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// Every day of a walk's dates, and every day outside them, falls in
// exactly one piece, so that pieces read at once count each event once;
// the pieces are newest first, each holding about as many days.
func TestPiecesHoldEveryDayOnce(t *testing.T) {
	in := func(p eventsql.Piece, day string) bool {
		return (p.From == "" || day >= p.From) && (p.Before == "" || day < p.Before)
	}
	for _, tc := range []struct {
		f           geo.Filter
		first, last string
		n           int
	}{
		{geo.Filter{Start: "2024-01-01"}, "2023-01-01", "2024-12-30", 2},
		{geo.Filter{Start: "2024-01-01", End: "2024-06-30"}, "2023-01-01", "2024-12-30", 3},
		{geo.Filter{End: "2023-03-01"}, "2023-01-01", "2024-12-30", 4},
		{geo.Filter{Start: "2020-05-05", End: "2020-05-09"}, "2020-01-01", "2021-01-01", 5},
	} {
		cuts := eventsql.DateCuts(tc.f, tc.first, tc.last, tc.n, nil)
		pieces := eventsql.Pieces(cuts)
		if len(pieces) != tc.n {
			t.Errorf("%+v in %d pieces: got %d (cuts %v)", tc.f, tc.n, len(pieces), cuts)
			continue
		}
		held := make([]int, len(pieces))
		day, _ := time.Parse(time.DateOnly, "2019-12-01")
		for range 2000 {
			d := day.Format(time.DateOnly)
			var got []int
			for i, p := range pieces {
				if in(p, d) {
					got = append(got, i)
				}
			}
			if len(got) != 1 {
				t.Errorf("%+v: day %s in pieces %v of %+v", tc.f, d, got, pieces)
			} else if d >= max(tc.f.Start, tc.first) && (tc.f.End == "" || d <= tc.f.End) && d <= tc.last {
				held[got[0]]++
			}
			day = day.AddDate(0, 0, 1)
		}
		for i := 1; i < len(cuts); i++ {
			if cuts[i] >= cuts[i-1] {
				t.Errorf("%+v: cuts %v not newest first", tc.f, cuts)
			}
		}
		for i, n := range held {
			if n < held[0]-1 || n > held[0]+1 {
				t.Errorf("%+v: piece %d holds %d days of the range, piece 0 %d", tc.f, i, n, held[0])
			}
		}
	}
	// No dates: undated events would fall in no piece.
	if cuts := eventsql.DateCuts(geo.Filter{Country: "UA"}, "2023-01-01", "2024-12-30", 2, nil); cuts != nil {
		t.Errorf("cuts without dates: %v", cuts)
	}
	// Fewer days than pieces, and dates that hold none.
	for _, f := range []geo.Filter{{Start: "2024-01-01", End: "2024-01-01"}, {Start: "2024-02-01", End: "2024-01-01"}} {
		if cuts := eventsql.DateCuts(f, "2023-01-01", "2024-12-30", 2, nil); cuts != nil {
			t.Errorf("%+v: cuts %v", f, cuts)
		}
	}
}

// Cut by the dated spans, the pieces of a walk hold about as many events
// each, however the events crowd into some days: a burst in one month
// moves the cut into it, where cuts by days would leave the burst in one
// piece.
func TestDateCutsShareEvents(t *testing.T) {
	spans := &eventsql.DatedSpans{}
	day, _ := time.Parse(time.DateOnly, "2024-01-01")
	for range 366 {
		n := int64(100)
		if day.Month() == time.June {
			n = 400
		}
		d := day.Format(time.DateOnly)
		spans.Add(d, d, n)
		day = day.AddDate(0, 0, 1)
	}
	f := geo.Filter{Start: "2024-01-01"}
	for _, n := range []int{2, 3, 5} {
		cuts := eventsql.DateCuts(f, "2023-01-01", "2024-12-31", n, spans)
		pieces := eventsql.Pieces(cuts)
		if len(pieces) != n {
			t.Errorf("%d pieces: got %d (cuts %v)", n, len(pieces), cuts)
			continue
		}
		total := spans.Count("2024-01-01", "")
		for i, p := range pieces {
			got := spans.Count(cmp.Or(p.From, "2024-01-01"), "") - spans.Count(cmp.Or(p.Before, "9999-12-31"), "")
			if want := total / int64(n); got < want-400 || got > want+400 {
				t.Errorf("%d pieces: piece %d (%+v) holds %d events, want about %d", n, i, p, got, want)
			}
		}
	}
	// A day that holds a fifth of the events is not cut: it falls in the
	// piece it shares best.
	burst := &eventsql.DatedSpans{}
	day, _ = time.Parse(time.DateOnly, "2024-01-01")
	for range 366 {
		n := int64(100)
		if d := day.Format(time.DateOnly); d == "2024-06-01" {
			n = 9000
		}
		d := day.Format(time.DateOnly)
		burst.Add(d, d, n)
		day = day.AddDate(0, 0, 1)
	}
	if got, want := eventsql.DateCuts(f, "2023-01-01", "2024-12-31", 2, burst), []string{"2024-06-02"}; !slices.Equal(got, want) {
		t.Errorf("cuts around a day of a fifth of the events: %v, want %v", got, want)
	}
	// Without spans, or with events on fewer days than pieces: by days.
	if got, want := eventsql.DateCuts(f, "2023-01-01", "2024-12-31", 2, nil), eventsql.DayCuts("2024-01-01", "2024-12-31", 2); !slices.Equal(got, want) {
		t.Errorf("cuts without spans: %v, want %v", got, want)
	}
	one := &eventsql.DatedSpans{}
	one.Add("2024-03-01", "2024-03-01", 50)
	if got, want := eventsql.DateCuts(f, "2023-01-01", "2024-12-31", 2, one), eventsql.DayCuts("2024-01-01", "2024-12-31", 2); !slices.Equal(got, want) {
		t.Errorf("cuts of one day's events: %v, want %v", got, want)
	}
}

// Every longitude of a box falls in exactly one of its cuts, edges and the
// float64 values either side of each cut included, so that cuts read at
// once count each event once; a box across the antimeridian is not cut.
func TestBoxCutsHoldEveryPointOnce(t *testing.T) {
	b := geo.BBox{West: 37.5, South: 47.8, East: 38.1, North: 48.2}
	for _, n := range []int{2, 3, 7} {
		cuts := eventsql.BoxCuts(b, n)
		if len(cuts) != n {
			t.Fatalf("%d cuts: got %d", n, len(cuts))
		}
		lons := []float64{b.West, b.East}
		for _, c := range cuts[1:] {
			lons = append(lons, c.West, math.Nextafter(c.West, math.Inf(-1)), math.Nextafter(c.West, math.Inf(1)))
		}
		for i := range 1000 {
			lons = append(lons, b.West+(b.East-b.West)*float64(i)/999)
		}
		for _, lon := range lons {
			held := 0
			for _, c := range cuts {
				if c.South != b.South || c.North != b.North {
					t.Fatalf("cut %+v changes the latitudes of %+v", c, b)
				}
				if lon >= c.West && lon <= c.East {
					held++
				}
			}
			if held != 1 {
				t.Errorf("%d cuts: longitude %v held by %d of %+v", n, lon, held, cuts)
			}
		}
	}
	if cuts := eventsql.BoxCuts(geo.BBox{West: 170, South: -10, East: -170, North: 10}, 2); cuts != nil {
		t.Errorf("a box across the antimeridian was cut: %+v", cuts)
	}
}
