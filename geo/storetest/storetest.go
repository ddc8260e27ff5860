// Package storetest is the conformance suite of conflictmap's event stores.
// Every store (SQLite, PostGIS) runs the same checks, so that the HTTP layer
// can rely on one contract whichever store is configured: the query
// semantics of DESIGN.md, exact round trips of every event field, atomic and
// idempotent ingests, a data version that moves with every ingest, stable
// paging, and Stats and Extent computed over the same filters.
//
// The package also holds the reference model the suite compares stores
// against (Matches, Less, Expect, ExpectStats) and generated data for
// benchmarks (Generate).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"conflictmap/geo"

	"github.com/paulmach/orb"
)

// Store is the contract every event store fulfils.
type Store interface {
	Ingest(ctx context.Context, a geo.Article, events []geo.Event) (geo.Article, error)
	Events(ctx context.Context, f geo.Filter) (geo.EventPage, error)
	Event(ctx context.Context, id string) (geo.Event, error)
	Stats(ctx context.Context, f geo.Filter) (geo.Stats, error)
	Cells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, error)
	Extent(ctx context.Context) (geo.Extent, error)
	Article(ctx context.Context, id string) (geo.Article, error)
	Articles(ctx context.Context, limit, offset int) ([]geo.Article, int, error)
	Version(ctx context.Context) (int64, error)
	Ping(ctx context.Context) error
	ForEachArticle(ctx context.Context, fn func(geo.Article) error) error
	DeleteArticle(ctx context.Context, id string) (int, error)
	// Reports returns the reports merged into an event, earliest first.
	Reports(ctx context.Context, eventID string) ([]geo.Event, error)
	// Changes returns the events written or removed after a data version.
	Changes(ctx context.Context, after int64, limit int) ([]geo.Change, bool, error)
	Close() error
}

// Run runs the conformance suite. open must return a new, empty store and
// arrange for it to be closed (Close may then be called twice) and its data
// removed when t ends; it is called from parallel subtests, so the stores it
// returns must not share data.
//
// Every part runs on a store of its own, beside the others (t.Parallel):
// under the race detector the suite is most of a store package's time, and
// in sequence it kept one core of two busy.
func Run(t *testing.T, open func(t *testing.T) Store) { run(t, open, true) }

// RunPlans is Run without its merge parts, for a store opened with other
// query plans than the one Run checks: a merge finds its candidates among
// the stored reports whichever plans the store's reads take, and its four
// orders of reports took a fifth of the suite's time under the race
// detector, in a package at the test run's limit.
func RunPlans(t *testing.T, open func(t *testing.T) Store) { run(t, open, false) }

func run(t *testing.T, open func(t *testing.T) Store, merges bool) {
	part := func(name string, test func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t)
		})
	}
	part("Empty", func(t *testing.T) { testEmpty(t, open(t)) })
	part("Queries", func(t *testing.T) {
		s := open(t)
		ingestAll(t, s, Fixture())
		t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, s) })
		t.Run("Filters", func(t *testing.T) { testFilters(t, s) })
		t.Run("Paging", func(t *testing.T) { testPaging(t, s) })
		t.Run("Stats", func(t *testing.T) { testStats(t, s) })
		t.Run("Extent", func(t *testing.T) { testExtent(t, s) })
		t.Run("NotFound", func(t *testing.T) { testNotFound(t, s) })
		t.Run("ForEachArticle", func(t *testing.T) { testForEachArticle(t, s) })
	})
	part("Model", func(t *testing.T) { testModel(t, open(t)) })
	part("Articles", func(t *testing.T) { testArticles(t, open(t)) })
	part("Reingest", func(t *testing.T) { testReingest(t, open(t)) })
	part("Invalid", func(t *testing.T) { testInvalid(t, open(t)) })
	part("Concurrent", func(t *testing.T) { testConcurrent(t, open(t)) })
	part("Delete", func(t *testing.T) { testDelete(t, open(t)) })
	if merges {
		part("Merge", func(t *testing.T) { testMerge(t, open) })
	}
	part("Changes", func(t *testing.T) { testChanges(t, open(t)) })
	part("CellEdges", func(t *testing.T) { testCellEdges(t, open(t)) })
	part("DateEdges", func(t *testing.T) { testDateEdges(t, open(t)) })
	part("WordEdges", func(t *testing.T) { testWordEdges(t, open(t)) })
	part("DetailCellEdges", func(t *testing.T) { testDetailCellEdges(t, open(t)) })
	part("CountryAlone", func(t *testing.T) { testCountryAlone(t, open(t)) })
}

// Reopen checks that what one store wrote is read back, unchanged and with
// the same data version, by a store opened on the same data after the first
// was closed. open and reopen must open the same place.
func Reopen(t *testing.T, open, reopen func(t *testing.T) Store) {
	ctx := t.Context()
	first := open(t)
	ingestAll(t, first, Fixture())
	want, err := first.Events(ctx, geo.Filter{})
	must(t, err)
	wantArticles, wantTotal, err := first.Articles(ctx, 0, 0)
	must(t, err)
	v, err := first.Version(ctx)
	must(t, err)
	must(t, first.Close())

	second := reopen(t)
	got, err := second.Events(ctx, geo.Filter{})
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after re-open the events are\n%v\nwant\n%v", ids(got.Events), ids(want.Events))
	}
	gotArticles, gotTotal, err := second.Articles(ctx, 0, 0)
	must(t, err)
	if gotTotal != wantTotal || !sameArticles(gotArticles, wantArticles) {
		t.Errorf("after re-open the articles are %+v (total %d), want %+v (total %d)", gotArticles, gotTotal, wantArticles, wantTotal)
	}
	v2, err := second.Version(ctx)
	must(t, err)
	if v2 != v {
		t.Errorf("after re-open the data version is %d, want %d", v2, v)
	}
	b := Fixture()[0]
	ingest(t, second, b)
	v3, err := second.Version(ctx)
	must(t, err)
	if v3 <= v {
		t.Errorf("an ingest after re-open left the data version at %d, want above %d", v3, v)
	}
}

