package storetest

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"conflictmap/geo"

	"github.com/paulmach/orb"
)

// everyPrecision selects every event whatever its geo_precision (every
// event the suite stores has one of these): added to a filter, it changes
// no answer but keeps the store from answering from its kept counts or
// cells, so that it reads the events themselves.
var everyPrecision = []int{0, geo.GeoTown, geo.GeoNear, geo.GeoRegion}

// noPrecision is a geo_precision no event has: added to a filter's
// precisions, it changes no answer but keeps the store from answering from
// its kept cells per precision.
const noPrecision = -1

// fromEvents returns f as a store answers it from its events alone
// (everyPrecision, or f's own precisions and noPrecision).
func fromEvents(f geo.Filter) geo.Filter {
	if len(f.GeoPrecisions) > 0 {
		f.GeoPrecisions = append(slices.Clip(f.GeoPrecisions), noPrecision)
		return f
	}
	f.GeoPrecisions = everyPrecision
	return f
}

// CheckCells is checkCells for a store's own tests: after a bulk import that
// deferred the store's triggers, say.
func CheckCells(t *testing.T, s Store, when string) {
	t.Helper()
	checkCells(t, s, when)
}

// checkCells compares the counts, stats and density cells a store answers
// from its kept cells (a box or a zoom with filters of types, modalities,
// origins, dates or a country) with those it answers from the events, after
// writes that added, replaced and removed events: boxes whose edges fall on
// cell edges and between them, large and small, and every zoom of the kept
// levels and between them.
func checkCells(t *testing.T, s Store, when string) {
	t.Helper()
	ctx := t.Context()
	all, err := s.Events(ctx, geo.Filter{})
	must(t, err)
	if every, err := s.Events(ctx, fromEvents(geo.Filter{})); err != nil || every.Matched != all.Matched {
		t.Fatalf("%s: every precision matches %d events (%v), want all %d", when, every.Matched, err, all.Matched)
	}
	compareCells(t, s, when, []*geo.BBox{nil, {West: -180, South: -90, East: 180, North: 90}, {West: -20, South: -40, East: 60, North: 40},
		{West: 30, South: 44, East: 40, North: 52}, {West: -10.25, South: -5.5, East: 12.75, North: 20.5},
		{West: 0, South: 0, East: 90, North: 66.51}, {West: 22.5, South: 0, East: 45, North: 22.5},
		{West: 31.1, South: 47.6, East: 33.9, North: 50.2}, {West: 170, South: -30, East: 180, North: 90}},
		[]geo.Filter{{}, {Types: []string{geo.Battles, geo.Protests}}, {Start: "2024-01-01"},
			{End: "2024-06-30", Modalities: []string{geo.Occurred}}, {Origins: []string{geo.OriginExtracted}},
			{Start: "2024-01-01", End: "2024-03-31"}, {Start: "2024-01-02"},
			// Neither end on a week's: whole weeks from the cells, the days
			// at either end from the events.
			{Start: "2024-01-03", End: "2024-02-15"}, {End: "2024-05-29", Types: []string{geo.Battles}},
			// Words: one that starts one stored word (the kept counts per
			// word and cell answer), with types; one that starts two; none.
			{Q: "dro"}, {Actor: "POLICE", Types: []string{geo.Battles, geo.Protests}}, {Actor: "100"}, {Q: "zebra"}, {Actor: "police"},
			// A word between dates: the kept counts per word, cell and
			// week answer the whole weeks, with types.
			{Q: "dro", Start: "2024-01-03"}, {Actor: "police", Start: "2023-12-31", End: "2024-09-30", Types: []string{geo.Battles, geo.Protests}},
			// Sub-event types and precisions: the kept cells per sub-event
			// type and precision answer them.
			{SubTypes: detailSubTypes()[:2]}, {GeoPrecisions: []int{geo.GeoTown}, Types: []string{geo.Battles, geo.Protests}},
			// Precisions alone: with a box, their stats add up the kept
			// counts per cell by country and week (cell_detail_stats).
			{GeoPrecisions: []int{geo.GeoTown}}, {GeoPrecisions: []int{geo.GeoNear, geo.GeoRegion}},
			// A country: its density cells up to zoom 8 from the kept
			// counts per country (cell_countries), with types and origins.
			{Country: "UA"}, {Country: "SY", Types: []string{geo.Battles, geo.Protests}, Origins: []string{geo.OriginExtracted}}})
}

