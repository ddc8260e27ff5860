// Package eventsql is the SQL that conflictmap's SQL stores (geo/sqlite,
// geo/postgis) share: the condition that selects a geo.Filter's events, the
// event columns in the order every store reads and writes them, scanning a
// row into a geo.Event, and the statements for a page, a count, the stats
// and the extent. What the databases spell differently (placeholders,
// points, dates, the bounding box and date-overlap tests, text search) is a
// Dialect each store supplies.
//
// It imports no driver: rows are scanned through the Scan method that
// database/sql and pgx rows both have.
package eventsql

import (
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"

	"github.com/paulmach/orb"
)

// Dialect is what one database spells its own way. Methods that add
// conditions write their arguments through q.Arg, so that placeholders are
// numbered in order whatever the dialect.
type Dialect interface {
	// Placeholder is the n-th (1-based) parameter: "?" or "$n".
	Placeholder(n int) string
	// Lon and Lat are the point's coordinates of the events table e, as
	// exact doubles.
	Lon() string
	Lat() string
	// DateText turns a date expression into YYYY-MM-DD text (NULL stays
	// NULL).
	DateText(expr string) string
	// DateValue turns a YYYY-MM-DD text parameter into the type of
	// e.event_date.
	DateValue(ph string) string
	// Week is the Monday (YYYY-MM-DD text) of the week of e.event_date, or
	// '' when undated.
	Week() string
	// Floor is the integer part of a non-negative number expression.
	Floor(expr string) string
	// BBox adds the conditions that select the events of e whose point lies
	// inside b.
	BBox(q *Query, b geo.BBox)
	// Dates adds the conditions that select the dated events of e whose
	// [event_date, event_date_end] range meets [start, end]; an empty bound
	// is open. At least one bound is set.
	Dates(q *Query, start, end string)
	// Words adds the conditions that select the events of e that have, for
	// every word of each of fields (geo.Words of a filter, at least one
	// each), a word starting with it in its field: the store's full-text
	// index answers it. The fields come together, so that a store whose
	// one index holds both (FTS5) intersects their matches in that index
	// rather than each field's in the statement.
	Words(q *Query, fields []FieldWords)
}

// FieldWords are the words of one word filter and the text they search
// (FieldActors or FieldQuote).
type FieldWords struct {
	Field string
	Words []string
}

// The texts the word filters search: actor1 and actor2 (together), and the
// quote. Their case-folded copies (columns actors_folded and quote_folded,
// folded by the program so that both stores fold alike) feed the stores'
// full-text indexes.
const (
	FieldActors = "actors"
	FieldQuote  = "quote"
)

// FieldOf is FieldQuote for the quote, else FieldActors: the kept counts'
// packed keys hold the field as one bit.
func FieldOf(quote bool) string {
	if quote {
		return FieldQuote
	}
	return FieldActors
}

// Query is a condition on the events table e under construction, with its
// arguments.
type Query struct {
	d     Dialect
	conds []string
	Args  []any
}

// NewQuery returns an empty condition in d's spelling.
func NewQuery(d Dialect) *Query { return &Query{d: d} }

// Arg adds a parameter and returns its placeholder.
func (q *Query) Arg(v any) string {
	q.Args = append(q.Args, v)
	return q.d.Placeholder(len(q.Args))
}

// Add adds conditions, all of which must hold.
func (q *Query) Add(conds ...string) { q.conds = append(q.conds, conds...) }

// Where returns the conjunction of the conditions ("1 = 1" when none).
func (q *Query) Where() string {
	if len(q.conds) == 0 {
		return "1 = 1"
	}
	return strings.Join(q.conds, " AND ")
}

// In adds "col is one of vals" unless vals is empty.
func (q *Query) In(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = q.Arg(v)
	}
	q.Add(col + " IN (" + strings.Join(ph, ", ") + ")")
}

// Filter returns the condition on the events table e that selects exactly
// the events f.Match accepts (Limit and Offset aside).
func Filter(d Dialect, f geo.Filter) *Query {
	q := NewQuery(d)
	if f.BBox != nil {
		d.BBox(q, *f.BBox)
	}
	switch {
	case f.Start != "" && f.End != "" && f.Start > f.End:
		q.Add("1 = 0")
	case f.Start != "" || f.End != "":
		d.Dates(q, f.Start, f.End)
	}
	if f.MinSources > 1 {
		// Only merged events have a row in event_sources.
		q.Add("e.id IN (SELECT event_id FROM event_sources WHERE source_count >= " + q.Arg(f.MinSources) + ")")
	}
	q.In("e.event_type", f.Types)
	q.In("e.modality", f.Modalities)
	if f.Country != "" {
		q.Add("e.country_code = " + q.Arg(f.Country))
	}
	q.In("e.origin", f.Origins)
	fieldFilters(q, f)
	words, ok := TextWords(f)
	switch {
	case !ok:
		q.Add("1 = 0") // punctuation alone: geo.Filter.Match matches nothing
	case len(words) > 0:
		d.Words(q, words)
	}
	return q
}

