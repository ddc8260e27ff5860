package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// dialect is SQLite's spelling of the shared event SQL. rtree decides
// whether a bbox is looked up in the R*Tree (useRtree, unless the store
// found the box dense or a benchmark forces the choice). walk keeps the
// box and word conditions off every index, so that a page of many matches
// walks the date index in list order and stops when the page is full
// instead of sorting every match (Store.page).
type dialect struct {
	rtree func(geo.BBox) bool
	walk  bool
	// words: a walk tests the words on the index events_words_walk
	// (wordsWalk) rather than against the full-text index's matches.
	words bool
	// terms, when set, names the one stored word that a word starts
	// (exactTerms): the full-text index looks that word up alone.
	terms *eventsql.Terms
	// points: the statement reads events_point_words alone (pointWords),
	// whose entries hold the words; the box is not looked up in the
	// R*Tree, but by the index's columns (pointColumns).
	points bool
	// piece, when set, bounds event_date to one piece of a walk's dates
	// (pieceStats).
	piece eventsql.Piece
	// byBox: the box's index drives the statement, and the dates are kept
	// off theirs. With a start and an end, SQLite's planner reads the
	// dates' index for a box between them, and reads every event of those
	// dates (a million events, the hotspot's box in a year: 27,617 events
	// read from 101,006 entries of the box in 12 ms, from 450,000 of the
	// year in 39).
	byBox bool
}

var sqliteSQL = dialect{rtree: useRtree}

func (dialect) Placeholder(int) string      { return "?" }
func (dialect) Lon() string                 { return "e.lon" }
func (dialect) Lat() string                 { return "e.lat" }
func (dialect) DateText(expr string) string { return expr }
func (dialect) DateValue(ph string) string  { return ph }
func (dialect) Floor(expr string) string    { return "CAST(" + expr + " AS INTEGER)" }

// WeeksFrom is the week of start (a Monday) less max_span_days, in one
// subquery that SQLite runs once.
func (dialect) WeeksFrom(ph string) string {
	return "(SELECT date(" + ph + ", '-' || m.value || ' days', 'weekday 0', '-6 days') FROM meta m WHERE m.key = 'max_span_days')"
}

// KeepsWeekFiner reports that the store keeps cell_fine_weeks at
// eventsql.WeekFinerLevel too (migration 0039).
func (dialect) KeepsWeekFiner() bool { return true }

// Week moves forward to the next Sunday ('weekday 0', or stays on one);
// six days back from there is the Monday of the ISO week.
func (dialect) Week() string { return "coalesce(date(e.event_date, 'weekday 0', '-6 days'), '')" }

// BBox lets the R*Tree find candidates, when the box is small enough for
// that to pay; the exact lon and lat decide, since the R*Tree stores
// 32-bit floats rounded outwards.
func (d dialect) BBox(q *eventsql.Query, b geo.BBox) {
	rtree := d.rtree(b) && !d.walk && !d.points
	lon := "e.lon"
	if d.walk {
		lon = "+e.lon" // a unary plus: no index for this term
	}
	if d.points && b.West <= b.East {
		pointColumns(q, b)
	}
	if b.West <= b.East {
		if rtree {
			q.Add("e.seq IN (SELECT seq FROM events_rtree WHERE min_lon <= " + q.Arg(b.East) + " AND max_lon >= " + q.Arg(b.West) +
				" AND min_lat <= " + q.Arg(b.North) + " AND max_lat >= " + q.Arg(b.South) + ")")
		}
		q.Add(lon+" >= "+q.Arg(b.West)+" AND "+lon+" <= "+q.Arg(b.East),
			"e.lat >= "+q.Arg(b.South)+" AND e.lat <= "+q.Arg(b.North))
		return
	}
	if rtree {
		q.Add("e.seq IN (SELECT seq FROM events_rtree WHERE max_lon >= " + q.Arg(b.West) + " AND min_lat <= " + q.Arg(b.North) +
			" AND max_lat >= " + q.Arg(b.South) + " UNION ALL SELECT seq FROM events_rtree WHERE min_lon <= " + q.Arg(b.East) +
			" AND min_lat <= " + q.Arg(b.North) + " AND max_lat >= " + q.Arg(b.South) + ")")
	}
	q.Add("("+lon+" >= "+q.Arg(b.West)+" OR "+lon+" <= "+q.Arg(b.East)+")",
		"e.lat >= "+q.Arg(b.South)+" AND e.lat <= "+q.Arg(b.North))
}

// Dates compares YYYY-MM-DD text. "Ends on or after start" cannot use an
// index on its own: the longest span stored (meta max_span_days) bounds
// event_date from below as well, so that only the index range that can
// match is scanned.
//
// A walk leaves out "event_date IS NOT NULL", which either bound implies:
// SQLite would start the walk's index range from it rather than from the
// start's bound, and read every older entry.
func (d dialect) Dates(q *eventsql.Query, start, end string) {
	if !d.walk {
		q.Add("e.event_date IS NOT NULL")
	}
	date := "e.event_date"
	if d.byBox {
		date = "+e.event_date" // a unary plus: no index for this term
	}
	if start != "" {
		// An event ends on or after start when it begins then (its last
		// day is never before its first), which an index without
		// event_date_end tells on its own: SQLite reads the row only for
		// the events that began before start (a box's 55,000 events
		// since a day through the points' index at zoom 10: 0.45 s, 0.18 s
		// this way).
		q.Add("(e.event_date >= " + q.Arg(start) + " OR e.event_date_end >= " + q.Arg(start) + ")")
		if d.piece.From == "" {
			// The bound in one subquery, which SQLite runs once: as an
			// argument of date() it was run once but date() once per
			// entry (a box's 101,000 entries: 69 ms, 37 this way).
			q.Add(date + " >= (SELECT date(" + q.Arg(start) + ", '-' || m.value || ' days') FROM meta m WHERE m.key = 'max_span_days')")
		}
	}
	if d.piece.From != "" {
		q.Add(date + " >= " + q.Arg(d.piece.From))
	}
	switch {
	case d.piece.Before != "":
		q.Add(date + " < " + q.Arg(d.piece.Before))
	case end != "":
		q.Add(date + " <= " + q.Arg(end))
	}
}

// Words looks the words up in the FTS5 index events_fts, tagged with
// their field (ftsQuery): each as a prefix of a stored word, or as the
// stored words it starts when there are few (dialect.terms). A word holds
// letters and digits alone (geo.Words), so quoting it is enough. Both
// fields are one MATCH, so that FTS5 intersects their matches: a
// subquery per field listed each field's matches for the statement to
// intersect (an actor and a quote word in 100,000 and 240,000 events,
// 23,892 in both: their stats took 0.3 s, against 0.14 s).
//
// When walking with words alone (dialect.words), or reading the points
// with their words (dialect.points), the index is not read:
// collecting every match of a common word to test each row against costs
// as much as the page (a word in a quarter of a million events: 0.4-0.7
// s). The row's words (actors_words,
// quote_words: a JSON array of them) must then hold a string that starts
// with each word: a quote and the word, since a word holds neither quotes
// nor backslashes. The index events_words_walk holds them in list order,
// so that the walk reads no row that does not match (readWalk).
func (d dialect) Words(q *eventsql.Query, fields []eventsql.FieldWords) {
	if d.walk && !d.words {
		q.Add("+e.seq IN (SELECT rowid & " + ftsSeqMask + " FROM events_fts WHERE events_fts MATCH " + q.Arg(ftsQuery(fields, d.terms)) + ")")
		return
	}
	if d.walk || d.points {
		// The word alone first: the quote that starts the exact test is
		// every word's, so that test compares at each word of the array,
		// while the bare word's first letter is rarer (a million events, two
		// words on a country's 83,000 entries: 27 ms of CPU against 30).
		for _, fw := range fields {
			for _, w := range fw.Words {
				q.Add("instr(e." + fw.Field + "_words, " + q.Arg(w) + ") > 0")
			}
		}
		for _, fw := range fields {
			for _, w := range fw.Words {
				q.Add("instr(e." + fw.Field + "_words, " + q.Arg(`"`+w) + ") > 0")
			}
		}
		return
	}
	q.Add("e.seq IN (SELECT rowid & " + ftsSeqMask + " FROM events_fts WHERE events_fts MATCH " + q.Arg(ftsQuery(fields, d.terms)) + ")")
}

