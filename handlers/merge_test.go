package handlers_test

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"conflictmap/geo"
)

// mergeArticle is one article of testdata/merge/articles.json.
type mergeArticle struct {
	Name      string `json:"name"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Text      string `json:"text"`
}

func mergeArticles(t *testing.T) []mergeArticle {
	t.Helper()
	b, err := os.ReadFile("testdata/merge/articles.json")
	if err != nil {
		t.Fatal(err)
	}
	var arts []mergeArticle
	if err := json.Unmarshal(b, &arts); err != nil {
		t.Fatal(err)
	}
	return arts
}

func (a mergeArticle) body() string {
	b, _ := json.Marshal(map[string]string{"title": a.Title, "url": a.URL, "published": a.Published, "text": a.Text})
	return string(b)
}

// groupsOf names each served event by the articles of its sources ("a+b c"),
// mapping sources to articles by URL.
func groupsOf(t *testing.T, c collection, arts []mergeArticle) string {
	t.Helper()
	byURL := map[string]string{}
	for _, a := range arts {
		byURL[a.URL] = a.Name
	}
	var groups []string
	for _, f := range c.Features {
		var names []string
		sources, _ := f.Properties["sources"].([]any)
		for _, s := range sources {
			u, _ := s.(map[string]any)["url"].(string)
			names = append(names, byURL[u])
		}
		if n, _ := f.Properties["source_count"].(float64); int(n) != len(names) {
			t.Errorf("event %s: source_count %v, %d sources", f.ID, f.Properties["source_count"], len(names))
		}
		sort.Strings(names)
		groups = append(groups, strings.Join(names, "+"))
	}
	sort.Strings(groups)
	return strings.Join(groups, " ")
}

func feature(t *testing.T, c collection, locationAndDate string) map[string]any {
	t.Helper()
	for _, f := range c.Features {
		if fmt.Sprint(f.Properties["location"], " ", f.Properties["event_date"], " ", f.Properties["modality"]) == locationAndDate {
			return f.Properties
		}
	}
	t.Fatalf("no event %q among %v", locationAndDate, c.ids())
	return nil
}

// TestMergeFixtureArticles posts the fixture articles in a fixed sample of
// orders, each into a new store, and checks that the served events are
// exactly the expected happenings, whatever the order, with their sources,
// toll, links and reports; then that re-extracting and emptying an article
// update them.
func TestMergeFixtureArticles(t *testing.T) {
	arts := mergeArticles(t)
	// The strike on Saraqib told by four outlets; the strike on Sarmin
	// nearby; the threat before; a protest and a later strike at Saraqib.
	const want = "a+b+c+d e f g h"
	r := rand.New(rand.NewPCG(14, 14))
	for order := range 6 {
		perm := slices.Clone(arts)
		switch order {
		case 0:
		case 1:
			slices.Reverse(perm)
		default:
			r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		var names []string
		for _, a := range perm {
			names = append(names, a.Name)
		}
		t.Run(strings.Join(names, ""), func(t *testing.T) {
			s := newServer(t, serverOptions{token: testToken})
			for _, a := range perm {
				if w := s.post(a.body(), auth(testToken)...); w.Code != http.StatusCreated {
					t.Fatalf("posting %s: %d %s", a.Name, w.Code, w.Body.String())
				}
			}
			all := events(t, s, "limit=10000")
			if got := groupsOf(t, all, arts); got != want {
				t.Fatalf("merged events %q, want %q", got, want)
			}
			strike := feature(t, all, "Saraqib 2024-03-04 occurred")
			threat := feature(t, all, "Saraqib 2024-03-01 threatened")
			if n := strike["fatalities"]; n != float64(11) {
				t.Errorf("the strike's fatalities are %v, want 11: the toll reported three days later replaces the first day's 5 and 7", n)
			}
			if strike["published"] != "2024-03-04" || !slices.Contains([]string{arts[0].URL, arts[1].URL}, fmt.Sprint(strike["source_url"])) {
				t.Errorf("the strike keeps %v %v, want the earliest report's url and day", strike["source_url"], strike["published"])
			}
			if rel, _ := strike["related"].([]any); !slices.Contains(rel, threat["id"]) {
				t.Errorf("the strike is related to %v, want the threat %v", rel, threat["id"])
			}
			if rel, _ := threat["related"].([]any); !slices.Contains(rel, strike["id"]) {
				t.Errorf("the threat is related to %v, want the strike %v", rel, strike["id"])
			}
			sources := strike["sources"].([]any)
			outlets := []string{}
			for _, src := range sources {
				outlets = append(outlets, src.(map[string]any)["outlet"].(string))
			}
			if !slices.Equal(outlets[2:], []string{"charlie.example", "delta.example"}) || len(outlets) != 4 {
				t.Errorf("sources' outlets %v, want alpha and bravo (same day), then charlie, delta", outlets)
			}
			if strike["confidence"].(float64) <= feature(t, all, "Sarmin 2024-03-04 occurred")["confidence"].(float64) {
				t.Errorf("four outlets give confidence %v, no more than one outlet's", strike["confidence"])
			}

			reports := decode[collection](t, s.get("/api/events/"+strike["id"].(string)+"/reports"))
			if reports.NumberMatched != 4 || reports.Features[0].ID != strike["id"] {
				t.Errorf("reports of the strike: %v, want four with the event's own id first", reports.ids())
			}
			tolls := []any{}
			for _, f := range reports.Features {
				tolls = append(tolls, f.Properties["fatalities"])
			}
			if !slices.Contains(tolls, any(float64(5))) || !slices.Contains(tolls, any(float64(7))) {
				t.Errorf("the reports keep tolls %v, want each outlet's own", tolls)
			}
			if multi := events(t, s, "min_sources=2"); !slices.Equal(multi.ids(), []string{strike["id"].(string)}) {
				t.Errorf("min_sources=2 gives %v, want only the strike", multi.ids())
			}
			w := s.get("/api/events.csv?min_sources=3")
			rows, err := csv.NewReader(w.Body).ReadAll()
			if err != nil || len(rows) != 2 {
				t.Fatalf("CSV with min_sources=3: %v %v", rows, err)
			}
			col := slices.Index(rows[0], "source_count")
			if col < 0 || rows[1][col] != "4" || !strings.Contains(rows[1][col+1], "delta.example 2024-03-07") {
				t.Errorf("CSV source columns %v", rows)
			}
			if order > 0 {
				return
			}
			// Re-extraction: article d now places its strike at Sarmin.
			d := arts[3]
			d.Text = strings.ReplaceAll(d.Text, "Saraqib", "Sarmin")
			if w := s.post(d.body(), auth(testToken)...); w.Code != http.StatusCreated {
				t.Fatalf("re-posting d: %d %s", w.Code, w.Body.String())
			}
			all = events(t, s, "limit=10000")
			if got := groupsOf(t, all, arts); got != "a+b+c d+e f g h" {
				t.Errorf("after re-extracting d the events are %q, want %q", got, "a+b+c d+e f g h")
			}
			if n := feature(t, all, "Saraqib 2024-03-04 occurred")["fatalities"]; n != float64(5) {
				t.Errorf("without d's toll the strike's fatalities are %v, want 5 (the lower of the first day's)", n)
			}
			// An article that no longer reports anything leaves its group.
			c := arts[2]
			c.Text = "Rescuers said on Tuesday they were still searching the rubble."
			if w := s.post(c.body(), auth(testToken)...); w.Code != http.StatusCreated {
				t.Fatalf("re-posting c: %d %s", w.Code, w.Body.String())
			}
			if got := groupsOf(t, events(t, s, "limit=10000"), arts); got != "a+b d+e f g h" {
				t.Errorf("after emptying c the events are %q, want %q", got, "a+b d+e f g h")
			}
			// Deleting an article takes its report out of its event.
			aID := geo.ArticleID(arts[0].URL, arts[0].Text)
			if w := s.do(http.MethodDelete, "/api/articles/"+aID, "", auth(testToken)...); w.Code != http.StatusOK {
				t.Fatalf("deleting a: %d %s", w.Code, w.Body.String())
			}
			all = events(t, s, "limit=10000")
			if got := groupsOf(t, all, arts); got != "b d+e f g h" {
				t.Errorf("after deleting a the events are %q, want %q", got, "b d+e f g h")
			}
			if n := feature(t, all, "Saraqib 2024-03-04 occurred")["fatalities"]; n != float64(7) {
				t.Errorf("with b alone the strike's fatalities are %v, want 7", n)
			}
		})
	}
}

// sseEvent is one Server-Sent Event as a client reads it.
type sseEvent struct {
	ID, Event, Data string
}

// readSSE sends the stream's events on a channel until the body ends.
func readSSE(body *bufio.Reader) <-chan sseEvent {
	ch := make(chan sseEvent, 16)
	go func() {
		defer close(ch)
		var ev sseEvent
		for {
			line, err := body.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			switch {
			case line == "":
				if ev.Event != "" || ev.Data != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data += line[6:]
			}
		}
	}()
	return ch
}

func openStream(t *testing.T, base, lastID string) (<-chan sseEvent, func()) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/api/events/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream answers %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return readSSE(bufio.NewReader(resp.Body)), func() { resp.Body.Close() }
}

// next returns the next event of the stream that is not a hello, failing
// after a minute (a bound against hanging, not a timing assertion).
func next(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.Event != "hello" {
				return ev
			}
		case <-time.After(time.Minute):
			t.Fatal("no event on the stream within a minute")
		}
	}
}

type streamData struct {
	Version int64 `json:"version"`
	Changed []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"changed"`
	Removed []string `json:"removed"`
}

