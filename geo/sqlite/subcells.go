package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"strconv"
	"strings"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// detailCells returns the density cells of f at zoom from the kept counts
// per cell, sub-event type and precision (eventsql.PlanDetailZoom), in one
// snapshot; false when they do not answer f or are not live.
func (s *Store) detailCells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, bool, error) {
	if _, ok := eventsql.PlanDetailZoom(sqliteSQL, f, zoom); !ok {
		return nil, false, nil
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	return s.detailCellsIn(ctx, tx, f, zoom)
}

// detailCellsIn is detailCells in the snapshot of tx.
func (s *Store) detailCellsIn(ctx context.Context, tx *sql.Tx, f geo.Filter, zoom int) ([]geo.Cell, bool, error) {
	p, ok := eventsql.PlanDetailZoom(sqliteSQL, f, zoom)
	if !ok {
		return nil, false, nil
	}
	if live, err := cellsLive(ctx, tx); err != nil || !live {
		return nil, false, err
	}
	if walk, err := stripsOutweigh(ctx, tx, p, f); err != nil || walk {
		return nil, false, err
	}
	var groups []geo.CellRow
	for _, rect := range p.CellRects() {
		stmt, args := eventsql.DetailCellGroupsSQL(sqliteSQL, rect, f)
		err := eachRow(ctx, tx, stmt, args, func(r *sql.Rows) (err error) {
			groups, err = eventsql.ScanCellRows(r, rect.Level, zoom, 1, groups)
			return err
		})
		if err != nil {
			return nil, false, err
		}
	}
	cells, err := stripCells(ctx, tx, p.Strips, zoom, groups, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
		return s.detailStripQuery(ctx, tx, f, strip)
	})
	return cells, err == nil, err
}

// detailStripQuery is stripQuery for a plan of cell_details: the strip's
// events are found by their box, and their sub-event type and precision
// tested on their rows, kept off the index of sub-event types as the
// event type is kept off its own (a strip of a few hundred events would
// otherwise walk every entry of a common sub-event type).
func (s *Store) detailStripQuery(ctx context.Context, q cellQuerier, f geo.Filter, strip eventsql.Strip) (*eventsql.Query, dialect, error) {
	g := f
	g.SubTypes, g.GeoPrecisions = nil, nil
	sq, d, err := s.stripQuery(ctx, q, g, strip)
	if err != nil {
		return nil, d, err
	}
	sq.In("+e.sub_event_type", f.SubTypes)
	precisions := make([]string, len(f.GeoPrecisions))
	for i, p := range f.GeoPrecisions {
		precisions[i] = strconv.Itoa(p)
	}
	if len(precisions) > 0 {
		sq.Add("+e.geo_precision IN (" + strings.Join(precisions, ", ") + ")")
	}
	return sq, d, nil
}

