package geo

import (
	"slices"
	"strings"
)

// Words splits a word filter (Filter.Actor, Filter.Q) into the case-folded
// words an event must all contain.
func Words(s string) []string { return strings.Fields(strings.ToLower(s)) }

// Match reports whether e is one of the events f selects, Limit and Offset
// aside. It is the definition every store's query is held to (the suite in
// geo/storetest compares each store's answers with it):
//   - BBox: the point lies inside, edges included (Contains);
//   - Start, End: e is dated and its [EventDate, EventDateEnd] range (a
//     single day when EventDateEnd is empty) meets [Start, End]; an empty
//     bound is open;
//   - Types, Modalities: e's value is one of them;
//   - Country: e's CountryCode is it;
//   - Actor: every word, case-folded, is a substring of the case-folded
//     Actor1 or of the case-folded Actor2;
//   - Q: every word, case-folded, is a substring of the case-folded Quote.
func (f Filter) Match(e Event) bool {
	if f.BBox != nil && !f.BBox.Contains(e.Point[0], e.Point[1]) {
		return false
	}
	if f.Start != "" || f.End != "" {
		if e.EventDate == "" {
			return false
		}
		end := e.EventDateEnd
		if end == "" {
			end = e.EventDate
		}
		if f.Start != "" && end < f.Start {
			return false
		}
		if f.End != "" && e.EventDate > f.End {
			return false
		}
	}
	if len(f.Types) > 0 && !slices.Contains(f.Types, e.EventType) {
		return false
	}
	if len(f.Modalities) > 0 && !slices.Contains(f.Modalities, e.Modality) {
		return false
	}
	if f.Country != "" && e.CountryCode != f.Country {
		return false
	}
	if words := Words(f.Actor); len(words) > 0 {
		a1, a2 := strings.ToLower(e.Actor1), strings.ToLower(e.Actor2)
		for _, w := range words {
			if !strings.Contains(a1, w) && !strings.Contains(a2, w) {
				return false
			}
		}
	}
	if words := Words(f.Q); len(words) > 0 {
		q := strings.ToLower(e.Quote)
		for _, w := range words {
			if !strings.Contains(q, w) {
				return false
			}
		}
	}
	return true
}

// Before reports whether a is listed before b in every answer: EventDate
// newest first, undated last, then ID in byte order.
func Before(a, b Event) bool {
	if a.EventDate != b.EventDate {
		if a.EventDate == "" || b.EventDate == "" {
			return b.EventDate == ""
		}
		return a.EventDate > b.EventDate
	}
	return a.ID < b.ID
}