// detailSubTypes are sub-event types of three event types, for the
// filters of the kept cells per sub-event type and precision.
func detailSubTypes() []string {
	tax := geo.Taxonomy()
	return []string{tax[0].SubTypes[0], tax[3].SubTypes[0], tax[1].SubTypes[1]}
}

// compareCells compares, for every box and filter, the count, stats and
// density cells a store answers with those it answers from the events.
func compareCells(t *testing.T, s Store, when string, boxes []*geo.BBox, filters []geo.Filter) {
	t.Helper()
	ctx := t.Context()
	for _, b := range boxes {
		for _, f := range filters {
			f.BBox = b
			want, err := s.Events(ctx, fromEvents(f))
			must(t, err)
			if b != nil {
				got, err := s.Events(ctx, f)
				must(t, err)
				if got.Matched != want.Matched {
					t.Errorf("%s: %s matches %d events, %d counted from the events", when, describe(f), got.Matched, want.Matched)
				}
				gs, err := s.Stats(ctx, f)
				must(t, err)
				ws, err := s.Stats(ctx, fromEvents(f))
				must(t, err)
				if !reflect.DeepEqual(gs, ws) {
					t.Errorf("%s: stats of %s are\n%+v\nfrom the events\n%+v", when, describe(f), gs, ws)
				}
			}
			for _, zoom := range []int{0, 2, 3, 5, 8, 9, 10, 11, 13, 14} {
				checkZoomCells(t, s, when+": ", f, zoom, want.Matched)
			}
		}
	}
}

// checkZoomCells checks f's density cells at zoom against the store's own
// answer from the events, and that they count matched events; when
// starts the messages.
func checkZoomCells(t *testing.T, s Store, when string, f geo.Filter, zoom, matched int) {
	t.Helper()
	gc, err := s.Cells(t.Context(), f, zoom)
	must(t, err)
	wc, err := s.Cells(t.Context(), fromEvents(f), zoom)
	must(t, err)
	if !sameCells(gc, wc) {
		t.Errorf("%scells of %s at zoom %d are\n%+v\nfrom the events\n%+v", when, describe(f), zoom, gc, wc)
	}
	n := 0
	for _, c := range gc {
		n += c.Count
	}
	if n != matched {
		t.Errorf("%scells of %s at zoom %d count %d events, %d match", when, describe(f), zoom, n, matched)
	}
}

// testCellEdges stores events on and just off the edges of cells, where
// rounding puts a point just west or south of a cell edge in the cell east
// or north of it, and checks boxes whose edges are those cell edges (as a
// vector tile's are): the cells count exactly the events inside the box.
func testCellEdges(t *testing.T, s Store) {
	a := geo.Article{ID: "edges", Title: "Edges", Published: "2024-12-31", Text: "edges"}
	var events []geo.Event
	tiny := []float64{-1e-15, -5e-324, 0, 5e-324, 1e-15}
	for i, e := range Generate(9, a, 4*len(tiny)*len(tiny)) {
		lon, lat := tiny[i%len(tiny)], tiny[(i/len(tiny))%len(tiny)]
		switch i / (len(tiny) * len(tiny)) {
		case 1:
			lon += 22.5
		case 2:
			lat += 22.5
		case 3:
			lon, lat = lon+45, lat+22.5
		}
		e.Point, e.Bound = orb.Point{lon, lat}, nil
		e.EventDate, e.EventDateEnd = fmt.Sprintf("2024-03-%02d", 1+i%28), ""
		events = append(events, e)
	}
	if _, err := s.Ingest(t.Context(), a, events); err != nil {
		t.Fatal(err)
	}
	compareCells(t, s, "on cell edges", []*geo.BBox{{West: 0, South: 0, East: math.Nextafter(90, 0), North: 66.51},
		{West: 0, South: 0, East: 45, North: 22.5}, {West: 22.5, South: 0, East: 45, North: 22.5},
		{West: -22.5, South: -22.5, East: 0, North: 0}, {West: 5e-324, South: 5e-324, East: 22.5, North: 22.5}},
		[]geo.Filter{{}, {Types: []string{geo.Battles}}})
}

