package handlers_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/storetest"
	"conflictmap/handlers"
)

// listen serves s over a real TCP listener and returns its base URL.
func (s *testServer) listen() string {
	s.t.Helper()
	srv := httptest.NewServer(s.h)
	s.t.Cleanup(srv.Close)
	return srv.URL
}

// rawGet sends target as written (no client-side re-encoding of the query)
// and returns the status and body.
func rawGet(t *testing.T, base, target string) (int, string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, u.Host)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A query string that does not parse, or names a parameter the route does
// not take, is a 400 naming it, on /api and on OGC items alike; it used to
// be dropped and the answer was every event.
func TestMalformedQueriesAreRefused(t *testing.T) {
	s := newServer(t, serverOptions{})
	s.seed()
	base := s.listen()
	cases := []struct{ query, names string }{
		{"bbox=%zz", "bbox"},
		{"bbox=1,2,3;q=x", "bbox"},
		{"limit=5;foo=1", "limit"},
		{"country=%G1", "country"},
		{"foo=1", "foo"},
		{"bbox=30,20,40,35&Bbox=1,2,3,4", "Bbox"},
		{"%zz=1", "query"},
	}
	for _, path := range []string{"/api/events", "/api/events.csv", "/api/stats", "/ogc/collections/events/items"} {
		for _, c := range cases {
			code, body := rawGet(t, base, path+"?"+c.query)
			if code != http.StatusBadRequest {
				t.Errorf("%s?%s: %d, want 400: %.200s", path, c.query, code, body)
				continue
			}
			var e map[string]string
			if err := json.Unmarshal([]byte(body), &e); err != nil || !strings.Contains(e["error"], c.names) {
				t.Errorf("%s?%s: error %q does not name %s", path, c.query, body, c.names)
			}
		}
	}
	// Good queries still answer, including every field-named parameter.
	for _, q := range []string{"bbox=30,20,40,35", "type=Battles&event_type=Riots", "country_code=iq", "sub_event_type=Air%2Fdrone+strike&geo_precision=1&geo_precision=2"} {
		if code, body := rawGet(t, base, "/api/events?"+q); code != http.StatusOK {
			t.Errorf("/api/events?%s: %d %.200s", q, code, body)
		}
	}
}

// The parameters named like the event's properties filter as their
// counterparts do, on /api/events and on OGC items, and the store's
// reference model agrees.
func TestFieldNamedParameters(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	cases := []struct {
		query string
		f     geo.Filter
	}{
		{"event_type=Riots", geo.Filter{Types: []string{geo.Riots}}},
		{"event_type=Riots&type=Protests", geo.Filter{Types: []string{geo.Protests, geo.Riots}}},
		{"country_code=FJ", geo.Filter{Country: "FJ"}},
		{"country_code=fj&country=FJ", geo.Filter{Country: "FJ"}},
		{"sub_event_type=" + url.QueryEscape("Air/drone strike"), geo.Filter{SubTypes: []string{"Air/drone strike"}}},
		{"geo_precision=3", geo.Filter{GeoPrecisions: []int{3}}},
		{"geo_precision=1&geo_precision=2&modality=occurred", geo.Filter{GeoPrecisions: []int{1, 2}, Modalities: []string{geo.Occurred}}},
	}
	for _, c := range cases {
		c.f.Limit = geo.DefaultLimit
		want := ids(storetest.Expect(c.f, all).Events)
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("%s: the fixture gives %d of %d events; the case proves nothing", c.query, len(want), len(all))
		}
		if got := events(t, s, c.query).ids(); !slices.Equal(got, want) {
			t.Errorf("/api/events?%s: %v, want %v", c.query, got, want)
		}
		w := s.get("/ogc/collections/events/items?" + c.query)
		if got := decode[collection](t, w).ids(); w.Code != http.StatusOK || !slices.Equal(got, want) {
			t.Errorf("OGC items?%s: %d %v, want %v", c.query, w.Code, got, want)
		}
	}
	for _, q := range []string{"country_code=IQ&country=SY", "geo_precision=4", "geo_precision=x", "sub_event_type=Bombing", "event_type=battles"} {
		if w := s.get("/api/events?" + q); w.Code != http.StatusBadRequest {
			t.Errorf("/api/events?%s: %d, want 400", q, w.Code)
		}
	}
	// The queryables list them, as OGC API - Features Part 3 describes.
	w := s.get("/ogc/collections/events/queryables")
	q := decode[struct {
		Type       string                    `json:"type"`
		Properties map[string]map[string]any `json:"properties"`
	}](t, w)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/schema+json") || q.Type != "object" {
		t.Fatalf("queryables: %d %s %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	for _, name := range []string{"event_type", "sub_event_type", "modality", "country_code", "geo_precision"} {
		if q.Properties[name]["type"] == nil {
			t.Errorf("queryables lack %s: %s", name, w.Body.String())
		}
	}
}

