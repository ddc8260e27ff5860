package postgis

import (
	"context"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// cellCount counts f's events by plan p: the kept counts of its cells and
// the events of its strips.
func cellCount(ctx context.Context, q querier, p eventsql.CellPlan, f geo.Filter) (int, error) {
	stmt, args := eventsql.CellCountSQL(pgSQL, p, f)
	var total int64
	if err := q.QueryRow(ctx, stmt, args...).Scan(&total); err != nil {
		return 0, err
	}
	for _, strip := range p.Strips {
		sq := eventsql.StripFilter(pgSQL, f, strip)
		var n int64
		if err := q.QueryRow(ctx, eventsql.CountSQL(sq), sq.Args...).Scan(&n); err != nil {
			return 0, err
		}
		total += int64(strip.Sign()) * n
	}
	return int(total), nil
}

// cellStats is Stats of f by plan p.
func cellStats(ctx context.Context, q querier, p eventsql.CellPlan, f geo.Filter) (geo.Stats, error) {
	var t geo.Tally
	stmt, args := eventsql.CellTypeWeekSQL(pgSQL, p, f)
	if err := eachRow(ctx, q, stmt, args, func(r pgx.Rows) error { return eventsql.TallyTypeWeeks(r, &t) }); err != nil {
		return geo.Stats{}, err
	}
	stmt, args = eventsql.CellCountrySQL(pgSQL, p, f)
	if err := eachRow(ctx, q, stmt, args, func(r pgx.Rows) error { return eventsql.TallyCountries(r, &t) }); err != nil {
		return geo.Stats{}, err
	}
	for _, strip := range p.Strips {
		sq := eventsql.StripFilter(pgSQL, f, strip)
		if err := eachRow(ctx, q, eventsql.StatsSQL(pgSQL, sq), sq.Args, func(r pgx.Rows) error { return eventsql.TallyRows(r, strip.Sign(), &t) }); err != nil {
			return geo.Stats{}, err
		}
	}
	return t.Stats(), nil
}

// cellGroups returns the density cells of f at zoom by plan p, read in
// one statement (eventsql.CellPlanSQL): a plan of nested cells and strips
// is a dozen parts, each a round trip and a plan apart.
func cellGroups(ctx context.Context, q querier, p eventsql.CellPlan, f geo.Filter, zoom int) ([]geo.Cell, error) {
	var groups []geo.CellRow
	stmt, args := eventsql.CellPlanSQL(pgSQL, p, f, zoom)
	err := eachRow(ctx, q, stmt, args, func(r pgx.Rows) (err error) {
		groups, err = eventsql.ScanPlanRows(r, zoom, groups)
		return err
	})
	if err != nil {
		return nil, err
	}
	return geo.FoldCells(zoom, groups), nil
}

// eachRow runs stmt and hands its rows to read.
func eachRow(ctx context.Context, q querier, stmt string, args []any, read func(pgx.Rows) error) error {
	rows, err := q.Query(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return read(rows)
}

// snapshot runs read in a read-only transaction, so that the several
// statements of a plan see one state of the store.
func (s *Store) snapshot(ctx context.Context, read func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return read(tx)
}
