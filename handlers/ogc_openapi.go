package handlers

import (
	"encoding/json"
	"fmt"
	"strings"

	"conflictmap/geo"
)

// The service's title and description, shown on the landing page and in
// the API definition.
const (
	ogcTitle       = "conflictmap"
	ogcDescription = "Conflict events read from news reports, served as OGC API - Features (Part 1: Core) over GeoJSON, HTML and CSV."
)

// openAPI is the OpenAPI 3.0 definition of /ogc. It is built as typed
// values, not a map, so that the HTML documentation walks the same
// definition the JSON one serialises.
type openAPI struct {
	OpenAPI    string                 `json:"openapi"`
	Info       openAPIInfo            `json:"info"`
	Servers    []openAPIServer        `json:"servers"`
	Paths      map[string]openAPIPath `json:"paths"`
	Components openAPIComponents      `json:"components"`
}

// openAPIComponents holds the parameters paths refer to. QGIS and GDAL
// (3.8 and later) size their pages from components/parameters/limit's
// maximum, so limit must be declared here, not only inline.
type openAPIComponents struct {
	Parameters map[string]openAPIParam `json:"parameters"`
}

// resolved returns the definition with every parameter reference replaced
// by the component it names, for the HTML view.
func (d openAPI) resolved() openAPI {
	out := d
	out.Paths = make(map[string]openAPIPath, len(d.Paths))
	for k, p := range d.Paths {
		params := make([]openAPIParam, len(p.Get.Parameters))
		for i, prm := range p.Get.Parameters {
			if name, ok := strings.CutPrefix(prm.Ref, "#/components/parameters/"); ok {
				prm = d.Components.Parameters[name]
			}
			params[i] = prm
		}
		p.Get.Parameters = params
		out.Paths[k] = p
	}
	return out
}

type openAPIInfo struct {
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Version     string         `json:"version"`
	License     map[string]any `json:"license,omitempty"`
}

type openAPIServer struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

type openAPIPath struct {
	Get openAPIOperation `json:"get"`
}

type openAPIOperation struct {
	Summary     string                     `json:"summary"`
	Description string                     `json:"description,omitempty"`
	OperationID string                     `json:"operationId"`
	Tags        []string                   `json:"tags"`
	Parameters  []openAPIParam             `json:"parameters,omitempty"`
	Responses   map[string]openAPIResponse `json:"responses"`
}

type openAPIParam struct {
	// Ref, when set, names a component and is the parameter's only member.
	Ref         string         `json:"$ref,omitempty"`
	Name        string         `json:"name,omitempty"`
	In          string         `json:"in,omitempty"`
	Description string         `json:"description,omitempty"`
	Required    bool           `json:"required,omitempty"`
	Style       string         `json:"style,omitempty"`
	Explode     *bool          `json:"explode,omitempty"`
	Schema      map[string]any `json:"schema,omitempty"`
}

type openAPIResponse struct {
	Description string                  `json:"description"`
	Content     map[string]openAPIMedia `json:"content,omitempty"`
}

type openAPIMedia struct {
	Schema map[string]any `json:"schema"`
}

// Summary is the parameter's schema in a few words, for the HTML view.
func (p openAPIParam) Summary() string {
	s := p.Schema
	var b strings.Builder
	b.WriteString(anyString(s["type"]))
	if items, ok := s["items"].(map[string]any); ok {
		b.WriteString(" of " + anyString(items["type"]))
		if e, ok := items["enum"].([]string); ok {
			b.WriteString(", each one of " + strings.Join(e, " | "))
		}
	}
	if e, ok := s["enum"].([]string); ok {
		b.WriteString(", one of " + strings.Join(e, " | "))
	}
	for _, k := range []string{"default", "minimum", "maximum", "pattern", "maxLength"} {
		if v, ok := s[k]; ok {
			b.WriteString(", " + k + " " + anyString(v))
		}
	}
	return b.String()
}

func anyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return fmtFloat(float64(x))
	case float64:
		return fmtFloat(x)
	}
	return ""
}