// testDateEdges stores events that start and end on either side of the
// week edges nearest a filter's dates, where the kept cells (counted by
// the weeks of an event's first and last day) and the events read for the
// days outside whole weeks meet: every event that meets the dates is
// counted once, in the cells or in the days at either end.
func testDateEdges(t *testing.T, s Store) {
	a := geo.Article{ID: "dates", Title: "Dates", Published: "2024-12-31", Text: "dates"}
	spans := [][2]string{
		// Around Wednesday 3 January 2024, whose week's Monday is 1 January
		// and the next Monday the 8th.
		{"2023-12-25", "2024-01-02"}, {"2023-12-31", "2024-01-03"}, {"2024-01-02", "2024-01-02"}, {"2024-01-03", "2024-01-03"},
		{"2024-01-05", "2024-01-07"}, {"2024-01-06", "2024-01-08"}, {"2024-01-07", "2024-01-07"}, {"2024-01-07", "2024-01-09"},
		{"2024-01-08", "2024-01-08"}, {"2023-12-20", ""}, {"2024-01-07", ""},
		// Around Thursday 15 February 2024: the Sunday before is the 11th.
		{"2024-02-10", "2024-02-11"}, {"2024-02-11", "2024-02-12"}, {"2024-02-12", "2024-02-12"}, {"2024-02-12", "2024-02-16"},
		{"2024-02-15", "2024-02-20"}, {"2024-02-16", "2024-02-16"}, {"2024-02-14", ""}, {"2024-02-16", ""},
		{"", ""},
	}
	var events []geo.Event
	for i, e := range Generate(10, a, 4*len(spans)) {
		span := spans[i%len(spans)]
		e.EventDate, e.EventDateEnd = span[0], span[1]
		// Four places per span: two in one cell of every kept level, one
		// in the cell beside it, one far away.
		e.Point, e.Bound = [4]orb.Point{{30.1, 48.1}, {30.2, 48.2}, {31.1, 48.1}, {-60.3, -10.4}}[i/len(spans)], nil
		events = append(events, e)
	}
	if _, err := s.Ingest(t.Context(), a, events); err != nil {
		t.Fatal(err)
	}
	boxes := []*geo.BBox{nil, {West: 29, South: 47, East: 33, North: 50}, {West: 30, South: 48, East: 30.15, North: 48.15},
		// Edges through the points: each of the three is inside.
		{West: 30.1, South: 48.1, East: 31.1, North: 48.2},
		// Cells inside, and a point in the strips along its west and
		// south edges (outside the cells of zoom 8 and finer).
		{West: 30.15, South: 48.05, East: 33, North: 50}}
	filters := []geo.Filter{{Start: "2024-01-03"}, {End: "2024-02-15"}, {Start: "2024-01-03", End: "2024-02-15"}, {Start: "2024-01-07", End: "2024-01-08"},
		{Start: "2024-01-06", End: "2024-01-16", Types: []string{geo.Battles, geo.Protests, geo.Riots, geo.ExplosionsRemote}},
		// Events that start before the start and hold it (from 31
		// December) bound the first days read by date from below.
		{Start: "2024-01-03", End: "2024-01-03"}, {Start: "2024-01-02", End: "2024-01-08"}, {Start: "2024-02-12", End: "2024-02-16"},
		// Precisions with dates: a store may count a dense box's events
		// from the dates' entries, testing the box and the precision on
		// each.
		{GeoPrecisions: []int{geo.GeoNear}, Start: "2024-01-03", End: "2024-02-15"}, {GeoPrecisions: []int{geo.GeoTown, geo.GeoRegion}, Start: "2024-01-07"}}
	compareCells(t, s, "on week edges", boxes, filters)
	// Both sides of compareCells may read the events the same new way (a
	// store plans a box dense in events from its dates alone, whether
	// it answers from its cells or not): the model decides too.
	compareModel(t, s, "on week edges", boxes, filters)
}

