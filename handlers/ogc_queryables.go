package handlers

import (
	"context"

	"github.com/labstack/echo/v4"

	"conflictmap/geo"
)

// relQueryables is the link relation of a collection's queryables (OGC API
// - Features - Part 3).
const relQueryables = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

// queryables lists the properties items take as query parameters of the
// same name, as a JSON Schema (OGC API - Features - Part 3, "Queryables"
// and "Queryables as query parameters").
func (o *ogcAPI) queryables(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	if _, err := docFormat(c, formatJSON); err != nil {
		return err
	}
	base := ogcBase(c.Request())
	return o.respondJSON(c, "queryables", contentSchema, func(context.Context) (any, error) {
		return queryablesSchema(base), nil
	})
}

func queryablesSchema(base string) map[string]any {
	str := func(title, desc string, enum []string) map[string]any {
		m := map[string]any{"title": title, "description": desc, "type": "string"}
		if enum != nil {
			m["enum"] = enum
		}
		return m
	}
	props := map[string]any{
		"event_type":     str("Event type", "ACLED event type; repeat the parameter for several.", eventTypes()),
		"sub_event_type": str("Sub-event type", "ACLED sub-event type; repeat the parameter for several.", eventSubTypes()),
		"modality":       str("Modality", "Whether the event occurred, is ongoing or is only threatened; repeat the parameter for several.", geo.Modalities()),
		"country_code": map[string]any{"title": "Country code", "description": "ISO 3166-1 alpha-2 code of the event's country.",
			"type": "string", "pattern": "^[A-Za-z]{2}$"},
		"geo_precision": map[string]any{"title": "Geo precision",
			"description": "1 a town, 2 part of a region or near a town, 3 a region, a country or a sea; repeat the parameter for several.",
			"type":        "integer", "minimum": geo.GeoTown, "maximum": geo.GeoRegion},
	}
	return map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  base + "/collections/" + ogcCollectionID + "/queryables",
		"title":                "Queryable properties of conflict events",
		"description":          "Each property is also a query parameter of items with the same name; bbox and datetime filter the geometry and event_date..event_date_end.",
		"type":                 "object",
		"properties":           inOrder(props, []string{"event_type", "sub_event_type", "modality", "country_code", "geo_precision"}),
		"additionalProperties": false,
	}
}