func eventSubTypes() []string {
	var out []string
	for _, t := range geo.Taxonomy() {
		out = append(out, t.SubTypes...)
	}
	return out
}

// openAPIDoc is the definition of every /ogc path and query parameter,
// with the server's own base URL. GDAL and QGIS size their pages from
// limit's default and maximum.
func openAPIDoc(base string) openAPI {
	f := func(formats ...string) openAPIParam {
		return openAPIParam{Name: "f", In: "query",
			Description: "The answer's format; without it the Accept header decides (JSON unless the client prefers HTML, as browsers do).",
			Schema:      map[string]any{"type": "string", "enum": formats}}
	}
	no := false
	collectionID := openAPIParam{Name: "collectionId", In: "path", Required: true,
		Description: "The collection's id; this server has one collection, events.",
		Schema:      map[string]any{"type": "string", "enum": []string{ogcCollectionID}}}
	itemParams := []openAPIParam{
		collectionID,
		{Name: "bbox", In: "query", Style: "form", Explode: &no,
			Description: "Only events whose point lies inside west,south,east,north (CRS84 degrees); west greater than east crosses the antimeridian. Six numbers (west,south,minHeight,east,north,maxHeight) are accepted and the heights ignored.",
			Schema:      map[string]any{"type": "array", "minItems": 4, "maxItems": 6, "items": map[string]any{"type": "number"}}},
		{Name: "datetime", In: "query",
			Description: "Only events whose [event_date, event_date_end] range meets this instant or interval: 2024-01-28, 2024-01-28T00:00:00Z, 2024-01-01/2024-01-31, ../2024-01-31, 2024-01-01/.. (an empty end is open too). Undated events are left out.",
			Schema:      map[string]any{"type": "string"}},
		{Ref: "#/components/parameters/limit"},
		{Name: "offset", In: "query",
			Description: "How many matching events to skip; pages are ordered by event_date, newest first, then id, so they are stable.",
			Schema:      map[string]any{"type": "integer", "minimum": 0, "default": 0}},
		{Name: "type", In: "query", Style: "form", Explode: boolp(true),
			Description: "ACLED event type; repeat the parameter for several.",
			Schema:      map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": eventTypes()}}},
		{Name: "modality", In: "query", Style: "form", Explode: boolp(true),
			Description: "Whether the event occurred, is ongoing or is only threatened; repeat the parameter for several.",
			Schema:      map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": geo.Modalities()}}},
		{Name: "origin", In: "query", Style: "form", Explode: boolp(true),
			Description: "Where the event came from (extracted here, or imported: import, acled, ucdp); repeat the parameter for several.",
			Schema:      map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": geo.Origins()}}},
		{Name: "country", In: "query",
			Description: "ISO 3166-1 alpha-2 code of the event's country.",
			Schema:      map[string]any{"type": "string", "pattern": "^[A-Za-z]{2}$"}},
		{Name: "actor", In: "query",
			Description: "Case-insensitive words that must all appear in actor1 or actor2.",
			Schema:      map[string]any{"type": "string", "maxLength": maxWordsLen}},
		{Name: "q", In: "query",
			Description: "Case-insensitive words that must all appear in the quoted sentence.",
			Schema:      map[string]any{"type": "string", "maxLength": maxWordsLen}},
		{Name: "min_sources", In: "query",
			Description: "Only events told by at least this many articles (source_count); 0 or 1 selects every event.",
			Schema:      map[string]any{"type": "integer", "minimum": 0, "maximum": 1000, "default": 0}},
	}
	itemParams = append(itemParams, fieldParams()...)
	itemParams = append(itemParams, f(formatJSON, formatHTML, formatCSV))
	obj := map[string]any{"type": "object"}
	errResp := openAPIResponse{Description: "The request is wrong; the body says how.",
		Content: map[string]openAPIMedia{contentJSON: {Schema: map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "string"}}}}}}
	ok := func(desc string, types ...string) map[string]openAPIResponse {
		c := map[string]openAPIMedia{}
		for _, t := range types {
			c[t] = openAPIMedia{Schema: obj}
			if t == "text/html" || t == "text/csv" {
				c[t] = openAPIMedia{Schema: map[string]any{"type": "string"}}
			}
		}
		return map[string]openAPIResponse{"200": {Description: desc, Content: c}, "400": errResp}
	}
	notFound := openAPIResponse{Description: "No such collection or feature.", Content: errResp.Content}
	withNotFound := func(r map[string]openAPIResponse) map[string]openAPIResponse {
		r["404"] = notFound
		return r
	}
	tags := []string{"OGC API - Features"}
	return openAPI{
		OpenAPI: "3.0.3",
		Info: openAPIInfo{Title: ogcTitle, Description: ogcDescription, Version: "1.0.0",
			License: map[string]any{"name": "Event data: see the server's NOTICE"}},
		Servers: []openAPIServer{{URL: base, Description: "This server"}},
		Paths: map[string]openAPIPath{
			"/": {Get: openAPIOperation{Summary: "Landing page", OperationID: "getLandingPage", Tags: tags,
				Parameters: []openAPIParam{f(formatJSON, formatHTML)},
				Responses:  ok("Links to the API definition, the conformance classes and the collections.", contentJSON, "text/html")}},
			"/conformance": {Get: openAPIOperation{Summary: "Conformance classes", OperationID: "getConformanceDeclaration", Tags: tags,
				Parameters: []openAPIParam{f(formatJSON, formatHTML)},
				Responses:  ok("The conformance classes this server implements.", contentJSON, "text/html")}},
			"/api": {Get: openAPIOperation{Summary: "This API definition", OperationID: "getAPI", Tags: tags,
				Parameters: []openAPIParam{f(formatJSON, formatHTML)},
				Responses:  ok("The OpenAPI 3.0 definition, or its HTML documentation.", contentOpenAPI, "text/html")}},
			"/collections": {Get: openAPIOperation{Summary: "Feature collections", OperationID: "getCollections", Tags: tags,
				Parameters: []openAPIParam{f(formatJSON, formatHTML)},
				Responses:  ok("The collections with their extents and links.", contentJSON, "text/html")}},
			"/collections/{collectionId}": {Get: openAPIOperation{Summary: "One feature collection", OperationID: "describeCollection", Tags: tags,
				Parameters: []openAPIParam{collectionID, f(formatJSON, formatHTML)},
				Responses:  withNotFound(ok("The collection's description: extent, CRS and links.", contentJSON, "text/html"))}},
			"/collections/{collectionId}/schema": {Get: openAPIOperation{Summary: "JSON Schema of the collection's features", OperationID: "getSchema", Tags: tags,
				Parameters: []openAPIParam{collectionID, f(formatJSON)},
				Responses:  withNotFound(ok("Every property of a feature with its type.", contentSchema))}},
			"/collections/{collectionId}/items": {Get: openAPIOperation{Summary: "The collection's features", OperationID: "getFeatures", Tags: tags,
				Description: "A page of events as a GeoJSON FeatureCollection with numberMatched, numberReturned and next/prev links. Any other query parameter is refused with 400.",
				Parameters:  itemParams,
				Responses:   withNotFound(ok("A page of matching events.", contentGeoJSON, "text/html", "text/csv"))}},
			"/collections/{collectionId}/queryables": {Get: openAPIOperation{Summary: "Queryable properties of the collection's features", OperationID: "getQueryables", Tags: tags,
				Description: "The properties that items take as query parameters of the same name (OGC API - Features - Part 3).",
				Parameters:  []openAPIParam{collectionID, f(formatJSON)},
				Responses:   withNotFound(ok("A JSON Schema of the queryable properties.", contentSchema))}},
			"/collections/{collectionId}/items/{featureId}": {Get: openAPIOperation{Summary: "One feature", OperationID: "getFeature", Tags: tags,
				Parameters: []openAPIParam{collectionID,
					{Name: "featureId", In: "path", Required: true, Description: "The event's id.", Schema: map[string]any{"type": "string"}},
					f(formatJSON, formatHTML)},
				Responses: withNotFound(ok("One event as a GeoJSON Feature.", contentGeoJSON, "text/html"))}},
		},
		Components: openAPIComponents{Parameters: map[string]openAPIParam{
			// No "default" member: QGIS pages by the default when one is
			// declared and by the maximum otherwise; the server's own
			// default is in the description.
			"limit": {Name: "limit", In: "query", Style: "form", Explode: &no,
				Description: fmt.Sprintf("Page size; without it %d, and a value above the maximum is clamped to it.", geo.DefaultLimit),
				Schema:      map[string]any{"type": "integer", "minimum": 1, "maximum": geo.MaxLimit}},
		}},
	}
}

