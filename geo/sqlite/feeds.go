package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"conflictmap/geo"
)

const feedColumns = `id, url, interval_ms, source, created_at, etag, last_modified, last_fetch, last_status,
	last_error, last_reason, failures, next_fetch, items_seen, articles_ingested, events_found, item_errors, last_item_error,
	items_deferred`

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func scanFeed(row interface{ Scan(...any) error }) (geo.Feed, error) {
	var (
		f                            geo.Feed
		intervalMS                   int64
		created, lastFetch, nextTime int64
	)
	err := row.Scan(&f.ID, &f.URL, &intervalMS, &f.Source, &created, &f.ETag, &f.LastModified, &lastFetch, &f.LastStatus,
		&f.LastError, &f.LastReason, &f.Failures, &nextTime, &f.ItemsSeen, &f.ArticlesIngested, &f.EventsFound, &f.ItemErrors, &f.LastItemError,
		&f.ItemsDeferred)
	if err != nil {
		return geo.Feed{}, err
	}
	f.Interval = time.Duration(intervalMS) * time.Millisecond
	f.CreatedAt, f.LastFetch, f.NextFetch = fromMicros(created), fromMicros(lastFetch), fromMicros(nextTime)
	return f, nil
}

// AddFeed follows the feed at url, due at once, and returns it with
// whether it was new. Adding a followed URL again keeps its state and
// sets its interval (when given); a feed named at start ("flag") stays so.
// Added again through the API ("api"), it is due at once (a user asking
// for it now); named again at start, it keeps its next fetch time.
func (s *Store) AddFeed(ctx context.Context, url string, interval time.Duration, source string, now time.Time) (geo.Feed, bool, error) {
	res, err := s.writer.ExecContext(ctx, `INSERT INTO feeds (id, url, interval_ms, source, created_at, next_fetch)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`,
		geo.FeedID(url), url, interval.Milliseconds(), source, now.UnixMicro(), now.UnixMicro())
	if err != nil {
		return geo.Feed{}, false, fmt.Errorf("sqlite store: add feed %s: %w", url, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		_, err = s.writer.ExecContext(ctx, `UPDATE feeds SET
			interval_ms = CASE WHEN ? > 0 THEN ? ELSE interval_ms END,
			next_fetch = CASE WHEN ? = 'api' THEN ? ELSE next_fetch END,
			source = CASE WHEN ? = 'flag' THEN 'flag' ELSE source END WHERE url = ?`,
			interval.Milliseconds(), interval.Milliseconds(), source, now.UnixMicro(), source, url)
		if err != nil {
			return geo.Feed{}, false, fmt.Errorf("sqlite store: add feed %s: %w", url, err)
		}
	}
	f, err := s.Feed(ctx, geo.FeedID(url))
	return f, n > 0, err
}

// Feed returns one followed feed.
func (s *Store) Feed(ctx context.Context, id string) (geo.Feed, error) {
	f, err := scanFeed(s.writer.QueryRowContext(ctx, "SELECT "+feedColumns+" FROM feeds WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return geo.Feed{}, geo.Errorf(geo.ENOTFOUND, "no feed %s", id)
	}
	if err != nil {
		return geo.Feed{}, fmt.Errorf("sqlite store: feed %s: %w", id, err)
	}
	return f, nil
}

// Feeds returns every followed feed, oldest first.
func (s *Store) Feeds(ctx context.Context) ([]geo.Feed, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT "+feedColumns+" FROM feeds ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: feeds: %w", err)
	}
	defer rows.Close()
	list := []geo.Feed{}
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite store: feeds: %w", err)
		}
		list = append(list, f)
	}
	return list, rows.Err()
}

// DeleteFeed stops following a feed and forgets its items; the articles
// read from it stay.
func (s *Store) DeleteFeed(ctx context.Context, id string) error {
	res, err := s.writer.ExecContext(ctx, "DELETE FROM feeds WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("sqlite store: delete feed %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return geo.Errorf(geo.ENOTFOUND, "no feed %s", id)
	}
	return nil
}

