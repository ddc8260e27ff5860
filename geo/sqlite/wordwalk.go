package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// defaultWordWalkAt is how many entries of a walk index (walkIndex) a
// filter with words may have to read, per event of its rarest word, for
// its count, stats and page to walk that index rather than test the
// full-text index's matches row by row: an index entry costs about a
// quarter of a match read through its row (a million events: 83,000
// entries of a country in 60-80 ms of CPU, 56,000 matches of two words in
// about 250 ms).
const defaultWordWalkAt = 4

// wordWalkable reports whether the walk indexes (migration 0015) hold every
// field f tests: words with a box, dates, event types, a country,
// modalities or origins, and no sub-event type, precision or source count.
// Words alone take the kept word counts, the full-text index and
// events_words_walk's plain walk (wordsWalk).
func wordWalkable(f geo.Filter) bool {
	if strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == "" {
		return false
	}
	if len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 || f.MinSources > 1 {
		return false
	}
	return f.BBox != nil || f.Start != "" || f.End != "" || len(f.Types) > 0 || f.Country != "" ||
		len(f.Modalities) > 0 || len(f.Origins) > 0
}

// walkIndex is the index a word walk of f reads: the country's, else its
// one event type's, else the list order's, each from the range of f's
// dates.
func walkIndex(f geo.Filter) string {
	switch {
	case f.Country != "":
		return "events_country_walk"
	case len(f.Types) == 1:
		return "events_type_walk"
	}
	return "events_words_walk"
}

// walkDialect tests every condition on the walk index's entries: no
// R*Tree, and the words on the index's copy of them (dialect.Words).
var walkDialect = dialect{rtree: func(geo.BBox) bool { return false }, walk: true, words: true}

// wordWalk returns the walk index that answers f, when one does (wordWalkable)
// and reading its range costs less than testing the full-text index's
// matches of f's words row by row: at most the events of its rarest word,
// counted from word_counts (a word that starts several stored words counts
// all of theirs). The range is counted up to s.wordWalkAt entries per such
// event, so that the probe costs a fraction of either plan.
func (s *Store) wordWalk(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter) (string, bool, error) {
	if !wordWalkable(f) {
		return "", false, nil
	}
	rarest := int64(-1)
	for _, w := range []struct{ field, filter string }{{eventsql.FieldActors, f.Actor}, {eventsql.FieldQuote, f.Q}} {
		if strings.TrimSpace(w.filter) == "" {
			continue
		}
		for _, word := range geo.Words(w.filter) {
			c := eventsql.NewQuery(sqliteSQL)
			c.Add("c.field = "+c.Arg(w.field), "c.word >= "+c.Arg(word), "c.word < "+c.Arg(word+"\U0010FFFF"))
			var n int64
			if err := q.QueryRowContext(ctx, "SELECT coalesce(sum(c.n), 0) FROM word_counts c WHERE "+c.Where(), c.Args...).Scan(&n); err != nil {
				return "", false, err
			}
			if rarest < 0 || n < rarest {
				rarest = n
			}
		}
	}
	if rarest <= 0 {
		return "", false, nil // no such word, or punctuation alone: the full-text index says so at once
	}
	idx := walkIndex(f)
	g := geo.Filter{Start: f.Start, End: f.End}
	switch idx {
	case "events_country_walk":
		g.Country = f.Country
	case "events_type_walk":
		g.Types = f.Types
	}
	r := eventsql.Filter(walkDialect, g)
	limit := int64(s.wordWalkAt) * rarest
	var n int64
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM events e INDEXED BY "+idx+" WHERE "+r.Where()+
		" LIMIT "+r.Arg(limit)+")", r.Args...).Scan(&n)
	if err != nil {
		return "", false, err
	}
	return idx, n < limit, nil
}

// indexed is stmt, a statement on the events table e, reading it through
// the index idx.
func indexed(stmt, idx string) string {
	return strings.Replace(stmt, "FROM events e ", "FROM events e INDEXED BY "+idx+" ", 1)
}

// walkPage answers f's page (Store.page) by walking idx (wordWalk): the
// count from the index's entries, then the page's events found by their
// seq in list order, then their rows.
func walkPage(ctx context.Context, tx *sql.Tx, f geo.Filter, idx string, limit int) (geo.EventPage, error) {
	page := geo.EventPage{Events: []geo.Event{}}
	var err error
	if f.After != nil {
		page.Matched = -1
		for _, q := range eventsql.Keyset(walkDialect, f) {
			if len(page.Events) >= limit {
				break
			}
			if page.Events, err = readWalk(ctx, tx, q, idx, limit-len(page.Events), 0, page.Events); err != nil {
				return geo.EventPage{}, err
			}
		}
		return page, attach(ctx, tx, page.Events)
	}
	q := eventsql.Filter(walkDialect, f)
	if err := tx.QueryRowContext(ctx, indexed(eventsql.CountSQL(q), idx), q.Args...).Scan(&page.Matched); err != nil {
		return geo.EventPage{}, err
	}
	offset := max(f.Offset, 0)
	if page.Matched <= offset {
		return page, nil
	}
	page.Events = make([]geo.Event, 0, min(limit, page.Matched-offset))
	if page.Events, err = readWalk(ctx, tx, q, idx, limit, offset, page.Events); err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}