// testCountryAlone stores the events of one country in a box and one
// event of another country inside the box, then removes that one: a store
// may answer a country's filter in a box that holds no other country's
// events as the box alone (eventsql.CountryAloneSQL), and must not while
// the other event is there, nor count the other country's events just
// outside the box.
func testCountryAlone(t *testing.T, s Store) {
	ctx := t.Context()
	box := &geo.BBox{West: 37.5, South: 47.8, East: 38.1, North: 48.2}
	a := geo.Article{ID: "alone", Title: "Alone", Published: "2024-12-31", Text: "alone"}
	events := Generate(11, a, 60)
	for i := range events {
		e := &events[i]
		e.CountryCode, e.Country, e.Bound = "UA", "Ukraine", nil
		e.Point = orb.Point{37.5 + 0.6*float64(i%10)/9, 47.8 + 0.4*float64(i/10)/5}
	}
	// Another country's events beside the box, in cells of their own.
	events[0].CountryCode, events[0].Point = "SY", orb.Point{39.5, 48.0}
	events[1].CountryCode, events[1].Point = "SY", orb.Point{37.0, 47.5}
	if _, err := s.Ingest(ctx, a, events); err != nil {
		t.Fatal(err)
	}
	b := geo.Article{ID: "neighbour", Title: "Neighbour", Published: "2024-12-31", Text: "neighbour"}
	other := Generate(12, b, 1)
	other[0].CountryCode, other[0].Country, other[0].Bound, other[0].Point = "SY", "Syria", nil, orb.Point{38.09, 48.19}
	if _, err := s.Ingest(ctx, b, other); err != nil {
		t.Fatal(err)
	}
	filters := []geo.Filter{{Country: "UA"}, {Country: "SY"}, {Country: "UA", Start: "2024-01-03"},
		{Country: "UA", GeoPrecisions: []int{geo.GeoTown}}, {Country: "UA", Types: []string{geo.Battles, geo.Protests}},
		{Country: "UA", SubTypes: detailSubTypes()}, {Country: "UA", Actor: "police"}}
	check := func(when string) {
		t.Helper()
		compareModel(t, s, when, []*geo.BBox{box}, filters)
		all, err := s.Events(ctx, geo.Filter{Limit: geo.MaxLimit})
		must(t, err)
		for _, f := range filters {
			f.BBox = box
			for _, zoom := range []int{6, 10, 11, 12} {
				gc, err := s.Cells(ctx, f, zoom)
				must(t, err)
				if wc := ExpectCells(f, zoom, all.Events); !sameCells(gc, wc) {
					t.Errorf("%s: cells of %s at zoom %d are\n%+v\nthe model's\n%+v", when, describe(f), zoom, gc, wc)
				}
			}
		}
	}
	check("another country in the box")
	if _, err := s.DeleteArticle(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	check("one country in the box")
}

// compareModel compares, for every box and filter, the page, stats and
// density cells a store answers with the model's (Expect, ExpectStats,
// ExpectCells) over the events it holds.
func compareModel(t *testing.T, s Store, when string, boxes []*geo.BBox, filters []geo.Filter) {
	t.Helper()
	ctx := t.Context()
	all, err := s.Events(ctx, geo.Filter{Limit: geo.MaxLimit})
	must(t, err)
	for _, b := range boxes {
		for _, f := range filters {
			f.BBox = b
			want := Expect(f, all.Events)
			got, err := s.Events(ctx, f)
			must(t, err)
			if got.Matched != want.Matched || !reflect.DeepEqual(ids(got.Events), ids(want.Events)) {
				t.Errorf("%s: %s matches %d events %v, the model %d %v", when, describe(f), got.Matched, ids(got.Events), want.Matched, ids(want.Events))
			}
			st, err := s.Stats(ctx, f)
			must(t, err)
			if ws := ExpectStats(f, all.Events); !reflect.DeepEqual(st, ws) {
				t.Errorf("%s: stats of %s are\n%+v\nthe model's\n%+v", when, describe(f), st, ws)
			}
			for _, zoom := range []int{2, 9, 14} {
				gc, err := s.Cells(ctx, f, zoom)
				must(t, err)
				if wc := ExpectCells(f, zoom, all.Events); !sameCells(gc, wc) {
					t.Errorf("%s: cells of %s at zoom %d are\n%+v\nthe model's\n%+v", when, describe(f), zoom, gc, wc)
				}
			}
		}
	}
}

// testWordEdges stores events just inside and just outside the edges of
// boxes, with a word in the actors of some and in the quote of others, and
// checks what a store answers for the word in the box from its kept counts
// per word and cell (the cells wholly inside the box) and the events of the
// box's edges: the page and the stats against the model, the density cells
// against the store's own answer from the events.
func testWordEdges(t *testing.T, s Store) {
	ctx := t.Context()
	a := geo.Article{ID: "words", Title: "Words", Published: "2024-12-31", Text: "words"}
	boxes := []geo.BBox{
		{West: 30.1, South: 48.05, East: 31.3, North: 48.95},
		// On cells' edges at every kept level (22.5 degrees is 64 cells of
		// level 8).
		{West: 22.5, South: 0, East: 45, North: 22.5},
	}
	var points []orb.Point
	for _, b := range boxes {
		midLon, midLat := (b.West+b.East)/2, (b.South+b.North)/2
		for _, d := range []float64{-1e-9, -5e-324, 0, 5e-324, 1e-9} {
			points = append(points, orb.Point{b.West + d, midLat}, orb.Point{b.East + d, midLat},
				orb.Point{midLon, b.South + d}, orb.Point{midLon, b.North + d}, orb.Point{b.West + d, b.South + d})
		}
		points = append(points, orb.Point{midLon, midLat}, orb.Point{midLon + 0.01, midLat - 0.01}, orb.Point{b.West + 0.2, b.North - 0.2})
	}
	texts := [][3]string{
		{"drone operators", "", "a convoy was hit"},
		{"police", "army", "drones hit the market"},
		{"militia", "", "a drone strike"},
		{"Police", "drone unit", "shelling"},
	}
	var events []geo.Event
	for i, e := range Generate(11, a, 3*len(points)) {
		e.Point, e.Bound = points[i%len(points)], nil
		tx := texts[(i+i/len(points))%len(texts)]
		e.Actor1, e.Actor2, e.Quote = tx[0], tx[1], tx[2]
		events = append(events, e)
	}
	if _, err := s.Ingest(ctx, a, events); err != nil {
		t.Fatal(err)
	}
	stored, err := s.Events(ctx, geo.Filter{Limit: geo.MaxLimit})
	must(t, err)
	// Dates, each also with the words in the box, which a store may count
	// from the kept counts per word, cell and week: the whole weeks inside
	// them in the cells inside the box, the box's edges in those weeks and
	// the days outside them (2023-06-05 is a Monday, 2024-10-20 a Sunday;
	// the others fall between). Others start and end on the days of
	// events, inside the edge days, and start inside events' spans, so
	// that an event is counted once whether it lies in the weeks or the
	// days, in the cells or the strips.
	dates := [][2]string{{"", ""}, {"2023-03-08", "2024-10-20"}, {"2023-06-05", ""}, {"", "2024-05-01"}, {"2023-06-07", "2023-06-10"}}
	spans, days := 0, 0
	for _, e := range stored.Events {
		if e.EventDate == "" {
			continue
		}
		date, _ := time.Parse(geo.DateLayout, e.EventDate)
		switch {
		case e.EventDateEnd > e.EventDate && spans < 6:
			spans++
			dates = append(dates, [2]string{date.AddDate(0, 0, 1).Format(geo.DateLayout), ""})
		case date.Weekday() != time.Monday && date.Weekday() != time.Sunday && days < 6:
			// Alternately the start and the end.
			if days++; days%2 == 0 {
				dates = append(dates, [2]string{e.EventDate, ""})
			} else {
				dates = append(dates, [2]string{"", e.EventDate})
			}
		}
	}
	if spans == 0 {
		t.Errorf("no generated event spans several days")
	}
	// The day after the first day of the oldest event that spans several,
	// and open: most events lie inside the dates, which a store may answer
	// as the word's events of every date less the few outside them, which
	// hold those that end before the start but not that one.
	for i := len(stored.Events) - 1; i >= 0; i-- {
		if e := stored.Events[i]; e.EventDate != "" && e.EventDateEnd > e.EventDate {
			date, _ := time.Parse(geo.DateLayout, e.EventDate)
			dates = append(dates, [2]string{date.AddDate(0, 0, 1).Format(geo.DateLayout), ""})
			break
		}
	}
	var filters []geo.Filter
	for _, d := range dates {
		for _, f := range []geo.Filter{{Q: "drone"}, {Actor: "drone"}, {Q: "drones"}, {Actor: "POLICE"}, {Q: "dro"}, {Q: "strike"},
			{Actor: "police", Types: []string{geo.Battles, geo.Protests}}, {Q: "zebra"}} {
			f.Start, f.End = d[0], d[1]
			filters = append(filters, f)
		}
	}
	for _, b := range boxes {
		for _, f := range filters {
			f.BBox = &b
			want := Expect(f, stored.Events)
			got, err := s.Events(ctx, f)
			must(t, err)
			if got.Matched != want.Matched || len(got.Events) != len(want.Events) {
				t.Errorf("%s matches %d events (page of %d), want %d (page of %d)", describe(f), got.Matched, len(got.Events),
					want.Matched, len(want.Events))
			} else {
				for i := range got.Events {
					if got.Events[i].ID != want.Events[i].ID {
						t.Errorf("%s: event %d is %s, want %s", describe(f), i, got.Events[i].ID, want.Events[i].ID)
						break
					}
				}
			}
			// The stats of the word in the box: countries and weeks of the
			// cells inside it from cell_word_stats, of its edges from the
			// events.
			st, err := s.Stats(ctx, f)
			must(t, err)
			if ws := ExpectStats(f, stored.Events); !reflect.DeepEqual(st, ws) {
				t.Errorf("stats of %s are\n%+v\nthe model's\n%+v", describe(f), st, ws)
			}
			for _, zoom := range []int{0, 2, 5, 8, 9, 10, 11} {
				checkZoomCells(t, s, "", f, zoom, want.Matched)
			}
		}
	}
	// The same dates without a box, where a store may add up the kept
	// counts per word, cell and week of every cell.
	for _, f := range filters {
		want := Expect(f, stored.Events).Matched
		for _, zoom := range []int{0, 2, 8, 9} {
			checkZoomCells(t, s, "", f, zoom, want)
		}
	}
}

// testDetailCellEdges stores events of several sub-event types and
// precisions on and just off the edges of cells of every level of the
// kept cells per sub-event type and precision (22.5 degrees is a cell
// edge at every level) and of a box's edges between them, and checks the
// density cells of filters of sub-event types, precisions, both, and with
// event types, modalities and origins, in those boxes and without one,
// against the store's answer from the events and the model's.
func testDetailCellEdges(t *testing.T, s Store) {
	a := geo.Article{ID: "detail-edges", Title: "Detail edges", Published: "2024-12-31", Text: "detail edges"}
	subTypes := detailSubTypes()
	tax := geo.Taxonomy()
	// The event type of each of subTypes.
	typeOf := map[string]string{subTypes[0]: tax[0].Type, subTypes[1]: tax[3].Type, subTypes[2]: tax[1].Type}
	tiny := []float64{-1e-9, -5e-324, 0, 5e-324, 1e-9}
	corners := []orb.Point{{0, 0}, {22.5, 0}, {0, 22.5}, {45, 22.5}, {30.1, 48.05}, {31.3, 48.95}}
	var events []geo.Event
	for i, e := range Generate(12, a, len(corners)*len(tiny)*len(tiny)) {
		c := corners[i/(len(tiny)*len(tiny))]
		e.Point, e.Bound = orb.Point{c[0] + tiny[i%len(tiny)], c[1] + tiny[(i/len(tiny))%len(tiny)]}, nil
		e.SubEventType = subTypes[i%len(subTypes)]
		e.EventType = typeOf[e.SubEventType]
		e.GeoPrecision = 1 + (i/2)%3
		events = append(events, e)
	}
	if _, err := s.Ingest(t.Context(), a, events); err != nil {
		t.Fatal(err)
	}
	boxes := []*geo.BBox{nil, {West: 0, South: 0, East: 45, North: 22.5}, {West: 22.5, South: 0, East: 45, North: 22.5},
		{West: -22.5, South: -22.5, East: 0, North: 0}, {West: 5e-324, South: 5e-324, East: 22.5, North: 22.5},
		{West: 30.1, South: 48.05, East: 31.3, North: 48.95}, {West: 29, South: 47, East: 33, North: 50}}
	filters := []geo.Filter{{SubTypes: subTypes[:1]}, {SubTypes: subTypes[1:]}, {GeoPrecisions: []int{geo.GeoNear}},
		{GeoPrecisions: []int{geo.GeoTown, geo.GeoRegion}, SubTypes: subTypes[:2]},
		{SubTypes: subTypes, Types: []string{geo.Battles, geo.ExplosionsRemote}, Modalities: []string{geo.Occurred, geo.Ongoing}},
		{GeoPrecisions: []int{geo.GeoTown}, Origins: []string{geo.OriginExtracted}}}
	compareCells(t, s, "on cell edges by sub-event type", boxes, filters)
	compareModel(t, s, "on cell edges by sub-event type", boxes, filters)
}
