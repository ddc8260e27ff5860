package sqlite

import (
	"context"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// wordBoxStats answers the stats of one word with a box
// (eventsql.WordStatsWord) from the kept counts per word and cell, in one
// snapshot: the event types of the cells inside the box from cell_words,
// their countries from cell_word_stats (migration 0021), their weeks from
// cell_word_weeks, and the events of the box's edge strips from their
// rows, their words tested on each (wordStripQuery). False when the kept cells do not answer f.
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
	if err := s.tallyPlan(ctx, tx, &t, stmt, args, p.Strips, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
		return s.wordStripQuery(ctx, tx, f, strip)
	}); err != nil {
		return geo.Stats{}, false, err
	}
	return t.Stats(), true, nil
}
