package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conflictmap/geo"

	"github.com/jackc/pgx/v5"
)

// articleColumns reads an article with its event count; the text is added
// by the queries that want it.
const articleColumns = `a.id, a.title, a.url, a.published, a.published_estimated, a.ingested_at,
	CASE WHEN a.origin = 'extracted' THEN (SELECT count(*) FROM reports r WHERE r.article_id = a.id)
	ELSE (SELECT count(*) FROM events e WHERE e.article_id = a.id) END`

func scanArticle(row pgx.Row, text *string) (geo.Article, error) {
	var (
		a      geo.Article
		at     time.Time
		events int64
	)
	dest := []any{&a.ID, &a.Title, &a.URL, &a.Published, &a.PublishedEstimated, &at, &events}
	if text != nil {
		dest = append(dest, text)
	}
	if err := row.Scan(dest...); err != nil {
		return geo.Article{}, err
	}
	a.IngestedAt = at.UTC()
	a.Events = int(events)
	return a, nil
}

// Article returns the article with the given id, with its text and the
// number of its events.
func (s *Store) Article(ctx context.Context, id string) (geo.Article, error) {
	var text string
	a, err := scanArticle(s.pool.QueryRow(ctx,
		"SELECT "+articleColumns+", a.text FROM articles a WHERE a.id = $1", id), &text)
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Article{}, geo.Errorf(geo.ENOTFOUND, "no article %s", id)
	}
	if err != nil {
		return geo.Article{}, fmt.Errorf("postgis store: article %s: %w", id, err)
	}
	a.Text = text
	return a, nil
}

// Articles returns a page of the articles, most recently ingested first,
// without their text, and how many there are. A limit of 0 or less means
// geo.DefaultLimit.
func (s *Store) Articles(ctx context.Context, limit, offset int) ([]geo.Article, int, error) {
	list, total, err := s.articles(ctx, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("postgis store: articles: %w", err)
	}
	return list, total, nil
}

func (s *Store) articles(ctx context.Context, limit, offset int) ([]geo.Article, int, error) {
	if limit <= 0 {
		limit = geo.DefaultLimit
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var total int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM articles").Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.Query(ctx, "SELECT "+articleColumns+
		" FROM articles a ORDER BY a.ingest_version DESC, a.id LIMIT $1 OFFSET $2", limit, max(offset, 0))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []geo.Article{}
	for rows.Next() {
		a, err := scanArticle(rows, nil)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return list, int(total), tx.Commit(ctx)
}

// forEachBatch is how many articles ForEachArticle reads per query.
const forEachBatch = 50

// ForEachArticle calls fn with every stored article, with its text, in id
// order, and stops at the first error fn returns. It reads the articles in
// batches and holds no transaction or connection while fn runs, so fn may
// ingest (that is how `conflictmap reextract` works); an article ingested
// meanwhile may or may not be visited.
func (s *Store) ForEachArticle(ctx context.Context, fn func(geo.Article) error) error {
	next := func(after string) ([]geo.Article, error) {
		batch, err := s.articlesAfter(ctx, after)
		if err != nil {
			return nil, fmt.Errorf("postgis store: read articles: %w", err)
		}
		return batch, nil
	}
	return geo.WalkArticles(forEachBatch, next, fn)
}

func (s *Store) articlesAfter(ctx context.Context, after string) ([]geo.Article, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+articleColumns+
		", a.text FROM articles a WHERE a.id > $1 AND a.origin = 'extracted' ORDER BY a.id LIMIT $2", after, forEachBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var batch []geo.Article
	for rows.Next() {
		var text string
		a, err := scanArticle(rows, &text)
		if err != nil {
			return nil, err
		}
		a.Text = text
		batch = append(batch, a)
	}
	return batch, rows.Err()
}
