package eventsql

import (
	"strconv"
	"strings"

	"conflictmap/geo"
)

// WordWeekCells is how the count of one word with a box and dates is read
// from the kept counts per word, cell, week and event type
// (cell_word_weeks) rather than from every event of the word in the box
// and dates (a word in a quarter of the million events, a box and six
// months: 50,633 events, 0.1 s of SQLite's CPU, 0.3-0.4 s of
// PostgreSQL's): the groups of the cells of WordWeekLevel inside the box,
// in the whole weeks inside the dates (First to Last, Mondays; "" open);
// the events of the box's edge strips dated in those weeks (Plan.Strips);
// and the events of the whole box dated outside them that meet the dates
// (WeekEdges). Its density cells are read alike, the groups of the cells
// of WordWeekLevel or WordWeekCoarseLevel from cell_word_weeks or
// cell_word_weeks_coarse (GroupsSQL).
type WordWeekCells struct {
	Field, Word string
	First, Last string
	Plan        CellPlan
}

// PlanWordWeekCells returns the plan of f's count from cell_word_weeks:
// when f names one word (WordCellsWord without its dates), a box and dates
// holding a whole week, and nothing else, and a cell of WordWeekLevel lies
// inside the box. d spells the strips' conditions.
func PlanWordWeekCells(d Dialect, f geo.Filter) (WordWeekCells, bool) {
	if f.BBox == nil || len(f.Types) > 0 {
		return WordWeekCells{}, false
	}
	return planWordWeeks(d, f, WordWeekLevel)
}

// PlanWordWeekDensity returns the plan of f's density cells at zoom from
// cell_word_weeks (GroupsSQL), as PlanWordWeekCells plans a count, but at
// WordWeekLevel, or at WordWeekCoarseLevel from cell_word_weeks_coarse
// when zoom is no finer and f's box (if any) leaves no strip there; f may
// name event types, which the tables group the events by, and no box;
// zoom is at most WordWeekLevel, whose cells every coarser zoom's hold.
func PlanWordWeekDensity(d Dialect, f geo.Filter, zoom int) (WordWeekCells, bool) {
	if zoom > WordWeekLevel {
		return WordWeekCells{}, false
	}
	if zoom <= WordWeekCoarseLevel {
		if w, ok := planWordWeeks(d, f, WordWeekCoarseLevel); ok && len(w.Plan.Strips) == 0 {
			return w, true
		}
	}
	return planWordWeeks(d, f, WordWeekLevel)
}

// planWordWeeks plans f's count or density cells from the cells of level
// inside its box.
func planWordWeeks(d Dialect, f geo.Filter, level int) (WordWeekCells, bool) {
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
	p, ok := PlanCells(d, undated, level)
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
	q.Add("c.week <> ''")
	if w.First != "" {
		q.Add("c.week >= " + q.Arg(w.First))
	}
	if w.Last != "" {
		q.Add("c.week <= " + q.Arg(w.Last))
	}
	return "SELECT coalesce(sum(c.n), 0) FROM " + wordWeekTable(w.Plan.Level) + " c WHERE " + q.Where(), q.Args
}

// GroupsSQL groups the events of w's cells holding term, of f's event
// types, dated in w's whole weeks (cell_word_weeks, or
// cell_word_weeks_coarse at its level) and in piece p (by the
// Monday of their week), by cell of zoom (at most WordWeekLevel) and event
// type, in the columns of CellsSQL. The groups are keyed by one integer,
// the cell's row and column and the event type's place in ACLED's list
// (typeKey): SQLite sorts the rows it groups, and the world's groups of a
// common word since a day (54,000) sorted in 31-34 ms by the integer
// rather than 47 by the cell and the type's name.
func (w WordWeekCells) GroupsSQL(d Dialect, f geo.Filter, term string, zoom int, p Piece) (string, []any) {
	q := wordCellCond(d, w.Plan, f, w.Field, term)
	q.Add("c.week <> ''")
	for _, b := range []struct{ op, day string }{{">=", w.First}, {"<=", w.Last}, {">=", p.From}, {"<", p.Before}} {
		if b.day != "" {
			q.Add("c.week " + b.op + " " + q.Arg(b.day))
		}
	}
	shift := strconv.Itoa(w.Plan.Level - zoom)
	key, other, name := typeKey("c.event_type", "g.k & 7", "g.t")
	return "SELECT g.k >> 13, (g.k >> 3) & 1023, " + name + ", sum(g.n), sum(g.fatalities), sum(g.sum_lon), sum(g.sum_lat) " +
		"FROM (SELECT ((c.x >> " + shift + ") * 1024 + (c.y >> " + shift + ")) * 8 + " + key + " AS k, " + other + " AS t, " +
		"c.n, c.fatalities, c.sum_lon, c.sum_lat FROM " + wordWeekTable(w.Plan.Level) + " c WHERE " + q.Where() + ") g " +
		"GROUP BY g.k, g.t HAVING sum(g.n) > 0", q.Args
}

// wordWeekTable is the table of the counts per word, week and cell of
// level.
func wordWeekTable(level int) string {
	if level == WordWeekCoarseLevel {
		return "cell_word_weeks_coarse"
	}
	return "cell_word_weeks"
}

// typeKey returns the expressions of an event type column's place in
// ACLED's list of types (geo.Taxonomy; 7 for another type), of the
// column's value for another type (else NULL), and of the type's name
// from the place in placeCol and the other type's value in otherCol.
func typeKey(col, placeCol, otherCol string) (key, other, name string) {
	var k, o, n strings.Builder
	k.WriteString("CASE " + col)
	o.WriteString("CASE " + col)
	n.WriteString("CASE " + placeCol)
	for i, c := range geo.Taxonomy() {
		lit := "'" + c.Type + "'"
		k.WriteString(" WHEN " + lit + " THEN " + strconv.Itoa(i))
		o.WriteString(" WHEN " + lit + " THEN NULL")
		n.WriteString(" WHEN " + strconv.Itoa(i) + " THEN " + lit)
	}
	k.WriteString(" ELSE 7 END")
	o.WriteString(" ELSE " + col + " END")
	n.WriteString(" ELSE " + otherCol + " END")
	return k.String(), o.String(), n.String()
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
