package handlers

// OGC API - Features Part 1 (OGC 17-069r4) under /ogc, so that QGIS,
// ArcGIS Pro and GDAL can add the events as a layer from nothing but a URL.
// Items are parsed by the same parseFilter as /api/events (datetime is
// mapped onto start/end), read by the same store query and answered
// through the same cache layer, under a key built by the same
// canonicalQuery; only the key's route part differs, because an OGC body
// carries links built from the request's own address.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"conflictmap/geo"
	"conflictmap/handlers/cache"
)

// The one collection: every event of the store.
const ogcCollectionID = "events"

// Media types of the OGC answers besides GeoJSON, JSON and CSV.
const (
	contentOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	contentSchema  = "application/schema+json"
	contentHTML    = "text/html; charset=utf-8"
)

// crs84 is the only CRS served: longitude, latitude on WGS 84, as GeoJSON.
const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// Output formats chosen by f= or by the Accept header.
const (
	formatJSON = "json"
	formatHTML = "html"
	formatCSV  = "csv"
)

// ogcConformance lists the conformance classes the server implements.
func ogcConformance() []string {
	const prefix = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
	const part3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
	return []string{prefix + "core", prefix + "geojson", prefix + "oas30", prefix + "html",
		part3 + "queryables", part3 + "queryables-query-parameters"}
}

// ogcItemParams are the query parameters /ogc items accept; any other is a
// 400, as OGC 17-069r4 (/req/core/query-param-unknown) requires.
func ogcItemParams() []string {
	return []string{"f", "bbox", "datetime", "limit", "offset", "type", "modality", "origin", "country", "actor", "q",
		"event_type", "sub_event_type", "country_code", "geo_precision", "min_sources"}
}

// ogcLink is a link of an OGC answer.
type ogcLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// ogcAPI serves /ogc; views are its HTML templates, parsed once.
type ogcAPI struct {
	s     *Server
	views *template.Template
}

// ogcRoutes registers OGC API - Features under /ogc. Every route answers
// GET and HEAD to any origin (CORS) and a preflight OPTIONS.
func (s *Server) ogcRoutes() {
	o := &ogcAPI{s: s, views: ogcTemplates()}
	route := func(path string, h echo.HandlerFunc) {
		s.echo.Match([]string{http.MethodGet, http.MethodHead}, path, withCORS(h))
		s.echo.OPTIONS(path, preflight)
	}
	route("/ogc", o.landing)
	route("/ogc/", o.landing)
	route("/ogc/conformance", o.conformance)
	route("/ogc/api", o.api)
	route("/ogc/collections", o.collections)
	route("/ogc/collections/:collection", o.collection)
	route("/ogc/collections/:collection/schema", o.schema)
	route("/ogc/collections/:collection/queryables", o.queryables)
	route("/ogc/collections/:collection/items", o.items)
	route("/ogc/collections/:collection/items/:id", o.item)
	s.tileRoutes(route)
	route("/ogc/*", func(echo.Context) error { return echo.ErrNotFound })
}

// withCORS lets any web page read the answer, errors included: the data is
// public and the routes are read-only.
func withCORS(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hd := c.Response().Header()
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Access-Control-Expose-Headers", "ETag, X-Cache, Content-Disposition")
		return h(c)
	}
}

// preflight answers a CORS preflight for GET and HEAD with whatever
// request headers the page asks to send (Accept, If-None-Match, ...).
func preflight(c echo.Context) error {
	hd := c.Response().Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	if req := c.Request().Header.Get("Access-Control-Request-Headers"); req != "" {
		hd.Set("Access-Control-Allow-Headers", req)
	}
	hd.Set("Access-Control-Max-Age", "86400")
	hd.Set("Allow", "GET, HEAD, OPTIONS")
	return c.NoContent(http.StatusNoContent)
}

// ogcBase is the absolute URL of /ogc as the client reached it: its Host
// header and, behind a proxy that terminates TLS, X-Forwarded-Proto.
func ogcBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		p, _, _ = strings.Cut(p, ",")
		if p = strings.ToLower(strings.TrimSpace(p)); p == "http" || p == "https" {
			scheme = p
		}
	}
	return scheme + "://" + r.Host + "/ogc"
}

