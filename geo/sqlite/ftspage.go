package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// ftsSeqBits is how many low bits of a key of events_fts hold the event's
// seq; the bits above hold the Julian day number of its event_date, 0
// when undated (migration 0034).
const ftsSeqBits = 40

// ftsSeqMask is the mask of a key's seq, as SQL.
const ftsSeqMask = "1099511627775"

// ftsPageSeqs finds the page of limit events from offset among the
// matched events of m, a query of the full-text index that selects a
// filter's events alone (ftsCount), from the index's keys, which list the
// events by day (migration 0034): the key at the page's first place, how
// many matches of its day precede it, the keys from that day's first to
// the page's end and the rest of the last day. Within a day the
// list orders by id, which the keys do not follow: the matches of the days
// at the page's two ends are put in that order from the day's entries in
// events_words_walk. A page nearer the list's end is found from there,
// backwards. first, when not nil, holds the first page's keys (offset 0),
// read already. matched is -1 when the count is not known yet: the page is
// then found forwards. It returns the page's seqs as a JSON array, nil when
// the page is empty, and not ok when it reaches the undated events (one
// "day" that may hold any number of them), which the caller then reads
// another way.
func ftsPageSeqs(ctx context.Context, tx *sql.Tx, m string, matched, limit, offset int, first []int64) ([]byte, bool, error) {
	back := false
	if after := matched - offset - limit; matched >= 0 && offset > 0 && after < offset {
		if after < 0 {
			limit, after = limit+after, 0
		}
		back, offset = true, after
	}
	if limit <= 0 || matched >= 0 && offset >= matched {
		return nil, true, nil
	}
	order := "DESC"
	if back {
		order = "ASC"
	}
	keys, skip := first, 0
	if offset > 0 || keys == nil {
		var (
			ok  bool
			err error
		)
		if keys, skip, ok, err = ftsKeysAt(ctx, tx, m, order, limit, offset); err != nil || !ok || keys == nil {
			return nil, ok, err
		}
	}
	if len(keys) == skip+limit {
		// The rest of the last day, so that its matches can be put in id
		// order.
		last := keys[len(keys)-1]
		lastDay := last >> ftsSeqBits
		if lastDay == 0 {
			return nil, false, nil
		}
		cond, args := "rowid < ? AND rowid >= ?", []any{last, lastDay << ftsSeqBits}
		if back {
			cond, args = "rowid > ? AND rowid < ?", []any{last, (lastDay + 1) << ftsSeqBits}
		}
		rest, err := ftsKeysFrom(ctx, tx, m, cond, order, args, -1)
		if err != nil {
			return nil, false, err
		}
		keys = append(keys, rest...)
	}
	// The matches by day, in the order read; the days at the page's two
	// ends in id order.
	var days []ftsDay
	for i, k := range keys {
		if i == 0 || k>>ftsSeqBits != keys[i-1]>>ftsSeqBits {
			if k>>ftsSeqBits == 0 {
				return nil, false, nil
			}
			days = append(days, ftsDay{day: k >> ftsSeqBits})
		}
		days[len(days)-1].seqs = append(days[len(days)-1].seqs, k&(1<<ftsSeqBits-1))
	}
	for i := range days {
		if (i > 0 || skip == 0) && i < len(days)-1 {
			continue // wholly in the page
		}
		ok, err := days[i].order(ctx, tx, back)
		if err != nil || !ok {
			return nil, ok, err
		}
	}
	seqs := make([]int64, 0, limit)
	at := 0
	for _, d := range days {
		for _, seq := range d.seqs {
			if at >= skip && len(seqs) < limit {
				seqs = append(seqs, seq)
			}
			at++
		}
	}
	return jsonInts(seqs), true, nil
}

// ftsKeysAt reads the keys of m's matches in order (DESC, the list's,
// or ASC, backwards) from the first of the day of the match at offset to
// the match at offset+limit (exclusive), and how many of them precede
// the one at offset; none when no match is at offset. Not ok when that
// match is undated (the undated events are one "day" of any size).
func ftsKeysAt(ctx context.Context, tx *sql.Tx, m, order string, limit, offset int) ([]int64, int, bool, error) {
	var first int64
	err := tx.QueryRowContext(ctx, "SELECT rowid FROM events_fts WHERE events_fts MATCH ? ORDER BY rowid "+order+" LIMIT 1 OFFSET ?",
		m, offset).Scan(&first)
	if err == sql.ErrNoRows {
		return nil, 0, true, nil
	} else if err != nil {
		return nil, 0, false, err
	}
	day := first >> ftsSeqBits
	if day == 0 {
		return nil, 0, false, nil
	}
	// edge is the day's first key in the order read; skip counts the
	// day's matches between it and the match at offset, a range of one
	// day, where counting the matches of the days before it read every
	// one of them (the page of two words from 20,000: 10 ms against 1.5).
	edge, older := (day+1)<<ftsSeqBits, "<"
	ahead, args := "rowid > ? AND rowid < ?", []any{first, edge}
	if order == "ASC" {
		edge, older = day<<ftsSeqBits, ">="
		ahead, args = "rowid < ? AND rowid >= ?", []any{first, edge}
	}
	var skip int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM events_fts WHERE events_fts MATCH ? AND "+ahead,
		append([]any{m}, args...)...).Scan(&skip); err != nil {
		return nil, 0, false, err
	}
	keys, err := ftsKeysFrom(ctx, tx, m, "rowid "+older+" ?", order, []any{edge}, skip+limit)
	return keys, skip, err == nil, err
}