// OGC's datetime takes what GDAL sends for a date compared in -where
// (2024-06-01T) and every RFC 3339 form.
func TestDatetimeForms(t *testing.T) {
	s := newServer(t, serverOptions{})
	all := s.seed()
	want := ids(storetest.Expect(geo.Filter{Start: "2024-01-28", End: "2024-02-27", Limit: geo.DefaultLimit}, all).Events)
	for _, dt := range []string{
		"2024-01-28/2024-02-27",
		"2024-01-28T/2024-02-27T",
		"2024-01-28t/2024-02-27t",
		"2024-01-28T00:00:00Z/2024-02-27T23:59:59Z",
		"2024-01-28t10:00:00z/2024-02-27t10:00:00.123456z",
		"2024-01-28T02:30:00+02:00/2024-02-27T23:59:60Z",
		"2024-01-28 08:00:00Z/2024-02-27 08:00:00-01:00",
		"2024-01-28T12:00:00/2024-02-27T12:00",
	} {
		w := s.get("/ogc/collections/events/items?datetime=" + url.QueryEscape(dt))
		if w.Code != http.StatusOK {
			t.Errorf("datetime=%s: %d %s", dt, w.Code, w.Body.String())
			continue
		}
		if got := decode[collection](t, w).ids(); !slices.Equal(got, want) {
			t.Errorf("datetime=%s: %v, want %v", dt, got, want)
		}
	}
	for _, dt := range []string{"2024-01-28X", "2024-01-28T25:00:00Z", "2024-01-28TT", "2024-01-28T10:00:00+25:00"} {
		if w := s.get("/ogc/collections/events/items?datetime=" + url.QueryEscape(dt)); w.Code != http.StatusBadRequest {
			t.Errorf("datetime=%s: %d, want 400", dt, w.Code)
		}
	}
}

// A publication date before 1900 or after tomorrow is refused with a
// message naming the field, and so are an overlong title or URL.
func TestImplausibleArticlesAreRefused(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken})
	future := time.Now().UTC().AddDate(0, 0, 3).Format(geo.DateLayout)
	for _, c := range []struct{ title, url, published, names string }{
		{"t", "", "9999-12-31", "published"},
		{"t", "", "0000-01-01", "published"},
		{"t", "", "1899-12-31", "published"},
		{"t", "", future, "published"},
		{"t", "", future + "T00:00:00Z", "published"},
		{strings.Repeat("é", 1001), "", "2024-02-27", "title"},
		{"t", "https://example.org/" + strings.Repeat("a", 2049-len("https://example.org/")), "2024-02-27", "url"},
	} {
		w := s.post(article(c.title, c.url, c.published, articleText), auth(testToken)...)
		if w.Code != http.StatusBadRequest || !strings.Contains(decode[map[string]string](t, w)["error"], c.names) {
			t.Errorf("published %q, title of %d, url of %d: %d %s, want 400 naming %s", c.published, len([]rune(c.title)), len(c.url), w.Code, w.Body.String(), c.names)
		}
	}
	today := time.Now().UTC().Format(geo.DateLayout)
	for _, c := range []struct{ title, url, published string }{
		{strings.Repeat("é", 1000), "", today},
		{"t", "https://example.org/" + strings.Repeat("a", 2048-len("https://example.org/")), "1900-01-01"},
	} {
		if w := s.post(article(c.title, c.url, c.published, articleText), auth(testToken)...); w.Code != http.StatusCreated {
			t.Errorf("published %s, title of %d, url of %d: %d %s", c.published, len([]rune(c.title)), len(c.url), w.Code, w.Body.String())
		}
	}
	w := s.get("/ogc/collections/events")
	if strings.Contains(w.Body.String(), "9999") || strings.Contains(w.Body.String(), future) {
		t.Errorf("the temporal extent holds a refused date: %s", w.Body.String())
	}
}

