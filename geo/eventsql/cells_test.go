package eventsql_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// The planned cells lie inside the box, starting on an edge that falls on
// a cell edge, and every point just outside the box's edges falls outside
// them or in a strip the plan takes out: the plan's edges hold for the
// points nearest them, where rounding decides, for edges on cell edges (a
// tile's) and between them.
func TestPlanCellsEdges(t *testing.T) {
	boxes := []geo.BBox{{West: 0, South: 0, East: math.Nextafter(90, 0), North: 66.51}, {West: 36, South: 47, East: 39, North: 49},
		{West: -20, South: -40, East: 60, North: 40}, {West: 22.5, South: 0, East: 45, North: 22.5}, {West: -180, South: -90, East: 180, North: 90},
		{West: 30.9375, South: 45, East: 39.375, North: 50.625}, {West: -0.1, South: -0.1, East: 0.1, North: 0.1}}
	for _, b := range boxes {
		for _, level := range eventsql.CellLevels() {
			p, ok := eventsql.PlanCells(sqlDialect{}, geo.Filter{BBox: &b}, level)
			if !ok {
				continue
			}
			in := func(lon, lat float64) bool {
				x, y := geo.CellOf(lon, lat, level)
				return x >= p.X0 && x <= p.X1 && y >= p.Y0 && y <= p.Y1
			}
			size := geo.CellSize(level)
			west, east := -180+float64(p.X0)*size, -180+float64(p.X1+1)*size
			south, north := -90+float64(p.Y0)*size, -90+float64(p.Y1+1)*size
			// A cell may end where the next point past the box begins.
			if west < b.West || east > math.Nextafter(b.East, math.Inf(1)) || south < b.South || north > math.Nextafter(b.North, math.Inf(1)) {
				t.Errorf("%+v level %d: cells %+v reach past the box", b, level, p)
			}
			mid := func(a, c float64) float64 { return (a + c) / 2 }
			for _, pt := range [][2]float64{
				{math.Nextafter(b.West, math.Inf(-1)), mid(south, north)}, {math.Nextafter(b.East, math.Inf(1)), mid(south, north)},
				{mid(west, east), math.Nextafter(b.South, math.Inf(-1))}, {mid(west, east), math.Nextafter(b.North, math.Inf(1))},
			} {
				if pt[0] < -180 || pt[1] < -90 {
					continue // no point lies there
				}
				if !in(pt[0], pt[1]) {
					continue
				}
				// Rounding puts it in a planned cell: a strip must take it
				// out.
				out := false
				for _, s := range p.Strips {
					out = out || (s.Minus && s.Box != nil && s.Box.Contains(pt[0], pt[1]))
				}
				if !out {
					t.Errorf("%+v level %d: the point %v outside the box is in the planned cells %+v, and in no strip taken out", b, level, pt, p)
				}
			}
			// An edge on a cell edge starts or ends the plan's cells there.
			for _, c := range []struct {
				edge, at, shift float64
				name            string
			}{{b.West, west, 180, "west"}, {b.South, south, 90, "south"}} {
				if k := (c.edge + c.shift) / size; c.edge == c.at || k != math.Trunc(k) {
					continue
				}
				t.Errorf("%+v level %d: the %s edge %v is a cell edge, the plan starts at %v", b, level, c.name, c.edge, c.at)
			}
		}
	}
}

// sqlDialect spells the conditions as SQLite does; the plan's edges do not
// depend on it.
type sqlDialect struct{}

func (sqlDialect) Placeholder(int) string                       { return "?" }
func (sqlDialect) Lon() string                                  { return "e.lon" }
func (sqlDialect) Lat() string                                  { return "e.lat" }
func (sqlDialect) DateText(expr string) string                  { return expr }
func (sqlDialect) DateValue(ph string) string                   { return ph }
func (sqlDialect) Week() string                                 { return "''" }
func (sqlDialect) Floor(expr string) string                     { return "CAST(" + expr + " AS INTEGER)" }
func (sqlDialect) BBox(q *eventsql.Query, b geo.BBox)           {}
func (sqlDialect) Dates(q *eventsql.Query, start, end string)   {}
func (sqlDialect) Words(*eventsql.Query, []eventsql.FieldWords) {}

