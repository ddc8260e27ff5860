package eventfile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"conflictmap/geo"

	"github.com/paulmach/orb"
)

// record is one CSV row with its header.
type record struct {
	col    map[string]int
	fields []string
}

// get returns the named cell, "" when the column is missing.
func (r record) get(name string) string {
	i, ok := r.col[name]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

func (r record) has(name string) bool { _, ok := r.col[name]; return ok }

// csvFormat tells the CSV format from its header.
func csvFormat(r record) (Format, error) {
	switch {
	case r.has("type_of_violence") && r.has("where_prec"):
		return UCDP, nil
	case r.has("event_id_cnty") && r.has("modality") && r.has("article_id"):
		return CSV, nil
	case r.has("event_id_cnty") && r.has("disorder_type"):
		return ACLED, nil
	case r.has("event_id_cnty") && r.has("event_type"):
		return ACLED2020, nil
	}
	return "", fmt.Errorf("the header names none of the known formats (conflictmap CSV: event_id_cnty, modality, article_id; ACLED: event_id_cnty, event_type; UCDP GED: type_of_violence, where_prec)")
}

func readCSV(r io.Reader, opt Options, fn func(Row) error) (Format, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return "", fmt.Errorf("reading the header: %w", err)
	}
	rec := record{col: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\xef\xbb\xbf")))
		if _, dup := rec.col[h]; !dup {
			rec.col[h] = i
		}
	}
	format, err := csvFormat(rec)
	if err != nil {
		return "", err
	}
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return format, nil
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if ferr := fn(Row{Line: pe.StartLine, Err: fmt.Errorf("%v", pe.Err)}); ferr != nil {
				return format, ferr
			}
			continue
		}
		if err != nil {
			return format, err
		}
		rec.fields = fields
		row := Row{Line: line}
		switch format {
		case UCDP:
			row.Event, row.Err = ucdpEvent(rec, opt)
		case CSV:
			row.Event, row.Err = ourCSVEvent(rec)
		default:
			row.Event, row.Err = acledEvent(rec.get, opt)
		}
		if row.Err == nil {
			row.Err = check(row.Event)
		}
		if err := fn(row); err != nil {
			return format, err
		}
	}
}

// point reads latitude and longitude cells.
func point(lat, lon string) (orb.Point, error) {
	if lat == "" || lon == "" {
		return orb.Point{}, fmt.Errorf("no latitude or longitude")
	}
	y, err := parseFloat("latitude", lat)
	if err != nil {
		return orb.Point{}, err
	}
	x, err := parseFloat("longitude", lon)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{x, y}, nil
}

// ourCSVEvent reads a row of conflictmap's CSV export (handlers' columns).
func ourCSVEvent(r record) (geo.Event, error) {
	var err error
	e := geo.Event{
		ID: r.get("event_id_cnty"), EventType: r.get("event_type"), SubEventType: r.get("sub_event_type"),
		Actor1: r.get("actor1"), Actor2: r.get("actor2"), Country: r.get("country"), CountryCode: r.get("iso"),
		Admin1: r.get("admin1"), Location: r.get("location"), Title: r.get("source"), SourceURL: r.get("source_url"),
		Quote: r.get("notes"), Modality: r.get("modality"), Mention: r.get("mention"), FeatureCode: r.get("feature_code"),
		Published: r.get("published"), ArticleID: r.get("article_id"), ExtractorVersion: r.get("extractor_version"),
		Origin: importedOrigin(r.get("origin")),
	}
	if e.Point, err = point(r.get("latitude"), r.get("longitude")); err != nil {
		return e, err
	}
	if e.EventDate, err = parseDate(r.get("event_date")); err != nil {
		return e, err
	}
	if e.EventDateEnd, err = parseDate(r.get("event_date_end")); err != nil {
		return e, err
	}
	ints := []struct {
		name string
		dst  *int
	}{{"time_precision", &e.TimePrecision}, {"geo_precision", &e.GeoPrecision}}
	for _, c := range ints {
		n, err := parseInt(c.name, r.get(c.name))
		if err != nil {
			return e, err
		}
		if n != nil {
			*c.dst = *n
		}
	}
	if e.Fatalities, err = parseInt("fatalities", r.get("fatalities")); err != nil {
		return e, err
	}
	if n, err := parseInt("geonameid", r.get("geonameid")); err != nil {
		return e, err
	} else if n != nil {
		e.GeonameID = int64(*n)
	}
	if s := r.get("confidence"); s != "" {
		if e.Confidence, err = parseFloat("confidence", s); err != nil {
			return e, err
		}
	}
	if e.ID == "" {
		e.ID = stableID("import-", r.fields...)
	}
	return e, nil
}

// importedOrigin is the origin an imported conflictmap row keeps: where it
// was imported from, if it was; an event extracted elsewhere is, here, an
// import (it is never merged with the events extracted here).
func importedOrigin(s string) string {
	switch s {
	case geo.OriginACLED, geo.OriginUCDP:
		return s
	}
	return geo.OriginImport
}

