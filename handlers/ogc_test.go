package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/gazetteer"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
	"conflictmap/handlers"
)

type ogcLink struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
	Type string `json:"type"`
}

// linkTo returns the link with rel (and type, when given), failing the
// test when there is none.
func linkTo(t *testing.T, links []ogcLink, rel, typ string) ogcLink {
	t.Helper()
	for _, l := range links {
		if l.Rel == rel && (typ == "" || l.Type == typ) {
			return l
		}
	}
	t.Fatalf("no %s link typed %q in %+v", rel, typ, links)
	return ogcLink{}
}

func hasLink(links []ogcLink, rel string) bool {
	return slices.ContainsFunc(links, func(l ogcLink) bool { return l.Rel == rel })
}

// target turns an absolute link into the request target the test server
// takes, keeping its host so that the answer's links are built alike.
func target(t *testing.T, href string) string {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil || !u.IsAbs() {
		t.Fatalf("link %q is not an absolute URL", href)
	}
	return href
}

type ogcItems struct {
	collection
	Links     []ogcLink `json:"links"`
	TimeStamp string    `json:"timeStamp"`
}

func ogcGet[T any](t *testing.T, s *testServer, path string) T {
	t.Helper()
	w := s.get(path)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, w.Code, w.Body.String())
	}
	return decode[T](t, w)
}

// The landing page links what QGIS and GDAL look for, typed as they
// expect, with absolute URLs built from the address the client used.
func TestOGCLandingPage(t *testing.T) {
	s := newServer(t, serverOptions{})
	for _, c := range []struct {
		proto, base string
	}{
		{"", "http://maps.example.org/ogc"},
		{"https", "https://maps.example.org/ogc"},
	} {
		w := s.get("http://maps.example.org/ogc", "X-Forwarded-Proto", c.proto)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("landing: %d %s", w.Code, w.Header().Get("Content-Type"))
		}
		doc := decode[struct {
			Title string    `json:"title"`
			Links []ogcLink `json:"links"`
		}](t, w)
		for _, want := range []ogcLink{
			{Href: c.base, Rel: "self", Type: "application/json"},
			{Href: c.base + "/api", Rel: "service-desc", Type: "application/vnd.oai.openapi+json;version=3.0"},
			{Href: c.base + "/api?f=html", Rel: "service-doc", Type: "text/html"},
			{Href: c.base + "/conformance", Rel: "conformance", Type: "application/json"},
			{Href: c.base + "/collections", Rel: "data", Type: "application/json"},
		} {
			if got := linkTo(t, doc.Links, want.Rel, ""); got != want {
				t.Errorf("X-Forwarded-Proto %q: %s link %+v, want %+v", c.proto, want.Rel, got, want)
			}
		}
	}
	conf := ogcGet[struct {
		ConformsTo []string `json:"conformsTo"`
	}](t, s, "/ogc/conformance")
	for _, class := range []string{"core", "geojson", "oas30", "html"} {
		if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"+class) {
			t.Errorf("conformance lacks %s: %v", class, conf.ConformsTo)
		}
	}
}

