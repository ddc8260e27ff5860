package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"conflictmap/geo"
)

// Importer is a store that also loads events made elsewhere (an export of
// conflictmap, ACLED, UCDP).
type Importer interface {
	Store
	Import(ctx context.Context, articles []geo.Article, events []geo.Event) error
}

// ImportCounts imports generated events, then a second batch that replaces
// some of them with changed ones (another type, date and country, some
// other words; or another date alone) and adds others, and checks the store's stats and counts against the model and
// against its own answers from the events: the counts a store keeps per
// group must follow an import's inserts and replacements as they follow
// ingests.
func ImportCounts(t *testing.T, s Importer) {
	ctx := t.Context()
	a := geo.Article{ID: "imported-file", Title: "Imported"}
	first := Generate(5, a, 120)
	for i := range first {
		first[i].Origin = geo.OriginACLED
	}
	if err := s.Import(ctx, []geo.Article{a}, first); err != nil {
		t.Fatal(err)
	}
	// Counts of dates alone, which a store may keep until its data
	// changes: asked for before the second import, and after it below.
	datesOnly := []geo.Filter{{Start: "2024-02-01", End: "2024-02-05"}, {Start: "2025-06-11"}, {End: "2024-02-03"}}
	for _, f := range datesOnly {
		page, err := s.Events(ctx, f)
		must(t, err)
		if want := Expect(f, first); page.Matched != want.Matched {
			t.Errorf("after one import, %s matches %d events, want %d", describe(f), page.Matched, want.Matched)
		}
	}
	second := append([]geo.Event(nil), first[:40]...)
	for i := range second {
		e := second[i]
		if i >= 30 {
			// A new date alone: the event moves in the list, its words and
			// other fields stay.
			e.EventDate, e.EventDateEnd = "2025-06-1"+string(rune('0'+i%10)), ""
			second[i] = e
			continue
		}
		e.EventType, e.SubEventType = "Protests", "Peaceful protest"
		e.EventDate, e.EventDateEnd = "2024-02-0"+string(rune('1'+i%9)), ""
		e.CountryCode, e.Country = "FR", "France"
		e.Origin = geo.OriginUCDP
		if i%2 == 0 {
			e.Actor1, e.Quote = "Zebra police", "zebras crossed a convoy"
		}
		second[i] = e
	}
	more := Generate(6, a, 30)
	for i := range more {
		more[i].ID += "-more"
		more[i].Origin = geo.OriginImport
	}
	second = append(second, more...)
	if err := s.Import(ctx, []geo.Article{a}, second); err != nil {
		t.Fatal(err)
	}
	byID := map[string]geo.Event{}
	for _, e := range append(append([]geo.Event(nil), first...), second...) {
		byID[e.ID] = e
	}
	var all []geo.Event
	for _, e := range byID {
		all = append(all, e)
	}
	for _, f := range datesOnly {
		page, err := s.Events(ctx, f)
		must(t, err)
		if want := Expect(f, all); page.Matched != want.Matched {
			t.Errorf("after two imports, %s matches %d events, want %d", describe(f), page.Matched, want.Matched)
		}
	}
	for _, f := range []geo.Filter{{}, {Types: []string{"Protests"}}, {Country: "FR"}, {Start: "2024-02-01", End: "2024-02-05"},
		{Origins: []string{geo.OriginACLED}}, {Origins: []string{geo.OriginImport}, Types: []string{"Battles"}},
		{Q: "zebra"}, {Actor: "zebra", Country: "FR"}, {Q: "convoy"}, {Actor: "police"},
		// The kept counts by sub-event type and precision, which the
		// replaced events leave and join.
		{SubTypes: []string{"Peaceful protest"}}, {SubTypes: []string{"Peaceful protest"}, Country: "FR", Start: "2024-02-03"},
		{GeoPrecisions: []int{geo.GeoTown}}, {GeoPrecisions: []int{geo.GeoNear, geo.GeoRegion}, Types: []string{"Battles"}, End: "2024-02-07"}} {
		got, err := s.Stats(ctx, f)
		must(t, err)
		if want := ExpectStats(f, all); !reflect.DeepEqual(got, want) {
			t.Errorf("after two imports, stats of %s are\n%+v\nwant\n%+v", describe(f), got, want)
		}
	}
	// Several words, with a country or a type: a store may count them
	// from the events of each word kept apart, which the replaced events
	// leave and join.
	for _, f := range []geo.Filter{{Actor: "zebra police"}, {Actor: "police", Q: "convoy"}, {Actor: "zebra", Q: "convoy", Country: "FR"},
		{Q: "zebras crossed", Types: []string{"Protests"}, Country: "FR"}, {Actor: "police", Q: "convoy", Country: "UA"}} {
		page, err := s.Events(ctx, f)
		must(t, err)
		if want := Expect(f, all); page.Matched != want.Matched {
			t.Errorf("after two imports, %s matches %d events, want %d", describe(f), page.Matched, want.Matched)
		}
	}
	// One word with a box: the kept counts per word and cell, by country
	// and week (cell_word_stats), which the replaced events leave and join;
	// likewise sub-event types and precisions (cell_detail_stats).
	for _, b := range []geo.BBox{{West: -20, South: -40, East: 60, North: 40}, {West: 0, South: 0, East: 90, North: 66.51},
		{West: -180, South: -90, East: 0, North: 90}} {
		for _, f := range []geo.Filter{{Q: "zebra"}, {Q: "convoy"}, {Actor: "police"},
			// Sub-event types or precisions with a box: the kept counts
			// per cell by country and week (cell_detail_stats).
			{SubTypes: []string{"Peaceful protest"}}, {GeoPrecisions: []int{geo.GeoTown}}, {GeoPrecisions: []int{geo.GeoNear, geo.GeoRegion}}} {
			f.BBox = &b
			got, err := s.Stats(ctx, f)
			must(t, err)
			if want := ExpectStats(f, all); !reflect.DeepEqual(got, want) {
				t.Errorf("after two imports, stats of %s are\n%+v\nwant\n%+v", describe(f), got, want)
			}
		}
	}
	// Small boxes around some events: a store may count them and their
	// stats from its finest kept cells with dates (and the countries of
	// those cells by week), which the replaced events leave and join.
	for _, e := range all[25:35] {
		b := geo.BBox{West: e.Point[0] - 0.3, South: e.Point[1] - 0.3, East: e.Point[0] + 0.3, North: e.Point[1] + 0.3}
		for _, f := range []geo.Filter{{}, {Start: "2024-01-03"}, {Start: "2024-01-01", End: "2024-12-31"}, {Types: []string{e.EventType}}} {
			f.BBox = &b
			got, err := s.Stats(ctx, f)
			must(t, err)
			if want := ExpectStats(f, all); !reflect.DeepEqual(got, want) {
				t.Errorf("after two imports, stats of %s are\n%+v\nwant\n%+v", describe(f), got, want)
			}
			page, err := s.Events(ctx, f)
			must(t, err)
			if want := Expect(f, all); page.Matched != want.Matched {
				t.Errorf("after two imports, %s matches %d events, want %d", describe(f), page.Matched, want.Matched)
			}
		}
	}
	// The events whose date alone changed moved in the list: the pages of
	// their words follow them, where a store keeps its full-text index in
	// the list's order of days.
	words := geo.Words(first[35].Quote)
	for _, f := range []geo.Filter{{Q: strings.Join(words[:min(2, len(words))], " ")}, {Q: words[0]}} {
		checkPagesAndStats(t, s, f, all, 1, []int{1, 3})
	}
	// One word between dates, at zooms of the kept counts per word, cell,
	// week and event type, which the replaced events (another type, date,
	// place or words) leave and join.
	for _, f := range []geo.Filter{{Q: "zebras", Start: "2024-01-01"}, {Q: "convoy", Start: "2024-01-03", End: "2025-06-13"},
		{Actor: "police", Start: "2023-12-27", End: "2025-06-30", Types: []string{"Protests", geo.Battles}}} {
		want := Expect(f, all).Matched
		for _, zoom := range []int{2, 8, 9} {
			checkZoomCells(t, s, "after two imports, ", f, zoom, want)
		}
	}
	checkCounts(t, s, "after two imports")
}
