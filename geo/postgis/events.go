package postgis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// dialect is PostgreSQL's spelling of the shared event SQL. walk keeps
// the box, date and word conditions off their GiST and GIN indexes, so that a
// page of many matches walks an index in list order and stops when the
// page is full instead of sorting every match (Store.events).
//
// denseBox marks a box that holds many times the events of the days at
// the edges of the filter's dates (Store.stripDialect): those strips
// (eventsql.DaysDialect) then read the days' events by date (byDate).
//
// byDate reads the events of the dates from the range of their first days
// in events_words_walk, an index-only scan that tests the box, the type
// and the rest on the index's entries (byDateBounds): neither the box's
// index nor the dates', and no event's row. A box of 300,000 events with
// six weeks of 54,000 ANDed those two indexes and read the 16,000 rows they
// shared (0.15-0.17 s); the walk of the six weeks' entries takes 0.05-0.08
// s, under load.
//
// sparseDates keeps the dates off their index, for a Sparse strip
// (eventsql.SparseDialect): the box's index alone finds its events.
//
// boxWalk finds the box by the columns and latitudes that key
// events_box_walk (boxWalkCond), with walk: an index-only scan of the
// box's entries that tests the words on each (Store.boxWalk).
type dialect struct {
	walk        bool
	denseBox    bool
	byDate      bool
	sparseDates bool
	boxWalk     bool
	// typedDays reads a strip of days by date (byDate), for filters of
	// sub-event types (detailDialect).
	typedDays bool
	// terms, when set, names the one stored word that a word of a walk
	// starts (exactTerms): the GIN index or the walk looks that lexeme up.
	terms *eventsql.Terms
	// piece, when set, bounds event_date to one piece of a walk's dates
	// (pieceStats).
	piece eventsql.Piece
	// sparseBoxWalk: a Sparse strip's box is read from events_box_walk's
	// entries (boxWalk), which hold all that its count tests.
	sparseBoxWalk bool
}

// ForSparse is the dialect of a strip whose box holds few events beside
// its dates': sparseDates, and its box by events_box_walk's columns when
// sparseBoxWalk.
func (d dialect) ForSparse() eventsql.Dialect {
	return dialect{walk: d.walk, sparseDates: true, boxWalk: d.sparseBoxWalk}
}

// ForDays is the dialect of a strip of days: byDate over a dense box, or
// for sub-event types (typedDays).
func (d dialect) ForDays() eventsql.Dialect {
	if d.denseBox || d.typedDays {
		return dialect{walk: d.walk, byDate: true}
	}
	return d
}

var pgSQL dialect

