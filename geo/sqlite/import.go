package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// Import adds events read from a file made elsewhere (an export of
// conflictmap or another tool) in one transaction that bumps the data
// version. Unlike Ingest it removes nothing: an event whose id is stored
// already is replaced, any other is added, so that a large file comes in
// batches. articles are the articles the events belong to (each event's
// ArticleID names one of them, or an article stored already); they are
// stored without text, marked imported, so that re-extraction leaves them
// alone, and an article stored already is kept as it is.
func (s *Store) Import(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		if e.ID == "" || e.ArticleID == "" {
			return geo.Errorf(geo.EINVALID, "import: event %q has no id or no article", e.ID)
		}
		if seen[e.ID] {
			return geo.Errorf(geo.EINVALID, "import: two events have the id %s", e.ID)
		}
		seen[e.ID] = true
		if err := geo.CheckEvent(e); err != nil {
			return err
		}
	}
	if err := s.importEvents(ctx, articles, events); err != nil {
		return fmt.Errorf("sqlite store: import: %w", err)
	}
	return nil
}

func (s *Store) importEvents(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	span := 0
	for _, e := range events {
		span = max(span, e.SpanDays())
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = max(value, ?) WHERE key = 'max_span_days'", span); err != nil {
		return err
	}
	var version int64
	err = tx.QueryRowContext(ctx,
		"UPDATE meta SET value = max(value + 1, ?) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return err
	}
	for _, a := range articles {
		_, err = tx.ExecContext(ctx, `INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version, origin)
			VALUES (?, ?, ?, ?, '', ?, ?, 'import') ON CONFLICT (id) DO NOTHING`,
			a.ID, a.Title, a.URL, a.Published, now.UnixMicro(), version)
		if err != nil {
			return fmt.Errorf("article %s: %w", a.ID, err)
		}
	}
	if err := insertEvents(ctx, tx, events); err != nil {
		return err
	}
	return tx.Commit()
}

// insertEvents writes events in tx. The R*Tree and full-text rows of
// imported events (origin other than extracted) are written by the import
// rather than by the insert triggers, which skip them. An R*Tree row is
// written by a statement of its own per event: a statement that may write
// several rows keeps a journal of every page it changes, so that it can be
// undone alone, and one statement for the batch changed, and journaled,
// most of the tree's pages (a fifth of a million events' import). The
// full-text rows are written by one statement for the batch, after the
// events: FTS5 writes its pending rows to disk whenever a statement that
// keeps such a journal starts (each event's upsert does, for its
// triggers), so that one per event would write them once per event. The
// update triggers have removed the full-text rows of the events replaced.
func insertEvents(ctx context.Context, tx *sql.Tx, events []geo.Event) error {
	if len(events) == 0 {
		return nil
	}
	var stmts [2]*sql.Stmt
	for i, q := range []string{
		insertEvent + " RETURNING seq",
		"INSERT OR REPLACE INTO events_rtree (seq, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)",
	} {
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer stmt.Close()
		stmts[i] = stmt
	}
	// Watching the context costs the driver a goroutine per statement, a
	// few percent of a row's insert; the batch checks it once instead.
	if err := ctx.Err(); err != nil {
		return err
	}
	nocancel := context.WithoutCancel(ctx)
	seqs := make([]byte, 0, 12*len(events)+2)
	seqs = append(seqs, '[')
	n := 0
	for _, e := range events {
		var seq int64
		if err := stmts[0].QueryRowContext(nocancel, eventsql.Values(e)...).Scan(&seq); err != nil {
			return fmt.Errorf("event %s: %w", e.ID, err)
		}
		if e.OriginName() == geo.OriginExtracted {
			continue
		}
		if _, err := stmts[1].ExecContext(nocancel, seq, e.Point[0], e.Point[0], e.Point[1], e.Point[1]); err != nil {
			return fmt.Errorf("event %s: bbox index: %w", e.ID, err)
		}
		if n > 0 {
			seqs = append(seqs, ',')
		}
		n++
		seqs = strconv.AppendInt(seqs, seq, 10)
	}
	if n == 0 {
		return nil
	}
	seqs = append(seqs, ']')
	if _, err := tx.ExecContext(ctx, "INSERT INTO events_fts (rowid, actors, quote) SELECT seq, actors_folded, quote_folded "+
		"FROM events WHERE seq IN (SELECT value FROM json_each(?))", string(seqs)); err != nil {
		return fmt.Errorf("word index: %w", err)
	}
	return nil
}

// DeferIndexes drops the secondary indexes of the events table, for a bulk
// import, and returns the function that builds them again. Queries stay
// right meanwhile (only slower). The definitions are kept in the file
// until they are built, so that if the import dies first, the next Open
// builds them.
func (s *Store) DeferIndexes(ctx context.Context) (func(context.Context) error, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO deferred_indexes (name, sql)
		SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL`+deferredCellTriggers)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM deferred_indexes")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
	}
	var drops []string
	for rows.Next() {
		var n, q string
		if err := rows.Scan(&n, &q); err != nil {
			rows.Close()
			return nil, err
		}
		drops = append(drops, deferredDrop(n, q))
	}
	rows.Close()
	for _, drop := range drops {
		if _, err := tx.ExecContext(ctx, drop); err != nil {
			return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
	}
	return s.buildDeferredIndexes, nil
}

// buildDeferredIndexes builds the indexes DeferIndexes dropped, in one
// transaction with forgetting them.
func (s *Store) buildDeferredIndexes(ctx context.Context) error {
	var n int
	if err := s.writer.QueryRowContext(ctx, "SELECT count(*) FROM deferred_indexes").Scan(&n); err != nil || n == 0 {
		return err
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite store: build indexes: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT sql FROM deferred_indexes ORDER BY name")
	if err != nil {
		return fmt.Errorf("sqlite store: build indexes: %w", err)
	}
	var stmts []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			rows.Close()
			return err
		}
		stmts = append(stmts, q)
	}
	rows.Close()
	if err := refillDeferredCells(ctx, tx, stmts); err != nil {
		return fmt.Errorf("sqlite store: build indexes: cells: %w", err)
	}
	for _, q := range stmts {
		q = strings.Replace(q, "CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)
		q = strings.Replace(q, "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
		q = strings.Replace(q, "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite store: build indexes: %s: %w", q, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM deferred_indexes"); err != nil {
		return err
	}
	return tx.Commit()
}