// TextWords returns the words of f's word filters (Actor, Q), each field
// that has any once; not ok when a filter holds punctuation alone, which
// matches nothing.
func TextWords(f geo.Filter) (fields []FieldWords, ok bool) {
	for _, w := range []struct{ field, filter string }{{FieldActors, f.Actor}, {FieldQuote, f.Q}} {
		if strings.TrimSpace(w.filter) == "" {
			continue
		}
		words := geo.Words(w.filter)
		if len(words) == 0 {
			return nil, false
		}
		fields = append(fields, FieldWords{Field: w.field, Words: words})
	}
	return fields, true
}

// fieldFilters adds the filters named like the event's properties
// (sub_event_type, geo_precision).
func fieldFilters(q *Query, f geo.Filter) {
	q.In("e.sub_event_type", f.SubTypes)
	if len(f.GeoPrecisions) > 0 {
		ph := make([]string, len(f.GeoPrecisions))
		for i, v := range f.GeoPrecisions {
			ph[i] = q.Arg(v)
		}
		q.Add("e.geo_precision IN (" + strings.Join(ph, ", ") + ")")
	}
}

// Order is the order events are listed in: newest event_date first, undated
// last, then id (geo.Before).
const Order = "e.event_date DESC NULLS LAST, e.id"

// ReverseOrder is Order backwards, in which an index in Order is read
// from its end: a page nearer the list's end than its start is walked
// from there.
const ReverseOrder = "e.event_date ASC NULLS FIRST, e.id DESC"

// Columns returns the select list of an event of the events table e, in
// the order Scan reads.
func Columns(d Dialect) string {
	return "e.id, e.article_id, " + d.Lon() + ", " + d.Lat() + `, e.bound_west, e.bound_south, e.bound_east, e.bound_north,
	coalesce(` + d.DateText("e.event_date") + `, ''), coalesce(` + d.DateText("e.event_date_end") + `, ''),
	e.time_precision, e.event_type, e.sub_event_type, e.modality,
	e.actor1, e.actor2, e.fatalities, e.location, e.country, e.country_code, e.admin1,
	e.geonameid, e.feature_code, e.geo_precision, e.mention, e.quote, e.confidence,
	e.title, e.source_url, e.published, e.extractor_version, e.origin`
}

// Scanner is a row: *sql.Row, *sql.Rows, pgx.Row and pgx.Rows all are.
type Scanner interface{ Scan(dest ...any) error }

// Scan reads an event from the columns of Columns, after the columns read
// into lead.
func Scan(row Scanner, lead ...any) (geo.Event, error) {
	var (
		e              geo.Event
		bw, bs, be, bn *float64
		fatalities     *int64
		origin         string
	)
	err := row.Scan(append(lead, &e.ID, &e.ArticleID, &e.Point[0], &e.Point[1], &bw, &bs, &be, &bn,
		&e.EventDate, &e.EventDateEnd, &e.TimePrecision, &e.EventType, &e.SubEventType, &e.Modality,
		&e.Actor1, &e.Actor2, &fatalities, &e.Location, &e.Country, &e.CountryCode, &e.Admin1,
		&e.GeonameID, &e.FeatureCode, &e.GeoPrecision, &e.Mention, &e.Quote, &e.Confidence,
		&e.Title, &e.SourceURL, &e.Published, &e.ExtractorVersion, &origin)...)
	if err != nil {
		return geo.Event{}, err
	}
	if origin != geo.OriginExtracted {
		e.Origin = origin
	}
	if bw != nil && bs != nil && be != nil && bn != nil {
		e.Bound = &orb.Bound{Min: orb.Point{*bw, *bs}, Max: orb.Point{*be, *bn}}
	}
	if fatalities != nil {
		n := int(*fatalities)
		e.Fatalities = &n
	}
	return e, nil
}

// WriteColumns are the columns an insert writes, in the order of Values;
// "point" stands for the point column(s), which the store spells.
var WriteColumns = []string{"id", "article_id", "point", "bound_west", "bound_south", "bound_east", "bound_north",
	"event_date", "event_date_end", "time_precision", "event_type", "sub_event_type", "modality",
	"actor1", "actor2", "fatalities", "location", "country", "country_code", "admin1",
	"geonameid", "feature_code", "geo_precision", "mention", "quote", "confidence",
	"title", "source_url", "published", "extractor_version", "actors_folded", "quote_folded", "origin"}