// TestEventStream reads GET /api/events/stream with a real HTTP client:
// an ingest is announced with its version and the changed event; a client
// that reconnects with Last-Event-ID gets what it missed; and once a
// version is announced, /api/events (cached before) answers at least it.
func TestEventStream(t *testing.T) {
	arts := mergeArticles(t)
	s := newServer(t, serverOptions{token: testToken})
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	defer s.h.CloseStreams()

	stream, stop := openStream(t, srv.URL, "")
	if w := s.post(arts[0].body(), auth(testToken)...); w.Code != http.StatusCreated {
		t.Fatal(w.Body.String())
	}
	first := next(t, stream)
	var d streamData
	if err := json.Unmarshal([]byte(first.Data), &d); err != nil || first.Event != "events" || len(d.Changed) != 1 ||
		first.ID != fmt.Sprint(d.Version) {
		t.Fatalf("first stream event %+v (%v), want the new strike at its version", first, err)
	}
	strikeID := d.Changed[0].ID
	if before := events(t, s, "min_sources=1"); before.NumberMatched != 1 {
		t.Fatalf("before the second report /api/events has %d events", before.NumberMatched)
	}

	if w := s.post(arts[1].body(), auth(testToken)...); w.Code != http.StatusCreated {
		t.Fatal(w.Body.String())
	}
	second := next(t, stream)
	d = streamData{}
	if err := json.Unmarshal([]byte(second.Data), &d); err != nil || len(d.Changed) != 1 ||
		d.Changed[0].Properties["source_count"] != float64(2) {
		t.Fatalf("second stream event %+v (%v), want the strike with two sources", second, err)
	}
	// Both reports are of one day: the event takes the smaller report id,
	// and the stream says when the old one is gone.
	if d.Changed[0].ID != strikeID && !slices.Equal(d.Removed, []string{strikeID}) {
		t.Errorf("the strike's id moved from %s to %s, and the stream removed %v", strikeID, d.Changed[0].ID, d.Removed)
	}
	// Announced: the cached answer from before must not come back.
	after := events(t, s, "min_sources=1")
	if after.NumberMatched != 1 || after.Features[0].Properties["source_count"] != float64(2) {
		t.Errorf("after the announcement /api/events answers %+v, want the strike with two sources", after.Features)
	}
	stop()

	// Missed while disconnected: the threat (a new event) and article b
	// emptied (the strike loses a source).
	if w := s.post(arts[5].body(), auth(testToken)...); w.Code != http.StatusCreated {
		t.Fatal(w.Body.String())
	}
	b := arts[1]
	b.Text = "Residents said on Monday that the town was quiet."
	if w := s.post(b.body(), auth(testToken)...); w.Code != http.StatusCreated {
		t.Fatal(w.Body.String())
	}
	final, err := s.store.Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	resumed, stop2 := openStream(t, srv.URL, second.ID)
	defer stop2()
	// The last word on each event, once the stream reaches the version
	// the store is at.
	state := map[string]string{}
	for d.Version != final {
		ev := next(t, resumed)
		d = streamData{}
		if err := json.Unmarshal([]byte(ev.Data), &d); err != nil || ev.Event != "events" {
			t.Fatalf("resumed stream event %+v (%v)", ev, err)
		}
		for _, c := range d.Changed {
			state[c.ID] = fmt.Sprint(c.Properties["modality"], " ", c.Properties["source_count"])
		}
		for _, id := range d.Removed {
			state[id] = "removed"
		}
	}
	var got []string
	for _, v := range state {
		if v != "removed" {
			got = append(got, v)
		}
	}
	sort.Strings(got)
	// The threat, and the strike that lost a source.
	if want := []string{"occurred 1", "threatened 1"}; !slices.Equal(got, want) {
		t.Errorf("the resumed stream leaves %v, want %v", state, want)
	}

	if w := s.get("/api/events/stream", "Last-Event-ID", "yesterday"); w.Code != http.StatusBadRequest {
		t.Errorf("a Last-Event-ID that is no version answers %d, want 400", w.Code)
	}
}
