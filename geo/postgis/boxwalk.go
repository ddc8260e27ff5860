package postgis

import (
	"context"
	"strings"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// boxWalkLevel is the level of the density grid whose columns key
// events_box_walk (migration 0024): a box reads one range of entries per
// column it meets, and the entries of its first and last columns outside
// it, which a column of 0.022° keeps few (a zoom 11 view 0.6° wide: 7% at
// most).
const boxWalkLevel = 12

// maxBoxWalkColumns bounds the columns of events_box_walk a box may meet
// to be walked, each a descent of the index: a zoom 9 view on a wide
// screen meets some 300.
const maxBoxWalkColumns = 1024

// defaultBoxWalkAt is Store.boxWalkAt's default: density cells of words
// with a box walk events_box_walk when their rarest word is in at least
// one event in defaultBoxWalkAt. The walk reads every entry of the box,
// some 40 to a page; the GIN indexes read a page of the table for each
// event of the word in the box, so that the walk reads fewer pages when
// more than one event in 40 has the word, wherever the box lies. (A
// word in a quarter of a million events and a hotspot's box: 44,000 pages
// through the GIN index, 7,000 walked; BENCHMARKS.md.)
const defaultBoxWalkAt = 40

// boxWalkable reports whether events_box_walk holds every field f tests:
// words and a box that does not cross the antimeridian and meets at most
// maxBoxWalkColumns columns, with dates (the entries hold them since
// migration 0034), event types or nothing else. Dates do not change the
// choice of the walk over the GIN indexes (Store.boxWalk): these read
// every event of the word in the box whatever its dates, before testing
// them.
func boxWalkable(f geo.Filter) bool {
	if strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == "" {
		return false
	}
	if f.BBox == nil || f.BBox.West > f.BBox.East || len(f.Modalities) > 0 || f.Country != "" ||
		len(f.Origins) > 0 || f.MinSources > 1 || len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 {
		return false
	}
	x0, x1 := eventsql.ColumnRange(*f.BBox, boxWalkLevel)
	return x1-x0 < maxBoxWalkColumns
}

// boxDatesWalkable reports whether events_box_walk holds every field of
// f's density cells: a box that does not cross the antimeridian and meets
// at most maxBoxWalkColumns columns, dates (without them, cell_fine
// answers), and event types or nothing else. The walk then reads the
// box's entries alone (their dates since migration 0034), where the
// GiST index's candidates are read from the table's rows.
func boxDatesWalkable(f geo.Filter) bool {
	if f.BBox == nil || f.BBox.West > f.BBox.East || (f.Start == "" && f.End == "") || strings.TrimSpace(f.Actor) != "" ||
		strings.TrimSpace(f.Q) != "" || len(f.Modalities) > 0 || f.Country != "" || len(f.Origins) > 0 || f.MinSources > 1 ||
		len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 {
		return false
	}
	x0, x1 := eventsql.ColumnRange(*f.BBox, boxWalkLevel)
	return x1-x0 < maxBoxWalkColumns
}

// statsBoxWalkable reports whether events_box_walk holds every field that
// the stats of strip, one of a box's stats plan for f, test and group by
// (type, country and first day since migration 0038): a strip along the
// box's edge, not of days, that does not cross the antimeridian and meets
// few columns (eventsql.MaxStripColumns), of a filter with dates, event
// types, a country or nothing else. Its entries are then read rather than
// its events' rows, which a hotspot's edge holds on thousands of pages.
func statsBoxWalkable(f geo.Filter, strip eventsql.Strip) bool {
	b := strip.Box
	if b == nil || strip.Days || b.West > b.East || strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != "" ||
		len(f.Modalities) > 0 || len(f.Origins) > 0 || f.MinSources > 1 || len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 {
		return false
	}
	x0, x1 := eventsql.ColumnRange(*b, boxWalkLevel)
	return x1-x0 < eventsql.MaxStripColumns
}

// boxWalkCond adds to q the condition of box b that events_box_walk
// answers: the columns b meets (eventsql.ColumnRange, by the index's own
// expression), the latitudes between its south and north edges, and then
// the exact longitudes (boxWalkable: b does not cross the antimeridian).
func boxWalkCond(q *eventsql.Query, b geo.BBox) {
	x0, x1 := eventsql.ColumnRange(b, boxWalkLevel)
	columns := make([]int64, 0, x1-x0+1)
	for x := x0; x <= x1; x++ {
		columns = append(columns, int64(x))
	}
	q.Add(eventsql.CellX(pgSQL, boxWalkLevel)+" = ANY("+q.Arg(columns)+"::bigint[])",
		"ST_Y(e.geom) >= "+q.Arg(b.South)+" AND ST_Y(e.geom) <= "+q.Arg(b.North),
		"ST_X(e.geom) >= "+q.Arg(b.West)+" AND ST_X(e.geom) <= "+q.Arg(b.East))
}

// boxWalk reports whether f's density cells walk events_box_walk
// (boxWalkable) rather than read the GIN indexes' matches of its words
// row by row: when its rarest word, counted from word_counts (rarestWord),
// is in at least one event in s.boxWalkAt of the table's, by the
// planner's count of its rows. When it walks, the transaction's planner
// is told to (walkPlanner), and d is the dialect of the walk: its box by
// the index's columns (boxWalkCond), its words tested on the entries,
// each as the one stored word it starts when there is one (exactTerms).
func (s *Store) boxWalk(ctx context.Context, tx pgx.Tx, f geo.Filter) (d dialect, walk bool, err error) {
	if !boxWalkable(f) {
		return d, false, nil
	}
	rarest, err := rarestWord(ctx, tx, f)
	// No such word is not walked: the GIN index says so at once.
	if err != nil || rarest <= 0 {
		return d, false, err
	}
	var events float64
	if err := tx.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'events'::regclass").Scan(&events); err != nil {
		return d, false, err
	}
	if float64(rarest)*float64(s.boxWalkAt) < events {
		return d, false, nil
	}
	terms, err := exactTerms(ctx, tx, f)
	if err != nil {
		return d, false, err
	}
	return dialect{walk: true, boxWalk: true, terms: terms}, true, walkPlanner(ctx, tx)
}

// boxWalkCells returns f's density cells at zoom from a walk of
// events_box_walk, when f walks it (Store.boxWalk). The box is walked in
// pieces of its longitudes (eventsql.BoxCuts) at once (atOnce): one
// statement uses one CPU, and the hotspot's centre with two words walks
// 101,000 entries (34 ms in one statement).
func (s *Store) boxWalkCells(ctx context.Context, f geo.Filter, zoom int) (cells []geo.Cell, walked bool, err error) {
	if !boxWalkable(f) {
		return nil, false, nil
	}
	err = s.snapshot(ctx, func(tx pgx.Tx) error {
		d, walk, err := s.boxWalk(ctx, tx, f)
		if err != nil || !walk {
			return err
		}
		cuts := eventsql.BoxCuts(*f.BBox, s.pieces)
		if len(cuts) == 0 {
			cuts = []geo.BBox{*f.BBox}
		}
		qs := make([]*eventsql.Query, len(cuts))
		for i := range cuts {
			g := f
			g.BBox = &cuts[i]
			qs[i] = eventsql.Filter(d, g)
		}
		groups, err := s.cellsAtOnce(ctx, tx, d, qs, zoom, 1)
		cells, walked = geo.FoldCells(zoom, groups), err == nil
		return err
	})
	return cells, walked, err
}