// Values returns the arguments of an insert of e: WriteColumns' values,
// with the point as two values, lon and lat. Unknown dates and fatalities
// and a town's missing bound are NULL.
func Values(e geo.Event) []any {
	return AppendValues(nil, e)
}

// AppendValues appends Values(e) to dst: a bulk import fills one slice of
// every row's values in place instead of copying each row's (a million
// events: about 2 s of CPU in the copies and their allocations).
func AppendValues(dst []any, e geo.Event) []any {
	var bw, bs, be, bn, fatalities any
	if e.Bound != nil {
		bw, bs, be, bn = e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1]
	}
	if e.Fatalities != nil {
		fatalities = *e.Fatalities
	}
	return append(dst,
		e.ID, e.ArticleID, e.Point[0], e.Point[1], bw, bs, be, bn,
		nullString(e.EventDate), nullString(e.EventDateEnd), e.TimePrecision, e.EventType, e.SubEventType, e.Modality,
		e.Actor1, e.Actor2, fatalities, e.Location, e.Country, e.CountryCode, e.Admin1,
		e.GeonameID, e.FeatureCode, e.GeoPrecision, e.Mention, e.Quote, e.Confidence,
		e.Title, e.SourceURL, e.Published, e.ExtractorVersion, ActorsFolded(e), strings.ToLower(e.Quote), e.OriginName(),
	)
}