// A zoom's plan covers the finest level's cells inside the box once each,
// with coarser cells where they fit and finer ones along the edges, and
// reads cell_fine only without dates, cell_fine_weeks' level with them.
func TestPlanZoomNests(t *testing.T) {
	boxes := []geo.BBox{{West: 36.5, South: 47, East: 39.3, North: 49}, {West: 10, South: 30, East: 60, North: 30.7},
		{West: 22.5, South: 0, East: 45, North: 22.5}, {West: 37.7, South: 47.9, East: 37.9, North: 48.1}}
	for _, b := range boxes {
		for _, f := range []geo.Filter{{BBox: &b}, {BBox: &b, Start: "2024-01-01"}} {
			for zoom := 0; zoom <= 12; zoom++ {
				p, ok := eventsql.PlanZoom(sqlDialect{}, f, zoom)
				if !ok || (p.X1-p.X0+1)*(p.Y1-p.Y0+1) > 100000 {
					continue // too many cells to list here
				}
				seen := map[[2]int]int{}
				for _, r := range p.CellRects() {
					if r.Level < zoom || r.Level > p.Level {
						t.Errorf("%+v zoom %d: cells of level %d in a plan at level %d", f, zoom, r.Level, p.Level)
					}
					if r.Level > 8 && f.Start != "" && r.Level != eventsql.WeekFineLevel {
						t.Errorf("%+v zoom %d: cell_fine read with dates", f, zoom)
					}
					k := p.Level - r.Level
					for x := r.X0 << k; x < (r.X1+1)<<k; x++ {
						for y := r.Y0 << k; y < (r.Y1+1)<<k; y++ {
							seen[[2]int{x, y}]++
						}
					}
				}
				if len(seen) != (p.X1-p.X0+1)*(p.Y1-p.Y0+1) {
					t.Errorf("%+v zoom %d: the plan covers %d cells of level %d, want %d", f, zoom, len(seen), p.Level, (p.X1-p.X0+1)*(p.Y1-p.Y0+1))
				}
				for c, n := range seen {
					if n != 1 || c[0] < p.X0 || c[0] > p.X1 || c[1] < p.Y0 || c[1] > p.Y1 {
						t.Errorf("%+v zoom %d: cell %v of level %d read %d times, the plan's cells are %d..%d by %d..%d", f, zoom, c, p.Level, n, p.X0, p.X1, p.Y0, p.Y1)
						break
					}
				}
			}
		}
	}
}

// Zooms 9 and 10 between dates read the cells kept by week at level 10;
// finer zooms read the events, and the same zooms without dates cell_fine.
// Zooms 7 and 8 read level 8 of cell_types and, along the box's edges,
// the finer levels of cell_fine_weeks, or of cell_fine without dates;
// coarser zooms cell_types alone.
func TestPlanZoomDatedFine(t *testing.T) {
	b := geo.BBox{West: 36.5, South: 47, East: 39.3, North: 49}
	dated := geo.Filter{BBox: &b, Start: "2024-01-03", End: "2024-12-31"}
	for _, tc := range []struct {
		f     geo.Filter
		zoom  int
		table string // "" when no plan
		edge  string // the table of the levels finer than 8 at zooms 7 and 8
	}{
		{dated, 9, "cell_fine_weeks", ""},
		{dated, 10, "cell_fine_weeks", ""},
		{dated, 11, "", ""},
		{dated, 8, "cell_types", "cell_fine_weeks"},
		{dated, 7, "cell_types", "cell_fine_weeks"},
		{dated, 6, "cell_types", ""},
		{geo.Filter{BBox: &b}, 8, "cell_types", "cell_fine "},
		{geo.Filter{BBox: &b}, 9, "cell_fine ", ""},
		{geo.Filter{BBox: &b, Start: "2024-01-01"}, 10, "cell_fine_weeks", ""},
		// Without a box, or with one wider than many screens, the events
		// of a few weeks are fewer than the cells' groups of every week.
		{geo.Filter{Start: "2024-01-01", End: "2024-03-31"}, 9, "", ""},
		{geo.Filter{BBox: &geo.BBox{West: -90, South: -40, East: 90, North: 60}, Start: "2024-01-01"}, 9, "", ""},
		{geo.Filter{BBox: &geo.BBox{West: 20, South: 40, East: 45, North: 55}, Start: "2024-01-01"}, 10, "cell_fine_weeks", ""},
		// Too many cells of level 10 inside the box: level 8 alone.
		{geo.Filter{BBox: &geo.BBox{West: -90, South: -40, East: 90, North: 60}, Start: "2024-01-01"}, 8, "cell_types", ""},
	} {
		p, ok := eventsql.PlanZoom(sqlDialect{}, tc.f, tc.zoom)
		if ok != (tc.table != "") {
			t.Errorf("%+v zoom %d: planned %v, want %v", tc.f, tc.zoom, ok, tc.table != "")
			continue
		}
		if !ok {
			continue
		}
		edges := 0
		for _, r := range p.CellRects() {
			want := tc.table
			if r.Level > 8 && tc.zoom <= 8 {
				want = tc.edge
				edges++
			}
			if stmt, _ := eventsql.CellGroupsSQL(sqlDialect{}, r, tc.f); want == "" || !strings.Contains(stmt, " FROM "+want) {
				t.Errorf("%+v zoom %d: level %d reads %s, want %q", tc.f, tc.zoom, r.Level, stmt, want)
			}
		}
		if (edges > 0) != (tc.edge != "") {
			t.Errorf("%+v zoom %d: %d rectangles of level 10, want them %v", tc.f, tc.zoom, edges, tc.edge != "")
		}
		days := 0
		for _, s := range p.Strips {
			if s.Days {
				days++
			}
		}
		if want := map[bool]int{true: 2, false: 0}[tc.f.End == "2024-12-31"]; days != want {
			t.Errorf("%+v zoom %d: %d strips of days at the dates' ends, want %d", tc.f, tc.zoom, days, want)
		}
	}
}

