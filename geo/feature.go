package geo

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// PropertyNames returns every property of an event feature, in the order
// of DESIGN.md's table. Every feature carries all of them.
func PropertyNames() []string {
	return []string{
		"id", "event_date", "event_date_end", "time_precision",
		"event_type", "sub_event_type", "modality",
		"actor1", "actor2", "fatalities",
		"location", "country", "country_code", "admin1",
		"geonameid", "feature_code", "geo_precision",
		"mention", "quote", "confidence",
		"article_id", "title", "source_url", "published", "published_estimated",
		"extractor_version",
		"source_count", "sources", "related", "origin",
	}
}

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func num[T int | int64](n T) any {
	if n == 0 {
		return nil
	}
	return n
}

// Feature returns the event as a GeoJSON Point feature whose properties are
// every name of PropertyNames(), with JSON null for unknown values (never "",
// which would make GIS tools type a date column as text).
func (e Event) Feature() *geojson.Feature {
	f := geojson.NewFeature(e.Point)
	f.ID = e.ID
	if e.Bound != nil {
		f.BBox = geojson.NewBBox(*e.Bound)
	}
	var fatalities any
	if e.Fatalities != nil {
		fatalities = *e.Fatalities
	}
	var confidence any
	if e.Confidence > 0 {
		confidence = e.Confidence
	}
	f.Properties = geojson.Properties{
		"id":                  str(e.ID),
		"event_date":          str(e.EventDate),
		"event_date_end":      str(e.EventDateEnd),
		"time_precision":      num(e.TimePrecision),
		"event_type":          str(e.EventType),
		"sub_event_type":      str(e.SubEventType),
		"modality":            str(e.Modality),
		"actor1":              str(e.Actor1),
		"actor2":              str(e.Actor2),
		"fatalities":          fatalities,
		"location":            str(e.Location),
		"country":             str(e.Country),
		"country_code":        str(e.CountryCode),
		"admin1":              str(e.Admin1),
		"geonameid":           num(e.GeonameID),
		"feature_code":        str(e.FeatureCode),
		"geo_precision":       num(e.GeoPrecision),
		"mention":             str(e.Mention),
		"quote":               str(e.Quote),
		"confidence":          confidence,
		"article_id":          str(e.ArticleID),
		"title":               str(e.Title),
		"source_url":          str(e.SourceURL),
		"published":           str(e.Published),
		"published_estimated": e.PublishedEstimated,
		"extractor_version":   str(e.ExtractorVersion),
		"source_count":        max(e.SourceCount, 1),
		"sources":             sourceProperties(EventSources(e)),
		"related":             append([]string{}, e.Related...),
		"origin":              e.OriginName(),
	}
	return f
}

// sourceProperties writes sources as the JSON objects of the sources
// property, unknown values null.
func sourceProperties(sources []Source) []map[string]any {
	out := make([]map[string]any, len(sources))
	for i, s := range sources {
		var fatalities any
		if s.Fatalities != nil {
			fatalities = *s.Fatalities
		}
		out[i] = map[string]any{
			"article_id": str(s.ArticleID), "title": str(s.Title), "outlet": str(s.Outlet), "url": str(s.URL),
			"published": str(s.Published), "published_estimated": s.PublishedEstimated,
			"quote": str(s.Quote), "fatalities": fatalities,
		}
	}
	return out
}

// FeatureCollection returns the events as a GeoJSON FeatureCollection.
func FeatureCollection(events []Event) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, len(events))
	for _, e := range events {
		fc.Append(e.Feature())
	}
	return fc
}

