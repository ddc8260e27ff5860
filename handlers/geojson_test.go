package handlers

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
)

func intp(n int) *int { return &n }

// The hand-rolled writer must say exactly what geo.Event.Feature() says:
// GIS tools and the page read these answers, and the domain form is the
// contract.
func TestAppendFeatureMatchesDomainForm(t *testing.T) {
	bound := orb.Bound{Min: orb.Point{34.2, 31.2}, Max: orb.Point{34.6, 31.6}}
	events := []geo.Event{
		{},
		{
			ID: "e1", Point: orb.Point{44.361488, 33.312806}, EventDate: "2024-01-25", EventDateEnd: "2024-01-31",
			TimePrecision: geo.TimeWeek, EventType: geo.StrategicDevelopments, SubEventType: "Other", Modality: geo.Occurred,
			Actor1: "Quds Force", Actor2: "Kataib Hezbollah", Fatalities: intp(0), Location: "Baghdad", Country: "Iraq",
			CountryCode: "IQ", Admin1: "Baghdad", GeonameID: 98182, FeatureCode: "PPLC", GeoPrecision: geo.GeoTown,
			Mention: "Baghdad", Quote: `He met "leaders" in Baghdad <b>&</b> left.`, Confidence: 0.87,
			ArticleID: "a1", Title: "Iran reins in militias", SourceURL: "https://example.org/a?b=1&c=2", Published: "2024-02-27",
			ExtractorVersion: "0.1.0",
		},
		{
			ID: "e2", Point: orb.Point{-179.5, -16.25}, Bound: &bound, Fatalities: intp(3),
			Quote:  "tab\there, newline\nthere, nul \x00, bell \x07, line sep \u2028, bad utf8 \xff, «Gaza» — 🙂",
			Actor1: `back\slash`, Confidence: 1,
		},
	}
	for _, e := range events {
		got := appendFeature(nil, e)
		if !json.Valid(got) {
			t.Fatalf("event %q: invalid JSON: %s", e.ID, got)
		}
		want, err := json.Marshal(e.Feature())
		if err != nil {
			t.Fatal(err)
		}
		var g, w map[string]any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if e.ID == "" {
			// RFC 7946 allows no null or empty id: leave the member out.
			if _, ok := g["id"]; ok {
				t.Errorf("empty id written as %v", g["id"])
			}
			delete(w, "id")
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("event %q:\n got %s\nwant %s", e.ID, got, want)
		}
		props := g["properties"].(map[string]any)
		if len(props) != len(geo.PropertyNames()) {
			t.Errorf("event %q has %d properties, want every one of %d", e.ID, len(props), len(geo.PropertyNames()))
		}
	}
}

func TestFeatureCollectionCountsAndExtraMembers(t *testing.T) {
	page := geo.EventPage{Matched: 7, Events: []geo.Event{{ID: "a"}, {ID: "b"}}}
	b, err := appendFeatureCollection(nil, page, member{"links", []map[string]string{{"rel": "next", "href": "/x?offset=2"}}})
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type           string           `json:"type"`
		NumberMatched  int              `json:"numberMatched"`
		NumberReturned int              `json:"numberReturned"`
		Features       []map[string]any `json:"features"`
		Links          []map[string]string
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if fc.Type != "FeatureCollection" || fc.NumberMatched != 7 || fc.NumberReturned != 2 || len(fc.Features) != 2 {
		t.Errorf("got %s", b)
	}
	if len(fc.Links) != 1 || !strings.Contains(fc.Links[0]["href"], "offset=2") {
		t.Errorf("extra member lost: %s", b)
	}
	empty, _ := appendFeatureCollection(nil, geo.EventPage{})
	if !strings.Contains(string(empty), `"features":[]`) {
		t.Errorf("an empty page must carry an empty features array, got %s", empty)
	}
}

func BenchmarkAppendFeatureCollection10000(b *testing.B) {
	a := geo.Article{ID: "bench", Title: "generated", Text: "generated"}
	page := geo.EventPage{Events: storetest.Generate(1, a, 10000), Matched: 10000}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = appendFeatureCollection(buf[:0], page)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(buf)))
	}
}
