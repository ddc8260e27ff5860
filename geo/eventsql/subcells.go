package eventsql

import (
	"math"
	"strconv"
	"strings"

	"conflictmap/geo"
)

// detailCellLevels are the zooms of the density grid at which the stores
// keep counts of their events per cell, sub-event type and precision in
// cell_details (migration 0020): per event type, sub-event type,
// precision, modality and origin, with the fatalities and the sums of the
// points, and no week. The levels of cell_types, and level 10 for the
// views of zooms 9 and 10: a hotspot's box at zoom 9 holds 14,000 events
// of one sub-event type, a few hundred groups per cell-wide strip of
// level 10. No finer level: a level-12 cell holds few events of one
// sub-event type and precision, so that its groups would be about as many
// as the events (the million's level 10: 171,000 groups; level 8: 80,000).
var detailCellLevels = [...]int{2, 4, 6, 8, 10}

// DetailCellLevels returns the zooms of cell_details, coarsest first; the
// migrations that create it list the same.
func DetailCellLevels() []int { return detailCellLevels[:] }

// DetailCellsUsable reports whether cell_details answers the density cells
// of f: when f names a sub-event type or a precision, which cell_types
// does not keep, and besides only event types, modalities, origins and a
// box (not across the antimeridian). No dates: the table keeps no weeks,
// which would multiply its groups by 4 to 60 (a level-6 cell of a hotspot
// would hold 7,800 groups: 104 pairs of weeks by 75 sub-event types and
// precisions), and a filter with dates is answered from the events. No
// words, country or source count either, and precisions of ACLED's only.
func DetailCellsUsable(f geo.Filter) bool {
	if len(f.SubTypes) == 0 && len(f.GeoPrecisions) == 0 {
		return false
	}
	if strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != "" || f.MinSources > 1 || f.Country != "" ||
		f.Start != "" || f.End != "" {
		return false
	}
	for _, p := range f.GeoPrecisions {
		// ACLED's precisions only: another (0, unknown, or one no event
		// has, which the store suite adds to read the events themselves)
		// is answered from the events.
		if p < geo.GeoTown || p > geo.GeoRegion {
			return false
		}
	}
	return f.BBox == nil || f.BBox.West <= f.BBox.East
}

// PlanDetailZoom returns the plan of the density cells of f at zoom from
// cell_details: as PlanZoom plans cell_types, the kept levels at zoom or
// finer up to 8 (level 10 alone for zooms 9 and 10), the box's edges at
// the finest of them, whose cells along the edges are read from that level
// and, further in, from the coarsest level whose whole cells fit. False
// when f is not DetailCellsUsable, zoom is finer than 10, or no cell of the
// finest level lies inside the box.
func PlanDetailZoom(d Dialect, f geo.Filter, zoom int) (CellPlan, bool) {
	if !DetailCellsUsable(f) {
		return CellPlan{}, false
	}
	var levels []int
	for _, l := range detailCellLevels {
		// A zoom of cell_types' levels reads them alone: level 10's
		// cells along a box's edges would be many more groups than its
		// strips' few events.
		if l >= zoom && (zoom > cellLevels[len(cellLevels)-1]) == (l > cellLevels[len(cellLevels)-1]) {
			levels = append(levels, l)
		}
	}
	if len(levels) == 0 {
		return CellPlan{}, false
	}
	if f.BBox == nil {
		return PlanCells(d, f, levels[0])
	}
	p, ok := PlanCells(d, f, levels[len(levels)-1])
	if !ok {
		return CellPlan{}, false
	}
	p.Rects = nestCells(CellRect{Level: p.Level, X0: p.X0, X1: p.X1, Y0: p.Y0, Y1: p.Y1}, levels)
	return p, true
}

// DetailCellGroupsSQL groups the events of the cells r (one of a plan's
// CellRects of PlanDetailZoom) matching f by cell of r's level and event
// type, in the columns of CellsSQL.
func DetailCellGroupsSQL(d Dialect, r CellRect, f geo.Filter) (string, []any) {
	q := cellCond(d, r, f, false)
	q.In("c.sub_event_type", f.SubTypes)
	if len(f.GeoPrecisions) > 0 {
		q.Add("c.geo_precision IN (" + precisionList(f.GeoPrecisions) + ")")
	}
	return "SELECT c.x, c.y, c.event_type, sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat) FROM cell_details c WHERE " +
		q.Where() + " GROUP BY 1, 2, 3 HAVING sum(c.n) > 0", q.Args
}

