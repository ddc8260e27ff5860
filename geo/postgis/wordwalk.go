package postgis

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync/atomic"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
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

// walkKey reads the events of the key a word walk of f reads the entries
// of (its country's, else its event type's), from the coarsest kept cells,
// and, when f has a start date, the first day of the events that end on or
// after it: from (the start itself when no event spans it). No event
// before from can match, so that the walk stops there (walkFilter) rather
// than read every older entry (PostgreSQL keeps no longest span to bound
// event_date by): Battles from 2024 in a million events, 91,647 entries
// instead of 166,754. Both used to come from event_counts, keyed by type
// first and read whole for a country (3.8 ms of a 52 ms page) or for a
// type's every group (7 ms); the first day now comes from the dates'
// index, as the events' own date condition finds it (dialect.Dates).
func walkKey(ctx context.Context, tx pgx.Tx, f geo.Filter) (n int64, from string, err error) {
	g := geo.Filter{Country: f.Country}
	if f.Country == "" {
		g.Types = f.Types
	}
	stmt, args, _ := eventsql.CountryCountSQL(pgSQL, g)
	if err = tx.QueryRow(ctx, stmt, args...).Scan(&n); err != nil || f.Start == "" {
		return n, "", err
	}
	err = tx.QueryRow(ctx, "SELECT to_char("+firstDayMeeting("$1")+", 'YYYY-MM-DD')", f.Start).Scan(&from)
	return n, from, err
}

// wordWalk reports whether f's count, stats and page walk an index
// (wordWalkable) because reading its range costs less than reading the GIN
// indexes' matches of f's words row by row: at most the events of its
// rarest word, counted from word_counts (a word that starts several stored
// words counts all of theirs; eventsql.WordsOver), when the key's events
// (event_counts, counted first) are fewer than s.wordWalkAt per such
// event. When it walks, the transaction's planner is told to
// (walkPlanner), and w is what it reads (walkRange). terms are f's exact
// terms when the caller has read them (exactTerms), else nil.
func (s *Store) wordWalk(ctx context.Context, tx pgx.Tx, f geo.Filter, terms *eventsql.Terms) (w walkRange, walk bool, err error) {
	if !wordWalkable(f) {
		return walkRange{}, false, nil
	}
	n, from, err := walkKey(ctx, tx, f)
	if err != nil {
		return walkRange{}, false, err
	}
	// No such word, or punctuation alone, is not walked: the GIN index
	// says so at once.
	walk, err = wordsOver(ctx, tx, f, n/int64(s.wordWalkAt))
	if err != nil || !walk {
		return walkRange{}, false, err
	}
	if terms == nil {
		if terms, err = exactTerms(ctx, tx, f); err != nil {
			return walkRange{}, false, err
		}
	}
	return walkRange{from: from, terms: terms}, true, walkPlanner(ctx, tx)
}

// walkRange is what a word walk of a filter reads (Store.wordWalk): from
// its first day on (walkKey, walkFrom), testing the stored words its
// words start alone exactly (exactTerms).
type walkRange struct {
	from  string
	terms *eventsql.Terms
}

