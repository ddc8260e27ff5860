package eventsql

import (
	"strconv"

	"conflictmap/geo"
)

// WordWeekCells is how the count of one word with a box and dates is read
// from the kept counts per word, cell and week (cell_word_stats, kind
// StatWeek) rather than from every event of the word in the box and dates
// (a word in a quarter of the million events, a box and six months: 50,633
// events, 0.1 s of SQLite's CPU, 0.3-0.4 s of PostgreSQL's): the groups of
// the cells of WordCellLevel inside the box, in the whole weeks inside the
// dates (First to Last, Mondays; "" open); the events of the box's edge
// strips dated in those weeks (Plan.Strips); and the events of the whole
// box dated outside them that meet the dates (WeekEdges).
type WordWeekCells struct {
	Field, Word string
	First, Last string
	Plan        CellPlan
}

// PlanWordWeekCells returns the plan of f's count from cell_word_stats'
// weeks: when f names one word (WordCellsWord without its dates), a box
// and dates holding a whole week, and nothing else (cell_word_stats keeps
// no event type), and a cell of WordCellLevel lies inside the box. d spells
// the strips' conditions.
func PlanWordWeekCells(d Dialect, f geo.Filter) (WordWeekCells, bool) {
	if f.BBox == nil || f.Start == "" && f.End == "" || len(f.Types) > 0 || f.Start != "" && f.End != "" && f.Start > f.End {
		return WordWeekCells{}, false
	}
	undated := f
	undated.Start, undated.End = "", ""
	field, word, ok := WordCellsWord(undated)
	if !ok {
		return WordWeekCells{}, false
	}
	first, last, ok := WholeWeeks(f.Start, f.End)
	if !ok {
		return WordWeekCells{}, false
	}
	p, ok := PlanWordCells(d, undated, WordCellLevel)
	if !ok {
		return WordWeekCells{}, false
	}
	// The strips hold the events of the box outside its cells dated in the
	// whole weeks, as the cells' groups do: from the first Monday (their
	// dates meet the weeks and they start in them) to the last Sunday.
	end := ""
	if last != "" {
		end = LastSunday(last)
	}
	for i := range p.Strips {
		s := &p.Strips[i]
		s.Start, s.End = first, end
		if first != "" {
			s.Cond += " AND e.event_date >= " + d.DateValue("'"+first+"'")
		}
	}
	p.Start, p.End = first, last
	return WordWeekCells{Field: field, Word: word, First: first, Last: last, Plan: p}, true
}

// CountSQL counts the events of w's cells holding term, the one stored
// word of w.Field that its word starts, dated in its whole weeks.
func (w WordWeekCells) CountSQL(d Dialect, term string) (string, []any) {
	q := wordCellCond(d, w.Plan, geo.Filter{}, w.Field, term)
	q.Add("c.kind = "+strconv.Itoa(StatWeek), "c.key <> ''")
	if w.First != "" {
		q.Add("c.key >= " + q.Arg(w.First))
	}
	if w.Last != "" {
		q.Add("c.key <= " + q.Arg(w.Last))
	}
	return "SELECT coalesce(sum(c.n), 0) FROM cell_word_stats c WHERE " + q.Where(), q.Args
}
