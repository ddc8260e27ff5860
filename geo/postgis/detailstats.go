package postgis

import (
	"context"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// detailBoxStats answers the stats of sub-event types or precisions with a
// box (eventsql.DetailStatsField) from the kept counts per cell, in one
// snapshot: the event types of the cells inside the box from cell_details,
// their countries and weeks from cell_detail_stats (migration 0023), and
// the events of the box's edge strips from their rows (eventsql.DetailStripFilter).
// False when the kept cells do not answer f.
func (s *Store) detailBoxStats(ctx context.Context, f geo.Filter) (geo.Stats, bool, error) {
	p, ok := eventsql.PlanDetailStats(pgSQL, f)
	if !ok {
		return geo.Stats{}, false, nil
	}
	var st geo.Stats
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		var t geo.Tally
		stmt, args := eventsql.DetailBoxStatsSQL(pgSQL, p, f)
		if err := tallyPlan(ctx, tx, &t, stmt, args, p.Strips, func(strip eventsql.Strip) *eventsql.Query {
			return eventsql.DetailStripFilter(pgSQL, f, strip)
		}); err != nil {
			return err
		}
		st = t.Stats()
		return nil
	})
	return st, err == nil, err
}

// tallyPlan adds to t the groups of the kept cells inside a box (stmt,
// rows of eventsql.TallyWordStats) and the events of its edge strips, each
// selected by strip and added or taken off by its sign.
func tallyPlan(ctx context.Context, q querier, t *geo.Tally, stmt string, args []any, strips []eventsql.Strip,
	strip func(eventsql.Strip) *eventsql.Query) error {
	if err := eachRow(ctx, q, stmt, args, func(r pgx.Rows) error { return eventsql.TallyWordStats(r, t) }); err != nil {
		return err
	}
	for _, st := range strips {
		sq := strip(st)
		if err := eachRow(ctx, q, eventsql.StatsSQL(pgSQL, sq), sq.Args, func(r pgx.Rows) error {
			return eventsql.TallyRows(r, st.Sign(), t)
		}); err != nil {
			return err
		}
	}
	return nil
}