// checkParams refuses a query parameter the route does not declare.
func checkParams(q url.Values, known []string) error {
	var unknown []string
	for k := range q {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return geo.Errorf(geo.EINVALID, "unknown query parameter %s; this resource takes %s", quoteList(unknown), quoteList(known))
}

// negotiate picks the answer's format: f= when given (an unknown value is
// a 400), else the Accept header. JSON wins unless the client prefers one
// of the other allowed formats outright, as a browser does for HTML.
func negotiate(c echo.Context, allowed ...string) (string, error) {
	q := c.QueryParams()
	if vs, ok := q["f"]; ok && (len(vs) > 1 || strings.TrimSpace(vs[0]) != "") {
		if len(vs) > 1 {
			return "", geo.Errorf(geo.EINVALID, "f: given %d times, want at most once", len(vs))
		}
		f := strings.ToLower(strings.TrimSpace(vs[0]))
		if f == "geojson" {
			f = formatJSON
		}
		if !slices.Contains(allowed, f) {
			return "", geo.Errorf(geo.EINVALID, "f: unknown format %q, want one of %s", vs[0], quoteList(allowed))
		}
		return f, nil
	}
	c.Response().Header().Add("Vary", "Accept")
	accept := c.Request().Header.Get("Accept")
	if strings.TrimSpace(accept) == "" {
		return formatJSON, nil
	}
	var qJSON, qHTML, qCSV float64
	for part := range strings.SplitSeq(accept, ",") {
		typ, params, _ := strings.Cut(part, ";")
		typ = strings.ToLower(strings.TrimSpace(typ))
		w := acceptQuality(params)
		switch {
		case typ == "*/*" || typ == "application/*" || typ == "application/json" || strings.HasSuffix(typ, "+json"):
			qJSON = max(qJSON, w)
		case typ == "text/html" || typ == "application/xhtml+xml":
			qHTML = max(qHTML, w)
		case typ == "text/csv":
			qCSV = max(qCSV, w)
		}
	}
	switch {
	case slices.Contains(allowed, formatHTML) && qHTML > qJSON && qHTML >= qCSV:
		return formatHTML, nil
	case slices.Contains(allowed, formatCSV) && qCSV > qJSON && qCSV > qHTML:
		return formatCSV, nil
	}
	return formatJSON, nil
}

// docFormat is negotiate for a document that takes no query parameter but
// f; any other is a 400, as on items.
func docFormat(c echo.Context, allowed ...string) (string, error) {
	q, err := parseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return "", err
	}
	if err := checkParams(q, []string{"f"}); err != nil {
		return "", err
	}
	return negotiate(c, allowed...)
}

// acceptQuality reads q= from a media range's parameters; 1 when absent.
func acceptQuality(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.TrimSpace(strings.ToLower(k)) != "q" {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 {
			return 0
		}
		return min(f, 1)
	}
	return 1
}

// respondDoc answers a small OGC document through the cache; build gives
// its body. The key carries the base URL because the links do.
func (o *ogcAPI) respondDoc(c echo.Context, key, contentType string, build func(ctx context.Context) ([]byte, error)) error {
	return o.s.respondCached(c, cacheKey{Route: "ogc/" + key, Base: ogcBase(c.Request())}, func(ctx context.Context) (cache.Body, error) {
		b, err := build(ctx)
		if err != nil {
			return cache.Body{}, err
		}
		return cache.Body{ContentType: contentType, Data: b}, nil
	})
}

// respondJSON answers v as indented JSON through the cache.
func (o *ogcAPI) respondJSON(c echo.Context, key, contentType string, v func(ctx context.Context) (any, error)) error {
	return o.respondDoc(c, key+".json", contentType, func(ctx context.Context) ([]byte, error) {
		doc, err := v(ctx)
		if err != nil {
			return nil, err
		}
		b, err := marshalJSON(doc, "  ")
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", key, err)
		}
		return b, nil
	})
}