// DELETE /api/articles/{id} (token) removes an article and its events at
// once for every reader, through a cache shared in Redis.
func TestDeleteArticle(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken, cache: redisCache(t, redisURL(t))})
	s.seed()
	w := s.post(article("To delete", "https://example.org/delete-me", "2024-02-27", articleText), auth(testToken)...)
	if w.Code != http.StatusCreated {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	id := geo.ArticleID("https://example.org/delete-me", "")
	created := decode[struct {
		Events collection `json:"events"`
	}](t, w).Events.ids()
	if len(created) == 0 {
		t.Fatal("the article gave no events; the test proves nothing")
	}
	before := events(t, s, "limit=10000")
	events(t, s, "limit=10000") // cached now
	for _, hdr := range [][]string{nil, auth("wrong")} {
		if w := s.do(http.MethodDelete, "/api/articles/"+id, "", hdr...); w.Code != http.StatusUnauthorized {
			t.Errorf("DELETE with %v: %d, want 401", hdr, w.Code)
		}
	}
	w = s.do(http.MethodDelete, "/api/articles/"+id, "", auth(testToken)...)
	if w.Code != http.StatusOK {
		t.Fatalf("DELETE: %d %s", w.Code, w.Body.String())
	}
	if got := decode[struct {
		Deleted string `json:"deleted"`
		Events  int    `json:"events"`
	}](t, w); got.Deleted != id || got.Events != len(created) {
		t.Errorf("DELETE answered %s, want %s with %d events", w.Body.String(), id, len(created))
	}
	after := events(t, s, "limit=10000")
	// Reports of events the fixture told too were merged into them: each
	// of the article's reports leaves one source.
	sources := func(c collection) (n int) {
		for _, f := range c.Features {
			k, _ := f.Properties["source_count"].(float64)
			n += int(k)
		}
		return n
	}
	if sources(after) != sources(before)-len(created) || after.NumberMatched > before.NumberMatched {
		t.Errorf("%d events with %d sources after the delete, want %d sources", after.NumberMatched, sources(after), sources(before)-len(created))
	}
	for _, e := range created {
		if slices.Contains(after.ids(), e) {
			t.Errorf("event %s of the deleted article is still served", e)
		}
		if w := s.get("/api/events/" + e); w.Code != http.StatusNotFound {
			t.Errorf("GET /api/events/%s after the delete: %d", e, w.Code)
		}
	}
	if w := s.get("/api/articles/" + id); w.Code != http.StatusNotFound {
		t.Errorf("GET the deleted article: %d", w.Code)
	}
	if w := s.do(http.MethodDelete, "/api/articles/"+id, "", auth(testToken)...); w.Code != http.StatusNotFound {
		t.Errorf("DELETE again: %d, want 404", w.Code)
	}
}

// needPython returns python3, failing under CI when it is missing.
func needPython(t *testing.T) string { return needTool(t, "python3", "python3") }

// A client that sends its whole body before reading the answer (Python's
// urllib) gets the 413, not a reset connection, for a body one byte over
// the limit and one 4 MB over; and the answer to a refused token too.
func TestOversizedBodiesAreAnsweredToUrllib(t *testing.T) {
	py := needPython(t)
	const limit = 256 << 10
	s := newServer(t, serverOptions{token: testToken, maxBody: limit})
	base := s.listen()
	script, err := filepath.Abs("testdata/post_body.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		size  int
		token string
		want  int
	}{
		{limit + 1, testToken, http.StatusRequestEntityTooLarge},
		{limit + 4<<20, testToken, http.StatusRequestEntityTooLarge},
		{limit / 2, "wrong", http.StatusUnauthorized},
		{limit + 4<<20, "wrong", http.StatusUnauthorized},
	} {
		out, err := exec.Command(py, script, base+"/api/articles", strconv.Itoa(c.size), c.token, "5").CombinedOutput()
		got := strings.TrimSpace(string(out))
		if want := strings.TrimSpace(strings.Repeat(strconv.Itoa(c.want)+" ", 5)); err != nil || got != want {
			t.Errorf("urllib posts of %d bytes (token %s): %q %v, want %q", c.size, c.token, got, err, want)
		}
	}
}