// EventFromFeature reads an event back from a GeoJSON feature written by
// Feature (or by a GIS tool that kept its properties).
func EventFromFeature(f *geojson.Feature) (Event, error) {
	p, ok := f.Geometry.(orb.Point)
	if !ok {
		return Event{}, Errorf(EINVALID, "feature geometry is %T, want a Point", f.Geometry)
	}
	props := f.Properties
	e := Event{
		Point:            p,
		ID:               props.MustString("id", ""),
		EventDate:        props.MustString("event_date", ""),
		EventDateEnd:     props.MustString("event_date_end", ""),
		TimePrecision:    props.MustInt("time_precision", 0),
		EventType:        props.MustString("event_type", ""),
		SubEventType:     props.MustString("sub_event_type", ""),
		Modality:         props.MustString("modality", ""),
		Actor1:           props.MustString("actor1", ""),
		Actor2:           props.MustString("actor2", ""),
		Location:         props.MustString("location", ""),
		Country:          props.MustString("country", ""),
		CountryCode:      props.MustString("country_code", ""),
		Admin1:           props.MustString("admin1", ""),
		GeonameID:        int64(props.MustFloat64("geonameid", 0)),
		FeatureCode:      props.MustString("feature_code", ""),
		GeoPrecision:     props.MustInt("geo_precision", 0),
		Mention:          props.MustString("mention", ""),
		Quote:            props.MustString("quote", ""),
		Confidence:       props.MustFloat64("confidence", 0),
		ArticleID:        props.MustString("article_id", ""),
		Title:            props.MustString("title", ""),
		SourceURL:        props.MustString("source_url", ""),
		Published:        props.MustString("published", ""),
		ExtractorVersion: props.MustString("extractor_version", ""),
	}
	if o := props.MustString("origin", ""); o != OriginExtracted {
		e.Origin = o
	}
	if e.ID == "" {
		if id, ok := f.ID.(string); ok {
			e.ID = id
		}
	}
	if v, ok := props["fatalities"]; ok && v != nil {
		n, ok := v.(float64)
		if !ok {
			return Event{}, Errorf(EINVALID, "feature %s: fatalities is %v, want an integer", e.ID, v)
		}
		k := int(n)
		e.Fatalities = &k
	}
	if len(f.BBox) == 4 {
		b := f.BBox.Bound()
		e.Bound = &b
	}
	if err := readSources(&e, props); err != nil {
		return Event{}, err
	}
	if e.EventDate != "" && len(e.EventDate) != len(DateLayout) {
		return Event{}, Errorf(EINVALID, "feature %s: event_date %q is not YYYY-MM-DD", e.ID, e.EventDate)
	}
	return e, nil
}

// String returns a short human description, for logs and test failures.
func (e Event) String() string {
	return fmt.Sprintf("%s %s %s @ %s (%s)", e.EventDate, e.EventType, e.Modality, e.Location, e.CountryCode)
}

// readSources reads source_count, sources and related back into e. An
// event with one source keeps Sources nil: it is its own report.
func readSources(e *Event, props geojson.Properties) error {
	if rel, ok := props["related"].([]any); ok {
		for _, v := range rel {
			if id, ok := v.(string); ok {
				e.Related = append(e.Related, id)
			}
		}
	}
	if props.MustInt("source_count", 0) <= 1 {
		return nil
	}
	raw, err := json.Marshal(props["sources"])
	if err != nil {
		return Errorf(EINVALID, "feature %s: sources: %v", e.ID, err)
	}
	var list []struct {
		ArticleID  *string `json:"article_id"`
		Title      *string `json:"title"`
		Outlet     *string `json:"outlet"`
		URL        *string `json:"url"`
		Published  *string `json:"published"`
		Quote      *string `json:"quote"`
		Fatalities *int    `json:"fatalities"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return Errorf(EINVALID, "feature %s: sources are not a list of sources: %v", e.ID, err)
	}
	text := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, s := range list {
		e.Sources = append(e.Sources, Source{ArticleID: text(s.ArticleID), Title: text(s.Title), Outlet: text(s.Outlet),
			URL: text(s.URL), Published: text(s.Published), Quote: text(s.Quote), Fatalities: s.Fatalities})
	}
	e.SourceCount = len(e.Sources)
	return nil
}