// marshalJSON writes v with a final newline and without escaping <, > and
// &, so that the links' query strings stay readable.
func marshalJSON(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// respondHTML renders the view through the cache.
func (o *ogcAPI) respondHTML(c echo.Context, key string, page func(ctx context.Context) (ogcPage, error)) error {
	return o.respondDoc(c, key+".html", contentHTML, func(ctx context.Context) ([]byte, error) {
		p, err := page(ctx)
		if err != nil {
			return nil, err
		}
		return o.render(p)
	})
}

func (o *ogcAPI) landing(c echo.Context) error {
	f, err := docFormat(c, formatJSON, formatHTML)
	if err != nil {
		return err
	}
	base := ogcBase(c.Request())
	links := []ogcLink{
		{Href: base, Rel: "self", Type: contentJSON, Title: "This document"},
		{Href: base + "?f=html", Rel: "alternate", Type: "text/html", Title: "This document as HTML"},
		{Href: base + "/api", Rel: "service-desc", Type: contentOpenAPI, Title: "The API definition (OpenAPI 3.0)"},
		{Href: base + "/api?f=html", Rel: "service-doc", Type: "text/html", Title: "The API documentation"},
		{Href: base + "/conformance", Rel: "conformance", Type: contentJSON, Title: "Conformance classes implemented by this server"},
		{Href: base + "/collections", Rel: "data", Type: contentJSON, Title: "The feature collections"},
	}
	if f == formatHTML {
		return o.respondHTML(c, "landing", func(context.Context) (ogcPage, error) {
			return ogcPage{View: "landing", Title: ogcTitle, Description: ogcDescription, Base: base, Links: links}, nil
		})
	}
	return o.respondJSON(c, "landing", contentJSON, func(context.Context) (any, error) {
		return map[string]any{"title": ogcTitle, "description": ogcDescription, "links": links}, nil
	})
}

func (o *ogcAPI) conformance(c echo.Context) error {
	f, err := docFormat(c, formatJSON, formatHTML)
	if err != nil {
		return err
	}
	base := ogcBase(c.Request())
	if f == formatHTML {
		return o.respondHTML(c, "conformance", func(context.Context) (ogcPage, error) {
			return ogcPage{View: "conformance", Title: "Conformance", Base: base, ConformsTo: ogcConformance(),
				Links: []ogcLink{{Href: base + "/conformance", Rel: "alternate", Type: contentJSON, Title: "JSON"}}}, nil
		})
	}
	return o.respondJSON(c, "conformance", contentJSON, func(context.Context) (any, error) {
		return map[string]any{"conformsTo": ogcConformance()}, nil
	})
}

func (o *ogcAPI) api(c echo.Context) error {
	f, err := docFormat(c, formatJSON, formatHTML)
	if err != nil {
		return err
	}
	base := ogcBase(c.Request())
	doc := openAPIDoc(base)
	if f == formatHTML {
		return o.respondHTML(c, "api", func(context.Context) (ogcPage, error) {
			doc := doc.resolved()
			return ogcPage{View: "api", Title: "API documentation", Base: base, API: &doc,
				Links: []ogcLink{{Href: base + "/api", Rel: "alternate", Type: contentOpenAPI, Title: "OpenAPI 3.0 (JSON)"}}}, nil
		})
	}
	return o.respondJSON(c, "api", contentOpenAPI, func(context.Context) (any, error) { return doc, nil })
}

// ogcCollection is the description of the events collection.
type ogcCollection struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Extent      ogcExtent `json:"extent"`
	ItemType    string    `json:"itemType"`
	CRS         []string  `json:"crs"`
	StorageCRS  string    `json:"storageCrs"`
	Links       []ogcLink `json:"links"`
}

type ogcExtent struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
	Temporal struct {
		Interval [][2]*string `json:"interval"`
		TRS      string       `json:"trs"`
	} `json:"temporal"`
}

