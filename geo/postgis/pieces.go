package postgis

import (
	"context"
	"sync"
	"sync/atomic"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// stripsAtOnce is atOnce for the parts of a box's answer (its kept cells
// and the strips along its edges) with the planner's parallel workers off
// on every connection, tx's until the jobs are done: the strips already
// read at once, and a strip's statement that the planner gave two workers,
// from an estimate that flips with ANALYZE's sample, took 87 ms where
// one without took 5-35 (a million events, the stats of a sub-event type
// in the hotspot's box, BENCHMARKS.md).
func (s *Store) stripsAtOnce(ctx context.Context, tx pgx.Tx, n int, job func(tx pgx.Tx, i int) error) error {
	return withoutWorkers(ctx, tx, func(q querier) error { return s.atOnce(ctx, tx, n, noWorkers, job) })
}

// withoutWorkers runs fn with the planner's parallel workers off: in q's
// transaction until fn returns, or in a read-only one of its own when q
// is the pool (fn then reads through that transaction).
func withoutWorkers(ctx context.Context, q querier, fn func(q querier) error) error {
	switch q := q.(type) {
	case pgx.Tx:
		var prev string
		if err := q.QueryRow(ctx, "SELECT current_setting('max_parallel_workers_per_gather'), set_config('max_parallel_workers_per_gather', '0', true)").
			Scan(&prev, nil); err != nil {
			return err
		}
		err := fn(q)
		if _, rerr := q.Exec(ctx, "SELECT set_config('max_parallel_workers_per_gather', $1, true)", prev); err == nil {
			err = rerr
		}
		return err
	case *pgxpool.Pool:
		return pgx.BeginTxFunc(ctx, q, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			if err := noWorkers(ctx, tx); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	return fn(q)
}

// noWorkers turns the planner's parallel workers off for tx.
func noWorkers(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, "SET LOCAL max_parallel_workers_per_gather = 0")
	return err
}

// atOnce runs the jobs 0 to n-1 of one answer, each a statement or a few
// that read in tx's snapshot, by tx and by up to s.pieces-1 other
// connections of the pool at once, each of which imports tx's snapshot
// (pg_export_snapshot) and runs prepare (nil: nothing) before its first
// job. One statement uses one CPU; the parts of an answer (the pieces of
// a walk, the strips along a box's edges) are apart, and read at once they
// take the time of the longest rather than of all. The planner's own
// parallel workers are new processes, whose first reads of shared memory
// cost more here than they save (BENCHMARKS.md). Another connection runs
// jobs only if the pool gives it one before tx has run them all: tx runs
// every job left, so that no request holding a connection waits for
// another's. Each job must write apart from the others.
func (s *Store) atOnce(ctx context.Context, tx pgx.Tx, n int, prepare func(context.Context, pgx.Tx) error, job func(tx pgx.Tx, i int) error) error {
	return s.atOnceThen(ctx, tx, n, prepare, job, nil)
}

// atOnceThen is atOnce, and runs then (nil: nothing) on tx once no job is
// left for it, while other connections may still run theirs: what can
// follow the jobs tx ran (the rows of a page that the newest piece of a
// walk holds) need not wait for the others.
func (s *Store) atOnceThen(ctx context.Context, tx pgx.Tx, n int, prepare func(context.Context, pgx.Tx) error, job func(tx pgx.Tx, i int) error,
	then func(tx pgx.Tx) error) error {
	work := make(chan int, n)
	for i := range n {
		work <- i
	}
	close(work)
	// After a job fails, the jobs left are not run: the answer is lost.
	var failed atomic.Bool
	run := func(tx pgx.Tx) error {
		for i := range work {
			if failed.Load() {
				return nil
			}
			if err := job(tx, i); err != nil {
				failed.Store(true)
				return err
			}
		}
		return nil
	}
	thenOn := func(err error) error {
		if err != nil || then == nil || failed.Load() {
			return err
		}
		return then(tx)
	}
	helpers := min(s.pieces, n) - 1
	if helpers < 1 {
		return thenOn(run(tx))
	}
	var snapshot string
	if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&snapshot); err != nil {
		return err
	}
	acquire, stop := context.WithCancel(ctx)
	defer stop()
	var (
		wg   sync.WaitGroup
		errs = make([]error, helpers+1)
	)
	for h := 1; h <= helpers; h++ {
		wg.Go(func() {
			conn, err := s.pool.Acquire(acquire)
			if err != nil {
				return // tx ran every job first, or the request ended
			}
			defer conn.Release()
			htx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
			if err != nil {
				errs[h] = err
				return
			}
			defer htx.Rollback(context.WithoutCancel(ctx))
			// The snapshot's name is PostgreSQL's own (hex digits and
			// dashes); the statement takes no parameter.
			if _, err := htx.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+snapshot+"'"); err != nil {
				errs[h] = err
				return
			}
			if prepare != nil {
				if err := prepare(ctx, htx); err != nil {
					errs[h] = err
					return
				}
			}
			errs[h] = run(htx)
		})
	}
	errs[0] = run(tx)
	// No job is left: a helper not yet connected is not needed.
	stop()
	errs[0] = thenOn(errs[0])
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// pieceStats answers the stats of f, its conditions in d's spelling,
// walked in the date order (prepare sets a transaction's planner for the
// walk), in s.pieces pieces of f's dates (eventsql.DateCuts) read at once
// in tx's snapshot (atOnce): a walk costs CPU (a word, a box and six
// months of a million events: 185-220 ms in one piece, 115-145 in two on
// two CPUs).
func (s *Store) pieceStats(ctx context.Context, tx pgx.Tx, f geo.Filter, d dialect, prepare func(context.Context, pgx.Tx) error) (geo.Stats, error) {
	var cuts []string
	if s.pieces > 1 {
		var first, last pgtype.Text
		if err := tx.QueryRow(ctx, eventsql.DateSpanSQL(pgSQL)).Scan(&first, &last); err != nil {
			return geo.Stats{}, err
		}
		spans, err := s.spansIn(ctx, tx)
		if err != nil {
			return geo.Stats{}, err
		}
		cuts = eventsql.DateCuts(f, first.String, last.String, s.pieces, spans)
	}
	if err := prepare(ctx, tx); err != nil {
		return geo.Stats{}, err
	}
	pieces := eventsql.Pieces(cuts)
	tallies := make([]geo.Tally, len(pieces))
	err := s.atOnce(ctx, tx, len(pieces), prepare, func(tx pgx.Tx, i int) error {
		pd := d
		pd.piece = pieces[i]
		q := eventsql.Filter(pd, f)
		return eachRow(ctx, tx, eventsql.StatsSQL(pgSQL, q), q.Args, func(r pgx.Rows) error { return eventsql.AddStats(r, &tallies[i]) })
	})
	if err != nil {
		return geo.Stats{}, err
	}
	return merged(tallies), nil
}

// merged adds up tallies.
func merged(tallies []geo.Tally) geo.Stats {
	var t geo.Tally
	for i := range tallies {
		t.Merge(&tallies[i])
	}
	return t.Stats()
}

// defaultRowsPieceAt is how many keys, at least, each connection of
// Store.rowsAtOnce reads: a page's rows cost a descent of the primary key
// and a heap page each (1,000 rows: 5-20 ms), and a piece of them pays a
// connection's snapshot import, a few round trips.
const defaultRowsPieceAt = 250

// rowsAtOnce is readKeyed with the keys cut into up to s.pieces pieces,
// read at once in tx's snapshot (atOnce), together with the jobs also,
// each of which reads apart from the rows (prepare readies a helper
// connection for them: nil, nothing). The jobs run first, so that the
// longest starts first.
func (s *Store) rowsAtOnce(ctx context.Context, tx pgx.Tx, stmt string, keys []string, events []geo.Event,
	prepare func(context.Context, pgx.Tx) error, also ...func(tx pgx.Tx) error) ([]geo.Event, error) {
	n := max(min(s.pieces, len(keys)/s.rowsPieceAt), 1)
	if n == 1 && len(also) == 0 {
		return readKeyed(ctx, tx, stmt, keys, events)
	}
	parts := make([][]geo.Event, n)
	err := s.atOnce(ctx, tx, len(also)+n, prepare, func(tx pgx.Tx, i int) error {
		if i < len(also) {
			return also[i](tx)
		}
		i -= len(also)
		var err error
		parts[i], err = readKeyed(ctx, tx, stmt, keys[i*len(keys)/n:(i+1)*len(keys)/n], nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		events = append(events, p...)
	}
	return events, nil
}
