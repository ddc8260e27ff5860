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
// all of theirs; eventsql.WordsOver). The range's entries, the events of
// its key and dates, are counted first, from event_counts (walkKeyCount),
// not from the index, so that a common word is told common from its first
// groups in word_counts.
func (s *Store) wordWalk(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter) (string, bool, error) {
	if !wordWalkable(f) {
		return "", false, nil
	}
	idx := walkIndex(f)
	if idx == "events_words_walk" && f.Start == "" && f.End == "" {
		// The whole index: a box with words. Walking every event costs
		// more than the matches of any word but the commonest, and counting
		// the entries to tell would cost as much.
		return "", false, nil
	}
	n, err := s.walkEntries(ctx, q, f, idx)
	if err != nil {
		return "", false, err
	}
	// No such word, or punctuation alone, is not walked: the full-text
	// index says so at once.
	walk, err := wordsOver(ctx, q, f, n/int64(s.wordWalkAt))
	if err != nil || !walk {
		return "", false, err
	}
	return idx, true, nil
}

// wordsOver is eventsql.WordsOver read through q: whether each of f's
// words is in more than limit events.
func wordsOver(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter, limit int64) (bool, error) {
	return eventsql.WordsOver(sqliteSQL, f, limit, func(stmt string, args ...any) (int64, error) {
		var t int64
		err := q.QueryRowContext(ctx, stmt, args...).Scan(&t)
		return t, err
	})
}

// walkEntries counts the entries of the range of idx that a word walk of
// f reads. On events_words_walk the range is the dates' events, which the
// store's dated spans count (datedCount, kept until the data changes):
// adding them up from event_counts for every request took 8 ms of a wide
// box's page of a word between dates (38 ms). The spans are of q's
// snapshot when it is a transaction, else of one of their own, which an
// estimate may be.
func (s *Store) walkEntries(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter, idx string) (int64, error) {
	if idx == "events_words_walk" {
		return s.datedCountIn(ctx, q, f.Start, f.End)
	}
	return walkKeyCount(ctx, q, f, idx)
}

// rarestWord returns how many events have the rarest of f's words, at
// most, counted from word_counts (a word that starts several stored words
// counts all of theirs); -1 when f has no word.
func rarestWord(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter) (int64, error) {
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
				return 0, err
			}
			if rarest < 0 || n < rarest {
				rarest = n
			}
		}
	}
	return rarest, nil
}

// walkKeyCount counts, from event_counts, the entries of the range of idx
// that a word walk of f reads: the events of its country or its one event
// type (by idx) and its dates. event_counts is keyed by event type first:
// without one, the statement lists the stored types (each the least one
// after the last) and looks up each type's groups of the country, a few
// thousand rows rather than all of them (a million events: 1 ms against
// 5).
func walkKeyCount(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter, idx string) (int64, error) {
	g := geo.Filter{Start: f.Start, End: f.End}
	switch idx {
	case "events_country_walk":
		g.Country = f.Country
	case "events_type_walk":
		g.Types = f.Types
	}
	c := eventsql.Counts(sqliteSQL, g)
	stmt := eventsql.CountsCountSQL(c)
	if len(g.Types) == 0 {
		stmt = "WITH RECURSIVE t(v) AS (SELECT min(event_type) FROM event_counts UNION ALL " +
			"SELECT (SELECT min(event_type) FROM event_counts WHERE event_type > t.v) FROM t WHERE t.v IS NOT NULL) " +
			stmt + " AND c.event_type IN (SELECT v FROM t)"
	}
	var n int64
	err := q.QueryRowContext(ctx, stmt, c.Args...).Scan(&n)
	return n, err
}

// indexed is stmt, a statement on the events table e, reading it through
// the index idx.
func indexed(stmt, idx string) string {
	return strings.Replace(stmt, "FROM events e ", "FROM events e INDEXED BY "+idx+" ", 1)
}

