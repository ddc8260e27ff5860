package eventsql

import (
	"strconv"

	"conflictmap/geo"
)

// The kinds of the groups of WordStatsSQL: the key of a group is a
// country code (cell_word_stats, migration 0021, keeps these alone), or
// the Monday of its events' first day's week ("" undated), as the stats
// count them.
const (
	StatCountry = 0
	StatWeek    = 1
	// statType marks the rows of cell_words in WordStatsSQL.
	statType = 2
)

// WordStatsWord returns, when the tables cell_words and cell_word_stats
// may answer f's stats, the one word f looks for and its field: f names
// one word (WordCellsWord), a box and nothing else, for cell_word_stats
// keeps no event type (a word alone is answered by word_counts).
func WordStatsWord(f geo.Filter) (field, word string, ok bool) {
	if f.BBox == nil || len(f.Types) > 0 {
		return "", "", false
	}
	return WordCellsWord(f)
}

// WordStatsSQL groups the events of p's cells (of WordCellLevel, from
// PlanWordCells) holding term, the stored word of field that f's word
// starts, by event type (from cell_words), by country code (from
// cell_word_stats) and by week (from cell_word_weeks, whose cells of
// WordWeekLevel make up p's), in one statement: rows of kind, key, count
// for TallyWordStats. The events of p's strips are not counted.
func WordStatsSQL(d Dialect, p CellPlan, f geo.Filter, field, term string) (string, []any) {
	types := wordCellCond(d, p, f, field, term)
	stats := wordCellCond(offsetDialect{d, len(types.Args)}, p, f, field, term)
	stats.Add("c.kind = " + strconv.Itoa(StatCountry))
	weeks := wordCellCond(offsetDialect{d, len(types.Args) + len(stats.Args)}, p.finer(WordWeekLevel), f, field, term)
	return "SELECT " + strconv.Itoa(statType) + ", c.event_type, sum(c.n) FROM cell_words c WHERE " + types.Where() + " GROUP BY 2 HAVING sum(c.n) <> 0" +
			" UNION ALL SELECT c.kind, c.key, sum(c.n) FROM cell_word_stats c WHERE " + stats.Where() +
			" GROUP BY 1, 2 HAVING sum(c.n) <> 0" +
			" UNION ALL SELECT " + strconv.Itoa(StatWeek) + ", c.week, sum(c.n) FROM cell_word_weeks c WHERE " + weeks.Where() +
			" GROUP BY 2 HAVING sum(c.n) <> 0",
		append(append(types.Args, stats.Args...), weeks.Args...)
}

// TallyWordStats adds the rows of WordStatsSQL to t.
func TallyWordStats(rows Rows, t *geo.Tally) error {
	for rows.Next() {
		var (
			kind, n int64
			key     string
		)
		if err := rows.Scan(&kind, &key, &n); err != nil {
			return err
		}
		switch kind {
		case statType:
			t.AddType(key, int(n))
		case StatCountry:
			t.AddCountry(key, int(n))
		case StatWeek:
			t.AddWeek(key, int(n))
		}
	}
	return rows.Err()
}
