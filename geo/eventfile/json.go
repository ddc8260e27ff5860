package eventfile

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"conflictmap/geo"

	"github.com/paulmach/orb/geojson"
)

// readJSON reads a GeoJSON FeatureCollection (its "features") or an ACLED
// API answer (its "data"), one element at a time.
func readJSON(r io.Reader, opt Options, fn func(Row) error) (Format, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return "", fmt.Errorf("want a JSON object (a GeoJSON FeatureCollection or an ACLED API answer)")
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", err
		}
		var format Format
		switch key {
		case "features":
			format = GeoJSON
		case "data":
			format = ACLEDAPI
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", err
			}
			continue
		}
		if tok, err := dec.Token(); err != nil {
			return format, err
		} else if d, ok := tok.(json.Delim); !ok || d != '[' {
			return format, fmt.Errorf("%q is not a list", key)
		}
		for i := 1; dec.More(); i++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return format, fmt.Errorf("record %d: %w", i, err)
			}
			row := Row{Index: i}
			if format == GeoJSON {
				row.Event, row.Err = featureEvent(raw)
			} else {
				row.Event, row.Err = acledRecord(raw, opt)
			}
			if row.Err == nil {
				row.Err = check(row.Event)
			}
			if err := fn(row); err != nil {
				return format, err
			}
		}
		return format, nil
	}
	return "", fmt.Errorf("the JSON object has no \"features\" (GeoJSON) or \"data\" (ACLED API) list")
}

// featureEvent reads a feature with conflictmap's property names: a Point,
// event_date and event_type required, every other property optional.
func featureEvent(raw json.RawMessage) (geo.Event, error) {
	f, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return geo.Event{}, err
	}
	if f.Geometry == nil {
		return geo.Event{}, fmt.Errorf("no geometry")
	}
	e, err := geo.EventFromFeature(f)
	if err != nil {
		return e, fmt.Errorf("%s", geo.ErrorMessage(err))
	}
	e.Origin = importedOrigin(f.Properties.MustString("origin", ""))
	if e.ID == "" {
		e.ID = stableID("import-", string(raw))
	}
	return e, nil
}

// acledRecord reads one record of ACLED's API, whose values are strings
// or numbers.
func acledRecord(raw json.RawMessage, opt Options) (geo.Event, error) {
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return geo.Event{}, err
	}
	get := func(k string) string {
		switch v := m[k].(type) {
		case string:
			return strings.TrimSpace(v)
		case json.Number:
			return v.String()
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	return acledEvent(get, opt)
}
