package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/redis/go-redis/v9"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/gazetteer"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
	"conflictmap/handlers"
	"conflictmap/handlers/cache"
)

const testToken = "s3cret-token"

// testServer is one handlers.Server over a real SQLite file, the real
// extractor and a real cache.
type testServer struct {
	t     testing.TB
	db    string
	store *sqlite.Store
	h     *handlers.Server
}

type serverOptions struct {
	db      string // SQLite file; a new one in t.TempDir() when empty
	token   string
	maxBody int64
	cache   handlers.Cache // in-process when nil
	static  fstest.MapFS
	// extractor wraps the real extractor when set.
	extractor      func(handlers.Extractor) handlers.Extractor
	maxExtractions int
	extractTimeout time.Duration
	logger         *slog.Logger
}

// loadExtractor loads the real gazetteer once per test binary: it is
// read-only once loaded, and loading it for every test would dominate the
// suite's time.
var loadExtractor = sync.OnceValues(func() (*extract.Extractor, error) {
	gaz, err := gazetteer.Load()
	if err != nil {
		return nil, err
	}
	return extract.New(gaz), nil
})

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func memoryCache() handlers.Cache {
	return cache.New(cache.NewMemory(64<<20), cache.Options{Logger: quietLogger()})
}

func newServer(t testing.TB, o serverOptions) *testServer {
	t.Helper()
	if o.db == "" {
		o.db = filepath.Join(t.TempDir(), "conflictmap.db")
	}
	st, err := sqlite.Open(context.Background(), o.db)
	if err != nil {
		t.Fatalf("opening %s: %v", o.db, err)
	}
	t.Cleanup(func() { st.Close() })
	ex, err := loadExtractor()
	if err != nil {
		t.Fatal(err)
	}
	if o.cache == nil {
		o.cache = memoryCache()
	}
	var x handlers.Extractor = ex
	if o.extractor != nil {
		x = o.extractor(ex)
	}
	logger := quietLogger()
	if o.logger != nil {
		logger = o.logger
	}
	cfg := handlers.Config{
		Store:            st,
		Extractor:        x,
		Geoparser:        ex,
		MaxExtractions:   o.maxExtractions,
		ExtractTimeout:   o.extractTimeout,
		Cache:            o.cache,
		Token:            o.token,
		MaxBody:          o.maxBody,
		TileURL:          "https://tiles.example/{z}/{x}/{y}.png",
		TileAttribution:  "© example",
		ExtractorVersion: extract.Version,
		Logger:           logger,
	}
	if o.static != nil {
		cfg.Static = o.static
	}
	return &testServer{t: t, db: o.db, store: st, h: handlers.New(cfg)}
}

// seed stores the conformance fixture directly and returns all its events.
func (s *testServer) seed() []geo.Event {
	s.t.Helper()
	var all []geo.Event
	for _, b := range storetest.Fixture() {
		if _, err := s.store.Ingest(context.Background(), b.Article, b.Events); err != nil {
			s.t.Fatal(err)
		}
		all = append(all, b.Events...)
	}
	return all
}

// do sends one request; hdr holds header name, value pairs.
func (s *testServer) do(method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func (s *testServer) get(target string, hdr ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.do(http.MethodGet, target, "", hdr...)
}

func (s *testServer) post(body string, hdr ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.do(http.MethodPost, "/api/articles", body, hdr...)
}

func auth(token string) []string { return []string{"Authorization", "Bearer " + token} }

type collection struct {
	Type           string `json:"type"`
	NumberMatched  int    `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	Features       []struct {
		ID         string         `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func (c collection) ids() []string {
	out := make([]string, len(c.Features))
	for i, f := range c.Features {
		out[i] = f.ID
	}
	return out
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %d answer: %v\n%s", w.Code, err, w.Body.String())
	}
	return v
}

func events(t *testing.T, s *testServer, query string) collection {
	t.Helper()
	w := s.get("/api/events?" + query)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api/events?%s: %d %s", query, w.Code, w.Body.String())
	}
	return decode[collection](t, w)
}

