package feed_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/feed"
	"conflictmap/geo/fetch"
	"conflictmap/geo/gazetteer"
	"conflictmap/geo/postgis"
	"conflictmap/geo/sqlite"
)

// store is what the tests need of a store: the poller's part, plus
// following feeds and reading articles back.
type store interface {
	feed.Store
	AddFeed(ctx context.Context, url string, interval time.Duration, source string, now time.Time) (geo.Feed, bool, error)
	Feed(ctx context.Context, id string) (geo.Feed, error)
	Feeds(ctx context.Context) ([]geo.Feed, error)
	DeleteFeed(ctx context.Context, id string) error
	Ingest(ctx context.Context, a geo.Article, events []geo.Event) (geo.Article, error)
	Article(ctx context.Context, id string) (geo.Article, error)
	Articles(ctx context.Context, limit, offset int) ([]geo.Article, int, error)
	Events(ctx context.Context, f geo.Filter) (geo.EventPage, error)
	Close() error
}

func openSQLite(t testing.TB) store {
	t.Helper()
	return openSQLiteAt(t, filepath.Join(t.TempDir(), "conflictmap.db"))
}

func openSQLiteAt(t testing.TB, path string) store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func pgDSN() string {
	if v := os.Getenv("CONFLICTMAP_TEST_PG"); v != "" {
		return v
	}
	return "postgres://root@127.0.0.1:5432/test?sslmode=disable"
}

// pgSchema returns a schema of the test's own, dropped when it ends;
// without PostgreSQL the test fails under CI=true and is skipped otherwise.
func pgSchema(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgDSN())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s is required under CI: %v", pgDSN(), err)
		}
		t.Skipf("no PostgreSQL at %s (set CONFLICTMAP_TEST_PG): %v", pgDSN(), err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "cm_test_feed_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		conn.Close(ctx)
	})
	return schema
}

func openPG(t testing.TB, schema string) store {
	t.Helper()
	s, err := postgis.Open(context.Background(), pgDSN(), schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var loadExtractor = sync.OnceValues(func() (*extract.Extractor, error) {
	gaz, err := gazetteer.Load()
	if err != nil {
		return nil, err
	}
	return extract.New(gaz), nil
})

// ingester is the server's ingest: extract, then store.
type ingester struct {
	x     *extract.Extractor
	store store
}

func (in ingester) Ingest(ctx context.Context, a geo.Article) (int, error) {
	events, err := in.x.Extract(a)
	if err != nil {
		return 0, err
	}
	if _, err := in.store.Ingest(ctx, a, events); err != nil {
		return 0, err
	}
	return len(events), nil
}

// clock is a test clock the pollers share, moved on by hand so that a
// feed becomes due without waiting.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     testing.TB
	store store
	clock *clock
	site  *site
}

func newEnv(t testing.TB, s store) *env {
	return &env{t: t, store: s, clock: newClock(), site: newSite(t)}
}

func (e *env) poller(o fetch.Options) *feed.Poller {
	e.t.Helper()
	return e.pollerWith(o, nil)
}

// pollerWith is poller with its config changed by tune.
func (e *env) pollerWith(o fetch.Options, tune func(*feed.Config)) *feed.Poller {
	e.t.Helper()
	x, err := loadExtractor()
	if err != nil {
		e.t.Fatal(err)
	}
	o.AllowPrivate = true
	if o.HostDelay == 0 {
		o.HostDelay = -1
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	o.UserAgent = "conflictmap/test"
	fc, err := fetch.New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg := feed.Config{
		Store: e.store, Fetcher: fc, Ingester: ingester{x, e.store},
		Interval: time.Minute, LeaseTTL: time.Minute, Now: e.clock.Now,
	}
	if tune != nil {
		tune(&cfg)
	}
	return feed.New(cfg)
}

func (e *env) follow(path string) geo.Feed {
	e.t.Helper()
	f, _, err := e.store.AddFeed(context.Background(), e.site.URL()+path, 0, "api", e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

func (e *env) pollDue(p *feed.Poller) {
	e.t.Helper()
	if _, err := p.PollDue(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) feed(id string) geo.Feed {
	e.t.Helper()
	f, err := e.store.Feed(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

func (e *env) articles() []geo.Article {
	e.t.Helper()
	list, _, err := e.store.Articles(context.Background(), 1000, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// site is a local news site: feeds and article pages served from a map,
// with a count of requests per path.
type site struct {
	srv   *httptest.Server
	mu    sync.Mutex
	pages map[string]http.HandlerFunc
	hits  map[string]int
}

func newSite(t testing.TB) *site {
	s := &site{pages: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		h := s.pages[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) URL() string { return s.srv.URL }

func (s *site) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	s.pages[path] = h
	s.mu.Unlock()
}

func (s *site) serve(path, contentType, body string) {
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		fmt.Fprint(w, body)
	})
}

func (s *site) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// towns and what happened there: each article tells one event in one town.
var stories = []struct{ town, what string }{
	{"Mosul", "Militants attacked an army checkpoint near Mosul on Tuesday, killing three soldiers, officials said."},
	{"Aleppo", "An air strike hit a market in Aleppo on Wednesday, killing five civilians, rescue workers said."},
	{"Kharkiv", "Russian shelling struck a residential building in Kharkiv on Thursday, killing two people, the governor said."},
	{"Goma", "Rebels clashed with government troops near Goma on Friday, and four soldiers were killed, the army said."},
	{"Khartoum", "Fighting between the army and the Rapid Support Forces broke out in Khartoum on Saturday, residents said."},
	{"Mogadishu", "A car bomb exploded near a hotel in Mogadishu on Sunday, killing six people, police said."},
}

// articlePage is a news page around one story, with navigation and
// comments around it.
func articlePage(title, story, head string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + ` | Example News</title>` + head + `</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>` + title + `</h1>
<p>` + story + `</p>
<p>The incident was the latest in a series of attacks in the area in recent weeks. Local officials called for more protection for residents and for an investigation into what happened.</p>
<p>Witnesses said the area was sealed off for several hours afterwards while emergency services treated the wounded and cleared the debris from the road.</p>
</article>
<section class="comments"><p>Reader comment: great coverage as always.</p></section>
</body></html>`
}

func (s *site) article(path string, i int) {
	st := stories[i%len(stories)]
	s.serve(path, "text/html; charset=utf-8", articlePage("Violence in "+st.town, st.what, ""))
}

func contains(list []geo.Article, url string) bool {
	for _, a := range list {
		if a.URL == url {
			return true
		}
	}
	return false
}

func mustContain(t testing.TB, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%q does not contain %q", s, sub)
	}
}
