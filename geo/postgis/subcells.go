package postgis

import (
	"context"
	"maps"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// detailCells returns the density cells of f at zoom from the kept counts
// per cell, sub-event type and precision (eventsql.PlanDetailZoom), read in
// one statement (eventsql.DetailCellPlanSQL); false when they do not
// answer f.
func (s *Store) detailCells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, bool, error) {
	return detailCellsIn(ctx, s.pool, f, zoom)
}

// detailCellsIn is detailCells read through q (a snapshot's transaction).
func detailCellsIn(ctx context.Context, q querier, f geo.Filter, zoom int) ([]geo.Cell, bool, error) {
	p, ok := eventsql.PlanDetailZoom(pgSQL, f, zoom)
	if !ok {
		return nil, false, nil
	}
	if walk, err := stripsOutweigh(ctx, q, p, f); err != nil || walk {
		return nil, false, err
	}
	var groups []geo.CellRow
	stmt, args := eventsql.DetailCellPlanSQL(pgSQL, p, f, zoom)
	// One statement, the kept cells and the strips along the box's edges:
	// a strip that the planner gave two workers took 74 of its 93 ms (the
	// page of a sub-event type in the hotspot's box, BENCHMARKS.md).
	err := withoutWorkers(ctx, q, func(q querier) error {
		return eachRow(ctx, q, stmt, args, func(r pgx.Rows) (err error) {
			groups, err = eventsql.ScanPlanRows(r, zoom, groups)
			return err
		})
	})
	if err != nil {
		return nil, false, err
	}
	return geo.FoldCells(zoom, groups), true, nil
}

// stripsOutweigh is eventsql.StripsOutweigh read through q.
func stripsOutweigh(ctx context.Context, q querier, p eventsql.CellPlan, f geo.Filter) (bool, error) {
	return eventsql.StripsOutweigh(pgSQL, p, f, func(stmt string, args []any) (n int64, err error) {
		err = q.QueryRow(ctx, stmt, args...).Scan(&n)
		return n, err
	})
}

// detailCellKey is a group of cell_details at its finest level: the cell,
// the number of the combination of cell_fine (event type, modality and
// origin), the interned sub-event type and the precision.
type detailCellKey struct {
	x, y           int32
	combo, subType uint32
	precision      int32
}

// addDetailCell counts the sums of e, whose profile is p, in its group of
// cell_details.
func (t *tally) addDetailCell(e tallied, p *profile, sums cellSums) {
	x, y := cellOf(t.detailLevel, e.lon, e.lat)
	k := detailCellKey{x: x, y: y, combo: p.fineCells, subType: t.intern(e.subType), precision: e.precision}
	s := t.detailCells[k]
	s.add(sums)
	t.detailCells[k] = s
}

// detailCellGroup is a group of cell_details at one level.
type detailCellGroup struct {
	level, x, y                          int32
	eventType, subType, modality, origin uint32
	precision                            int32
}

// detailCellsTable returns the groups of cell_details at every level, the
// coarser ones added up from the finest, sorted by the table's primary key
// (byName ranks interned strings, name spells them).
func (t *tally) detailCellsTable(name func(uint32) string, byName func(uint32) uint32) keptTable {
	groups := make(map[detailCellGroup]cellSums, len(t.detailCells)*3/2)
	for _, level := range eventsql.DetailCellLevels() {
		shift := int32(t.detailLevel - level)
		for k, s := range t.detailCells {
			c := t.comboList[k.combo]
			g := detailCellGroup{level: int32(level), x: k.x >> shift, y: k.y >> shift, eventType: c.eventType, subType: k.subType,
				modality: c.modality, origin: c.origin, precision: k.precision}
			sum := groups[g]
			sum.add(s)
			groups[g] = sum
		}
	}
	rows := eventsql.SortedGroups(maps.All(groups), len(groups), noSums,
		func(k detailCellGroup) uint32 { return signed(k.level) }, func(k detailCellGroup) uint32 { return signed(k.x) },
		func(k detailCellGroup) uint32 { return signed(k.y) }, func(k detailCellGroup) uint32 { return byName(k.eventType) },
		func(k detailCellGroup) uint32 { return byName(k.subType) }, func(k detailCellGroup) uint32 { return signed(k.precision) },
		func(k detailCellGroup) uint32 { return byName(k.modality) }, func(k detailCellGroup) uint32 { return byName(k.origin) })
	return keptTable{name: "cell_details", key: 8, n: len(rows),
		update:  "n = c.n + excluded.n, fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat",
		columns: []string{"level", "x", "y", "event_type", "sub_event_type", "geo_precision", "modality", "origin", "n", "fatalities", "sum_lon", "sum_lat"},
		row: func(i int, dst []any) {
			g := rows[i]
			fill(dst, g.K.level, g.K.x, g.K.y, name(g.K.eventType), name(g.K.subType), g.K.precision, name(g.K.modality), name(g.K.origin),
				g.V.n, g.V.fatalities, g.V.lon, g.V.lat)
		}}
}

// detailBoxCount counts f's events, when f has a box, from the kept
// counts per cell, sub-event type and precision: the density cells of the
// finest kept level of cell_types add up to the count, as they do to
// numberMatched (a precision in a hotspot's box: the cells inside it and
// five strips of edges, instead of the 100,000 rows the box and the
// precision both hold, which the GiST and the precision's conditions
// read in 1-1.3 s); false when cell_details does not answer f.
func detailBoxCount(ctx context.Context, q querier, f geo.Filter) (int, bool, error) {
	if f.BBox == nil {
		return 0, false, nil
	}
	cells, ok, err := detailCellsIn(ctx, q, f, eventsql.WordCellLevel)
	if err != nil || !ok {
		return 0, false, err
	}
	n := 0
	for _, c := range cells {
		n += c.Count
	}
	return n, true, nil
}