// LeaseFeed hands owner the feed that is due soonest (next fetch at or
// before now, no live lease), leased until now+ttl, or false when none is
// due.
func (s *Store) LeaseFeed(ctx context.Context, owner string, now time.Time, ttl time.Duration) (geo.Feed, bool, error) {
	f, err := scanFeed(s.writer.QueryRowContext(ctx, `UPDATE feeds SET lease_owner = ?, lease_until = ?
		WHERE id = (SELECT id FROM feeds WHERE next_fetch <= ? AND lease_until <= ? ORDER BY next_fetch, id LIMIT 1)
		RETURNING `+feedColumns, owner, now.Add(ttl).UnixMicro(), now.UnixMicro(), now.UnixMicro()))
	if errors.Is(err, sql.ErrNoRows) {
		return geo.Feed{}, false, nil
	}
	if err != nil {
		return geo.Feed{}, false, fmt.Errorf("sqlite store: lease a feed: %w", err)
	}
	return f, true, nil
}

// NextFeedDue returns when the next feed is due, or false when no feed is
// followed.
func (s *Store) NextFeedDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	if err := s.reader.QueryRowContext(ctx, "SELECT min(max(next_fetch, lease_until)) FROM feeds").Scan(&next); err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite store: next feed due: %w", err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return fromMicros(next.Int64), true, nil
}

