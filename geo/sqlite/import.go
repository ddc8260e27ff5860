package sqlite

import (
	"context"
	"fmt"
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
	for _, e := range events {
		if e.ID == "" || e.ArticleID == "" {
			return geo.Errorf(geo.EINVALID, "import: event %q has no id or no article", e.ID)
		}
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
	stmt, err := tx.PrepareContext(ctx, insertEvent)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range events {
		if _, err := stmt.ExecContext(ctx, eventsql.Values(e)...); err != nil {
			return fmt.Errorf("event %s: %w", e.ID, err)
		}
	}
	return tx.Commit()
}