// Shared checks that two stores open on the same data at the same time (two
// server processes) see each other's ingests, and agree on the data version
// that keys the response cache.
func Shared(t *testing.T, a, b Store) {
	ctx := t.Context()
	batches := Fixture()
	ingest(t, a, batches[0])
	va, err := a.Version(ctx)
	must(t, err)
	vb, err := b.Version(ctx)
	must(t, err)
	if va != vb {
		t.Errorf("after an ingest through one store the versions are %d and %d, want equal", va, vb)
	}
	page, err := b.Events(ctx, geo.Filter{})
	must(t, err)
	if page.Matched != len(batches[0].Events) {
		t.Errorf("the other store sees %d events, want %d", page.Matched, len(batches[0].Events))
	}

	ingest(t, b, batches[1])
	va2, err := a.Version(ctx)
	must(t, err)
	if va2 <= va {
		t.Errorf("an ingest through the other store left the version at %d, want above %d", va2, va)
	}
	if _, err := a.Article(ctx, batches[1].Article.ID); err != nil {
		t.Errorf("the other store's article: %v", err)
	}
	page, err = a.Events(ctx, geo.Filter{Types: []string{geo.Riots}})
	must(t, err)
	if got := ids(page.Events); !reflect.DeepEqual(got, []string{"fiji-west"}) {
		t.Errorf("riots seen through the first store: %v, want [fiji-west]", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ingest(t *testing.T, s Store, b Batch) geo.Article {
	t.Helper()
	a, err := s.Ingest(t.Context(), b.Article, b.Events)
	if err != nil {
		t.Fatalf("ingest %s: %v", b.Article.ID, err)
	}
	return a
}

func ingestAll(t *testing.T, s Store, batches []Batch) {
	t.Helper()
	for _, b := range batches {
		ingest(t, s, b)
	}
}

// sameArticle compares articles field by field, instants with Equal.
func sameArticle(a, b geo.Article) bool {
	return a.ID == b.ID && a.Title == b.Title && a.URL == b.URL && a.Published == b.Published &&
		a.Text == b.Text && a.Events == b.Events && a.IngestedAt.Equal(b.IngestedAt)
}

func sameArticles(a, b []geo.Article) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameArticle(a[i], b[i]) {
			return false
		}
	}
	return true
}

// describe writes a filter for a failure message, with its bbox's numbers.
func describe(f geo.Filter) string {
	s := fmt.Sprintf("%+v", f)
	if f.BBox != nil {
		s += fmt.Sprintf(" bbox=%g,%g,%g,%g", f.BBox.West, f.BBox.South, f.BBox.East, f.BBox.North)
	}
	return s
}

func ids(events []geo.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func testEmpty(t *testing.T, s Store) {
	ctx := t.Context()
	must(t, s.Ping(ctx))
	page, err := s.Events(ctx, geo.Filter{})
	must(t, err)
	if page.Matched != 0 || len(page.Events) != 0 {
		t.Errorf("an empty store answers %d events (matched %d)", len(page.Events), page.Matched)
	}
	ext, err := s.Extent(ctx)
	must(t, err)
	if ext != (geo.Extent{}) {
		t.Errorf("an empty store's extent is %+v, want the zero extent", ext)
	}
	st, err := s.Stats(ctx, geo.Filter{})
	must(t, err)
	if st.Total != 0 || st.ByType == nil || st.ByCountry == nil || st.ByWeek == nil ||
		len(st.ByType)+len(st.ByCountry)+len(st.ByWeek) != 0 {
		t.Errorf("an empty store's stats are %#v, want zero with empty (not nil) buckets", st)
	}
	list, total, err := s.Articles(ctx, 10, 0)
	must(t, err)
	if total != 0 || len(list) != 0 {
		t.Errorf("an empty store lists %d articles (total %d)", len(list), total)
	}
	if _, err := s.Version(ctx); err != nil {
		t.Errorf("version of an empty store: %v", err)
	}
}

func testRoundTrip(t *testing.T, s Store) {
	ctx := t.Context()
	want := Merged(fixtureEvents())
	for _, e := range want {
		got, err := s.Event(ctx, e.ID)
		if err != nil {
			t.Errorf("event %s: %v", e.ID, err)
			continue
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("event %s came back as\n%#v\nwant\n%#v", e.ID, got, e)
		}
	}
	page, err := s.Events(ctx, geo.Filter{})
	must(t, err)
	byID := map[string]geo.Event{}
	for _, e := range want {
		byID[e.ID] = e
	}
	for _, e := range page.Events {
		if !reflect.DeepEqual(e, byID[e.ID]) {
			t.Errorf("listed event %s is\n%#v\nwant\n%#v", e.ID, e, byID[e.ID])
		}
	}
}

// filterCases are the fixture's answers to each filter, in list order.
func filterCases() []struct {
	name string
	f    geo.Filter
	want []string
} {
	all := []string{"fiji-west", "fiji-east", "rafah-threat", "kharkiv-shelling", "kyiv-shelling",
		"damascus-strike", "baghdad-meeting", "jordan-strike", "red-sea-attacks", "suva-undated"}
	box := func(w, s, e, n float64) *geo.BBox { return &geo.BBox{West: w, South: s, East: e, North: n} }
	return []struct {
		name string
		f    geo.Filter
		want []string
	}{
		{"none", geo.Filter{}, all},
		{"bbox levant", geo.Filter{BBox: box(34, 29, 40, 34)}, []string{"rafah-threat", "damascus-strike", "jordan-strike"}},
		{"bbox world", geo.Filter{BBox: box(-180, -90, 180, 90)}, all},
		{"bbox world with words", geo.Filter{BBox: box(-180, -90, 180, 90), Q: "shell"}, []string{"kharkiv-shelling", "kyiv-shelling"}},
		{"bbox world but the north edge just south of a point, with words", geo.Filter{BBox: box(-180, -90, 180, 50.454659999), Q: "shell"},
			[]string{"kharkiv-shelling"}},
		{"bbox one point", geo.Filter{BBox: box(38, 20, 38, 20)}, []string{"red-sea-attacks"}},
		{"bbox across antimeridian", geo.Filter{BBox: box(179, -17, -179, -16)}, []string{"fiji-west", "fiji-east"}},
		{"bbox across antimeridian wider", geo.Filter{BBox: box(178, -19, -179, -16)}, []string{"fiji-west", "fiji-east", "suva-undated"}},
		{"bbox east of antimeridian", geo.Filter{BBox: box(179, -17, 180, -16)}, []string{"fiji-east"}},
		{"bbox west of antimeridian", geo.Filter{BBox: box(-180, -17, -179, -16)}, []string{"fiji-west"}},
		{"bbox across antimeridian, west edge just past a point", geo.Filter{BBox: box(179.500000001, -17, -179, -16)}, []string{"fiji-west"}},
		{"bbox across antimeridian, east edge just short of a point", geo.Filter{BBox: box(179, -17, -179.500000001, -16)}, []string{"fiji-east"}},
		{"bbox south-west corner on point", geo.Filter{BBox: box(30.52335, 50.45466, 31, 51)}, []string{"kyiv-shelling"}},
		{"bbox north-east corner on point", geo.Filter{BBox: box(30, 50, 30.52335, 50.45466)}, []string{"kyiv-shelling"}},
		{"bbox just east of point", geo.Filter{BBox: box(30.523350001, 50, 31, 51)}, nil},
		{"bbox just south of point", geo.Filter{BBox: box(30, 50, 31, 50.454659999)}, nil},
		{"date one day inside a span", geo.Filter{Start: "2024-01-30", End: "2024-01-30"}, []string{"baghdad-meeting", "red-sea-attacks"}},
		{"start only, inclusive", geo.Filter{Start: "2024-02-27"}, []string{"fiji-west", "fiji-east", "rafah-threat", "damascus-strike", "red-sea-attacks"}},
		{"end only, inclusive", geo.Filter{End: "2024-01-28"}, []string{"jordan-strike", "red-sea-attacks"}},
		{"start and end", geo.Filter{Start: "2024-02-28", End: "2024-03-04"}, []string{"fiji-east", "damascus-strike"}},
		{"dates after everything", geo.Filter{Start: "2025-01-01"}, nil},
		{"start after end", geo.Filter{Start: "2024-03-05", End: "2024-01-28"}, nil},
		{"types", geo.Filter{Types: []string{geo.Protests, geo.Riots}}, []string{"fiji-west", "fiji-east", "suva-undated"}},
		{"one type", geo.Filter{Types: []string{geo.Battles}}, []string{"rafah-threat"}},
		{"modality", geo.Filter{Modalities: []string{geo.Threatened}}, []string{"rafah-threat"}},
		{"modalities", geo.Filter{Modalities: []string{geo.Ongoing, geo.Threatened}}, []string{"rafah-threat", "red-sea-attacks"}},
		{"country", geo.Filter{Country: "FJ"}, []string{"fiji-west", "fiji-east", "suva-undated"}},
		{"country one", geo.Filter{Country: "IQ"}, []string{"baghdad-meeting"}},
		{"actor", geo.Filter{Actor: "houthis"}, []string{"red-sea-attacks"}},
		{"actor upper case", geo.Filter{Actor: "HOUTHIS"}, []string{"red-sea-attacks"}},
		{"actor word in either actor", geo.Filter{Actor: "islamic"}, []string{"damascus-strike", "jordan-strike"}},
		{"actor every word", geo.Filter{Actor: "islamic  guard"}, []string{"damascus-strike"}},
		{"actor words across actor1 and actor2", geo.Filter{Actor: "quds hezbollah"}, []string{"baghdad-meeting"}},
		{"actor non-ASCII", geo.Filter{Actor: "élite"}, []string{"kharkiv-shelling"}},
		{"actor non-ASCII upper case", geo.Filter{Actor: "ÉLITE"}, []string{"kharkiv-shelling"}},
		{"actor punctuation", geo.Filter{Actor: "fiji)"}, []string{"fiji-west", "fiji-east"}},
		{"actor percent is a character", geo.Filter{Actor: "%"}, nil},
		{"q punctuation separates words", geo.Filter{Q: "100%"}, []string{"fiji-east", "suva-undated"}},
		{"q underscore separates words, each a word's start", geo.Filter{Q: "3_1"}, []string{"fiji-east"}},
		{"q punctuation alone", geo.Filter{Q: "%"}, nil},
		{"q start of a word", geo.Filter{Q: "shell"}, []string{"kharkiv-shelling", "kyiv-shelling"}},
		{"q inside a word is no word", geo.Filter{Q: "elling"}, nil},
		{"q words any case", geo.Filter{Q: "drone SOLDIERS"}, []string{"jordan-strike"}},
		{"q lower matches upper", geo.Filter{Q: "shelling hit"}, []string{"kharkiv-shelling", "kyiv-shelling"}},
		{"combined", geo.Filter{BBox: box(30, 45, 40, 52), Start: "2024-02-20", Types: []string{geo.ExplosionsRemote}, Actor: "russia"},
			[]string{"kharkiv-shelling", "kyiv-shelling"}},
		{"combined with q", geo.Filter{BBox: box(30, 45, 40, 52), Start: "2024-02-20", Q: "kyiv"}, []string{"kyiv-shelling"}},
		{"combined empty", geo.Filter{Country: "UA", Modalities: []string{geo.Occurred}, End: "2024-02-19"}, nil},
		{"sub-event type", geo.Filter{SubTypes: []string{"Air/drone strike"}}, []string{"damascus-strike", "jordan-strike"}},
		{"sub-event types", geo.Filter{SubTypes: []string{"Mob violence", "Armed clash"}}, []string{"fiji-west", "rafah-threat"}},
		{"geo precision", geo.Filter{GeoPrecisions: []int{geo.GeoRegion}}, []string{"red-sea-attacks"}},
		{"geo precisions with type", geo.Filter{GeoPrecisions: []int{geo.GeoTown, geo.GeoNear}, Types: []string{geo.ExplosionsRemote}},
			[]string{"damascus-strike", "jordan-strike"}},
	}
}

func testFilters(t *testing.T, s Store) {
	ctx := t.Context()
	for _, tc := range filterCases() {
		page, err := s.Events(ctx, tc.f)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := ids(page.Events)
		if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("%s: %s gives %v, want %v", tc.name, describe(tc.f), got, tc.want)
		}
		if page.Matched != len(tc.want) {
			t.Errorf("%s: matched %d, want %d", tc.name, page.Matched, len(tc.want))
		}
		// The reference model must agree with the hand-written answer,
		// so that the model-based test below checks the same semantics.
		if m := ids(Expect(tc.f, fixtureEvents()).Events); len(m) != len(tc.want) || (len(m) > 0 && !reflect.DeepEqual(m, tc.want)) {
			t.Errorf("%s: the reference model gives %v, want %v", tc.name, m, tc.want)
		}
	}
}

func testPaging(t *testing.T, s Store) {
	ctx := t.Context()
	whole, err := s.Events(ctx, geo.Filter{})
	must(t, err)
	for _, limit := range []int{1, 2, 3, 4, 7} {
		var got []geo.Event
		for off := 0; off < whole.Matched+limit; off += limit {
			page, err := s.Events(ctx, geo.Filter{Limit: limit, Offset: off})
			must(t, err)
			if page.Matched != whole.Matched {
				t.Errorf("limit %d offset %d: matched %d, want %d", limit, off, page.Matched, whole.Matched)
			}
			if len(page.Events) > limit {
				t.Errorf("limit %d offset %d: %d events", limit, off, len(page.Events))
			}
			got = append(got, page.Events...)
		}
		if !reflect.DeepEqual(ids(got), ids(whole.Events)) {
			t.Errorf("pages of %d concatenated: %v, want %v", limit, ids(got), ids(whole.Events))
		}
	}
	// Keyset paging walks the same list, uncounted.
	for _, limit := range []int{1, 3} {
		var got []geo.Event
		var after *geo.EventKey
		for range whole.Matched + 1 {
			page, err := s.Events(ctx, geo.Filter{Limit: limit, After: after})
			must(t, err)
			if after != nil && page.Matched != -1 {
				t.Errorf("limit %d after %v: matched %d, want -1 (not counted)", limit, *after, page.Matched)
			}
			if len(page.Events) == 0 {
				break
			}
			got = append(got, page.Events...)
			k := page.Events[len(page.Events)-1].Key()
			after = &k
		}
		if !reflect.DeepEqual(ids(got), ids(whole.Events)) {
			t.Errorf("keyset pages of %d concatenated: %v, want %v", limit, ids(got), ids(whole.Events))
		}
	}
	page, err := s.Events(ctx, geo.Filter{Country: "FJ", Limit: 2, Offset: 1})
	must(t, err)
	if got := ids(page.Events); !reflect.DeepEqual(got, []string{"fiji-east", "suva-undated"}) || page.Matched != 3 {
		t.Errorf("FJ limit 2 offset 1: %v (matched %d), want [fiji-east suva-undated] (matched 3)", got, page.Matched)
	}
}

func testStats(t *testing.T, s Store) {
	ctx := t.Context()
	c := func(k string, n int) geo.Count { return geo.Count{Key: k, Count: n} }
	cases := []struct {
		f    geo.Filter
		want geo.Stats
	}{
		{geo.Filter{}, geo.Stats{
			Total:     10,
			ByType:    []geo.Count{c(geo.ExplosionsRemote, 5), c(geo.Protests, 2), c(geo.Battles, 1), c(geo.Riots, 1), c(geo.StrategicDevelopments, 1)},
			ByCountry: []geo.Count{c("FJ", 3), c("UA", 2), c("", 1), c("IQ", 1), c("JO", 1), c("PS", 1), c("SY", 1)},
			// 2024-01-28 and 2023-11-19 are Sundays: they count in the week
			// of the Monday before.
			ByWeek: []geo.Count{c("2023-11-13", 1), c("2024-01-22", 1), c("2024-01-29", 2), c("2024-02-19", 2),
				c("2024-02-26", 1), c("2024-03-04", 2), c("", 1)},
		}},
		{geo.Filter{Country: "FJ", Limit: 1, Offset: 5}, geo.Stats{
			Total:     3,
			ByType:    []geo.Count{c(geo.Protests, 2), c(geo.Riots, 1)},
			ByCountry: []geo.Count{c("FJ", 3)},
			ByWeek:    []geo.Count{c("2024-03-04", 2), c("", 1)},
		}},
		{geo.Filter{Start: "2030-01-01"}, geo.Stats{ByType: []geo.Count{}, ByCountry: []geo.Count{}, ByWeek: []geo.Count{}}},
	}
	for _, tc := range cases {
		got, err := s.Stats(ctx, tc.f)
		must(t, err)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("stats of %+v:\n%+v\nwant\n%+v", tc.f, got, tc.want)
		}
		if m := ExpectStats(tc.f, fixtureEvents()); !reflect.DeepEqual(m, tc.want) {
			t.Errorf("the reference model's stats of %+v:\n%+v\nwant\n%+v", tc.f, m, tc.want)
		}
	}
}