// finerDialect is sqlDialect of a store that keeps cell_fine_weeks at
// eventsql.WeekFinerLevel too.
type finerDialect struct{ sqlDialect }

func (finerDialect) KeepsWeekFiner() bool { return true }

// A store that keeps the finer level of weeks reads it for zoom 11
// between dates, and level 10 still for zooms 9 and 10; a store that does
// not reads the events at zoom 11.
func TestPlanZoomDatedFiner(t *testing.T) {
	b := geo.BBox{West: 37.5, South: 47.8, East: 38.1, North: 48.2}
	dated := geo.Filter{BBox: &b, Start: "2024-01-03"}
	for _, tc := range []struct {
		d     eventsql.Dialect
		zoom  int
		level int // 0 when no plan
	}{
		{finerDialect{}, 11, eventsql.WeekFinerLevel},
		{finerDialect{}, 10, eventsql.WeekFineLevel},
		{finerDialect{}, 9, eventsql.WeekFineLevel},
		{finerDialect{}, 12, 0},
		{sqlDialect{}, 11, 0},
	} {
		p, ok := eventsql.PlanZoom(tc.d, dated, tc.zoom)
		if ok != (tc.level != 0) {
			t.Errorf("%T zoom %d: planned %v, want %v", tc.d, tc.zoom, ok, tc.level != 0)
			continue
		}
		if !ok {
			continue
		}
		for _, r := range p.CellRects() {
			stmt, _ := eventsql.CellGroupsSQL(tc.d, r, dated)
			if r.Level != tc.level || !strings.Contains(stmt, " FROM cell_fine_weeks ") {
				t.Errorf("%T zoom %d: reads level %d by %s, want cell_fine_weeks at level %d", tc.d, tc.zoom, r.Level, stmt, tc.level)
			}
		}
	}
	// Without a box, the groups of every cell of the world outnumber the
	// events of a few weeks.
	if _, ok := eventsql.PlanZoom(finerDialect{}, geo.Filter{Start: "2024-01-01", End: "2024-03-31"}, 11); ok {
		t.Error("zoom 11 between dates without a box: planned from the kept cells")
	}
	// A view of zoom 8 reads level 8 inside, and levels 10 and 11 along
	// its edges.
	wide := geo.BBox{West: 36.5, South: 47, East: 39.3, North: 49}
	p, ok := eventsql.PlanZoom(finerDialect{}, geo.Filter{BBox: &wide, Start: "2024-01-03"}, 8)
	levels := map[int]bool{}
	for _, r := range p.CellRects() {
		levels[r.Level] = true
	}
	if !ok || !levels[8] || !levels[eventsql.WeekFineLevel] || !levels[eventsql.WeekFinerLevel] {
		t.Errorf("zoom 8: planned %v, levels %v, want 8, %d and %d", ok, levels, eventsql.WeekFineLevel, eventsql.WeekFinerLevel)
	}
}

