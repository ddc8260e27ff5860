package postgis

import (
	"context"
	"fmt"
	"time"

	"conflictmap/geo"
)

// DeleteArticle removes the article and its events and bumps the data
// version, in one transaction. It returns how many events went with it;
// an unknown id is a geo.ENOTFOUND.
func (s *Store) DeleteArticle(ctx context.Context, id string) (int, error) {
	n, found, err := s.deleteArticle(ctx, id, time.Now().UTC())
	if err != nil {
		return 0, fmt.Errorf("postgis store: delete article %s: %w", id, err)
	}
	if !found {
		return 0, geo.Errorf(geo.ENOTFOUND, "no article %s", id)
	}
	return n, nil
}

func (s *Store) deleteArticle(ctx context.Context, id string, now time.Time) (events int, found bool, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// The version's row lock first, as in ingest, so that concurrent
	// writes queue in one order.
	var version int64
	err = tx.QueryRow(ctx, "UPDATE meta SET value = greatest(value + 1, $1) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return 0, false, err
	}
	var reports int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM reports WHERE article_id = $1", id).Scan(&reports); err != nil {
		return 0, false, err
	}
	// The events its reports were merged into lose them (those it alone
	// reported go); what remains of the article's is imported rows.
	if err := s.remerge(ctx, tx, id, nil, version); err != nil {
		return 0, false, err
	}
	tag, err := tx.Exec(ctx, "DELETE FROM events WHERE article_id = $1", id)
	if err != nil {
		return 0, false, err
	}
	n := reports + tag.RowsAffected()
	tag, err = tx.Exec(ctx, "DELETE FROM articles WHERE id = $1", id)
	if err != nil {
		return 0, false, err
	}
	if tag.RowsAffected() == 0 {
		return 0, false, nil // the rollback keeps the version
	}
	return int(n), true, tx.Commit(ctx)
}
