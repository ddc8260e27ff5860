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
	if _, err := tx.Exec(ctx, "UPDATE meta SET value = greatest(value + 1, $1) WHERE key = 'version'", now.UnixMicro()); err != nil {
		return 0, false, err
	}
	tag, err := tx.Exec(ctx, "DELETE FROM events WHERE article_id = $1", id)
	if err != nil {
		return 0, false, err
	}
	n := tag.RowsAffected()
	tag, err = tx.Exec(ctx, "DELETE FROM articles WHERE id = $1", id)
	if err != nil {
		return 0, false, err
	}
	if tag.RowsAffected() == 0 {
		return 0, false, nil // the rollback keeps the version
	}
	return int(n), true, tx.Commit(ctx)
}
