package sqlite

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
		return 0, fmt.Errorf("sqlite store: delete article %s: %w", id, err)
	}
	if !found {
		return 0, geo.Errorf(geo.ENOTFOUND, "no article %s", id)
	}
	return n, nil
}

func (s *Store) deleteArticle(ctx context.Context, id string, now time.Time) (events int, found bool, err error) {
	tx, err := s.writer.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock now
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM events WHERE article_id = ?", id)
	if err != nil {
		return 0, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, false, err
	}
	res, err = tx.ExecContext(ctx, "DELETE FROM articles WHERE id = ?", id)
	if err != nil {
		return 0, false, err
	}
	if gone, err := res.RowsAffected(); err != nil || gone == 0 {
		return 0, false, err // nothing changed: the rollback keeps the version
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = max(value + 1, ?) WHERE key = 'version'", now.UnixMicro()); err != nil {
		return 0, false, err
	}
	return int(n), true, tx.Commit()
}
