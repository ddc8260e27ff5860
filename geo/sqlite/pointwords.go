package sqlite

import (
	"context"

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
// columns over a box's longitudes bound the entries of events_point_words
// the box reads: level 6's 256 columns are few rows to add up, and a
// column is 1.4 degrees wide.
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
// events_point_words: the box as their range of longitudes and the words
// on their copy of them.
var pointWordsDialect = dialect{rtree: func(geo.BBox) bool { return false }, points: true}

// pointWords reports whether the density cells of f, with words and a box,
// read events_point_words (pointWordsDialect): when the kept cells say
// that the box's longitudes hold fewer than s.pointWordsAt entries per
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
	n := geo.CellsAround(pointWordsLevel)
	x0, _ := geo.CellOf(f.BBox.West, 0, pointWordsLevel)
	x1, _ := geo.CellOf(f.BBox.East, 0, pointWordsLevel)
	x0, x1 = max(x0-1, 0), min(x1+1, int(n-1)) // a point on a column's edge may round into its neighbour
	var entries int64
	err = q.QueryRowContext(ctx, "SELECT coalesce(sum(n), 0) FROM cell_countries WHERE level = ? AND x >= ? AND x <= ?",
		pointWordsLevel, x0, x1).Scan(&entries)
	if err != nil {
		return false, err
	}
	return eventsql.WordsOver(sqliteSQL, f, entries/int64(s.pointWordsAt), func(stmt string, args ...any) (int64, error) {
		var t int64
		err := q.QueryRowContext(ctx, stmt, args...).Scan(&t)
		return t, err
	})
}

// pointWordsCells groups f's events by density cell at zoom from the
// entries of events_point_words (pointWords). The index holds the events
// with words alone; a statement may read it when one of its conditions is
// a term of the index's (SQLite's rule for partial indexes): the field
// of f's first word has some.
func pointWordsCells(ctx context.Context, q cellQuerier, f geo.Filter, zoom int) ([]geo.Cell, error) {
	c := eventsql.Filter(pointWordsDialect, f)
	fields, _ := eventsql.TextWords(f)
	c.Add("e." + fields[0].Field + "_words <> '[]'")
	rows, err := q.QueryContext(ctx, indexed(eventsql.CellsSQL(pointWordsDialect, c, zoom), "events_point_words"), c.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return eventsql.FoldCells(zoom, rows)
}