// DetailCellPlanSQL is CellPlanSQL for a plan of cell_details
// (PlanDetailZoom), its strips' events selected by DetailStripFilter.
func DetailCellPlanSQL(d Dialect, p CellPlan, f geo.Filter, zoom int) (string, []any) {
	return cellPlanSQL(d, p, f, zoom, DetailCellGroupsSQL, DetailStripFilter)
}

// DetailStripFilter is StripFilter for a strip of a plan of cell_details
// or cell_detail_stats: the strip's events found by their box (and dates),
// and their sub-event types and precisions tested on their rows, kept off
// the index of sub-event types by IS TRUE, whose entries of a common type
// a planner would otherwise list for every strip (PostgreSQL: two types'
// stats in a hotspot's box, 0.13-0.17 s against 0.02 s).
func DetailStripFilter(d Dialect, f geo.Filter, s Strip) *Query {
	g := f
	g.SubTypes, g.GeoPrecisions = nil, nil
	q := StripFilter(d, g, s)
	if len(f.SubTypes) > 0 {
		ph := make([]string, len(f.SubTypes))
		for i, t := range f.SubTypes {
			ph[i] = q.Arg(t)
		}
		q.Add("(e.sub_event_type IN (" + strings.Join(ph, ", ") + ")) IS TRUE")
	}
	if len(f.GeoPrecisions) > 0 {
		q.Add("(e.geo_precision IN (" + precisionList(f.GeoPrecisions) + ")) IS TRUE")
	}
	return q
}

// precisionList spells precisions as the list of an IN: integers, so
// literals.
func precisionList(ps []int) string {
	list := make([]string, len(ps))
	for i, p := range ps {
		list[i] = strconv.Itoa(p)
	}
	return strings.Join(list, ", ")
}

// stripCellsLevel is the level of cell_fine whose cells bound the events
// of a detail plan's strips (StripCellsSQL): those of zooms 9 and 10 are
// less than a cell of level 10 wide, up to four of level 12.
const stripCellsLevel = 12

// StripCellsSQL counts the events of the cells of cell_fine (at
// stripCellsLevel) that the strips of a plan of PlanDetailZoom meet, at
// least the events of the strips themselves: a store that reads their
// events one by one can weigh them against another way to f's cells.
// False for a plan of zoom 8 or coarser, whose strips are up to a cell of
// level 8 wide and would meet many more cells.
func StripCellsSQL(d Dialect, p CellPlan) (string, bool) {
	if p.Level <= cellLevels[len(cellLevels)-1] {
		return "", false
	}
	n := geo.CellsAround(stripCellsLevel)
	parts := []string{"SELECT 0 AS n"}
	for _, s := range p.Strips {
		if s.Box == nil {
			continue
		}
		b := *s.Box
		r := CellRect{Level: stripCellsLevel,
			X0: int(math.Floor(cellCoord(b.West+180, n))), X1: min(int(math.Floor(cellCoord(b.East+180, n))), int(n-1)),
			Y0: int(math.Floor(cellCoord(b.South+90, n))), Y1: min(int(math.Floor(cellCoord(b.North+90, n))), int(n/2-1))}
		parts = append(parts, "SELECT c.n FROM cell_fine c WHERE "+cellCond(d, r, geo.Filter{}, false).Where())
	}
	return "SELECT CAST(coalesce(sum(s.n), 0) AS BIGINT) FROM (" + strings.Join(parts, " UNION ALL ") + ") s", true
}

// StripWalkRatio is how many entries of a sub-event type's walk index cost
// as much as one event of a detail plan's strips, read by its row,
// discounted for StripCellsSQL's bound: the hotspot's box at zoom 10 with
// one sub-event type, a million events, read its strips (about 37,000
// events) in 130-147 ms on SQLite and 118-158 ms on PostgreSQL, and at
// zoom 11, with no detail plan, the type's 55,515 entries in 20-37 ms; the
// bound counts up to about twice the strips' events.
const StripWalkRatio = 4

// StripsOutweigh reports whether the strips of f's detail plan p hold so
// many events (at most StripCellsSQL's count) that f's cells cost less
// read from the walk of its sub-event types, whose events detail_counts
// counts. count runs a statement of one integer.
func StripsOutweigh(d Dialect, p CellPlan, f geo.Filter, count func(stmt string, args []any) (int64, error)) (bool, error) {
	stmt, ok := StripCellsSQL(d, p)
	if !ok || len(f.SubTypes) == 0 {
		return false, nil
	}
	strips, err := count(stmt, nil)
	if err != nil {
		return false, err
	}
	c, _, _ := PlanDetail(d, geo.Filter{SubTypes: f.SubTypes})
	typed, err := count(DetailCountSQL(c), c.Args)
	if err != nil {
		return false, err
	}
	return StripWalkRatio*strips > typed, nil
}