// RenewFeedLease extends owner's lease on a feed; false when owner no
// longer holds it.
func (s *Store) RenewFeedLease(ctx context.Context, id, owner string, until time.Time) (bool, error) {
	res, err := s.writer.ExecContext(ctx, "UPDATE feeds SET lease_until = ? WHERE id = ? AND lease_owner = ?", until.UnixMicro(), id, owner)
	if err != nil {
		return false, fmt.Errorf("sqlite store: renew lease of feed %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SaveFeedFetch records a poll's outcome and releases owner's lease. It
// reports false (and saves nothing) when owner no longer held the lease.
func (s *Store) SaveFeedFetch(ctx context.Context, id, owner string, r geo.FeedFetch) (bool, error) {
	failed := 0
	if r.Err != "" {
		failed = 1
	}
	res, err := s.writer.ExecContext(ctx, `UPDATE feeds SET
		etag = CASE WHEN ? THEN etag WHEN ? = '' THEN ? ELSE ? END,
		last_modified = CASE WHEN ? THEN last_modified WHEN ? = '' THEN ? ELSE ? END,
		last_fetch = ?, last_status = ?, last_error = ?, last_reason = ?,
		failures = CASE WHEN ? THEN failures + 1 ELSE 0 END,
		next_fetch = ?, lease_owner = '', lease_until = 0
		WHERE id = ? AND lease_owner = ?`,
		r.NotModified || failed == 1, r.Err, r.ETag, "",
		r.NotModified || failed == 1, r.Err, r.LastModified, "",
		micros(r.At), r.Status, r.Err, r.Reason,
		failed == 1, micros(r.NextFetch), id, owner)
	if err != nil {
		return false, fmt.Errorf("sqlite store: save fetch of feed %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ReleaseFeed gives up owner's lease without recording a fetch, so that
// another instance may poll the feed at once (a server shutting down).
func (s *Store) ReleaseFeed(ctx context.Context, id, owner string) error {
	if _, err := s.writer.ExecContext(ctx, "UPDATE feeds SET lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?", id, owner); err != nil {
		return fmt.Errorf("sqlite store: release feed %s: %w", id, err)
	}
	return nil
}

// SeenItems returns which of keys the feed has already dealt with (done,
// or failed for good); items to retry are not among them.
func (s *Store) SeenItems(ctx context.Context, feedID string, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool)
	stmt, err := s.reader.PrepareContext(ctx, "SELECT state FROM feed_items WHERE feed_id = ? AND key = ?")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: seen items of feed %s: %w", feedID, err)
	}
	defer stmt.Close()
	for _, k := range keys {
		var state string
		err := stmt.QueryRowContext(ctx, feedID, k).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sqlite store: seen items of feed %s: %w", feedID, err)
		}
		if state != geo.ItemRetry {
			seen[k] = true
		}
	}
	return seen, nil
}

// RecordFeedItem records what became of one item of a feed and adds it to
// the feed's counters, in one transaction; an item that failed
// geo.MaxItemAttempts times is not tried again, and a deferred one is not
// counted as an attempt.
func (s *Store) RecordFeedItem(ctx context.Context, feedID string, it geo.FeedItem, now time.Time) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite store: record item of feed %s: %w", feedID, err)
	}
	defer tx.Rollback()
	attempts := 0
	err = tx.QueryRowContext(ctx, "SELECT attempts FROM feed_items WHERE feed_id = ? AND key = ?", feedID, it.Key).Scan(&attempts)
	isNew := errors.Is(err, sql.ErrNoRows)
	if err != nil && !isNew {
		return fmt.Errorf("sqlite store: record item of feed %s: %w", feedID, err)
	}
	attempt := 1
	if it.Deferred {
		attempt = 0
	}
	state := geo.ItemState(it, attempts+attempt)
	if _, err := tx.ExecContext(ctx, `INSERT INTO feed_items (feed_id, key, state, attempts, article_id, error, seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (feed_id, key) DO UPDATE SET state = excluded.state,
		attempts = attempts + excluded.attempts, article_id = excluded.article_id, error = excluded.error, seen_at = excluded.seen_at`,
		feedID, it.Key, state, attempt, it.ArticleID, it.Err, now.UnixMicro()); err != nil {
		return fmt.Errorf("sqlite store: record item of feed %s: %w", feedID, err)
	}
	newItem, ingested, failed, deferred := 0, 0, 0, 0
	if isNew {
		newItem = 1
	}
	if it.Ingested {
		ingested = 1
	}
	switch {
	case it.Deferred:
		deferred = 1
	case it.Err != "":
		failed = 1
	}
	if _, err := tx.ExecContext(ctx, `UPDATE feeds SET items_seen = items_seen + ?, articles_ingested = articles_ingested + ?,
		events_found = events_found + ?, item_errors = item_errors + ?, items_deferred = items_deferred + ?,
		last_item_error = CASE WHEN ? <> '' THEN ? ELSE last_item_error END WHERE id = ?`,
		newItem, ingested, it.Events, failed, deferred, it.Err, it.Err, feedID); err != nil {
		return fmt.Errorf("sqlite store: record item of feed %s: %w", feedID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite store: record item of feed %s: %w", feedID, err)
	}
	return nil
}

// PruneFeedItems forgets the items of a feed recorded before before,
// keeping the keep (at least one) most recently recorded and every item whose key
// is in listed (the feed's current document, whose items must not be read
// again), and returns how many it removed.
func (s *Store) PruneFeedItems(ctx context.Context, feedID string, before time.Time, keep int, listed []string) (int, error) {
	// The keep-th newest item's time: items recorded at or after it stay.
	var cutoff int64
	err := s.writer.QueryRowContext(ctx, "SELECT seen_at FROM feed_items WHERE feed_id = ? ORDER BY seen_at DESC LIMIT 1 OFFSET ?",
		feedID, max(keep-1, 0)).Scan(&cutoff)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // keep or fewer items
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite store: prune items of feed %s: %w", feedID, err)
	}
	keys, err := json.Marshal(listed)
	if err != nil {
		return 0, fmt.Errorf("sqlite store: prune items of feed %s: %w", feedID, err)
	}
	res, err := s.writer.ExecContext(ctx, `DELETE FROM feed_items WHERE feed_id = ? AND seen_at < ?
		AND key NOT IN (SELECT value FROM json_each(?))`, feedID, min(before.UnixMicro(), cutoff), string(keys))
	if err != nil {
		return 0, fmt.Errorf("sqlite store: prune items of feed %s: %w", feedID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ClaimArticle lets owner fetch and store the article id until now+ttl:
// geo.ClaimOK. It answers geo.ClaimStored when the store holds the article
// already and geo.ClaimBusy while another owner's claim on it is live, so
// that a story seen in two feeds, or by two instances, is fetched and
// stored once.
func (s *Store) ClaimArticle(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) (string, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("sqlite store: claim article %s: %w", id, err)
	}
	defer tx.Rollback()
	var one int
	err = tx.QueryRowContext(ctx, "SELECT 1 FROM articles WHERE id = ?", id).Scan(&one)
	if err == nil {
		return geo.ClaimStored, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite store: claim article %s: %w", id, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO article_claims (article_id, owner, until) VALUES (?, ?, ?)
		ON CONFLICT (article_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE article_claims.until <= ? OR article_claims.owner = excluded.owner`,
		id, owner, now.Add(ttl).UnixMicro(), now.UnixMicro())
	if err != nil {
		return "", fmt.Errorf("sqlite store: claim article %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return geo.ClaimBusy, nil
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("sqlite store: claim article %s: %w", id, err)
	}
	return geo.ClaimOK, nil
}

// ReleaseArticle drops owner's claim on an article (stored, or given up).
func (s *Store) ReleaseArticle(ctx context.Context, id, owner string) error {
	if _, err := s.writer.ExecContext(ctx, "DELETE FROM article_claims WHERE article_id = ? AND owner = ?", id, owner); err != nil {
		return fmt.Errorf("sqlite store: release article %s: %w", id, err)
	}
	return nil
}