// Every link of every OGC document resolves, with the media type it
// announces.
func TestOGCLinksResolve(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	docs := []string{"/ogc", "/ogc/collections", "/ogc/collections/events", "/ogc/collections/events/items?limit=3&offset=3", "/ogc/collections/events/items/kyiv-shelling"}
	checked := 0
	for _, d := range docs {
		doc := ogcGet[struct {
			Links []ogcLink `json:"links"`
		}](t, s, d)
		if len(doc.Links) == 0 {
			t.Errorf("%s has no links", d)
		}
		for _, l := range doc.Links {
			w := s.get(target(t, l.Href))
			ct, _, _ := strings.Cut(w.Header().Get("Content-Type"), ";")
			want, _, _ := strings.Cut(l.Type, ";")
			if w.Code != http.StatusOK || ct != want {
				t.Errorf("%s: %s link %s answers %d %q, want 200 %q", d, l.Rel, l.Href, w.Code, w.Header().Get("Content-Type"), l.Type)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d links checked", checked)
	}
}

// The API definition declares every path and every query parameter the
// server takes, with limit's default and maximum and the taxonomy's enums;
// the server takes exactly what it declares.
func TestOGCAPIDefinition(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	w := s.get("/ogc/api")
	if ct := w.Header().Get("Content-Type"); ct != "application/vnd.oai.openapi+json;version=3.0" {
		t.Errorf("Content-Type %q", ct)
	}
	type param struct {
		Ref    string         `json:"$ref"`
		Name   string         `json:"name"`
		In     string         `json:"in"`
		Schema map[string]any `json:"schema"`
	}
	doc := decode[struct {
		OpenAPI string `json:"openapi"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths map[string]struct {
			Get struct {
				Parameters []param `json:"parameters"`
			} `json:"get"`
		} `json:"paths"`
		Components struct {
			Parameters map[string]param `json:"parameters"`
		} `json:"components"`
	}](t, w)
	if !strings.HasPrefix(doc.OpenAPI, "3.0") || len(doc.Servers) != 1 || doc.Servers[0].URL != "http://example.com/ogc" {
		t.Fatalf("openapi %q, servers %+v", doc.OpenAPI, doc.Servers)
	}
	for _, p := range []string{"/", "/conformance", "/api", "/collections", "/collections/{collectionId}", "/collections/{collectionId}/schema", "/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}", "/collections/{collectionId}/queryables"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("the definition lacks %s", p)
		}
	}
	params := map[string]param{}
	for _, p := range doc.Paths["/collections/{collectionId}/items"].Get.Parameters {
		if p.In == "query" {
			params[p.Name] = p
		}
	}
	var names []string
	for n := range params {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"actor", "bbox", "country", "country_code", "datetime", "event_type", "f", "geo_precision", "min_sources", "modality", "offset", "origin", "q", "sub_event_type", "type"}; !slices.Equal(names, want) {
		t.Errorf("items declares %v, want %v", names, want)
	}
	// QGIS and GDAL size their pages from components/parameters/limit,
	// which items refers to.
	if !slices.ContainsFunc(doc.Paths["/collections/{collectionId}/items"].Get.Parameters, func(p param) bool { return p.Ref == "#/components/parameters/limit" }) {
		t.Errorf("items does not refer to #/components/parameters/limit")
	}
	limit := doc.Components.Parameters["limit"]
	// Without a declared default, QGIS pages by the maximum.
	if l := limit.Schema; limit.Name != "limit" || limit.In != "query" || l["default"] != nil || l["maximum"] != float64(geo.MaxLimit) || l["minimum"] != float64(1) {
		t.Errorf("components/parameters/limit %+v", limit)
	}
	enum := func(p string) []string {
		items, _ := params[p].Schema["items"].(map[string]any)
		var out []string
		for _, v := range items["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	var types []string
	for _, tx := range geo.Taxonomy() {
		types = append(types, tx.Type)
	}
	if got := enum("type"); !slices.Equal(got, types) {
		t.Errorf("type enum %v, want %v", got, types)
	}
	if got := enum("modality"); !slices.Equal(got, geo.Modalities()) {
		t.Errorf("modality enum %v, want %v", got, geo.Modalities())
	}
	// Each declared parameter is taken with a valid value; anything else
	// is refused.
	valid := map[string]string{"actor": "russia", "bbox": "-180,-90,180,90", "country": "UA", "datetime": "2024-02-20",
		"f": "json", "limit": "5", "modality": "occurred", "offset": "1", "q": "shelling", "type": geo.ExplosionsRemote}
	for _, n := range names {
		if w := s.get("/ogc/collections/events/items?" + url.Values{n: {valid[n]}}.Encode()); w.Code != http.StatusOK {
			t.Errorf("declared parameter %s=%s: %d %s", n, valid[n], w.Code, w.Body.String())
		}
	}
	if w := s.get("/ogc/collections/events/items?sortby=id"); w.Code != http.StatusBadRequest {
		t.Errorf("undeclared parameter: %d", w.Code)
	}
}

// The collection reports the stored events' extent in CRS84 and their
// first and last day, and links its items and a JSON Schema that types
// each property.
func TestOGCCollection(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	ext, err := s.store.Extent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	type coll struct {
		ID     string `json:"id"`
		Extent struct {
			Spatial struct {
				BBox [][]float64 `json:"bbox"`
				CRS  string      `json:"crs"`
			} `json:"spatial"`
			Temporal struct {
				Interval [][]*string `json:"interval"`
			} `json:"temporal"`
		} `json:"extent"`
		ItemType string    `json:"itemType"`
		CRS      []string  `json:"crs"`
		Links    []ogcLink `json:"links"`
	}
	all := ogcGet[struct {
		Collections []coll    `json:"collections"`
		Links       []ogcLink `json:"links"`
	}](t, s, "/ogc/collections")
	one := ogcGet[coll](t, s, "/ogc/collections/events")
	if len(all.Collections) != 1 {
		t.Fatalf("%d collections", len(all.Collections))
	}
	const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	for _, c := range []coll{all.Collections[0], one} {
		if c.ID != "events" || strings.Contains(c.ID, ".") || c.ItemType != "feature" || !slices.Contains(c.CRS, crs84) || c.Extent.Spatial.CRS != crs84 {
			t.Errorf("collection %+v", c)
		}
		b := ext.BBox
		if want := [][]float64{{b.West, b.South, b.East, b.North}}; !slices.EqualFunc(c.Extent.Spatial.BBox, want, slices.Equal) {
			t.Errorf("spatial extent %v, want %v", c.Extent.Spatial.BBox, want)
		}
		iv := c.Extent.Temporal.Interval
		if len(iv) != 1 || len(iv[0]) != 2 || iv[0][0] == nil || iv[0][1] == nil ||
			!strings.HasPrefix(*iv[0][0], ext.Start+"T") || !strings.HasPrefix(*iv[0][1], ext.End+"T") {
			t.Errorf("temporal extent %v, want %s to %s", iv, ext.Start, ext.End)
		}
		for _, ts := range iv[0] {
			if _, err := time.Parse(time.RFC3339, *ts); err != nil {
				t.Errorf("temporal extent: %v", err)
			}
		}
		items := linkTo(t, c.Links, "items", "application/geo+json")
		if items.Href != "http://example.com/ogc/collections/events/items" {
			t.Errorf("items link %s", items.Href)
		}
		linkTo(t, c.Links, "self", "application/json")
		linkTo(t, c.Links, "alternate", "text/html")
		schemaLink := linkTo(t, c.Links, "describedby", "application/schema+json")
		if schemaLink.Href != "http://example.com/ogc/collections/events/schema" {
			t.Errorf("describedby link %s", schemaLink.Href)
		}
	}

	w := s.get("/ogc/collections/events/schema")
	if ct := w.Header().Get("Content-Type"); ct != "application/schema+json" {
		t.Errorf("schema Content-Type %q", ct)
	}
	schema := decode[struct {
		Properties struct {
			Properties struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"properties"`
		} `json:"properties"`
	}](t, w)
	props := schema.Properties.Properties.Properties
	// properties.id repeats the feature's id, which the schema types at
	// the top level (GDAL makes one id column of both).
	for _, name := range geo.PropertyNames()[1:] {
		p, ok := props[name]
		if !ok {
			t.Errorf("the schema does not type %s", name)
			continue
		}
		if _, ok := p["type"].(string); !ok {
			t.Errorf("%s: type %v, want one type name", name, p["type"])
		}
	}
	if geo.PropertyNames()[0] != "id" || len(props) != len(geo.PropertyNames())-1 {
		t.Errorf("the schema types %d properties, features carry %d besides id", len(props), len(geo.PropertyNames())-1)
	}
	for name, want := range map[string][2]string{
		"event_date": {"string", "date"}, "event_date_end": {"string", "date"}, "published": {"string", "date"},
		"fatalities": {"integer", ""}, "time_precision": {"integer", ""}, "geo_precision": {"integer", ""},
		"geonameid": {"integer", ""}, "confidence": {"number", ""}, "quote": {"string", ""},
	} {
		format, _ := props[name]["format"].(string)
		if props[name]["type"] != want[0] || format != want[1] {
			t.Errorf("%s: type %v format %q, want %s %q", name, props[name]["type"], format, want[0], want[1])
		}
	}

	// An empty store still describes its collection.
	empty := newServer(t, serverOptions{})
	if w := empty.get("/ogc/collections/events"); w.Code != http.StatusOK {
		t.Errorf("empty store: %d %s", w.Code, w.Body.String())
	}
}

// OGC items and /api/events are one query: the same filter, spelt either
// way, gives the same events in the same order, and both agree with the
// store contract's model.
func TestOGCItemsMatchTheEventsAPI(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	cases := []struct {
		ogc, api string
		f        geo.Filter
	}{
		{"datetime=2024-01-28", "start=2024-01-28&end=2024-01-28", geo.Filter{Start: "2024-01-28", End: "2024-01-28"}},
		{"datetime=2024-01-28T00:00:00Z", "start=2024-01-28&end=2024-01-28", geo.Filter{Start: "2024-01-28", End: "2024-01-28"}},
		{"datetime=2024-02-20T23:30:00-05:00", "start=2024-02-21&end=2024-02-21", geo.Filter{Start: "2024-02-21", End: "2024-02-21"}},
		{"datetime=2024-01-30/2024-02-10", "start=2024-01-30&end=2024-02-10", geo.Filter{Start: "2024-01-30", End: "2024-02-10"}},
		{"datetime=2024-01-30T12:00:00Z/2024-02-10T06:00:00Z", "start=2024-01-30&end=2024-02-10", geo.Filter{Start: "2024-01-30", End: "2024-02-10"}},
		{"datetime=../2024-01-28", "end=2024-01-28", geo.Filter{End: "2024-01-28"}},
		{"datetime=/2024-01-28", "end=2024-01-28", geo.Filter{End: "2024-01-28"}},
		{"datetime=2024-02-27/..", "start=2024-02-27", geo.Filter{Start: "2024-02-27"}},
		{"datetime=2024-02-27/", "start=2024-02-27", geo.Filter{Start: "2024-02-27"}},
		{"bbox=35,30,45,35", "bbox=35,30,45,35", geo.Filter{BBox: &geo.BBox{West: 35, South: 30, East: 45, North: 35}}},
		{"bbox=179,-17,0,-179,-16,100", "bbox=179,-17,-179,-16", geo.Filter{BBox: &geo.BBox{West: 179, South: -17, East: -179, North: -16}}},
		{"type=Protests&type=Riots", "type=Riots&type=Protests", geo.Filter{Types: []string{geo.Protests, geo.Riots}}},
		{"modality=threatened&modality=ongoing", "modality=ongoing&modality=threatened", geo.Filter{Modalities: []string{geo.Ongoing, geo.Threatened}}},
		{"country=ua", "country=UA", geo.Filter{Country: "UA"}},
		{"actor=RUSSIA", "actor=russia", geo.Filter{Actor: "russia"}},
		{"q=kharkiv", "q=Kharkiv", geo.Filter{Q: "kharkiv"}},
		{"limit=2&offset=3", "limit=2&offset=3", geo.Filter{Limit: 2, Offset: 3}},
	}
	for _, c := range cases {
		o := ogcGet[ogcItems](t, s, "/ogc/collections/events/items?"+c.ogc)
		a := events(t, s, c.api)
		if c.f.Limit == 0 {
			c.f.Limit = geo.DefaultLimit
		}
		want := storetest.Expect(c.f, all)
		if !slices.Equal(o.ids(), a.ids()) || !slices.Equal(o.ids(), ids(want.Events)) || o.NumberMatched != want.Matched || a.NumberMatched != want.Matched {
			t.Errorf("%s: ogc %v (%d), api %v (%d), model %v (%d)", c.ogc, o.ids(), o.NumberMatched, a.ids(), a.NumberMatched, ids(want.Events), want.Matched)
		}
		if o.NumberReturned != len(o.Features) {
			t.Errorf("%s: numberReturned %d for %d features", c.ogc, o.NumberReturned, len(o.Features))
		}
		if len(o.Features) == 0 && !strings.Contains(c.ogc, "offset") {
			t.Errorf("%s matches nothing: the case proves little", c.ogc)
		}
	}
}

// Following next from the first page reads every event once, in the
// events API's order; next disappears on the last page and prev appears
// after the first; a limit above the maximum is clamped.
func TestOGCPaging(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	whole := events(t, s, "")
	var got []string
	next := "http://example.com/ogc/collections/events/items?limit=3"
	for page := 0; next != ""; page++ {
		if page > len(all) {
			t.Fatal("the next links never end")
		}
		p := ogcGet[ogcItems](t, s, target(t, next))
		if p.NumberMatched != len(all) || p.NumberReturned != len(p.Features) || p.NumberReturned > 3 {
			t.Errorf("page %d: matched %d, returned %d, %d features", page, p.NumberMatched, p.NumberReturned, len(p.Features))
		}
		if _, err := time.Parse(time.RFC3339, p.TimeStamp); err != nil {
			t.Errorf("page %d: timeStamp %q: %v", page, p.TimeStamp, err)
		}
		for _, l := range p.Links {
			if (l.Rel == "self" || l.Rel == "next" || l.Rel == "prev") && l.Type != "application/geo+json" {
				t.Errorf("page %d: %s link typed %q", page, l.Rel, l.Type)
			}
		}
		linkTo(t, p.Links, "self", "application/geo+json")
		linkTo(t, p.Links, "alternate", "text/html")
		if hasLink(p.Links, "prev") != (page > 0) {
			t.Errorf("page %d: prev link present %v", page, hasLink(p.Links, "prev"))
		}
		got = append(got, p.ids()...)
		next = ""
		if hasLink(p.Links, "next") {
			next = linkTo(t, p.Links, "next", "application/geo+json").Href
		} else if len(got) != len(all) {
			t.Errorf("page %d has no next link after %d of %d events", page, len(got), len(all))
		}
	}
	if !slices.Equal(got, whole.ids()) {
		t.Errorf("paged %v, want %v", got, whole.ids())
	}
	// The previous page of the second one is the first.
	second := ogcGet[ogcItems](t, s, "/ogc/collections/events/items?limit=3&offset=3")
	prev := ogcGet[ogcItems](t, s, target(t, linkTo(t, second.Links, "prev", "").Href))
	if !slices.Equal(prev.ids(), whole.ids()[:3]) {
		t.Errorf("prev of the second page: %v", prev.ids())
	}
	// Past the end: nothing, no next.
	past := ogcGet[ogcItems](t, s, "/ogc/collections/events/items?offset=100")
	if past.NumberReturned != 0 || past.NumberMatched != len(all) || hasLink(past.Links, "next") || !hasLink(past.Links, "prev") {
		t.Errorf("past the end: %+v", past)
	}
	big := ogcGet[ogcItems](t, s, "/ogc/collections/events/items?limit=20000")
	self := linkTo(t, big.Links, "self", "")
	if big.NumberReturned != len(all) || !strings.Contains(self.Href, "limit=10000") || hasLink(big.Links, "next") {
		t.Errorf("limit=20000: returned %d, self %s", big.NumberReturned, self.Href)
	}
}

// Each bad parameter is a 400 whose message names it; an unknown
// parameter is a 400 too, as the OGC test suite expects.
func TestOGCBadRequests(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	for _, c := range []struct{ query, names string }{
		{"bbox=1,2,3", "bbox"},
		{"bbox=1,2,3,4,5", "bbox"},
		{"bbox=1,2,3,4,5,6,7", "bbox"},
		{"bbox=a,2,3,4", "bbox"},
		{"bbox=0,0,200,10", "bbox"},
		{"bbox=0,10,10,-10", "bbox"},
		{"bbox=0,0,1,1&bbox=0,0,2,2", "bbox"},
		{"datetime=yesterday", "datetime"},
		{"datetime=2024-13-01", "datetime"},
		{"datetime=2024-02-30", "datetime"},
		{"datetime=2024-01-01/2024-02-01/2024-03-01", "datetime"},
		{"datetime=../..", "datetime"},
		{"datetime=/", "datetime"},
		{"datetime=2024-03-01/2024-02-01", "datetime"},
		{"datetime=2024-01-01T25:00:00Z", "datetime"},
		{"datetime=2024-01-01&datetime=2024-01-02", "datetime"},
		{"limit=abc", "limit"},
		{"limit=0", "limit"},
		{"limit=-5", "limit"},
		{"offset=-1", "offset"},
		{"offset=x", "offset"},
		{"type=Skirmish", "type"},
		{"modality=rumoured", "modality"},
		{"country=Ukraine", "country"},
		{"f=xml", "f"},
		{"f=json&f=html", "f"},
		{"foo=1", "foo"},
		{"start=2024-01-01", "start"},
		{"bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4326"), "bbox-crs"},
	} {
		w := s.get("/ogc/collections/events/items?" + c.query)
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.query, w.Code)
			continue
		}
		if msg := decode[map[string]string](t, w)["error"]; !strings.Contains(msg, c.names) {
			t.Errorf("%s: error %q does not name %s", c.query, msg, c.names)
		}
	}
	for _, path := range []string{"/ogc?foo=1", "/ogc/collections?f=xml", "/ogc/collections/events?limit=3", "/ogc/collections/events/items/kyiv-shelling?f=csv"} {
		if w := s.get(path); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, w.Code)
		}
	}
}

