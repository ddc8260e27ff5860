package sqlite

import (
	"context"
	"database/sql"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// wordBoxStats answers the stats of one word with a box
// (eventsql.WordStatsWord) from the kept counts per word and cell, in one
// snapshot: the event types of the cells inside the box from cell_words,
// their countries and weeks from cell_word_stats (migration 0021), and the
// events of the box's edge strips from their rows, their words tested on
// each (wordStripQuery). False when the kept cells do not answer f.
func (s *Store) wordBoxStats(ctx context.Context, f geo.Filter) (geo.Stats, bool, error) {
	if _, _, ok := eventsql.WordStatsWord(f); !ok {
		return geo.Stats{}, false, nil
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return geo.Stats{}, false, err
	}
	defer tx.Rollback()
	p, field, term, ok, err := wordCellPlan(ctx, tx, f, eventsql.WordCellLevel)
	if err != nil || !ok {
		return geo.Stats{}, false, err
	}
	var t geo.Tally
	if term == "" {
		return t.Stats(), true, nil // no stored word: no event has it
	}
	stmt, args := eventsql.WordStatsSQL(sqliteSQL, p, f, field, term)
	if err := eachRow(ctx, tx, stmt, args, func(r *sql.Rows) error { return eventsql.TallyWordStats(r, &t) }); err != nil {
		return geo.Stats{}, false, err
	}
	for _, strip := range p.Strips {
		sq, d, err := s.wordStripQuery(ctx, tx, f, strip)
		if err != nil {
			return geo.Stats{}, false, err
		}
		if err := eachRow(ctx, tx, eventsql.StatsSQL(d, sq), sq.Args, func(r *sql.Rows) error {
			return eventsql.TallyRows(r, strip.Sign(), &t)
		}); err != nil {
			return geo.Stats{}, false, err
		}
	}
	return t.Stats(), true, nil
}