// ftsQuery is the FTS5 query of the words of fields, each tagged with its
// field's letter (ftsTag): the one stored word a word starts, or the few
// it starts, when terms knows them, else the word as a prefix, whose
// query first collects the lists of every indexed word it starts (a
// million events, an actor's and a quote's word counted in 7 ms, and as
// prefixes of one stored word each in 59 ms).
func ftsQuery(fields []eventsql.FieldWords, terms *eventsql.Terms) string {
	var words []string
	for _, fw := range fields {
		tag := ftsTag(fw.Field)
		for _, w := range fw.Words {
			if t, ok := terms.Term(fw.Field, w); ok {
				words = append(words, `"`+tag+t+`"`)
			} else if list := terms.List(fw.Field, w); len(list) > 0 {
				alts := make([]string, len(list))
				for i, t := range list {
					alts[i] = `"` + tag + t + `"`
				}
				words = append(words, "("+strings.Join(alts, " OR ")+")")
			} else {
				words = append(words, `"`+tag+w+`"*`)
			}
		}
	}
	return strings.Join(words, " AND ")
}

// ftsTag is the letter the full-text index puts before each word of field
// (migration 0030): its one column holds the words of both fields.
func ftsTag(field string) string {
	if field == eventsql.FieldActors {
		return "a"
	}
	return "q"
}

// ftsCount returns, when f filters by words with at most a country and
// event types, the FTS5 query that finds its events (with the stored
// words of terms): the full-text index then counts them without reading
// an event (a word in a quarter of a million events: 0.3 s instead of 1.6
// s), since it holds one row per event with its country and type
// (ftsKeys).
func ftsCount(f geo.Filter, terms *eventsql.Terms) (string, bool) {
	if f.BBox != nil || f.Start != "" || f.End != "" || len(f.Modalities) > 0 ||
		len(f.Origins) > 0 || len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 || f.MinSources > 1 {
		return "", false
	}
	fields, ok := eventsql.TextWords(f)
	if !ok || len(fields) == 0 {
		return "", false // punctuation alone matches nothing: the general count says so
	}
	return strings.Join(append([]string{ftsQuery(fields, terms)}, ftsKeys(f)...), " AND "), true
}

// ftsKeys are the FTS5 terms of f's country and event types: the index
// keeps each event's as a token of its own (migration 0030), the letter c
// or t and the value's bytes in hexadecimal, which the tokenizer keeps
// whole and which tell codes of another case apart, as the filter does.
func ftsKeys(f geo.Filter) []string {
	var keys []string
	if f.Country != "" {
		keys = append(keys, `"c`+hex.EncodeToString([]byte(f.Country))+`"`)
	}
	if len(f.Types) > 0 {
		types := make([]string, len(f.Types))
		for i, t := range f.Types {
			types[i] = `"t` + hex.EncodeToString([]byte(t)) + `"`
		}
		keys = append(keys, "("+strings.Join(types, " OR ")+")")
	}
	return keys
}

// exactTerms looks up the words of f that start one stored word of their
// field alone (eventsql.ExactTerms), and the stored words of those that
// start a few (at most maxTermList; termListSQL), in q's snapshot.
func exactTerms(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter) (*eventsql.Terms, error) {
	t, err := eventsql.ExactTerms(sqliteSQL, f, func(stmt string, args ...any) eventsql.Scanner { return q.QueryRowContext(ctx, stmt, args...) })
	if err != nil {
		return nil, err
	}
	fields, _ := eventsql.TextWords(f)
	for _, fw := range fields {
		for _, w := range fw.Words {
			if _, ok := t.Term(fw.Field, w); ok {
				continue
			}
			var list string
			if err := q.QueryRowContext(ctx, termListSQL, fw.Field, w, w+"\U0010FFFF", maxTermList+1).Scan(&list); err != nil {
				return nil, err
			}
			var words []string
			if err := json.Unmarshal([]byte(list), &words); err != nil {
				return nil, err
			}
			if len(words) > 1 && len(words) <= maxTermList {
				t.SetList(fw.Field, w, words)
			}
		}
	}
	return t, nil
}

// maxTermList is how many stored words a word of a filter may start for
// the full-text index to look each of them up (ftsQuery): FTS5 merges the
// lists of a few words as it reads them, where a prefix query first
// collects the lists of every word it starts into one (a million events,
// a prefix of one common word: 46 ms, against 9 for the word itself and
// 29 for two common words' lists merged).
const maxTermList = 32

// termListSQL lists, as a JSON array, the stored words of a field (the
// first argument) from a word (the second) up to the third, at most as
// many as the fourth: each the least one after the last, one descent of
// word_counts' key each rather than a read of every group of them.
const termListSQL = `WITH RECURSIVE t(w, i) AS (
	SELECT (SELECT min(c.word) FROM word_counts c WHERE c.field = ?1 AND c.word >= ?2 AND c.word < ?3), 1
	UNION ALL
	SELECT (SELECT min(c.word) FROM word_counts c WHERE c.field = ?1 AND c.word > t.w AND c.word < ?3), t.i + 1
	FROM t WHERE t.w IS NOT NULL AND t.i < ?4)
SELECT json_group_array(w) FROM t WHERE w IS NOT NULL`

// wordCounts returns, when the kept word counts answer f's count and
// stats (eventsql.WordCountsWord, eventsql.OneTerm), the condition on
// word_counts that selects its groups.
func wordCounts(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter) (*eventsql.Query, bool, error) {
	field, word, ok := eventsql.WordCountsWord(f)
	if !ok {
		return nil, false, nil
	}
	term, ok, err := eventsql.OneTerm(q.QueryRowContext(ctx, eventsql.TermSQL(sqliteSQL), field, word), word)
	if err != nil || !ok {
		return nil, false, err
	}
	return eventsql.WordCounts(sqliteSQL, f, field, term), true, nil
}

// insertEvent writes an event from insertArgs.
var insertEvent = eventsql.Insert(sqliteSQL, eventsql.InsertSpec{
	PointCols:  []string{"lon", "lat"},
	PointValue: func(lon, lat string) string { return lon + ", " + lat },
	Extra:      []string{"actors_words", "quote_words"},
})

// insertArgs are the arguments of insertEvent: eventsql.Values and the
// distinct words of the actors and of the quote, which the triggers of
// word_counts count.
func insertArgs(e geo.Event) []any {
	return insertArgsWords(e, distinctWords(e.Actor1+"\n"+e.Actor2), distinctWords(e.Quote))
}

// insertArgsWords is insertArgs with the words split already.
func insertArgsWords(e geo.Event, actors, quote []string) []any {
	return appendArgsWords(nil, e, actors, quote)
}

// appendArgsWords appends insertArgsWords' values to dst.
func appendArgsWords(dst []any, e geo.Event, actors, quote []string) []any {
	return append(eventsql.AppendValues(dst, e), wordsJSON(actors), wordsJSON(quote))
}

