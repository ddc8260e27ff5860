package postgis

import (
	"context"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// wordBoxStats answers the stats of one word with a box
// (eventsql.WordStatsWord) from the kept counts per word and cell, in one
// snapshot: the event types of the cells inside the box from cell_words,
// their countries from cell_word_stats (migration 0021), their weeks from
// cell_word_weeks, and the events of the box's edge strips from their
// rows, their words tested on each (wordStripFilter). False when the kept cells do not answer f.
func (s *Store) wordBoxStats(ctx context.Context, f geo.Filter) (geo.Stats, bool, error) {
	if _, _, ok := eventsql.WordStatsWord(f); !ok {
		return geo.Stats{}, false, nil
	}
	var (
		st   geo.Stats
		used bool
	)
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		p, field, term, ok, err := wordCellPlan(ctx, tx, f, eventsql.WordCellLevel)
		if err != nil || !ok {
			return err
		}
		used = true
		if term == "" {
			var t geo.Tally
			st = t.Stats() // no stored word: no event has it
			return nil
		}
		stmt, args := eventsql.WordStatsSQL(pgSQL, p, f, field, term)
		st, err = s.tallyPlan(ctx, tx, stmt, args, p.Strips, func(strip eventsql.Strip) *eventsql.Query {
			return wordStripFilter(f, strip)
		})
		return err
	})
	return st, used, err
}
