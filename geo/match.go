package geo

import (
	"slices"
	"strings"
	"unicode"
)

// Words splits text into its case-folded words: the runs of letters,
// digits and private-use characters (Unicode L*, N* and Co), every other
// character separating them. It is how the word filters (Filter.Actor,
// Filter.Q) read both the filter and the event, and the rule SQLite's
// FTS5 unicode61 tokenizer follows, so that a store's full-text index
// answers as Match does.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Co, r)
	})
}

// matchWords reports whether every filter word starts a word of text; a
// filter with no word at all (only punctuation) matches nothing.
func matchWords(filter string, text ...string) bool {
	words := Words(filter)
	if len(words) == 0 {
		return false
	}
	var have []string
	for _, t := range text {
		have = append(have, Words(t)...)
	}
	for _, w := range words {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
			return false
		}
	}
	return true
}

// Match reports whether e is one of the events f selects, Limit and Offset
// aside. It is the definition every store's query is held to (the suite in
// geo/storetest compares each store's answers with it):
//   - BBox: the point lies inside, edges included (Contains);
//   - Start, End: e is dated and its [EventDate, EventDateEnd] range (a
//     single day when EventDateEnd is empty) meets [Start, End]; an empty
//     bound is open;
//   - Types, Modalities: e's value is one of them;
//   - Country: e's CountryCode is it;
//   - Origins: e's OriginName is one of them;
//   - SubTypes, GeoPrecisions: e's value is one of them;
//   - Actor: every word of it (Words) starts a word of Actor1 or Actor2
//     ("russia" finds "Military Forces of Russia", "drone" finds
//     "drones"); a filter of punctuation alone matches nothing;
//   - Q: every word of it starts a word of Quote, likewise;
//   - MinSources: e has at least that many sources (an event that is one
//     report has one).
func (f Filter) Match(e Event) bool {
	if f.MinSources > 1 && max(e.SourceCount, 1) < f.MinSources {
		return false
	}
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
	if len(f.Origins) > 0 && !slices.Contains(f.Origins, e.OriginName()) {
		return false
	}
	if len(f.SubTypes) > 0 && !slices.Contains(f.SubTypes, e.SubEventType) {
		return false
	}
	if len(f.GeoPrecisions) > 0 && !slices.Contains(f.GeoPrecisions, e.GeoPrecision) {
		return false
	}
	if strings.TrimSpace(f.Actor) != "" && !matchWords(f.Actor, e.Actor1, e.Actor2) {
		return false
	}
	if strings.TrimSpace(f.Q) != "" && !matchWords(f.Q, e.Quote) {
		return false
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

// InListOrder returns events in list order (Before), as a copy; events
// itself is returned when two of them share an ID, whose order decides
// which one a write keeps. A bulk import writes its batches in this order
// so that the events a page lists together are stored together. The sort
// orders the events' places and compares them through pointers, so that
// no event is copied but into the result (a batch of 20,000 ACLED rows:
// 46 ms when the events themselves were sorted, each comparison taking
// two of them by value).
func InListOrder(events []Event) []Event {
	ids := make(map[string]struct{}, len(events))
	for _, e := range events {
		if _, ok := ids[e.ID]; ok {
			return events
		}
		ids[e.ID] = struct{}{}
	}
	order := make([]int32, len(events))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return compareListed(&events[i], &events[j]) })
	sorted := make([]Event, len(events))
	for k, i := range order {
		sorted[k] = events[i]
	}
	return sorted
}

// compareListed is Before as a comparison: negative when a is listed
// before b, positive when after, zero for the same date and ID.
func compareListed(a, b *Event) int {
	if a.EventDate != b.EventDate {
		switch {
		case a.EventDate == "":
			return 1
		case b.EventDate == "":
			return -1
		}
		return -strings.Compare(a.EventDate, b.EventDate)
	}
	return strings.Compare(a.ID, b.ID)
}