// An unauthenticated POST is refused before a byte of its body is read:
// its answer arrives while the client still holds the body back, and the
// server lets go of the connection soon after instead of waiting for the
// body for its whole read timeout.
func TestUnauthenticatedPostIsRefusedBeforeItsBody(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken})
	u, _ := url.Parse(s.listen())
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/articles HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{\"te", u.Host)
	conn.SetDeadline(time.Now().Add(time.Minute)) // a guard, far above the server's bound
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer before the body: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusUnauthorized || !res.Close {
		t.Errorf("%d, close %v; want 401 and Connection: close", res.StatusCode, res.Close)
	}
	// Hold the rest of the body back: the server closes its side.
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("after the refusal the server kept the connection: %v", err)
	}
}

// gatedExtractor runs the real extractor once let through; started says
// that an extraction is waiting at the gate.
type gatedExtractor struct {
	next    handlers.Extractor
	started chan struct{}
	gate    chan struct{}
}

func (g *gatedExtractor) ExtractContext(ctx context.Context, a geo.Article) ([]geo.Event, error) {
	g.started <- struct{}{}
	select {
	case <-g.gate:
	case <-ctx.Done():
	}
	return g.next.ExtractContext(ctx, a)
}

// syncLog is a log that tests read while the server writes it.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Past MaxExtractions an ingest is refused at once with 503 and
// Retry-After while reads go on; an extraction stops at ExtractTimeout
// (503 naming the flag) and when its client leaves (logged as that, not as
// an error).
func TestIngestIsBounded(t *testing.T) {
	var log syncLog
	g := &gatedExtractor{started: make(chan struct{}, 8), gate: make(chan struct{})}
	s := newServer(t, serverOptions{
		token: testToken, maxExtractions: 1, extractTimeout: time.Minute,
		extractor: func(x handlers.Extractor) handlers.Extractor { g.next = x; return g },
		logger:    slog.New(slog.NewTextHandler(&log, nil)),
	})
	s.seed()
	base := s.listen()
	post := func(ctx context.Context, body string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/articles", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		return http.DefaultClient.Do(req)
	}
	first := make(chan int, 1)
	go func() {
		res, err := post(context.Background(), article("First", "https://example.org/first", "2024-02-27", articleText))
		if err != nil {
			first <- 0
			return
		}
		res.Body.Close()
		first <- res.StatusCode
	}()
	<-g.started
	res, err := post(context.Background(), article("Second", "https://example.org/second", "2024-02-27", articleText))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "--max-extractions") {
		t.Errorf("a second ingest while one extracts: %d Retry-After %q %s", res.StatusCode, res.Header.Get("Retry-After"), b)
	}
	for _, p := range []string{"/healthz", "/api/events", "/api/events?country=FJ"} {
		if code, body := rawGet(t, base, p); code != http.StatusOK {
			t.Errorf("%s while ingest is saturated: %d %.100s", p, code, body)
		}
	}
	close(g.gate)
	if code := <-first; code != http.StatusCreated {
		t.Errorf("the first ingest: %d", code)
	}

	// A client that leaves stops its extraction; the log says so at INFO.
	g2 := &gatedExtractor{started: make(chan struct{}, 8), gate: make(chan struct{})}
	g.next, g2.next = g2, g.next
	g.gate = make(chan struct{})
	close(g.gate) // the outer gate is open; the inner one holds
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := post(ctx, article("Leaver", "https://example.org/leaver", "2024-02-27", articleText))
		done <- err
	}()
	<-g.started
	<-g2.started
	cancel()
	<-done
	waitFor(t, func() bool { return strings.Contains(log.String(), "client left") })
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("an abandoned ingest was logged as an error:\n%s", log.String())
	}
	if w := s.get("/api/articles/" + geo.ArticleID("https://example.org/leaver", "")); w.Code != http.StatusNotFound {
		t.Errorf("the abandoned article was stored: %d", w.Code)
	}
}