func testExtent(t *testing.T, s Store) {
	got, err := s.Extent(t.Context())
	must(t, err)
	want := geo.Extent{BBox: &geo.BBox{West: -179.5, South: -18.14161, East: 179.5, North: 50.45466}, Start: "2023-11-19", End: "2024-03-05"}
	if got.BBox == nil || *got.BBox != *want.BBox || got.Start != want.Start || got.End != want.End {
		t.Errorf("extent %+v (bbox %+v), want %+v (bbox %+v)", got, got.BBox, want, want.BBox)
	}
}

func testNotFound(t *testing.T, s Store) {
	ctx := t.Context()
	if _, err := s.Event(ctx, "no-such-event"); geo.ErrorCode(err) != geo.ENOTFOUND {
		t.Errorf("a missing event gives %v (code %q), want %s", err, geo.ErrorCode(err), geo.ENOTFOUND)
	}
	if _, err := s.Article(ctx, "no-such-article"); geo.ErrorCode(err) != geo.ENOTFOUND {
		t.Errorf("a missing article gives %v (code %q), want %s", err, geo.ErrorCode(err), geo.ENOTFOUND)
	}
}

func testForEachArticle(t *testing.T, s Store) {
	ctx := t.Context()
	want := map[string]Batch{}
	for _, b := range Fixture() {
		want[b.Article.ID] = b
	}
	seen := map[string]bool{}
	// Re-ingesting from inside fn is what `conflictmap reextract` does: it
	// must neither deadlock nor visit an article twice.
	err := s.ForEachArticle(ctx, func(a geo.Article) error {
		b, ok := want[a.ID]
		if !ok {
			return fmt.Errorf("unknown article %s", a.ID)
		}
		if seen[a.ID] {
			return fmt.Errorf("article %s visited twice", a.ID)
		}
		seen[a.ID] = true
		if a.Text != b.Article.Text || a.Title != b.Article.Title || a.URL != b.Article.URL ||
			a.Published != b.Article.Published || a.Events != len(b.Events) || a.IngestedAt.IsZero() {
			return fmt.Errorf("article %s is %+v, want %+v with %d events", a.ID, a, b.Article, len(b.Events))
		}
		_, err := s.Ingest(ctx, a, b.Events)
		return err
	})
	must(t, err)
	if len(seen) != len(want) {
		t.Errorf("visited %d articles, want %d", len(seen), len(want))
	}

	stop := errors.New("stop")
	calls := 0
	err = s.ForEachArticle(ctx, func(geo.Article) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("an error from fn gives %v after %d calls, want it returned after 1", err, calls)
	}
}