func ids(events []geo.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// Every filter of DESIGN.md's query table gives what the store contract's
// reference model gives, in the stable order, and actually narrows the
// answer.
func TestEventFilters(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	cases := []struct {
		query string
		f     geo.Filter
	}{
		{"bbox=35,30,45,35", geo.Filter{BBox: &geo.BBox{West: 35, South: 30, East: 45, North: 35}}},
		{"bbox=179,-17,-179,-16", geo.Filter{BBox: &geo.BBox{West: 179, South: -17, East: -179, North: -16}}},
		{"bbox=179,-17,0,-179,-16,100", geo.Filter{BBox: &geo.BBox{West: 179, South: -17, East: -179, North: -16}}},
		{"start=2024-01-30&end=2024-02-10", geo.Filter{Start: "2024-01-30", End: "2024-02-10"}},
		{"start=2024-02-27", geo.Filter{Start: "2024-02-27"}},
		{"end=2024-01-28", geo.Filter{End: "2024-01-28"}},
		{"type=Battles", geo.Filter{Types: []string{geo.Battles}}},
		{"type=Protests&type=Riots", geo.Filter{Types: []string{geo.Protests, geo.Riots}}},
		{"modality=ongoing&modality=threatened", geo.Filter{Modalities: []string{geo.Ongoing, geo.Threatened}}},
		{"country=fj", geo.Filter{Country: "FJ"}},
		{"actor=military+forces", geo.Filter{Actor: "military forces"}},
		{"actor=%C3%A9lite", geo.Filter{Actor: "élite"}},
		{"q=shelling+hit", geo.Filter{Q: "shelling hit"}},
		{"q=100%25", geo.Filter{Q: "100%"}},
		{"type=Explosions%2FRemote+violence&country=UA&start=2024-02-01", geo.Filter{Types: []string{geo.ExplosionsRemote}, Country: "UA", Start: "2024-02-01"}},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			want := storetest.Expect(c.f, all)
			if want.Matched == 0 || want.Matched == len(all) {
				t.Fatalf("fixture gives %d of %d events: the case tests nothing", want.Matched, len(all))
			}
			got := events(t, s, c.query)
			if !slices.Equal(got.ids(), ids(want.Events)) || got.NumberMatched != want.Matched || got.NumberReturned != len(want.Events) {
				t.Errorf("got %v (matched %d, returned %d), want %v (matched %d)",
					got.ids(), got.NumberMatched, got.NumberReturned, ids(want.Events), want.Matched)
			}
		})
	}
}

// Pages of any size concatenate to the whole answer, in the same order.
func TestEventPagingIsStable(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	whole := events(t, s, "")
	if whole.NumberMatched != len(all) || len(whole.Features) != len(all) {
		t.Fatalf("whole answer has %d of %d events", len(whole.Features), len(all))
	}
	for _, size := range []int{1, 2, 3} {
		var got []string
		for off := 0; off < len(all)+size; off += size {
			p := events(t, s, fmt.Sprintf("limit=%d&offset=%d", size, off))
			if p.NumberMatched != len(all) {
				t.Fatalf("page at %d says numberMatched %d, want %d", off, p.NumberMatched, len(all))
			}
			got = append(got, p.ids()...)
		}
		if !slices.Equal(got, whole.ids()) {
			t.Errorf("pages of %d: %v, want %v", size, got, whole.ids())
		}
	}
}

// A limit above the maximum is clamped, not refused: it is the same query
// as limit=10000 and so shares its cache entry.
func TestLimitAboveMaximumIsClamped(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	first := s.get(fmt.Sprintf("/api/events?limit=%d", geo.MaxLimit))
	if first.Code != http.StatusOK || first.Header().Get("X-Cache") != "miss" {
		t.Fatalf("limit=max: %d %s", first.Code, first.Header().Get("X-Cache"))
	}
	for _, limit := range []string{"20000", "99999999999999999999999"} {
		w := s.get("/api/events?limit=" + limit)
		if w.Code != http.StatusOK {
			t.Fatalf("limit=%s: %d %s", limit, w.Code, w.Body.String())
		}
		if w.Header().Get("X-Cache") != "hit" || !bytes.Equal(w.Body.Bytes(), first.Body.Bytes()) {
			t.Errorf("limit=%s is not answered as limit=%d (X-Cache %s)", limit, geo.MaxLimit, w.Header().Get("X-Cache"))
		}
	}
}

