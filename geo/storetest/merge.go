package storetest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/merge"

	"github.com/paulmach/orb"
)

// Merged returns the events a store holds after ingesting reports: one per
// happening, as geo/merge groups and combines them, in no special order.
func Merged(reports []geo.Event) []geo.Event {
	rules, err := merge.New()
	if err != nil {
		panic(err) // the embedded table is checked by geo/merge's tests
	}
	groups := rules.Groups(reports)
	out := make([]geo.Event, len(groups))
	for i, g := range groups {
		out[i] = g.Event
	}
	return out
}

// MergeBatches returns articles from several outlets whose reports merge and
// chain: a few places (two of them neighbours without a shared id, one
// known only by its point), a few days, air strikes that others call
// shelling, threats and the strikes after them, tolls that differ, and two
// reports of one article about one place. Reproducible from seed.
func MergeBatches(seed uint64, articles int) []Batch {
	r := rand.New(rand.NewPCG(seed, 14))
	subs := []string{"Air/drone strike", "Shelling/artillery/missile attack", "Suicide bomb", ""}
	mods := []string{geo.Occurred, geo.Occurred, geo.Ongoing, geo.Threatened}
	places := []struct {
		id    int64
		point orb.Point
	}{{101, orb.Point{36.2, 33.5}}, {102, orb.Point{36.21, 33.51}}, {103, orb.Point{44.4, 33.3}}, {0, orb.Point{35.5012, 33.8888}}}
	var out []Batch
	for i := range articles {
		outlet := fmt.Sprintf("outlet%d.example", r.IntN(4))
		url := fmt.Sprintf("https://%s/story/%d", outlet, i)
		if i%4 == 0 {
			url = "https://www." + outlet + fmt.Sprintf("/news/%d", i)
		}
		text := fmt.Sprintf("story %d", i)
		a := geo.Article{
			ID:        geo.ArticleID(url, text),
			Title:     fmt.Sprintf("Story %d", i),
			URL:       url,
			Published: fmt.Sprintf("2024-03-%02d", 10+r.IntN(6)),
			Text:      text,
		}
		b := Batch{Article: a}
		for j := range 1 + r.IntN(4) {
			p := places[r.IntN(len(places))]
			e := geo.Event{
				ID:               fmt.Sprintf("%s-%d", a.ID, j),
				ArticleID:        a.ID,
				Title:            a.Title,
				SourceURL:        a.URL,
				Published:        a.Published,
				Point:            p.point,
				GeonameID:        p.id,
				Location:         fmt.Sprintf("Place %d", p.id),
				CountryCode:      "SY",
				Country:          "Syria",
				GeoPrecision:     geo.GeoTown,
				EventType:        geo.ExplosionsRemote,
				SubEventType:     subs[r.IntN(len(subs))],
				Modality:         mods[r.IntN(len(mods))],
				Mention:          "the town",
				Quote:            fmt.Sprintf("Sentence %d of story %d.", j, i),
				Confidence:       float64(30+r.IntN(60)) / 100,
				TimePrecision:    geo.TimeDay,
				ExtractorVersion: "merge-test",
			}
			switch r.IntN(8) {
			case 0:
				// undated
				e.TimePrecision = 0
			case 1, 2:
				e.EventDate = fmt.Sprintf("2024-03-%02d", 1+r.IntN(10))
				e.EventDateEnd = fmt.Sprintf("2024-03-%02d", 10+r.IntN(4))
				e.TimePrecision = geo.TimeWeek
			default:
				e.EventDate = fmt.Sprintf("2024-03-%02d", 1+r.IntN(12))
			}
			if r.IntN(2) == 0 {
				e.Fatalities = intp(r.IntN(15))
			}
			if r.IntN(3) == 0 {
				e.Actor1 = "Air force"
			}
			b.Events = append(b.Events, e)
		}
		out = append(out, b)
	}
	return out
}

func reportsOf(batches []Batch) []geo.Event {
	var all []geo.Event
	for _, b := range batches {
		all = append(all, b.Events...)
	}
	return all
}