func testModel(t *testing.T, s Store) {
	ctx := t.Context()
	var all []geo.Event
	for i := range 2 {
		a := geo.Article{ID: fmt.Sprintf("gen%d", i), Title: "Generated", Published: "2024-12-31", Text: "generated"}
		evs := Generate(uint64(i+1), a, 200)
		if _, err := s.Ingest(ctx, a, evs); err != nil {
			t.Fatal(err)
		}
		all = append(all, evs...)
	}
	all = Merged(all)
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 120 {
		f := randomFilter(r)
		switch r.IntN(4) {
		case 0:
			f.Limit = 1 + r.IntN(40)
			f.Offset = r.IntN(60)
		case 1:
			f.Offset = r.IntN(5)
		case 2:
			// Keyset paging from any event's place, dated or not, and
			// from places no event holds.
			k := all[r.IntN(len(all))].Key()
			if r.IntN(3) == 0 {
				k.ID += "~"
			}
			f.After, f.Limit, f.Offset = &k, 1+r.IntN(40), r.IntN(3)
		}
		want := Expect(f, all)
		got, err := s.Events(ctx, f)
		if err != nil {
			t.Fatalf("filter %d %s: %v", i, describe(f), err)
		}
		if got.Matched != want.Matched || !reflect.DeepEqual(ids(got.Events), ids(want.Events)) {
			t.Errorf("filter %d %s: matched %d %v, want matched %d %v", i, describe(f), got.Matched, ids(got.Events), want.Matched, ids(want.Events))
			continue
		}
		for j := range got.Events {
			if !reflect.DeepEqual(got.Events[j], want.Events[j]) {
				t.Errorf("event %s is\n%#v\nwant\n%#v", want.Events[j].ID, got.Events[j], want.Events[j])
			}
		}
		if i%4 == 0 {
			gs, err := s.Stats(ctx, f)
			must(t, err)
			if ws := ExpectStats(f, all); !reflect.DeepEqual(gs, ws) {
				t.Errorf("stats of filter %d %s:\n%+v\nwant\n%+v", i, describe(f), gs, ws)
			}
		}
		if i%4 == 1 {
			zoom := r.IntN(16)
			gc, err := s.Cells(ctx, f, zoom)
			must(t, err)
			if wc := ExpectCells(f, zoom, all); !sameCells(gc, wc) {
				t.Errorf("cells of filter %d %s at zoom %d:\n%+v\nwant\n%+v", i, describe(f), zoom, gc, wc)
			}
			n := 0
			for _, c := range gc {
				n += c.Count
			}
			whole := f
			whole.After = nil // cells, like stats, count every match
			if m := Expect(whole, all).Matched; n != m {
				t.Errorf("cells of filter %d %s at zoom %d count %d events, want %d", i, describe(f), zoom, n, m)
			}
		}
	}
	// Words that start some words and sit inside others ("s" starts
	// "south" and ends "forces"), alone, a first page and one further in,
	// and with another filter.
	for _, f := range []geo.Filter{{Q: "s"}, {Actor: "b"}, {Q: "s", Limit: 5}, {Q: "s", Limit: 5, Offset: 3}, {Q: "a e", Country: "UA"}, {Actor: "e"}} {
		want := Expect(f, all)
		got, err := s.Events(ctx, f)
		must(t, err)
		if got.Matched != want.Matched || !reflect.DeepEqual(ids(got.Events), ids(want.Events)) {
			t.Errorf("%s: matched %d %v, want matched %d %v", describe(f), got.Matched, ids(got.Events), want.Matched, ids(want.Events))
		}
	}
	testWordWalkPages(t, s, all)
	testWordWeeks(t, s, all)
	testActorAndQuote(t, s, all)
	checkDetail(t, s, all)
	testSubTypePages(t, s, all)
	checkCounts(t, s, "after generated ingests")
}