// ftsKeysFrom reads the keys of m's matches under cond (on rowid, its
// arguments args) in order (ASC or DESC), at most limit of them (all when
// negative).
func ftsKeysFrom(ctx context.Context, tx *sql.Tx, m, cond, order string, args []any, limit int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT rowid FROM events_fts WHERE events_fts MATCH ? AND "+cond+" ORDER BY rowid "+order+" LIMIT ?",
		append(append([]any{m}, args...), limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := make([]int64, 0, max(limit, 0))
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// ftsDay is one day of ftsPageSeqs's matches: its Julian day number and
// the matches' seqs.
type ftsDay struct {
	day  int64
	seqs []int64
}

// order puts the day's matches in list order (by id), or backwards when
// back, from the day's entries in events_words_walk, which hold them in
// that order: a day's entries are a few thousand in a store of a million
// events, where reading the matches' rows for their ids costs a row each.
// Not ok when the index does not hold every match on that day (the
// caller then reads the page another way).
func (d *ftsDay) order(ctx context.Context, tx *sql.Tx, back bool) (bool, error) {
	if len(d.seqs) < 2 {
		return true, nil
	}
	order := "e.id"
	if back {
		order = "e.id DESC"
	}
	// The seqs are tested on the day's entries in SQL: a day of 100,000
	// events returned to the program cost 60 ms more. Up to maxRowOrder
	// matches are put in order from their own rows instead, whatever the
	// day holds.
	stmt, args := "SELECT e.seq FROM events e INDEXED BY events_words_walk WHERE e.event_date = ? "+
		"AND e.seq IN (SELECT value FROM json_each(?)) ORDER BY "+order, []any{julianDate(d.day), string(jsonInts(d.seqs))}
	if len(d.seqs) <= maxRowOrder {
		stmt, args = "SELECT e.seq FROM events e WHERE e.seq IN (SELECT value FROM json_each(?)) ORDER BY "+order, args[1:]
	}
	rows, err := tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	ordered := make([]int64, 0, len(d.seqs))
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			return false, err
		}
		ordered = append(ordered, s)
	}
	if err := rows.Err(); err != nil || len(ordered) != len(d.seqs) {
		return false, err
	}
	d.seqs = ordered
	return true, nil
}

// maxRowOrder is how many matches of a day ftsDay.order puts in order
// from their rows rather than from the day's entries in
// events_words_walk: a day holds about a thousand events in a million over
// two years, but any number in an import that gave many events one date.
// A row costs about 30 entries (a million events, two words and a
// country on a day of 100,870 events: the 1,699 matches' rows in 6-10 ms,
// the day's entries in 17-25; a day of 1,370 and 292 matches of a word:
// 0.8 ms and 0.5), so that the rows cost at most about 10 ms.
const maxRowOrder = 2000

// julianDate is the date (YYYY-MM-DD) of the Julian day number day, as
// SQLite's julianday counts them (day 2440587 is 1970-01-01; julianday
// gives its midnight as 2440587.5).
func julianDate(day int64) string {
	return time.Unix((day-2440587)*86400, 0).UTC().Format(time.DateOnly)
}

