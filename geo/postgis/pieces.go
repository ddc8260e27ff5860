package postgis

import (
	"context"
	"sync"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// pieceStats answers the stats of f, its conditions in d's spelling,
// walked in the date order (prepare sets a transaction's planner for the
// walk), in
// s.pieces pieces of f's dates (eventsql.DateCuts) read at once: by tx,
// and by other connections of the pool, each in tx's snapshot
// (pg_export_snapshot), so that the pieces add up to one answer. A walk
// costs CPU, and one statement uses one (a word, a box and six months of
// a million events: 185-220 ms in one piece, 115-145 in two on two CPUs);
// the planner's own parallel workers are new processes, whose first reads
// of shared memory cost more here than they save (BENCHMARKS.md). Another
// connection reads pieces only if the pool gives it one before tx has read
// them all: tx reads every piece left, so that no request holding a
// connection waits for another's.
func (s *Store) pieceStats(ctx context.Context, tx pgx.Tx, f geo.Filter, d dialect, prepare func(context.Context, pgx.Tx) error) (geo.Stats, error) {
	var cuts []string
	if s.pieces > 1 {
		var first, last pgtype.Text
		if err := tx.QueryRow(ctx, eventsql.DateSpanSQL(pgSQL)).Scan(&first, &last); err != nil {
			return geo.Stats{}, err
		}
		cuts = eventsql.DateCuts(f, first.String, last.String, s.pieces)
	}
	if err := prepare(ctx, tx); err != nil {
		return geo.Stats{}, err
	}
	if len(cuts) == 0 {
		q := eventsql.Filter(d, f)
		rows, err := tx.Query(ctx, eventsql.StatsSQL(pgSQL, q), q.Args...)
		if err != nil {
			return geo.Stats{}, err
		}
		defer rows.Close()
		return eventsql.Tally(rows)
	}
	var snapshot string
	if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&snapshot); err != nil {
		return geo.Stats{}, err
	}
	pieces := eventsql.Pieces(cuts)
	tallies := make([]geo.Tally, len(pieces))
	work := make(chan int, len(tallies))
	for i := range tallies {
		work <- i
	}
	close(work)
	read := func(tx pgx.Tx) error {
		for i := range work {
			pd := d
			pd.piece = pieces[i]
			q := eventsql.Filter(pd, f)
			rows, err := tx.Query(ctx, eventsql.StatsSQL(pgSQL, q), q.Args...)
			if err != nil {
				return err
			}
			err = eventsql.AddStats(rows, &tallies[i])
			rows.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	acquire, stop := context.WithCancel(ctx)
	defer stop()
	var (
		wg   sync.WaitGroup
		errs = make([]error, s.pieces)
	)
	for h := 1; h < s.pieces; h++ {
		wg.Go(func() {
			conn, err := s.pool.Acquire(acquire)
			if err != nil {
				return // tx read every piece first, or the request ended
			}
			defer conn.Release()
			ptx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
			if err != nil {
				errs[h] = err
				return
			}
			defer ptx.Rollback(context.WithoutCancel(ctx))
			// The snapshot's name is PostgreSQL's own (hex digits and
			// dashes); the statement takes no parameter.
			if _, err := ptx.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+snapshot+"'"); err != nil {
				errs[h] = err
				return
			}
			if err := prepare(ctx, ptx); err != nil {
				errs[h] = err
				return
			}
			errs[h] = read(ptx)
		})
	}
	errs[0] = read(tx)
	stop()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return geo.Stats{}, err
		}
	}
	var t geo.Tally
	for i := range tallies {
		t.Merge(&tallies[i])
	}
	return t.Stats(), nil
}
