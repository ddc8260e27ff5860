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

// walkKey reads, from event_counts, the events of the key a word walk of
// f reads the entries of (its country's, else its event type's) and, when
// f has a start date, the first day of those that end on or after it:
// from, "" when none does. No event before from can match, so that the
// walk stops there (walkFilter) rather than read every older entry
// (PostgreSQL keeps no longest span to bound event_date by): Battles from
// 2024 in a million events, 91,647 entries instead of 166,754.
func walkKey(ctx context.Context, tx pgx.Tx, f geo.Filter) (n int64, from string, err error) {
	g := geo.Filter{Country: f.Country}
	if f.Country == "" {
		g.Types = f.Types
	}
	c := eventsql.Counts(pgSQL, g)
	first := "NULL"
	if f.Start != "" {
		first = "min(c.event_date) FILTER (WHERE c.n > 0 AND c.date_last >= " + c.Arg(f.Start) + ")"
	}
	var day *string
	err = tx.QueryRow(ctx, "SELECT coalesce(sum(c.n), 0), "+first+" FROM event_counts c WHERE "+c.Where(), c.Args...).Scan(&n, &day)
	if day != nil {
		from = *day
	}
	return n, from, err
}

// wordWalk reports whether f's count, stats and page walk an index
// (wordWalkable) because reading its range costs less than reading the GIN
// indexes' matches of f's words row by row: at most the events of its
// rarest word, counted from word_counts (a word that starts several stored
// words counts all of theirs), when the key's events (event_counts) are
// fewer than s.wordWalkAt per such event. When it walks, the transaction's
// planner is told to (walkPlanner), and from is the first day it reads
// (walkKey, walkFrom).
func (s *Store) wordWalk(ctx context.Context, tx pgx.Tx, f geo.Filter) (from string, walk bool, err error) {
	if !wordWalkable(f) {
		return "", false, nil
	}
	rarest, err := rarestWord(ctx, tx, f)
	if err != nil {
		return "", false, err
	}
	if rarest <= 0 {
		return "", false, nil // no such word, or punctuation alone: the GIN index says so at once
	}
	n, from, err := walkKey(ctx, tx, f)
	if err != nil || n >= int64(s.wordWalkAt)*rarest {
		return "", false, err
	}
	return from, true, walkPlanner(ctx, tx)
}

// rarestWord returns how many events have the rarest of f's words, at
// most, counted from word_counts (a word that starts several stored words
// counts all of theirs); -1 when f has no word.
func rarestWord(ctx context.Context, q querier, f geo.Filter) (int64, error) {
	rarest := int64(-1)
	for _, w := range []struct{ field, filter string }{{eventsql.FieldActors, f.Actor}, {eventsql.FieldQuote, f.Q}} {
		if strings.TrimSpace(w.filter) == "" {
			continue
		}
		for _, word := range geo.Words(w.filter) {
			var n int64
			err := q.QueryRow(ctx, "SELECT coalesce(sum(c.n), 0) FROM word_counts c WHERE c.field = $1 AND c.word >= $2 AND c.word < $3",
				w.field, word, word+"\U0010FFFF").Scan(&n)
			if err != nil {
				return 0, err
			}
			if rarest < 0 || n < rarest {
				rarest = n
			}
		}
	}
	return rarest, nil
}

// walkFilter is the condition of f's word walk (walkFrom).
func walkFilter(f geo.Filter, from string) *eventsql.Query {
	return walkFrom(eventsql.Filter(dialect{walk: true}, f), f, from)
}

// walkKeyset is eventsql.Keyset for f's word walk (walkFrom).
func walkKeyset(f geo.Filter, from string) []*eventsql.Query {
	qs := eventsql.Keyset(dialect{walk: true}, f)
	for _, q := range qs {
		walkFrom(q, f, from)
	}
	return qs
}

// walkFrom adds to q, a condition of f's word walk, that with a start
// date no event before from (walkKey) matches, none at all when no event
// ends on or after the start.
func walkFrom(q *eventsql.Query, f geo.Filter, from string) *eventsql.Query {
	switch {
	case f.Start == "":
	case from == "":
		q.Add("1 = 0")
	default:
		q.Add("e.event_date >= " + q.Arg(from) + "::date")
	}
	return q
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
// (wordWalk) from the day from: the page's ids in list order, then their
// rows. The count is the kept counts' when they hold it (wordCounts),
// else the page's events, those before it and those after its last
// (walkCount), so that the range is walked once rather than once for
// the count and again for the page (a million events, two words and a
// country: 16,800 of the country's 83,464 entries no longer read twice).
func walkPage(ctx context.Context, tx pgx.Tx, f geo.Filter, from string, limit, offset int) (geo.EventPage, error) {
	page := geo.EventPage{Events: []geo.Event{}}
	var err error
	if f.After != nil {
		page.Matched = -1
		for _, q := range walkKeyset(f, from) {
			if len(page.Events) >= limit {
				break
			}
			if page.Events, err = readWalk(ctx, tx, q, limit-len(page.Events), 0, page.Events); err != nil {
				return geo.EventPage{}, err
			}
		}
		return page, attach(ctx, tx, page.Events)
	}
	q := walkFilter(f, from)
	c, counted, err := wordCounts(ctx, tx, f)
	if err != nil {
		return geo.EventPage{}, err
	}
	if counted {
		// One word and a country or a type: the kept counts hold the
		// count, and the walk stops with the page.
		var n int64
		if err := tx.QueryRow(ctx, eventsql.WordCountsCountSQL(c), c.Args...).Scan(&n); err != nil {
			return geo.EventPage{}, err
		}
		if page.Matched = int(n); page.Matched <= offset {
			return page, nil
		}
	}
	ids, last, err := walkIDs(ctx, tx, q, limit, offset)
	if err != nil {
		return geo.EventPage{}, err
	}
	switch {
	case counted:
	case len(ids) == 0:
		// Nothing from the offset on: the count says how many lie before it.
		var n int64
		if err := tx.QueryRow(ctx, eventsql.CountSQL(q), q.Args...).Scan(&n); err != nil {
			return geo.EventPage{}, err
		}
		page.Matched = int(n)
		return page, nil
	case len(ids) < limit:
		page.Matched = offset + len(ids)
	default:
		rest, err := walkCount(ctx, tx, f, from, last)
		if err != nil {
			return geo.EventPage{}, err
		}
		page.Matched = offset + len(ids) + rest
	}
	if len(ids) == 0 {
		return page, nil
	}
	if page.Events, err = readIDs(ctx, tx, ids, page.Events); err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}

// walkCount counts the events of f's word walk from the day from listed
// after last.
func walkCount(ctx context.Context, tx pgx.Tx, f geo.Filter, from string, last geo.EventKey) (int, error) {
	f.After = &last
	total := 0
	for _, q := range walkKeyset(f, from) {
		var n int64
		if err := tx.QueryRow(ctx, eventsql.CountSQL(q), q.Args...).Scan(&n); err != nil {
			return 0, err
		}
		total += int(n)
	}
	return total, nil
}
