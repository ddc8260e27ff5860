package storetest

import (
	"math"
	"reflect"
	"sort"
	"time"

	"conflictmap/geo"
)

// Matches reports whether e matches f: f.Match, the definition the stores
// are held to.
func Matches(f geo.Filter, e geo.Event) bool { return f.Match(e) }

// Less reports whether a is listed before b (geo.Before).
func Less(a, b geo.Event) bool { return geo.Before(a, b) }

// Expect returns the page a store must answer for f over events: the
// matching events in list order, cut by Limit (0 meaning geo.DefaultLimit)
// and Offset, and the number matched; with After, the events listed after
// it, uncounted (Matched -1).
func Expect(f geo.Filter, events []geo.Event) geo.EventPage {
	var match []geo.Event
	for _, e := range events {
		if Matches(f, e) && (f.After == nil || e.Key().Follows(*f.After)) {
			match = append(match, e)
		}
	}
	sort.Slice(match, func(i, j int) bool { return Less(match[i], match[j]) })
	page := geo.EventPage{Matched: len(match), Events: []geo.Event{}}
	if f.After != nil {
		page.Matched, f.Offset = -1, 0
	}
	limit := f.Limit
	if limit <= 0 {
		limit = geo.DefaultLimit
	}
	if f.Offset < len(match) {
		match = match[max(f.Offset, 0):]
		page.Events = match[:min(limit, len(match))]
	}
	return page
}

// Monday returns the Monday (YYYY-MM-DD) of the ISO week of date, or "" when
// date is empty.
func Monday(date string) string {
	t, err := time.Parse(geo.DateLayout, date)
	if err != nil {
		return ""
	}
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return t.AddDate(0, 0, -back).Format(geo.DateLayout)
}

// ExpectStats returns the Stats a store must answer for f over events. Every
// breakdown counts every matching event, so each sums to Total: an unknown
// type, a country_code that is empty (at sea) and an undated event each count
// under the key "". ByType and ByCountry are ordered by count, largest first,
// then key; ByWeek by key, oldest week first, "" last.
func ExpectStats(f geo.Filter, events []geo.Event) geo.Stats {
	byType, byCountry, byWeek := map[string]int{}, map[string]int{}, map[string]int{}
	total := 0
	for _, e := range events {
		if !Matches(f, e) {
			continue
		}
		total++
		byType[e.EventType]++
		byCountry[e.CountryCode]++
		byWeek[Monday(e.EventDate)]++
	}
	return geo.Stats{
		Total:     total,
		ByType:    sortByCount(counts(byType)),
		ByCountry: sortByCount(counts(byCountry)),
		ByWeek:    sortByKey(counts(byWeek)),
	}
}

func counts(m map[string]int) []geo.Count {
	out := make([]geo.Count, 0, len(m))
	for k, n := range m {
		out = append(out, geo.Count{Key: k, Count: n})
	}
	return out
}

// sortByCount orders buckets by count, largest first, then by key in byte
// order, and returns them. Stores sort in Go so that a database collation
// cannot change the order.
func sortByCount(c []geo.Count) []geo.Count {
	sort.Slice(c, func(i, j int) bool {
		if c[i].Count != c[j].Count {
			return c[i].Count > c[j].Count
		}
		return c[i].Key < c[j].Key
	})
	return c
}

// sortByKey orders buckets by key in byte order with "" last, and returns
// them.
func sortByKey(c []geo.Count) []geo.Count {
	sort.Slice(c, func(i, j int) bool {
		if c[i].Key == "" || c[j].Key == "" {
			return c[j].Key == "" && c[i].Key != ""
		}
		return c[i].Key < c[j].Key
	})
	return c
}

// ExpectCells returns the density cells a store must answer for f at zoom
// over events: each matching event counted once, in the cell geo.CellOf
// puts its point in.
func ExpectCells(f geo.Filter, zoom int, events []geo.Event) []geo.Cell {
	var rows []geo.CellRow
	for _, e := range events {
		if !f.Match(e) {
			continue
		}
		x, y := geo.CellOf(e.Point[0], e.Point[1], zoom)
		r := geo.CellRow{X: x, Y: y, EventType: e.EventType, Count: 1, SumLon: e.Point[0], SumLat: e.Point[1]}
		if e.Fatalities != nil {
			r.Fatalities = *e.Fatalities
		}
		rows = append(rows, r)
	}
	return geo.FoldCells(zoom, rows)
}

// sameCells compares cells exactly, their mean points within a millionth
// of a degree (11 cm): a store sums in its own order, and a bulk import
// keeps the points of its largest groups in 32 bits
// (eventsql.WeekSums).
func sameCells(got, want []geo.Cell) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.X != w.X || g.Y != w.Y || g.Count != w.Count || g.Fatalities != w.Fatalities || g.Bound != w.Bound ||
			!reflect.DeepEqual(g.ByType, w.ByType) ||
			math.Abs(g.Center[0]-w.Center[0]) > 1e-6 || math.Abs(g.Center[1]-w.Center[1]) > 1e-6 {
			return false
		}
	}
	return true
}