// fieldParams are the item filters named like the feature's properties,
// so that a client filtering on a field (GDAL's -where, QGIS's filter)
// finds a query parameter of that name and has the server filter.
func fieldParams() []openAPIParam {
	list := func(desc string, items map[string]any) openAPIParam {
		return openAPIParam{In: "query", Style: "form", Explode: boolp(true), Description: desc,
			Schema: map[string]any{"type": "array", "items": items}}
	}
	et := list("ACLED event type (the same as type); repeat the parameter for several.",
		map[string]any{"type": "string", "enum": eventTypes()})
	et.Name = "event_type"
	st := list("ACLED sub-event type; repeat the parameter for several.",
		map[string]any{"type": "string", "enum": eventSubTypes()})
	st.Name = "sub_event_type"
	gp := list("1 a town, 2 part of a region or near a town, 3 a region, a country or a sea; repeat the parameter for several.",
		map[string]any{"type": "integer", "minimum": geo.GeoTown, "maximum": geo.GeoRegion})
	gp.Name = "geo_precision"
	return []openAPIParam{et, st,
		{Name: "country_code", In: "query",
			Description: "ISO 3166-1 alpha-2 code of the event's country (the same as country).",
			Schema:      map[string]any{"type": "string", "pattern": "^[A-Za-z]{2}$"}},
		gp,
	}
}

