package merge

import (
	"encoding/json"
	"fmt"

	"conflictmap/geo"

	"github.com/paulmach/orb"
)

// record is how stores keep a report: one JSON document with the names of
// the GeoJSON properties, so that both stores (and their migrations from
// the events table) write it alike.
type record struct {
	ID               string   `json:"id"`
	ArticleID        string   `json:"article_id"`
	Lon              float64  `json:"lon"`
	Lat              float64  `json:"lat"`
	BoundWest        *float64 `json:"bound_west"`
	BoundSouth       *float64 `json:"bound_south"`
	BoundEast        *float64 `json:"bound_east"`
	BoundNorth       *float64 `json:"bound_north"`
	EventDate        string   `json:"event_date"`
	EventDateEnd     string   `json:"event_date_end"`
	TimePrecision    int      `json:"time_precision"`
	EventType        string   `json:"event_type"`
	SubEventType     string   `json:"sub_event_type"`
	Modality         string   `json:"modality"`
	Actor1           string   `json:"actor1"`
	Actor2           string   `json:"actor2"`
	Fatalities       *int     `json:"fatalities"`
	Location         string   `json:"location"`
	Country          string   `json:"country"`
	CountryCode      string   `json:"country_code"`
	Admin1           string   `json:"admin1"`
	GeonameID        int64    `json:"geonameid"`
	FeatureCode      string   `json:"feature_code"`
	GeoPrecision     int      `json:"geo_precision"`
	Mention          string   `json:"mention"`
	Quote            string   `json:"quote"`
	Confidence       float64  `json:"confidence"`
	Title            string   `json:"title"`
	SourceURL        string   `json:"source_url"`
	Published        string   `json:"published"`
	ExtractorVersion string   `json:"extractor_version"`
	Origin           string   `json:"origin,omitempty"` // "" when extracted
}

// EncodeReport returns the JSON document a store keeps a report as.
func EncodeReport(e geo.Event) ([]byte, error) {
	r := record{
		ID: e.ID, ArticleID: e.ArticleID, Lon: e.Point[0], Lat: e.Point[1],
		EventDate: e.EventDate, EventDateEnd: e.EventDateEnd, TimePrecision: e.TimePrecision,
		EventType: e.EventType, SubEventType: e.SubEventType, Modality: e.Modality,
		Actor1: e.Actor1, Actor2: e.Actor2, Fatalities: e.Fatalities,
		Location: e.Location, Country: e.Country, CountryCode: e.CountryCode, Admin1: e.Admin1,
		GeonameID: e.GeonameID, FeatureCode: e.FeatureCode, GeoPrecision: e.GeoPrecision,
		Mention: e.Mention, Quote: e.Quote, Confidence: e.Confidence,
		Title: e.Title, SourceURL: e.SourceURL, Published: e.Published, ExtractorVersion: e.ExtractorVersion,
		Origin: e.Origin,
	}
	if b := e.Bound; b != nil {
		r.BoundWest, r.BoundSouth, r.BoundEast, r.BoundNorth = &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]
	}
	return json.Marshal(r)
}

// DecodeReport reads a report written by EncodeReport.
func DecodeReport(data []byte) (geo.Event, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return geo.Event{}, fmt.Errorf("merge: stored report: %w", err)
	}
	e := geo.Event{
		ID: r.ID, ArticleID: r.ArticleID, Point: orb.Point{r.Lon, r.Lat},
		EventDate: r.EventDate, EventDateEnd: r.EventDateEnd, TimePrecision: r.TimePrecision,
		EventType: r.EventType, SubEventType: r.SubEventType, Modality: r.Modality,
		Actor1: r.Actor1, Actor2: r.Actor2, Fatalities: r.Fatalities,
		Location: r.Location, Country: r.Country, CountryCode: r.CountryCode, Admin1: r.Admin1,
		GeonameID: r.GeonameID, FeatureCode: r.FeatureCode, GeoPrecision: r.GeoPrecision,
		Mention: r.Mention, Quote: r.Quote, Confidence: r.Confidence,
		Title: r.Title, SourceURL: r.SourceURL, Published: r.Published, ExtractorVersion: r.ExtractorVersion,
	}
	if r.Origin != geo.OriginExtracted {
		e.Origin = r.Origin
	}
	if r.BoundWest != nil && r.BoundSouth != nil && r.BoundEast != nil && r.BoundNorth != nil {
		e.Bound = &orb.Bound{Min: orb.Point{*r.BoundWest, *r.BoundSouth}, Max: orb.Point{*r.BoundEast, *r.BoundNorth}}
	}
	return e, nil
}

type sourceRecord struct {
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	Outlet    string `json:"outlet"`
	URL       string `json:"url"`
	Published string `json:"published"`
	// PublishedEstimated is not kept here: it is the article's, and
	// stores read it from the article (a later fetch may find the date).
	PublishedEstimated bool   `json:"-"`
	Quote              string `json:"quote"`
	Fatalities         *int   `json:"fatalities"`
}

// EncodeSources returns the JSON document a store keeps an event's sources
// as.
func EncodeSources(sources []geo.Source) ([]byte, error) {
	rs := make([]sourceRecord, len(sources))
	for i, s := range sources {
		rs[i] = sourceRecord(s)
	}
	return json.Marshal(rs)
}

// DecodeSources reads sources written by EncodeSources.
func DecodeSources(data []byte) ([]geo.Source, error) {
	var rs []sourceRecord
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, fmt.Errorf("merge: stored sources: %w", err)
	}
	out := make([]geo.Source, len(rs))
	for i, r := range rs {
		out[i] = geo.Source(r)
	}
	return out, nil
}
