package geo_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"conflictmap/geo"
)

func TestFeatureCarriesEveryPropertyWithNullForUnknown(t *testing.T) {
	e := geo.Event{ID: "abc", Point: orb.Point{36.29, 33.51}, Location: "Damascus"}
	raw, err := json.Marshal(e.Feature())
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		BBox []float64 `json:"bbox"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != "Feature" || got.ID != "abc" || got.Geometry.Type != "Point" {
		t.Fatalf("feature head = %s", raw)
	}
	if got.Geometry.Coordinates[0] != 36.29 || got.Geometry.Coordinates[1] != 33.51 {
		t.Errorf("coordinates = %v, want [lon, lat] = [36.29 33.51]", got.Geometry.Coordinates)
	}
	if got.BBox != nil {
		t.Errorf("a town feature has bbox %v, want none", got.BBox)
	}
	if len(got.Properties) != len(geo.PropertyNames()) {
		t.Errorf("feature has %d properties, want %d", len(got.Properties), len(geo.PropertyNames()))
	}
	for _, name := range geo.PropertyNames() {
		v, ok := got.Properties[name]
		if !ok {
			t.Errorf("property %q missing", name)
			continue
		}
		if v == "" {
			t.Errorf("property %q is an empty string, want null or a value", name)
		}
	}
	if got.Properties["fatalities"] != nil || got.Properties["event_date"] != nil {
		t.Errorf("unknown fatalities/event_date = %v/%v, want null", got.Properties["fatalities"], got.Properties["event_date"])
	}
}

func TestFeatureRoundTrip(t *testing.T) {
	zero, three := 0, 3
	b := orb.Bound{Min: orb.Point{34.88, 29.18}, Max: orb.Point{39.31, 33.38}}
	for _, e := range []geo.Event{
		{
			ID: "e1", Point: orb.Point{36.5, 31.2}, Bound: &b,
			EventDate: "2024-01-28", EventDateEnd: "2024-01-28", TimePrecision: geo.TimeDay,
			EventType: geo.ExplosionsRemote, SubEventType: "Air/drone strike", Modality: geo.Occurred,
			Actor1: "Islamic Resistance in Iraq", Actor2: "US military", Fatalities: &three,
			Location: "Jordan", Country: "Jordan", CountryCode: "JO", GeonameID: 248816, FeatureCode: "PCLI",
			GeoPrecision: geo.GeoRegion, Mention: "Jordan", Quote: "A drone strike in Jordan killed three.",
			Confidence: 0.8, ArticleID: "a1", Title: "T", SourceURL: "https://example.org/a", Published: "2024-02-27",
			ExtractorVersion: "1",
		},
		{ID: "e2", Point: orb.Point{-179.5, 10}, Fatalities: &zero, Modality: geo.Threatened},
	} {
		raw, err := json.Marshal(e.Feature())
		if err != nil {
			t.Fatal(err)
		}
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			t.Fatal(err)
		}
		back, err := geo.EventFromFeature(f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", e.ID, back, e)
		}
	}
}

func TestEventFromFeatureRejectsNonPoint(t *testing.T) {
	f := geojson.NewFeature(orb.LineString{{0, 0}, {1, 1}})
	if _, err := geo.EventFromFeature(f); geo.ErrorCode(err) != geo.EINVALID {
		t.Errorf("line feature: err = %v, want an invalid-input error", err)
	}
}

func TestArticleIDPrefersURL(t *testing.T) {
	a := geo.ArticleID("https://example.org/a", "text one")
	b := geo.ArticleID("https://example.org/a", "text two, edited")
	c := geo.ArticleID("", "text one")
	d := geo.ArticleID("", "text two, edited")
	if a != b {
		t.Errorf("same URL, different text: ids %s and %s differ", a, b)
	}
	if c == d || a == c {
		t.Errorf("ids without URL must follow the text: %s %s %s", a, c, d)
	}
}

func TestBBoxContainsAcrossAntimeridian(t *testing.T) {
	b := geo.BBox{West: 170, South: -10, East: -170, North: 10}
	for _, tc := range []struct {
		lon, lat float64
		want     bool
	}{{175, 0, true}, {-175, 0, true}, {0, 0, false}, {175, 11, false}, {170, -10, true}} {
		if got := b.Contains(tc.lon, tc.lat); got != tc.want {
			t.Errorf("Contains(%v, %v) = %v, want %v", tc.lon, tc.lat, got, tc.want)
		}
	}
}
