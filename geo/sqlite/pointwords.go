package sqlite

import (
	"context"
	"strconv"
	"strings"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// defaultPointWordsAt is how many entries of events_point_words the
// density cells of a filter with words and a box may read, per event of
// its rarest word, to read them there rather than look each match of the
// full-text index up in its row: an entry read and tested costs about a
// tenth of a match's row (a million events, a common word: 304,000 entries
// of a hotspot's longitudes in 140 ms, its 239,000 matches in 350-430 ms).
const defaultPointWordsAt = 10

// pointWordsLevel is the level of the kept cells (cell_countries) whose
// cells over a box bound the entries of events_point_words the box reads:
// level 6's cells are few rows to add up, and a cell is 1.4 degrees
// wide.
const pointWordsLevel = 6

// pointWordsUsable reports whether events_point_words holds every field f
// tests: words and a box (not across the antimeridian, whose two ranges of
// longitudes the index would read as one), with event types, dates or
// nothing else.
func pointWordsUsable(f geo.Filter) bool {
	if fields, ok := eventsql.TextWords(f); !ok || len(fields) == 0 {
		return false
	}
	return f.BBox != nil && f.BBox.West <= f.BBox.East && len(f.SubTypes) == 0 && len(f.GeoPrecisions) == 0 &&
		f.MinSources <= 1 && f.Country == "" && len(f.Modalities) == 0 && len(f.Origins) == 0
}

// pointWordsDialect reads f's conditions on the entries of
// events_point_words: the box by the index's columns (pointColumns) and
// the words on their copy of them.
var pointWordsDialect = dialect{rtree: func(geo.BBox) bool { return false }, points: true}

// pointWordsColumnLevel is the level of the density grid whose columns key
// events_point_words (migration 0033), then the latitude: a box reads one
// range of entries per column it meets, and the entries of its first and
// last columns outside it, which a column of 0.022° keeps few.
const pointWordsColumnLevel = 12

// maxPointColumns bounds the columns of events_point_words a box lists,
// each a descent of the index: a zoom 9 view on a wide screen meets some
// 300. A wider box reads the entries of its columns' range, whatever
// their latitude.
const maxPointColumns = 1024

// indexed names the index that a statement of d reads: events_point_words
// for the points (SQLite's planner could take an event type's index for
// a filter with types), none else.
func (d dialect) indexed(stmt string) string {
	if d.points {
		return indexed(stmt, "events_point_words")
	}
	return stmt
}

// pointColumns adds to q the condition of box b (not across the
// antimeridian) on the columns of events_point_words: those b meets, by
// the index's own expression (eventsql.ColumnRange).
func pointColumns(q *eventsql.Query, b geo.BBox) {
	x0, x1 := eventsql.ColumnRange(b, pointWordsColumnLevel)
	cx := eventsql.CellX(sqliteSQL, pointWordsColumnLevel)
	if x1-x0 >= maxPointColumns {
		q.Add(cx + " >= " + strconv.Itoa(x0) + " AND " + cx + " <= " + strconv.Itoa(x1))
		return
	}
	var in strings.Builder
	for x := x0; x <= x1; x++ {
		if x > x0 {
			in.WriteString(", ")
		}
		in.WriteString(strconv.Itoa(x))
	}
	q.Add(cx + " IN (" + in.String() + ")")
}

// pointWords reports whether the density cells of f, with words and a box,
// read events_point_words (pointWordsDialect): when the kept cells say
// that the box's columns and rows hold fewer than s.pointWordsAt entries per
// event of f's rarest word (eventsql.WordsOver, from word_counts). The
// cells are live whenever the index is: a bulk import defers both.
func (s *Store) pointWords(ctx context.Context, q cellQuerier, f geo.Filter) (bool, error) {
	if !pointWordsUsable(f) {
		return false, nil
	}
	live, err := cellsLive(ctx, q)
	if err != nil || !live {
		return false, err
	}
	entries, err := pointEntries(ctx, q, *f.BBox)
	if err != nil {
		return false, err
	}
	return wordsOver(ctx, q, f, entries/int64(s.pointWordsAt))
}

// pointEntries counts, from the kept cells, the entries of
// events_point_words that a walk of box b reads: those of the cells of
// pointWordsLevel that b meets, and of every row of its columns when it
// meets many.
func pointEntries(ctx context.Context, q cellQuerier, b geo.BBox) (int64, error) {
	n := int(geo.CellsAround(pointWordsLevel))
	x0, y0 := geo.CellOf(b.West, b.South, pointWordsLevel)
	x1, y1 := geo.CellOf(b.East, b.North, pointWordsLevel)
	// A point on a cell's edge may round into its neighbour.
	x0, x1, y0, y1 = max(x0-1, 0), min(x1+1, n-1), max(y0-1, 0), min(y1+1, n/2-1)
	if c0, c1 := eventsql.ColumnRange(b, pointWordsColumnLevel); c1-c0 >= maxPointColumns {
		y0, y1 = 0, n/2-1 // the columns' range, whatever the latitude
	}
	var entries int64
	err := q.QueryRowContext(ctx, "SELECT coalesce(sum(n), 0) FROM cell_countries WHERE level = ? AND x >= ? AND x <= ? AND y >= ? AND y <= ?",
		pointWordsLevel, x0, x1, y0, y1).Scan(&entries)
	return entries, err
}

// wordWalkCells answers f's density cells at zoom, for words and dates,
// from a walk of the dates' range of a walk index (wordWalk: the range
// costs less than the full-text index's matches of the rarest word), cut
// in pieces that s.pieces connections read at once (walkCells),
// unless f's box holds fewer entries of events_point_words than the
// range (pointEntries), which pointWords then reads: at zooms finer than
// the kept counts by week (cell_word_weeks, wordWeekCells), or dates
// within a week. The world's cells of a word in one week read the word's
// 240,000 matches for their dates (the million: 440 ms), where the week's
// entries are 10,000.
func (s *Store) wordWalkCells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, bool, error) {
	if f.Start == "" && f.End == "" {
		return nil, false, nil
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	idx, walk, err := s.wordWalk(ctx, tx, f)
	if err != nil || !walk {
		return nil, false, err
	}
	if f.BBox != nil && pointWordsUsable(f) {
		live, err := cellsLive(ctx, tx)
		if err != nil {
			return nil, false, err
		}
		if live {
			n, err := s.walkEntries(ctx, tx, f, idx)
			if err != nil {
				return nil, false, err
			}
			box, err := pointEntries(ctx, tx, *f.BBox)
			if err != nil || box <= n {
				return nil, false, err
			}
		}
	}
	// The range in pieces of about as many events, read at once.
	var walks []walkRead
	if s.pieces > 1 {
		spans, err := s.spansIn(ctx, tx)
		if err != nil {
			return nil, false, err
		}
		for _, p := range eventsql.Pieces(spans.Cuts(f.Start, f.End, s.pieces)) {
			d := walkDialect
			d.piece = p
			walks = append(walks, walkRead{q: eventsql.Filter(d, f), idx: idx, sign: 1})
		}
	}
	if len(walks) > 1 {
		groups, same, err := s.walkCells(ctx, zoom, nil, walks)
		if err != nil || same {
			return geo.FoldCells(zoom, groups), err == nil, err
		}
	}
	q := eventsql.Filter(walkDialect, f)
	groups := newPointGroups(zoom)
	if err := groups.read(ctx, tx, indexed(eventsql.PointsSQL(walkDialect, q), idx), q.Args); err != nil {
		return nil, false, err
	}
	return geo.FoldCells(zoom, groups.rows()), true, nil
}

// pointWordsCells returns the groups of f's events by density cell at
// zoom, for geo.FoldCells, from the entries of events_point_words
// (pointWords).
func pointWordsCells(ctx context.Context, q cellQuerier, f geo.Filter, zoom int) ([]geo.CellRow, error) {
	c := pointWordsQuery(f, "")
	rows, err := q.QueryContext(ctx, pointWordsDialect.indexed(eventsql.CellsSQL(pointWordsDialect, c, zoom)), c.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return eventsql.CellRows(rows)
}

// pointWordsQuery is the condition of f (pointWordsUsable), and cond
// when not empty, on the entries of events_point_words. An entry whose
// field of f's first word holds none is passed over before the words are
// tested (without that test, the density cells of a common word in a
// hotspot's view at zoom 9 took 13.7 ms instead of 10.6).
func pointWordsQuery(f geo.Filter, cond string) *eventsql.Query {
	c := eventsql.Filter(pointWordsDialect, f)
	fields, _ := eventsql.TextWords(f)
	c.Add("e." + fields[0].Field + "_words <> '[]'")
	if cond != "" {
		c.Add(cond)
	}
	return c
}