// Every bad input is a 400 whose JSON error names what is wrong.
func TestBadQueriesAreNamed(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	cases := []struct{ query, mention string }{
		{"bbox=1,2,3", "bbox"},
		{"bbox=1,2,3,4,5", "bbox"},
		{"bbox=a,b,c,d", "bbox"},
		{"bbox=0,10,10,5", "south"},
		{"bbox=0,0,10,95", "latitude"},
		{"bbox=0,-95,10,5", "latitude"},
		{"bbox=-200,0,10,5", "longitude"},
		{"bbox=0,0,200,5", "longitude"},
		{"bbox=NaN,0,1,1", "bbox"},
		{"start=yesterday", "start"},
		{"start=2024-13-01", "start"},
		{"end=2024-02-30", "end"},
		{"end=27/02/2024", "end"},
		{"start=2024-03-01&end=2024-02-01", "start"},
		{"limit=-1", "limit"},
		{"limit=abc", "limit"},
		{"limit=0", "limit"},
		{"offset=-3", "offset"},
		{"offset=x", "offset"},
		{"type=Bombing", "Battles"},
		{"type=battles", "type"},
		{"modality=maybe", "threatened"},
		{"country=Iraq", "country"},
		{"bbox=0,0,1,1&bbox=2,2,3,3", "bbox"},
		{"q=" + strings.Repeat("word+", 100), "q"},
	}
	for _, path := range []string{"/api/events", "/api/events.csv", "/api/stats"} {
		for _, c := range cases {
			w := s.get(path + "?" + c.query)
			if w.Code != http.StatusBadRequest {
				t.Errorf("%s?%s: status %d, want 400", path, c.query, w.Code)
				continue
			}
			e := decode[map[string]string](t, w)
			if !strings.Contains(e["error"], c.mention) {
				t.Errorf("%s?%s: error %q does not mention %q", path, c.query, e["error"], c.mention)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s?%s: error served as %q", path, c.query, ct)
			}
		}
	}
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/nothing", 404},
		{"GET", "/api/events/no-such-event", 404},
		{"GET", "/api/articles/no-such-article", 404},
		{"DELETE", "/api/events", 405},
		{"PUT", "/api/articles", 405},
		{"POST", "/api/events", 405},
	} {
		w := s.do(c.method, c.path, "")
		if w.Code != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, w.Code, c.status)
			continue
		}
		if e := decode[map[string]string](t, w); e["error"] == "" {
			t.Errorf("%s %s: no JSON error: %s", c.method, c.path, w.Body.String())
		}
	}
}

func TestEventByID(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	want := all[0]
	w := s.get("/api/events/" + url.PathEscape(want.ID))
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %s: %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	f := decode[struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
	}](t, w)
	if f.Type != "Feature" || f.ID != want.ID || f.Properties["quote"] != want.Quote ||
		!slices.Equal(f.Geometry.Coordinates, []float64{want.Point[0], want.Point[1]}) {
		t.Errorf("got %s, want event %v", w.Body.String(), want)
	}
}

func TestCSVExport(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	w := s.get("/api/events.csv?country=UA")
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".csv") {
		t.Errorf("content disposition %q", cd)
	}
	if !strings.Contains(w.Body.String(), "\r\n") {
		t.Error("RFC 4180 wants CRLF line ends")
	}
	rows, err := csv.NewReader(bytes.NewReader(w.Body.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := storetest.Expect(geo.Filter{Country: "UA"}, all).Events
	if len(rows) != len(want)+1 {
		t.Fatalf("%d rows, want a header and %d events", len(rows), len(want))
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, name := range []string{"event_id_cnty", "event_date", "year", "event_type", "actor1", "actor2", "country", "iso", "location", "latitude", "longitude", "notes", "fatalities", "source_url", "modality"} {
		if _, ok := col[name]; !ok {
			t.Errorf("no %s column in %v", name, rows[0])
		}
	}
	for i, e := range want {
		r := rows[i+1]
		if r[col["event_id_cnty"]] != e.ID || r[col["notes"]] != e.Quote || r[col["actor2"]] != e.Actor2 ||
			r[col["iso"]] != e.CountryCode || r[col["year"]] != e.EventDate[:4] || r[col["fatalities"]] != fmt.Sprint(*e.Fatalities) {
			t.Errorf("row %d = %v, want event %v", i+1, r, e)
		}
	}
	if w := s.get("/api/events.csv?start=bad"); w.Header().Get("Content-Disposition") != "" {
		t.Error("an error must not be offered as a CSV download")
	}
}

func TestStatsFollowFilters(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	for _, c := range []struct {
		query string
		f     geo.Filter
	}{
		{"", geo.Filter{}},
		{"type=Explosions%2FRemote+violence&limit=1", geo.Filter{Types: []string{geo.ExplosionsRemote}}},
		{"bbox=170,-20,-170,-10", geo.Filter{BBox: &geo.BBox{West: 170, South: -20, East: -170, North: -10}}},
	} {
		w := s.get("/api/stats?" + c.query)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.query, w.Code, w.Body.String())
		}
		got := decode[geo.Stats](t, w)
		want := storetest.ExpectStats(c.f, all)
		sum := func(cs []geo.Count) int {
			n := 0
			for _, c := range cs {
				n += c.Count
			}
			return n
		}
		if got.Total != want.Total || sum(got.ByType) != want.Total || sum(got.ByCountry) != want.Total || sum(got.ByWeek) != want.Total || len(got.ByWeek) != len(want.ByWeek) {
			t.Errorf("%s: got %+v, want %+v", c.query, got, want)
		}
	}
}