// walkPage answers f's page (Store.page) by walking idx (wordWalk): the
// page's events found by their seq in list order, then their rows. The
// count is the kept counts' when they hold it (wordCounts), else the
// page's events, those before it and those after its last (walkCount),
// so that the range is walked once rather than once for the count and
// again for the page (a million events, two words and a country: 31 ms
// of CPU instead of 38).
func (s *Store) walkPage(ctx context.Context, tx *sql.Tx, f geo.Filter, idx string, limit int) (geo.EventPage, error) {
	page := geo.EventPage{Events: []geo.Event{}}
	var err error
	if f.After != nil {
		page.Matched = -1
		for _, q := range eventsql.Keyset(walkDialect, f) {
			if len(page.Events) >= limit {
				break
			}
			if page.Events, err = readWalk(ctx, tx, q, idx, limit-len(page.Events), 0, -1, page.Events); err != nil {
				return geo.EventPage{}, err
			}
		}
		return page, attach(ctx, tx, page.Events)
	}
	q := eventsql.Filter(walkDialect, f)
	offset := max(f.Offset, 0)
	c, counted, err := wordCounts(ctx, tx, f)
	if err != nil {
		return geo.EventPage{}, err
	}
	if counted {
		// One word and a country or types: the kept counts hold the
		// count, and the walk stops with the page.
		if err := tx.QueryRowContext(ctx, eventsql.WordCountsCountSQL(c), c.Args...).Scan(&page.Matched); err != nil {
			return geo.EventPage{}, err
		}
	}
	// Words and a country or types: the full-text index counts them
	// (ftsCount) in place of a second walk of the key's entries. A page
	// from an offset is counted first, so that a page past the last match
	// walks nothing (a million events, two words in a country's 83,000
	// events from offset 5,000: 16 ms instead of 58); the first page is
	// counted only when the walk filled it, since a walk that found fewer
	// read every entry and counted them already.
	fts := ""
	if _, ok := ftsCount(f, nil); ok && !counted {
		terms, err := exactTerms(ctx, tx, f)
		if err != nil {
			return geo.EventPage{}, err
		}
		fts, _ = ftsCount(f, terms)
	}
	ftsMatched := func() (int, error) {
		var n int
		err := tx.QueryRowContext(ctx, "SELECT count(*) FROM events_fts WHERE events_fts MATCH ?", fts).Scan(&n)
		return n, err
	}
	if fts != "" && offset > 0 {
		if page.Matched, err = ftsMatched(); err != nil {
			return geo.EventPage{}, err
		}
		counted = true
	}
	if counted && page.Matched <= offset {
		return page, nil
	}
	if !counted && offset > 0 {
		if p, ok, err := s.pieceWalk(ctx, tx, f, idx, limit, offset); err != nil || ok {
			return p, err
		}
	}
	matched := -1
	if counted {
		matched = page.Matched
	}
	seqs, n, last, err := walkSeqs(ctx, tx, q, idx, limit, offset, matched)
	if err != nil {
		return geo.EventPage{}, err
	}
	switch {
	case counted:
	case n == 0 && offset > 0:
		// Nothing from the offset on: the count says how many lie before it.
		if err := tx.QueryRowContext(ctx, indexed(eventsql.CountSQL(q), idx), q.Args...).Scan(&page.Matched); err != nil {
			return geo.EventPage{}, err
		}
		return page, nil
	case n < limit:
		page.Matched = offset + n
	}
	// The count of a full page, by the full-text index or of the entries
	// after its last, runs on a connection of its own while this one reads
	// the page's rows (countAside; a million events, a box, a start, a
	// type and a word: 37 ms in turn).
	// The entries after the page's last are counted in pieces of their
	// dates, each on a connection of its own (walkCountPieces).
	var counts []func(context.Context, *sql.Tx) (int, error)
	switch {
	case counted || n < limit:
	case fts != "":
		counts = append(counts, func(ctx context.Context, tx *sql.Tx) (int, error) {
			var m int
			err := tx.QueryRowContext(ctx, "SELECT count(*) FROM events_fts WHERE events_fts MATCH ?", fts).Scan(&m)
			return m, err
		})
	default:
		spans, err := s.spansIn(ctx, tx)
		if err != nil {
			return geo.EventPage{}, err
		}
		for _, piece := range walkCountPieces(f, last, s.pieces, spans) {
			d := walkDialect
			d.piece = piece
			counts = append(counts, func(ctx context.Context, tx *sql.Tx) (int, error) {
				return walkCount(ctx, tx, d, f, idx, last)
			})
		}
		page.Matched = offset + n
	}
	asides := make([]<-chan asideCount, len(counts))
	for i, count := range counts {
		var cancel context.CancelFunc
		asides[i], cancel = s.countAside(ctx, count)
		defer cancel()
	}
	if n == 0 {
		return page, nil
	}
	page.Events = make([]geo.Event, 0, n)
	p := eventsql.NewQuery(sqliteSQL)
	p.Add("e.seq IN (SELECT value FROM json_each(" + p.Arg(string(seqs)) + "))")
	if page.Events, err = readAll(ctx, tx, p, page.Events); err != nil {
		return geo.EventPage{}, err
	}
	// The page's sources too are read while the count goes on aside.
	if err := attach(ctx, tx, page.Events); err != nil {
		return geo.EventPage{}, err
	}
	for i, aside := range asides {
		m, err := asideResult(ctx, tx, aside, counts[i])
		if err != nil {
			return geo.EventPage{}, err
		}
		page.Matched += m
	}
	return page, nil
}

