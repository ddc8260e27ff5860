package eventsql

import (
	"strconv"
	"strings"

	"conflictmap/geo"
)

// The fields of the groups of cell_detail_stats (migration 0023): an event
// counts once under its sub-event type and once under its precision (as
// decimal text).
const (
	FieldSubType   = "sub_event_type"
	FieldPrecision = "geo_precision"
)

// DetailStatsField returns, when the tables cell_details and
// cell_detail_stats may answer f's stats, the field f selects by and the
// values it names: f names sub-event types or precisions (not both:
// cell_detail_stats keeps each alone), a box (not across the antimeridian)
// and nothing else, for cell_detail_stats keeps no event type, modality,
// origin or date, and countries only as a breakdown. Precisions are
// ACLED's only, as for DetailCellsUsable.
func DetailStatsField(f geo.Filter) (field string, values []string, ok bool) {
	if f.BBox == nil || f.BBox.West > f.BBox.East || (len(f.SubTypes) > 0) == (len(f.GeoPrecisions) > 0) {
		return "", nil, false
	}
	if len(f.Types) > 0 || len(f.Modalities) > 0 || len(f.Origins) > 0 || f.Country != "" || f.Start != "" || f.End != "" ||
		strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != "" || f.MinSources > 1 {
		return "", nil, false
	}
	if len(f.SubTypes) > 0 {
		return FieldSubType, f.SubTypes, true
	}
	for _, p := range f.GeoPrecisions {
		if p < geo.GeoTown || p > geo.GeoRegion {
			return "", nil, false
		}
		values = append(values, strconv.Itoa(p))
	}
	return FieldPrecision, values, true
}

// PlanDetailStats returns the plan of f's stats from cell_details and
// cell_detail_stats (DetailStatsField): the cells of WordCellLevel inside
// f's box and the strips of its edges. False when f is not answered so or
// no cell lies inside the box.
func PlanDetailStats(d Dialect, f geo.Filter) (CellPlan, bool) {
	if _, _, ok := DetailStatsField(f); !ok {
		return CellPlan{}, false
	}
	return PlanCells(d, f, WordCellLevel)
}

// DetailBoxStatsSQL groups the events of p's cells (of PlanDetailStats)
// matching f by event type (from cell_details at p's level) and by country
// code and week (from cell_detail_stats), in one statement: rows of kind,
// key, count for TallyWordStats. The events of p's strips are not counted.
func DetailBoxStatsSQL(d Dialect, p CellPlan, f geo.Filter) (string, []any) {
	field, values, _ := DetailStatsField(f)
	types := cellCond(d, p.CellRects()[0], geo.Filter{}, false)
	types.In("c.sub_event_type", f.SubTypes)
	if len(f.GeoPrecisions) > 0 {
		// Integers of ACLED's range (DetailStatsField), spelled in.
		types.Add("c.geo_precision IN (" + strings.Join(values, ", ") + ")")
	}
	stats := NewQuery(offsetDialect{d, len(types.Args)})
	stats.Add("c.field = " + stats.Arg(field))
	stats.In("c.value", values)
	if r := p.CellRects()[0]; !r.all {
		stats.Add("c.x >= "+strconv.Itoa(r.X0), "c.x <= "+strconv.Itoa(r.X1),
			"c.y >= "+strconv.Itoa(r.Y0), "c.y <= "+strconv.Itoa(r.Y1))
	}
	return "SELECT " + strconv.Itoa(statType) + ", c.event_type, sum(c.n) FROM cell_details c WHERE " + types.Where() +
			" GROUP BY 2 HAVING sum(c.n) <> 0" +
			" UNION ALL SELECT c.kind, c.key, sum(c.n) FROM cell_detail_stats c WHERE " + stats.Where() +
			" GROUP BY 1, 2 HAVING sum(c.n) <> 0",
		append(types.Args, stats.Args...)
}