// distinctWords are the words of s (geo.Words), each once, in order.
func distinctWords(s string) []string {
	w := geo.Words(s)
	slices.Sort(w)
	return slices.Compact(w)
}

// wordsJSON is words as a JSON array, which the triggers read with
// json_each. A word holds letters, digits and private-use characters alone
// (geo.Words), which JSON strings hold as they are.
func wordsJSON(words []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, w := range words {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(w)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

// Ingest stores the article with its text and replaces all of its events,
// bumping the data version, in one transaction that is on disk when Ingest
// returns. It returns the stored article without re-reading its text.
func (s *Store) Ingest(ctx context.Context, a geo.Article, events []geo.Event) (geo.Article, error) {
	events, err := geo.CheckIngest(a, events)
	if err != nil {
		return geo.Article{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.ingest(ctx, a, events, now); err != nil {
		return geo.Article{}, fmt.Errorf("sqlite store: ingest %s: %w", a.ID, err)
	}
	a.IngestedAt = now
	a.Events = len(events)
	return a, nil
}

func (s *Store) ingest(ctx context.Context, a geo.Article, events []geo.Event, now time.Time) error {
	tx, err := s.writer.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock now
	if err != nil {
		return err
	}
	defer tx.Rollback()
	span := 0
	for _, e := range events {
		if e.EventDateEnd != "" {
			start, _ := time.Parse(geo.DateLayout, e.EventDate)
			end, _ := time.Parse(geo.DateLayout, e.EventDateEnd)
			span = max(span, int(end.Sub(start).Hours()/24))
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = max(value, ?) WHERE key = 'max_span_days'", span); err != nil {
		return err
	}
	var version int64
	err = tx.QueryRowContext(ctx,
		"UPDATE meta SET value = max(value + 1, ?) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version, published_estimated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, url = excluded.url, published = excluded.published,
			text = excluded.text, ingested_at = excluded.ingested_at, ingest_version = excluded.ingest_version,
			origin = 'extracted', published_estimated = excluded.published_estimated`,
		a.ID, a.Title, a.URL, a.Published, a.Text, now.UnixMicro(), version, a.PublishedEstimated)
	if err != nil {
		return err
	}
	if err := s.remerge(ctx, tx, a.ID, events, version); err != nil {
		return err
	}
	return tx.Commit()
}

// rtreeMaxArea is the largest box, in square degrees, that queries look up
// in the R*Tree: an eighth of the world. A larger box matches so many events
// that fetching each candidate row by id and sorting them costs more than
// walking the date-ordered index and checking lon and lat, which stops as
// soon as a page is full (BENCHMARKS.md, "Store").
const rtreeMaxArea = 360 * 180 / 8

func useRtree(b geo.BBox) bool {
	width := b.East - b.West
	if b.West > b.East {
		width += 360
	}
	return width*(b.North-b.South) <= rtreeMaxArea
}

// where returns the condition on the events table e that selects f.
func where(f geo.Filter) *eventsql.Query { return eventsql.Filter(sqliteSQL, f) }

// defaultDenseBox is how many events a box holds, at least, for the store to
// count and group them through the covering index events_by_point rather
// than the R*Tree: fetching each R*Tree hit's row costs about 100 times
// reading the index's entry (a box of 300,000 events in a million: 4 s
// against 80 ms), while for a few hundred events the R*Tree's exact hit
// list beats scanning a strip of the index as wide as the box.
const defaultDenseBox = 5000

// dialectFor returns the dialect for f's queries: when f's box holds at
// least s.denseBox events (an R*Tree probe that stops there), the box is not
// looked up in the R*Tree.
func (s *Store) dialectFor(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter) (dialect, error) {
	d := sqliteSQL
	if f.BBox == nil || !useRtree(*f.BBox) {
		return d, nil
	}
	b := *f.BBox
	probe := "SELECT count(*) FROM (SELECT 1 FROM events_rtree WHERE min_lat <= ? AND max_lat >= ? AND "
	args := []any{b.North, b.South}
	if b.West <= b.East {
		probe += "min_lon <= ? AND max_lon >= ?"
		args = append(args, b.East, b.West)
	} else {
		probe += "(max_lon >= ? OR min_lon <= ?)"
		args = append(args, b.West, b.East)
	}
	var n int
	if err := q.QueryRowContext(ctx, probe+" LIMIT "+strconv.Itoa(s.denseBox)+")", args...).Scan(&n); err != nil {
		return d, err
	}
	if n >= s.denseBox {
		d.rtree = func(geo.BBox) bool { return false }
	}
	return d, nil
}

// whereRtree is where with the choice of looking f's bbox up in the R*Tree
// made by the caller.
func whereRtree(f geo.Filter, rtree bool) *eventsql.Query {
	return eventsql.Filter(dialect{rtree: func(geo.BBox) bool { return rtree }}, f)
}

// Events returns one page of the events that match f, newest event_date
// first (undated last), then by id, and how many match in all. Both come
// from one snapshot of the file.
func (s *Store) Events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	page, err := s.events(ctx, f)
	if err != nil {
		return geo.EventPage{}, fmt.Errorf("sqlite store: events: %w", err)
	}
	return page, nil
}

func (s *Store) events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	return s.page(ctx, f, nil)
}

// defaultWalkAt is how many matches, per event of the page, make a page walk the
// date index in list order (dialect.walk) rather than collect and sort
// every match: with a twentieth of the events matching or more, the walk
// reads about 20 rows per event of the page.
const defaultWalkAt = 20

// page answers f's Limit and Offset, or, when f.After is set, the page
// after it (uncounted). A benchmark may force the condition q; when nil,
// the store plans it: a box dense in events is not looked up in the R*Tree
// (dialectFor), and a page with a box or words that many events match
// walks the date index (s.walkAt).
func (s *Store) page(ctx context.Context, f geo.Filter, q *eventsql.Query) (geo.EventPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = geo.DefaultLimit
	}
	limit = min(limit, geo.MaxLimit)
	pool := s.reader
	if f.After != nil {
		pool = s.unmapped
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return geo.EventPage{}, err
	}
	defer tx.Rollback()
	if q == nil {
		if f, err = reduced(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		}
	}
	d := sqliteSQL
	if q == nil && f.After == nil && f.BBox != nil {
		if p, field, term, ok, err := wordCellPlan(ctx, tx, f, eventsql.WordCellLevel); err != nil {
			return geo.EventPage{}, err
		} else if ok {
			n, err := s.wordCellCount(ctx, tx, p, f, field, term)
			if err != nil {
				return geo.EventPage{}, err
			}
			return s.wordCellPage(ctx, tx, f, n, limit)
		}
		if n, ok, err := s.wordWeekCellCount(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		} else if ok {
			return s.wordCellPage(ctx, tx, f, n, limit)
		}
	}
	if q == nil && f.After == nil {
		if whole, edges, ok, err := s.wordWeeks(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		} else if ok {
			return s.weekPage(ctx, tx, f, whole, edges, limit)
		}
	}
	if q == nil && f.After == nil {
		if page, ok, err := s.ftsPage(ctx, tx, f, limit); err != nil || ok {
			return page, err
		}
	}
	if q == nil {
		if idx, ok, err := s.wordWalk(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		} else if ok {
			return s.walkPage(ctx, tx, f, idx, limit)
		}
		if ok, err := s.subTypeReads(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		} else if ok && (f.After == nil || len(f.SubTypes) == 1) {
			// The page after a key of several types: the list order's.
			return s.subTypePage(ctx, tx, f, limit)
		}
		if d, err = s.dialectFor(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		}
		if d.terms, err = exactTerms(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		}
		q = eventsql.Filter(d, f)
	}
	page := geo.EventPage{Events: []geo.Event{}}
	if f.After != nil {
		page.Matched = -1
		for _, q := range eventsql.Keyset(d, f) {
			if len(page.Events) >= limit {
				break
			}
			if page.Events, err = s.read(ctx, tx, q, limit-len(page.Events), 0, page.Events); err != nil {
				return geo.EventPage{}, err
			}
		}
		return page, attach(ctx, tx, page.Events)
	}
	if page.Matched, err = s.count(ctx, tx, f, q, d.terms); err != nil {
		return geo.EventPage{}, err
	}
	if page.Matched <= f.Offset {
		return page, nil
	}
	page.Events = make([]geo.Event, 0, min(limit, page.Matched-max(f.Offset, 0)))
	// A page nearer the list's end is walked from there (walkSeqs): the
	// walk reads the page and the events after it.
	offset := max(f.Offset, 0)
	through := min(limit+offset, page.Matched-offset)
	walk := walks(f) && page.Matched >= s.walkAt*through
	deep := false
	if !walk && walks(f) {
		// Far into many matches (words alone, or a box of 300,000 events
		// from 100,000: its matches read and sorted in 6-10 s).
		if walk, err = wordsPageWalks(ctx, tx, page.Matched, through); err != nil {
			return geo.EventPage{}, err
		}
		deep = walk
	}
	if walk {
		d.walk = true
		d.words = wordsWalk(f)
		q = walkFilter(d, f)
		if d.words || deep || through < limit+offset {
			if page.Events, err = readWalk(ctx, tx, q, "", limit, offset, page.Matched, page.Events); err != nil {
				return geo.EventPage{}, err
			}
			return page, attach(ctx, tx, page.Events)
		}
	}
	if page.Events, err = s.read(ctx, tx, q, limit, max(f.Offset, 0), page.Events); err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}

// wordCellPage answers f's page (Store.page), one word with a box, of
// which matched events match, counted from the kept counts per word and
// cell (wordCellCount, wordWeekCellCount) and the events of the box's
// edges: the page walked on events_words_walk (the box, the dates and the
// words tested on its entries) when many match, else read as any page.
func (s *Store) wordCellPage(ctx context.Context, tx *sql.Tx, f geo.Filter, matched, limit int) (geo.EventPage, error) {
	page := geo.EventPage{Events: []geo.Event{}, Matched: matched}
	var err error
	offset := max(f.Offset, 0)
	if page.Matched <= offset {
		return page, nil
	}
	page.Events = make([]geo.Event, 0, min(limit, page.Matched-offset))
	var (
		idx  string
		walk bool
	)
	if page.Matched < s.walkAt*(limit+offset) {
		// Few of the list's events match: a type's walk index may still
		// hold them closer together (wordWalk), else they are read from
		// the full-text index's matches.
		if idx, walk, err = s.wordWalk(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		}
	} else {
		idx, walk = "events_words_walk", true
	}
	if walk {
		page.Events, err = readWalk(ctx, tx, eventsql.Filter(walkDialect, f), idx, limit, offset, page.Matched, page.Events)
	} else {
		var d dialect
		if d, err = s.dialectFor(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		}
		page.Events, err = s.read(ctx, tx, eventsql.Filter(d, f), limit, offset, page.Events)
	}
	if err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}

// walks reports whether f's page walks the list order when many events
// match (Store.page): with a box, words, sub-event types or a precision,
// which no index it could read instead holds in list order (one sub-event
// type without words reads events_by_sub_type: subTypeWalk).
func walks(f geo.Filter) bool {
	return f.BBox != nil || f.Actor != "" || f.Q != "" || len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0
}

// walkFilter is the condition of a walk of f's page in d (d.walk): the
// sub-event types kept off events_by_sub_type by a unary plus, since
// SQLite would read every event of each type from it and sort them rather
// than walk the list order.
func walkFilter(d dialect, f geo.Filter) *eventsql.Query {
	if len(f.SubTypes) == 0 {
		return eventsql.Filter(d, f)
	}
	g := f
	g.SubTypes = nil
	q := eventsql.Filter(d, g)
	q.In("+e.sub_event_type", f.SubTypes)
	return q
}

// subTypeWalk reports whether f's page, and its count and stats when the
// kept counts do not answer them (a box, a source count), read the index
// events_by_sub_type (migration 0018): f names one sub-event type and no
// words. The index lists the type's events in list order with their
// country, precision and point, so that a page reads the rows of its own
// events alone, whether few events have the type or many, and with a
// country (200 ms of CPU for the UA page of a type of 20,000 events walking
// the country's index) or a box (a count of a type in a box of 300,000
// events: 2 s through the box's rows, 7 ms through the type's entries).
func subTypeWalk(f geo.Filter) bool {
	return len(f.SubTypes) == 1 && strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == ""
}

// subTypeReads reports whether f's page, count and stats read the index
// events_by_sub_type as subTypeWalk's do, for one sub-event type or
// several (Store.subTypePage): f names sub-event types, and no words, or
// words that more events have than s.wordWalkAt times fewer than the
// types (the rarest word's, word_counts; the types', detail_counts),
// whose entries then cost less than the full-text index's matches of the
// words read row by row. Since migration 0019 the index holds every field
// and the words, so that the count and the stats of several types, with
// words too, read their entries alone (a type with a word that a quarter
// of the events have: 250 -> 30 ms of CPU for its page).
func (s *Store) subTypeReads(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, f geo.Filter) (bool, error) {
	if len(f.SubTypes) == 0 {
		return false, nil
	}
	if strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == "" {
		return true, nil
	}
	rarest, err := rarestWord(ctx, q, f)
	if err != nil || rarest <= 0 {
		return false, err // no such word, or punctuation alone: the full-text index says so at once
	}
	c, _, _ := eventsql.PlanDetail(sqliteSQL, geo.Filter{SubTypes: f.SubTypes})
	var typed int64
	if err := q.QueryRowContext(ctx, eventsql.DetailCountSQL(c), c.Args...).Scan(&typed); err != nil {
		return false, err
	}
	return typed < int64(s.wordWalkAt)*rarest, nil
}

// subTypeDialectFor is the dialect of f's conditions on the entries of
// events_by_sub_type: subTypeDialect, with the words tested on the
// entries' copy of them (walkDialect) when f has words.
func subTypeDialectFor(f geo.Filter) dialect {
	if strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != "" {
		return walkDialect
	}
	return subTypeDialect
}

// subTypeDialect tests f's conditions on the entries of events_by_sub_type:
// no R*Tree, whose matches would be looked up for every entry, and the
// dates as a range of the index (dialect.Dates).
var subTypeDialect = dialect{rtree: func(geo.BBox) bool { return false }, walk: true}

// subTypePage answers f's page (Store.page) from events_by_sub_type
// (subTypeWalk): the count from the kept counts when they answer it, else
// from the index; the page's events found by their seq in list order, then
// their rows.
func (s *Store) subTypePage(ctx context.Context, tx *sql.Tx, f geo.Filter, limit int) (geo.EventPage, error) {
	const idx = "events_by_sub_type"
	page := geo.EventPage{Events: []geo.Event{}}
	d := subTypeDialectFor(f)
	var err error
	if f.After != nil {
		page.Matched = -1
		for _, q := range eventsql.Keyset(d, f) {
			if len(page.Events) >= limit {
				break
			}
			if page.Events, err = readWalk(ctx, tx, q, idx, limit-len(page.Events), 0, -1, page.Events); err != nil {
				return geo.EventPage{}, err
			}
		}
		return page, attach(ctx, tx, page.Events)
	}
	q := eventsql.Filter(d, f)
	counted := false
	if c, strips, ok := eventsql.PlanDetail(sqliteSQL, f); ok {
		page.Matched, err = s.detailCount(ctx, tx, f, c, strips)
		counted = true
	} else {
		// A box's count from its cells of cell_details and its edges, as
		// Store.count counts it: two types in a box of 3 by 2 degrees
		// of the million, 33,478 events, in 14-20 ms instead of the
		// 30-46 their index entries took.
		page.Matched, counted, err = s.detailBoxCount(ctx, tx, f)
	}
	offset := max(f.Offset, 0)
	if err == nil && !counted {
		countFrom := func(ctx context.Context, tx *sql.Tx) (n int, err error) {
			err = tx.QueryRowContext(ctx, indexed(eventsql.CountSQL(q), idx), q.Args...).Scan(&n)
			return n, err
		}
		if offset == 0 && len(f.SubTypes) == 1 {
			// The first page of one type is walked forwards whatever the
			// count, which reads every match: it runs on a connection of
			// its own meanwhile (a type and a word: 12 ms each, 24 in
			// turn).
			aside, cancel := s.countAside(ctx, countFrom)
			defer cancel()
			if page.Events, err = readWalk(ctx, tx, q, idx, limit, 0, -1, page.Events); err != nil {
				return geo.EventPage{}, err
			}
			if page.Matched, err = asideResult(ctx, tx, aside, countFrom); err != nil {
				return geo.EventPage{}, err
			}
			return page, attach(ctx, tx, page.Events)
		}
		page.Matched, err = countFrom(ctx, tx)
	}
	if err != nil {
		return geo.EventPage{}, err
	}
	if page.Matched <= offset {
		return page, nil
	}
	page.Events = make([]geo.Event, 0, min(limit, page.Matched-offset))
	if len(f.SubTypes) > 1 {
		if walk, err := s.subTypesWalk(ctx, tx, f, page.Matched, limit+offset); err != nil {
			return geo.EventPage{}, err
		} else if !walk {
			// The list order walked, testing each row's type (Store.page).
			d, err := s.dialectFor(ctx, tx, f)
			if err != nil {
				return geo.EventPage{}, err
			}
			d.walk = true
			if page.Events, err = s.read(ctx, tx, walkFilter(d, f), limit, offset, page.Events); err != nil {
				return geo.EventPage{}, err
			}
			return page, attach(ctx, tx, page.Events)
		}
		stmt, args := eventsql.SubTypeWalkSQL(d, f, []string{"e.seq"}, "events e INDEXED BY "+idx, limit, offset)
		seqs, err := readSeqs(ctx, tx, stmt, args, limit)
		if err != nil || seqs == nil {
			return page, err
		}
		p := eventsql.NewQuery(sqliteSQL)
		p.Add("e.seq IN (SELECT value FROM json_each(" + p.Arg(string(seqs)) + "))")
		if page.Events, err = readAll(ctx, tx, p, page.Events); err != nil {
			return geo.EventPage{}, err
		}
		return page, attach(ctx, tx, page.Events)
	}
	if page.Events, err = readWalk(ctx, tx, q, idx, limit, offset, page.Matched, page.Events); err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}

// subTypesWalk reports whether the page of f, which names several
// sub-event types and matched events in all, is read by walking each
// type's entries in events_by_sub_type (eventsql.SubTypeWalkSQL) up to
// the upto-th of the page, rather than the list order (Store.page). The
// types' walks read at most upto entries each. Fewer than s.walkAt
// matches per event of the page would not walk the list order but read
// and sort every match; more would read about upto rows for each matched
// event they pass, of all the events (the largest seq bounds them, deleted
// rows aside), a row costing about ten entries. Two types that a ninth of
// a million events have: 2,000 entries against 9,000 rows for a page of
// 1,000, and 12,000 entries against 54,000 rows from offset 5,000.
func (s *Store) subTypesWalk(ctx context.Context, tx *sql.Tx, f geo.Filter, matched, upto int) (bool, error) {
	if matched < s.walkAt*upto {
		return true, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM events").Scan(&n); err != nil {
		return false, err
	}
	return len(f.SubTypes)*matched <= s.rowEntries*n, nil
}

// defaultRowEntries is how many index entries reading an event's row
// costs, about (Store.subTypesWalk).
const defaultRowEntries = 10

// readSeqs reads the seqs of the rows of stmt (of eventsql.SubTypeWalkSQL:
// event_date, id, seq), at most limit, as a JSON array (nil when none).
func readSeqs(ctx context.Context, tx *sql.Tx, stmt string, args []any, limit int) ([]byte, error) {
	rows, err := tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seqs := make([]byte, 0, 12*limit+2)
	seqs = append(seqs, '[')
	n := 0
	for rows.Next() {
		var (
			date sql.NullString
			id   string
			seq  int64
		)
		if err := rows.Scan(&date, &id, &seq); err != nil {
			return nil, err
		}
		if n > 0 {
			seqs = append(seqs, ',')
		}
		n++
		seqs = strconv.AppendInt(seqs, seq, 10)
	}
	if err := rows.Err(); err != nil || n == 0 {
		return nil, err
	}
	return append(seqs, ']'), nil
}

// wordsWalk reports whether a walk of f's page tests its words on the
// index events_words_walk: when f has words and no other condition, so
// that the walk reads that index alone. Otherwise the walk
// reads another index (a country's, a type's) in list order, and testing
// each entry's seq against the full-text index's matches, before reading
// its row, costs less than reading the row to test its words (a page of
// 1,000 events of a country with two words: 83-93 ms against 133-215 ms).
func wordsWalk(f geo.Filter) bool {
	return (f.Actor != "" || f.Q != "") && f.BBox == nil && f.Start == "" && f.End == "" && len(f.Types) == 0 && len(f.Modalities) == 0 && f.Country == "" &&
		len(f.Origins) == 0 && len(f.SubTypes) == 0 && len(f.GeoPrecisions) == 0 && f.MinSources <= 1
}

// readWalk is read for a walking condition q with words, through the
// index idx when set (else the planner's choice): the page's
// events are found first, by their seq alone, so that a walk of the date
// order whose other conditions are on the date index too reads the
// covering index events_words_walk and no row that does not match (a word
// in a tenth of the events: 10,000 rows read for a page of 1,000, 90 ms,
// against 10 ms for the index's entries); then the page's rows are read.
// matched is how many events q holds, or -1 when unknown (walkSeqs).
func readWalk(ctx context.Context, tx *sql.Tx, q *eventsql.Query, idx string, limit, offset, matched int, events []geo.Event) ([]geo.Event, error) {
	seqs, _, _, err := walkSeqs(ctx, tx, q, idx, limit, offset, matched)
	if err != nil || seqs == nil {
		return events, err
	}
	page := eventsql.NewQuery(sqliteSQL)
	page.Add("e.seq IN (SELECT value FROM json_each(" + page.Arg(string(seqs)) + "))")
	return readAll(ctx, tx, page, events)
}

// walkSeqs walks readWalk's page: the seqs of its events as a JSON array
// (nil when none), how many, and the list place of the last. When q holds
// matched events (not -1) and fewer of them follow the page than precede
// it, the walk starts from the list's end, backwards, and reads the fewer
// entries (a word and three months, 26,594 events of a million, the page
// from 25,000: 24 ms instead of 53-65).
func walkSeqs(ctx context.Context, tx *sql.Tx, q *eventsql.Query, idx string, limit, offset, matched int) ([]byte, int, geo.EventKey, error) {
	order := eventsql.Order
	if after := matched - offset - limit; matched >= 0 && offset > 0 && after < offset {
		if after < 0 {
			limit, after = limit+after, 0
		}
		if limit <= 0 {
			return nil, 0, geo.EventKey{}, nil
		}
		order, offset = eventsql.ReverseOrder, after
	}
	args := append(q.Args[:len(q.Args):len(q.Args)], limit, offset)
	stmt := "SELECT e.seq, e.event_date, e.id FROM events e WHERE " + q.Where() + " ORDER BY " + order + " LIMIT ? OFFSET ?"
	if idx != "" {
		stmt = indexed(stmt, idx)
	}
	rows, err := tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, 0, geo.EventKey{}, err
	}
	defer rows.Close()
	seqs := make([]byte, 0, 12*limit+2)
	seqs = append(seqs, '[')
	n := 0
	var last, key geo.EventKey
	for rows.Next() {
		var seq int64
		var date sql.NullString
		if err := rows.Scan(&seq, &date, &key.ID); err != nil {
			return nil, 0, geo.EventKey{}, err
		}
		// Backwards, the page's last event is the first read.
		if key.Date = date.String; order == eventsql.Order || n == 0 {
			last = key
		}
		if n > 0 {
			seqs = append(seqs, ',')
		}
		n++
		seqs = strconv.AppendInt(seqs, seq, 10)
	}
	if err := rows.Err(); err != nil || n == 0 {
		return nil, 0, geo.EventKey{}, err
	}
	return append(seqs, ']'), n, last, nil
}

// readAll appends to events every event under q, in list order.
func readAll(ctx context.Context, tx *sql.Tx, q *eventsql.Query, events []geo.Event) ([]geo.Event, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+eventsql.Columns(sqliteSQL)+" FROM events e WHERE "+q.Where()+" ORDER BY "+eventsql.Order, q.Args...)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows, events)
}

// scanEvents appends to events every event of rows and closes them.
func scanEvents(rows *sql.Rows, events []geo.Event) ([]geo.Event, error) {
	defer rows.Close()
	for rows.Next() {
		e, err := eventsql.Scan(rows)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, rows.Err()
}

// count counts the events of f (whose condition is q, with the stored
// words of terms) by the cheapest way that answers it: the full-text index
// for words alone, the kept counts for
// the fields they group by, the kept cells for a box (with such fields),
// else the events.
func (s *Store) count(ctx context.Context, tx *sql.Tx, f geo.Filter, q *eventsql.Query, terms *eventsql.Terms) (int, error) {
	count, args := eventsql.CountSQL(q), q.Args
	if whole, edges, ok, err := s.wordWeeks(ctx, tx, f); err != nil {
		return 0, err
	} else if ok {
		return weekCount(ctx, tx, whole, edges)
	}
	if c, ok, err := wordCounts(ctx, tx, f); err != nil {
		return 0, err
	} else if ok {
		count, args = eventsql.WordCountsCountSQL(c), c.Args
	} else if m, ok := ftsCount(f, terms); ok {
		count, args = "SELECT count(*) FROM events_fts WHERE events_fts MATCH ?", []any{m}
	} else if eventsql.DatesAlone(f) {
		d, err := s.spansIn(ctx, tx)
		if err != nil {
			return 0, err
		}
		return int(d.Count(f.Start, f.End)), nil
	} else if c, cargs, ok, err := countryCount(ctx, tx, f); err != nil {
		return 0, err
	} else if ok {
		count, args = c, cargs
	} else if eventsql.CountsUsable(f) {
		c := eventsql.Counts(sqliteSQL, f)
		count, args = eventsql.CountsCountSQL(c), c.Args
	} else if c, strips, ok := eventsql.PlanDetail(sqliteSQL, f); ok {
		return s.detailCount(ctx, tx, f, c, strips)
	} else if n, ok, err := s.detailBoxCount(ctx, tx, f); err != nil || ok {
		return n, err
	} else if p, ok, err := planBox(ctx, tx, f, false); err != nil {
		return 0, err
	} else if ok {
		return s.cellCount(ctx, tx, p, f)
	}
	var n int
	err := tx.QueryRowContext(ctx, count, args...).Scan(&n)
	return n, err
}

// read appends to events the events under q in list order, limit of them
// from offset.
func (s *Store) read(ctx context.Context, tx *sql.Tx, q *eventsql.Query, limit, offset int, events []geo.Event) ([]geo.Event, error) {
	stmt := eventsql.PageSQL(sqliteSQL, q, limit, offset)
	rows, err := tx.QueryContext(ctx, stmt, q.Args...)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows, events)
}

// Event returns the event with the given id.
func (s *Store) Event(ctx context.Context, id string) (geo.Event, error) {
	e, err := eventsql.Scan(s.reader.QueryRowContext(ctx, "SELECT "+eventsql.Columns(sqliteSQL)+" FROM events e WHERE e.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return geo.Event{}, geo.Errorf(geo.ENOTFOUND, "no event %s", id)
	}
	if err != nil {
		return geo.Event{}, fmt.Errorf("sqlite store: event %s: %w", id, err)
	}
	one := []geo.Event{e}
	if err := attach(ctx, s.reader, one); err != nil {
		return geo.Event{}, fmt.Errorf("sqlite store: event %s: %w", id, err)
	}
	return one[0], nil
}

// Stats counts the events that match f, ignoring its Limit and Offset, by
// event type, by country code and by the Monday of event_date's week.
func (s *Store) Stats(ctx context.Context, f geo.Filter) (geo.Stats, error) {
	st, err := s.stats(ctx, f)
	if err != nil {
		return geo.Stats{}, fmt.Errorf("sqlite store: stats: %w", err)
	}
	return st, nil
}

func (s *Store) stats(ctx context.Context, f geo.Filter) (geo.Stats, error) {
	f, err := reduced(ctx, s.reader, f)
	if err != nil {
		return geo.Stats{}, err
	}
	if st, ok, err := s.wordStats(ctx, f); err != nil || ok {
		return st, err
	}
	if st, ok, err := s.wordBoxStats(ctx, f); err != nil || ok {
		return st, err
	}
	if st, ok, err := s.wordWeekStats(ctx, f); err != nil || ok {
		return st, err
	}
	if idx, ok, err := s.wordWalk(ctx, s.reader, f); err != nil {
		return geo.Stats{}, err
	} else if ok {
		return s.pieceStats(ctx, f, walkDialect, idx)
	}
	if c, strips, ok := eventsql.PlanDetail(sqliteSQL, f); ok {
		return detailStats(ctx, s.reader, f, c, strips)
	}
	if st, ok, err := s.detailBoxStats(ctx, f); err != nil || ok {
		return st, err
	}
	if ok, err := s.subTypeReads(ctx, s.reader, f); err != nil {
		return geo.Stats{}, err
	} else if ok {
		d := subTypeDialectFor(f)
		q := eventsql.Filter(d, f)
		rows, err := s.reader.QueryContext(ctx, indexed(eventsql.StatsSQL(d, q), "events_by_sub_type"), q.Args...)
		if err != nil {
			return geo.Stats{}, err
		}
		defer rows.Close()
		return eventsql.Tally(rows)
	}
	if p, ok, err := planBox(ctx, s.reader, f, true); err != nil {
		return geo.Stats{}, err
	} else if ok {
		return s.cellStats(ctx, s.reader, p, f)
	}
	// The stored words that f's words start and the events are read in
	// one snapshot, so that an event stored in between with another word
	// that starts one of f's is not missed.
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return geo.Stats{}, err
	}
	defer tx.Rollback()
	d, err := s.dialectFor(ctx, tx, f)
	if err != nil {
		return geo.Stats{}, err
	}
	if d.terms, err = exactTerms(ctx, tx, f); err != nil {
		return geo.Stats{}, err
	}
	q := eventsql.Filter(d, f)
	stmt := eventsql.StatsSQL(d, q)
	if _, ok := ftsCount(f, d.terms); ok {
		// The matches' fields from their narrow index (migration 0035),
		// which the planner does not pick over the rows by itself.
		stmt = indexed(stmt, "events_by_seq")
	}
	if eventsql.CountsUsable(f) {
		q = eventsql.Counts(sqliteSQL, f)
		stmt = eventsql.CountsStatsSQL(q)
	}
	rows, err := tx.QueryContext(ctx, stmt, q.Args...)
	if err != nil {
		return geo.Stats{}, err
	}
	defer rows.Close()
	return eventsql.Tally(rows)
}

// wordStats answers f's stats from the kept word counts when they can
// (wordCounts), the word and its counts from one snapshot.
func (s *Store) wordStats(ctx context.Context, f geo.Filter) (geo.Stats, bool, error) {
	if _, _, ok := eventsql.WordCountsWord(f); !ok {
		return geo.Stats{}, false, nil
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return geo.Stats{}, false, err
	}
	defer tx.Rollback()
	c, ok, err := wordCounts(ctx, tx, f)
	if err != nil || !ok {
		return geo.Stats{}, false, err
	}
	rows, err := tx.QueryContext(ctx, eventsql.WordCountsStatsSQL(c), c.Args...)
	if err != nil {
		return geo.Stats{}, false, err
	}
	defer rows.Close()
	st, err := eventsql.Tally(rows)
	return st, err == nil, err
}

// Cells counts the events that match f, ignoring its Limit and Offset, in
// the cells of the density grid at zoom (geo.CellOf), by event type, with
// their fatalities.
func (s *Store) Cells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, error) {
	cells, err := s.cells(ctx, f, zoom)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: cells: %w", err)
	}
	return cells, nil
}

// cells reads the kept cells of a coarse zoom (eventsql.PlanZoom) and the
// events of its box's edges, or else groups every matching event, in one
// snapshot.
func (s *Store) cells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, error) {
	f, err := reduced(ctx, s.reader, f)
	if err != nil {
		return nil, err
	}
	if _, _, ok := eventsql.WordCellsWord(f); ok && zoom <= eventsql.WordFineLevel {
		tx, err := s.reader.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		defer tx.Rollback()
		if p, field, term, ok, err := wordCellPlan(ctx, tx, f, zoom); err != nil {
			return nil, err
		} else if ok {
			return s.wordCellGroups(ctx, tx, p, f, zoom, field, term)
		}
	}
	if cells, ok, err := s.wordWeekCells(ctx, f, zoom); err != nil || ok {
		return cells, err
	}
	if cells, ok, err := s.wordOutsideCells(ctx, f, zoom); err != nil || ok {
		return cells, err
	}
	if cells, ok, err := s.detailCells(ctx, f, zoom); err != nil || ok {
		return cells, err
	}
	if p, ok := eventsql.PlanZoom(sqliteSQL, f, zoom); ok {
		live, err := cellsLive(ctx, s.reader)
		if err != nil {
			return nil, err
		}
		if live {
			return s.cellGroups(ctx, p, f, zoom)
		}
	}
	if cells, ok, err := s.wordWalkCells(ctx, f, zoom); err != nil || ok {
		return cells, err
	}
	if ok, err := s.pointWords(ctx, s.reader, f); err != nil || ok {
		if err != nil {
			return nil, err
		}
		// The box's columns of the index are read apart.
		if f.BBox != nil {
			if cuts := eventsql.BoxCuts(*f.BBox, s.pieces); len(cuts) > 0 {
				return s.pieceCells(ctx, f, cuts, zoom, func(ctx context.Context, q cellQuerier, f geo.Filter) ([]geo.CellRow, error) {
					return pointWordsCells(ctx, q, f, zoom)
				})
			}
		}
		rows, err := pointWordsCells(ctx, s.reader, f, zoom)
		if err != nil {
			return nil, err
		}
		return geo.FoldCells(zoom, rows), nil
	}
	d, err := s.dialectFor(ctx, s.reader, f)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: cells: %w", err)
	}
	boxFirst, err := s.boxFirst(ctx, f)
	if err != nil {
		return nil, err
	}
	var cuts []geo.BBox
	if cut, err := s.boxDrives(ctx, f, boxFirst); err != nil {
		return nil, err
	} else if cut {
		cuts = eventsql.BoxCuts(*f.BBox, s.pieces)
		d.byBox = true
	}
	if len(cuts) > 0 && strings.TrimSpace(f.Q) == "" && strings.TrimSpace(f.Actor) == "" && stripPoints(f, eventsql.Strip{Box: f.BBox}) {
		// The box's entries of events_point_words, which hold the last
		// day, rather than events_by_point's, which read every latitude
		// of the box's longitudes and the row of each event that began
		// before a start.
		d = pointWordsDialect
	}
	read := pointCells(d, boxFirst, zoom)
	if len(cuts) == 0 {
		rows, err := read(ctx, s.reader, f)
		if err != nil {
			return nil, err
		}
		return geo.FoldCells(zoom, rows), nil
	}
	return s.pieceCells(ctx, f, cuts, zoom, read)
}

// boxDrives reports whether the statement that reads f's events for
// their density cells reads them through its box's index, so that the
// boxes of eventsql.BoxCuts read apart: with boxFirst, or when the box is
// f's one indexed condition (eventsql.BoxAlone) beside dates that hold
// more events than boxFirstRatio times the box's bound (else SQLite reads
// the dates' index, and each box would read all of it).
func (s *Store) boxDrives(ctx context.Context, f geo.Filter, boxFirst bool) (bool, error) {
	if boxFirst || !eventsql.BoxAlone(f) || f.BBox.West > f.BBox.East {
		return boxFirst, nil
	}
	if f.Start == "" && f.End == "" {
		return true, nil
	}
	return s.boxUnder(ctx, f, func(ctx context.Context) (int64, error) { return s.datedCount(ctx, f.Start, f.End) })
}

// datedCount counts the dated events that end on or after start and begin
// on or before end (either "" when open), from event_counts added up by
// first and last day, which the store keeps until the data changes
// (eventsql.SpansCache): adding up all of event_counts for each request
// cost the density cells of a hotspot's view since a day 6 ms of their 47.
func (s *Store) datedCount(ctx context.Context, start, end string) (int64, error) {
	d, err := s.datedSpans(ctx)
	if err != nil {
		return 0, err
	}
	return d.Count(start, end), nil
}

// datedCountIn is datedCount in q's snapshot when q is a read
// transaction: its caller holds that connection, and taking another from
// the pool for the spans could wait for the connections that other
// answers hold while they wait too.
func (s *Store) datedCountIn(ctx context.Context, q any, start, end string) (int64, error) {
	tx, ok := q.(*sql.Tx)
	if !ok {
		return s.datedCount(ctx, start, end)
	}
	spans, err := s.spansIn(ctx, tx)
	if err != nil {
		return 0, err
	}
	return spans.Count(start, end), nil
}

// datedSpans returns the dated spans of the data version a new read
// transaction sees, from the store's cache when it holds them.
func (s *Store) datedSpans(ctx context.Context) (*eventsql.DatedSpans, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return s.spansIn(ctx, tx)
}

// spansIn returns the dated spans of tx's snapshot, from the store's
// cache when it holds them.
func (s *Store) spansIn(ctx context.Context, tx *sql.Tx) (*eventsql.DatedSpans, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, versionSQL).Scan(&v); err != nil {
		return nil, err
	}
	if d := s.spans.Get(v); d != nil {
		return d, nil
	}
	d, err := readSpansIn(ctx, tx)
	if err == nil {
		s.spans.Put(d)
	}
	return d, err
}

// readSpansIn reads the dated spans in tx's snapshot.
func readSpansIn(ctx context.Context, tx *sql.Tx) (*eventsql.DatedSpans, error) {
	d := &eventsql.DatedSpans{}
	if err := tx.QueryRowContext(ctx, versionSQL).Scan(&d.Version); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, eventsql.DatedSpansSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var first, last string
		var n int64
		if err := rows.Scan(&first, &last, &n); err != nil {
			return nil, err
		}
		d.Add(first, last, n)
	}
	return d, rows.Err()
}

// cellQuery reads the groups of density cells of the events of f through
// q (Store.pieceCells).
type cellQuery func(ctx context.Context, q cellQuerier, f geo.Filter) ([]geo.CellRow, error)

// pieceCells answers the density cells of f at zoom, read from its
// events by read, in the boxes cuts (eventsql.BoxCuts) at once, each on
// its own connection (atOnce): reading the events costs CPU, and
// one statement uses one (the hotspot's 55,000 events since a day at zoom
// 11). When the pieces' snapshots read different data versions, the box
// is read again in one piece.
func (s *Store) pieceCells(ctx context.Context, f geo.Filter, cuts []geo.BBox, zoom int, read cellQuery) ([]geo.Cell, error) {
	groups := make([][]geo.CellRow, len(cuts))
	same, err := s.atOnce(ctx, len(cuts), func(ctx context.Context, tx *sql.Tx, i int) (err error) {
		pf := f
		pf.BBox = &cuts[i]
		groups[i], err = read(ctx, tx, pf)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !same {
		one, err := read(ctx, s.reader, f)
		if err != nil {
			return nil, err
		}
		return geo.FoldCells(zoom, one), nil
	}
	return geo.FoldCells(zoom, slices.Concat(groups...)), nil
}

// pointCells is the cellQuery of f's events read one by one (pointsSQL)
// and grouped in the program (pointGroups).
func pointCells(d dialect, boxFirst bool, zoom int) cellQuery {
	return func(ctx context.Context, q cellQuerier, f geo.Filter) ([]geo.CellRow, error) {
		groups := newPointGroups(zoom)
		stmt, args := pointsSQL(d, f, boxFirst)
		if err := groups.read(ctx, q, stmt, args); err != nil {
			return nil, err
		}
		return groups.rows(), nil
	}
}

// pointsSQL is the statement that reads the points of f's events for
// their density cells (eventsql.PointsSQL), and its arguments: with
// boxFirst (Store.boxFirst), the types kept off their index; for one
// sub-event type, that type's rows alone (subTypeWalk) rather than every
// event's.
func pointsSQL(d dialect, f geo.Filter, boxFirst bool) (string, []any) {
	if subTypeWalk(f) {
		q := eventsql.Filter(subTypeDialect, f)
		return indexed(eventsql.PointsSQL(subTypeDialect, q), "events_by_sub_type"), q.Args
	}
	q := eventsql.Filter(d, f)
	if boxFirst {
		g := f
		g.Types = nil
		q = eventsql.Filter(d, g)
		q.In("+e.event_type", f.Types)
	}
	return d.indexed(eventsql.PointsSQL(d, q)), q.Args
}

// boxFirstRatio is what an entry of events_type_walk costs, in entries
// of the points' index (events_by_point), when a density count reads one
// or the other: the walk's entries hold the words, and the fatalities
// only in the row. The hotspot's box at zoom 11 with battles since a day:
// the box's 101,006 entries in 45 ms, the battles' 91,647 (and the rows of
// the 9,269 in the box) in 61.
const boxFirstRatio = 2

// boxFirst reports whether f's density cells, read from its events,
// should read the entries of its box rather than those of its event types
// and dates, which SQLite's planner may take for a box and a type between
// dates: when the box holds fewer events (at most eventsql.BoxBoundSQL's
// bound) than boxFirstRatio times the types between the dates
// (event_counts).
func (s *Store) boxFirst(ctx context.Context, f geo.Filter) (bool, error) {
	if f.BBox == nil || f.BBox.West > f.BBox.East || len(f.Types) == 0 || (f.Start == "" && f.End == "") {
		return false, nil
	}
	return s.boxUnder(ctx, f, func(ctx context.Context) (int64, error) {
		return walkKeyCount(ctx, s.reader, f, "events_type_walk")
	})
}

// boxUnder reports whether f's box (not across the antimeridian) holds
// fewer events, at most eventsql.BoxBoundSQL's bound, than
// boxFirstRatio times those that keyed counts, while the kept counts are
// live.
func (s *Store) boxUnder(ctx context.Context, f geo.Filter, keyed func(context.Context) (int64, error)) (bool, error) {
	return boxUnderIn(ctx, s.reader, f, keyed)
}

// boxUnderIn is boxUnder read through q.
func boxUnderIn(ctx context.Context, q cellQuerier, f geo.Filter, keyed func(context.Context) (int64, error)) (bool, error) {
	if live, err := cellsLive(ctx, q); err != nil || !live {
		return false, err
	}
	stmt, args, ok := eventsql.BoxBoundSQL(sqliteSQL, *f.BBox)
	if !ok {
		return false, nil
	}
	var box int64
	if err := q.QueryRowContext(ctx, stmt, args...).Scan(&box); err != nil {
		return false, err
	}
	n, err := keyed(ctx)
	return box < boxFirstRatio*n, err
}

// pointGroups groups the events read by pointsSQL by their density cell
// at zoom and their event type. SQLite's GROUP BY sorts every event by its
// group first: the hotspot's 55,000 events of a start date at zoom 11
// took 152 ms grouped in SQL and 47-65 ms read one by one.
type pointGroups struct {
	zoom   int
	groups map[pointKey]*geo.CellRow
}

type pointKey struct {
	x, y      int
	eventType string
}

func newPointGroups(zoom int) *pointGroups {
	return &pointGroups{zoom: zoom, groups: map[pointKey]*geo.CellRow{}}
}

// read adds the events that stmt reads through q.
func (g *pointGroups) read(ctx context.Context, q cellQuerier, stmt string, args []any) error {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		lon, lat   float64
		eventType  sql.RawBytes
		fatalities int
	)
	for rows.Next() {
		if err := rows.Scan(&lon, &lat, &eventType, &fatalities); err != nil {
			return err
		}
		x, y := geo.CellOf(lon, lat, g.zoom)
		r := g.groups[pointKey{x, y, string(eventType)}]
		if r == nil {
			r = &geo.CellRow{X: x, Y: y, EventType: string(eventType)}
			g.groups[pointKey{x, y, r.EventType}] = r
		}
		r.Count++
		r.Fatalities += fatalities
		r.SumLon += lon
		r.SumLat += lat
	}
	return rows.Err()
}

// rows returns the groups.
func (g *pointGroups) rows() []geo.CellRow {
	list := make([]geo.CellRow, 0, len(g.groups))
	for _, r := range g.groups {
		list = append(list, *r)
	}
	return list
}

// Extent returns the bounding box of all event points, the first
// event_date and the last event_date_end (or event_date).
func (s *Store) Extent(ctx context.Context) (geo.Extent, error) {
	ext, err := eventsql.ScanExtent(s.reader.QueryRowContext(ctx, eventsql.ExtentSQL(sqliteSQL)))
	if err != nil {
		return geo.Extent{}, fmt.Errorf("sqlite store: extent: %w", err)
	}
	return ext, nil
}