// testWordWalkPages pages through filters by words with a country or one
// event type (which a store may answer by walking an index of that key in
// list order, counting from the page on, or counting one whole word from
// the kept word counts), at every offset of small limits: the count holds
// the events before the page, the page and those after its last one,
// dated or not; with an end date, and with dates and a box besides.
func testWordWalkPages(t *testing.T, s Store, all []geo.Event) {
	ctx := t.Context()
	typ := []string{geo.Taxonomy()[0].Type}
	for _, f := range []geo.Filter{
		{Q: "s", Country: "UA"},
		{Q: "river", Country: "SD"},
		{Q: "a s", Country: "SY"},
		{Actor: "police", Types: typ},
		{Q: "r", Country: "IQ", End: "2024-06-30"},
		{Q: "c", Types: typ, Start: "2023-06-01", End: "2024-09-30"},
		{Q: "m", Country: "YE", Start: "2023-03-01", BBox: &geo.BBox{West: -120, South: -60, East: 150, North: 80}},
	} {
		whole := Expect(f, all)
		if whole.Matched < 4 {
			t.Errorf("%s matches %d generated events: too few to page", describe(f), whole.Matched)
		}
		for _, limit := range []int{1, 2, 3, 5} {
			for off := 0; off <= whole.Matched+limit; off += limit {
				g := f
				g.Limit, g.Offset = limit, off
				want := Expect(g, all)
				got, err := s.Events(ctx, g)
				must(t, err)
				if got.Matched != want.Matched || !reflect.DeepEqual(ids(got.Events), ids(want.Events)) {
					t.Errorf("%s limit %d offset %d: matched %d %v, want matched %d %v", describe(f), limit, off,
						got.Matched, ids(got.Events), want.Matched, ids(want.Events))
				}
			}
		}
	}
}

// testSubTypePages pages through filters by sub-event types (which a
// store may answer by walking each type's events in list order and
// merging the walks, or by walking the list order testing each event's
// type), at every offset of small limits, so that the merge is held to
// the list order of the events of all the types, and the ties of a date
// to their ids, on every page: several types, one named twice, with a
// box (across the antimeridian too), dates, a country, a type or words
// besides; and their stats.
func testSubTypePages(t *testing.T, s Store, all []geo.Event) {
	tax := geo.Taxonomy()
	clash, protest, strike := tax[0].SubTypes[0], tax[3].SubTypes[0], tax[1].SubTypes[1]
	box := &geo.BBox{West: -100, South: -40, East: 60, North: 50}
	wide := &geo.BBox{West: -150, South: -50, East: 170, North: 75}
	for _, f := range []geo.Filter{
		{SubTypes: []string{clash, protest, strike}},
		{SubTypes: []string{strike, clash, strike}},
		{SubTypes: []string{clash, protest}, BBox: box},
		{SubTypes: []string{protest}, BBox: wide},
		{SubTypes: []string{protest, strike}, BBox: &geo.BBox{West: 100, South: -60, East: -60, North: 60}, Start: "2024-01-10"},
		{SubTypes: []string{clash, strike, protest}, BBox: wide, End: "2024-05-29", Types: []string{tax[0].Type, tax[3].Type}},
		{SubTypes: []string{clash, protest, strike}, Country: "UA", GeoPrecisions: []int{geo.GeoTown, geo.GeoNear}},
		{SubTypes: []string{clash, protest, strike}, Q: "s"},
		{SubTypes: []string{protest}, Q: "a", BBox: wide},
		{SubTypes: []string{clash, protest, strike}, Q: "s", Start: "2023-06-01"},
	} {
		checkPagesAndStats(t, s, f, all, 4, []int{1, 2, 3, 5})
	}
}

// checkDetail holds the filters by sub-event type and precision to the
// model: alone, together, with the other fields the stores keep counts of,
// with a box or a source count, and with dates whose ends fall on a week's
// (2024-03-04 is a Monday, 2024-03-10 a Sunday) and between them, so that
// a store that counts the whole weeks from kept counts and the days at
// either end from the events is held to every day.
func checkDetail(t *testing.T, s Store, all []geo.Event) {
	t.Helper()
	ctx := t.Context()
	tax := geo.Taxonomy()
	clash, protest, strike := tax[0].SubTypes[0], tax[3].SubTypes[0], tax[1].SubTypes[1]
	for _, f := range []geo.Filter{
		{SubTypes: []string{clash}},
		{SubTypes: []string{clash}, Limit: 3, Offset: 2},
		{SubTypes: []string{protest, strike}},
		{SubTypes: []string{"No such sub-event type"}},
		{GeoPrecisions: []int{geo.GeoNear}},
		{GeoPrecisions: []int{geo.GeoTown, geo.GeoRegion}, Country: "UA"},
		{SubTypes: []string{clash}, GeoPrecisions: []int{geo.GeoNear}},
		{SubTypes: []string{clash}, Country: "SY", Limit: 4},
		{SubTypes: []string{protest}, Types: []string{geo.Protests}, Modalities: []string{geo.Occurred}},
		{GeoPrecisions: []int{geo.GeoRegion}, Origins: []string{geo.OriginExtracted, geo.OriginACLED}},
		{SubTypes: []string{clash, protest}, Start: "2024-03-04", End: "2024-03-10"},
		{SubTypes: []string{clash, protest}, Start: "2024-03-05", End: "2024-03-09"},
		{GeoPrecisions: []int{geo.GeoTown}, Start: "2024-02-03", End: "2024-06-12"},
		{GeoPrecisions: []int{geo.GeoNear}, Start: "2024-02-05", End: "2024-06-16"},
		{GeoPrecisions: []int{geo.GeoNear}, Start: "2024-02-04", End: "2024-06-17"},
		{SubTypes: []string{clash}, Start: "2024-01-03"},
		{SubTypes: []string{strike}, End: "2024-05-29", Country: "YE"},
		{GeoPrecisions: []int{geo.GeoRegion}, Start: "2024-06-01", End: "2024-05-01"},
		{SubTypes: []string{clash}, BBox: &geo.BBox{West: -100, South: -40, East: 60, North: 50}},
		{GeoPrecisions: []int{geo.GeoNear}, BBox: &geo.BBox{West: 150, South: -60, East: -120, North: 60}, Start: "2024-01-10"},
		{SubTypes: []string{clash}, MinSources: 2},
	} {
		want := Expect(f, all)
		got, err := s.Events(ctx, f)
		must(t, err)
		if got.Matched != want.Matched || !reflect.DeepEqual(ids(got.Events), ids(want.Events)) {
			t.Errorf("%s: matched %d %v, want matched %d %v", describe(f), got.Matched, ids(got.Events), want.Matched, ids(want.Events))
		}
		gs, err := s.Stats(ctx, f)
		must(t, err)
		if ws := ExpectStats(f, all); !reflect.DeepEqual(gs, ws) {
			t.Errorf("stats of %s:\n%+v\nwant\n%+v", describe(f), gs, ws)
		}
		for _, zoom := range []int{2, 9} {
			gc, err := s.Cells(ctx, f, zoom)
			must(t, err)
			if wc := ExpectCells(f, zoom, all); !sameCells(gc, wc) {
				t.Errorf("cells of %s at zoom %d:\n%+v\nwant\n%+v", describe(f), zoom, gc, wc)
			}
		}
	}
}