// exactTerms looks up the words of f that start one stored word of their
// field alone (eventsql.ExactTerms), in tx: a walk then tests that lexeme
// exactly rather than as a prefix, which costs a tsvector a binary search
// rather than a search and a comparison of every lexeme that starts with
// it (a million events, two words and a country, the country's 83,464
// entries: 54-82 ms instead of 81-134 under load).
func exactTerms(ctx context.Context, tx pgx.Tx, f geo.Filter) (*eventsql.Terms, error) {
	return eventsql.ExactTerms(pgSQL, f, func(stmt string, args ...any) eventsql.Scanner { return tx.QueryRow(ctx, stmt, args...) })
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
func walkFilter(f geo.Filter, w walkRange) *eventsql.Query {
	return walkFrom(eventsql.Filter(dialect{walk: true, terms: w.terms}, f), f, w.from)
}

// walkKeyset is eventsql.Keyset for f's word walk (walkFrom).
func walkKeyset(f geo.Filter, w walkRange) []*eventsql.Query {
	qs := eventsql.Keyset(dialect{walk: true, terms: w.terms}, f)
	for _, q := range qs {
		walkFrom(q, f, w.from)
	}
	return qs
}

// walkFrom adds to q, a condition of f's word walk, that with a start
// date no event before from (walkKey) matches.
func walkFrom(q *eventsql.Query, f geo.Filter, from string) *eventsql.Query {
	if f.Start != "" && from != "" {
		q.Add("e.event_date >= " + q.Arg(from) + "::date")
	}
	return q
}

// wordsOver is eventsql.WordsOver read through q: whether each of f's
// words is in more than limit events.
func wordsOver(ctx context.Context, q querier, f geo.Filter, limit int64) (bool, error) {
	return eventsql.WordsOver(pgSQL, f, limit, func(stmt string, args ...any) (int64, error) {
		var t int64
		err := q.QueryRow(ctx, stmt, args...).Scan(&t)
		return t, err
	})
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
// else, on several CPUs, the pieces' (piecePage), else the page's events,
// those before it and those after its last (walkCount), so that the range
// is walked once rather than once for the count and again for the page
// (a million events, two words and a country: 16,800 of the country's
// 83,464 entries no longer read twice).
func (s *Store) walkPage(ctx context.Context, tx pgx.Tx, f geo.Filter, from walkRange, limit, offset int) (geo.EventPage, error) {
	page := geo.EventPage{Events: []geo.Event{}}
	var err error
	if f.After != nil {
		page.Matched = -1
		for _, q := range walkKeyset(f, from) {
			if len(page.Events) >= limit {
				break
			}
			if page.Events, err = s.readWalk(ctx, tx, q, limit-len(page.Events), 0, -1, page.Events); err != nil {
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
	if !counted {
		if p, ok, err := s.piecePage(ctx, tx, f, from, limit, offset); err != nil {
			return geo.EventPage{}, err
		} else if ok {
			return p, attach(ctx, tx, p.Events)
		}
	}
	var (
		ids  []string
		last geo.EventKey
	)
	if counted {
		ids, err = pageIDs(ctx, tx, q, page.Matched, limit, offset)
	} else {
		ids, last, err = walkIDs(ctx, tx, q, limit, offset)
	}
	if err != nil {
		return geo.EventPage{}, err
	}
	// The events after the page's last are counted while its rows are
	// read.
	var (
		rest int
		also []func(tx pgx.Tx) error
	)
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
		also = append(also, func(tx pgx.Tx) error {
			var err error
			rest, err = walkCount(ctx, tx, f, from, last)
			return err
		})
	}
	if len(ids) == 0 {
		return page, nil
	}
	if page.Events, err = s.rowsAtOnce(ctx, tx, idsSQL, ids, page.Events, walkPlanner, also...); err != nil {
		return geo.EventPage{}, err
	}
	if len(also) > 0 {
		page.Matched = offset + len(ids) + rest
	}
	return page, attach(ctx, tx, page.Events)
}

// piecePage answers walkPage without a kept count: the walk reads its whole
// range for the count, which costs CPU, and one statement uses one. The
// range is read in s.pieces pieces of its days at once (atOnce,
// eventsql.DayCuts), plus the undated events when f has no dates, each
// piece's count and its first events' ids in one statement (pieceRows),
// so that the page is theirs; far into the list, only the newest piece's
// part of the page and the others' counts, and the page's rest, if it
// lies beyond the newest piece, from the pieces it lies in. Not ok when
// the range holds fewer days than pieces.
func (s *Store) piecePage(ctx context.Context, tx pgx.Tx, f geo.Filter, from walkRange, limit, offset int) (geo.EventPage, bool, error) {
	if s.pieces < 2 {
		return geo.EventPage{}, false, nil
	}
	var first, last pgtype.Text
	if err := tx.QueryRow(ctx, eventsql.DateSpanSQL(pgSQL)).Scan(&first, &last); err != nil {
		return geo.EventPage{}, false, err
	}
	// The cuts only share the work: the newest piece is open above and
	// the oldest below, so that every dated event falls in one.
	lo, hi := first.String, last.String
	if f.Start != "" {
		lo = max(lo, cmp.Or(from.from, f.Start))
	}
	if f.End != "" {
		hi = min(hi, f.End)
	}
	spans, err := s.spansIn(ctx, tx)
	if err != nil {
		return geo.EventPage{}, false, err
	}
	cuts := spans.Cuts(lo, hi, s.pieces)
	if len(cuts) == 0 {
		return geo.EventPage{}, false, nil
	}
	pieces := eventsql.Pieces(cuts)
	n := len(pieces)
	if f.Start == "" && f.End == "" {
		n++ // the undated events, listed last
	}
	piece := func(i int) *eventsql.Query {
		q := walkFilter(f, from)
		if i == len(pieces) {
			q.Add("e.event_date IS NULL")
			return q
		}
		if p := pieces[i]; p.Before != "" {
			q.Add("e.event_date < " + q.Arg(p.Before) + "::date")
		}
		if p := pieces[i]; p.From != "" {
			q.Add("e.event_date >= " + q.Arg(p.From) + "::date")
		}
		return q
	}
	// Up to s.pieceRowsAt events from the first, each piece reads its own
	// first events to the page's last too, so that the page is theirs
	// wherever it falls; further in, the newest piece reads its part of
	// the page and the others count.
	upto := offset + limit
	every := upto <= s.pieceRowsAt
	counts := make([]int, n)
	rows := make([][]string, n)
	page := geo.EventPage{Events: []geo.Event{}}
	// When the newest piece holds the whole page, tx reads its rows while
	// the other pieces are still counted (a box, a start, a type and a
	// word: the 1,000 rows' 5-6 ms no longer follow the slowest piece).
	var newest atomic.Bool
	early := false
	err = s.atOnceThen(ctx, tx, n, walkPlanner, func(tx pgx.Tx, i int) error {
		q := piece(i)
		var err error
		switch {
		case every:
			rows[i], counts[i], err = pieceRows(ctx, tx, q, upto, 0)
		case i == 0:
			rows[i], counts[i], err = pieceRows(ctx, tx, q, limit, offset)
		default:
			var c int64
			err = tx.QueryRow(ctx, eventsql.CountSQL(q), q.Args...).Scan(&c)
			counts[i] = int(c)
		}
		if i == 0 && err == nil {
			newest.Store(true)
		}
		return err
	}, func(tx pgx.Tx) error {
		if !newest.Load() || counts[0] < upto {
			return nil
		}
		ids := rows[0]
		if every {
			ids = ids[offset:upto]
		}
		early = true
		var err error
		page.Events, err = readIDs(ctx, tx, ids, page.Events)
		return err
	})
	if err != nil {
		return geo.EventPage{}, false, err
	}
	for _, c := range counts {
		page.Matched += c
	}
	if early {
		return page, true, nil
	}
	var ids []string
	if every {
		// Each piece's first events to upto, in the pieces' order: the
		// list's first upto events (a piece that holds more than upto
		// ends them).
		for _, r := range rows {
			ids = append(ids, r...)
		}
		ids = ids[min(offset, len(ids)):min(upto, len(ids))]
	} else {
		ids = rows[0]
		for i, before := 1, counts[0]; i < n && len(ids) < limit && offset+len(ids) < page.Matched; i++ {
			if offset+len(ids) < before+counts[i] {
				more, err := pageIDs(ctx, tx, piece(i), counts[i], limit-len(ids), max(offset-before, 0))
				if err != nil {
					return geo.EventPage{}, false, err
				}
				ids = append(ids, more...)
			}
			before += counts[i]
		}
	}
	if len(ids) == 0 {
		return page, true, nil
	}
	page.Events, err = s.idsAtOnce(ctx, tx, ids, page.Events)
	return page, true, err
}

// pageIDs returns the ids of the events under q, a walk that holds n
// events, from offset on, limit at most, in list order: walked from the
// list's start or, when the page lies nearer its end, from that one
// backwards, so that the walk reads the fewer entries (a piece of
// piecePage; a page whose count is known).
func pageIDs(ctx context.Context, tx pgx.Tx, q *eventsql.Query, n, limit, offset int) ([]string, error) {
	if limit = min(limit, n-offset); limit <= 0 {
		return nil, nil
	}
	if after := n - offset - limit; after < offset {
		ids, err := keysIn(ctx, tx, q, eventsql.ReverseOrder, limit, after)
		slices.Reverse(ids)
		return ids, err
	}
	return keysIn(ctx, tx, q, eventsql.Order, limit, offset)
}

// keysIn returns the ids of the events under q in order, limit from
// offset.
func keysIn(ctx context.Context, tx pgx.Tx, q *eventsql.Query, order string, limit, offset int) ([]string, error) {
	args := append(q.Args[:len(q.Args):len(q.Args)], limit, offset)
	rows, err := tx.Query(ctx, "SELECT e.id FROM events e WHERE "+q.Where()+" ORDER BY "+order+
		" LIMIT "+pgSQL.Placeholder(len(args)-1)+" OFFSET "+pgSQL.Placeholder(len(args)), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// defaultPieceRowsAt is how far into the list (offset and limit) every
// piece of piecePage reads its first events' ids beside its count: the
// first pages. From offset 5,000 (a box, dates, a type and a word, 6,641
// events) the pieces' 6,000 ids each cost more than a second walk of the
// piece that holds the page (49.1-60.0 ms against 44.1-44.2).
const defaultPieceRowsAt = 2_000

// pieceRows reads a piece of piecePage, q: how many events it holds and
// the ids of its events from offset on, limit at most, in list order, in
// one walk. The first event's row is read whatever the offset, so that
// the count comes back when the offset lies beyond the piece.
func pieceRows(ctx context.Context, tx pgx.Tx, q *eventsql.Query, limit, offset int) (ids []string, n int, err error) {
	args := append(q.Args[:len(q.Args):len(q.Args)], offset, offset+limit)
	rows, err := tx.Query(ctx, "SELECT w.id, w.r, w.n FROM (SELECT e.id, row_number() OVER (ORDER BY "+eventsql.Order+") AS r, "+
		"count(*) OVER () AS n FROM events e WHERE "+q.Where()+") w "+
		"WHERE w.r = 1 OR w.r > "+pgSQL.Placeholder(len(args)-1)+" AND w.r <= "+pgSQL.Placeholder(len(args))+" ORDER BY w.r", args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r, c int64
		if err := rows.Scan(&id, &r, &c); err != nil {
			return nil, 0, err
		}
		if n = int(c); r > int64(offset) {
			ids = append(ids, id)
		}
	}
	return ids, n, rows.Err()
}

// walkCount counts the events of f's word walk from the day from listed
// after last.
func walkCount(ctx context.Context, tx pgx.Tx, f geo.Filter, from walkRange, last geo.EventKey) (int, error) {
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

// weekDialect walks the first days of events_words_walk (byDate) for the
// edges of wordWeeks and its pages, testing the word and the rest on the
// index's entries.
var weekDialect = dialect{walk: true, byDate: true}

// wordWeeks splits a filter by one word and dates (and types, a country,
// modalities, origins) whose word starts one stored word of its field
// (eventsql.WordCountsWord, eventsql.OneTerm) by eventsql.WordWeeks: the
// events dated in the whole weeks inside its dates are counted from
// word_counts (whole), the others walked on events_words_walk (edges). A
// word in a quarter of a million events and three months: 26,594 events,
// 185-238 ms through the GIN index's matches, the count and the stats.
// It is not ok when the dates hold no whole week.
func (s *Store) wordWeeks(ctx context.Context, tx pgx.Tx, f geo.Filter) (whole *eventsql.Query, edges []eventsql.Edge, ok bool, err error) {
	if f.Start == "" && f.End == "" || f.Start != "" && f.End != "" && f.Start > f.End {
		return nil, nil, false, nil
	}
	undated := f
	undated.Start, undated.End = "", ""
	field, word, ok := eventsql.WordCountsWord(undated)
	if !ok {
		return nil, nil, false, nil
	}
	first, last, ok := eventsql.WholeWeeks(f.Start, f.End)
	if !ok {
		return nil, nil, false, nil
	}
	term, ok, err := eventsql.OneTerm(tx.QueryRow(ctx, eventsql.TermSQL(pgSQL), field, word), word)
	if err != nil || !ok {
		return nil, nil, false, err
	}
	spans, err := s.spansIn(ctx, tx)
	if err != nil {
		return nil, nil, false, err
	}
	whole, edges = eventsql.WordWeeks(pgSQL, weekDialect, f, field, term, first, last, spans)
	return whole, edges, true, walkPlanner(ctx, tx)
}

// weekCount counts wordWeeks' events.
func weekCount(ctx context.Context, tx pgx.Tx, whole *eventsql.Query, edges []eventsql.Edge) (int, error) {
	var total int64
	if err := tx.QueryRow(ctx, eventsql.WordCountsCountSQL(whole), whole.Args...).Scan(&total); err != nil {
		return 0, err
	}
	for _, e := range edges {
		var n int64
		if err := tx.QueryRow(ctx, eventsql.CountSQL(e.Query), e.Args...).Scan(&n); err != nil {
			return 0, err
		}
		total += int64(e.Sign()) * n
	}
	return int(total), nil
}

// weekStats groups wordWeeks' events as Stats does.
func weekStats(ctx context.Context, tx pgx.Tx, whole *eventsql.Query, edges []eventsql.Edge) (geo.Stats, error) {
	var tally geo.Tally
	fold := func(stmt string, args []any, sign int) error {
		rows, err := tx.Query(ctx, stmt, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		return eventsql.TallyRows(rows, sign, &tally)
	}
	if err := fold(eventsql.WordCountsStatsSQL(whole), whole.Args, 1); err != nil {
		return geo.Stats{}, err
	}
	for _, e := range edges {
		if err := fold(eventsql.StatsSQL(pgSQL, e.Query), e.Args, e.Sign()); err != nil {
			return geo.Stats{}, err
		}
	}
	return tally.Stats(), nil
}

// wordWeekStats answers f's stats by wordWeeks when it can, in one
// snapshot.
func (s *Store) wordWeekStats(ctx context.Context, f geo.Filter) (st geo.Stats, ok bool, err error) {
	if f.Start == "" && f.End == "" {
		return geo.Stats{}, false, nil
	}
	err = s.snapshot(ctx, func(tx pgx.Tx) error {
		whole, edges, split, err := s.wordWeeks(ctx, tx, f)
		if err != nil || !split {
			return err
		}
		st, err = weekStats(ctx, tx, whole, edges)
		ok = err == nil
		return err
	})
	return st, ok, err
}

// weekPage answers f's page (Store.events) when wordWeeks splits it: the
// count from the kept counts and the edges; the page walked on
// events_words_walk from the end's first day when the walk finds it soon
// enough (Store.walks), else on a country's or a type's walk index when
// wordWalk picks one, else read from the GIN index's matches.
func (s *Store) weekPage(ctx context.Context, tx pgx.Tx, f geo.Filter, whole *eventsql.Query, edges []eventsql.Edge, limit, offset int) (geo.EventPage, error) {
	page := geo.EventPage{Events: []geo.Event{}}
	var err error
	if page.Matched, err = weekCount(ctx, tx, whole, edges); err != nil {
		return geo.EventPage{}, err
	}
	if page.Matched <= offset {
		return page, nil
	}
	walk, err := s.walks(ctx, tx, f, page.Matched, limit+offset)
	if err != nil {
		return geo.EventPage{}, err
	}
	var from walkRange
	if !walk {
		// Few of the dates' events match: a country's or a type's walk
		// may still hold them closer together (wordWalk).
		if from, walk, err = s.wordWalk(ctx, tx, f, nil); err != nil {
			return geo.EventPage{}, err
		}
		if !walk {
			// The planner is free again to read the GIN index's matches.
			if _, err = tx.Exec(ctx, "SET LOCAL enable_sort TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_bitmapscan TO DEFAULT"); err != nil {
				return geo.EventPage{}, err
			}
			page.Events, err = read(ctx, tx, filter(f), limit, offset, page.Events)
		} else {
			page.Events, err = s.readWalk(ctx, tx, walkFilter(f, from), limit, offset, page.Matched, page.Events)
		}
	} else {
		page.Events, err = s.readWalk(ctx, tx, eventsql.Filter(weekDialect, f), limit, offset, page.Matched, page.Events)
	}
	if err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}

// defaultDateWalkAt is how many times the events of the store the events of
// the rarest word of the stats of words with a box and dates must hold, at
// least, for those stats to walk the dates' first days in
// events_words_walk (Store.wordDateStats) rather than read the GIN index's
// matches in the dates row by row: the walk reads every event of the
// dates, the matches the word's share of them, each at about twelve times
// an entry's cost (a million events, a word in a quarter of them, a box
// and six months: 323,861 entries in 0.1-0.16 s, 77,109 matches read in
// 0.44 s).
const defaultDateWalkAt = 12

// wordDateStats answers the stats of words with a box and dates, and no
// key a word walk reads (wordWalkable), by walking the dates' first days in
// events_words_walk, the box and the words tested on its entries
// (weekDialect, each word that starts one stored word tested exactly),
// when the rarest word is common enough for that to pay (dateWalkAt).
// Neither the kept counts per word and cell (no dates) nor those per word
// and week (no box) answer them.
func (s *Store) wordDateStats(ctx context.Context, f geo.Filter) (st geo.Stats, ok bool, err error) {
	if f.BBox == nil || f.Start == "" && f.End == "" || wordWalkable(f) ||
		strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == "" ||
		len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 || f.MinSources > 1 {
		return geo.Stats{}, false, nil
	}
	err = s.snapshot(ctx, func(tx pgx.Tx) error {
		rarest, err := rarestWord(ctx, tx, f)
		if err != nil || rarest <= 0 {
			return err // no such word, or punctuation alone: the GIN index says so at once
		}
		var events float64
		if err := tx.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'events'::regclass").Scan(&events); err != nil {
			return err
		}
		if float64(rarest)*float64(s.dateWalkAt) < events {
			return nil
		}
		terms, err := exactTerms(ctx, tx, f)
		if err != nil {
			return err
		}
		st, err = s.pieceStats(ctx, tx, f, dialect{walk: true, byDate: true, terms: terms}, walkPlanner)
		ok = err == nil
		return err
	})
	return st, ok, err
}

// wordDatesCells answers f's density cells at zoom, for words and dates,
// from an index-only walk of the dates' range of events_words_walk
// (weekDialect), when its entries, the events that meet the dates
// (spansIn), are fewer than s.wordWalkAt times the events of the rarest
// word (eventsql.WordsOver), and, with a box (not across the
// antimeridian), than the box's events (eventsql.BoxBoundSQL), which the
// box's own walk reads; the range cut in pieces that the store's
// connections read at once: at zooms finer than the kept counts by week
// (cell_word_weeks, wordWeekCells), or dates within a week. The world's
// cells of a word in one week read the GIN index's 240,000 matches of the
// word for their dates (the million: 104 ms), where the week's entries
// are 10,000.
func (s *Store) wordDatesCells(ctx context.Context, f geo.Filter, zoom int) (cells []geo.Cell, walked bool, err error) {
	if f.Start == "" && f.End == "" || strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == "" ||
		len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 || f.MinSources > 1 {
		return nil, false, nil
	}
	err = s.snapshot(ctx, func(tx pgx.Tx) error {
		spans, err := s.spansIn(ctx, tx)
		if err != nil {
			return err
		}
		n := spans.Count(f.Start, f.End)
		walk, err := wordsOver(ctx, tx, f, n/int64(s.wordWalkAt))
		if err != nil || !walk {
			return err
		}
		if f.BBox != nil && f.BBox.West <= f.BBox.East {
			if stmt, args, ok := eventsql.BoxBoundSQL(pgSQL, *f.BBox); ok {
				var box int64
				if err := tx.QueryRow(ctx, stmt, args...).Scan(&box); err != nil || box <= n {
					return err
				}
			}
		}
		if err := walkPlanner(ctx, tx); err != nil {
			return err
		}
		// The range in pieces of about as many events, read at once.
		var cuts []string
		if s.pieces > 1 {
			cuts = spans.Cuts(f.Start, f.End, s.pieces)
		}
		var qs []*eventsql.Query
		for _, p := range eventsql.Pieces(cuts) {
			d := weekDialect
			d.piece = p
			qs = append(qs, eventsql.Filter(d, f))
		}
		groups, err := s.cellsAtOnce(ctx, tx, weekDialect, qs, zoom, 1)
		cells, walked = geo.FoldCells(zoom, groups), err == nil
		return err
	})
	return cells, walked, err
}

// cellsAtOnce returns the groups by density cell at zoom of the events of
// each of qs, spelled in d, with sign, read by the store's connections at
// once in tx's snapshot (atOnce), the planner set for a walk
// (walkPlanner) on each.
func (s *Store) cellsAtOnce(ctx context.Context, tx pgx.Tx, d dialect, qs []*eventsql.Query, zoom, sign int) ([]geo.CellRow, error) {
	groups := make([][]geo.CellRow, len(qs))
	err := s.atOnce(ctx, tx, len(qs), walkPlanner, func(tx pgx.Tx, i int) error {
		q := qs[i]
		return eachRow(ctx, tx, eventsql.CellsSQL(d, q, zoom), q.Args, func(rows pgx.Rows) (err error) {
			groups[i], err = eventsql.ScanCellRows(rows, zoom, zoom, sign, nil)
			return err
		})
	})
	return slices.Concat(groups...), err
}
