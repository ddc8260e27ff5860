package eventsql

import (
	"strconv"
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
		ps := make([]string, len(f.GeoPrecisions))
		for i, p := range f.GeoPrecisions {
			ps[i] = strconv.Itoa(p)
		}
		q.Add("c.geo_precision IN (" + strings.Join(ps, ", ") + ")")
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
