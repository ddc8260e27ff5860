package postgis

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// statsEvery is how many ingests of one Store pass between two looks at
// the size of its tables.
const statsEvery = 100

// freshenStats analyzes the store's tables that have more than doubled in
// size (plus eight pages) since their last analysis; it looks once every
// statsEvery ingests.
//
// Nothing else replans a cached statement while its tables grow: a
// connection that prepared the merge's statements while the store was
// small keeps their plans until the tables are analyzed, and a plan made
// for a table of a few pages reads it whole (the reports of a group by
// event_id, the events deleted by id: a sequential scan in every ingest,
// growing with the store; BENCHMARKS.md "Merging at scale"). Autovacuum
// analyzes a table after a tenth of its rows changed, but a server may run
// without it, and this one does. ANALYZE invalidates the cached plans, and
// the next ones see the table as it is. Doubling keeps the analyses few
// (a handful per table over the store's life) and a plan never older than
// half its table. The sizes compared, the table's pages now and at its
// last analysis (pg_class.relpages), need no statistics to be collected
// first.
func (s *Store) freshenStats(ctx context.Context) error {
	if s.ingests.Add(1)%statsEvery != 0 {
		return nil
	}
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'r'
		AND pg_relation_size(c.oid) / current_setting('block_size')::integer > 2 * greatest(c.relpages, 0) + 8`, s.schema)
	if err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	for _, t := range tables {
		if _, err := s.pool.Exec(ctx, "ANALYZE "+pgx.Identifier{s.schema, t}.Sanitize()); err != nil {
			return fmt.Errorf("statistics: analyze %s: %w", t, err)
		}
	}
	return nil
}