// describeCollection reads the store's extent into the collection's
// description; an empty store has the whole world and an open interval.
func (o *ogcAPI) describeCollection(ctx context.Context, base string) (ogcCollection, error) {
	ext, err := o.s.cfg.Store.Extent(ctx)
	if err != nil {
		return ogcCollection{}, fmt.Errorf("reading the extent: %w", err)
	}
	coll := base + "/collections/" + ogcCollectionID
	d := ogcCollection{
		ID:          ogcCollectionID,
		Title:       "Conflict events",
		Description: "Conflict events read from news reports: one point per event and place, with its ACLED event type, modality (occurred, ongoing, threatened), dates, actors, fatalities and the sentence it was read from. Unknown values are null.",
		ItemType:    "feature",
		CRS:         []string{crs84},
		StorageCRS:  crs84,
		Links: []ogcLink{
			{Href: coll, Rel: "self", Type: contentJSON, Title: "This collection"},
			{Href: coll + "?f=html", Rel: "alternate", Type: "text/html", Title: "This collection as HTML"},
			{Href: coll + "/items", Rel: "items", Type: contentGeoJSON, Title: "The events (GeoJSON)"},
			{Href: coll + "/items?f=html", Rel: "items", Type: "text/html", Title: "The events (HTML)"},
			{Href: coll + "/items?f=csv", Rel: "items", Type: "text/csv", Title: "The events (CSV)"},
			{Href: coll + "/schema", Rel: "describedby", Type: contentSchema, Title: "JSON Schema of the features"},
			{Href: coll + "/queryables", Rel: relQueryables, Type: contentSchema, Title: "Properties items take as query parameters"},
			// GDAL's OAPIF driver (3.6 at least) matches the relation's
			// case exactly and knows only this spelling; without the
			// schema it types a column from the first page's values.
			{Href: coll + "/schema", Rel: "describedBy", Type: contentSchema, Title: "JSON Schema of the features"},
		},
	}
	b := [4]float64{-180, -90, 180, 90}
	if ext.BBox != nil {
		b = [4]float64{ext.BBox.West, ext.BBox.South, ext.BBox.East, ext.BBox.North}
	}
	d.Extent.Spatial.BBox = [][4]float64{b}
	d.Extent.Spatial.CRS = crs84
	var first, last *string
	if ext.Start != "" {
		s := ext.Start + "T00:00:00Z"
		first = &s
	}
	if ext.End != "" {
		s := ext.End + "T23:59:59Z"
		last = &s
	}
	d.Extent.Temporal.Interval = [][2]*string{{first, last}}
	d.Extent.Temporal.TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
	return d, nil
}

func (o *ogcAPI) collections(c echo.Context) error {
	f, err := docFormat(c, formatJSON, formatHTML)
	if err != nil {
		return err
	}
	base := ogcBase(c.Request())
	links := []ogcLink{
		{Href: base + "/collections", Rel: "self", Type: contentJSON, Title: "This document"},
		{Href: base + "/collections?f=html", Rel: "alternate", Type: "text/html", Title: "This document as HTML"},
	}
	if f == formatHTML {
		return o.respondHTML(c, "collections", func(ctx context.Context) (ogcPage, error) {
			d, err := o.describeCollection(ctx, base)
			return ogcPage{View: "collections", Title: "Collections", Base: base, Links: links, Collection: &d}, err
		})
	}
	return o.respondJSON(c, "collections", contentJSON, func(ctx context.Context) (any, error) {
		d, err := o.describeCollection(ctx, base)
		return map[string]any{"links": links, "collections": []ogcCollection{d}}, err
	})
}

// checkCollection answers 404 for any collection but events.
func checkCollection(c echo.Context) error {
	if id := c.Param("collection"); id != ogcCollectionID {
		return geo.Errorf(geo.ENOTFOUND, "no collection %.40q: the only one is %q", id, ogcCollectionID)
	}
	return nil
}

func (o *ogcAPI) collection(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	f, err := docFormat(c, formatJSON, formatHTML)
	if err != nil {
		return err
	}
	base := ogcBase(c.Request())
	if f == formatHTML {
		return o.respondHTML(c, "collection", func(ctx context.Context) (ogcPage, error) {
			d, err := o.describeCollection(ctx, base)
			return ogcPage{View: "collection", Title: d.Title, Description: d.Description, Base: base, Links: d.Links, Collection: &d}, err
		})
	}
	return o.respondJSON(c, "collection", contentJSON, func(ctx context.Context) (any, error) {
		return o.describeCollection(ctx, base)
	})
}

func (o *ogcAPI) schema(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	if _, err := docFormat(c, formatJSON); err != nil {
		return err
	}
	base := ogcBase(c.Request())
	return o.respondJSON(c, "schema", contentSchema, func(context.Context) (any, error) {
		return featureSchema(base), nil
	})
}

// parseOGCFilter reads an OGC items query into the same geo.Filter as
// /api/events: datetime becomes start and end, and everything else goes
// through parseFilter unchanged.
func parseOGCFilter(q url.Values) (geo.Filter, error) {
	if err := checkParams(q, ogcItemParams()); err != nil {
		return geo.Filter{}, err
	}
	if len(q["datetime"]) > 1 {
		return geo.Filter{}, geo.Errorf(geo.EINVALID, "datetime: given %d times, want at most once", len(q["datetime"]))
	}
	start, end, err := parseDatetime(q.Get("datetime"))
	if err != nil {
		return geo.Filter{}, err
	}
	api := url.Values{}
	for k, vs := range q {
		if k != "datetime" && k != "f" {
			api[k] = vs
		}
	}
	if start != "" {
		api.Set("start", start)
	}
	if end != "" {
		api.Set("end", end)
	}
	return parseFilter(api)
}