// ActorsFolded is what the actor filter searches (TextActors).
func ActorsFolded(e geo.Event) string {
	return strings.ToLower(e.Actor1) + "\n" + strings.ToLower(e.Actor2)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// InsertSpec is how a store spells an insert of Values.
type InsertSpec struct {
	// PointCols are the point's columns; PointValue fills them from the
	// lon and lat placeholders.
	PointCols  []string
	PointValue func(lon, lat string) string
	// Extra are columns of the store's own, each filled from one more
	// argument after Values'.
	Extra []string
	// Value, when set, wraps a column's placeholder (a cast).
	Value func(col, ph string) string
}

// Insert returns the statement that writes an event from Values (and the
// spec's extra arguments); an id already stored (under this article or
// another) is overwritten, so the event belongs to the article ingested
// last.
func Insert(d Dialect, spec InsertSpec) string {
	var cols, vals, set []string
	n := 0
	next := func() string { n++; return d.Placeholder(n) }
	for _, c := range append(append([]string{}, WriteColumns...), spec.Extra...) {
		if c == "point" {
			cols = append(cols, spec.PointCols...)
			lon := next()
			vals = append(vals, spec.PointValue(lon, next()))
			for _, pc := range spec.PointCols {
				set = append(set, pc+" = excluded."+pc)
			}
			continue
		}
		cols = append(cols, c)
		ph := next()
		if spec.Value != nil {
			ph = spec.Value(c, ph)
		}
		vals = append(vals, ph)
		if c != "id" {
			set = append(set, c+" = excluded."+c)
		}
	}
	return "INSERT INTO events (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(vals, ", ") +
		") ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

// Keyset returns the conditions, in the order their pages follow, that
// select the events of f listed after f.After (geo.Before): when After is
// dated, first the dated events older than it or of its date with a
// greater id, then every undated event; when undated, the undated events
// with a greater id. Each is a range of the date index, so that a page
// deep in a million events reads only its own rows.
func Keyset(d Dialect, f geo.Filter) []*Query {
	k := *f.After
	undated := Filter(d, f)
	undated.Add("e.event_date IS NULL")
	if k.Date == "" {
		undated.Add("e.id > " + undated.Arg(k.ID))
		return []*Query{undated}
	}
	dated := Filter(d, f)
	date := d.DateValue(dated.Arg(k.Date))
	dated.Add("e.event_date <= "+date, "(e.event_date < "+d.DateValue(dated.Arg(k.Date))+" OR e.id > "+dated.Arg(k.ID)+")")
	return []*Query{dated, undated}
}

// CountSQL counts the events under q.
func CountSQL(q *Query) string { return "SELECT count(*) FROM events e WHERE " + q.Where() }

// PageSQL selects the events under q in Order, limit rows from offset; it
// adds both as arguments of q.
func PageSQL(d Dialect, q *Query, limit, offset int) string {
	return "SELECT " + Columns(d) + " FROM events e WHERE " + q.Where() + " ORDER BY " + Order +
		" LIMIT " + q.Arg(limit) + " OFFSET " + q.Arg(offset)
}

// StatsSQL groups the events under q by event type, country code and week,
// with their count, the rows Tally folds.
func StatsSQL(d Dialect, q *Query) string {
	return "SELECT e.event_type, e.country_code, " + d.Week() + ", count(*) FROM events e WHERE " + q.Where() +
		" GROUP BY 1, 2, 3"
}

// CountsUsable reports whether the table event_counts answers f's counts:
// when f names no box, no words, no sub-event type, no precision and no
// source count, for event_counts groups the events by the rest (event type,
// country code, week, first and last day, modality, origin).
func CountsUsable(f geo.Filter) bool {
	return f.BBox == nil && strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == "" &&
		len(f.SubTypes) == 0 && len(f.GeoPrecisions) == 0 && f.MinSources <= 1
}

// Counts returns the condition on the table event_counts c that selects
// the groups of f's events (CountsUsable(f) must hold). Its dates are
// YYYY-MM-DD text, ” when undated, in both stores.
func Counts(d Dialect, f geo.Filter) *Query {
	q := NewQuery(d)
	switch {
	case f.Start != "" && f.End != "" && f.Start > f.End:
		q.Add("1 = 0")
	case f.Start != "" || f.End != "":
		q.Add("c.event_date <> ''")
		if f.Start != "" {
			q.Add("c.date_last >= " + q.Arg(f.Start))
		}
		if f.End != "" {
			q.Add("c.event_date <= " + q.Arg(f.End))
		}
	}
	q.In("c.event_type", f.Types)
	q.In("c.modality", f.Modalities)
	if f.Country != "" {
		q.Add("c.country_code = " + q.Arg(f.Country))
	}
	q.In("c.origin", f.Origins)
	return q
}

// CountryCountSQL counts f's events from the coarsest level of
// cell_countries, whose groups (event type, country code, modality and
// origin per cell) are much fewer than event_counts', which groups by day
// besides (a million events: 294 against 52,560 groups, whose sum cost
// every page of an unfiltered list 8 ms of SQLite's CPU). False when f
// names dates (cell_countries keeps no weeks) or is not CountsUsable; the
// caller checks that the kept cells are live.
func CountryCountSQL(d Dialect, f geo.Filter) (string, []any, bool) {
	if !CountsUsable(f) || f.Start != "" || f.End != "" {
		return "", nil, false
	}
	q := NewQuery(d)
	q.Add("c.level = " + strconv.Itoa(cellLevels[0]))
	q.In("c.event_type", f.Types)
	q.In("c.modality", f.Modalities)
	if f.Country != "" {
		q.Add("c.country_code = " + q.Arg(f.Country))
	}
	q.In("c.origin", f.Origins)
	return "SELECT coalesce(sum(c.n), 0) FROM cell_countries c WHERE " + q.Where(), q.Args, true
}

// CountsCountSQL counts the events of the groups under q (of Counts).
func CountsCountSQL(q *Query) string {
	return "SELECT coalesce(sum(c.n), 0) FROM event_counts c WHERE " + q.Where()
}

// CountsStatsSQL is StatsSQL from the groups under q (of Counts).
func CountsStatsSQL(q *Query) string {
	return "SELECT c.event_type, c.country_code, c.week, sum(c.n) FROM event_counts c WHERE " + q.Where() +
		" GROUP BY 1, 2, 3 HAVING sum(c.n) > 0"
}

// WordCountsWord returns, when the table word_counts may answer f's count
// and stats, the one word f looks for and its field: when f names one
// word, in Actor or in Q, and besides only event types, a country code,
// modalities and origins, which word_counts groups the events by with each
// of their words. It answers them when the word starts one stored word
// only, of the field (TermSQL finds which): the events having that word
// are then those f selects.
func WordCountsWord(f geo.Filter) (field, word string, ok bool) {
	if f.BBox != nil || f.Start != "" || f.End != "" || len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 || f.MinSources > 1 {
		return "", "", false
	}
	actor, q := strings.TrimSpace(f.Actor) != "", strings.TrimSpace(f.Q) != ""
	field, text := FieldActors, f.Actor
	switch {
	case actor == q:
		return "", "", false
	case q:
		field, text = FieldQuote, f.Q
	}
	words := geo.Words(text)
	if len(words) != 1 {
		return "", "", false
	}
	return field, words[0], true
}

// TermSQL selects the first two words of word_counts, of field (the first
// argument), from a word on (the second): when the first starts with the
// word and the second does not (or is NULL), the word starts that stored
// word only. Both are NULL when none is stored from it. Rows of words
// whose events are all gone are counted as words: the answer is then
// slower, never wrong.
//
// Each word is a min() of its own: SQLite reads the least word of an
// index range in one probe only for a lone min(), and read every word of
// the field from the word on for min(c.word) beside min(c.field) (a
// million events: 14-20 ms of each count or stats by one word).
func TermSQL(d Dialect) string {
	return "SELECT t.w, (SELECT min(c.word) FROM word_counts c WHERE c.field = t.f AND c.word > t.w) " +
		"FROM (SELECT p.f AS f, (SELECT min(c.word) FROM word_counts c WHERE c.field = p.f AND c.word >= p.w) AS w " +
		"FROM (SELECT CAST(" + d.Placeholder(1) + " AS TEXT) AS f, CAST(" + d.Placeholder(2) + " AS TEXT) AS w) p) t"
}

// OneTerm reads TermSQL's row: the stored word that word alone starts.
func OneTerm(row Scanner, word string) (term string, ok bool, err error) {
	var first, second *string
	if err := row.Scan(&first, &second); err != nil {
		return "", false, err
	}
	switch {
	case first == nil || !strings.HasPrefix(*first, word):
		return "", true, nil // no stored word: no event has it
	case second != nil && strings.HasPrefix(*second, word):
		return "", false, nil
	}
	return *first, true, nil
}

// WordTotalSQL adds up the events of the words of field (the first
// argument) that start with a word (the second; the third is the word and
// "\U0010FFFF"), from the first rows of word_counts alone when rows > 0:
// a lower bound, enough to tell that a word has more events than a walk's
// range is worth (a common word of a million events has 7,600 groups).
func WordTotalSQL(d Dialect, rows int) string {
	limit := ""
	if rows > 0 {
		limit = " LIMIT " + strconv.Itoa(rows)
	}
	return "SELECT coalesce(sum(c.n), 0) FROM (SELECT c.n FROM word_counts c WHERE c.field = " + d.Placeholder(1) +
		" AND c.word >= " + d.Placeholder(2) + " AND c.word < " + d.Placeholder(3) + limit + ") c"
}

// wordTotalRows are how many groups of word_counts WordsOver adds up, in
// turn, before it adds up every group of a word: a common word's first
// 1,024 groups hold some 30,000 events (a million events), more than most
// walks' ranges are worth, in a seventh of its groups; its first 4,096
// hold more than a country's events are worth, where adding up all 7,600
// took PostgreSQL 2.3-2.7 ms (the groups read from the table's rows).
var wordTotalRows = [...]int{1024, 4096}

// WordsOver reports whether every word of f's actors and quote has, in
// all, more than over events, counted from word_counts by total (which
// runs WordTotalSQL with its three arguments); not when f has no word. A
// word is added up from its first groups first (WordTotalSQL), and from
// every group only when those hold too few, so that the common words
// that make a walk pay cost least to tell.
func WordsOver(d Dialect, f geo.Filter, over int64, total func(stmt string, args ...any) (int64, error)) (bool, error) {
	some := false
	for _, w := range []struct{ field, filter string }{{FieldActors, f.Actor}, {FieldQuote, f.Q}} {
		if strings.TrimSpace(w.filter) == "" {
			continue
		}
		for _, word := range geo.Words(w.filter) {
			some = true
			enough := false
			for _, rows := range wordTotalRows {
				n, err := total(WordTotalSQL(d, rows), w.field, word, word+"\U0010FFFF")
				if err != nil {
					return false, err
				}
				if enough = n > over; enough {
					break
				}
			}
			if enough {
				continue
			}
			if n, err := total(WordTotalSQL(d, 0), w.field, word, word+"\U0010FFFF"); err != nil || n <= over {
				return false, err
			}
		}
	}
	return some, nil
}

// WordWeeks splits f, one word and dates (and types, a country,
// modalities, origins: WordCountsWord of f without its dates) whose word
// starts term alone, the one stored word of field (OneTerm), at first and
// last, the Mondays of the first and the last whole week inside its dates
// (WholeWeeks): the events dated in those weeks all match, and
// word_counts counts them by week (whole, a condition on word_counts c in
// d); the others, dated in the days before the first whole week (or
// before the start, in a span that reaches it) and after the last, are
// walked (edges, conditions on events e in walk, each one range of first
// days bounded once on each side). A partial week at either end is
// counted whole instead, and its days outside the dates walked and taken
// away (Minus edges), when spans (nil: never) say that those days hold
// fewer events than its days inside: a start on a Saturday before a day
// of 100,000 events walks the five days before it, not that day.
func WordWeeks(d, walk Dialect, f geo.Filter, field, term, first, last string, spans *DatedSpans) (whole *Query, edges []Edge) {
	undated := f
	undated.Start, undated.End = "", ""
	whole = WordCounts(d, undated, field, term)
	whole.Add("c.week <> ''")
	from, to := first, last
	var minus []Edge
	if first != "" && first != f.Start && spans != nil {
		monday := addDays(first, -7)
		if spans.FirstIn(monday, f.Start) < spans.FirstIn(f.Start, first) {
			// The events of the week of the start that end before it.
			e := Filter(walk, undated)
			e.Add("e.event_date >= "+walk.DateValue(e.Arg(monday)), "e.event_date < "+walk.DateValue(e.Arg(f.Start)),
				"(e.event_date_end IS NULL OR e.event_date_end < "+walk.DateValue(e.Arg(f.Start))+")")
			minus = append(minus, Edge{Query: e, Minus: true})
			from = monday
		}
	}
	if last != "" && f.End != "" && spans != nil {
		monday, sunday := addDays(last, 7), LastSunday(addDays(last, 7))
		if sunday > f.End && spans.FirstIn(addDays(f.End, 1), addDays(sunday, 1)) < spans.FirstIn(addDays(LastSunday(last), 1), addDays(f.End, 1)) {
			// The events of the week of the end dated after it.
			e := Filter(walk, undated)
			e.Add("e.event_date > "+walk.DateValue(e.Arg(f.End)), "e.event_date <= "+walk.DateValue(e.Arg(sunday)))
			minus = append(minus, Edge{Query: e, Minus: true})
			to = monday
		}
	}
	if from != "" {
		whole.Add("c.week >= " + whole.Arg(from))
	}
	if to != "" {
		whole.Add("c.week <= " + whole.Arg(to))
	}
	after := to
	if to != last {
		after = "" // no day after the last whole week is left to add
	}
	for _, e := range WeekEdges(walk, f, from, after) {
		edges = append(edges, Edge{Query: e})
	}
	return whole, append(edges, minus...)
}

// Edge is a condition on the events e walked beside WordWeeks' whole
// weeks: its events are added to their count, or taken from it (Minus).
type Edge struct {
	*Query
	Minus bool
}

// Sign is -1 for an edge taken away, else 1.
func (e Edge) Sign() int {
	if e.Minus {
		return -1
	}
	return 1
}

// addDays returns day (YYYY-MM-DD) moved by n days.
func addDays(day string, n int) string {
	t, _ := time.Parse(geo.DateLayout, day)
	return t.AddDate(0, 0, n).Format(geo.DateLayout)
}

// WeekEdges returns the conditions, on events e in walk, of the events of
// f (with dates) dated outside its whole weeks first to last (WholeWeeks):
// those dated before the first Monday that reach f's start, and those
// dated after the last Sunday up to its end, each one range of first days
// bounded once on each side. With the events dated in those weeks, they
// make up f's events exactly.
func WeekEdges(walk Dialect, f geo.Filter, first, last string) []*Query {
	var edges []*Query
	if first != "" {
		// From the start on (an event dated before it may reach it) to the
		// first Monday, which may be the start itself.
		before := f
		before.End = ""
		e := Filter(walk, before)
		e.Add("e.event_date < " + walk.DateValue(e.Arg(first)))
		edges = append(edges, e)
	}
	if last != "" {
		undated := f
		undated.Start, undated.End = "", ""
		e := Filter(walk, undated)
		e.Add("e.event_date > "+walk.DateValue(e.Arg(LastSunday(last))),
			"e.event_date <= "+walk.DateValue(e.Arg(f.End)))
		edges = append(edges, e)
	}
	return edges
}

// OutsideWord reports whether f's density cells at zoom may be read as
// the kept cells of its word without its dates less the word's events
// outside them (OutsideDates): f names dates, not crossed, one word and
// besides at most a box and event types (WordCellsWord of undated, f
// without its dates), and zoom is one the kept cells hold.
func OutsideWord(f geo.Filter, zoom int) (undated geo.Filter, ok bool) {
	if f.Start == "" && f.End == "" || f.Start != "" && f.End != "" && f.Start > f.End || zoom > WordFineLevel {
		return f, false
	}
	undated = f
	undated.Start, undated.End = "", ""
	_, _, ok = WordCellsWord(undated)
	return undated, ok
}

// OutsideDates returns the conditions, on events e in walk, of the events
// of f without its dates that f's dates (one at least, not crossed) leave
// out: those that end before its start, those dated after its end and the
// undated, each one range of the date order, the first cut at cuts (days
// before the start, newest first, as DatedSpans.Cuts makes them) into
// pieces that connections can read at once. Taken from the events of f
// without its dates, they leave f's events: when the dates hold most of
// the events, the few outside them cost less to read than those inside.
func OutsideDates(walk Dialect, f geo.Filter, cuts []string) []*Query {
	undated := f
	undated.Start, undated.End = "", ""
	var out []*Query
	if f.Start != "" {
		for _, p := range Pieces(cuts) {
			e := Filter(walk, undated)
			e.Add("e.event_date < "+walk.DateValue(e.Arg(f.Start)),
				"coalesce(e.event_date_end, e.event_date) < "+walk.DateValue(e.Arg(f.Start)))
			if p.From != "" {
				e.Add("e.event_date >= " + walk.DateValue(e.Arg(p.From)))
			}
			if p.Before != "" {
				e.Add("e.event_date < " + walk.DateValue(e.Arg(p.Before)))
			}
			out = append(out, e)
		}
	}
	if f.End != "" {
		e := Filter(walk, undated)
		e.Add("e.event_date > " + walk.DateValue(e.Arg(f.End)))
		out = append(out, e)
	}
	e := Filter(walk, undated)
	e.Add("e.event_date IS NULL")
	return append(out, e)
}

// LastSunday is the Sunday of the week whose Monday is monday.
func LastSunday(monday string) string {
	t, _ := time.Parse(geo.DateLayout, monday)
	return t.AddDate(0, 0, 6).Format(geo.DateLayout)
}

// WholeWeeks returns the Mondays of the first and the last week (Monday
// to Sunday) inside [start, end], "" for an open bound; not ok when no
// week fits.
func WholeWeeks(start, end string) (first, last string, ok bool) {
	var a, b time.Time
	if start != "" {
		t, err := time.Parse(geo.DateLayout, start)
		if err != nil {
			return "", "", false
		}
		a = t.AddDate(0, 0, (8-int(t.Weekday()))%7) // Monday is 1
		first = a.Format(geo.DateLayout)
	}
	if end != "" {
		t, err := time.Parse(geo.DateLayout, end)
		if err != nil {
			return "", "", false
		}
		b = t.AddDate(0, 0, -int(t.Weekday())) // the Sunday on or before
		b = b.AddDate(0, 0, -6)
		last = b.Format(geo.DateLayout)
	}
	return first, last, start == "" || end == "" || !a.After(b)
}

// WordCounts returns the condition on the table word_counts c that selects
// the groups of f's events, for term, the one stored word of field that
// f's word starts (WordCountsWord and OneTerm); an empty term selects
// nothing.
func WordCounts(d Dialect, f geo.Filter, field, term string) *Query {
	q := Counts(d, f)
	if term == "" {
		q.Add("1 = 0")
		return q
	}
	q.Add("c.field = "+q.Arg(field), "c.word = "+q.Arg(term))
	return q
}

// WordCountsCountSQL counts the events of the groups under q (of
// WordCounts).
func WordCountsCountSQL(q *Query) string {
	return "SELECT coalesce(sum(c.n), 0) FROM word_counts c WHERE " + q.Where()
}

// WordCountsStatsSQL is StatsSQL from the groups under q (of WordCounts).
func WordCountsStatsSQL(q *Query) string {
	return "SELECT c.event_type, c.country_code, c.week, sum(c.n) FROM word_counts c WHERE " + q.Where() +
		" GROUP BY 1, 2, 3 HAVING sum(c.n) > 0"
}

// Rows is a result set: *sql.Rows and pgx.Rows both are.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Tally folds the rows of StatsSQL into Stats.
func Tally(rows Rows) (geo.Stats, error) {
	var tally geo.Tally
	if err := AddStats(rows, &tally); err != nil {
		return geo.Stats{}, err
	}
	return tally.Stats(), nil
}

// CellsSQL groups the events under q by density cell at zoom
// (geo.CellOf, the same expression) and event type, in the columns of
// geo.CellRow.
func CellsSQL(d Dialect, q *Query, zoom int) string {
	n := strconv.FormatInt(geo.CellsAround(zoom), 10) + ".0"
	return "SELECT " + d.Floor("("+d.Lon()+" + 180) * "+n+" / 360") + ", " + d.Floor("("+d.Lat()+" + 90) * "+n+" / 360") +
		", e.event_type, count(*), coalesce(sum(e.fatalities), 0), sum(" + d.Lon() + "), sum(" + d.Lat() + ")" +
		" FROM events e WHERE " + q.Where() + " GROUP BY 1, 2, 3"
}

// FoldCells reads the rows of CellsSQL into cells.
func FoldCells(zoom int, rows Rows) ([]geo.Cell, error) {
	groups, err := CellRows(rows)
	if err != nil {
		return nil, err
	}
	return geo.FoldCells(zoom, groups), nil
}

// CellRows reads the rows of CellsSQL, for geo.FoldCells to fold with
// those of other statements.
func CellRows(rows Rows) ([]geo.CellRow, error) {
	var groups []geo.CellRow
	for rows.Next() {
		var (
			r          geo.CellRow
			x, y, n, f int64
		)
		if err := rows.Scan(&x, &y, &r.EventType, &n, &f, &r.SumLon, &r.SumLat); err != nil {
			return nil, err
		}
		r.X, r.Y, r.Count, r.Fatalities = int(x), int(y), int(n), int(f)
		groups = append(groups, r)
	}
	return groups, rows.Err()
}

// ExtentSQL selects the box of all event points, the first event_date and
// the last event_date_end (or event_date), in the order ScanExtent reads.
func ExtentSQL(d Dialect) string {
	return "SELECT min(" + d.Lon() + "), min(" + d.Lat() + "), max(" + d.Lon() + "), max(" + d.Lat() + "), " +
		"coalesce(" + d.DateText("min(e.event_date)") + ", ''), " +
		"coalesce(" + d.DateText("max(coalesce(e.event_date_end, e.event_date))") + ", '') FROM events e"
}

// ScanExtent reads the row of ExtentSQL.
func ScanExtent(row Scanner) (geo.Extent, error) {
	var (
		w, s, e, n *float64
		ext        geo.Extent
	)
	if err := row.Scan(&w, &s, &e, &n, &ext.Start, &ext.End); err != nil {
		return geo.Extent{}, err
	}
	if w != nil && s != nil && e != nil && n != nil {
		ext.BBox = &geo.BBox{West: *w, South: *s, East: *e, North: *n}
	}
	return ext, nil
}

// Terms maps a word of a filter's field ("field word") to the one stored
// word of that field it starts (ExactTerms), or to a few stored words it
// starts (SetList). A store looks those words up themselves rather than as
// a prefix: FTS5 then reads one word's list (or merges a few as it reads
// them) where a prefix first collects the lists of every word it starts,
// a GIN index collects no partial match, and a walk compares one lexeme.
type Terms struct {
	m     map[string]string
	lists map[string][]string
}

// Term returns the one stored word of field that word starts, when t
// knows it (a nil t knows none).
func (t *Terms) Term(field, word string) (string, bool) {
	if t == nil {
		return "", false
	}
	term, ok := t.m[field+" "+word]
	return term, ok
}

// List returns the stored words of field that word starts, when t holds
// their list (SetList; a nil t holds none).
func (t *Terms) List(field, word string) []string {
	if t == nil {
		return nil
	}
	return t.lists[field+" "+word]
}

// SetList records the stored words of field that word starts: all of
// them, read in the snapshot that reads the events.
func (t *Terms) SetList(field, word string, words []string) {
	if t.lists == nil {
		t.lists = map[string][]string{}
	}
	t.lists[field+" "+word] = words
}

// ExactTerms looks up, in word_counts, the words of f that start one
// stored word of their field alone (TermSQL, OneTerm); row runs a
// statement of one row with its arguments. Rows of words whose events are
// gone count as stored words: a word may then be looked up as a prefix,
// never missed. The caller runs it in the snapshot that reads the events,
// so that an event stored meanwhile with another word that starts one of
// f's is not missed.
func ExactTerms(d Dialect, f geo.Filter, row func(stmt string, args ...any) Scanner) (*Terms, error) {
	fields, _ := TextWords(f)
	t := &Terms{m: map[string]string{}}
	for _, fw := range fields {
		for _, w := range fw.Words {
			term, ok, err := OneTerm(row(TermSQL(d), fw.Field, w), w)
			if err != nil {
				return nil, err
			}
			if ok && term != "" {
				t.m[fw.Field+" "+w] = term
			}
		}
	}
	return t, nil
}

// PointsSQL selects the point, event type and fatalities of every event q
// matches, for a store that groups them into cells itself (the columns of
// a CellsSQL group, one event each).
func PointsSQL(d Dialect, q *Query) string {
	return "SELECT " + d.Lon() + ", " + d.Lat() + ", e.event_type, coalesce(e.fatalities, 0) FROM events e WHERE " + q.Where()
}

// StmtHead is the first four words of the statement q, which name what it
// makes (CREATE INDEX name ON), for a log of a bulk import's steps.
func StmtHead(q string) string {
	f := strings.Fields(q)
	return strings.Join(f[:min(len(f), 4)], " ")
}