// checkMerged checks that the store holds exactly the events that the
// batches' reports merge into, with every field, source and link, and that
// each event's reports are the ones merged into it.
func checkMerged(t *testing.T, s Store, batches []Batch, label string) {
	t.Helper()
	ctx := t.Context()
	rules, err := merge.New()
	must(t, err)
	groups := rules.Groups(reportsOf(batches))
	want := make([]geo.Event, len(groups))
	for i, g := range groups {
		want[i] = g.Event
	}
	sort.Slice(want, func(i, j int) bool { return Less(want[i], want[j]) })
	page, err := s.Events(ctx, geo.Filter{Limit: geo.MaxLimit})
	must(t, err)
	if !reflect.DeepEqual(ids(page.Events), ids(want)) {
		t.Fatalf("%s: the store holds events %v, want %v", label, ids(page.Events), ids(want))
	}
	for i := range want {
		if !reflect.DeepEqual(page.Events[i], want[i]) {
			t.Errorf("%s: event %s is\n%+v\nwant\n%+v", label, want[i].ID, page.Events[i], want[i])
		}
	}
	for _, g := range groups {
		got, err := s.Reports(ctx, g.Event.ID)
		must(t, err)
		if !reflect.DeepEqual(ids(got), ids(g.Reports)) {
			t.Errorf("%s: reports of %s are %v, want %v", label, g.Event.ID, ids(got), ids(g.Reports))
		}
	}
	multi, err := s.Events(ctx, geo.Filter{MinSources: 2, Limit: geo.MaxLimit})
	must(t, err)
	var wantMulti []string
	for _, e := range want {
		if e.SourceCount >= 2 {
			wantMulti = append(wantMulti, e.ID)
		}
	}
	if got := ids(multi.Events); !reflect.DeepEqual(got, wantMulti) && len(got)+len(wantMulti) > 0 {
		t.Errorf("%s: min_sources=2 gives %v, want %v", label, got, wantMulti)
	}
}