func TestOGCNotFound(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	for _, path := range []string{
		"/ogc/collections/event",
		"/ogc/collections/nope/items",
		"/ogc/collections/nope/items/kyiv-shelling",
		"/ogc/collections/nope/schema",
		"/ogc/collections/events/items/no-such-event",
		"/ogc/collections/events/items/no-such-event?f=html",
		"/ogc/collections/events/items/" + strings.Repeat("x", 200),
		"/ogc/nothing/here",
	} {
		w := s.get(path)
		if w.Code != http.StatusNotFound || decode[map[string]string](t, w)["error"] == "" {
			t.Errorf("%s: %d %s", path, w.Code, w.Body.String())
		}
	}
}

// One item is the same feature as /api/events/{id}, with self and
// collection links.
func TestOGCItem(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	type feature struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
		Links      []ogcLink      `json:"links"`
	}
	w := s.get("/ogc/collections/events/items/kharkiv-shelling")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
	}
	got := decode[feature](t, w)
	want := ogcGet[feature](t, s, "/api/events/kharkiv-shelling")
	if got.Type != "Feature" || got.ID != "kharkiv-shelling" || !mapsEqual(got.Properties, want.Properties) || !mapsEqual(got.Geometry, want.Geometry) {
		t.Errorf("item %+v, want %+v", got, want)
	}
	if l := linkTo(t, got.Links, "self", "application/geo+json"); l.Href != "http://example.com/ogc/collections/events/items/kharkiv-shelling" {
		t.Errorf("self %s", l.Href)
	}
	if l := linkTo(t, got.Links, "collection", ""); l.Href != "http://example.com/ogc/collections/events" {
		t.Errorf("collection %s", l.Href)
	}
}