func testArticles(t *testing.T, s Store) {
	ctx := t.Context()
	batches := Fixture()
	empty := Batch{Article: geo.Article{ID: geo.ArticleID("", "nothing happened"), Text: "nothing happened"}}
	batches = append(batches, empty)
	stored := map[string]geo.Article{}
	var v0 int64
	for _, b := range batches {
		before := time.Now().Truncate(time.Microsecond)
		got := ingest(t, s, b)
		after := time.Now()
		if got.ID != b.Article.ID || got.Title != b.Article.Title || got.URL != b.Article.URL ||
			got.Published != b.Article.Published || got.Text != b.Article.Text || got.Events != len(b.Events) {
			t.Errorf("ingest answers %+v, want %+v with %d events", got, b.Article, len(b.Events))
		}
		if got.IngestedAt.Before(before) || got.IngestedAt.After(after) {
			t.Errorf("ingested at %v, want between %v and %v", got.IngestedAt, before, after)
		}
		v, err := s.Version(ctx)
		must(t, err)
		if v <= v0 {
			t.Errorf("after ingesting %s the version is %d, want above %d", got.ID, v, v0)
		}
		v0 = v
		stored[got.ID] = got
	}
	for id, want := range stored {
		got, err := s.Article(ctx, id)
		must(t, err)
		if !sameArticle(got, want) {
			t.Errorf("article %s is %+v, want %+v", id, got, want)
		}
	}
	order := func(bs ...Batch) []string {
		out := []string{}
		for _, b := range bs {
			out = append(out, b.Article.ID)
		}
		return out
	}
	check := func(limit, offset int, want []string) {
		t.Helper()
		list, total, err := s.Articles(ctx, limit, offset)
		must(t, err)
		if total != len(batches) {
			t.Errorf("articles total %d, want %d", total, len(batches))
		}
		got := []string{}
		for _, a := range list {
			got = append(got, a.ID)
			w := stored[a.ID]
			w.Text = ""
			if !sameArticle(a, w) {
				t.Errorf("listed article %+v, want %+v (without its text)", a, w)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("articles limit %d offset %d: %v, want %v", limit, offset, got, want)
		}
	}
	check(10, 0, order(empty, batches[2], batches[1], batches[0]))
	check(0, 0, order(empty, batches[2], batches[1], batches[0]))
	check(2, 1, order(batches[2], batches[1]))
	check(10, 4, order())

	// A new ingest of an old article makes it the newest.
	stored[batches[1].Article.ID] = ingest(t, s, batches[1])
	check(10, 0, order(batches[1], empty, batches[2], batches[0]))
}

func testReingest(t *testing.T, s Store) {
	ctx := t.Context()
	batches := Fixture()
	ingestAll(t, s, batches)
	count := func() int {
		t.Helper()
		p, err := s.Events(ctx, geo.Filter{})
		must(t, err)
		return p.Matched
	}
	version := func() int64 {
		t.Helper()
		v, err := s.Version(ctx)
		must(t, err)
		return v
	}
	total := count()
	v := version()

	// The same article again, identical: nothing added, version bumped.
	a := ingest(t, s, batches[0])
	if n := count(); n != total {
		t.Errorf("re-ingesting an article leaves %d events, want %d", n, total)
	}
	if a.Events != len(batches[0].Events) {
		t.Errorf("re-ingest answers %d events, want %d", a.Events, len(batches[0].Events))
	}
	if v2 := version(); v2 <= v {
		t.Errorf("re-ingest left the version at %d, want above %d", v2, v)
	} else {
		v = v2
	}

	// Fewer, changed events: the article's events are replaced.
	iran := batches[0]
	var fewer []geo.Event
	for _, e := range iran.Events {
		switch e.ID {
		case "rafah-threat":
			continue
		case "jordan-strike":
			e.Fatalities = intp(4)
			e.Bound = &orb.Bound{Min: orb.Point{35, 29}, Max: orb.Point{39, 33.4}}
		}
		fewer = append(fewer, e)
	}
	a = ingest(t, s, Batch{Article: iran.Article, Events: fewer})
	if a.Events != len(fewer) {
		t.Errorf("re-ingest with %d events answers %d", len(fewer), a.Events)
	}
	if n := count(); n != total-1 {
		t.Errorf("after dropping one event there are %d events, want %d", n, total-1)
	}
	if _, err := s.Event(ctx, "rafah-threat"); geo.ErrorCode(err) != geo.ENOTFOUND {
		t.Errorf("a dropped event gives %v, want %s", err, geo.ENOTFOUND)
	}
	j, err := s.Event(ctx, "jordan-strike")
	must(t, err)
	if j.Fatalities == nil || *j.Fatalities != 4 || j.Bound == nil || j.Bound.Min[0] != 35 {
		t.Errorf("a replaced event is %#v, want 4 fatalities and the new bound", j)
	}
	page, err := s.Events(ctx, geo.Filter{BBox: &geo.BBox{West: 38, South: 33, East: 39, North: 34}})
	must(t, err)
	if got := ids(page.Events); !reflect.DeepEqual(got, []string{"jordan-strike"}) {
		t.Errorf("bbox around the replaced event gives %v", got)
	}
	if v2 := version(); v2 <= v {
		t.Errorf("re-ingest left the version at %d, want above %d", v2, v)
	}

	// No events at all: the article stays, its events go.
	a = ingest(t, s, Batch{Article: iran.Article})
	if a.Events != 0 {
		t.Errorf("re-ingest with no events answers %d events", a.Events)
	}
	got, err := s.Article(ctx, iran.Article.ID)
	must(t, err)
	if got.Events != 0 || got.Text != iran.Article.Text {
		t.Errorf("article without events is %+v", got)
	}
	if n := count(); n != total-len(iran.Events) {
		t.Errorf("after emptying an article there are %d events, want %d", n, total-len(iran.Events))
	}
	if _, n, err := s.Articles(ctx, 10, 0); err != nil || n != len(batches) {
		t.Errorf("articles total %d (%v), want %d", n, err, len(batches))
	}

	// An event id ingested with another article moves to it.
	other := Batch{Article: geo.Article{ID: "other-report", Title: "Another report", Text: "the same strike, reported again"}}
	moved := batches[2].Events[0]
	moved.ArticleID = other.Article.ID
	other.Events = []geo.Event{moved}
	ingest(t, s, other)
	if e, err := s.Event(ctx, moved.ID); err != nil || e.ArticleID != other.Article.ID {
		t.Errorf("an event ingested again with another article is %+v (%v), want it under %s", e, err, other.Article.ID)
	}
	if a, err := s.Article(ctx, batches[2].Article.ID); err != nil || a.Events != len(batches[2].Events)-1 {
		t.Errorf("the article an event moved away from has %d events (%v), want %d", a.Events, err, len(batches[2].Events)-1)
	}
	if n := count(); n != total-len(iran.Events) {
		t.Errorf("after moving an event there are %d events, want %d", n, total-len(iran.Events))
	}

	// An event with no article id gets the article's.
	e := iran.Events[0]
	e.ArticleID = ""
	ingest(t, s, Batch{Article: iran.Article, Events: []geo.Event{e}})
	stored, err := s.Event(ctx, e.ID)
	must(t, err)
	if stored.ArticleID != iran.Article.ID {
		t.Errorf("an event ingested without article id has %q, want %q", stored.ArticleID, iran.Article.ID)
	}
	checkCounts(t, s, "after re-ingests")
}

func testInvalid(t *testing.T, s Store) {
	ctx := t.Context()
	v, err := s.Version(ctx)
	must(t, err)
	good := Fixture()[0]
	mod := func(f func(e *geo.Event)) []geo.Event {
		evs := append([]geo.Event(nil), good.Events...)
		f(&evs[1])
		return evs
	}
	noID := good.Article
	noID.ID = ""
	badPublished := good.Article
	badPublished.Published = "27 Feb 2024"
	cases := []struct {
		name    string
		article geo.Article
		events  []geo.Event
	}{
		{"article without id", noID, good.Events},
		{"article with a bad date", badPublished, good.Events},
		{"event of another article", good.Article, mod(func(e *geo.Event) { e.ArticleID = "other" })},
		{"event without id", good.Article, mod(func(e *geo.Event) { e.ID = "" })},
		{"two events with one id", good.Article, mod(func(e *geo.Event) { e.ID = good.Events[0].ID })},
		{"not a date", good.Article, mod(func(e *geo.Event) { e.EventDate = "28/01/2024" })},
		{"no such day", good.Article, mod(func(e *geo.Event) { e.EventDate = "2024-02-30" })},
		{"end before start", good.Article, mod(func(e *geo.Event) { e.EventDateEnd = "2024-01-01" })},
		{"end without start", good.Article, mod(func(e *geo.Event) { e.EventDate = "" })},
		{"longitude out of range", good.Article, mod(func(e *geo.Event) { e.Point[0] = 180.5 })},
		{"latitude out of range", good.Article, mod(func(e *geo.Event) { e.Point[1] = -91 })},
		{"coordinate not a number", good.Article, mod(func(e *geo.Event) { e.Point[1] = math.NaN() })},
	}
	for _, tc := range cases {
		_, err := s.Ingest(ctx, tc.article, tc.events)
		if geo.ErrorCode(err) != geo.EINVALID {
			t.Errorf("%s: ingest gives %v (code %q), want %s", tc.name, err, geo.ErrorCode(err), geo.EINVALID)
		}
	}
	if v2, err := s.Version(ctx); err != nil || v2 != v {
		t.Errorf("refused ingests moved the version from %d to %d (%v)", v, v2, err)
	}
	page, err := s.Events(ctx, geo.Filter{})
	must(t, err)
	if _, n, _ := s.Articles(ctx, 10, 0); page.Matched != 0 || n != 0 {
		t.Errorf("refused ingests stored %d events and %d articles", page.Matched, n)
	}
}

// testConcurrent reads while writers ingest: every answer is of one state
// of the store, never of part of an ingest. The stats of words with a box
// and dates, which a store may walk in pieces read at once (each in its
// own snapshot or one shared), must be the model's stats of the events of
// some prefix of each writer's ingests.
func testConcurrent(t *testing.T, s Store) {
	ctx := t.Context()
	const writers, perWriter, perArticle = 3, 4, 20
	v0, err := s.Version(ctx)
	must(t, err)
	errs := make(chan error, 1000)
	var wg, rg sync.WaitGroup
	done := make(chan struct{})
	walked := geo.Filter{BBox: &geo.BBox{West: -170, South: -80, East: 170, North: 80}, Start: "2023-03-01", End: "2024-10-31", Q: "strike"}
	var (
		mu   sync.Mutex
		seen []geo.Stats
	)
	batch := func(w, i int) (geo.Article, []geo.Event) {
		a := geo.Article{ID: fmt.Sprintf("w%d-a%d", w, i), Title: "concurrent", Text: fmt.Sprintf("article %d of writer %d", i, w)}
		return a, Generate(uint64(w*100+i), a, perArticle)
	}
	for r := range 2 {
		rg.Go(func() {
			last := v0
			for {
				v, err := s.Version(ctx)
				if err != nil {
					errs <- err
					return
				}
				if v < last {
					errs <- fmt.Errorf("reader %d saw the version go back from %d to %d", r, last, v)
				}
				last = v
				page, err := s.Events(ctx, geo.Filter{Limit: geo.MaxLimit})
				if err != nil {
					errs <- err
					return
				}
				if len(page.Events) != page.Matched {
					errs <- fmt.Errorf("reader %d: %d events listed but %d matched", r, len(page.Events), page.Matched)
				}
				if page.Matched%perArticle != 0 {
					errs <- fmt.Errorf("reader %d saw %d events: part of an ingest", r, page.Matched)
				}
				if _, err := s.Stats(ctx, geo.Filter{Country: "IQ"}); err != nil {
					errs <- err
				}
				st, err := s.Stats(ctx, walked)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				seen = append(seen, st)
				mu.Unlock()
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				a, events := batch(w, i)
				if _, err := s.Ingest(ctx, a, events); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The states: how many of its ingests each writer had made.
	var states []geo.Stats
	var state func(w int, events []geo.Event)
	state = func(w int, events []geo.Event) {
		if w == writers {
			states = append(states, ExpectStats(walked, events))
			return
		}
		for n := 0; n <= perWriter; n++ {
			more := events[:len(events):len(events)]
			for i := range n {
				_, b := batch(w, i)
				more = append(more, b...)
			}
			state(w+1, more)
		}
	}
	state(0, nil)
	for _, st := range seen {
		if !slices.ContainsFunc(states, func(m geo.Stats) bool { return reflect.DeepEqual(m, st) }) {
			t.Errorf("stats of %s read during ingests are those of no state of the store: %+v", describe(walked), st)
		}
	}
	page, err := s.Events(ctx, geo.Filter{Limit: 1})
	must(t, err)
	if page.Matched != writers*perWriter*perArticle {
		t.Errorf("after concurrent ingests there are %d events, want %d", page.Matched, writers*perWriter*perArticle)
	}
	_, n, err := s.Articles(ctx, 1, 0)
	must(t, err)
	if n != writers*perWriter {
		t.Errorf("after concurrent ingests there are %d articles, want %d", n, writers*perWriter)
	}
	v, err := s.Version(ctx)
	must(t, err)
	if v <= v0 {
		t.Errorf("version %d after concurrent ingests, want above %d", v, v0)
	}
}

// checkCounts compares the counts a store answers from its precomputed
// groups (filters of types, countries, modalities, origins and dates alone)
// with those it answers from the events themselves (the same filter inside
// a box holding the whole world, fromEvents), after writes that added,
// replaced and removed events, then does the same for the kept cells
// (checkCells).
func checkCounts(t *testing.T, s Store, when string) {
	t.Helper()
	ctx := t.Context()
	world := &geo.BBox{West: -180, South: -90, East: 180, North: 90}
	for _, f := range []geo.Filter{{}, {Types: []string{"Battles", "Explosions/Remote violence"}}, {Start: "2024-01-01"},
		{End: "2024-06-30", Modalities: []string{"occurred"}}, {Country: "UA"}, {Origins: []string{geo.OriginExtracted}},
		// Words: one that starts one word of the vocabulary (the kept word
		// counts answer), one that starts two ("100", "1000"), none.
		{Q: "dro"}, {Actor: "POLICE", Country: "UA"}, {Q: "élite", Types: []string{"Battles", "Protests"}, Modalities: []string{"occurred"}},
		{Actor: "100"}, {Q: "zebra"}} {
		got, err := s.Stats(ctx, f)
		must(t, err)
		g := fromEvents(f)
		g.BBox = world
		want, err := s.Stats(ctx, g)
		must(t, err)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: stats of %s are\n%+v\nwith a box around the world\n%+v", when, describe(f), got, want)
		}
		page, err := s.Events(ctx, f)
		must(t, err)
		if page.Matched != want.Total {
			t.Errorf("%s: %s matches %d events, its stats count %d", when, describe(f), page.Matched, want.Total)
		}
	}
	checkCells(t, s, when)
}

// testWordWeeks holds words with dates to the model, paged at every
// offset of small limits and grouped: a store may count the whole weeks
// inside the dates from kept counts and walk the days at either end
// (2024-01-01 is a Monday, 2024-03-31 a Sunday; the others fall between),
// then walk the dates' events in list order for a page, or a country's or
// a type's; and words alone paged far in, which a store may walk in list
// order rather than read every match.
func testWordWeeks(t *testing.T, s Store, all []geo.Event) {
	typ := []string{geo.Taxonomy()[0].Type}
	filters := []geo.Filter{
		{Q: "drone", Start: "2024-01-01", End: "2024-03-31"},
		{Q: "strike", Start: "2024-01-03", End: "2024-03-27"},
		{Q: "river", Start: "2023-11-15"},
		{Actor: "police", End: "2024-02-14"},
		{Q: "convoy", Start: "2023-10-04", End: "2024-05-22", Country: "UA"},
		{Q: "army", Start: "2023-12-06", End: "2024-04-10", Types: typ},
		{Q: "d", Start: "2024-01-03", End: "2024-03-27"},
		{Q: "s a"},
		{Actor: "a", Q: "s"},
		{Actor: "r", Q: "a"},
	}
	// Dates whose whole weeks start on a Monday with events of the word,
	// and whose ends fall on the days of other such events, so that an
	// event is counted once whether it lies in the edges or the weeks.
	day := func(date string, n int) string {
		d, _ := time.Parse(geo.DateLayout, date)
		return d.AddDate(0, 0, n).Format(geo.DateLayout)
	}
	var dated []geo.Event
	for _, e := range Expect(geo.Filter{Q: "drone"}, all).Events {
		if e.EventDate != "" {
			dated = append(dated, e)
		}
	}
	mondays := 0
	for i, e := range dated { // newest first
		if i+3 >= len(dated) || mondays == 3 {
			break
		}
		if i >= 3 && Monday(e.EventDate) == e.EventDate {
			mondays++
			filters = append(filters, geo.Filter{Q: "drone", Start: day(e.EventDate, -2), End: dated[i-3].EventDate},
				geo.Filter{Q: "drone", Start: dated[i+3].EventDate, End: e.EventDate},
				geo.Filter{Q: "drone", Start: e.EventDate, End: day(e.EventDate, 6)})
		}
	}
	if mondays == 0 {
		t.Errorf("no generated event of q=drone falls on a Monday")
	}
	// Dates that start or end on a day of the word within a week whose
	// days outside them hold fewer events than its days inside: a store
	// may count that week whole and take away the events dated outside
	// (a start on the Saturday before a day of many events).
	perDay := map[string]int{}
	for _, e := range all {
		if e.EventDate != "" {
			perDay[e.EventDate]++
		}
	}
	firstIn := func(from, to string) int {
		n := 0
		for d, k := range perDay {
			if d >= from && d < to {
				n += k
			}
		}
		return n
	}
	starts, ends := 0, 0
	for _, e := range dated {
		d, monday := e.EventDate, Monday(e.EventDate)
		sunday := day(monday, 6)
		if starts < 3 && d != monday && firstIn(monday, d) < firstIn(d, day(monday, 7)) {
			starts++
			filters = append(filters, geo.Filter{Q: "drone", Start: d}, geo.Filter{Q: "drone", Start: d, End: day(d, 40)})
		}
		if ends < 3 && d != sunday && firstIn(day(d, 1), day(sunday, 1)) < firstIn(monday, day(d, 1)) {
			ends++
			filters = append(filters, geo.Filter{Q: "drone", End: d}, geo.Filter{Q: "drone", Start: day(d, -40), End: d})
		}
	}
	// And a start inside an event of the word that began earlier that
	// week, which the week's count holds and the days before the start
	// must not take away.
	spanning := 0
	for _, e := range dated {
		monday := Monday(e.EventDate)
		for d := day(e.EventDate, 1); spanning < 2 && d <= e.EventDateEnd && Monday(d) == monday; d = day(d, 1) {
			if firstIn(monday, d) < firstIn(d, day(monday, 7)) {
				spanning++
				filters = append(filters, geo.Filter{Q: "drone", Start: d})
				break
			}
		}
	}
	if starts == 0 || ends == 0 || spanning == 0 {
		t.Errorf("no generated event of q=drone starts, ends or spans into dates whose week is busier inside them (%d starts, %d ends, %d spanning)", starts, ends, spanning)
	}
	for _, f := range filters {
		checkPagesAndStats(t, s, f, all, 1, []int{2, 7})
	}
}

// testActorAndQuote holds filters by an actor's words and a quote's
// together to the model, paged and grouped: a store may look up both
// fields' words in one full-text query, and a word that starts one stored
// word alone as that word ("polic", "dro"), while a word that starts
// several ("100" starts "100" and "1000") stays a prefix.
func testActorAndQuote(t *testing.T, s Store, all []geo.Event) {
	typ := []string{geo.Taxonomy()[0].Type}
	for _, f := range []geo.Filter{
		{Actor: "police", Q: "drone"},
		{Actor: "polic", Q: "dro"},
		{Actor: "100", Q: "drone"},
		{Actor: "POLICE", Q: "100"},
		{Actor: "army", Q: "strike drone"},
		{Actor: "ÉLITE", Q: "1000 s"},
		{Actor: "p", Q: "s", Country: "UA"},
		{Actor: "militia", Q: "s", Types: typ},
		{Actor: "a", Q: "c", Start: "2023-06-01", End: "2024-03-31"},
	} {
		checkPagesAndStats(t, s, f, all, 3, []int{4, 25})
	}
}

// checkPagesAndStats holds every page of f at each limit, from the first
// to past the last, and f's stats to the model; f must match at least
// least events of all, so that its pages are worth walking.
func checkPagesAndStats(t *testing.T, s Store, f geo.Filter, all []geo.Event, least int, limits []int) {
	t.Helper()
	ctx := t.Context()
	whole := Expect(f, all)
	if whole.Matched < least {
		t.Errorf("%s matches %d generated events: too few to page", describe(f), whole.Matched)
	}
	for _, limit := range limits {
		for off := 0; off <= whole.Matched+limit; off += limit {
			g := f
			g.Limit, g.Offset = limit, off
			want := Expect(g, all)
			got, err := s.Events(ctx, g)
			must(t, err)
			if got.Matched != want.Matched || !reflect.DeepEqual(ids(got.Events), ids(want.Events)) {
				t.Errorf("%s limit %d offset %d: matched %d %v, want matched %d %v", describe(f), limit, off,
					got.Matched, ids(got.Events), want.Matched, ids(want.Events))
			}
		}
	}
	gs, err := s.Stats(ctx, f)
	must(t, err)
	if ws := ExpectStats(f, all); !reflect.DeepEqual(gs, ws) {
		t.Errorf("stats of %s:\n%+v\nwant\n%+v", describe(f), gs, ws)
	}
}
