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
		stmt, args := eventsql.DetailBoxStatsSQL(pgSQL, p, f)
		var err error
		st, err = s.tallyPlan(ctx, tx, stmt, args, p.Strips, func(strip eventsql.Strip) *eventsql.Query {
			return eventsql.DetailStripFilter(pgSQL, f, strip)
		})
		return err
	})
	return st, err == nil, err
}

// tallyPlan adds up the groups of the kept cells inside a box (stmt, rows
// of eventsql.TallyWordStats) and the events of its edge strips, each
// selected by strip and added or taken off by its sign: each a job of
// atOnce.
func (s *Store) tallyPlan(ctx context.Context, tx pgx.Tx, stmt string, args []any, strips []eventsql.Strip,
	strip func(eventsql.Strip) *eventsql.Query) (geo.Stats, error) {
	tallies := make([]geo.Tally, 1+len(strips))
	err := s.stripsAtOnce(ctx, tx, len(tallies), func(tx pgx.Tx, i int) error {
		t := &tallies[i]
		if i == 0 {
			return eachRow(ctx, tx, stmt, args, func(r pgx.Rows) error { return eventsql.TallyWordStats(r, t) })
		}
		st := strips[i-1]
		sq := strip(st)
		return eachRow(ctx, tx, eventsql.StatsSQL(pgSQL, sq), sq.Args, func(r pgx.Rows) error { return eventsql.TallyRows(r, st.Sign(), t) })
	})
	if err != nil {
		return geo.Stats{}, err
	}
	return merged(tallies), nil
}