func boolp(b bool) *bool { return &b }

// featureSchema is the JSON Schema of one event feature. Each property has
// one type (GDAL and QGIS read a single "type" to type a column); every
// property may also be null when the report does not say, which the
// OpenAPI-style "nullable" records.
func featureSchema(base string) map[string]any {
	str := func(desc string) map[string]any {
		return map[string]any{"type": "string", "nullable": true, "description": desc}
	}
	withFormat := func(m map[string]any, format string) map[string]any {
		m["format"] = format
		return m
	}
	withEnum := func(m map[string]any, enum any) map[string]any {
		m["enum"] = enum
		return m
	}
	integer := func(desc string, min, max int) map[string]any {
		m := map[string]any{"type": "integer", "nullable": true, "description": desc}
		if min >= 0 {
			m["minimum"] = min
		}
		if max > 0 {
			m["maximum"] = max
		}
		return m
	}
	// properties.id repeats the feature's id and is left out here: GDAL
	// already has an id column from the feature's id, and a second one
	// described here would come out renamed as id2.
	props := map[string]any{
		"event_date":     withFormat(str("First possible day of the event."), "date"),
		"event_date_end": withFormat(str("Last possible day of the event."), "date"),
		"time_precision": integer("1 the day is known, 2 a week or a span of days, 3 a month or vaguer (ACLED).", 1, 3),
		"event_type":     withEnum(str("ACLED event type."), eventTypes()),
		"sub_event_type": withEnum(str("ACLED sub-event type."), eventSubTypes()),
		"modality":       withEnum(str("Whether the event occurred, is ongoing or is only threatened."), geo.Modalities()),
		"actor1":         str("Who acted, as named in the text."),
		"actor2":         str("Against whom, as named in the text."),
		"fatalities":     integer("Deaths reported; null when the text gives no number.", 0, 0),
		"location":       str("The gazetteer's English name of the place."),
		"country":        str("Country name; null at sea."),
		"country_code":   str("ISO 3166-1 alpha-2 code; null at sea."),
		"admin1":         str("First-level administrative division."),
		"geonameid":      integer("Gazetteer id (GeoNames; negative for conflictmap's own places).", -1, 0),
		"feature_code":   str("GeoNames feature code of the place (PPLC, PCLI, SEA, ...)."),
		"geo_precision":  integer("1 a town, 2 part of a region or near a town, 3 a region, a country or a sea (ACLED).", 1, 3),
		"mention":        str("The place as written in the text."),
		"quote":          str("The sentence the event was read from."),
		"confidence":     map[string]any{"type": "number", "nullable": true, "minimum": 0, "maximum": 1, "description": "How sure the extractor is of the place and the event."},
		"article_id":     str("Id of the article the event was read from."),
		"title":          str("The article's title."),
		"source_url":     withFormat(str("The article's URL."), "uri"),
		"published":      withFormat(str("The article's publication day."), "date"),
		"published_estimated": map[string]any{"type": "boolean",
			"description": "True when published is the day the article was fetched: neither its page nor its feed gave a date."},
		"extractor_version": str("Version of the rules that read the event."),
		"source_count":      integer("How many articles report the event; 1 for an event read from one article.", 1, 0),
		"sources": map[string]any{"type": "array", "description": "Each article that reports the event, earliest first: article_id, title, outlet (the URL's host), url, published (published_estimated true when that is the fetch day), quote and its own fatalities.",
			"items": map[string]any{"type": "object", "properties": map[string]any{
				"article_id": map[string]any{"type": "string"}, "title": map[string]any{"type": "string", "nullable": true},
				"outlet": map[string]any{"type": "string", "nullable": true}, "url": map[string]any{"type": "string", "nullable": true},
				"published":           map[string]any{"type": "string", "format": "date", "nullable": true},
				"published_estimated": map[string]any{"type": "boolean"},
				"quote":               map[string]any{"type": "string", "nullable": true}, "fatalities": map[string]any{"type": "integer", "nullable": true}}}},
		"related": map[string]any{"type": "array", "items": map[string]any{"type": "string"},
			"description": "Ids of events linked to this one without being the same happening: a threat and the strike that followed it."},
		"origin": withEnum(str("Where the event came from: extracted here, or imported (import, acled, ucdp)."), geo.Origins()),
	}
	return map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         base + "/collections/" + ogcCollectionID + "/schema",
		"title":       "Conflict event",
		"description": "One conflict event as a GeoJSON Point feature. Every feature carries every property; a value the report does not give is null.",
		"type":        "object",
		"required":    []string{"type", "geometry", "properties"},
		"properties": map[string]any{
			"type": map[string]any{"type": "string", "enum": []string{"Feature"}},
			"id":   map[string]any{"type": "string", "description": "Stable id: the same article, sentence, place and event give the same id; properties.id repeats it."},
			"geometry": map[string]any{
				"type":     "object",
				"required": []string{"type", "coordinates"},
				"properties": map[string]any{
					"type":        map[string]any{"type": "string", "enum": []string{"Point"}},
					"coordinates": map[string]any{"type": "array", "minItems": 2, "maxItems": 2, "items": map[string]any{"type": "number"}},
				},
			},
			"bbox": map[string]any{"type": "array", "minItems": 4, "maxItems": 4, "items": map[string]any{"type": "number"},
				"description": "Extent of a place larger than a town."},
			"properties": map[string]any{
				"type":       "object",
				"required":   geo.PropertyNames(),
				"properties": inOrder(props, geo.PropertyNames()),
			},
		},
	}
}

// orderedObject is a JSON object whose members keep their order, so that
// a GIS tool that makes one column per schema property lays the columns
// out in the order of the GeoJSON form.
type orderedObject []orderedMember

type orderedMember struct {
	Key   string
	Value any
}

// MarshalJSON writes the members in order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Key)
		b = append(b, ':')
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// inOrder lays out m's members in the order of names; names absent from m
// are skipped.
func inOrder(m map[string]any, names []string) orderedObject {
	var o orderedObject
	for _, n := range names {
		if v, ok := m[n]; ok {
			o = append(o, orderedMember{Key: n, Value: v})
		}
	}
	return o
}