// acledEvent reads an ACLED row (CSV of either generation, or a record of
// the API's JSON, through get). ACLED's source becomes the event's title,
// its notes the quote; every event occurred on its one day.
func acledEvent(get func(string) string, opt Options) (geo.Event, error) {
	var err error
	e := geo.Event{
		EventType: get("event_type"), SubEventType: get("sub_event_type"), Modality: geo.Occurred,
		Actor1: get("actor1"), Actor2: get("actor2"), Country: get("country"), Admin1: get("admin1"),
		Location: get("location"), Title: get("source"), Quote: get("notes"), Origin: geo.OriginACLED,
	}
	if id := get("event_id_cnty"); id != "" {
		e.ID = "acled-" + id
	} else {
		return e, fmt.Errorf("no event_id_cnty")
	}
	e.CountryCode = opt.CountryCode(e.Country)
	if e.Point, err = point(get("latitude"), get("longitude")); err != nil {
		return e, err
	}
	if e.EventDate, err = parseDate(get("event_date")); err != nil {
		return e, err
	}
	e.EventDateEnd = e.EventDate
	for _, c := range []struct {
		name string
		dst  *int
	}{{"time_precision", &e.TimePrecision}, {"geo_precision", &e.GeoPrecision}} {
		n, err := parseInt(c.name, get(c.name))
		if err != nil {
			return e, err
		}
		if n != nil {
			if *n < 1 || *n > 3 {
				return e, fmt.Errorf("%s %d is not 1, 2 or 3", c.name, *n)
			}
			*c.dst = *n
		}
	}
	if e.Fatalities, err = parseInt("fatalities", get("fatalities")); err != nil {
		return e, err
	}
	return e, nil
}

// ucdpEvent reads a row of UCDP's GED: state-based (1) and non-state (2)
// violence are battles, one-sided violence (3) violence against civilians;
// where_prec and date_prec become the ACLED precisions; best is the
// fatalities, low and high go into the quote with the place's description.
func ucdpEvent(r record, opt Options) (geo.Event, error) {
	var err error
	e := geo.Event{
		Actor1: r.get("side_a"), Actor2: r.get("side_b"), Country: r.get("country"), Admin1: r.get("adm_1"),
		Location: r.get("where_coordinates"), Title: r.get("source_office"), Modality: geo.Occurred, Origin: geo.OriginUCDP,
	}
	if e.Location == "" {
		e.Location = r.get("where_description")
	}
	id := r.get("id")
	if id == "" {
		return e, fmt.Errorf("no id")
	}
	e.ID = "ucdp-" + id
	switch r.get("type_of_violence") {
	case "1", "2":
		e.EventType, e.SubEventType = geo.Battles, "Armed clash"
	case "3":
		e.EventType, e.SubEventType = geo.ViolenceCivilians, "Attack"
	default:
		return e, fmt.Errorf("type_of_violence %q is not 1, 2 or 3", r.get("type_of_violence"))
	}
	e.CountryCode = opt.CountryCode(e.Country)
	if e.Point, err = point(r.get("latitude"), r.get("longitude")); err != nil {
		return e, err
	}
	if e.EventDate, err = parseDate(r.get("date_start")); err != nil {
		return e, err
	}
	if e.EventDateEnd, err = parseDate(r.get("date_end")); err != nil {
		return e, err
	}
	if e.EventDateEnd == "" {
		e.EventDateEnd = e.EventDate
	}
	switch p := r.get("where_prec"); p {
	case "1":
		e.GeoPrecision = geo.GeoTown
	case "2", "3":
		e.GeoPrecision = geo.GeoNear
	case "4", "5", "6", "7":
		e.GeoPrecision = geo.GeoRegion
	case "":
	default:
		return e, fmt.Errorf("where_prec %q is not 1 to 7", p)
	}
	switch p := r.get("date_prec"); p {
	case "1":
		e.TimePrecision = geo.TimeDay
	case "2", "3":
		e.TimePrecision = geo.TimeWeek
	case "4", "5":
		e.TimePrecision = geo.TimeMonth
	case "":
	default:
		return e, fmt.Errorf("date_prec %q is not 1 to 5", p)
	}
	if e.Fatalities, err = parseInt("best", r.get("best")); err != nil {
		return e, err
	}
	low, high := r.get("low"), r.get("high")
	var parts []string
	if d := r.get("where_description"); d != "" {
		parts = append(parts, d)
	}
	if c := r.get("conflict_name"); c != "" {
		parts = append(parts, c)
	}
	if e.Fatalities != nil {
		parts = append(parts, fmt.Sprintf("deaths: best %d, low %s, high %s", *e.Fatalities, orUnknown(low), orUnknown(high)))
	}
	e.Quote = strings.Join(parts, "; ")
	return e, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