// refillDetailCells counts cell_details again from the events (refillCells):
// the finest level from the events, each coarser one from it; and
// cell_detail_stats.
func refillDetailCells(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range []string{
		"DELETE FROM cell_details",
		`INSERT INTO cell_details (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT 10, min(CAST((e.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((e.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
			e.event_type, e.sub_event_type, e.geo_precision, e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
		FROM events e GROUP BY 2, 3, 4, 5, 6, 7, 8`,
		`INSERT INTO cell_details (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT l.level, c.x >> (10 - l.level), c.y >> (10 - l.level), c.event_type, c.sub_event_type, c.geo_precision, c.modality, c.origin,
			sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
		FROM cell_details c, cell_detail_levels l WHERE c.level = 10 AND l.level < 10 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
		"DELETE FROM cell_detail_stats",
		`INSERT INTO cell_detail_stats (field, value, x, y, kind, key, n)
		SELECT f.field, CASE f.field WHEN 'sub_event_type' THEN e.sub_event_type ELSE CAST(e.geo_precision AS TEXT) END,
			min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511), k.kind,
			CASE k.kind WHEN 0 THEN e.country_code ELSE coalesce(date(e.event_date, 'weekday 0', '-6 days'), '') END, count(*)
		FROM events e, (SELECT 'sub_event_type' AS field UNION ALL SELECT 'geo_precision') f, (SELECT 0 AS kind UNION ALL SELECT 1) k
		GROUP BY 1, 2, 3, 4, 5, 6`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// detailCellKey is a group of cell_details at a level the tally's map is
// of, its strings by number (tally.id).
type detailCellKey struct {
	x, y                                 uint32
	eventType, subType, modality, origin uint32
	precision                            int
}

// addDetailCell counts e in (sign 1) or out (sign -1) of its group of
// cell_details at the finest level, whose strings are numbered eventType,
// modality and origin.
func (t *tally) addDetailCell(e tallied, sign int, eventType, modality, origin uint32) {
	if len(t.detailLevels) == 0 {
		return
	}
	x, y := t.detailLevels[len(t.detailLevels)-1].cellOf(e.lon, e.lat)
	k := detailCellKey{x: uint32(x), y: uint32(y), eventType: eventType, subType: t.id(e.subType), precision: e.precision,
		modality: modality, origin: origin}
	s := t.detailCells[k]
	s.add(e, sign)
	t.detailCells[k] = s
}

// writeDetailCells adds the groups of cell_details, level by level, each
// coarser level added up from the finest, in the order of the table's
// primary key.
func (t *tally) writeDetailCells(ctx context.Context, p *rowPipe, byRank func(a, b uint32) int) error {
	if len(t.detailCells) == 0 {
		return nil
	}
	w := p.writer("cell_details (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)", 12,
		sumsUpsert)
	finest := t.detailLevels[len(t.detailLevels)-1]
	for _, l := range t.detailLevels {
		shift, err := levelShift(finest, l)
		if err != nil {
			return err
		}
		groups := t.detailCells
		if shift > 0 {
			groups = make(map[detailCellKey]cellSums, len(t.detailCells)>>shift)
			for k, s := range t.detailCells {
				k.x, k.y = k.x>>shift, k.y>>shift
				groups[k] = groups[k].plus(s)
			}
		}
		keys := sortedKeys(groups, func(a, b detailCellKey) int {
			return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y), byRank(a.eventType, b.eventType), byRank(a.subType, b.subType),
				cmp.Compare(a.precision, b.precision), byRank(a.modality, b.modality), byRank(a.origin, b.origin))
		})
		for _, k := range keys {
			s := groups[k]
			if s == (cellSums{}) {
				continue
			}
			if err := w.add(ctx, l.level, k.x, k.y, t.strs[k.eventType], t.strs[k.subType], k.precision, t.strs[k.modality], t.strs[k.origin],
				s.n, s.fatalities, s.lon, s.lat); err != nil {
				return err
			}
		}
	}
	return w.flush(ctx)
}

// detailBoxCount counts f's events, when f has a box, from the density
// cells of cell_details at the finest level of cell_types, which add up to
// the count (a precision in a hotspot's box: the cells inside it and the
// edge strips, instead of the 100,000 index entries the box and the
// precision both hold); false when they do not answer f.
func (s *Store) detailBoxCount(ctx context.Context, tx *sql.Tx, f geo.Filter) (int, bool, error) {
	if f.BBox == nil {
		return 0, false, nil
	}
	cells, ok, err := s.detailCellsIn(ctx, tx, f, eventsql.WordCellLevel)
	if err != nil || !ok {
		return 0, false, err
	}
	n := 0
	for _, c := range cells {
		n += c.Count
	}
	return n, true, nil
}

// stripsOutweigh is eventsql.StripsOutweigh in tx, for a filter whose one
// sub-event type has its walk (subTypeWalk).
func stripsOutweigh(ctx context.Context, tx *sql.Tx, p eventsql.CellPlan, f geo.Filter) (bool, error) {
	if !subTypeWalk(f) {
		return false, nil
	}
	return eventsql.StripsOutweigh(sqliteSQL, p, f, func(stmt string, args []any) (n int64, err error) {
		err = tx.QueryRowContext(ctx, stmt, args...).Scan(&n)
		return n, err
	})
}
