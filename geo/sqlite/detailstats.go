package sqlite

import (
	"context"
	"database/sql"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// detailBoxStats answers the stats of sub-event types or precisions with a
// box (eventsql.DetailStatsField) from the kept counts per cell, in one
// snapshot: the event types of the cells inside the box from cell_details,
// their countries and weeks from cell_detail_stats (migration 0023), and
// the events of the box's edge strips from their rows
// (detailStripQuery). False when the kept cells do not answer f or are not
// live.
func (s *Store) detailBoxStats(ctx context.Context, f geo.Filter) (geo.Stats, bool, error) {
	p, ok := eventsql.PlanDetailStats(sqliteSQL, f)
	if !ok {
		return geo.Stats{}, false, nil
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return geo.Stats{}, false, err
	}
	defer tx.Rollback()
	if live, err := cellsLive(ctx, tx); err != nil || !live {
		return geo.Stats{}, false, err
	}
	var t geo.Tally
	stmt, args := eventsql.DetailBoxStatsSQL(sqliteSQL, p, f)
	if err := s.tallyPlan(ctx, tx, &t, stmt, args, p.Strips, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
		return s.detailStripQuery(ctx, tx, f, strip)
	}); err != nil {
		return geo.Stats{}, false, err
	}
	return t.Stats(), true, nil
}

// tallyPlan adds to t the groups of the kept cells inside a box (stmt,
// rows of eventsql.TallyWordStats) and the events of its edge strips, each
// selected by strip and added or taken off by its sign.
func (s *Store) tallyPlan(ctx context.Context, tx cellQuerier, t *geo.Tally, stmt string, args []any, strips []eventsql.Strip,
	strip func(eventsql.Strip) (*eventsql.Query, dialect, error)) error {
	if err := eachRow(ctx, tx, stmt, args, func(r *sql.Rows) error { return eventsql.TallyWordStats(r, t) }); err != nil {
		return err
	}
	for _, st := range strips {
		sq, d, err := strip(st)
		if err != nil {
			return err
		}
		if err := eachRow(ctx, tx, eventsql.StatsSQL(d, sq), sq.Args, func(r *sql.Rows) error {
			return eventsql.TallyRows(r, st.Sign(), t)
		}); err != nil {
			return err
		}
	}
	return nil
}
