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
// box dated outside them that meet the dates (WeekEdges). Its density
// cells are read alike, the groups from cell_word_weeks (GroupsSQL).
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
	if f.BBox == nil || len(f.Types) > 0 {
		return WordWeekCells{}, false
	}
	return planWordWeeks(d, f)
}

// PlanWordWeekDensity returns the plan of f's density cells at zoom from
// cell_word_weeks (GroupsSQL), as PlanWordWeekCells plans a count,
// but f may name event types, which cell_word_weeks groups the events by,
// and no box; zoom is at most WordCellLevel, whose cells every coarser
// zoom's hold.
func PlanWordWeekDensity(d Dialect, f geo.Filter, zoom int) (WordWeekCells, bool) {
	if zoom > WordCellLevel {
		return WordWeekCells{}, false
	}
	return planWordWeeks(d, f)
}

func planWordWeeks(d Dialect, f geo.Filter) (WordWeekCells, bool) {
	if f.Start == "" && f.End == "" || f.Start != "" && f.End != "" && f.Start > f.End {
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

// GroupsSQL groups the events of w's cells holding term, of f's event
// types, dated in w's whole weeks (cell_word_weeks) and in piece p (by the
// Monday of their week), by cell of zoom (at most WordCellLevel) and event
// type, in the columns of CellsSQL.
func (w WordWeekCells) GroupsSQL(d Dialect, f geo.Filter, term string, zoom int, p Piece) (string, []any) {
	q := wordCellCond(d, w.Plan, f, w.Field, term)
	q.Add("c.week <> ''")
	for _, b := range []struct{ op, day string }{{">=", w.First}, {"<=", w.Last}, {">=", p.From}, {"<", p.Before}} {
		if b.day != "" {
			q.Add("c.week " + b.op + " " + q.Arg(b.day))
		}
	}
	shift := strconv.Itoa(w.Plan.Level - zoom)
	return "SELECT c.x >> " + shift + ", c.y >> " + shift + ", c.event_type, sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat) " +
		"FROM cell_word_weeks c WHERE " + q.Where() + " GROUP BY 1, 2, 3 HAVING sum(c.n) > 0", q.Args
}

// LastDay is the last Sunday of w's whole weeks, "" when they are open.
func (w WordWeekCells) LastDay() string {
	if w.Last == "" {
		return ""
	}
	return LastSunday(w.Last)
}

// outsideShare is how many times more events f's dates must hold than
// they leave out for its density cells to be read from cell_word_weeks
// rather than as the word's kept cells of every date less its events
// outside the dates (OutsideDates): the weeks' groups of a common word
// are about a quarter of its events in them, each read and grouped in
// about the time of one entry of the walk of the events outside, which
// walks every event, not the word's alone (the million, a word in a
// quarter of its events, dates that leave out 4% of them: 72 ms from the
// weeks, 40 less what lies outside).
const outsideShare = 16

// FewOutside reports whether f's dates leave out so few of spans' events
// against those they hold (outsideShare) that the word's kept cells less
// its events outside the dates are read faster than its weeks.
func FewOutside(spans *DatedSpans, f geo.Filter) bool {
	return spans.Outside(f.Start, f.End)*outsideShare < spans.Count(f.Start, f.End)
}
