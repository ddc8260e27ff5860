package eventsql_test

import (
	"strings"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// The kept cells per sub-event type and precision answer the filters they
// group by, at the levels of cell_types for its zooms and at level 10 for
// zooms 9 and 10, and leave dates, countries, words, source counts, other
// precisions and finer zooms to the events.
func TestPlanDetailZoom(t *testing.T) {
	clash := []string{"Armed clash"}
	box := &geo.BBox{West: 30, South: 44, East: 40, North: 52}
	for _, c := range []struct {
		f      geo.Filter
		zoom   int
		ok     bool
		levels []int // of the plan's cells, coarsest first
	}{
		{geo.Filter{SubTypes: clash}, 2, true, []int{2}},
		{geo.Filter{GeoPrecisions: []int{geo.GeoTown}}, 0, true, []int{2}},
		{geo.Filter{SubTypes: clash, BBox: box}, 6, true, []int{6, 8}},
		{geo.Filter{SubTypes: clash, BBox: box}, 9, true, []int{10}},
		{geo.Filter{GeoPrecisions: []int{geo.GeoNear, geo.GeoRegion}, Types: []string{geo.Battles}}, 10, true, []int{10}},
		{geo.Filter{SubTypes: clash}, 11, false, nil},
		{geo.Filter{BBox: box}, 6, false, nil},
		{geo.Filter{SubTypes: clash, Start: "2024-03-04"}, 2, false, nil},
		{geo.Filter{SubTypes: clash, Country: "UA"}, 2, false, nil},
		{geo.Filter{SubTypes: clash, Q: "drone"}, 2, false, nil},
		{geo.Filter{SubTypes: clash, MinSources: 2}, 2, false, nil},
		{geo.Filter{GeoPrecisions: []int{0, geo.GeoTown}}, 2, false, nil},
		{geo.Filter{SubTypes: clash, BBox: &geo.BBox{West: 170, South: -10, East: -170, North: 10}}, 2, false, nil},
	} {
		p, ok := eventsql.PlanDetailZoom(sqlDialect{}, c.f, c.zoom)
		if ok != c.ok {
			t.Errorf("%+v at zoom %d: planned %v, want %v", c.f, c.zoom, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		seen := map[int]bool{}
		var levels []int
		for _, r := range p.CellRects() {
			if !seen[r.Level] {
				seen[r.Level] = true
				levels = append(levels, r.Level)
			}
		}
		if len(levels) != len(c.levels) || levels[0] != c.levels[0] || levels[len(levels)-1] != c.levels[len(c.levels)-1] {
			t.Errorf("%+v at zoom %d: levels %v, want %v", c.f, c.zoom, levels, c.levels)
		}
		stmt, _ := eventsql.DetailCellPlanSQL(sqlDialect{}, p, c.f, c.zoom)
		if !strings.Contains(stmt, "FROM cell_details c") {
			t.Errorf("%+v at zoom %d: %s reads no cell_details", c.f, c.zoom, stmt)
		}
	}
}
