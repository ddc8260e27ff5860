package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// cellCount counts f's events by plan p: the kept counts of its cells and
// the events of its strips (stripsCount).
func (s *Store) cellCount(ctx context.Context, tx pgx.Tx, p eventsql.CellPlan, f geo.Filter) (int, error) {
	d, p, err := s.stripDialect(ctx, tx, p, f)
	if err != nil {
		return 0, err
	}
	// A strip along the box's edge between dates is counted from
	// events_box_walk's entries alone, where the GiST index's candidates
	// read a page of the table each (the hotspot's box in a year: four
	// strips of 1,000 to 9,000 events, 17-42 ms each, 4-8 this way).
	d.sparseBoxWalk = boxDatesWalkable(f)
	stmt, args := eventsql.CellCountSQL(pgSQL, p, f)
	return s.stripsCount(ctx, tx, stmt, args, p.Strips, func(strip eventsql.Strip) *eventsql.Query { return eventsql.StripFilter(d, f, strip) })
}

// stripsCount adds up the count of stmt (the kept counts of a plan's
// cells) and of the events of each strip (selected by strip), added or
// taken off by its sign: each a job of atOnce.
func (s *Store) stripsCount(ctx context.Context, tx pgx.Tx, stmt string, args []any, strips []eventsql.Strip,
	strip func(eventsql.Strip) *eventsql.Query) (int, error) {
	counts := make([]int64, 1+len(strips))
	err := s.stripsAtOnce(ctx, tx, len(counts), func(tx pgx.Tx, i int) error {
		if i == 0 {
			return tx.QueryRow(ctx, stmt, args...).Scan(&counts[0])
		}
		sq := strip(strips[i-1])
		if err := tx.QueryRow(ctx, eventsql.CountSQL(sq), sq.Args...).Scan(&counts[i]); err != nil {
			return err
		}
		counts[i] *= int64(strips[i-1].Sign())
		return nil
	})
	var total int64
	for _, n := range counts {
		total += n
	}
	return int(total), err
}

// cellStats is Stats of f by plan p: the kept cells' two statements and
// the strips' each a job of atOnce.
func (s *Store) cellStats(ctx context.Context, tx pgx.Tx, p eventsql.CellPlan, f geo.Filter) (geo.Stats, error) {
	d, p, err := s.stripDialect(ctx, tx, p, f)
	if err != nil {
		return geo.Stats{}, err
	}
	tallies := make([]geo.Tally, 2+len(p.Strips))
	err = s.stripsAtOnce(ctx, tx, len(tallies), func(tx pgx.Tx, i int) error {
		t := &tallies[i]
		switch i {
		case 0:
			stmt, args := eventsql.CellTypeWeekSQL(pgSQL, p, f)
			return eachRow(ctx, tx, stmt, args, func(r pgx.Rows) error { return eventsql.TallyTypeWeeks(r, t) })
		case 1:
			stmt, args := eventsql.CellCountrySQL(pgSQL, p, f)
			return eachRow(ctx, tx, stmt, args, func(r pgx.Rows) error { return eventsql.TallyCountries(r, t) })
		}
		strip := p.Strips[i-2]
		sd := d
		if statsBoxWalkable(f, strip) {
			sd = dialect{walk: true, boxWalk: true, sparseBoxWalk: true}
		}
		sq := eventsql.StripFilter(sd, f, strip)
		return eachRow(ctx, tx, eventsql.StatsSQL(pgSQL, sq), sq.Args, func(r pgx.Rows) error { return eventsql.TallyRows(r, strip.Sign(), t) })
	})
	if err != nil {
		return geo.Stats{}, err
	}
	return merged(tallies), nil
}