// testMerge ingests the same articles in a fixed sample of orders, each
// into a new store, and checks that every order ends with the same merged
// events; then that re-extracting and deleting articles update them.
func testMerge(t *testing.T, open func(t *testing.T) Store) {
	batches := MergeBatches(3, 14)
	var merged int
	for _, e := range Merged(reportsOf(batches)) {
		if e.SourceCount > 1 {
			merged++
		}
	}
	if merged < 3 {
		t.Fatalf("the merge fixture merges only %d events; it must exercise merging", merged)
	}
	r := rand.New(rand.NewPCG(14, 3))
	orders := make([][]Batch, 4)
	for order := range orders {
		perm := append([]Batch(nil), batches...)
		if order > 0 {
			r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		orders[order] = perm
	}
	// Each order has a store of its own, so the orders run beside each
	// other.
	for order, perm := range orders {
		t.Run(fmt.Sprintf("order %d", order), func(t *testing.T) {
			t.Parallel()
			testMergeOrder(t, open(t), batches, perm, order)
		})
	}
}

// testMergeOrder ingests the batches in the order perm (the order-th of
// testMerge's) and checks the merged events; after the first order, it
// also re-extracts, empties and deletes articles.
func testMergeOrder(t *testing.T, s Store, batches, perm []Batch, order int) {
	ingestAll(t, s, perm)
	checkMerged(t, s, batches, fmt.Sprintf("order %d", order))
	checkCounts(t, s, fmt.Sprintf("merging in order %d", order))
	if order > 0 {
		return
	}
	// Re-extraction changes an article's reports: one fewer, one moved
	// a day.
	changed := append([]Batch(nil), batches...)
	for i, b := range changed {
		if len(b.Events) < 2 {
			continue
		}
		evs := append([]geo.Event(nil), b.Events[1:]...)
		if evs[0].EventDate != "" {
			evs[0].EventDate = "2024-03-05"
			evs[0].EventDateEnd = ""
		}
		changed[i].Events = evs
		ingest(t, s, changed[i])
		break
	}
	checkMerged(t, s, changed, "after re-extracting an article")
	// An article without events (deleted, or nothing left to read)
	// leaves the groups it held.
	for i := 0; i < 3; i++ {
		changed[i].Events = nil
		ingest(t, s, changed[i])
	}
	checkMerged(t, s, changed, "after emptying three articles")
	// Deleting articles takes their reports out of their groups.
	for _, b := range changed[3:6] {
		if _, err := s.DeleteArticle(t.Context(), b.Article.ID); err != nil {
			t.Fatal(err)
		}
	}
	checkMerged(t, s, changed[6:], "after deleting three articles")
}

// testChanges checks the log the live stream reads: every ingest's written
// and removed events at its data version, in order.
func testChanges(t *testing.T, s Store) {
	ctx := t.Context()
	batches := Fixture()
	version := func() int64 {
		v, err := s.Version(ctx)
		must(t, err)
		return v
	}
	v0 := version()
	ingest(t, s, batches[0])
	v1 := version()
	ingest(t, s, batches[1])
	v2 := version()
	check := func(after int64, wantVersion int64, want []string, gone bool) {
		t.Helper()
		got, complete, err := s.Changes(ctx, after, 1000)
		must(t, err)
		if !complete {
			t.Errorf("changes after %d are not complete", after)
		}
		var gotIDs []string
		for _, c := range got {
			if c.Version != wantVersion || c.Gone != gone {
				t.Errorf("change %+v, want version %d gone %v", c, wantVersion, gone)
			}
			gotIDs = append(gotIDs, c.EventID)
		}
		sort.Strings(gotIDs)
		sort.Strings(want)
		if !reflect.DeepEqual(gotIDs, want) {
			t.Errorf("changes after %d: %v, want %v", after, gotIDs, want)
		}
	}
	check(v1, v2, ids(batches[1].Events), false)
	got, _, err := s.Changes(ctx, v0, 1000)
	must(t, err)
	if len(got) != len(batches[0].Events)+len(batches[1].Events) || (len(got) > 0 && got[0].Version != v1) {
		t.Errorf("changes after the first version are %+v, want both ingests' events, oldest first", got)
	}
	ingest(t, s, Batch{Article: batches[1].Article})
	check(v2, version(), ids(batches[1].Events), true)
	if got, _, err := s.Changes(ctx, version(), 1000); err != nil || len(got) != 0 {
		t.Errorf("changes after the last version: %v (%v), want none", got, err)
	}
}

// ChangeLog checks the pruning of the change log of a store that keeps
// only the newest keep changes (a test setting of the store): after each
// ingest of an article with one new event, the changes after any of the
// last keep versions are complete and exactly those ingests' events, and
// once the first change is gone the changes after the version before it
// say they are not complete, so that a stream that far behind reloads.
func ChangeLog(t *testing.T, s Store, keep int) {
	ctx := t.Context()
	version := func() int64 {
		v, err := s.Version(ctx)
		must(t, err)
		return v
	}
	v0 := version()
	versions := []int64{v0}
	var events []string
	n := 3*keep + 5
	for i := range n {
		url := fmt.Sprintf("https://log.example/%d", i)
		text := fmt.Sprintf("report %d", i)
		a := geo.Article{ID: geo.ArticleID(url, text), Title: text, URL: url, Published: "2024-05-01", Text: text}
		e := geo.Event{ID: a.ID + "-0", ArticleID: a.ID, Title: a.Title, SourceURL: url, Published: a.Published,
			Point: orb.Point{float64(i % 90), 10}, GeonameID: int64(9000 + i), Location: fmt.Sprintf("Place %d", i),
			CountryCode: "SY", Country: "Syria", GeoPrecision: geo.GeoTown,
			EventDate: "2024-04-30", TimePrecision: geo.TimeDay, EventType: geo.Battles, SubEventType: "Armed clash",
			Modality: geo.Occurred, Quote: text + ".", Confidence: 0.5, ExtractorVersion: "log"}
		ingest(t, s, Batch{Article: a, Events: []geo.Event{e}})
		versions = append(versions, version())
		events = append(events, e.ID)
		for k := 1; k <= min(keep, i+1); k++ {
			got, complete, err := s.Changes(ctx, versions[len(versions)-1-k], 1000)
			must(t, err)
			if !complete || len(got) != k {
				t.Fatalf("after %d ingests, the changes of the last %d: %d changes, complete %v; want %d, complete",
					i+1, k, len(got), complete, k)
			}
			for j, c := range got {
				at := len(events) - k + j
				if c.Version != versions[at+1] || c.EventID != events[at] || c.Gone {
					t.Fatalf("after %d ingests, change %d of the last %d: %+v, want event %s at version %d",
						i+1, j, k, c, events[at], versions[at+1])
				}
			}
		}
	}
	got, complete, err := s.Changes(ctx, v0, 1000)
	must(t, err)
	if complete || len(got) >= n || len(got) < keep {
		t.Errorf("after %d ingests into a log of %d: %d changes after the first version, complete %v; want at least %d of them, not complete",
			n, keep, len(got), complete, keep)
	}
}
