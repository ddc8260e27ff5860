package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Prediction is one feature of an extractor's FeatureCollection, as the
// scorer sees it. Property values keep their JSON form (json.Number for
// numbers, nil for null or absent) so that comparisons and printed figures
// follow score.py's.
type Prediction struct {
	Index int
	// Lon and Lat are the point's coordinates; LonLit and LatLit their JSON
	// literals, printed as written (an integer stays an integer).
	Lon, Lat       float64
	LonLit, LatLit json.Number

	CountryCode   any
	Location      any
	EventDate     any
	EventType     any
	Modality      any
	Fatalities    any
	SubEventType  any
	TimePrecision any
	// Quote is the normalised quote: quotes straightened, whitespace
	// collapsed, lower case.
	Quote string
}

// ReadPredictions decodes a GeoJSON FeatureCollection the way score.py
// does: every feature must be a Point with coordinates in range.
func ReadPredictions(b []byte) ([]Prediction, error) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry *struct {
				Type        string        `json:"type"`
				Coordinates []json.Number `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&fc); err != nil {
		return nil, fmt.Errorf("predictions: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("predictions: not a GeoJSON FeatureCollection")
	}
	preds := make([]Prediction, 0, len(fc.Features))
	for i, f := range fc.Features {
		if f.Geometry == nil || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) < 2 {
			return nil, fmt.Errorf("predictions: feature %d has no Point geometry", i)
		}
		lonLit, latLit := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
		lon, err1 := lonLit.Float64()
		lat, err2 := latLit.Float64()
		if err1 != nil || err2 != nil || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			return nil, fmt.Errorf("predictions: feature %d has coordinates out of range (lon,lat order?)", i)
		}
		p := f.Properties
		quote, _ := p["quote"].(string)
		preds = append(preds, Prediction{
			Index: i, Lon: lon, Lat: lat, LonLit: lonLit, LatLit: latLit,
			CountryCode:   p["country_code"],
			Location:      p["location"],
			EventDate:     p["event_date"],
			EventType:     p["event_type"],
			Modality:      p["modality"],
			Fatalities:    p["fatalities"],
			SubEventType:  p["sub_event_type"],
			TimePrecision: p["time_precision"],
			Quote:         Normalize(quote),
		})
	}
	return preds, nil
}

// Normalize straightens curly quotes, collapses whitespace and lowers case,
// as score.py does before looking for an evidence phrase in a quote.
func Normalize(s string) string {
	r := strings.NewReplacer("\u2019", "'", "\u201c", `"`, "\u201d", `"`)
	s = r.Replace(s)
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, isPySpace), " "))
}

// isPySpace is Python's str.split() idea of whitespace: Unicode spaces plus
// the ASCII file, group, record and unit separators.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// quoteLen is the length of a quote in characters (code points), as
// Python's len counts it.
func quoteLen(s string) int { return utf8.RuneCountInString(s) }