// ftsPage answers f's page (Store.page) from the full-text index when it
// alone selects f's events (ftsCount: words, with a country or event
// types or not): the count as Store.count finds it, the page's events by
// their keys (ftsPageSeqs), then their rows. Where the walks read every
// entry of the list, or of the country, up to the page's end, testing each
// event's words, the index reads the matches alone (a million generated
// events, an actor's word and a quote's word, 23,892 events, from offset
// 5,000: BENCHMARKS.md). Not ok when it does not apply.
func (s *Store) ftsPage(ctx context.Context, tx *sql.Tx, f geo.Filter, limit int) (geo.EventPage, bool, error) {
	if _, ok := ftsCount(f, nil); !ok {
		return geo.EventPage{}, false, nil
	}
	offset := max(f.Offset, 0)
	if offset == 0 && ftsLists(f) == 1 {
		// One word alone, whose first page the list's walk finds in the
		// entries up to it, fewer the more events have the word, with the
		// kept counts' count (q=drone, a quarter of a million events: 18
		// ms against 25 here).
		return geo.EventPage{}, false, nil
	}
	terms, err := exactTerms(ctx, tx, f)
	if err != nil {
		return geo.EventPage{}, false, err
	}
	m, _ := ftsCount(f, terms)
	page := geo.EventPage{Events: []geo.Event{}}
	// The count, which reads every match, runs on a connection of its own
	// while this one finds the page forwards and reads its rows
	// (BENCHMARKS.md: two words, a country and a type, 42 ms in turn); a
	// page nearer the list's end would have been found backwards, in fewer
	// keys than the count reads.
	countFrom := func(ctx context.Context, tx *sql.Tx) (int, error) { return s.count(ctx, tx, f, where(f), terms) }
	counted, cancel := s.countAside(ctx, countFrom)
	defer cancel()
	var first []int64
	if offset == 0 {
		// The first page's keys: when they are all the matches, they are
		// the count too.
		if first, err = ftsKeysFrom(ctx, tx, m, "1", "DESC", nil, limit+1); err != nil {
			return geo.EventPage{}, false, err
		}
		if len(first) <= limit {
			page.Matched = len(first)
			return ftsRead(ctx, tx, page, seqsJSON(first))
		}
		first = first[:limit]
	}
	seqs, ok, err := ftsPageSeqs(ctx, tx, m, -1, limit, offset, first)
	if err != nil || !ok {
		return geo.EventPage{}, false, err
	}
	if page, _, err = ftsRead(ctx, tx, page, seqs); err != nil {
		return geo.EventPage{}, false, err
	}
	if page.Matched, err = asideResult(ctx, tx, counted, countFrom); err != nil {
		return geo.EventPage{}, false, err
	}
	return page, true, nil
}

// asideCount is a count of countAside.
type asideCount struct {
	n       int
	version int64 // the data version the count read
	err     error
}

// countAside runs count in a read transaction of its own on the aside
// pool, beside the transaction of the answer that asks for it; the
// answer reads the count with asideResult and, when done, calls cancel.
func (s *Store) countAside(ctx context.Context, count func(context.Context, *sql.Tx) (int, error)) (<-chan asideCount, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	counted := make(chan asideCount, 1)
	go func() {
		var c asideCount
		defer func() { counted <- c }()
		tx, err := s.aside.BeginTx(ctx, nil)
		if err != nil {
			c.err = err
			return
		}
		defer tx.Rollback()
		if c.err = tx.QueryRowContext(ctx, versionSQL).Scan(&c.version); c.err != nil {
			return
		}
		c.n, c.err = count(ctx, tx)
	}()
	return counted, cancel
}

// asideResult waits for the count of countAside; when it read another
// data version than tx's snapshot (a write came between the two), count
// counts again in tx.
func asideResult(ctx context.Context, tx *sql.Tx, counted <-chan asideCount, count func(context.Context, *sql.Tx) (int, error)) (int, error) {
	c := <-counted
	if c.err != nil {
		return 0, c.err
	}
	var version int64
	if err := tx.QueryRowContext(ctx, versionSQL).Scan(&version); err != nil {
		return 0, err
	}
	if c.version != version {
		return count(ctx, tx)
	}
	return c.n, nil
}

// ftsRead reads the rows of seqs (a JSON array of them, nil when none)
// into page, in list order.
func ftsRead(ctx context.Context, tx *sql.Tx, page geo.EventPage, seqs []byte) (geo.EventPage, bool, error) {
	var err error
	if seqs == nil {
		return page, true, nil
	}
	q := eventsql.NewQuery(sqliteSQL)
	q.Add("e.seq IN (SELECT value FROM json_each(" + q.Arg(string(seqs)) + "))")
	if page.Events, err = readAll(ctx, tx, q, page.Events); err != nil {
		return geo.EventPage{}, false, err
	}
	return page, true, attach(ctx, tx, page.Events)
}

// seqsJSON is the seqs of keys, keys of events_fts, as a JSON array; nil
// when there are none.
func seqsJSON(keys []int64) []byte {
	seqs := make([]int64, len(keys))
	for i, k := range keys {
		seqs[i] = k & (1<<ftsSeqBits - 1)
	}
	return jsonInts(seqs)
}

// jsonInts is vals as a JSON array; nil when there are none.
func jsonInts(vals []int64) []byte {
	if len(vals) == 0 {
		return nil
	}
	b := make([]byte, 0, 12*len(vals)+2)
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return append(b, ']')
}

// ftsLists is how many lists of the full-text index f's query (ftsCount)
// intersects: one per word, one for the country and one for the event
// types.
func ftsLists(f geo.Filter) int {
	n := 0
	fields, _ := eventsql.TextWords(f)
	for _, fw := range fields {
		n += len(fw.Words)
	}
	if f.Country != "" {
		n++
	}
	if len(f.Types) > 0 {
		n++
	}
	return n
}