func article(title, url, published, text string) string {
	b, _ := json.Marshal(map[string]string{"title": title, "url": url, "published": published, "text": text})
	return string(b)
}

const articleText = "Drone strikes hit Damascus on Tuesday, killing four people, officials said.\nIsrael threatened an offensive on Rafah."

func TestIngestNeedsTheToken(t *testing.T) {
	body := article("Strikes", "https://example.org/strikes", "2024-02-27", articleText)

	closed := newServer(t, serverOptions{})
	w := closed.post(body, auth("anything")...)
	if w.Code != http.StatusForbidden || !strings.Contains(decode[map[string]string](t, w)["error"], "--token") {
		t.Errorf("no token configured: %d %s, want 403 saying how to set one", w.Code, w.Body.String())
	}

	s := newServer(t, serverOptions{token: testToken})
	for _, h := range [][]string{nil, auth("wrong"), auth(testToken + "x"), {"Authorization", "Basic " + testToken}} {
		w := s.post(body, h...)
		if w.Code != http.StatusUnauthorized || decode[map[string]string](t, w)["error"] == "" {
			t.Errorf("headers %v: %d %s, want 401", h, w.Code, w.Body.String())
		}
		if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("headers %v: a 401 must say the scheme in WWW-Authenticate", h)
		}
	}
	if _, total, _ := s.store.Articles(context.Background(), 10, 0); total != 0 {
		t.Fatalf("refused ingests stored %d articles", total)
	}
	w = s.post(body, auth(testToken)...)
	if w.Code != http.StatusCreated {
		t.Fatalf("right token: %d %s", w.Code, w.Body.String())
	}
	got := decode[struct {
		Article struct {
			ID, Title, URL, Published string
			Events                    int
		} `json:"article"`
		Events collection `json:"events"`
	}](t, w)
	if got.Article.ID != geo.ArticleID("https://example.org/strikes", articleText) || got.Article.Title != "Strikes" ||
		got.Article.Published != "2024-02-27" || got.Events.Type != "FeatureCollection" || got.Article.Events != len(got.Events.Features) {
		t.Errorf("201 body: %s", w.Body.String())
	}
	if loc := w.Header().Get("Location"); loc != "/api/articles/"+got.Article.ID {
		t.Errorf("Location %q", loc)
	}
	stored, err := s.store.Article(context.Background(), got.Article.ID)
	if err != nil || stored.Text != articleText {
		t.Errorf("stored article %+v, %v", stored, err)
	}
}