// maxPieceHead bounds the offset and limit of a page that pieceWalk
// answers: each piece lists its first offset+limit matches' seqs.
const maxPieceHead = 16384

// pieceWalk answers f's page from offset, uncounted, on the walk of idx
// in pieces of its dates of about as many events (DatedSpans.Cuts), read
// at once: each piece lists the seqs of its first offset+limit matches,
// wherever the page falls in it, and counts its entries after them; the
// page is then those lists' in turn. Walked in one piece, a page far into
// the list reads most of the entries on one connection first (a million
// events, a box, a start, a type and a word from offset 5,000: 6,000 of
// the 6,641 matches among 91,000 entries, 47 ms, and 36-43 in two
// pieces). Not ok when f has no start (undated events would fall in no
// piece), when the page lies beyond maxPieceHead, when the dates are too
// few to cut, or when a piece's snapshot reads another data version than
// tx.
func (s *Store) pieceWalk(ctx context.Context, tx *sql.Tx, f geo.Filter, idx string, limit, offset int) (geo.EventPage, bool, error) {
	head := offset + limit
	if s.pieces < 2 || f.Start == "" || head > maxPieceHead {
		return geo.EventPage{}, false, nil
	}
	var (
		version     int64
		first, last sql.NullString
	)
	if err := tx.QueryRowContext(ctx, versionSQL).Scan(&version); err != nil {
		return geo.EventPage{}, false, err
	}
	if err := tx.QueryRowContext(ctx, eventsql.DateSpanSQL(sqliteSQL)).Scan(&first, &last); err != nil {
		return geo.EventPage{}, false, err
	}
	spans, err := s.spansIn(ctx, tx)
	if err != nil {
		return geo.EventPage{}, false, err
	}
	hi := last.String
	if f.End != "" && f.End < hi {
		hi = f.End
	}
	cuts := spans.Cuts(f.Start, hi, s.pieces)
	if len(cuts) == 0 {
		return geo.EventPage{}, false, nil
	}
	pieces := eventsql.Pieces(cuts)
	counts := make([]int, len(pieces))
	lists := make([][]int64, len(pieces))
	versions := make([]int64, len(pieces))
	same, err := s.atOnce(ctx, len(pieces), func(ctx context.Context, ptx *sql.Tx, i int) error {
		d := walkDialect
		d.piece = pieces[i]
		if err := ptx.QueryRowContext(ctx, versionSQL).Scan(&versions[i]); err != nil {
			return err
		}
		var err error
		if lists[i], err = walkHead(ctx, ptx, eventsql.Filter(d, f), idx, head); err != nil || len(lists[i]) < head {
			counts[i] = len(lists[i])
			return err
		}
		// More than the page's end: the entries after the last listed.
		var key geo.EventKey
		var date sql.NullString
		if err := ptx.QueryRowContext(ctx, "SELECT e.event_date, e.id FROM events e WHERE e.seq = ?", lists[i][head-1]).Scan(&date, &key.ID); err != nil {
			return err
		}
		// The key's date bounds the rest from above: the piece's own
		// bound beside it could start SQLite's range there, and walk the
		// listed entries again (walkCount).
		key.Date = date.String
		d.piece.Before = ""
		rest, err := walkCount(ctx, ptx, d, f, idx, key)
		counts[i] = head + rest
		return err
	})
	if err != nil || !same || versions[0] != version {
		return geo.EventPage{}, false, err
	}
	// A list cut short at head holds the page's end: the lists after it
	// are never reached.
	page := geo.EventPage{Events: []geo.Event{}}
	var seqs []int64
	for i, c := range counts {
		page.Matched += c
		seqs = append(seqs, lists[i]...)
	}
	seqs = seqs[min(offset, len(seqs)):min(head, len(seqs))]
	if len(seqs) == 0 {
		return page, true, nil
	}
	page.Events = make([]geo.Event, 0, len(seqs))
	p := eventsql.NewQuery(sqliteSQL)
	p.Add("e.seq IN (SELECT value FROM json_each(" + p.Arg(string(jsonInts(seqs))) + "))")
	if page.Events, err = readAll(ctx, tx, p, page.Events); err != nil {
		return geo.EventPage{}, false, err
	}
	return page, true, attach(ctx, tx, page.Events)
}

