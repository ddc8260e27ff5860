package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conflictmap/geo"

	"github.com/jackc/pgx/v5"
)

const feedColumns = `id, url, interval_ms, source, created_at, etag, last_modified, last_fetch, last_status,
	last_error, last_reason, failures, next_fetch, items_seen, articles_ingested, events_found, item_errors, last_item_error,
	items_deferred`

func scanFeed(row pgx.Row) (geo.Feed, error) {
	var (
		f                                                geo.Feed
		intervalMS, seen, ingested, evs, ierrs, deferred int64
		lastFetch                                        *time.Time
	)
	err := row.Scan(&f.ID, &f.URL, &intervalMS, &f.Source, &f.CreatedAt, &f.ETag, &f.LastModified, &lastFetch, &f.LastStatus,
		&f.LastError, &f.LastReason, &f.Failures, &f.NextFetch, &seen, &ingested, &evs, &ierrs, &f.LastItemError, &deferred)
	if err != nil {
		return geo.Feed{}, err
	}
	f.Interval = time.Duration(intervalMS) * time.Millisecond
	f.ItemsSeen, f.ArticlesIngested, f.EventsFound, f.ItemErrors = int(seen), int(ingested), int(evs), int(ierrs)
	f.ItemsDeferred = int(deferred)
	f.CreatedAt, f.NextFetch = f.CreatedAt.UTC(), f.NextFetch.UTC()
	if lastFetch != nil {
		f.LastFetch = lastFetch.UTC()
	}
	return f, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// AddFeed follows the feed at url, due at once, and returns it with
// whether it was new. Adding a followed URL again keeps its state and
// sets its interval (when given); a feed named at start ("flag") stays so.
// Added again through the API ("api"), it is due at once (a user asking
// for it now); named again at start, it keeps its next fetch time.
func (s *Store) AddFeed(ctx context.Context, url string, interval time.Duration, source string, now time.Time) (geo.Feed, bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO feeds (id, url, interval_ms, source, created_at, next_fetch)
		VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING`,
		geo.FeedID(url), url, interval.Milliseconds(), source, now)
	if err != nil {
		return geo.Feed{}, false, fmt.Errorf("postgis store: add feed %s: %w", url, err)
	}
	created := tag.RowsAffected() > 0
	if !created {
		_, err = s.pool.Exec(ctx, `UPDATE feeds SET
			interval_ms = CASE WHEN $1::bigint > 0 THEN $1::bigint ELSE interval_ms END,
			next_fetch = CASE WHEN $2::text = 'api' THEN $4 ELSE next_fetch END,
			source = CASE WHEN $2::text = 'flag' THEN 'flag' ELSE source END WHERE url = $3`,
			interval.Milliseconds(), source, url, now)
		if err != nil {
			return geo.Feed{}, false, fmt.Errorf("postgis store: add feed %s: %w", url, err)
		}
	}
	f, err := s.Feed(ctx, geo.FeedID(url))
	return f, created, err
}

// Feed returns one followed feed.
func (s *Store) Feed(ctx context.Context, id string) (geo.Feed, error) {
	f, err := scanFeed(s.pool.QueryRow(ctx, "SELECT "+feedColumns+" FROM feeds WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Feed{}, geo.Errorf(geo.ENOTFOUND, "no feed %s", id)
	}
	if err != nil {
		return geo.Feed{}, fmt.Errorf("postgis store: feed %s: %w", id, err)
	}
	return f, nil
}

// Feeds returns every followed feed, oldest first.
func (s *Store) Feeds(ctx context.Context) ([]geo.Feed, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+feedColumns+" FROM feeds ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("postgis store: feeds: %w", err)
	}
	defer rows.Close()
	list := []geo.Feed{}
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("postgis store: feeds: %w", err)
		}
		list = append(list, f)
	}
	return list, rows.Err()
}

// DeleteFeed stops following a feed and forgets its items; the articles
// read from it stay.
func (s *Store) DeleteFeed(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, "DELETE FROM feeds WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("postgis store: delete feed %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return geo.Errorf(geo.ENOTFOUND, "no feed %s", id)
	}
	return nil
}

// LeaseFeed hands owner the feed that is due soonest (next fetch at or
// before now, no live lease), leased until now+ttl, or false when none is
// due. Instances asking at once skip each other's rows, so each gets a
// different feed.
func (s *Store) LeaseFeed(ctx context.Context, owner string, now time.Time, ttl time.Duration) (geo.Feed, bool, error) {
	f, err := scanFeed(s.pool.QueryRow(ctx, `UPDATE feeds SET lease_owner = $1, lease_until = $2
		WHERE id = (SELECT id FROM feeds WHERE next_fetch <= $3 AND lease_until <= $3
			ORDER BY next_fetch, id LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING `+feedColumns, owner, now.Add(ttl), now))
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Feed{}, false, nil
	}
	if err != nil {
		return geo.Feed{}, false, fmt.Errorf("postgis store: lease a feed: %w", err)
	}
	return f, true, nil
}

// NextFeedDue returns when the next feed is due, or false when no feed is
// followed.
func (s *Store) NextFeedDue(ctx context.Context) (time.Time, bool, error) {
	var next *time.Time
	if err := s.pool.QueryRow(ctx, "SELECT min(greatest(next_fetch, lease_until)) FROM feeds").Scan(&next); err != nil {
		return time.Time{}, false, fmt.Errorf("postgis store: next feed due: %w", err)
	}
	if next == nil {
		return time.Time{}, false, nil
	}
	return next.UTC(), true, nil
}

// RenewFeedLease extends owner's lease on a feed; false when owner no
// longer holds it.
func (s *Store) RenewFeedLease(ctx context.Context, id, owner string, until time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, "UPDATE feeds SET lease_until = $1 WHERE id = $2 AND lease_owner = $3", until, id, owner)
	if err != nil {
		return false, fmt.Errorf("postgis store: renew lease of feed %s: %w", id, err)
	}
	return tag.RowsAffected() > 0, nil
}

// SaveFeedFetch records a poll's outcome and releases owner's lease. It
// reports false (and saves nothing) when owner no longer held the lease.
func (s *Store) SaveFeedFetch(ctx context.Context, id, owner string, r geo.FeedFetch) (bool, error) {
	keep := r.NotModified || r.Err != ""
	tag, err := s.pool.Exec(ctx, `UPDATE feeds SET
		etag = CASE WHEN $1::boolean THEN etag ELSE $2 END,
		last_modified = CASE WHEN $1::boolean THEN last_modified ELSE $3 END,
		last_fetch = $4, last_status = $5, last_error = $6, last_reason = $7,
		failures = CASE WHEN $6 <> '' THEN failures + 1 ELSE 0 END,
		next_fetch = $8, lease_owner = '', lease_until = '-infinity'
		WHERE id = $9 AND lease_owner = $10`,
		keep, r.ETag, r.LastModified, nullTime(r.At), r.Status, r.Err, r.Reason, r.NextFetch, id, owner)
	if err != nil {
		return false, fmt.Errorf("postgis store: save fetch of feed %s: %w", id, err)
	}
	return tag.RowsAffected() > 0, nil
}

// ReleaseFeed gives up owner's lease without recording a fetch, so that
// another instance may poll the feed at once (a server shutting down).
func (s *Store) ReleaseFeed(ctx context.Context, id, owner string) error {
	if _, err := s.pool.Exec(ctx, "UPDATE feeds SET lease_owner = '', lease_until = '-infinity' WHERE id = $1 AND lease_owner = $2", id, owner); err != nil {
		return fmt.Errorf("postgis store: release feed %s: %w", id, err)
	}
	return nil
}

// SeenItems returns which of keys the feed has already dealt with (done,
// or failed for good); items to retry are not among them.
func (s *Store) SeenItems(ctx context.Context, feedID string, keys []string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, "SELECT key FROM feed_items WHERE feed_id = $1 AND key = ANY($2) AND state <> $3",
		feedID, keys, geo.ItemRetry)
	if err != nil {
		return nil, fmt.Errorf("postgis store: seen items of feed %s: %w", feedID, err)
	}
	defer rows.Close()
	seen := make(map[string]bool)
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("postgis store: seen items of feed %s: %w", feedID, err)
		}
		seen[k] = true
	}
	return seen, rows.Err()
}

// RecordFeedItem records what became of one item of a feed and adds it to
// the feed's counters, in one transaction; an item that failed
// geo.MaxItemAttempts times is not tried again.
func (s *Store) RecordFeedItem(ctx context.Context, feedID string, it geo.FeedItem, now time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var attempts int
		err := tx.QueryRow(ctx, "SELECT attempts FROM feed_items WHERE feed_id = $1 AND key = $2 FOR UPDATE", feedID, it.Key).Scan(&attempts)
		isNew := errors.Is(err, pgx.ErrNoRows)
		if err != nil && !isNew {
			return err
		}
		attempt := 1
		if it.Deferred {
			attempt = 0
		}
		state := geo.ItemState(it, attempts+attempt)
		if _, err := tx.Exec(ctx, `INSERT INTO feed_items (feed_id, key, state, attempts, article_id, error, seen_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (feed_id, key) DO UPDATE SET state = excluded.state,
			attempts = feed_items.attempts + excluded.attempts, article_id = excluded.article_id, error = excluded.error,
			seen_at = excluded.seen_at`,
			feedID, it.Key, state, attempt, it.ArticleID, it.Err, now); err != nil {
			return err
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
		_, err = tx.Exec(ctx, `UPDATE feeds SET items_seen = items_seen + $1, articles_ingested = articles_ingested + $2,
			events_found = events_found + $3, item_errors = item_errors + $4, items_deferred = items_deferred + $5,
			last_item_error = CASE WHEN $6 <> '' THEN $6 ELSE last_item_error END WHERE id = $7`,
			newItem, ingested, it.Events, failed, deferred, it.Err, feedID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgis store: record item of feed %s: %w", feedID, err)
	}
	return nil
}

// PruneFeedItems forgets the items of a feed recorded before before,
// keeping the keep (at least one) most recently recorded and every item whose key
// is in listed (the feed's current document, whose items must not be read
// again), and returns how many it removed.
func (s *Store) PruneFeedItems(ctx context.Context, feedID string, before time.Time, keep int, listed []string) (int, error) {
	if listed == nil {
		listed = []string{}
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM feed_items WHERE feed_id = $1 AND seen_at < $2 AND key <> ALL($4::text[])
		AND seen_at < coalesce((SELECT seen_at FROM feed_items WHERE feed_id = $1 ORDER BY seen_at DESC LIMIT 1 OFFSET $3),
			'-infinity')`,
		feedID, before, max(keep-1, 0), listed)
	if err != nil {
		return 0, fmt.Errorf("postgis store: prune items of feed %s: %w", feedID, err)
	}
	return int(tag.RowsAffected()), nil
}

// ClaimArticle lets owner fetch and store the article id until now+ttl:
// geo.ClaimOK. It answers geo.ClaimStored when the store holds the article
// already and geo.ClaimBusy while another owner's claim on it is live, so
// that a story seen in two feeds, or by two instances, is fetched and
// stored once.
func (s *Store) ClaimArticle(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) (string, error) {
	claim := geo.ClaimBusy
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM articles WHERE id = $1)", id).Scan(&exists); err != nil {
			return err
		}
		if exists {
			claim = geo.ClaimStored
			return nil
		}
		tag, err := tx.Exec(ctx, `INSERT INTO article_claims (article_id, owner, until) VALUES ($1, $2, $3)
			ON CONFLICT (article_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE article_claims.until <= $4 OR article_claims.owner = excluded.owner`,
			id, owner, now.Add(ttl), now)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		// Another owner may have stored the article and dropped its claim
		// between the look above and the claim: each statement sees what
		// was committed when it began, and the claim was gone only after
		// the article was stored, so this look sees it (two instances
		// polling feeds that share a story fetched it twice otherwise).
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM articles WHERE id = $1)", id).Scan(&exists); err != nil {
			return err
		}
		if exists {
			claim = geo.ClaimStored
			_, err := tx.Exec(ctx, "DELETE FROM article_claims WHERE article_id = $1 AND owner = $2", id, owner)
			return err
		}
		claim = geo.ClaimOK
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("postgis store: claim article %s: %w", id, err)
	}
	return claim, nil
}

// ReleaseArticle drops owner's claim on an article (stored, or given up).
func (s *Store) ReleaseArticle(ctx context.Context, id, owner string) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM article_claims WHERE article_id = $1 AND owner = $2", id, owner); err != nil {
		return fmt.Errorf("postgis store: release article %s: %w", id, err)
	}
	return nil
}
