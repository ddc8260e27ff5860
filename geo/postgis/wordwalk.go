package postgis

import (
	"context"
	"strings"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// defaultWordWalkAt is how many entries of a walk index (migration 0015) a
// filter with words may have to read, per event of its rarest word, for
// its count, stats and page to be index-only scans of that index rather
// than reads of the GIN indexes' matches row by row. An index entry costs
// a fifth to a third of a match read through its row (a million events: a
// country's 83,000 entries in 0.13 s, a type's 167,000 in 0.45 s, 56,000
// matches of two words read in 0.6-1.1 s, load 20), and a walk with a
// start date reads every older entry too (PostgreSQL keeps no longest span
// to bound it by): a word in a quarter of the events and three months
// were 0.7 s through the GIN index, 2.2 s walked with this at 8.
const defaultWordWalkAt = 2

// wordWalkable reports whether a walk index keyed by f's country
// (events_country_walk) or its one event type (events_type_walk) holds
// every field f tests: words with such a key, and a box, dates, other
// types, modalities or origins, but no sub-event type, precision or source
// count. Words alone take the kept word counts and the walk of
// events_words_walk (Store.events); words with a box or dates alone the
// GIN indexes, since a walk with a start date reads every older entry
// (PostgreSQL keeps no longest span to bound it by).
func wordWalkable(f geo.Filter) bool {
	if strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == "" {
		return false
	}
	if len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 || f.MinSources > 1 {
		return false
	}
	return f.Country != "" || len(f.Types) == 1
}

// walkKeyCount counts, from event_counts, the events of the key a word
// walk of f reads the entries of: its country's, else its event type's.
func walkKeyCount(ctx context.Context, tx pgx.Tx, f geo.Filter) (int64, error) {
	g := geo.Filter{Country: f.Country}
	if f.Country == "" {
		g.Types = f.Types
	}
	c := eventsql.Counts(pgSQL, g)
	var n int64
	err := tx.QueryRow(ctx, eventsql.CountsCountSQL(c), c.Args...).Scan(&n)
	return n, err
}

// wordWalk reports whether f's count, stats and page walk an index
// (wordWalkable) because reading its range costs less than reading the GIN
// indexes' matches of f's words row by row: at most the events of its
// rarest word, counted from word_counts (a word that starts several stored
// words counts all of theirs), when the key's events (event_counts) are
// fewer than s.wordWalkAt per such event. When it walks, the transaction's
// planner is told to (walkPlanner).
func (s *Store) wordWalk(ctx context.Context, tx pgx.Tx, f geo.Filter) (bool, error) {
	if !wordWalkable(f) {
		return false, nil
	}
	rarest := int64(-1)
	for _, w := range []struct{ field, filter string }{{eventsql.FieldActors, f.Actor}, {eventsql.FieldQuote, f.Q}} {
		if strings.TrimSpace(w.filter) == "" {
			continue
		}
		for _, word := range geo.Words(w.filter) {
			var n int64
			err := tx.QueryRow(ctx, "SELECT coalesce(sum(c.n), 0) FROM word_counts c WHERE c.field = $1 AND c.word >= $2 AND c.word < $3",
				w.field, word, word+"\U0010FFFF").Scan(&n)
			if err != nil {
				return false, err
			}
			if rarest < 0 || n < rarest {
				rarest = n
			}
		}
	}
	if rarest <= 0 {
		return false, nil // no such word, or punctuation alone: the GIN index says so at once
	}
	n, err := walkKeyCount(ctx, tx, f)
	if err != nil || n >= int64(s.wordWalkAt)*rarest {
		return false, err
	}
	return true, walkPlanner(ctx, tx)
}

// walkPlanner tells the planner of tx, which cannot tell how many events
// words, a box or dates hold, to walk an index in list order rather than
// sort, scan the table or collect the GIN indexes' matches; the walk's
// estimated cost, the whole index, would make it compile the walk (JIT).
func walkPlanner(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, "SET LOCAL enable_sort = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; "+
		"SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
	return err
}

// walkPage answers f's page (Store.events) by an index-only walk
// (wordWalk): the count, then the page's ids in list order, then their
// rows.
func walkPage(ctx context.Context, tx pgx.Tx, f geo.Filter, limit, offset int) (geo.EventPage, error) {
	page := geo.EventPage{Events: []geo.Event{}}
	d := dialect{walk: true}
	var err error
	if f.After != nil {
		page.Matched = -1
		for _, q := range eventsql.Keyset(d, f) {
			if len(page.Events) >= limit {
				break
			}
			if page.Events, err = readWalk(ctx, tx, q, limit-len(page.Events), 0, page.Events); err != nil {
				return geo.EventPage{}, err
			}
		}
		return page, attach(ctx, tx, page.Events)
	}
	q := eventsql.Filter(d, f)
	var n int64
	if err := tx.QueryRow(ctx, eventsql.CountSQL(q), q.Args...).Scan(&n); err != nil {
		return geo.EventPage{}, err
	}
	page.Matched = int(n)
	if page.Matched <= offset {
		return page, nil
	}
	if page.Events, err = readWalk(ctx, tx, q, limit, offset, page.Events); err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}