// parseDatetime reads OGC's datetime: an instant (a date, or an RFC 3339
// date-time), or an interval a/b whose either end may be open (".." or
// empty). Events are dated by the day, so an instant stands for its UTC
// day and an interval for the days it touches.
func parseDatetime(s string) (start, end string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", nil
	}
	a, b, interval := strings.Cut(s, "/")
	if !interval {
		d, err := parseInstant(s)
		return d, d, err
	}
	if strings.Contains(b, "/") {
		return "", "", geo.Errorf(geo.EINVALID, "datetime: %q has more than one '/', want an instant or start/end", s)
	}
	open := func(x string) bool { x = strings.TrimSpace(x); return x == "" || x == ".." }
	if open(a) && open(b) {
		return "", "", geo.Errorf(geo.EINVALID, "datetime: %q is open at both ends, give at least one of start/end", s)
	}
	if !open(a) {
		if start, err = parseInstant(a); err != nil {
			return "", "", err
		}
	}
	if !open(b) {
		if end, err = parseInstant(b); err != nil {
			return "", "", err
		}
	}
	if start != "" && end != "" && start > end {
		return "", "", geo.Errorf(geo.EINVALID, "datetime: start %s is after end %s", strings.TrimSpace(a), strings.TrimSpace(b))
	}
	return start, end, nil
}

// parseInstant reads an instant into its UTC day: a date (2024-01-28),
// what GDAL sends for a date compared in a -where clause (2024-01-28T),
// or any RFC 3339 date-time: 'T', 't' or a space between date and time,
// fractional seconds, 'Z', 'z' or a numeric offset, a leap second. A
// date-time without an offset is read as UTC.
func parseInstant(s string) (string, error) {
	s = strings.TrimSpace(s)
	if d, ok := instantDay(s); ok {
		return d, nil
	}
	return "", geo.Errorf(geo.EINVALID, "datetime: %.60q is not a date (2024-01-28) or an RFC 3339 date-time (2024-01-28T00:00:00Z)", s)
}

func instantDay(s string) (string, bool) {
	if len(s) < len(geo.DateLayout) {
		return "", false
	}
	day, rest := s[:len(geo.DateLayout)], s[len(geo.DateLayout):]
	d, err := time.Parse(geo.DateLayout, day)
	if err != nil {
		return "", false
	}
	if rest == "" || rest == "T" || rest == "t" {
		return d.Format(geo.DateLayout), true
	}
	if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
		return "", false
	}
	norm := day + "T" + strings.ToUpper(rest[1:])
	const secs = len("2006-01-02T15:04:")
	if len(norm) >= secs+2 && norm[secs:secs+2] == "60" {
		// A leap second is the last second of its minute here.
		norm = norm[:secs] + "59" + norm[secs+2:]
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, norm); err == nil {
			return t.UTC().Format(geo.DateLayout), true
		}
	}
	return "", false
}

// ogcQuery writes f as the query string of an items link: the canonical
// form of the cache key (so a body depends on nothing but its key) with
// start and end spelt as datetime.
func ogcQuery(f geo.Filter, offset int, format string) string {
	v, _ := url.ParseQuery(canonicalQuery(f))
	start, end := v.Get("start"), v.Get("end")
	v.Del("start")
	v.Del("end")
	switch {
	case start != "" && start == end:
		v.Set("datetime", start)
	case start != "" || end != "":
		v.Set("datetime", orOpen(start)+"/"+orOpen(end))
	}
	v.Set("offset", strconv.Itoa(offset))
	if format != formatJSON {
		v.Set("f", format)
	}
	return v.Encode()
}

func orOpen(s string) string {
	if s == "" {
		return ".."
	}
	return s
}