// walkHead lists the seqs of the first n events of q's walk on idx.
func walkHead(ctx context.Context, tx *sql.Tx, q *eventsql.Query, idx string, n int) ([]int64, error) {
	stmt := "SELECT e.seq FROM events e WHERE " + q.Where() + " ORDER BY " + eventsql.Order + " LIMIT ?"
	if idx != "" {
		stmt = indexed(stmt, idx)
	}
	rows, err := tx.QueryContext(ctx, stmt, append(q.Args[:len(q.Args):len(q.Args)], n)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		list = append(list, seq)
	}
	return list, rows.Err()
}

// walkCountPieces cuts the dates of the entries a walk lists after last
// (from f's start to last's date) into n pieces of about as many events
// (spans.Cuts), so that n connections count them at once while the
// page's rows are read: a walk costs CPU, and one statement uses one (a
// million events, a box, a start, a type and a word: the 5,600 matches
// after the first page among some 78,000 entries). One piece, the whole
// walk, when f has no start or the dates are too few to cut.
func walkCountPieces(f geo.Filter, last geo.EventKey, n int, spans *eventsql.DatedSpans) []eventsql.Piece {
	if f.Start == "" || last.Date == "" {
		return []eventsql.Piece{{}}
	}
	cuts := spans.Cuts(f.Start, last.Date, n)
	if len(cuts) == 0 {
		return []eventsql.Piece{{}}
	}
	return eventsql.Pieces(cuts)
}