// A plan's parts read its cells and strips once each between them.
func TestPlanParts(t *testing.T) {
	b := geo.BBox{West: 36.5, South: 47, East: 39.3, North: 49}
	for _, tc := range []struct {
		f    geo.Filter
		zoom int
	}{
		{geo.Filter{BBox: &b, Start: "2024-01-03", End: "2024-12-31"}, 9},
		{geo.Filter{BBox: &b, Start: "2024-01-03"}, 5},
		{geo.Filter{Start: "2024-01-03"}, 3},
		{geo.Filter{BBox: &geo.BBox{West: 37.7, South: 47.9, East: 37.9, North: 48.1}, Start: "2024-01-01"}, 10},
	} {
		p, ok := eventsql.PlanZoom(sqlDialect{}, tc.f, tc.zoom)
		if !ok {
			t.Fatalf("%+v zoom %d: no plan", tc.f, tc.zoom)
		}
		cells := func(rects []eventsql.CellRect) map[[2]int]int {
			seen := map[[2]int]int{}
			for _, r := range rects {
				k := p.Level - r.Level
				for x := r.X0 << k; x < (r.X1+1)<<k; x++ {
					for y := r.Y0 << k; y < (r.Y1+1)<<k; y++ {
						seen[[2]int{x, y}]++
					}
				}
			}
			return seen
		}
		want := cells(p.CellRects())
		for n := 1; n <= 4; n++ {
			parts := p.Parts(n)
			if len(parts) > n {
				t.Errorf("%+v zoom %d: %d parts, at most %d asked", tc.f, tc.zoom, len(parts), n)
			}
			var rects []eventsql.CellRect
			strips := 0
			for _, part := range parts {
				rects = append(rects, part.CellRects()...)
				strips += len(part.Strips)
			}
			if got := cells(rects); !reflect.DeepEqual(got, want) {
				t.Errorf("%+v zoom %d in %d parts: %d cells read, want %d once each", tc.f, tc.zoom, n, len(got), len(want))
			}
			if strips != len(p.Strips) {
				t.Errorf("%+v zoom %d in %d parts: %d strips, want %d", tc.f, tc.zoom, n, strips, len(p.Strips))
			}
		}
	}
}

// A box is left out only when it covers the occupied cells whole, with the
// rounding slack on every side that is not the edge of the world.
func TestUnboxed(t *testing.T) {
	box := func(w, s, e, n float64) *geo.BBox { return &geo.BBox{West: w, South: s, East: e, North: n} }
	// Level 2: cells of 22.5 degrees; columns 8-9 are 0..45 east, rows
	// 4-5 are 0..45 north.
	cases := []struct {
		name           string
		b              *geo.BBox
		x0, x1, y0, y1 int
		dropped        bool
	}{
		{"the world", box(-180, -90, 180, 90), 8, 9, 4, 5, true},
		{"around the cells", box(-1, -1, 46, 46), 8, 9, 4, 5, true},
		{"on the cells' edges", box(0, 0, 45, 45), 8, 9, 4, 5, false},
		{"a cell short in the east", box(-1, -1, 44, 46), 8, 9, 4, 5, false},
		{"a cell short in the north", box(-1, -1, 46, 44), 8, 9, 4, 5, false},
		{"the first column, from the world's west edge", box(-180, -1, 46, 46), 0, 9, 4, 5, true},
		{"the last row, to the pole", box(-1, -1, 46, 90), 8, 9, 4, 7, true},
		{"across the antimeridian", box(170, -90, 160, 90), 8, 9, 4, 5, false},
	}
	for _, tc := range cases {
		f := eventsql.Unboxed(geo.Filter{BBox: tc.b, Q: "word"}, 2, tc.x0, tc.x1, tc.y0, tc.y1)
		if (f.BBox == nil) != tc.dropped {
			t.Errorf("%s: box left out %v, want %v", tc.name, f.BBox == nil, tc.dropped)
		}
		if f.Q != "word" {
			t.Errorf("%s: the other conditions changed: %+v", tc.name, f)
		}
	}
}
