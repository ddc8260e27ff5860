package merge_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/merge"
)

func rules(t testing.TB) *merge.Rules {
	t.Helper()
	r, err := merge.New()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func intp(n int) *int { return &n }

// rep is a report: id, article, outlet URL, published, and the event.
type rep struct {
	id, article, url, published string
	typ, sub, modality          string
	place                       int64
	start, end                  string
	fatalities                  *int
	confidence                  float64
}

func (r rep) event() geo.Event {
	e := geo.Event{
		ID: r.id, ArticleID: r.article, SourceURL: r.url, Published: r.published,
		Title: "title " + r.article, Quote: "quote " + r.id,
		EventType: r.typ, SubEventType: r.sub, Modality: r.modality,
		GeonameID: r.place, Point: geoPoint(r.place), GeoPrecision: geo.GeoTown,
		EventDate: r.start, EventDateEnd: r.end, Fatalities: r.fatalities, Confidence: r.confidence,
	}
	if e.Modality == "" {
		e.Modality = geo.Occurred
	}
	if e.TimePrecision == 0 && e.EventDate != "" {
		e.TimePrecision = geo.TimeDay
		if e.EventDateEnd != "" && e.EventDateEnd != e.EventDate {
			e.TimePrecision = geo.TimeWeek
		}
	}
	return e
}

func geoPoint(id int64) [2]float64 { return [2]float64{float64(id%90) / 3, float64(id%60) / 3} }

const (
	strike = "Air/drone strike"
	shell  = "Shelling/artillery/missile attack"
	bomb   = "Suicide bomb"
	ex     = geo.ExplosionsRemote
)

func events(rs ...rep) []geo.Event {
	out := make([]geo.Event, len(rs))
	for i, r := range rs {
		out[i] = r.event()
	}
	return out
}

// grouping writes groups as "a+b c" (report ids per group, sorted).
func grouping(gs []merge.Group) string {
	var parts []string
	for _, g := range gs {
		var ids []string
		for _, r := range g.Reports {
			ids = append(ids, r.ID)
		}
		sort.Strings(ids)
		parts = append(parts, strings.Join(ids, "+"))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestGroups(t *testing.T) {
	r := rules(t)
	day := "2024-03-05"
	for _, tc := range []struct {
		name    string
		reports []rep
		want    string
	}{
		{"one strike told by three outlets", []rep{
			{id: "a1", article: "A", url: "https://a.example/1", published: day, typ: ex, sub: strike, place: 10, start: day},
			{id: "b1", article: "B", url: "https://b.example/1", published: day, typ: ex, sub: strike, place: 10, start: day},
			{id: "c1", article: "C", url: "https://c.example/1", published: "2024-03-06", typ: ex, sub: strike, place: 10, start: day},
		}, "a1+b1+c1"},
		{"neighbouring villages are two events", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: day},
			{id: "b1", article: "B", typ: ex, sub: strike, place: 11, start: day},
		}, "a1 b1"},
		{"two reports of one article are two events", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: day},
			{id: "a2", article: "A", typ: ex, sub: strike, place: 10, start: day},
		}, "a1 a2"},
		{"different types at one place", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: day},
			{id: "b1", article: "B", typ: geo.Protests, sub: "Peaceful protest", place: 10, start: day},
		}, "a1 b1"},
		{"one place, days apart", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: "2024-03-01"},
			{id: "b1", article: "B", typ: ex, sub: strike, place: 10, start: "2024-03-09"},
		}, "a1 b1"},
		{"a range overlapping a day", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: "2024-03-01", end: "2024-03-07"},
			{id: "b1", article: "B", typ: ex, sub: strike, place: 10, start: "2024-03-05"},
		}, "a1+b1"},
		{"contradicting sub-types", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: day},
			{id: "b1", article: "B", typ: ex, sub: bomb, place: 10, start: day},
		}, "a1 b1"},
		{"an air strike another outlet calls shelling", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: day},
			{id: "b1", article: "B", typ: ex, sub: shell, place: 10, start: day},
		}, "a1+b1"},
		{"unknown sub-type contradicts none", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: day},
			{id: "b1", article: "B", typ: ex, place: 10, start: day},
		}, "a1+b1"},
		{"undated reports are never merged", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10},
			{id: "b1", article: "B", typ: ex, sub: strike, place: 10},
		}, "a1 b1"},
		{"a threat and the strike are two events", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: day, modality: geo.Threatened},
			{id: "b1", article: "B", typ: ex, sub: strike, place: 10, start: day},
			{id: "c1", article: "C", typ: ex, sub: strike, place: 10, start: day, modality: geo.Threatened},
		}, "a1+c1 b1"},
		{"ongoing and occurred go together", []rep{
			{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: day, modality: geo.Ongoing},
			{id: "b1", article: "B", typ: ex, sub: strike, place: 10, start: day},
		}, "a1+b1"},
		{"a chain of overlaps is one event", []rep{
			{id: "a1", article: "A", typ: ex, place: 10, start: "2024-03-01", end: "2024-03-03"},
			{id: "b1", article: "B", typ: ex, place: 10, start: "2024-03-03", end: "2024-03-05"},
			{id: "c1", article: "C", typ: ex, place: 10, start: "2024-03-05", end: "2024-03-07"},
		}, "a1+b1+c1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := grouping(r.Groups(events(tc.reports...))); got != tc.want {
				t.Errorf("groups %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPlaceWithoutGazetteerID(t *testing.T) {
	r := rules(t)
	a := rep{id: "a1", article: "A", typ: ex, start: "2024-03-05"}.event()
	b := rep{id: "b1", article: "B", typ: ex, start: "2024-03-05"}.event()
	c := rep{id: "c1", article: "C", typ: ex, start: "2024-03-05"}.event()
	a.Point, b.Point, c.Point = [2]float64{35.501, 33.891}, [2]float64{35.503, 33.889}, [2]float64{35.6, 33.9}
	if got := grouping(r.Groups([]geo.Event{a, b, c})); got != "a1+b1 c1" {
		t.Errorf("groups %q, want the two points a few hundred metres apart merged", got)
	}
}

func TestCombine(t *testing.T) {
	r := rules(t)
	for _, tc := range []struct {
		name        string
		reports     []rep
		id          string
		start, end  string
		precision   int
		fatalities  *int
		confidence  float64
		sourceCount int
	}{
		{"the earliest report's id, the most conservative toll of one day", []rep{
			{id: "b1", article: "B", url: "https://b.example/x", published: "2024-03-05", typ: ex, place: 10, start: "2024-03-05", fatalities: intp(7), confidence: 0.6},
			{id: "a1", article: "A", url: "https://www.a.example/x", published: "2024-03-05", typ: ex, place: 10, start: "2024-03-05", fatalities: intp(5), confidence: 0.5},
			{id: "c1", article: "C", url: "https://c.example/x", published: "2024-03-06", typ: ex, place: 10, start: "2024-03-05", fatalities: intp(6), confidence: 0.5},
		}, "a1", "2024-03-05", "", geo.TimeDay, intp(5), 0.9, 3},
		{"a later report's updated toll replaces earlier ones", []rep{
			{id: "a1", article: "A", url: "https://a.example/x", published: "2024-03-05", typ: ex, place: 10, start: "2024-03-05", fatalities: intp(5), confidence: 0.5},
			{id: "b1", article: "B", url: "https://b.example/x", published: "2024-03-08", typ: ex, place: 10, start: "2024-03-05", fatalities: intp(12), confidence: 0.5},
			{id: "c1", article: "C", url: "https://c.example/x", published: "2024-03-09", typ: ex, place: 10, start: "2024-03-05", confidence: 0.5},
		}, "a1", "2024-03-05", "", geo.TimeDay, intp(12), 0.875, 3},
		{"one outlet counts once, with its best confidence", []rep{
			{id: "a1", article: "A", url: "https://a.example/1", published: "2024-03-05", typ: ex, place: 10, start: "2024-03-05", confidence: 0.5},
			{id: "b1", article: "B", url: "https://www.a.example/2", published: "2024-03-05", typ: ex, place: 10, start: "2024-03-05", confidence: 0.7},
		}, "a1", "2024-03-05", "", geo.TimeDay, nil, 0.7, 2},
		{"the intersection of the ranges", []rep{
			{id: "a1", article: "A", published: "2024-03-09", typ: ex, place: 10, start: "2024-03-01", end: "2024-03-07"},
			{id: "b1", article: "B", published: "2024-03-10", typ: ex, place: 10, start: "2024-03-03", end: "2024-03-12"},
		}, "a1", "2024-03-03", "2024-03-07", geo.TimeWeek, nil, 0, 2},
		{"a day inside a month is that day", []rep{
			{id: "b1", article: "B", published: "2024-03-20", typ: ex, place: 10, start: "2024-03-01", end: "2024-03-31"},
			{id: "a1", article: "A", published: "2024-03-21", typ: ex, place: 10, start: "2024-03-14", end: "2024-03-14"},
		}, "b1", "2024-03-14", "2024-03-14", geo.TimeDay, nil, 0, 2},
		{"ranges that do not all agree give their span", []rep{
			{id: "a1", article: "A", published: "2024-03-09", typ: ex, place: 10, start: "2024-03-01", end: "2024-03-03"},
			{id: "b1", article: "B", published: "2024-03-09", typ: ex, place: 10, start: "2024-03-03", end: "2024-03-05"},
			{id: "c1", article: "C", published: "2024-03-09", typ: ex, place: 10, start: "2024-03-05", end: "2024-03-07"},
		}, "a1", "2024-03-01", "2024-03-07", geo.TimeWeek, nil, 0, 3},
		{"unknown publication sorts last", []rep{
			{id: "a1", article: "A", typ: ex, place: 10, start: "2024-03-05", fatalities: intp(2)},
			{id: "b1", article: "B", published: "2024-03-06", typ: ex, place: 10, start: "2024-03-05", fatalities: intp(4)},
		}, "b1", "2024-03-05", "", geo.TimeDay, intp(4), 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs := r.Groups(events(tc.reports...))
			if len(gs) != 1 {
				t.Fatalf("%d groups (%s), want 1", len(gs), grouping(gs))
			}
			e := gs[0].Event
			if e.ID != tc.id || e.EventDate != tc.start || e.EventDateEnd != tc.end || e.TimePrecision != tc.precision {
				t.Errorf("id %s, dates %s..%s precision %d; want %s, %s..%s precision %d",
					e.ID, e.EventDate, e.EventDateEnd, e.TimePrecision, tc.id, tc.start, tc.end, tc.precision)
			}
			if !reflect.DeepEqual(e.Fatalities, tc.fatalities) {
				t.Errorf("fatalities %v, want %v", deref(e.Fatalities), deref(tc.fatalities))
			}
			if e.Confidence != tc.confidence {
				t.Errorf("confidence %v, want %v", e.Confidence, tc.confidence)
			}
			if e.SourceCount != tc.sourceCount || len(e.Sources) != tc.sourceCount {
				t.Errorf("source_count %d, %d sources; want %d", e.SourceCount, len(e.Sources), tc.sourceCount)
			}
			earliest := gs[0].Reports[0]
			if e.ArticleID != earliest.ArticleID || e.Quote != earliest.Quote || e.Title != earliest.Title ||
				e.SourceURL != earliest.SourceURL || e.Sources[0].ArticleID != earliest.ArticleID {
				t.Errorf("event %+v does not keep the earliest report's article, title, url and quote (%+v)", e, earliest)
			}
			for _, s := range e.Sources {
				for _, rp := range tc.reports {
					if rp.article == s.ArticleID && !reflect.DeepEqual(s.Fatalities, rp.fatalities) {
						t.Errorf("source %s keeps fatalities %v, the report said %v", s.ArticleID, deref(s.Fatalities), deref(rp.fatalities))
					}
				}
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestSourcesOutlet(t *testing.T) {
	r := rules(t)
	gs := r.Groups(events(
		rep{id: "a1", article: "A", url: "https://WWW.Example.org/news/1?x=1", published: "2024-03-05", typ: ex, place: 10, start: "2024-03-05", fatalities: intp(3)},
		rep{id: "b1", article: "B", url: "http://other.example:8080/b", published: "2024-03-06", typ: ex, place: 10, start: "2024-03-05"},
	))
	want := []geo.Source{
		{ArticleID: "A", Title: "title A", Outlet: "example.org", URL: "https://WWW.Example.org/news/1?x=1", Published: "2024-03-05", Quote: "quote a1", Fatalities: intp(3)},
		{ArticleID: "B", Title: "title B", Outlet: "other.example", URL: "http://other.example:8080/b", Published: "2024-03-06", Quote: "quote b1"},
	}
	if !reflect.DeepEqual(gs[0].Event.Sources, want) {
		t.Errorf("sources %+v\nwant %+v", gs[0].Event.Sources, want)
	}
}

func TestOneReportIsItself(t *testing.T) {
	r := rules(t)
	e := rep{id: "a1", article: "A", url: "https://a.example/", published: "2024-03-05", typ: ex, sub: strike, place: 10,
		start: "2024-03-05", fatalities: intp(2), confidence: 0.42}.event()
	gs := r.Groups([]geo.Event{e})
	want := e
	if !reflect.DeepEqual(gs[0].Event, want) {
		t.Errorf("one report's event %+v\nwant the report itself %+v", gs[0].Event, want)
	}
}

func TestThreatLinkedToStrike(t *testing.T) {
	r := rules(t)
	gs := r.Groups(events(
		rep{id: "t1", article: "T", published: "2024-02-10", typ: ex, sub: strike, place: 20, start: "2024-02-10", modality: geo.Threatened},
		rep{id: "s1", article: "S", published: "2024-03-02", typ: ex, sub: strike, place: 20, start: "2024-03-01"},
		rep{id: "s2", article: "U", published: "2024-03-02", typ: ex, sub: strike, place: 20, start: "2024-03-01"},
		rep{id: "x1", article: "X", published: "2024-03-02", typ: ex, sub: strike, place: 21, start: "2024-03-01"},
		rep{id: "y1", article: "Y", published: "2024-09-02", typ: ex, sub: strike, place: 20, start: "2024-09-01"},
	))
	related := map[string][]string{}
	for _, g := range gs {
		related[g.Event.ID] = g.Event.Related
	}
	want := map[string][]string{"t1": {"s1"}, "s1": {"t1"}, "x1": nil, "y1": nil}
	if !reflect.DeepEqual(related, want) {
		t.Errorf("related %v, want %v", related, want)
	}
}

// sample returns n reports over a few places, days, types and outlets, so
// that many of them merge and chain.
func sample(n int, seed uint64) []geo.Event {
	rnd := rand.New(rand.NewPCG(seed, 1))
	subs := []string{strike, shell, bomb, ""}
	mods := []string{geo.Occurred, geo.Occurred, geo.Ongoing, geo.Threatened}
	out := make([]geo.Event, n)
	for i := range out {
		start := fmt.Sprintf("2024-03-%02d", 1+rnd.IntN(12))
		end := ""
		if rnd.IntN(3) == 0 {
			end = fmt.Sprintf("2024-03-%02d", 13+rnd.IntN(5))
		}
		if rnd.IntN(10) == 0 {
			start, end = "", ""
		}
		var f *int
		if rnd.IntN(2) == 0 {
			f = intp(rnd.IntN(20))
		}
		article := fmt.Sprintf("art%02d", rnd.IntN(n/2))
		out[i] = rep{
			id: fmt.Sprintf("r%03d", i), article: article,
			url:       fmt.Sprintf("https://outlet%d.example/%s", rnd.IntN(5), article),
			published: fmt.Sprintf("2024-03-%02d", 10+rnd.IntN(10)),
			typ:       ex, sub: subs[rnd.IntN(len(subs))], modality: mods[rnd.IntN(len(mods))],
			place: int64(1 + rnd.IntN(4)), start: start, end: end, fatalities: f,
			confidence: float64(rnd.IntN(100)) / 100,
		}.event()
	}
	return out
}

// TestOrderIndependent checks that the groups, their combined events and
// their links are the same for every one of a fixed sample of orders of
// the same reports, and that the groups are exactly the connected
// components of Same.
func TestOrderIndependent(t *testing.T) {
	r := rules(t)
	reports := sample(60, 7)
	want := r.Groups(reports)
	if len(want) < 5 || len(want) > 50 {
		t.Fatalf("the sample makes %d groups of 60 reports; want a mix of merged and single reports", len(want))
	}
	rnd := rand.New(rand.NewPCG(14, 14))
	for i := range 50 {
		perm := append([]geo.Event(nil), reports...)
		rnd.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
		if got := r.Groups(perm); !reflect.DeepEqual(got, want) {
			t.Fatalf("order %d gives other groups:\n%s\nwant\n%s", i, grouping(got), grouping(want))
		}
	}
	group := map[string]int{}
	for gi, g := range want {
		for _, rp := range g.Reports {
			group[rp.ID] = gi
		}
	}
	for _, a := range reports {
		for _, b := range reports {
			if r.Same(a, b) && group[a.ID] != group[b.ID] {
				t.Errorf("%s and %s tell the same happening but are in different groups", a.ID, b.ID)
			}
		}
	}
	for _, g := range want {
		// Connected: a walk over Same from the first report reaches all.
		reached := map[string]bool{g.Reports[0].ID: true}
		for changed := true; changed; {
			changed = false
			for _, a := range g.Reports {
				for _, b := range g.Reports {
					if reached[a.ID] && !reached[b.ID] && r.Same(a, b) {
						reached[b.ID], changed = true, true
					}
				}
			}
		}
		if len(reached) != len(g.Reports) {
			t.Errorf("group %s is not connected", g.Event.ID)
		}
	}
}

func TestParseRejectsUnknownSubType(t *testing.T) {
	if _, err := merge.Parse([]byte("Battles | Armed clash | Air/drone strike\n")); err == nil {
		t.Error("a sub-type of another event type was accepted")
	}
	if _, err := merge.Parse([]byte("Battles | Armed clash\n")); err == nil {
		t.Error("a line with two fields was accepted")
	}
}

func ExampleRules_Groups() {
	r, _ := merge.New()
	toll := func(n int) *int { return &n }
	reports := []geo.Event{
		{ID: "e2", ArticleID: "b", SourceURL: "https://b.example/x", Published: "2024-01-29", EventType: geo.ExplosionsRemote,
			GeonameID: 250441, EventDate: "2024-01-28", Modality: geo.Occurred, Fatalities: toll(3)},
		{ID: "e1", ArticleID: "a", SourceURL: "https://a.example/y", Published: "2024-01-28", EventType: geo.ExplosionsRemote,
			GeonameID: 250441, EventDate: "2024-01-28", Modality: geo.Occurred, Fatalities: toll(2)},
	}
	for _, g := range r.Groups(reports) {
		fmt.Println(g.Event.ID, g.Event.SourceCount, *g.Event.Fatalities)
		for _, s := range g.Event.Sources {
			fmt.Println(" ", s.Outlet, s.Published, *s.Fatalities)
		}
	}
	// Output:
	// e1 2 2
	//   a.example 2024-01-28 2
	//   b.example 2024-01-29 3
}

func TestImportedRowsNeverMerge(t *testing.T) {
	r := rules(t)
	a := rep{id: "a1", article: "A", typ: ex, sub: strike, place: 10, start: "2024-03-05"}.event()
	b := rep{id: "b1", article: "B", typ: ex, sub: strike, place: 10, start: "2024-03-05"}.event()
	c := rep{id: "c1", article: "C", typ: ex, sub: strike, place: 10, start: "2024-03-05"}.event()
	b.Origin = geo.OriginACLED
	if got := grouping(r.Groups([]geo.Event{a, b, c})); got != "a1+c1 b1" {
		t.Errorf("groups %q, want the ACLED row on its own", got)
	}
	back, err := merge.DecodeReport(must(merge.EncodeReport(b)))
	if err != nil || back.Origin != geo.OriginACLED {
		t.Errorf("a stored report reads back with origin %q (%v)", back.Origin, err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