// itemsLinks are the links of one page of items: self and its alternates,
// next while more features remain, prev after the first page.
func itemsLinks(base string, f geo.Filter, page geo.EventPage, format string) []ogcLink {
	items := base + "/collections/" + ogcCollectionID + "/items?"
	typ := map[string]string{formatJSON: contentGeoJSON, formatHTML: "text/html", formatCSV: "text/csv"}
	links := []ogcLink{{Href: items + ogcQuery(f, f.Offset, format), Rel: "self", Type: typ[format], Title: "This page"}}
	for _, alt := range []string{formatJSON, formatHTML, formatCSV} {
		if alt != format {
			links = append(links, ogcLink{Href: items + ogcQuery(f, f.Offset, alt), Rel: "alternate", Type: typ[alt], Title: "This page as " + strings.ToUpper(alt)})
		}
	}
	if f.Offset+len(page.Events) < page.Matched {
		links = append(links, ogcLink{Href: items + ogcQuery(f, f.Offset+f.Limit, format), Rel: "next", Type: typ[format], Title: "Next page"})
	}
	if f.Offset > 0 {
		links = append(links, ogcLink{Href: items + ogcQuery(f, max(0, f.Offset-f.Limit), format), Rel: "prev", Type: typ[format], Title: "Previous page"})
	}
	links = append(links, ogcLink{Href: base + "/collections/" + ogcCollectionID, Rel: "collection", Type: contentJSON, Title: "The collection"})
	return links
}

func (o *ogcAPI) items(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	q, err := parseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return err
	}
	f, err := parseOGCFilter(q)
	if err != nil {
		return err
	}
	format, err := negotiate(c, formatJSON, formatHTML, formatCSV)
	if err != nil {
		return err
	}
	base := ogcBase(c.Request())
	switch format {
	case formatCSV:
		return o.s.respondEventsCSV(c, f)
	case formatHTML:
		return o.s.respondCached(c, cacheKey{Route: "ogc/items.html", Base: base, Filter: &f}, func(ctx context.Context) (cache.Body, error) {
			page, err := o.s.cfg.Store.Events(ctx, f)
			if err != nil {
				return cache.Body{}, err
			}
			b, err := o.render(itemsPage(base, f, page))
			if err != nil {
				return cache.Body{}, err
			}
			return cache.Body{ContentType: contentHTML, Data: b}, nil
		})
	}
	return o.s.respondEventCollection(c, cacheKey{Route: "ogc/items", Base: base}, f, func(page geo.EventPage) []member {
		return []member{
			{Name: "links", Value: itemsLinks(base, f, page, formatJSON)},
			{Name: "timeStamp", Value: time.Now().UTC().Format(time.RFC3339)},
		}
	})
}

func (o *ogcAPI) item(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	format, err := docFormat(c, formatJSON, formatHTML)
	if err != nil {
		return err
	}
	id := c.Param("id")
	if len(id) > maxIDLen {
		return geo.Errorf(geo.ENOTFOUND, "no event %.20q...", id)
	}
	base := ogcBase(c.Request())
	self := base + "/collections/" + ogcCollectionID + "/items/" + url.PathEscape(id)
	links := []ogcLink{
		{Href: self, Rel: "self", Type: contentGeoJSON, Title: "This event"},
		{Href: self + "?f=html", Rel: "alternate", Type: "text/html", Title: "This event as HTML"},
		{Href: base + "/collections/" + ogcCollectionID, Rel: "collection", Type: contentJSON, Title: "The collection"},
	}
	if format == formatHTML {
		return o.respondHTML(c, "item/"+id, func(ctx context.Context) (ogcPage, error) {
			e, err := o.s.cfg.Store.Event(ctx, id)
			if err != nil {
				return ogcPage{}, err
			}
			return itemPage(base, e, links), nil
		})
	}
	return o.respondDoc(c, "item.json/"+id, contentGeoJSON, func(ctx context.Context) ([]byte, error) {
		e, err := o.s.cfg.Store.Event(ctx, id)
		if err != nil {
			return nil, err
		}
		lj, err := marshalJSON(links, "")
		if err != nil {
			return nil, fmt.Errorf("encoding links: %w", err)
		}
		lj = bytes.TrimSuffix(lj, []byte("\n"))
		b := appendFeature(make([]byte, 0, 1024+len(lj)), e)
		// The feature object is closed by its last byte; links go inside.
		b = append(b[:len(b)-1], `,"links":`...)
		b = append(b, lj...)
		return append(b, "}\n"...), nil
	})
}