func (dialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

// KeepsWeekFiner reports that the store keeps cell_fine_weeks at
// eventsql.WeekFinerLevel too (migration 0039).
func (dialect) KeepsWeekFiner() bool { return true }

// Lon and Lat come from the geometry, which holds them as exact doubles.
func (dialect) Lon() string                 { return "ST_X(e.geom)" }
func (dialect) Lat() string                 { return "ST_Y(e.geom)" }
func (dialect) DateText(expr string) string { return "to_char(" + expr + ", 'YYYY-MM-DD')" }
func (dialect) DateValue(ph string) string  { return ph + "::date" }
func (dialect) Floor(expr string) string    { return "floor(" + expr + ")::bigint" }

// Week: the days since a Monday (2000-01-03), modulo 7 (% keeps the sign of
// the days, so 7 is added before the second modulo), are the days since
// the week's Monday; plain date arithmetic, so no time zone is involved.
// Integer arithmetic saves a third of what the week of each grouped event
// cost with the ISO day of week, a numeric from a timestamp (0.1 of 0.3
// µs; the stats of a word in a hotspot's box and a year group 39,860
// events).
func (dialect) Week() string {
	return "coalesce(to_char(e.event_date - (((e.event_date - DATE '2000-01-03') % 7 + 7) % 7), 'YYYY-MM-DD'), '')"
}

// BBox lets the GiST index find candidates by their float boxes, which are
// rounded outwards; the exact coordinates decide.
//
// Reading by date or walking, the float boxes' test, off the index, comes
// first: an overlap of boxes reads the point where it lies in the row,
// while each of ST_X and ST_Y unpacks the geometry, so that the four calls
// of the exact test run on the box's events alone (a third of the six
// weeks' stats; Battles from 2024 in a million events, a box that holds a
// third of them: 91,647 walked entries in 28-36 ms against 42-65 ms).
func (d dialect) BBox(q *eventsql.Query, b geo.BBox) {
	if d.boxWalk {
		boxWalkCond(q, b)
		return
	}
	if d.byDate || d.walk {
		q.Add("(" + boxIndexed(q, b) + ") IS TRUE")
	} else {
		q.Add(boxIndexed(q, b))
	}
	if b.West <= b.East {
		q.Add("ST_X(e.geom) >= " + q.Arg(b.West) + " AND ST_X(e.geom) <= " + q.Arg(b.East))
	} else {
		q.Add("(ST_X(e.geom) >= " + q.Arg(b.West) + " OR ST_X(e.geom) <= " + q.Arg(b.East) + ")")
	}
	q.Add("ST_Y(e.geom) >= " + q.Arg(b.South) + " AND ST_Y(e.geom) <= " + q.Arg(b.North))
}

// boxIndexed is the condition of b that the GiST index answers: the
// events whose float boxes meet b's.
func boxIndexed(q *eventsql.Query, b geo.BBox) string {
	env := func(w, s, e, n float64) string {
		return "e.geom && ST_MakeEnvelope(" + q.Arg(w) + ", " + q.Arg(s) + ", " + q.Arg(e) + ", " + q.Arg(n) + ", 4326)"
	}
	if b.West <= b.East {
		return env(b.West, b.South, b.East, b.North)
	}
	return "(" + env(b.West, b.South, 180, b.North) + " OR " + env(-180, b.South, b.East, b.North) + ")"
}

// Dates tests the daterange column (NULL for undated events, which no
// range then meets) against the filter's; an empty bound is unbounded.
//
// When walking or reading by date, the range test is kept off its
// index and an end bound is also a bound of event_date, which the walk's
// index starts from. Reading by date also bounds event_date from below
// (byDateBounds).
func (d dialect) Dates(q *eventsql.Query, start, end string) {
	cond := "e.dates && daterange(" + q.Arg(nullString(start)) + "::date, " + q.Arg(nullString(end)) + "::date, '[]')"
	switch {
	case !d.walk && !d.byDate:
		if d.sparseDates {
			cond = "(" + cond + ") IS TRUE"
		}
		q.Add(cond)
	case d.boxWalk:
		// The dates held by events_box_walk's entries alone, whose
		// range test reads no other index.
		q.Add("(" + cond + ") IS TRUE")
	default:
		q.Add("(" + cond + ") IS TRUE")
		if end != "" && d.piece.Before == "" {
			q.Add("e.event_date <= " + q.Arg(end) + "::date")
		}
		if d.byDate && start != "" && d.piece.From == "" {
			q.Add(byDateBounds(q, start))
		}
	}
	if d.piece.Before != "" {
		q.Add("e.event_date < " + q.Arg(d.piece.Before) + "::date")
	}
	if d.piece.From != "" {
		q.Add("e.event_date >= " + q.Arg(d.piece.From) + "::date")
	}
}

// byDateBounds is the lower bound of event_date of the events whose dates
// meet a range that starts at start (firstDayMeeting).
func byDateBounds(q *eventsql.Query, start string) string {
	return "e.event_date >= " + firstDayMeeting(q.Arg(start))
}

// firstDayMeeting is the earliest first day of the events whose dates
// meet a range that starts at the date parameter ph: an event that begins
// before it and meets the range holds both it and the day before, so
// that the earliest first day of the events holding those two days (found
// in the index of the dates alone), or ph itself, bounds them all. The
// events that hold the day alone need not be read: a day of 100,870
// events took 36-46 ms to read them all for their first days, where
// those that also hold the day before are found in 1 ms.
func firstDayMeeting(ph string) string {
	return "least(" + ph + "::date, (SELECT min(lower(s.dates)) FROM events s WHERE s.dates @> daterange(" + ph + "::date - 1, " + ph + "::date, '[]')))"
}

// Words looks the words up in the GIN-indexed tsvector of the field
// (actors_words, quote_words), which holds the program's split of the
// text (geo.Words). The query is a tsquery literal of prefix terms, cast
// rather than parsed, so that no text search configuration is involved; a
// word holds letters and digits alone, so quoting it is enough.
func (d dialect) Words(q *eventsql.Query, fields []eventsql.FieldWords) {
	for _, fw := range fields {
		terms := make([]string, len(fw.Words))
		for i, w := range fw.Words {
			terms[i] = "'" + w + "':*"
			if t, ok := d.terms.Term(fw.Field, w); ok {
				terms[i] = "'" + t + "'"
			}
		}
		cond := "e." + fw.Field + "_words @@ " + q.Arg(strings.Join(terms, " & ")) + "::tsquery"
		if d.walk {
			cond = "(" + cond + ") IS TRUE" // the same test, which no index answers
		}
		q.Add(cond)
	}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// insertEvent writes an event from insertArgs.
var insertEvent = eventsql.Insert(pgSQL, eventsql.InsertSpec{
	PointCols:  []string{"geom"},
	PointValue: func(lon, lat string) string { return "ST_SetSRID(ST_MakePoint(" + lon + ", " + lat + "), 4326)" },
	Extra:      []string{"actors_words", "quote_words"},
	Value: func(col, ph string) string {
		switch col {
		case "event_date", "event_date_end":
			return ph + "::date"
		case "actors_words", "quote_words":
			return "array_to_tsvector(" + ph + "::text[])"
		}
		return ph
	},
})

// insertArgs are the arguments of insertEvent: eventsql.Values and the
// words of the actors and of the quote.
func insertArgs(e geo.Event) []any {
	return append(eventsql.Values(e), words(e.Actor1+"\n"+e.Actor2), words(e.Quote))
}

// words is geo.Words, never nil (a NULL array would make a NULL tsvector).
func words(s string) []string {
	w := geo.Words(s)
	if w == nil {
		return []string{}
	}
	return w
}

// Ingest stores the article with its text and replaces all of its events,
// bumping the data version, in one transaction that is committed when
// Ingest returns. It returns the stored article.
func (s *Store) Ingest(ctx context.Context, a geo.Article, events []geo.Event) (geo.Article, error) {
	events, err := geo.CheckIngest(a, events)
	if err != nil {
		return geo.Article{}, err
	}
	if err := s.freshenStats(ctx); err != nil {
		return geo.Article{}, fmt.Errorf("postgis store: ingest %s: %w", a.ID, err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.ingest(ctx, a, events, now); err != nil {
		return geo.Article{}, fmt.Errorf("postgis store: ingest %s: %w", a.ID, err)
	}
	a.IngestedAt = now
	a.Events = len(events)
	return a, nil
}

func (s *Store) ingest(ctx context.Context, a geo.Article, events []geo.Event, now time.Time) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Bumping the version first takes its row lock, which orders concurrent
	// ingests one after the other for the rest of the transaction.
	var version int64
	err = tx.QueryRow(ctx, "UPDATE meta SET value = greatest(value + 1, $1) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version, published_estimated)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, url = excluded.url, published = excluded.published,
			text = excluded.text, ingested_at = excluded.ingested_at, ingest_version = excluded.ingest_version,
			origin = 'extracted', published_estimated = excluded.published_estimated`,
		a.ID, a.Title, a.URL, a.Published, a.Text, now, version, a.PublishedEstimated)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if err := s.remerge(ctx, tx, a.ID, events, version); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// defaultWalkAt is how many matches, per event of the page, make a page with a
// box, dates or words walk an index in list order (dialect.walk): with a
// twentieth of the events matching or more, the walk reads about 20 rows
// per event of the page.
const defaultWalkAt = 20

// filter returns the condition on the events table e that selects f.
func filter(f geo.Filter) *eventsql.Query { return eventsql.Filter(pgSQL, f) }

// Events returns one page of the events that match f, newest event_date
// first (undated last), then by id, and how many match in all. Both come
// from one snapshot, except past the last page, where there is no page.
func (s *Store) Events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	page, err := s.events(ctx, f)
	if err != nil {
		return geo.EventPage{}, fmt.Errorf("postgis store: events: %w", err)
	}
	return page, nil
}

func (s *Store) events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = geo.DefaultLimit
	}
	limit = min(limit, geo.MaxLimit)
	offset := max(f.Offset, 0)
	// The count and the page come from one snapshot. Counting apart and
	// then reading the page in index order stops after the page's rows;
	// one statement with count(*) OVER () would sort every match first
	// (33 s for a million events, BENCHMARKS.md "A million events").
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return geo.EventPage{}, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if f, err = reduced(ctx, tx, f); err != nil {
		return geo.EventPage{}, err
	}
	if f.After == nil {
		if whole, edges, ok, err := s.wordWeeks(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		} else if ok {
			return s.weekPage(ctx, tx, f, whole, edges, limit, offset)
		}
	}
	// The GIN indexes look up the one stored word a word starts rather
	// than every word it starts, whose lists a prefix ORs together (an
	// actor and a quote word of 100,000 and 240,000 events: their
	// BitmapAnd in 115-170 ms against 250-410 under load), and the
	// planner then estimates its matches from the word's statistics (23,822
	// for 23,892, where a prefix's guess is 400).
	terms, err := exactTerms(ctx, tx, f)
	if err != nil {
		return geo.EventPage{}, err
	}
	// Several words, with a country or a type, are counted from their
	// sets, and the page then walks to its last event alone.
	setN, setCounted := 0, false
	if f.After == nil {
		if setN, setCounted, err = setCount(ctx, tx, f, terms); err != nil {
			return geo.EventPage{}, err
		}
	}
	if !setCounted {
		if from, walk, err := s.wordWalk(ctx, tx, f, terms); err != nil {
			return geo.EventPage{}, err
		} else if walk {
			return s.walkPage(ctx, tx, f, from, limit, offset)
		}
	}
	d := dialect{terms: terms}
	q := eventsql.Filter(d, f)
	page := geo.EventPage{Events: []geo.Event{}}
	if f.After != nil {
		page.Matched = -1
		for _, q := range eventsql.Keyset(d, f) {
			if len(page.Events) >= limit {
				break
			}
			if page.Events, err = read(ctx, tx, q, limit-len(page.Events), 0, page.Events); err != nil {
				return geo.EventPage{}, err
			}
		}
		return page, attach(ctx, tx, page.Events)
	}
	var n int64
	var (
		wp          eventsql.CellPlan
		field, term string
		wordCells   bool
	)
	if f.BBox != nil {
		if wp, field, term, wordCells, err = wordCellPlan(ctx, tx, f, eventsql.WordCellLevel); err != nil {
			return geo.EventPage{}, err
		}
	}
	var (
		weeks     eventsql.WordWeekCells
		weekTerm  string
		weekCells bool
	)
	if f.BBox != nil && !wordCells {
		if weeks, weekTerm, weekCells, err = wordWeekCellPlan(ctx, tx, f); err != nil {
			return geo.EventPage{}, err
		}
	}
	byType, err := s.subTypeReads(ctx, tx, f)
	if err != nil {
		return geo.EventPage{}, err
	}
	count, args := eventsql.CountSQL(q), q.Args
	if byType {
		// Counted from events_sub_type_walk below.
	} else if wordCells || weekCells {
		// Counted from cell_words or cell_word_stats below.
	} else if c, cargs, ok := eventsql.CountryCountSQL(pgSQL, f); ok {
		count, args = c, cargs
	} else if eventsql.CountsUsable(f) {
		c := eventsql.Counts(pgSQL, f)
		count, args = eventsql.CountsCountSQL(c), c.Args
	} else if c, ok, err := wordCounts(ctx, tx, f); err != nil {
		return geo.EventPage{}, err
	} else if ok {
		count, args = eventsql.WordCountsCountSQL(c), c.Args
	}
	// The kept cells count sub-event types or precisions in a box first:
	// two types in a hotspot's box read 3 ms of cells where their walk
	// below read 111,000 entries (51-118 ms).
	if nb, ok, err := detailBoxCount(ctx, tx, f); err != nil {
		return geo.EventPage{}, err
	} else if ok {
		page.Matched = nb
	} else if byType {
		// One process: the planner split the scan of two types' entries
		// between two workers when it estimated enough of them, which
		// cost 92-230 ms where the scan alone took 34-54 (two types in a
		// hotspot's box, 111,000 entries), and whether it did flipped with
		// ANALYZE's sample.
		if _, err := tx.Exec(ctx, "SET LOCAL max_parallel_workers_per_gather = 0"); err != nil {
			return geo.EventPage{}, err
		}
		// The page (readSubTypes) needs no count: the two are read at
		// once (a sub-event type and a word: a count of 15 ms, then
		// 8 ms of walk and rows).
		tq := eventsql.Filter(dialect{walk: true}, f)
		err := s.atOnce(ctx, tx, 2, noWorkers, func(tx pgx.Tx, i int) error {
			if i == 0 {
				return tx.QueryRow(ctx, eventsql.CountSQL(tq), tq.Args...).Scan(&n)
			}
			ids, err := subTypeIDs(ctx, tx, f, limit, offset)
			if err == nil && len(ids) > 0 {
				page.Events, err = readIDs(ctx, tx, ids, page.Events)
			}
			return err
		})
		if err != nil {
			return geo.EventPage{}, err
		}
		page.Matched = int(n)
		return page, attach(ctx, tx, page.Events)
	} else if wordCells {
		if page.Matched, err = wordCellCount(ctx, tx, wp, f, field, term); err != nil {
			return geo.EventPage{}, err
		}
	} else if weekCells {
		if page.Matched, err = s.wordWeekCellCount(ctx, tx, weeks, f, weekTerm); err != nil {
			return geo.EventPage{}, err
		}
	} else if c, strips, ok := eventsql.PlanDetail(pgSQL, f); ok {
		if page.Matched, err = s.detailCount(ctx, tx, f, c, strips); err != nil {
			return geo.EventPage{}, err
		}
	} else if p, ok := eventsql.PlanBox(pgSQL, f, false); ok && !eventsql.CountsUsable(f) {
		if page.Matched, err = s.cellCount(ctx, tx, p, f); err != nil {
			return geo.EventPage{}, err
		}
	} else if eventsql.DatesAlone(f) {
		d, err := s.spansIn(ctx, tx)
		if err != nil {
			return geo.EventPage{}, err
		}
		page.Matched = int(d.Count(f.Start, f.End))
	} else if byDate, err := s.precisionByDate(ctx, tx, f); err != nil {
		return geo.EventPage{}, err
	} else if byDate {
		dq := eventsql.Filter(dialect{byDate: true}, f)
		if err := tx.QueryRow(ctx, eventsql.CountSQL(dq), dq.Args...).Scan(&n); err != nil {
			return geo.EventPage{}, err
		}
		page.Matched = int(n)
	} else if setCounted {
		page.Matched = setN
	} else if rows, matched, ok, err := s.matchedPage(ctx, tx, f, terms, q, count, limit, offset); err != nil {
		return geo.EventPage{}, err
	} else if ok {
		if page.Matched = matched; len(rows) == 0 {
			return page, nil
		}
		if page.Events, err = s.readRows(ctx, tx, rows, page.Events); err != nil {
			return geo.EventPage{}, err
		}
		return page, attach(ctx, tx, page.Events)
	} else if err := tx.QueryRow(ctx, count, args...).Scan(&n); err != nil {
		return geo.EventPage{}, err
	} else {
		page.Matched = int(n)
	}
	if page.Matched <= offset {
		return page, nil
	}
	if byType || len(f.SubTypes) > 0 && f.BBox == nil && strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == "" {
		// Types without a box, counted above from the kept counts: their
		// walks read their first entries alone, where the list order's
		// walk read every row to test its type (two types that a ninth of
		// the events have, from offset 5,000: 54,000 rows), and where for
		// one type with a country the planner ANDed the two indexes and
		// read and sorted every row they shared (a rare type in a common
		// country: 1,773 rows, 2,535 buffers, 74 ms warm, about 1 s cold).
		// With a box that subTypeReads leaves to its GiST index, a type's
		// walk could read all its entries to find the box's few.
		if page.Events, err = s.readSubTypes(ctx, tx, f, limit, offset, page.Events); err != nil {
			return geo.EventPage{}, err
		}
		return page, attach(ctx, tx, page.Events)
	}
	// A page nearer the list's end is walked from there (pageIDs), when no
	// start date leaves the walk's far end unbounded (dialect.Dates).
	through := limit + offset
	if f.Start == "" {
		through = min(through, page.Matched-offset)
	}
	walk, err := s.walks(ctx, tx, f, page.Matched, through)
	if err != nil {
		return geo.EventPage{}, err
	}
	// Words counted from their sets walk too: the walk tests them on index
	// entries, of a country's when f names one, where collecting their
	// matches read and sorted every match's row (two words in a country,
	// 7,246 matches: 46 ms warm, against a walk of 9 ms to the page's
	// last and its rows read).
	walk = walk || setCounted
	// The page's ids first (readWalk): far in, so that the rows skipped
	// before the page are index entries, not rows (the list from 900,000:
	// 2.4 s of rows read); and on a walk with words or precisions, or from
	// the list's end. With words, also from any offset: the planner walks
	// an index whose entries hold the words, but reads each entry's row
	// to test them unless it reads ids alone (a word in a country from
	// offset 5,000: 60,000 rows, 46 ms warm, against 12 ms of entries
	// and then the page's 1,000 rows).
	ids := offset >= s.deepOffset || offset > 0 && (strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != "")
	if walk {
		// Many matches: walk an index in list order, checking each row,
		// rather than collect every match through the GiST or GIN index
		// and sort them (a box of 300,000 events in a million: 0.15 s
		// instead of 2-3 s). The planner, which cannot tell how many
		// events a box, a date range or a word holds, is told to for this
		// transaction. The walk's estimated cost, the whole index, made
		// the planner compile it (JIT): 0.1 s more for the hotspot box's
		// page, whose walk reads 3,400 rows.
		if _, err := tx.Exec(ctx, "SET LOCAL enable_sort = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"); err != nil {
			return geo.EventPage{}, err
		}
		q = eventsql.Filter(dialect{walk: true, terms: terms}, f)
		ids = ids || f.Actor != "" || f.Q != "" || precisionWalk(f) || through < limit+offset
	}
	if ids {
		// With a start date the walk has no lower bound on event_date
		// (dialect.Dates): backwards, it would read every older entry
		// first.
		matched := page.Matched
		if f.Start != "" {
			matched = -1
		}
		if setCounted && offset > 0 {
			// Far into the matches of words counted from their sets, the
			// walk starts with the month the page starts in (two common
			// words from offset 5,000: 250,000 entries walked, 69 ms warm).
			until, before, rest, ok, err := setPlace(ctx, tx, f, terms, offset, limit)
			if err != nil {
				return geo.EventPage{}, err
			}
			if ok {
				q.Add("e.event_date < " + pgSQL.DateValue(q.Arg(until)))
				offset, matched = offset-before, rest
			}
		}
		if page.Events, err = s.readWalk(ctx, tx, q, limit, offset, matched, page.Events); err != nil {
			return geo.EventPage{}, err
		}
		return page, attach(ctx, tx, page.Events)
	}
	if page.Events, err = read(ctx, tx, q, limit, offset, page.Events); err != nil {
		return geo.EventPage{}, err
	}
	return page, attach(ctx, tx, page.Events)
}

// defaultDeepOffset is the offset from which Store.events finds a page's
// ids before its rows, and from which Store.walks weighs a walk against
// the events it reads (deepWalkAt).
const defaultDeepOffset = 10_000

// deepWalkAt is how many entries a walk far in may read per match rather
// than read and sort every match's id (Store.walks).
const deepWalkAt = 8

// matchedPage counts f's events under q, a condition with words whose
// count is count (eventsql.CountSQL: the GIN indexes' matches read row by
// row), and finds its page, limit events from offset in list order, in the
// same pass over the matches, when they are fewer than s.walkAt per event
// up to the page's last, by the planner's estimate, or by the events of
// the rarest word when a word starts several stored words (Store.walks
// would then read the page from the matches again, or walk many entries
// per event of the page). The matches' rows are read once, where the
// count and then the page read them twice (an actor word of 100,000
// events and a quote word of 240,000, 23,892 in common, from offset 5,000:
// 20,000 heap pages each time). It returns the page's rows by their
// places in the table (ctid, as text), valid in tx's snapshot (readRows).
// Not ok when it does not apply.
func (s *Store) matchedPage(ctx context.Context, tx pgx.Tx, f geo.Filter, terms *eventsql.Terms, q *eventsql.Query, count string,
	limit, offset int) (rows []string, matched int, ok bool, err error) {
	words, _ := eventsql.TextWords(f)
	if len(words) == 0 || count != eventsql.CountSQL(q) {
		return nil, 0, false, nil
	}
	var est float64
	if exact(words, terms) {
		est, err = estimate(ctx, tx, q)
	} else {
		// The planner guesses a prefix's matches at a few hundred, however
		// many words it starts: the events of the rarest word bound them.
		var n int64
		n, err = rarestWord(ctx, tx, f)
		est = float64(n)
	}
	if err != nil || est >= float64(s.walkAt)*float64(limit+offset) {
		return nil, 0, false, err
	}
	args := append(q.Args[:len(q.Args):len(q.Args)], limit, offset)
	// The matches' keys are kept apart (MATERIALIZED) so that they are
	// read once for the count and the page; the lateral join keeps the
	// count's row when the page is past the last match.
	res, err := tx.Query(ctx, "WITH m AS MATERIALIZED (SELECT e.ctid, e.event_date, e.id FROM events e WHERE "+q.Where()+") "+
		"SELECT (SELECT count(*) FROM m), p.ctid::text FROM (SELECT 1) o LEFT JOIN LATERAL (SELECT e.ctid FROM m e ORDER BY "+eventsql.Order+
		" LIMIT "+pgSQL.Placeholder(len(args)-1)+" OFFSET "+pgSQL.Placeholder(len(args))+") p ON true", args...)
	if err != nil {
		return nil, 0, false, err
	}
	defer res.Close()
	var n int64
	for res.Next() {
		var row *string
		if err := res.Scan(&n, &row); err != nil {
			return nil, 0, false, err
		}
		if row != nil {
			rows = append(rows, *row)
		}
	}
	return rows, int(n), true, res.Err()
}

// exact reports whether each of words starts one stored word of its field
// alone, which terms then names (exactTerms), so that the GIN index looks
// that word up and the planner estimates its matches from its statistics.
func exact(words []eventsql.FieldWords, terms *eventsql.Terms) bool {
	for _, fw := range words {
		for _, w := range fw.Words {
			if _, ok := terms.Term(fw.Field, w); !ok {
				return false
			}
		}
	}
	return true
}

// readRows appends to events the events at rows (ctids as text, from
// matchedPage in the same transaction), in their order: a read of each
// row's page, where its id would also descend the primary key's index
// (a page of 100: 100 pages read instead of 400).
func (s *Store) readRows(ctx context.Context, tx pgx.Tx, rows []string, events []geo.Event) ([]geo.Event, error) {
	return s.rowsAtOnce(ctx, tx, "SELECT e.ctid::text, "+eventsql.Columns(pgSQL)+" FROM events e WHERE e.ctid = ANY($1::text[]::tid[])", rows, events, nil)
}

// readKeyed appends to events the events that stmt selects by keys, its
// only argument, in the order of keys: stmt's first column is an event's
// key, then its columns (eventsql.Columns).
func readKeyed(ctx context.Context, tx pgx.Tx, stmt string, keys []string, events []geo.Event) ([]geo.Event, error) {
	res, err := tx.Query(ctx, stmt, keys)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	at := make(map[string]geo.Event, len(keys))
	for res.Next() {
		var key string
		e, err := eventsql.Scan(res, &key)
		if err != nil {
			return nil, err
		}
		at[key] = e
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	for _, key := range keys {
		if e, ok := at[key]; ok {
			events = append(events, e)
		}
	}
	return events, nil
}

// walks reports whether the page of f that ends at the upto-th of its
// matched events is read by walking an index in list order. The walk
// reads about upto events for each matched event it passes: of all the
// events, or, with dates, of those dated in them (the walk starts at the
// end's date and stops with its page). It walks when that is at most
// s.walkAt events for each event of the page. Without dates, that is when
// a twentieth of the store matches; with dates, a twentieth of the
// events of those dates, by the planner's estimate (a hotspot's box and
// six weeks, 16,000 matches of 54,000 dated: a walk of 3,300 index
// entries, 5 ms, instead of collecting and sorting the 16,000 rows,
// 0.3-0.45 s). Sub-event types and precisions walk alike: a third of the
// events have a precision, a fortieth a sub-event type.
func (s *Store) walks(ctx context.Context, tx pgx.Tx, f geo.Filter, matched, upto int) (bool, error) {
	if f.BBox == nil && f.Actor == "" && f.Q == "" && f.Start == "" && f.End == "" && len(f.SubTypes) == 0 && len(f.GeoPrecisions) == 0 {
		return false, nil
	}
	if matched >= s.walkAt*upto {
		return true, nil
	}
	if f.Start == "" && upto >= s.deepOffset {
		// Far into many matches: the walk reads about upto times the
		// events per match, index entries each at a fraction of a match
		// read and sorted (a box of 300,000 of a million events, from
		// 100,000: their ids sorted in 0.9-1.2 s). The planner's count
		// of the events stands for them.
		var events float64
		if err := tx.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'events'::regclass").Scan(&events); err != nil {
			return false, err
		}
		if events > 0 && float64(upto)*events < deepWalkAt*float64(matched)*float64(matched) {
			return true, nil
		}
	}
	// A walk must find its page inside the dates: past the start it
	// would read on to the oldest event.
	if f.Start == "" && f.End == "" || matched < upto {
		return false, nil
	}
	dq := eventsql.NewQuery(pgSQL)
	pgSQL.Dates(dq, f.Start, f.End)
	dated, err := estimate(ctx, tx, dq)
	if err != nil {
		return false, err
	}
	return dated <= float64(s.walkAt)*float64(matched), nil
}

// precisionWalk reports whether f's walk, which names precisions, finds
// its page's ids first in events_words_walk (readWalk), whose entries
// hold the precision since migration 0023 and every other field f names:
// an index-only scan, where the list order's walk read each row to test
// its precision and box (a precision in a hotspot's box: 10,000 rows for
// a page of 1,000, 0.7 s cold under load, against 326 buffers of
// entries, 3 ms). Not with sub-event types (events_sub_type_walk's) or a
// count of sources, which the index does not hold.
func precisionWalk(f geo.Filter) bool {
	return len(f.GeoPrecisions) > 0 && len(f.SubTypes) == 0 && f.MinSources <= 1
}

// precisionByDate reports whether f's count, which names precisions, a box
// and a first day, reads the entries of its dates in events_words_walk
// (dialect.byDate), testing the box and the precision on each, rather
// than the box's and the dates' GiST indexes ANDed and the rows they
// share: when the box is dense beside the dates (Store.denseBox). A
// precision in a hotspot's box of 300,000 events over six weeks: 54,000
// entries index-only instead of listing the box and reading 16,000 rows
// (0.15 s warm, 1-3 s cold under load).
func (s *Store) precisionByDate(ctx context.Context, q querier, f geo.Filter) (bool, error) {
	if !precisionWalk(f) || f.BBox == nil || f.Start == "" || strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != "" {
		return false, nil
	}
	return s.denseBox(ctx, q, f.BBox, [][2]string{{f.Start, f.End}})
}

// defaultSubTypeBoxRatio is how many times the events of a filter's box
// its sub-event types may hold, at most, by the planner's estimates, for
// the filter's count, page and stats to read the types' entries in
// events_sub_type_walk (Store.subTypeBoxRatio): an index-only entry
// costs about a fifth of an event found through the box's GiST index and
// read from its row (0.2 and 1.2 µs each).
const defaultSubTypeBoxRatio = 5

// subTypeReads reports whether the count, the page and the stats of f
// read the entries of its sub-event types in events_sub_type_walk
// (migration 0019), testing the box, the words and the rest on them,
// rather than the box's events or the GIN indexes' matches: when f names
// sub-event types and a box and no words, and the types hold at most
// s.subTypeBoxRatio times the events of the box, by the planner's
// estimates; or sub-event types and words, and the types fewer events than
// s.wordWalkAt times the rarest word's (rarestWord), as a word walk of an
// event type decides (Store.wordWalk). The planner, which cannot tell how many
// of the box's events are of a type, ANDed the two indexes and read the
// rows they shared (a type in a hotspot's box of 300,000 events: 16,638
// rows for the count, as many for the page, 1.7-1.9 s), and its generic
// plan of the count, the box's events from the GiST index alone (3.3 s
// under load); the box is kept off its index (dialect.walk).
func (s *Store) subTypeReads(ctx context.Context, q querier, f geo.Filter) (bool, error) {
	words := strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != ""
	if len(f.SubTypes) == 0 || f.BBox == nil && !words {
		return false, nil
	}
	tq := eventsql.NewQuery(pgSQL)
	tq.In("e.sub_event_type", f.SubTypes)
	typed, err := estimate(ctx, q, tq)
	if err != nil {
		return false, err
	}
	if words {
		rarest, err := rarestWord(ctx, q, f)
		if err != nil || rarest <= 0 {
			return false, err // no such word, or punctuation alone: the GIN index says so at once
		}
		return typed < float64(s.wordWalkAt)*float64(rarest), nil
	}
	bq := eventsql.NewQuery(pgSQL)
	bq.Add(boxIndexed(bq, *f.BBox))
	boxed, err := estimate(ctx, q, bq)
	if err != nil {
		return false, err
	}
	return typed <= s.subTypeBoxRatio*boxed, nil
}

// readSubTypes appends to events the page of f, limit events from
// offset, read by walking each of its sub-event types' entries in
// events_sub_type_walk in list order (eventsql.SubTypeWalkSQL), an
// index-only scan, and then the page's rows.
func (s *Store) readSubTypes(ctx context.Context, tx pgx.Tx, f geo.Filter, limit, offset int, events []geo.Event) ([]geo.Event, error) {
	ids, err := subTypeIDs(ctx, tx, f, limit, offset)
	if err != nil || len(ids) == 0 {
		return events, err
	}
	return s.idsAtOnce(ctx, tx, ids, events)
}

// subTypeIDs returns the ids of readSubTypes's page.
func subTypeIDs(ctx context.Context, tx pgx.Tx, f geo.Filter, limit, offset int) ([]string, error) {
	stmt, args := eventsql.SubTypeWalkSQL(dialect{walk: true}, f, nil, "events e", limit, offset)
	rows, err := tx.Query(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var (
			date *time.Time
			id   string
		)
		if err := rows.Scan(&date, &id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// readWalk is read for a walking condition q with words: the page's ids
// are found first, so that a walk whose other conditions are on the date
// index too scans the index events_words_walk alone, which holds the words
// in list order (an index-only scan: a word in a tenth of the events, 188
// buffers for a page of 1,000 instead of 9,798 rows read, 20 ms cold
// instead of 840 ms); then the page's rows are read.
// matched is how many events q holds (pageIDs), or -1 when unknown.
func (s *Store) readWalk(ctx context.Context, tx pgx.Tx, q *eventsql.Query, limit, offset, matched int, events []geo.Event) ([]geo.Event, error) {
	var ids []string
	var err error
	if matched >= 0 {
		ids, err = pageIDs(ctx, tx, q, matched, limit, offset)
	} else {
		ids, _, err = walkIDs(ctx, tx, q, limit, offset)
	}
	if err != nil || len(ids) == 0 {
		return events, err
	}
	return s.idsAtOnce(ctx, tx, ids, events)
}

// walkIDs walks readWalk's page: the ids of its events, in list order,
// and the list place of the last.
func walkIDs(ctx context.Context, tx pgx.Tx, q *eventsql.Query, limit, offset int) ([]string, geo.EventKey, error) {
	args := append(q.Args[:len(q.Args):len(q.Args)], limit, offset)
	rows, err := tx.Query(ctx, "SELECT e.id, "+pgSQL.DateText("e.event_date")+" FROM events e WHERE "+q.Where()+" ORDER BY "+eventsql.Order+
		" LIMIT "+pgSQL.Placeholder(len(args)-1)+" OFFSET "+pgSQL.Placeholder(len(args)), args...)
	if err != nil {
		return nil, geo.EventKey{}, err
	}
	defer rows.Close()
	var ids []string
	var last geo.EventKey
	for rows.Next() {
		var date *string
		if err := rows.Scan(&last.ID, &date); err != nil {
			return nil, geo.EventKey{}, err
		}
		last.Date = ""
		if date != nil {
			last.Date = *date
		}
		ids = append(ids, last.ID)
	}
	return ids, last, rows.Err()
}

// idsSQL reads the events of ids, its argument: their ids, then their
// columns (readKeyed).
var idsSQL = "SELECT e.id, " + eventsql.Columns(pgSQL) + " FROM events e WHERE e.id = ANY($1)"

// idsAtOnce appends to events the events of ids, in their order, in
// pieces at once (Store.rowsAtOnce).
func (s *Store) idsAtOnce(ctx context.Context, tx pgx.Tx, ids []string, events []geo.Event) ([]geo.Event, error) {
	return s.rowsAtOnce(ctx, tx, idsSQL, ids, events, nil)
}

// readIDs appends to events the events of ids, in their order, on tx
// alone.
func readIDs(ctx context.Context, tx pgx.Tx, ids []string, events []geo.Event) ([]geo.Event, error) {
	return readKeyed(ctx, tx, idsSQL, ids, events)
}

// wordCounts returns, when the kept word counts answer f's count and
// stats (eventsql.WordCountsWord, eventsql.OneTerm), the condition on
// word_counts that selects its groups.
func wordCounts(ctx context.Context, tx pgx.Tx, f geo.Filter) (*eventsql.Query, bool, error) {
	field, word, ok := eventsql.WordCountsWord(f)
	if !ok {
		return nil, false, nil
	}
	term, ok, err := eventsql.OneTerm(tx.QueryRow(ctx, eventsql.TermSQL(pgSQL), field, word), word)
	if err != nil || !ok {
		return nil, false, err
	}
	return eventsql.WordCounts(pgSQL, f, field, term), true, nil
}

// read appends to events the events under q in list order, limit of them
// from offset.
func read(ctx context.Context, tx pgx.Tx, q *eventsql.Query, limit, offset int, events []geo.Event) ([]geo.Event, error) {
	rows, err := tx.Query(ctx, eventsql.PageSQL(pgSQL, q, limit, offset), q.Args...)
	if err != nil {
		return nil, err
	}
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

// Event returns the event with the given id.
func (s *Store) Event(ctx context.Context, id string) (geo.Event, error) {
	e, err := eventsql.Scan(s.pool.QueryRow(ctx, "SELECT "+eventsql.Columns(pgSQL)+" FROM events e WHERE e.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Event{}, geo.Errorf(geo.ENOTFOUND, "no event %s", id)
	}
	if err != nil {
		return geo.Event{}, fmt.Errorf("postgis store: event %s: %w", id, err)
	}
	one := []geo.Event{e}
	if err := attach(ctx, s.pool, one); err != nil {
		return geo.Event{}, fmt.Errorf("postgis store: event %s: %w", id, err)
	}
	return one[0], nil
}

// Stats counts the events that match f, ignoring its Limit and Offset, by
// event type, by country code and by the Monday of event_date's week.
func (s *Store) Stats(ctx context.Context, f geo.Filter) (geo.Stats, error) {
	st, err := s.stats(ctx, f)
	if err != nil {
		return geo.Stats{}, fmt.Errorf("postgis store: stats: %w", err)
	}
	return st, nil
}

func (s *Store) stats(ctx context.Context, f geo.Filter) (geo.Stats, error) {
	f, err := reduced(ctx, s.pool, f)
	if err != nil {
		return geo.Stats{}, err
	}
	if st, ok, err := s.wordBoxStats(ctx, f); err != nil || ok {
		return st, err
	}
	if st, ok, err := s.detailBoxStats(ctx, f); err != nil || ok {
		return st, err
	}
	p, ok := eventsql.PlanBox(pgSQL, f, true)
	if !ok {
		p, ok = eventsql.PlanStats(pgSQL, f)
	}
	if ok && eventsql.StatsUsable(f) {
		var st geo.Stats
		err := s.snapshot(ctx, func(tx pgx.Tx) (err error) {
			st, err = s.cellStats(ctx, tx, p, f)
			return err
		})
		return st, err
	}
	if c, strips, ok := eventsql.PlanDetail(pgSQL, f); ok {
		var st geo.Stats
		err := s.snapshot(ctx, func(tx pgx.Tx) (err error) {
			st, err = s.detailStats(ctx, tx, f, c, strips)
			return err
		})
		return st, err
	}
	if st, ok, err := s.wordWeekStats(ctx, f); err != nil || ok {
		return st, err
	}
	if st, ok, err := s.wordDateStats(ctx, f); err != nil || ok {
		return st, err
	}
	// One word with types, a country, modalities or origins: its kept
	// counts, as SQLite's stats read them, before a walk of the events
	// (an actor's word with a country: 1 ms of groups against a walk of
	// the country's entries, 25 ms).
	if _, _, ok := eventsql.WordCountsWord(f); ok {
		var (
			st   geo.Stats
			used bool
		)
		err := s.snapshot(ctx, func(tx pgx.Tx) error {
			c, ok, err := wordCounts(ctx, tx, f)
			if err != nil || !ok {
				return err
			}
			rows, err := tx.Query(ctx, eventsql.WordCountsStatsSQL(c), c.Args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			st, err = eventsql.Tally(rows)
			used = err == nil
			return err
		})
		if err != nil || used {
			return st, err
		}
	}
	if st, ok, err := s.setStats(ctx, f); err != nil || ok {
		return st, err
	}
	if wordWalkable(f) {
		var (
			st     geo.Stats
			walked bool
		)
		err := s.snapshot(ctx, func(tx pgx.Tx) error {
			from, walk, err := s.wordWalk(ctx, tx, f, nil)
			if err != nil || !walk {
				return err
			}
			q := walkFilter(f, from)
			rows, err := tx.Query(ctx, eventsql.StatsSQL(pgSQL, q), q.Args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			st, err = eventsql.Tally(rows)
			walked = err == nil
			return err
		})
		if err != nil || walked {
			return st, err
		}
	}
	if eventsql.CountsUsable(f) {
		q := eventsql.Counts(pgSQL, f)
		rows, err := s.pool.Query(ctx, eventsql.CountsStatsSQL(q), q.Args...)
		if err != nil {
			return geo.Stats{}, err
		}
		defer rows.Close()
		return eventsql.Tally(rows)
	}
	if ok, err := s.subTypeReads(ctx, s.pool, f); err != nil {
		return geo.Stats{}, err
	} else if ok {
		// The planner, which expects a few of the types' events in the box
		// where it finds thousands, sorted them by their text keys with two
		// workers: told to hash them, 0.51 -> 0.12 s under load (a type in
		// a hotspot's box, 16,638 events).
		q := eventsql.Filter(dialect{walk: true}, f)
		var st geo.Stats
		err := s.snapshot(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL enable_sort = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"); err != nil {
				return err
			}
			return eachRow(ctx, tx, eventsql.StatsSQL(pgSQL, q), q.Args, func(rows pgx.Rows) (err error) {
				st, err = eventsql.Tally(rows)
				return err
			})
		})
		return st, err
	}
	var st geo.Stats
	read := func(rows pgx.Rows) (err error) {
		st, err = eventsql.Tally(rows)
		return err
	}
	if words, _ := eventsql.TextWords(f); len(words) > 0 {
		// The stored words that f's words start alone (Store.events), looked
		// up in the snapshot that reads the events.
		err = s.snapshot(ctx, func(tx pgx.Tx) error {
			d, err := s.datesDialect(ctx, tx, f)
			if err != nil {
				return err
			}
			if d.terms, err = exactTerms(ctx, tx, f); err != nil {
				return err
			}
			q := eventsql.Filter(d, f)
			return groupedTx(ctx, tx, d, eventsql.StatsSQL(d, q), q.Args, read)
		})
		return st, err
	}
	d, err := s.datesDialect(ctx, s.pool, f)
	if err != nil {
		return geo.Stats{}, err
	}
	q := eventsql.Filter(d, f)
	err = s.grouped(ctx, d, eventsql.StatsSQL(d, q), q.Args, read)
	return st, err
}

// grouped runs stmt, a statement that groups the events of dialect d, and
// hands its rows to read. Reading by date, the planner, which cannot tell
// how many of the dates' events the box holds, sorts a few it expects
// where it finds thousands (a hotspot's box over six weeks: 16,000 rows
// sorted by their text keys in a third of the statement's time): it is
// told to hash them.
func (s *Store) grouped(ctx context.Context, d dialect, stmt string, args []any, read func(pgx.Rows) error) error {
	if !d.byDate {
		return eachRow(ctx, s.pool, stmt, args, read)
	}
	return s.snapshot(ctx, func(tx pgx.Tx) error { return groupedTx(ctx, tx, d, stmt, args, read) })
}

// groupedTx is grouped in the transaction tx.
func groupedTx(ctx context.Context, tx pgx.Tx, d dialect, stmt string, args []any, read func(pgx.Rows) error) error {
	if d.byDate {
		if _, err := tx.Exec(ctx, "SET LOCAL enable_sort = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"); err != nil {
			return err
		}
	}
	return eachRow(ctx, tx, stmt, args, read)
}

// Cells counts the events that match f, ignoring its Limit and Offset, in
// the cells of the density grid at zoom (geo.CellOf), by event type, with
// their fatalities.
func (s *Store) Cells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, error) {
	f, err := reduced(ctx, s.pool, f)
	if err != nil {
		return nil, fmt.Errorf("postgis store: cells: %w", err)
	}
	if _, _, ok := eventsql.WordCellsWord(f); ok && zoom <= eventsql.WordFineLevel {
		var (
			cells []geo.Cell
			used  bool
		)
		err := s.snapshot(ctx, func(tx pgx.Tx) error {
			p, field, term, ok, err := wordCellPlan(ctx, tx, f, zoom)
			if err != nil || !ok {
				return err
			}
			cells, err = wordCellGroups(ctx, tx, p, f, zoom, field, term)
			used = err == nil
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("postgis store: cells: %w", err)
		}
		if used {
			return cells, nil
		}
	}
	if cells, ok, err := s.wordWeekCells(ctx, f, zoom); err != nil {
		return nil, fmt.Errorf("postgis store: cells: %w", err)
	} else if ok {
		return cells, nil
	}
	if cells, ok, err := s.wordOutsideCells(ctx, f, zoom); err != nil {
		return nil, fmt.Errorf("postgis store: cells: %w", err)
	} else if ok {
		return cells, nil
	}
	if cells, ok, err := s.detailCells(ctx, f, zoom); err != nil {
		return nil, fmt.Errorf("postgis store: cells: %w", err)
	} else if ok {
		return cells, nil
	}
	if p, ok := eventsql.PlanZoom(pgSQL, f, zoom); ok {
		var cells []geo.Cell
		err := s.snapshot(ctx, func(tx pgx.Tx) (err error) {
			cells, err = s.cellGroups(ctx, tx, p, f, zoom)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("postgis store: cells: %w", err)
		}
		return cells, nil
	}
	if cells, ok, err := s.wordDatesCells(ctx, f, zoom); err != nil {
		return nil, fmt.Errorf("postgis store: cells: %w", err)
	} else if ok {
		return cells, nil
	}
	if cells, ok, err := s.boxWalkCells(ctx, f, zoom); err != nil {
		return nil, fmt.Errorf("postgis store: cells: %w", err)
	} else if ok {
		return cells, nil
	}
	d, err := s.datesDialect(ctx, s.pool, f)
	if err != nil {
		return nil, fmt.Errorf("postgis store: cells: %w", err)
	}
	// No statement starts the planner's parallel workers: each is a new
	// server process, whose first reads of shared memory cost more than
	// its share of the work (the density cells of a sub-event type in a
	// hotspot's view read the type's 55,000 index entries in 77 ms with
	// two workers, 23-32 ms without); turned off for every statement of
	// the store, they made pages of words slower.
	prepare := func(ctx context.Context, tx pgx.Tx) error {
		set := "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"
		if d.byDate {
			set += "; SET LOCAL enable_sort = off"
		}
		_, err := tx.Exec(ctx, set)
		return err
	}
	if !d.byDate && boxDatesWalkable(f) {
		d, prepare = dialect{walk: true, boxWalk: true}, walkPlanner
	}
	boxes := []*geo.BBox{f.BBox}
	if (eventsql.BoxAlone(f) || d.boxWalk) && !d.byDate {
		if cuts := eventsql.BoxCuts(*f.BBox, s.pieces); len(cuts) > 0 {
			boxes = boxes[:0]
			for i := range cuts {
				boxes = append(boxes, &cuts[i])
			}
		}
	}
	cells, err := s.pieceCells(ctx, d, prepare, f, boxes, zoom)
	if err != nil {
		return nil, fmt.Errorf("postgis store: cells: %w", err)
	}
	return cells, nil
}

// pieceCells answers the density cells of f, grouped from its events in
// d's spelling, in the boxes (eventsql.BoxCuts, else f's own) at once in
// one snapshot (atOnce), each transaction set by prepare: grouping the
// events costs CPU, and one statement uses one (the hotspot's 55,000
// events since a day at zoom 11).
func (s *Store) pieceCells(ctx context.Context, d dialect, prepare func(context.Context, pgx.Tx) error, f geo.Filter, boxes []*geo.BBox, zoom int) ([]geo.Cell, error) {
	groups := make([][]geo.CellRow, len(boxes))
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		if err := prepare(ctx, tx); err != nil {
			return err
		}
		return s.atOnce(ctx, tx, len(boxes), prepare, func(tx pgx.Tx, i int) error {
			pf := f
			pf.BBox = boxes[i]
			q := eventsql.Filter(d, pf)
			return eachRow(ctx, tx, eventsql.CellsSQL(d, q, zoom), q.Args, func(rows pgx.Rows) (err error) {
				groups[i], err = eventsql.CellRows(rows)
				return err
			})
		})
	})
	if err != nil {
		return nil, err
	}
	return geo.FoldCells(zoom, slices.Concat(groups...)), nil
}

// Extent returns the bounding box of all event points, the first
// event_date and the last event_date_end (or event_date). The box comes from
// the exact coordinates, not from PostGIS's float boxes.
func (s *Store) Extent(ctx context.Context) (geo.Extent, error) {
	ext, err := eventsql.ScanExtent(s.pool.QueryRow(ctx, eventsql.ExtentSQL(pgSQL)))
	if err != nil {
		return geo.Extent{}, fmt.Errorf("postgis store: extent: %w", err)
	}
	return ext, nil
}

// spansIn returns event_counts added up by first and last day in tx's
// snapshot, from the store's cache when it holds them
// (eventsql.SpansCache).
func (s *Store) spansIn(ctx context.Context, tx pgx.Tx) (*eventsql.DatedSpans, error) {
	d := &eventsql.DatedSpans{}
	if err := tx.QueryRow(ctx, versionSQL).Scan(&d.Version); err != nil {
		return nil, err
	}
	if c := s.spans.Get(d.Version); c != nil {
		return c, nil
	}
	rows, err := tx.Query(ctx, eventsql.DatedSpansSQL)
	if err != nil {
		return nil, err
	}
	var first, last string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&first, &last, &n}, func() error { d.Add(first, last, n); return nil }); err != nil {
		return nil, err
	}
	s.spans.Put(d)
	return d, nil
}