func mapsEqual(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// A browser gets readable pages; GIS tools get GeoJSON; f=csv gives the
// CSV of /api/events.csv; HEAD answers the headers alone.
func TestOGCFormats(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	pages := map[string][]string{
		"/ogc":                    {"/ogc/collections?f=html", "ogr2ogr"},
		"/ogc/conformance":        {"conf/geojson"},
		"/ogc/api":                {"GET /collections/{collectionId}/items", "datetime", "maximum 10000"},
		"/ogc/collections":        {"Conflict events", "/ogc/collections/events/items?f=html"},
		"/ogc/collections/events": {"2023-11-19T00:00:00Z", "2024-03-05T23:59:59Z"},
		"/ogc/collections/events/items?limit=3&offset=3": {"Events 4 to 6 of 10", "Kharkiv", "next page", "previous page", "offset=6", "offset=0"},
		"/ogc/collections/events/items/kharkiv-shelling": {"SHELLING HIT KHARKIV, killing 12.", "Élite Brigade «Kharkiv»", "fatalities"},
	}
	for path, wants := range pages {
		for _, how := range []string{"f", "accept"} {
			var w *httptest.ResponseRecorder
			if how == "f" {
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				w = s.get(path + sep + "f=html")
			} else {
				w = s.get(path, "Accept", browser)
			}
			body := w.Body.String()
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" || !strings.HasPrefix(body, "<!doctype html>") {
				t.Errorf("%s (%s): %d %s", path, how, w.Code, w.Header().Get("Content-Type"))
				continue
			}
			for _, want := range wants {
				if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, "&", "&amp;")) {
					t.Errorf("%s (%s): page lacks %q", path, how, want)
				}
			}
		}
	}
	// GIS clients' Accept headers get JSON.
	for _, accept := range []string{"application/geo+json, application/json", "application/json", "*/*", ""} {
		w := s.get("/ogc/collections/events/items", "Accept", accept)
		if w.Header().Get("Content-Type") != "application/geo+json" {
			t.Errorf("Accept %q: %s", accept, w.Header().Get("Content-Type"))
		}
	}
	// f=csv is /api/events.csv for the same filter.
	ogc := s.get("/ogc/collections/events/items?f=csv&datetime=2024-02-01/..&type=" + url.QueryEscape(geo.ExplosionsRemote))
	api := s.get("/api/events.csv?start=2024-02-01&type=" + url.QueryEscape(geo.ExplosionsRemote))
	if ogc.Code != http.StatusOK || !strings.HasPrefix(ogc.Header().Get("Content-Type"), "text/csv") || !bytes.Equal(ogc.Body.Bytes(), api.Body.Bytes()) || strings.Count(ogc.Body.String(), "\n") < 3 {
		t.Errorf("f=csv: %d %s\n%s\nwant\n%s", ogc.Code, ogc.Header().Get("Content-Type"), ogc.Body.String(), api.Body.String())
	}
	// HEAD: the GET's status and type, no body.
	for _, path := range []string{"/ogc", "/ogc/api", "/ogc/collections/events/items", "/ogc/collections/events/items/kyiv-shelling", "/ogc/collections/events/items/nope"} {
		get, head := s.get(path), s.do(http.MethodHead, path, "")
		sameType := get.Code != http.StatusOK || head.Header().Get("Content-Type") == get.Header().Get("Content-Type")
		if head.Code != get.Code || !sameType || head.Body.Len() != 0 {
			t.Errorf("HEAD %s: %d %q with %d bytes; GET %d %q", path, head.Code, head.Header().Get("Content-Type"), head.Body.Len(), get.Code, get.Header().Get("Content-Type"))
		}
	}
}

