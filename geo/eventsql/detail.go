package eventsql

import (
	"slices"
	"strings"

	"conflictmap/geo"
)

// DetailUsable reports whether the table detail_counts answers f's count
// and stats: when f names a sub-event type or a precision, which
// event_counts does not keep, and besides only event types, a country
// code, modalities, origins and dates that parse, which detail_counts
// groups the events by (the dates by the weeks of their first and last
// day, so that the days at either end of f's dates are read from the
// events: PlanDetail). No box, words or source count.
func DetailUsable(f geo.Filter) bool {
	if len(f.SubTypes) == 0 && len(f.GeoPrecisions) == 0 {
		return false
	}
	if f.BBox != nil || strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != "" || f.MinSources > 1 {
		return false
	}
	_, _, ok := weekSplit(textDates{}, f)
	return ok
}

// PlanDetail returns the condition on the table detail_counts c that
// selects the groups of f's events dated in the whole weeks inside its
// dates (all of them when f names none), and the strips of the days at
// either end (Strip.Days, over no box), whose events are read from the
// events table; false when not DetailUsable.
func PlanDetail(d Dialect, f geo.Filter) (*Query, []Strip, bool) {
	if !DetailUsable(f) {
		return nil, nil, false
	}
	weeks, edges, _ := weekSplit(d, f)
	q := NewQuery(d)
	switch {
	case weeks.Start != "" && weeks.End != "" && weeks.Start > weeks.End:
		q.Add("1 = 0")
	case weeks.Start != "" || weeks.End != "":
		// Start is a Monday and End a Sunday (weekSplit): an event ends on
		// or after Start when its last week does, and starts on or before
		// End when its first week does.
		q.Add("c.week <> ''")
		if weeks.Start != "" {
			q.Add("c.week_last >= " + q.Arg(weeks.Start))
		}
		if weeks.End != "" {
			q.Add("c.week <= " + q.Arg(weeks.End))
		}
	}
	q.In("c.sub_event_type", f.SubTypes)
	if len(f.GeoPrecisions) > 0 {
		q.Add("c.geo_precision IN (" + precisionList(f.GeoPrecisions) + ")")
	}
	q.In("c.event_type", f.Types)
	q.In("c.modality", f.Modalities)
	if f.Country != "" {
		q.Add("c.country_code = " + q.Arg(f.Country))
	}
	q.In("c.origin", f.Origins)
	return q, edges, true
}

// DetailCountSQL counts the events of the groups under q (of PlanDetail).
func DetailCountSQL(q *Query) string {
	return "SELECT coalesce(sum(c.n), 0) FROM detail_counts c WHERE " + q.Where()
}

// DetailStatsSQL is StatsSQL from the groups under q (of PlanDetail).
func DetailStatsSQL(q *Query) string {
	return "SELECT c.event_type, c.country_code, c.week, sum(c.n) FROM detail_counts c WHERE " + q.Where() +
		" GROUP BY 1, 2, 3 HAVING sum(c.n) > 0"
}

// SubTypeWalkSQL selects the events of f (which names sub-event types) in
// Order, limit of them from offset, one sub-event type at a time: each
// type's first limit+offset events, walked in list order on the store's
// index of the sub-event types (from: the events table e, with the
// store's hint of that index), then merged. A page of two types that a
// ninth of a million events have read 9,000 rows walking the list order
// and testing each row's type (SQLite: 47-58 ms); the two walks read the
// 2,000 entries of the types' first 1,000 events. The rows are those of
// the columns event_date and id of e, then cols.
func SubTypeWalkSQL(d Dialect, f geo.Filter, cols []string, from string, limit, offset int) (string, []any) {
	var (
		arms []string
		args []any
	)
	sel := strings.Join(append([]string{"e.event_date", "e.id"}, cols...), ", ")
	types := slices.Clone(f.SubTypes)
	slices.Sort(types)
	for _, t := range slices.Compact(types) { // a type named twice is walked once
		g := f
		g.SubTypes = []string{t}
		q := Filter(offsetDialect{d, len(args)}, g)
		arms = append(arms, "SELECT * FROM (SELECT "+sel+" FROM "+from+" WHERE "+q.Where()+" ORDER BY "+Order+
			" LIMIT "+q.Arg(limit+offset)+") w")
		args = append(args, q.Args...)
	}
	q := &Query{d: offsetDialect{d, len(args)}}
	stmt := "SELECT w.* FROM (" + strings.Join(arms, " UNION ALL ") + ") w ORDER BY w.event_date DESC NULLS LAST, w.id LIMIT " +
		q.Arg(limit) + " OFFSET " + q.Arg(offset)
	return stmt, append(args, q.Args...)
}
