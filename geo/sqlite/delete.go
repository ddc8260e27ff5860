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
	var reports int
	err = tx.QueryRowContext(ctx, "SELECT count(*) FROM reports WHERE article_id = ?", id).Scan(&reports)
	if err != nil {
		return 0, false, err
	}
	var version int64
	err = tx.QueryRowContext(ctx, "UPDATE meta SET value = max(value + 1, ?) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return 0, false, err
	}
	// The events its reports were merged into lose them (those it alone
	// reported go); what remains of the article's is imported rows.
	if err := s.remerge(ctx, tx, id, nil, version); err != nil {
		return 0, false, err
	}
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
	return reports + int(n), true, tx.Commit()
}