// Any web page may read /ogc: GET answers (errors included) allow every
// origin and a preflight is granted for GET.
func TestOGCCORS(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	for _, path := range []string{"/ogc", "/ogc/collections/events/items", "/ogc/collections/events/items?bbox=1", "/ogc/collections/nope"} {
		if w := s.get(path, "Origin", "https://elsewhere.example"); w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: %d, Access-Control-Allow-Origin %q", path, w.Code, w.Header().Get("Access-Control-Allow-Origin"))
		}
	}
	w := s.do(http.MethodOptions, "/ogc/collections/events/items", "",
		"Origin", "https://elsewhere.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "accept, if-none-match")
	h := w.Header()
	if w.Code/100 != 2 || h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "if-none-match") {
		t.Errorf("preflight: %d %v", w.Code, h)
	}
}

// countingStore counts the event queries that reach the real store.
type countingStore struct {
	handlers.Store
	events atomic.Int64
}

func (c *countingStore) Events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	c.events.Add(1)
	return c.Store.Events(ctx, f)
}

// OGC items are answered by the response cache of /api/events, under the
// same canonical filter and data version: a repeat (spelt differently) is
// a hit that never reaches the store, f=csv is the very entry of
// /api/events.csv, and a write to the store is seen at once.
func TestOGCSharesTheEventsCache(t *testing.T) {
	for _, backend := range []string{"memory", "redis"} {
		t.Run(backend, func(t *testing.T) {
			c := memoryCache()
			if backend == "redis" {
				c = redisCache(t, redisURL(t))
			}
			db := filepath.Join(t.TempDir(), "conflictmap.db")
			st, err := sqlite.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			for _, b := range storetest.Fixture() {
				if _, err := st.Ingest(context.Background(), b.Article, b.Events); err != nil {
					t.Fatal(err)
				}
			}
			gaz, err := gazetteer.Load()
			if err != nil {
				t.Fatal(err)
			}
			counted := &countingStore{Store: st}
			s := &testServer{t: t, db: db, store: st, h: handlers.New(handlers.Config{
				Store: counted, Extractor: extract.New(gaz), Cache: c, Logger: quietLogger(),
			})}
			check := func(path, wantCache string, wantQueries int64) *httptest.ResponseRecorder {
				t.Helper()
				w := s.get(path)
				if w.Code != http.StatusOK || w.Header().Get("X-Cache") != wantCache || counted.events.Load() != wantQueries {
					t.Errorf("%s: %d, X-Cache %q, %d store queries; want %s after %d", path, w.Code, w.Header().Get("X-Cache"), counted.events.Load(), wantCache, wantQueries)
				}
				return w
			}
			first := check("/ogc/collections/events/items?datetime=2024-01-01/2024-12-31", "miss", 1)
			again := check("/ogc/collections/events/items?offset=0&limit=1000&datetime=2024-01-01T00:00:00Z/2024-12-31T12:00:00Z", "hit", 1)
			if !bytes.Equal(first.Body.Bytes(), again.Body.Bytes()) {
				t.Error("the hit's body differs from the miss's")
			}
			check("/api/events.csv?start=2024-01-01&end=2024-12-31", "miss", 2)
			check("/ogc/collections/events/items?f=csv&datetime=2024-01-01/2024-12-31", "hit", 2)

			before := decode[ogcItems](t, first)
			extra := storetest.Generate(5, geo.Article{ID: "later", Title: "later"}, 4)
			for i := range extra {
				extra[i].EventDate, extra[i].EventDateEnd = "2024-06-01", "2024-06-01"
			}
			if _, err := st.Ingest(context.Background(), geo.Article{ID: "later", Title: "later", Text: "x"}, extra); err != nil {
				t.Fatal(err)
			}
			after := decode[ogcItems](t, check("/ogc/collections/events/items?datetime=2024-01-01/2024-12-31", "miss", 3))
			if after.NumberMatched != before.NumberMatched+len(extra) {
				t.Errorf("after the ingest: %d events, want %d", after.NumberMatched, before.NumberMatched+len(extra))
			}
		})
	}
}