func TestIngestRefusesBadBodies(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken, maxBody: 4096})
	cases := []struct {
		body    string
		status  int
		mention string
	}{
		{`{"title": "x", "text": "a"`, 400, "JSON"},
		{`not json`, 400, "JSON"},
		{``, 400, "JSON"},
		{`{"text": 42}`, 400, "text"},
		{`{"title": "x"}`, 400, "text"},
		{`{"title": "x", "text": "   \n"}`, 400, "text"},
		{article("x", "", "27 Feb 2024", articleText), 400, "published"},
		{article("x", "", "2024-02-30", articleText), 400, "published"},
		{article("x", "ftp://example.org/a", "", articleText), 400, "url"},
		{article("x", "", "", strings.Repeat("a", 5000)), 413, "limit"},
	}
	for _, c := range cases {
		w := s.post(c.body, auth(testToken)...)
		if w.Code != c.status {
			t.Errorf("%.60q: %d %s, want %d", c.body, w.Code, w.Body.String(), c.status)
			continue
		}
		if e := decode[map[string]string](t, w)["error"]; !strings.Contains(e, c.mention) {
			t.Errorf("%.60q: error %q does not mention %q", c.body, e, c.mention)
		}
	}
	// A body that lies about its length is cut at the limit all the same.
	r := httptest.NewRequest(http.MethodPost, "/api/articles", strings.NewReader(article("x", "", "", strings.Repeat("b", 8000))))
	r.ContentLength = -1
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversized body: %d %s", w.Code, w.Body.String())
	}
	if _, total, _ := s.store.Articles(context.Background(), 10, 0); total != 0 {
		t.Errorf("refused bodies stored %d articles", total)
	}
	// An RFC 3339 timestamp, as feeds carry, is read as its date.
	w = s.post(article("x", "", "2024-02-27T23:30:00-05:00", articleText), auth(testToken)...)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"published":"2024-02-27"`) {
		t.Errorf("timestamp: %d %s", w.Code, w.Body.String())
	}
}

// Posting the same article again replaces it; it never duplicates.
func TestIngestIsIdempotent(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken})
	post := func(body string) {
		t.Helper()
		if w := s.post(body, auth(testToken)...); w.Code != http.StatusCreated {
			t.Fatalf("%d %s", w.Code, w.Body.String())
		}
	}
	total := func() int {
		w := s.get("/api/articles")
		return decode[struct{ Total int }](t, w).Total
	}
	post(article("One", "https://example.org/one", "2024-02-27", articleText))
	post(article("One, corrected", "https://example.org/one", "2024-02-27", articleText+" More."))
	post(article("No URL", "", "2024-02-27", "Shelling hit Kharkiv."))
	post(article("No URL again", "", "2024-02-27", "Shelling hit Kharkiv."))
	if n := total(); n != 2 {
		t.Errorf("%d articles after posting two twice", n)
	}
	all := events(t, s, "limit=10000")
	seen := map[string]bool{}
	for _, id := range all.ids() {
		if seen[id] {
			t.Errorf("event %s listed twice", id)
		}
		seen[id] = true
	}
	a, err := s.store.Article(context.Background(), geo.ArticleID("https://example.org/one", ""))
	if err != nil || a.Title != "One, corrected" {
		t.Errorf("re-posted article: %+v, %v", a, err)
	}
}

func TestArticlesList(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	w := s.get("/api/articles?limit=2")
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	list := decode[struct {
		Articles []map[string]any `json:"articles"`
		Total    int              `json:"total"`
	}](t, w)
	if list.Total != len(storetest.Fixture()) || len(list.Articles) != 2 {
		t.Fatalf("list: %s", w.Body.String())
	}
	for _, a := range list.Articles {
		if _, ok := a["text"]; ok {
			t.Errorf("a list carries article text: %v", a["id"])
		}
	}
	b := storetest.Fixture()[0]
	w = s.get("/api/articles/" + b.Article.ID)
	got := decode[map[string]any](t, w)
	if w.Code != http.StatusOK || got["text"] != b.Article.Text || got["events"] != float64(len(b.Events)) {
		t.Errorf("article: %d %s", w.Code, w.Body.String())
	}
	if w := s.get("/api/articles?limit=-1"); w.Code != http.StatusBadRequest {
		t.Errorf("limit=-1: %d", w.Code)
	}
}

// checkCaching asserts miss then hit with a byte-identical body, per
// encoding, and 304 on If-None-Match.
func checkCaching(t *testing.T, s *testServer, target string) {
	t.Helper()
	for _, enc := range []string{"", "gzip"} {
		first := s.get(target, "Accept-Encoding", enc)
		second := s.get(target, "Accept-Encoding", enc)
		if first.Code != 200 || second.Code != 200 {
			t.Fatalf("%s (%q): %d, %d", target, enc, first.Code, second.Code)
		}
		if x := first.Header().Get("X-Cache") + "," + second.Header().Get("X-Cache"); x != "miss,hit" && !(enc == "gzip" && x == "hit,hit") {
			t.Errorf("%s (%q): X-Cache %s, want miss then hit", target, enc, x)
		}
		if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) {
			t.Errorf("%s (%q): the hit's body differs from the miss's", target, enc)
		}
		etag := second.Header().Get("ETag")
		if etag == "" || !strings.Contains(second.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s (%q): ETag %q, Vary %q", target, enc, etag, second.Header().Get("Vary"))
		}
		nm := s.get(target, "Accept-Encoding", enc, "If-None-Match", etag)
		if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
			t.Errorf("%s (%q): If-None-Match %s gave %d with %d bytes", target, enc, etag, nm.Code, nm.Body.Len())
		}
	}
}

func TestResponsesAreCached(t *testing.T) {
	for _, name := range []string{"memory", "redis"} {
		t.Run(name, func(t *testing.T) {
			o := serverOptions{}
			if name == "redis" {
				o.cache = redisCache(t, redisURL(t))
			}
			s := newServer(t, o)
			s.seed()
			for _, target := range []string{"/api/events?type=Protests", "/api/events.csv", "/api/stats?country=FJ", "/api/events/kyiv-shelling"} {
				checkCaching(t, s, target)
			}
			// Spelling the same query differently is the same entry.
			if w := s.get("/api/events?limit=1000&type=Protests&offset=0"); w.Header().Get("X-Cache") != "hit" {
				t.Errorf("equivalent query: X-Cache %q", w.Header().Get("X-Cache"))
			}
		})
	}
}

// After an ingest returns, no request answers with what was there before:
// the cache key carries the store's data version.
func TestFreshAfterIngest(t *testing.T) {
	for _, name := range []string{"memory", "redis"} {
		t.Run(name, func(t *testing.T) {
			o := serverOptions{token: testToken}
			if name == "redis" {
				o.cache = redisCache(t, redisURL(t))
			}
			s := newServer(t, o)
			s.seed()
			before := events(t, s, "")
			if again := s.get("/api/events"); again.Header().Get("X-Cache") != "hit" {
				t.Fatalf("second read is %q, want a hit", again.Header().Get("X-Cache"))
			}
			// Re-posting the Iran article over HTTP replaces the events the
			// fixture gave it with the extractor's.
			iran := storetest.Fixture()[0].Article
			w := s.post(article(iran.Title, iran.URL, iran.Published, iran.Text), auth(testToken)...)
			if w.Code != http.StatusCreated {
				t.Fatalf("%d %s", w.Code, w.Body.String())
			}
			after := events(t, s, "")
			want, err := s.store.Events(context.Background(), geo.Filter{Limit: geo.DefaultLimit})
			if err != nil {
				t.Fatal(err)
			}
			if slices.Equal(after.ids(), before.ids()) || !slices.Equal(after.ids(), ids(want.Events)) {
				t.Errorf("after the ingest: %v; before: %v; store: %v", after.ids(), before.ids(), ids(want.Events))
			}
			// A write straight to the store (another instance, reextract)
			// is seen at once too.
			extra := storetest.Generate(7, geo.Article{ID: "gen", Title: "generated"}, 3)
			if _, err := s.store.Ingest(context.Background(), geo.Article{ID: "gen", Title: "generated", Text: "x"}, extra); err != nil {
				t.Fatal(err)
			}
			if got := events(t, s, "limit=10000"); got.NumberMatched != want.Matched+3 {
				t.Errorf("after a store write: %d events, want %d", got.NumberMatched, want.Matched+3)
			}
		})
	}
}

// With Redis gone, every request still answers, from the store.
func TestRedisDownIsBypassed(t *testing.T) {
	addr := closedPort(t)
	cl := redisCache(t, "redis://"+addr)
	s := newServer(t, serverOptions{cache: cl, token: testToken})
	s.seed()
	w := s.get("/readyz")
	if w.Code != http.StatusOK {
		t.Fatalf("/readyz with Redis down: %d %s", w.Code, w.Body.String())
	}
	ready := decode[struct {
		Store string
		Cache struct {
			Backend string
			OK      bool
			State   string
		}
	}](t, w)
	if ready.Cache.Backend != "redis" || ready.Cache.OK || ready.Cache.State != "not answering" {
		t.Errorf("/readyz must report Redis down: %s", w.Body.String())
	}
	// State, not addresses: a visitor learns nothing of the network.
	if _, port, _ := net.SplitHostPort(addr); strings.Contains(w.Body.String(), "127.0.0.1") || strings.Contains(w.Body.String(), port) {
		t.Errorf("/readyz shows the cache's address: %s", w.Body.String())
	}
	for _, target := range []string{"/api/events", "/api/events?country=FJ", "/api/events.csv", "/api/stats", "/api/events/kyiv-shelling", "/api/events"} {
		w := s.get(target)
		if w.Code != http.StatusOK || w.Header().Get("X-Cache") != "bypass" {
			t.Errorf("%s: %d X-Cache %q, want 200 bypass", target, w.Code, w.Header().Get("X-Cache"))
		}
	}
	iran := storetest.Fixture()[0].Article
	if w := s.post(article(iran.Title, iran.URL, iran.Published, iran.Text), auth(testToken)...); w.Code != http.StatusCreated {
		t.Errorf("ingest with Redis down: %d %s", w.Code, w.Body.String())
	}
}

// An ingest made while Redis could not be reached is seen at once by an
// instance whose Redis still holds the older answers: the data version that
// keys every entry lives in the store, not in Redis.
func TestFreshAfterIngestWhileRedisWasDown(t *testing.T) {
	u := redisURL(t)
	up := newServer(t, serverOptions{cache: redisCache(t, u)})
	up.seed()
	before := events(t, up, "")
	if w := up.get("/api/events"); w.Header().Get("X-Cache") != "hit" {
		t.Fatalf("repeat before the ingest: X-Cache %q, want hit", w.Header().Get("X-Cache"))
	}
	down := newServer(t, serverOptions{db: up.db, token: testToken, cache: redisCache(t, "redis://"+closedPort(t))})
	w := down.post(article("Fresh", "https://example.org/fresh", "2024-02-28", "Shelling hit Kharkiv on Monday."), auth(testToken)...)
	if w.Code != http.StatusCreated || w.Header().Get("X-Cache") == "hit" {
		t.Fatalf("ingest with Redis down: %d %s", w.Code, w.Body.String())
	}
	created := decode[struct{ Article struct{ Events int } }](t, w).Article.Events
	after := up.get("/api/events")
	if after.Header().Get("X-Cache") == "hit" {
		t.Errorf("answered from the entry stored before the ingest")
	}
	want, err := up.store.Events(context.Background(), geo.Filter{Limit: geo.DefaultLimit})
	if err != nil {
		t.Fatal(err)
	}
	got := decode[collection](t, after)
	if got.NumberMatched != before.NumberMatched+created || !slices.Equal(got.ids(), ids(want.Events)) {
		t.Errorf("after the ingest: %d events %v, want %d + %d, the store's %v",
			got.NumberMatched, got.ids(), before.NumberMatched, created, ids(want.Events))
	}
}

func TestReadiness(t *testing.T) {
	s := newServer(t, serverOptions{})
	for _, p := range []string{"/healthz", "/readyz"} {
		if w := s.get(p); w.Code != http.StatusOK {
			t.Errorf("%s: %d %s", p, w.Code, w.Body.String())
		}
	}
	s.store.Close()
	if w := s.get("/readyz"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the store closed: %d %s", w.Code, w.Body.String())
	}
	if w := s.get("/healthz"); w.Code != http.StatusOK {
		t.Errorf("/healthz must answer while the process lives: %d", w.Code)
	}
}

// Articles and events survive closing the store and starting again.
func TestDataKeptAcrossRestart(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken})
	w := s.post(article("Kept", "https://example.org/kept", "2024-02-27", articleText), auth(testToken)...)
	if w.Code != http.StatusCreated {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	before := s.get("/api/events").Body.String()
	s.store.Close()

	again := newServer(t, serverOptions{db: s.db})
	w = again.get("/api/articles/" + geo.ArticleID("https://example.org/kept", ""))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Kept") {
		t.Errorf("article after restart: %d %s", w.Code, w.Body.String())
	}
	if after := again.get("/api/events").Body.String(); after != before {
		t.Errorf("events after restart differ:\n%s\n%s", before, after)
	}
}

// Two instances on the same SQLite file and the same Redis: an ingest on
// one is seen by the other at once.
func TestTwoInstancesAgree(t *testing.T) {
	u := redisURL(t)
	prefix := testPrefix(t)
	a := newServer(t, serverOptions{token: testToken, cache: redisCacheWithPrefix(t, u, prefix)})
	b := newServer(t, serverOptions{db: a.db, cache: redisCacheWithPrefix(t, u, prefix)})
	a.seed()
	first := events(t, b, "")
	if w := b.get("/api/events"); w.Header().Get("X-Cache") != "hit" {
		t.Fatalf("B's repeat: %q", w.Header().Get("X-Cache"))
	}
	if w := a.get("/api/events"); w.Header().Get("X-Cache") != "hit" {
		t.Errorf("A should hit the entry B stored in the shared Redis, got %q", w.Header().Get("X-Cache"))
	}
	body := article("Fresh", "https://example.org/fresh", "2024-02-28", "Shelling hit Kharkiv on Monday.")
	if w := a.post(body, auth(testToken)...); w.Code != http.StatusCreated {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	w := b.get("/api/articles/" + geo.ArticleID("https://example.org/fresh", ""))
	if w.Code != http.StatusOK {
		t.Errorf("B does not see A's article: %d", w.Code)
	}
	after := b.get("/api/events")
	if after.Header().Get("X-Cache") == "hit" {
		t.Errorf("B answered from the old version's entry")
	}
	want, _ := b.store.Events(context.Background(), geo.Filter{Limit: geo.DefaultLimit})
	if got := decode[collection](t, after); !slices.Equal(got.ids(), ids(want.Events)) {
		t.Errorf("B: %v, store: %v (before: %v)", got.ids(), ids(want.Events), first.ids())
	}
}

func TestConfigAndPage(t *testing.T) {
	page := fstest.MapFS{
		"index.html":    {Data: []byte("<!doctype html><title>conflictmap</title>")},
		"vendor/app.js": {Data: []byte("console.log(1)")},
	}
	s := newServer(t, serverOptions{static: page})
	w := s.get("/api/config")
	cfg := decode[map[string]any](t, w)
	if cfg["tile_url"] != "https://tiles.example/{z}/{x}/{y}.png" || cfg["max_limit"] != float64(geo.MaxLimit) ||
		cfg["default_limit"] != float64(geo.DefaultLimit) || cfg["extractor_version"] != extract.Version || cfg["tile_attribution"] != "© example" {
		t.Errorf("config: %s", w.Body.String())
	}
	if w := s.get("/"); w.Code != 200 || !strings.Contains(w.Body.String(), "conflictmap") || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("/: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if w := s.get("/vendor/app.js"); w.Code != 200 || w.Body.String() != "console.log(1)" {
		t.Errorf("/vendor/app.js: %d", w.Code)
	}
	for _, p := range []string{"/missing.js", "/vendor/", "/../go.mod"} {
		w := s.get(p)
		if w.Code != http.StatusNotFound || decode[map[string]string](t, w)["error"] == "" {
			t.Errorf("%s: %d %s", p, w.Code, w.Body.String())
		}
	}
}

// redisURL returns the shared Redis's URL, skipping (or under CI failing)
// when it does not answer.
func redisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("CONFLICTMAP_TEST_REDIS")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s does not answer (CI needs it): %v", u, err)
		}
		t.Skipf("Redis at %s does not answer: %v", u, err)
	}
	return u
}

// testPrefix returns a key prefix of the test's own, and deletes its keys
// (only those) when the test ends.
func testPrefix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "cmtest:handlers:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		opt, err := redis.ParseURL(os.Getenv("CONFLICTMAP_TEST_REDIS") + "")
		if err != nil {
			opt = &redis.Options{Addr: "127.0.0.1:6379"}
		}
		c := redis.NewClient(opt)
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return prefix
}

func redisCache(t *testing.T, u string) handlers.Cache {
	t.Helper()
	return redisCacheWithPrefix(t, u, testPrefix(t))
}

func redisCacheWithPrefix(t *testing.T, u, prefix string) handlers.Cache {
	t.Helper()
	r, err := cache.NewRedis(cache.RedisOptions{URL: u, Prefix: prefix, Timeout: 200 * time.Millisecond, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return cache.New(r, cache.Options{Logger: quietLogger()})
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A web map on another origin may read the events; it may not post.
func TestPublicReadsAreCrossOrigin(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken})
	s.seed()
	for _, p := range []string{"/api/events", "/api/events.csv", "/api/stats", "/api/events/kyiv-shelling"} {
		w := s.get(p, "Origin", "https://maps.example")
		if w.Header().Get("Access-Control-Allow-Origin") != "*" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", p, w.Header())
		}
	}
	w := s.do(http.MethodOptions, "/api/articles", "", "Origin", "https://evil.example",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization")
	if strings.Contains(strings.ToLower(w.Header().Get("Access-Control-Allow-Headers")), "authorization") || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a cross-origin ingest preflight was granted: %d %v", w.Code, w.Header())
	}
}