// walkCount counts, on idx, the events of f listed after last, in d's
// spelling (walkDialect, and one piece of the dates). With last
// dated, f's end date holds for every dated event listed after it, and is
// left out of their condition: with two upper bounds on event_date SQLite
// may start the range from the end date's, walking the page again.
func walkCount(ctx context.Context, tx *sql.Tx, d dialect, f geo.Filter, idx string, last geo.EventKey) (int, error) {
	f.After = &last
	keys := eventsql.Keyset(d, f)
	if last.Date != "" && f.End != "" && (f.Start == "" || f.Start <= f.End) {
		g := f
		g.End = ""
		keys[0] = eventsql.Keyset(d, g)[0]
	}
	total := 0
	for _, q := range keys {
		var n int
		if err := tx.QueryRowContext(ctx, indexed(eventsql.CountSQL(q), idx), q.Args...).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// wordWeeks splits a filter by one word and dates (and types, a country,
// modalities, origins) whose word starts one stored word of its field
// (eventsql.WordCountsWord, eventsql.OneTerm) by eventsql.WordWeeks: the
// events dated in the whole weeks inside its dates are counted from
// word_counts (whole), the others walked on events_words_walk (edges).
// It is not ok when the dates hold no whole week.
func (s *Store) wordWeeks(ctx context.Context, tx *sql.Tx, f geo.Filter) (whole *eventsql.Query, edges []eventsql.Edge, ok bool, err error) {
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
	term, ok, err := eventsql.OneTerm(tx.QueryRowContext(ctx, eventsql.TermSQL(sqliteSQL), field, word), word)
	if err != nil || !ok {
		return nil, nil, false, err
	}
	spans, err := s.spansIn(ctx, tx)
	if err != nil {
		return nil, nil, false, err
	}
	whole, edges = eventsql.WordWeeks(sqliteSQL, walkDialect, f, field, term, first, last, spans)
	return whole, edges, true, nil
}

// weekCount counts wordWeeks' events.
func weekCount(ctx context.Context, tx *sql.Tx, whole *eventsql.Query, edges []eventsql.Edge) (int, error) {
	var total int
	if err := tx.QueryRowContext(ctx, eventsql.WordCountsCountSQL(whole), whole.Args...).Scan(&total); err != nil {
		return 0, err
	}
	for _, e := range edges {
		var n int
		if err := tx.QueryRowContext(ctx, indexed(eventsql.CountSQL(e.Query), "events_words_walk"), e.Args...).Scan(&n); err != nil {
			return 0, err
		}
		total += e.Sign() * n
	}
	return total, nil
}

// weekStats groups wordWeeks' events as Stats does.
func weekStats(ctx context.Context, tx *sql.Tx, whole *eventsql.Query, edges []eventsql.Edge) (geo.Stats, error) {
	var tally geo.Tally
	fold := func(stmt string, args []any, sign int) error {
		rows, err := tx.QueryContext(ctx, stmt, args...)
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
		if err := fold(indexed(eventsql.StatsSQL(walkDialect, e.Query), "events_words_walk"), e.Args, e.Sign()); err != nil {
			return geo.Stats{}, err
		}
	}
	return tally.Stats(), nil
}

// wordWeekStats answers f's stats by wordWeeks when it can, in one
// snapshot.
func (s *Store) wordWeekStats(ctx context.Context, f geo.Filter) (geo.Stats, bool, error) {
	if f.Start == "" && f.End == "" {
		return geo.Stats{}, false, nil
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return geo.Stats{}, false, err
	}
	defer tx.Rollback()
	whole, edges, ok, err := s.wordWeeks(ctx, tx, f)
	if err != nil || !ok {
		return geo.Stats{}, false, err
	}
	st, err := weekStats(ctx, tx, whole, edges)
	return st, err == nil, err
}

// weekPage answers f's page (Store.page) when wordWeeks splits it: the
// count from the kept counts and the edges, the page walked on
// events_words_walk when many match, else on the index wordWalk picks
// when it picks one, else read from the full-text index's matches.
func (s *Store) weekPage(ctx context.Context, tx *sql.Tx, f geo.Filter, whole *eventsql.Query, edges []eventsql.Edge, limit int) (geo.EventPage, error) {
	page := geo.EventPage{Events: []geo.Event{}}
	var err error
	if page.Matched, err = weekCount(ctx, tx, whole, edges); err != nil {
		return geo.EventPage{}, err
	}
	offset := max(f.Offset, 0)
	if page.Matched <= offset {
		return page, nil
	}
	page.Events = make([]geo.Event, 0, min(limit, page.Matched-offset))
	idx, walk := "events_words_walk", true
	if page.Matched < s.walkAt*(limit+offset) {
		// Few of the list's events match, or the page lies far in: the
		// dates' range may still cost less to walk than the word's
		// matches to read and sort (wordWalk; a million events, a word in
		// a quarter of them and three months, the page at 5,000: 678 ms of
		// CPU through the matches).
		if idx, walk, err = s.wordWalk(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		}
		if !walk && wordWalkable(f) {
			if idx, walk, err = s.pageWalks(ctx, tx, f, page.Matched, limit, offset); err != nil {
				return geo.EventPage{}, err
			}
		}
	}
	if walk {
		page.Events, err = readWalk(ctx, tx, eventsql.Filter(walkDialect, f), idx, limit, offset, page.Matched, page.Events)
	} else {
		page.Events, err = s.read(ctx, tx, eventsql.Filter(sqliteSQL, f), limit, offset, page.Events)
	}
	if err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}

// pageWalks reports whether the page of f (wordWalkable) from offset,
// of its matched events, costs less walked on its walk index from the
// nearer end of the list (walkSeqs) than read from its rarest word's
// matches: wordWalk weighs the whole range, which a count or stats read,
// while a page reads its share of the range's entries to its far end (a
// million events, an actor's word in 54,897 events since a day, from
// offset 3,000: some 40,000 of the 549,000 entries walked, where reading
// the word's matches took 370-400 ms).
func (s *Store) pageWalks(ctx context.Context, tx *sql.Tx, f geo.Filter, matched, limit, offset int) (string, bool, error) {
	idx := walkIndex(f)
	if idx == "events_words_walk" && f.Start == "" && f.End == "" {
		return "", false, nil // the whole index, as wordWalk says
	}
	n, err := s.walkEntries(ctx, tx, f, idx)
	if err != nil {
		return "", false, err
	}
	rarest, err := rarestWord(ctx, tx, f)
	if err != nil || rarest <= 0 || matched <= 0 {
		return "", false, err
	}
	through := min(limit+offset, matched-offset)
	return idx, n*int64(through)/int64(matched) < int64(s.wordWalkAt)*rarest, nil
}

// wordsPageWalkAt is how many entries of events_words_walk a page of
// words alone (wordsWalk) may walk per event that matches, rather than
// read every match's row from the full-text index and sort them: an entry
// tested costs about a fortieth of a match read and sorted (a million
// events, an actor's word and a quote's in 23,892 events: the matches
// read in 270-300 ms, 12 µs each; the page from 12,000, walked from the
// list's end over some 500,000 entries, in 114-119 ms, where 16 here
// read the matches).
const wordsPageWalkAt = 40

// wordsPageWalks reports whether a page that could walk the list order
// (walks: words alone, or a box, sub-event types, a precision) and reads
// `through` of its matched events from the nearer end of the list
// (walkSeqs) costs less walked, reading about through times the events
// per match (the largest seq stands for the events, at least as many),
// than read from the matches: Store.page walks whenever many match
// (defaultWalkAt); this is for the pages far in, and the words of a
// few tens of thousands of events.
func wordsPageWalks(ctx context.Context, tx *sql.Tx, matched, through int) (bool, error) {
	var events int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM events").Scan(&events); err != nil {
		return false, err
	}
	return int64(through)*events < wordsPageWalkAt*int64(matched)*int64(matched), nil
}
