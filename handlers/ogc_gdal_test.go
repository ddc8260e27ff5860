package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
)

// needTool returns the path of a program a test runs. Without it the test
// is skipped, except under CI=true where it fails: CI installs it.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI installs %s): %v", name, pkg, err)
		}
		t.Skipf("%s is missing (install %s): %v", name, pkg, err)
	}
	return p
}

// gisServer is a real HTTP server over the real handlers, a real SQLite
// file and the real extractor, holding more events than one page, whose
// newest page has no known fatalities: the case where a GIS tool that types
// columns from the first page would make fatalities a text column.
type gisServer struct {
	*testServer
	url    string
	events map[string]geo.Event // by id
	mu     sync.Mutex
	items  []string // request URIs of /ogc items pages, in order
}

// gisPageSize is the page size GDAL is told to use, so that reading the
// layer takes many pages.
const gisPageSize = 3

func newGISServer(t *testing.T) *gisServer {
	t.Helper()
	g := &gisServer{testServer: newServer(t, serverOptions{token: testToken}), events: map[string]geo.Event{}}
	ctx := context.Background()
	a := geo.Article{ID: "ogc-generated", Title: "Generated reports", URL: "https://example.org/ogc-generated", Published: "2024-12-31", Text: "generated"}
	evs := storetest.Generate(17, a, 25)
	if _, err := g.store.Ingest(ctx, a, evs); err != nil {
		t.Fatal(err)
	}
	first, err := g.store.Events(ctx, geo.Filter{Limit: gisPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if slices.ContainsFunc(first.Events, func(e geo.Event) bool { return e.ID == evs[i].ID }) {
			evs[i].Fatalities = nil
		}
	}
	if _, err := g.store.Ingest(ctx, a, evs); err != nil {
		t.Fatal(err)
	}
	known := 0
	for _, e := range evs {
		g.events[e.ID] = e
		if e.Fatalities != nil {
			known++
		}
	}
	if known == 0 {
		t.Fatal("the generated events have no known fatalities; the typing check would prove nothing")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/items") {
			g.mu.Lock()
			g.items = append(g.items, r.URL.RequestURI())
			g.mu.Unlock()
		}
		g.h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

// fetch GETs path from the real server and returns the body.
func (g *gisServer) fetch(t *testing.T, path string, hdr ...string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, g.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v\n%s", path, res.StatusCode, err, b)
	}
	return b
}

// run runs a GDAL (or node) command and returns its standard output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

func featureCount(t *testing.T, ogrinfo string) int {
	t.Helper()
	m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(ogrinfo)
	if m == nil {
		t.Fatalf("no feature count in:\n%s", ogrinfo)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// readGeoJSON reads a GeoJSON file's features as id -> properties.
func readGeoJSON(t *testing.T, path string) (ids []string, props map[string]map[string]any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	props = map[string]map[string]any{}
	for _, f := range fc.Features {
		id, _ := f.Properties["id"].(string)
		ids = append(ids, id)
		props[id] = f.Properties
	}
	return ids, props
}

// GDAL's OAPIF driver finds the events layer from the landing page, counts
// it from numberMatched, and reads it page by page through the next links,
// every feature exactly once.
func TestGDALReadsTheOGCLayer(t *testing.T) {
	ogrinfo := needTool(t, "ogrinfo", "gdal-bin")
	ogr2ogr := needTool(t, "ogr2ogr", "gdal-bin")
	g := newGISServer(t)
	ds := "OAPIF:" + g.url + "/ogc"

	layers := run(t, ogrinfo, "-ro", "-so", ds)
	if !regexp.MustCompile(`(?m)^1: events\b`).MatchString(layers) {
		t.Errorf("ogrinfo does not list the events layer:\n%s", layers)
	}

	var first struct {
		NumberMatched int `json:"numberMatched"`
	}
	if err := json.Unmarshal(g.fetch(t, "/ogc/collections/events/items?limit=1"), &first); err != nil {
		t.Fatal(err)
	}
	if first.NumberMatched != len(g.events) {
		t.Fatalf("numberMatched %d, want the %d stored events", first.NumberMatched, len(g.events))
	}
	summary := run(t, ogrinfo, "-ro", "-so", "-al", ds, "-oo", "PAGE_SIZE="+strconv.Itoa(gisPageSize))
	if n := featureCount(t, summary); n != first.NumberMatched {
		t.Errorf("ogrinfo counts %d features, numberMatched is %d:\n%s", n, first.NumberMatched, summary)
	}

	g.mu.Lock()
	g.items = nil
	g.mu.Unlock()
	out := filepath.Join(t.TempDir(), "events.geojson")
	run(t, ogr2ogr, "-f", "GeoJSON", out, ds, "events", "-oo", "PAGE_SIZE="+strconv.Itoa(gisPageSize))
	ids, _ := readGeoJSON(t, out)
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
	}
	for id := range g.events {
		if seen[id] != 1 {
			t.Errorf("event %s read %d times, want once", id, seen[id])
		}
	}
	if len(ids) != len(g.events) {
		t.Errorf("read %d features, want %d", len(ids), len(g.events))
	}
	g.mu.Lock()
	pages := slices.Clone(g.items)
	g.mu.Unlock()
	if want := (len(g.events) + gisPageSize - 1) / gisPageSize; len(pages) < want {
		t.Errorf("GDAL fetched %d item pages, want at least %d (it should follow next links): %v", len(pages), want, pages)
	}
	for _, p := range pages {
		if !strings.Contains(p, "limit="+strconv.Itoa(gisPageSize)) {
			t.Errorf("page request %s lost the page size", p)
		}
	}
}

// ogr2ogr copies the layer into a GeoPackage with every feature and every
// property, dates typed as dates and fatalities as integers although the
// first page GDAL reads has no fatalities at all: the typing comes from the
// collection's JSON Schema.
func TestGDALCopiesTheLayerToGeoPackage(t *testing.T) {
	ogrinfo := needTool(t, "ogrinfo", "gdal-bin")
	ogr2ogr := needTool(t, "ogr2ogr", "gdal-bin")
	g := newGISServer(t)

	var page struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(g.fetch(t, "/ogc/collections/events/items?limit="+strconv.Itoa(gisPageSize)), &page); err != nil {
		t.Fatal(err)
	}
	for _, f := range page.Features {
		if v, ok := f.Properties["fatalities"]; !ok || v != nil {
			t.Fatalf("the first page should carry fatalities null for this test, got %v", f.Properties)
		}
	}

	dir := t.TempDir()
	gpkg := filepath.Join(dir, "events.gpkg")
	run(t, ogr2ogr, "-f", "GPKG", gpkg, "OAPIF:"+g.url+"/ogc", "events", "-oo", "PAGE_SIZE="+strconv.Itoa(gisPageSize))

	info := run(t, ogrinfo, "-so", gpkg, "events")
	if n := featureCount(t, info); n != len(g.events) {
		t.Errorf("the GeoPackage holds %d features, want %d", n, len(g.events))
	}
	fieldType := map[string]string{}
	var columns []string
	for _, m := range regexp.MustCompile(`(?m)^(\w+): (\w+(?:\(\w+\))?) \(`).FindAllStringSubmatch(info, -1) {
		fieldType[m[1]] = m[2]
		columns = append(columns, m[1])
	}
	// One column per property, in the order of the GeoJSON form.
	if !slices.Equal(columns, geo.PropertyNames()) {
		t.Errorf("the GeoPackage's columns are %v, want %v", columns, geo.PropertyNames())
	}
	want := map[string]string{
		"event_date": "Date", "event_date_end": "Date", "published": "Date",
		"fatalities": "Integer", "time_precision": "Integer", "geo_precision": "Integer",
		"confidence": "Real", "quote": "String", "event_type": "String",
		"published_estimated": "Integer(Boolean)",
	}
	for name, typ := range want {
		if fieldType[name] != typ {
			t.Errorf("column %s is %q, want %s", name, fieldType[name], typ)
		}
	}

	// The values survive the trip too: read the GeoPackage back.
	back := filepath.Join(dir, "back.geojson")
	run(t, ogr2ogr, "-f", "GeoJSON", back, gpkg, "events")
	_, props := readGeoJSON(t, back)
	for id, e := range g.events {
		p, ok := props[id]
		if !ok {
			t.Errorf("event %s is missing from the GeoPackage", id)
			continue
		}
		var wantFat any
		if e.Fatalities != nil {
			wantFat = float64(*e.Fatalities)
		}
		if p["fatalities"] != wantFat {
			t.Errorf("event %s: fatalities %v, want %v", id, p["fatalities"], wantFat)
		}
		var wantDate any
		if e.EventDate != "" {
			wantDate = e.EventDate
		}
		if p["event_date"] != wantDate {
			t.Errorf("event %s: event_date %v, want %v", id, p["event_date"], wantDate)
		}
		if p["event_type"] != e.EventType {
			t.Errorf("event %s: event_type %v, want %v", id, p["event_type"], e.EventType)
		}
	}
}

// A saved /api/events answer is a GeoJSON file GDAL reads with the same
// count.
func TestGDALReadsASavedAnswer(t *testing.T) {
	ogrinfo := needTool(t, "ogrinfo", "gdal-bin")
	g := newGISServer(t)
	body := g.fetch(t, "/api/events")
	var fc struct {
		NumberMatched int `json:"numberMatched"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "events.geojson")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	info := run(t, ogrinfo, "-ro", "-so", "-al", file)
	if n := featureCount(t, info); n != fc.NumberMatched || n != len(g.events) {
		t.Errorf("ogrinfo counts %d features in the saved answer, numberMatched %d, stored %d:\n%s", n, fc.NumberMatched, len(g.events), info)
	}
	if !strings.Contains(info, "GeoJSON") {
		t.Errorf("ogrinfo did not read it as GeoJSON:\n%s", info)
	}
}

// A third-party RFC 7946 validator accepts what /api/events and /ogc items
// answer: a whole collection, a middle page with its links, and one
// feature.
func TestAnswersPassAnRFC7946Validator(t *testing.T) {
	node := needTool(t, "node", "nodejs")
	pkg := filepath.Join("..", "static", "node_modules", "@placemarkio", "check-geojson", "package.json")
	if _, err := os.Stat(pkg); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("@placemarkio/check-geojson is not installed (make assets installs it): %v", err)
		}
		t.Skipf("@placemarkio/check-geojson is not installed (run make assets): %v", err)
	}
	g := newGISServer(t)
	var one string
	for id := range g.events {
		one = id
		break
	}
	dir := t.TempDir()
	var files []string
	for i, path := range []string{
		"/api/events",
		"/ogc/collections/events/items",
		"/ogc/collections/events/items?limit=3&offset=3",
		"/ogc/collections/events/items/" + one,
		"/api/events/" + one,
	} {
		f := filepath.Join(dir, strconv.Itoa(i)+".json")
		if err := os.WriteFile(f, g.fetch(t, path, "Accept", "application/geo+json"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	script := filepath.Join("testdata", "ogc-check-geojson.mjs")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, append([]string{script}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("the validator refused an answer: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), "ok "); got != len(files) {
		t.Errorf("the validator accepted %d of %d answers:\n%s", got, len(files), out)
	}
}

// itemsRequests returns the query of each items request GDAL made since
// the last call.
func (g *gisServer) itemsRequests(t *testing.T) []url.Values {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []url.Values
	for _, uri := range g.items {
		u, err := url.Parse(uri)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, u.Query())
	}
	g.items = nil
	return out
}

// GDAL passes a -where on the fields the collection declares as query
// parameters (here country_code, event_type and event_date), and a -spat,
// to the server instead of downloading every event and filtering locally;
// the dates it sends (2024-06-01T) are accepted.
func TestGDALPushesFiltersToTheServer(t *testing.T) {
	ogr2ogr := needTool(t, "ogr2ogr", "gdal-bin")
	g := newGISServer(t)
	count := map[string]int{}
	types := map[string]int{}
	var dates []string
	for _, e := range g.events {
		count[e.CountryCode]++
		types[e.EventType]++
		if e.EventDate != "" {
			dates = append(dates, e.EventDate)
		}
	}
	country, typ := "", ""
	for c, n := range count {
		if c != "" && (country == "" || n > count[country] || (n == count[country] && c < country)) {
			country = c
		}
	}
	for ty, n := range types {
		if typ == "" || n > types[typ] || (n == types[typ] && ty < typ) {
			typ = ty
		}
	}
	slices.Sort(dates)
	start, end := dates[len(dates)/4], dates[3*len(dates)/4]
	dir := t.TempDir()
	export := func(name string, args ...string) map[string]map[string]any {
		t.Helper()
		out := filepath.Join(dir, name+".geojson")
		run(t, ogr2ogr, append([]string{"-f", "GeoJSON", out, "OAPIF:" + g.url + "/ogc", "events"}, args...)...)
		_, props := readGeoJSON(t, out)
		return props
	}

	// Equality on a declared field: the server filters, every page.
	got := export("country", "-where", "country_code = '"+country+"'")
	reqs := g.itemsRequests(t)
	for _, q := range reqs[1:] { // the first request only sizes the layer
		if q.Get("country_code") != country {
			t.Errorf("GDAL asked for %v; the filter country_code=%s did not reach the server", q, country)
		}
	}
	if len(got) != count[country] {
		t.Errorf("-where country_code = '%s' gave %d events, want %d", country, len(got), count[country])
	}

	// Dates compared in -where arrive as datetime, with a -spat as bbox.
	var lons []float64
	for _, ev := range g.events {
		lons = append(lons, ev.Point[0])
	}
	slices.Sort(lons)
	box := geo.BBox{West: -180, South: -90, East: math.Ceil(lons[3*len(lons)/4]), North: 90}
	w, s, e, n := box.West, box.South, box.East, box.North
	got = export("dates", "-where", "event_date >= '"+start+"' AND event_date <= '"+end+"' AND event_type = '"+typ+"'",
		"-spat", strconv.Itoa(int(w)), strconv.Itoa(int(s)), strconv.Itoa(int(e)), strconv.Itoa(int(n)))
	reqs = g.itemsRequests(t)
	pushed := false
	for _, q := range reqs {
		if q.Get("datetime") != "" && q.Get("bbox") != "" && q.Get("event_type") == typ {
			pushed = true
		}
	}
	if !pushed {
		t.Errorf("no request carried datetime, bbox and event_type: %v", reqs)
	}
	want := 0
	for _, ev := range g.events {
		if ev.EventType == typ && ev.EventDate >= start && ev.EventDate <= end && box.Contains(ev.Point[0], ev.Point[1]) {
			want++
			if _, ok := got[ev.ID]; !ok {
				t.Errorf("event %s (%s, %s) is missing from the export", ev.ID, ev.EventType, ev.EventDate)
			}
		}
	}
	if want == 0 || len(got) != want {
		t.Errorf("the date export holds %d events, want %d", len(got), want)
	}
}