// cellGroups returns the density cells of f at zoom by plan p, read in
// one statement (eventsql.CellPlanSQL) per part of it (CellPlan.Parts),
// the parts at once (stripsAtOnce): a plan of nested cells and strips is
// a dozen reads, each a round trip and a plan apart, and a hotspot's view
// at zoom 9 over a year reads 55,000 groups of cell_fine_weeks, which the
// planner gave its parallel workers (47 ms of the statement's 56).
func (s *Store) cellGroups(ctx context.Context, tx pgx.Tx, p eventsql.CellPlan, f geo.Filter, zoom int) ([]geo.Cell, error) {
	d, p, err := s.stripDialect(ctx, tx, p, f)
	if err != nil {
		return nil, err
	}
	// A strip between dates whose box holds few events beside them reads
	// events_box_walk's entries, which hold the point, the type and the
	// fatalities too, as cellCount's do (a tile of zoom 8 in the hotspot
	// over a year: a strip of 13,440 events, their rows 27 ms).
	d.sparseBoxWalk = boxDatesWalkable(f)
	parts := p.Parts(s.pieces)
	groups := make([][]geo.CellRow, len(parts))
	err = s.stripsAtOnce(ctx, tx, len(parts), func(tx pgx.Tx, i int) error {
		stmt, args := eventsql.CellPlanSQL(d, parts[i], f, zoom)
		return eachRow(ctx, tx, stmt, args, func(r pgx.Rows) (err error) {
			groups[i], err = eventsql.ScanPlanRows(r, zoom, groups[i])
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return geo.FoldCells(zoom, slices.Concat(groups...)), nil
}

// eachRow runs stmt and hands its rows to read.
func eachRow(ctx context.Context, q querier, stmt string, args []any, read func(pgx.Rows) error) error {
	rows, err := q.Query(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return read(rows)
}

// snapshot runs read in a read-only transaction, so that the several
// statements of a plan see one state of the store.
func (s *Store) snapshot(ctx context.Context, read func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return read(tx)
}

// defaultDenseBoxRatio is how many times the events of the edge days of a
// filter's dates its box must hold, by the planner's estimates, for those
// days' strips to test the box row by row (Store.denseBoxRatio): listing
// a box's GiST entries costs about a fifth of reading an event's row.
const defaultDenseBoxRatio = 5

// stripDialect returns the dialect of p's strips for f, and p with its
// Sparse strips marked: denseBox when f's box holds s.denseBoxRatio times
// the events of p's Days strips, by the planner's estimates, or when f has
// no box. The planner itself, costing a GiST entry at a hundredth of a
// row, ANDs a box of 300,000 events with two days of 5,000 and spends
// 0.1-0.5 s listing the box (BENCHMARKS.md); and the days of a filter
// without a box, read through the GiST index of the dates, read each
// event's row (two strips of 5,000: 10-20 ms each). The other way round,
// a strip along the box's edge whose box holds few events beside its
// dates is Sparse (sparseStrips).
func (s *Store) stripDialect(ctx context.Context, q querier, p eventsql.CellPlan, f geo.Filter) (dialect, eventsql.CellPlan, error) {
	d := pgSQL
	var days [][2]string
	for _, strip := range p.Strips {
		if strip.Days {
			days = append(days, [2]string{strip.Start, strip.End})
		}
	}
	if len(days) > 0 {
		dense, err := s.denseBox(ctx, q, f.BBox, days)
		if err != nil {
			return d, p, err
		}
		d.denseBox = dense
	}
	p, err := s.sparseStrips(ctx, q, p)
	return d, p, err
}

// defaultSparseBoxRatio is how many times the events of a strip's box, by
// the planner's estimates, its dates must hold at least for the strip to
// be Sparse (Store.sparseBoxRatio). Reading a box's events' rows costs
// what listing six times as many entries of the dates' index does (1.2
// and 0.2 µs each), but beside a dense middle the estimates of a strip's
// box run high (a hotspot's edge: 10,032 for 537): the box is trusted
// with as many events as the dates.
const defaultSparseBoxRatio = 1

// sparseStrips returns p with the strips along its box's edges marked
// Sparse when their dates hold s.sparseBoxRatio times the events of their
// box, by the planner's estimates.
func (s *Store) sparseStrips(ctx context.Context, q querier, p eventsql.CellPlan) (eventsql.CellPlan, error) {
	dated := map[[2]string]float64{}
	strips := slices.Clone(p.Strips)
	for i, strip := range strips {
		dates := [2]string{strip.Start, strip.End}
		if strip.Days || strip.Box == nil || dates == [2]string{} || (strip.Start != "" && strip.End != "" && strip.Start > strip.End) {
			continue
		}
		if _, ok := dated[dates]; !ok {
			dq := eventsql.NewQuery(pgSQL)
			pgSQL.Dates(dq, strip.Start, strip.End)
			n, err := estimate(ctx, q, dq)
			if err != nil {
				return p, err
			}
			dated[dates] = n
		}
		bq := eventsql.NewQuery(pgSQL)
		bq.Add(boxIndexed(bq, *strip.Box))
		n, err := estimate(ctx, q, bq)
		if err != nil {
			return p, err
		}
		strips[i].Sparse = s.sparseBoxRatio*n <= dated[dates]
	}
	p.Strips = strips
	return p, nil
}

// datesDialect returns the dialect of f's events for a query that reads
// them all (stats, density cells): byDate when f has dates and a box that
// holds s.denseBoxRatio times the events of its dates.
func (s *Store) datesDialect(ctx context.Context, q querier, f geo.Filter) (dialect, error) {
	if f.BBox == nil || (f.Start == "" && f.End == "") || (f.Start != "" && f.End != "" && f.Start > f.End) {
		return pgSQL, nil
	}
	dense, err := s.denseBox(ctx, q, f.BBox, [][2]string{{f.Start, f.End}})
	return dialect{byDate: dense}, err
}

// denseBox reports whether box holds s.denseBoxRatio times the events of
// the date ranges, by the planner's estimates; always when box is nil.
func (s *Store) denseBox(ctx context.Context, q querier, box *geo.BBox, ranges [][2]string) (bool, error) {
	if box == nil {
		return true, nil
	}
	var dated float64
	for _, r := range ranges {
		dq := eventsql.NewQuery(pgSQL)
		pgSQL.Dates(dq, r[0], r[1])
		n, err := estimate(ctx, q, dq)
		if err != nil {
			return false, err
		}
		dated += n
	}
	if dated == 0 {
		return false, nil
	}
	bq := eventsql.NewQuery(pgSQL)
	bq.Add(boxIndexed(bq, *box))
	n, err := estimate(ctx, q, bq)
	if err != nil {
		return false, err
	}
	return n >= s.denseBoxRatio*dated, nil
}

// estimate returns the planner's estimate of the events under c.
func estimate(ctx context.Context, q querier, c *eventsql.Query) (float64, error) {
	var plan []byte
	if err := q.QueryRow(ctx, "EXPLAIN (FORMAT JSON) SELECT 1 FROM events e WHERE "+c.Where(), c.Args...).Scan(&plan); err != nil {
		return 0, err
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &out); err != nil {
		return 0, fmt.Errorf("reading the planner's estimate: %w", err)
	}
	if len(out) == 0 {
		return 0, fmt.Errorf("reading the planner's estimate: no plan in %.80q", plan)
	}
	return out[0].Plan.Rows, nil
}

// reduced is eventsql.Reduced read through q.
func reduced(ctx context.Context, q querier, f geo.Filter) (geo.Filter, error) {
	return eventsql.Reduced(pgSQL, f, func(stmt string, args ...any) eventsql.Scanner {
		return q.QueryRow(ctx, stmt, args...)
	})
}

// wordCellPlan returns the plan of f's count (zoom eventsql.WordCellLevel)
// or of its density cells at zoom from the kept counts per word and cell
// (eventsql.PlanWordCells), with the field and the stored word its word
// starts (empty when none), when they answer f: one word that starts one
// stored word only, with a box or types besides.
func wordCellPlan(ctx context.Context, q querier, f geo.Filter, zoom int) (p eventsql.CellPlan, field, term string, ok bool, err error) {
	field, word, ok := eventsql.WordCellsWord(f)
	if !ok {
		return p, "", "", false, nil
	}
	if p, ok = eventsql.PlanWordCells(pgSQL, f, zoom); !ok {
		return p, "", "", false, nil
	}
	term, ok, err = eventsql.OneTerm(q.QueryRow(ctx, eventsql.TermSQL(pgSQL), field, word), word)
	return p, field, term, ok, err
}

// wordStripFilter is the condition of a strip of a plan of cell_words: the
// strip's events found by their box, and each one's words tested on its
// row (dialect.Words of a walk), since the GIN index would list every event
// of a common word for each strip.
func wordStripFilter(f geo.Filter, strip eventsql.Strip) *eventsql.Query {
	g := f
	g.Actor, g.Q = "", ""
	sq := eventsql.StripFilter(pgSQL, g, strip)
	switch fields, ok := eventsql.TextWords(f); {
	case !ok:
		sq.Add("1 = 0") // punctuation alone matches nothing
	case len(fields) > 0:
		dialect{walk: true}.Words(sq, fields)
	}
	return sq
}

// wordCellCount counts f's events by plan p of cell_words (wordCellPlan).
func wordCellCount(ctx context.Context, q querier, p eventsql.CellPlan, f geo.Filter, field, term string) (int, error) {
	if term == "" {
		return 0, nil
	}
	stmt, args := eventsql.WordCellCountSQL(pgSQL, p, f, field, term)
	var total int64
	if err := q.QueryRow(ctx, stmt, args...).Scan(&total); err != nil {
		return 0, err
	}
	n, err := wordStripsCount(ctx, q, f, p.Strips)
	if err != nil {
		return 0, err
	}
	total += n
	return int(total), nil
}

// wordStripsCount is what the edge strips of a word's cell plan add to its
// count (or take off it, by their sign), their words tested on their
// entries or rows (wordStripQuery).
func wordStripsCount(ctx context.Context, q querier, f geo.Filter, strips []eventsql.Strip) (int64, error) {
	var (
		total int64
		terms *eventsql.Terms
	)
	for _, strip := range strips {
		sq, err := wordStripQuery(ctx, q, f, strip, &terms)
		if err != nil {
			return 0, err
		}
		var n int64
		if err := q.QueryRow(ctx, eventsql.CountSQL(sq), sq.Args...).Scan(&n); err != nil {
			return 0, err
		}
		total += int64(strip.Sign()) * n
	}
	return total, nil
}

// wordWeekCellPlan returns the plan of f's count, one word with a box and
// dates, from the kept counts per word, cell and week
// (eventsql.PlanWordWeekCells), with the stored word its word starts
// (empty when none), when they answer f.
func wordWeekCellPlan(ctx context.Context, q querier, f geo.Filter) (w eventsql.WordWeekCells, term string, ok bool, err error) {
	if w, ok = eventsql.PlanWordWeekCells(pgSQL, f); !ok {
		return w, "", false, nil
	}
	term, ok, err = eventsql.OneTerm(q.QueryRow(ctx, eventsql.TermSQL(pgSQL), w.Field, w.Word), w.Word)
	return w, term, ok, err
}

// wordWeekCellCount counts f's events by plan w (wordWeekCellPlan): the
// groups of the box's inner cells in the whole weeks inside the dates,
// the events of the box's edge strips in those weeks (their words tested
// on their rows, wordStripFilter; a strip's dates kept off their
// index when they hold more events than its box, sparseStrips: a hotspot's
// box from a start date on, 0.25-0.6 s through the dates' 549,036 entries)
// and those of the days outside them, read by date from events_words_walk
// (the box and the words tested on its entries: weekDialect).
func (s *Store) wordWeekCellCount(ctx context.Context, q querier, w eventsql.WordWeekCells, f geo.Filter, term string) (int, error) {
	if term == "" {
		return 0, nil
	}
	stmt, args := w.CountSQL(pgSQL, term)
	var total int64
	if err := q.QueryRow(ctx, stmt, args...).Scan(&total); err != nil {
		return 0, err
	}
	p, err := s.sparseStrips(ctx, q, w.Plan)
	if err != nil {
		return 0, err
	}
	n, err := wordStripsCount(ctx, q, f, p.Strips)
	if err != nil {
		return 0, err
	}
	total += n
	for _, e := range eventsql.WeekEdges(weekDialect, f, w.First, w.Last) {
		var n int64
		if err := q.QueryRow(ctx, eventsql.CountSQL(e), e.Args...).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return int(total), nil
}

// wordCellGroups returns the density cells of f at zoom by plan p of
// cell_words (wordCellPlan).
func wordCellGroups(ctx context.Context, q querier, p eventsql.CellPlan, f geo.Filter, zoom int, field, term string) ([]geo.Cell, error) {
	groups, err := wordCellRows(ctx, q, p, f, zoom, field, term)
	if err != nil {
		return nil, err
	}
	return geo.FoldCells(zoom, groups), nil
}

// wordCellRows returns the groups of f's events by density cell at zoom,
// for geo.FoldCells, by plan p of cell_words (wordCellPlan).
func wordCellRows(ctx context.Context, q querier, p eventsql.CellPlan, f geo.Filter, zoom int, field, term string) ([]geo.CellRow, error) {
	if term == "" {
		return nil, nil
	}
	stmt, args := eventsql.WordCellGroupsSQL(pgSQL, p, f, field, term, zoom)
	var groups []geo.CellRow
	err := eachRow(ctx, q, stmt, args, func(r pgx.Rows) (err error) {
		groups, err = eventsql.ScanCellRows(r, zoom, zoom, 1, groups)
		return err
	})
	if err != nil {
		return nil, err
	}
	return wordStripRows(ctx, q, f, p.Strips, zoom, groups)
}

// wordStripRows appends to groups those of the events of f's word in the
// strips of a plan of the kept counts per word, by density cell at zoom,
// each with its strip's sign.
func wordStripRows(ctx context.Context, q querier, f geo.Filter, strips []eventsql.Strip, zoom int, groups []geo.CellRow) ([]geo.CellRow, error) {
	var terms *eventsql.Terms
	for _, strip := range strips {
		sq, err := wordStripQuery(ctx, q, f, strip, &terms)
		if err != nil {
			return nil, err
		}
		err = eachRow(ctx, q, eventsql.CellsSQL(pgSQL, sq, zoom), sq.Args, func(r pgx.Rows) (err error) {
			groups, err = eventsql.ScanCellRows(r, zoom, zoom, strip.Sign(), groups)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return groups, nil
}

// wordWeekCells answers the density cells at zoom of f, one word with
// dates holding a whole week (and a box or types), from the kept counts
// per word, cell, week and type (cell_word_weeks,
// eventsql.PlanWordWeekDensity): the groups of the box's inner cells in
// the whole weeks inside the dates, the events of the box's edge strips in
// those weeks (their words tested on their rows) and those of the days
// outside them, walked on events_words_walk (weekDialect), in one
// snapshot. False when the kept counts do not answer f, or when the dates
// leave out so few events that wordOutsideCells reads fewer
// (eventsql.FewOutside).
func (s *Store) wordWeekCells(ctx context.Context, f geo.Filter, zoom int) (cells []geo.Cell, ok bool, err error) {
	w, planned := eventsql.PlanWordWeekDensity(pgSQL, f, zoom)
	if !planned {
		return nil, false, nil
	}
	err = s.snapshot(ctx, func(tx pgx.Tx) error {
		spans, err := s.spansIn(ctx, tx)
		if err != nil || eventsql.FewOutside(spans, f) {
			return err
		}
		term, found, err := eventsql.OneTerm(tx.QueryRow(ctx, eventsql.TermSQL(pgSQL), w.Field, w.Word), w.Word)
		if err != nil || !found {
			return err
		}
		if term == "" {
			cells, ok = geo.FoldCells(zoom, nil), true // no stored word: no event has it
			return nil
		}
		stmt, args := w.GroupsSQL(pgSQL, f, term, zoom, eventsql.Piece{})
		var groups []geo.CellRow
		err = eachRow(ctx, tx, stmt, args, func(r pgx.Rows) (err error) {
			groups, err = eventsql.ScanCellRows(r, zoom, zoom, 1, groups)
			return err
		})
		if err != nil {
			return err
		}
		if groups, err = wordStripRows(ctx, tx, f, w.Plan.Strips, zoom, groups); err != nil {
			return err
		}
		if err := walkPlanner(ctx, tx); err != nil {
			return err
		}
		edges, err := s.cellsAtOnce(ctx, tx, weekDialect, eventsql.WeekEdges(weekDialect, f, w.First, w.Last), zoom, 1)
		if err != nil {
			return err
		}
		cells, ok = geo.FoldCells(zoom, append(groups, edges...)), true
		return nil
	})
	return cells, ok, err
}

// wordOutsideCells answers the density cells at zoom of f, one word with
// dates (and a box or types), as the word's kept cells of every date
// (cell_words, wordCellPlan) less its events outside the dates
// (eventsql.OutsideDates), walked on events_words_walk with the box and
// the words tested on its entries (weekDialect): when the dates leave out
// fewer events than they hold, than f's box holds (eventsql.BoxBoundSQL)
// and than wordWalkAt times the word's matches. At zooms finer than
// cell_word_weeks' (or dates within a week) dates that reach back before
// most of the events otherwise read all of them (the million, a common
// word since a month into its data: the world's cells 639 ms, 26 ms this
// way); at its zooms wordWeekCells leaves it the dates that leave out few
// events.
func (s *Store) wordOutsideCells(ctx context.Context, f geo.Filter, zoom int) (cells []geo.Cell, ok bool, err error) {
	undated, usable := eventsql.OutsideWord(f, zoom)
	if !usable {
		return nil, false, nil
	}
	err = s.snapshot(ctx, func(tx pgx.Tx) error {
		spans, err := s.spansIn(ctx, tx)
		if err != nil {
			return err
		}
		outside := spans.Outside(f.Start, f.End)
		if outside >= spans.Count(f.Start, f.End) {
			return nil
		}
		if f.BBox != nil {
			if stmt, args, ok := eventsql.BoxBoundSQL(pgSQL, *f.BBox); ok {
				var box int64
				if err := tx.QueryRow(ctx, stmt, args...).Scan(&box); err != nil || box <= outside {
					return err
				}
			}
		}
		over, err := wordsOver(ctx, tx, f, outside/int64(s.wordWalkAt))
		if err != nil || !over {
			return err
		}
		p, field, term, planned, err := wordCellPlan(ctx, tx, undated, zoom)
		if err != nil || !planned {
			return err
		}
		groups, err := wordCellRows(ctx, tx, p, undated, zoom, field, term)
		if err != nil {
			return err
		}
		if term != "" {
			// The planner set for a walk after the kept cells and strips,
			// which it would read otherwise.
			if err := walkPlanner(ctx, tx); err != nil {
				return err
			}
			var cuts []string
			if f.Start != "" && s.pieces > 1 {
				cuts = spans.CutsBefore(f.Start, s.pieces)
			}
			// The walks, the range before the start cut in pieces, read
			// by connections at once in tx's snapshot.
			out, err := s.cellsAtOnce(ctx, tx, weekDialect, eventsql.OutsideDates(weekDialect, f, cuts), zoom, -1)
			if err != nil {
				return err
			}
			groups = append(groups, out...)
		}
		cells, ok = geo.FoldCells(zoom, groups), true
		return nil
	})
	return cells, ok, err
}

// wordStripQuery is the condition of a strip of a plan of cell_words
// or cell_word_fine for a count or density cells: the strip's entries of
// events_box_walk when they hold every field the strip tests
// (boxWalkable) and it meets few columns (eventsql.MaxStripColumns), else
// its rows (wordStripFilter). At zoom 11 the cells of
// level 11 leave strips up to a cell wide on the box's edges, which hold a
// sixth of a hotspot's view (the million: 17,000 events, whose rows took
// the view's cells to 145 ms, their entries to 15-22). *terms holds the
// stored words that f's words start, looked up once for the plan's
// strips.
func wordStripQuery(ctx context.Context, q querier, f geo.Filter, strip eventsql.Strip, terms **eventsql.Terms) (*eventsql.Query, error) {
	g := f
	g.BBox, g.Start, g.End = strip.Box, strip.Start, strip.End
	if x0, x1 := eventsql.ColumnRange(*strip.Box, boxWalkLevel); !boxWalkable(g) || g.Start != "" || g.End != "" || x1-x0 >= eventsql.MaxStripColumns {
		return wordStripFilter(f, strip), nil
	}
	if *terms == nil {
		t, err := eventsql.ExactTerms(pgSQL, f, func(stmt string, args ...any) eventsql.Scanner { return q.QueryRow(ctx, stmt, args...) })
		if err != nil {
			return nil, err
		}
		*terms = t
	}
	return eventsql.StripFilter(dialect{walk: true, boxWalk: true, terms: *terms}, f, strip), nil
}

// detailCount counts f's events from the kept counts by sub-event type and
// precision (eventsql.PlanDetail): the groups under c and the events of
// the days at either end of f's dates (stripsCount).
func (s *Store) detailCount(ctx context.Context, tx pgx.Tx, f geo.Filter, c *eventsql.Query, strips []eventsql.Strip) (int, error) {
	return s.stripsCount(ctx, tx, eventsql.DetailCountSQL(c), c.Args, strips, func(strip eventsql.Strip) *eventsql.Query {
		return eventsql.StripFilter(detailDialect(f), f, strip)
	})
}

// detailDialect is the dialect of the strips of detailCount and
// detailStats: with sub-event types, a strip of days reads the types'
// entries of its first days (byDate: events_sub_type_walk is keyed by the
// type and the first day, and holds the dates), where the dates'
// index found every event of the days and read its row (a type's first
// five days of an eleven weeks' filter: 32-34 ms against 1.6 ms).
func detailDialect(f geo.Filter) dialect {
	if len(f.SubTypes) > 0 {
		return dialect{typedDays: true}
	}
	return pgSQL
}

// detailStats is Stats of f from the kept counts by sub-event type and
// precision, as detailCount counts them: the counts and each strip a job
// of atOnce.
func (s *Store) detailStats(ctx context.Context, tx pgx.Tx, f geo.Filter, c *eventsql.Query, strips []eventsql.Strip) (geo.Stats, error) {
	tallies := make([]geo.Tally, 1+len(strips))
	err := s.stripsAtOnce(ctx, tx, len(tallies), func(tx pgx.Tx, i int) error {
		t := &tallies[i]
		if i == 0 {
			return eachRow(ctx, tx, eventsql.DetailStatsSQL(c), c.Args, func(r pgx.Rows) error { return eventsql.TallyRows(r, 1, t) })
		}
		strip := strips[i-1]
		sq := eventsql.StripFilter(detailDialect(f), f, strip)
		return eachRow(ctx, tx, eventsql.StatsSQL(pgSQL, sq), sq.Args, func(r pgx.Rows) error { return eventsql.TallyRows(r, strip.Sign(), t) })
	})
	if err != nil {
		return geo.Stats{}, err
	}
	return merged(tallies), nil
}