// An extraction past its time budget gives a 503 naming --extract-timeout.
func TestExtractTimeout(t *testing.T) {
	g := &gatedExtractor{started: make(chan struct{}, 8), gate: make(chan struct{})} // never opened
	s := newServer(t, serverOptions{
		token: testToken, extractTimeout: 50 * time.Millisecond,
		extractor: func(x handlers.Extractor) handlers.Extractor { g.next = x; return g },
	})
	w := s.post(article("Slow", "https://example.org/slow", "2024-02-27", articleText), auth(testToken)...)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "--extract-timeout") || w.Header().Get("Retry-After") == "" {
		t.Errorf("%d %s", w.Code, w.Body.String())
	}
	// The real extractor stops on a context that is done.
	ex, err := loadExtractor()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ex.ExtractContext(ctx, geo.Article{ID: "x", Text: articleText}); !errors.Is(err, context.Canceled) {
		t.Errorf("ExtractContext on a cancelled context: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the condition never held")
}

// Tokens in a query string never reach the request log, nor does /readyz
// show where the cache lives.
func TestLogsKeepSecrets(t *testing.T) {
	var log syncLog
	s := newServer(t, serverOptions{token: testToken, logger: slog.New(slog.NewTextHandler(&log, nil))})
	for _, target := range []string{
		"/api/events?token=" + testToken,
		"/api/events?access_token=abc123secret&country=IQ",
		"/ogc/collections/events/items?api_key=abc123secret",
		"/api/events?q=" + url.QueryEscape(testToken),
	} {
		s.get(target)
	}
	if out := log.String(); strings.Contains(out, testToken) || strings.Contains(out, "abc123secret") || !strings.Contains(out, "REDACTED") {
		t.Errorf("the request log shows a secret:\n%s", out)
	}
	if !strings.Contains(log.String(), "country=IQ") {
		t.Errorf("the request log lost the rest of the query:\n%s", log.String())
	}
}

// The pages carry a Content-Security-Policy that allows their own origin
// and the tile host only, forbid framing, and allow the OGC views' one
// style block by its hash; /api answers preflights for GET only.
func TestSecurityHeaders(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken, static: fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>map</title>")}}})
	s.seed()
	for _, p := range []string{"/", "/ogc?f=html", "/ogc/collections/events/items?f=html", "/api/events"} {
		w := s.get(p)
		csp := w.Header().Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "img-src 'self' data: https://tiles.example", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || w.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: CSP %q, X-Frame-Options %q", p, csp, w.Header().Get("X-Frame-Options"))
		}
	}
	w := s.get("/ogc?f=html")
	_, after, _ := strings.Cut(w.Body.String(), "<style>")
	style, _, ok := strings.Cut(after, "</style>")
	if !ok {
		t.Fatal("the OGC view has no style block")
	}
	sum := sha256.Sum256([]byte(style))
	if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(w.Header().Get("Content-Security-Policy"), h) {
		t.Errorf("the CSP does not allow the served style block (%s)", h)
	}

	w = s.do(http.MethodOptions, "/api/events", "", "Origin", "https://maps.example",
		"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "if-none-match")
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(w.Header().Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("GET preflight on /api/events: %d %v", w.Code, w.Header())
	}
	w = s.get("/api/events", "Origin", "https://maps.example")
	for _, h := range []string{"ETag", "X-Cache"} {
		if !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), h) {
			t.Errorf("/api/events does not expose %s: %v", h, w.Header())
		}
	}
	for _, c := range []struct{ method, path string }{{"DELETE", "/api/articles/x"}, {"POST", "/api/articles"}} {
		w := s.do(http.MethodOptions, c.path, "", "Origin", "https://evil.example", "Access-Control-Request-Method", c.method)
		if w.Header().Get("Access-Control-Allow-Origin") != "" || strings.Contains(w.Header().Get("Access-Control-Allow-Methods"), c.method) {
			t.Errorf("a cross-origin %s preflight on %s was granted: %d %v", c.method, c.path, w.Code, w.Header())
		}
	}
}

// A page of /api/events says that it is partial (counts and a next link);
// following the links gives every event once. limit=all streams every
// matching event, past the maximum page, as GeoJSON and as CSV.
func TestEventsPagingAndLimitAll(t *testing.T) {
	s := newServer(t, serverOptions{})
	ctx := context.Background()
	a := geo.Article{ID: "many", Title: "Generated", URL: "https://example.org/many", Published: "2024-12-31", Text: "generated"}
	n := geo.MaxLimit + 37
	// Imported rather than ingested: what is paged is the same, and an
	// ingest of ten thousand events (merging each with the others) was
	// most of the test's time under the race detector.
	evs := storetest.Generate(3, a, n)
	for i := range evs {
		evs[i].Origin = geo.OriginImport
	}
	if err := s.store.Import(ctx, []geo.Article{a}, evs); err != nil {
		t.Fatal(err)
	}
	base := s.listen()
	type page struct {
		collection
		Links []struct{ Href, Rel string } `json:"links"`
	}
	get := func(u string) page {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var p page
		if err := json.NewDecoder(res.Body).Decode(&p); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", u, res.StatusCode, err)
		}
		return p
	}
	seen := map[string]bool{}
	next := base + "/api/events?country=IQ&limit=700"
	matched := -1
	for pages := 0; next != ""; pages++ {
		p := get(next)
		if matched < 0 {
			matched = p.NumberMatched
			if matched <= 700 {
				t.Fatalf("%d events in IQ; the test needs more than a page", matched)
			}
		}
		next = ""
		for _, l := range p.Links {
			if l.Rel == "next" {
				next = l.Href
			}
		}
		for _, id := range p.ids() {
			if seen[id] {
				t.Fatalf("event %s on two pages", id)
			}
			seen[id] = true
		}
		if pages > 100 {
			t.Fatal("the next links never end")
		}
	}
	if len(seen) != matched {
		t.Errorf("the next links gave %d events, numberMatched %d", len(seen), matched)
	}

	all := get(base + "/api/events?limit=all")
	if all.NumberMatched != n || all.NumberReturned != n || len(all.Features) != n {
		t.Errorf("limit=all: matched %d, returned %d, %d features; want %d", all.NumberMatched, all.NumberReturned, len(all.Features), n)
	}
	uniq := map[string]bool{}
	for _, id := range all.ids() {
		uniq[id] = true
	}
	if len(uniq) != n {
		t.Errorf("limit=all gave %d distinct events, want %d", len(uniq), n)
	}
	iq := get(base + "/api/events?limit=all&country=IQ")
	if iq.NumberReturned != matched || len(iq.Features) != matched {
		t.Errorf("limit=all&country=IQ: %d, want %d", len(iq.Features), matched)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/events.csv?limit=all", nil)
	req.Header.Set("Accept-Encoding", "gzip") // the transport inflates it
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("limit=all CSV to a gzip client: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil || len(rows) != n+1 {
		t.Errorf("limit=all CSV: %d rows (%v), want %d and a header", len(rows), err, n)
	}
}

// A reader who leaves before the answer (a page that moved on, a closed
// tab) is no server failure: no ERROR in the log, and nothing answered.
func TestAbandonedReadIsNotAnError(t *testing.T) {
	var log syncLog
	s := newServer(t, serverOptions{logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	s.seed()
	for _, p := range []string{"/api/stats", "/api/events?country=IQ", "/api/clusters?zoom=3"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := httptest.NewRequest(http.MethodGet, p, nil).WithContext(ctx)
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
		if w.Code == http.StatusInternalServerError || w.Body.Len() > 0 {
			t.Errorf("%s after its client left: %d %.100s", p, w.Code, w.Body.String())
		}
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("abandoned reads were logged as errors:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "client left") {
		t.Errorf("abandoned reads left no trace in the debug log:\n%s", log.String())
	}
}
