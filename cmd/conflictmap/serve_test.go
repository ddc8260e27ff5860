package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/sqlite"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv returns an Env with captured streams and only the given
// environment variables.
func testEnv(vars map[string]string) (*Env, *syncBuffer, *syncBuffer) {
	out, errb := &syncBuffer{}, &syncBuffer{}
	return &Env{
		Stdin:  strings.NewReader(""),
		Stdout: out,
		Stderr: errb,
		Getenv: func(k string) string { return vars[k] },
	}, out, errb
}

// startServer runs `serve` in-process on a free port and stops it when the
// test ends; it returns the server and its request log.
func startServer(t *testing.T, args ...string) (*Server, *syncBuffer) {
	t.Helper()
	env, _, logs := testEnv(nil)
	var s Server
	all := append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "db.sqlite"), "--tiles", ""}, args...)
	if err := s.ParseFlags(env, all); err != nil {
		t.Fatalf("serve %v: %v\n%s", all, err, logs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Open(ctx); err != nil {
		cancel()
		t.Fatalf("opening the server: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &s, logs
}

func getJSON(t *testing.T, url string, v any) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %d %v\n%s", url, resp.StatusCode, err, b)
		}
	}
	return resp
}

// A new server on an empty store shows the bundled article at once, logs
// one line per request, and stops cleanly when its context ends.
func TestServeStartsWithTheSample(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t)
	var list struct {
		Total    int `json:"total"`
		Articles []struct {
			ID, Title, Published string
			Events               int
		} `json:"articles"`
	}
	getJSON(t, s.URL()+"/api/articles", &list)
	if list.Total != 1 || list.Articles[0].Title != sampleTitle || list.Articles[0].Published != samplePublished ||
		list.Articles[0].ID != geo.ArticleID("", sampleText) {
		t.Fatalf("articles on first start: %+v", list)
	}
	var fc struct {
		NumberMatched int `json:"numberMatched"`
	}
	getJSON(t, s.URL()+"/api/events", &fc)
	if fc.NumberMatched != list.Articles[0].Events {
		t.Errorf("%d events served, the sample article has %d", fc.NumberMatched, list.Articles[0].Events)
	}
	var cfg map[string]any
	getJSON(t, s.URL()+"/api/config", &cfg)
	if cfg["tile_url"] != "" || cfg["extractor_version"] != extract.Version {
		t.Errorf("config with --tiles \"\": %v", cfg)
	}
	if !strings.Contains(logs.String(), "path=/api/events") || !strings.Contains(logs.String(), "cache=miss") ||
		!strings.Contains(logs.String(), "status=200") || !strings.Contains(logs.String(), "duration=") {
		t.Errorf("request log lacks path, status, duration or cache state:\n%s", logs)
	}
}

// The sample is ingested only into an empty store: a restart on the same
// file keeps what is there and adds nothing.
func TestServeKeepsDataAcrossRestart(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "keep.db")
	env, _, logs := testEnv(nil)
	for i := 0; i < 2; i++ {
		var s Server
		if err := s.ParseFlags(env, []string{"--addr", "127.0.0.1:0", "--db", db}); err != nil {
			t.Fatal(err)
		}
		if err := s.Open(context.Background()); err != nil {
			t.Fatalf("start %d: %v\n%s", i, err, logs)
		}
		_, total, err := s.store.Articles(context.Background(), 10, 0)
		if err != nil || total != 1 {
			t.Errorf("start %d: %d articles, %v", i, total, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestServeFlagsFallBackToEnvironment(t *testing.T) {
	t.Parallel()
	env, _, _ := testEnv(map[string]string{
		"CONFLICTMAP_ADDR": "127.0.0.1:9999", "CONFLICTMAP_DB": "/tmp/x.db", "REDIS_URL": "redis://127.0.0.1:6379/2",
		"CONFLICTMAP_TOKEN": "tok", "CONFLICTMAP_TILE_URL": "https://t/{z}/{x}/{y}.png", "CONFLICTMAP_MAX_BODY": "2048",
		"CONFLICTMAP_PG_SCHEMA": "cm", "CONFLICTMAP_CACHE_MB": "8", "CONFLICTMAP_LOG_LEVEL": "warn",
	})
	var s Server
	if err := s.ParseFlags(env, nil); err != nil {
		t.Fatal(err)
	}
	c := s.Config
	if c.Addr != "127.0.0.1:9999" || c.DB != "/tmp/x.db" || c.Redis != "redis://127.0.0.1:6379/2" || c.Token != "tok" ||
		c.Tiles != "https://t/{z}/{x}/{y}.png" || c.MaxBody != 2048 || c.PGSchema != "cm" || c.CacheMB != 8 || c.LogLevel != "warn" {
		t.Errorf("from the environment: %+v", c)
	}
	if c.TileAttribution != "" {
		t.Errorf("custom tiles got OpenStreetMap's credit %q", c.TileAttribution)
	}
	// A flag wins over the environment, and an empty --tiles means none.
	if err := s.ParseFlags(env, []string{"--addr", ":1", "--tiles", ""}); err != nil {
		t.Fatal(err)
	}
	if s.Config.Addr != ":1" || s.Config.Tiles != "" {
		t.Errorf("flags over environment: %+v", s.Config)
	}
	env, _, errb := testEnv(map[string]string{"CONFLICTMAP_MAX_BODY": "1MB"})
	if err := s.ParseFlags(env, nil); err == nil || !strings.Contains(err.Error(), "CONFLICTMAP_MAX_BODY") {
		t.Errorf("a bad CONFLICTMAP_MAX_BODY: %v %s", err, errb)
	}
}

// Every command answers --help with its flags and exits 0.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		env, out, _ := testEnv(nil)
		err := Main(context.Background(), env, []string{c.name, "--help"})
		if !errors.Is(err, flag.ErrHelp) && err != nil {
			t.Errorf("%s --help: %v", c.name, err)
		}
		if exitCode(err) != 0 || !strings.Contains(out.String(), "Usage: conflictmap "+c.name) {
			t.Errorf("%s --help: exit %d, output:\n%s", c.name, exitCode(err), out)
		}
	}
	env, out, _ := testEnv(nil)
	Main(context.Background(), env, []string{"serve", "--help"})
	for _, want := range []string{"CONFLICTMAP_ADDR", "CONFLICTMAP_DB", "REDIS_URL", "CONFLICTMAP_TOKEN", "CONFLICTMAP_TILE_URL", "-max-body", "-cache-mb", "-log-level", "-pg-schema"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help does not mention %s", want)
		}
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIngestCommand(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, "--token", "tok")
	dir := t.TempDir()
	a := writeFile(t, dir, "damascus.txt", "Strikes on Damascus\nIsraeli strikes hit residences in Damascus on Tuesday, killing four people.\n")
	b := writeFile(t, dir, "long-first-line.txt", strings.Repeat("word ", 60)+"\nShelling hit Kharkiv.\n")
	jl := writeFile(t, dir, "batch.jsonl",
		`{"title": "Rafah", "url": "https://example.org/rafah", "published": "2024-02-27", "text": "Israel threatened an offensive on Rafah."}`+"\n\n"+
			`{"title": "Red Sea", "text": "Houthi forces attacked a ship in the Red Sea on Monday."}`+"\n")

	env, out, errb := testEnv(map[string]string{"CONFLICTMAP_SERVER": s.URL(), "CONFLICTMAP_TOKEN": "tok"})
	if err := Main(context.Background(), env, []string{"ingest", "--published", "2024-02-20", a, b, jl}); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errb)
	}
	for _, want := range []string{"[1/4] " + a + ":", "[4/4] " + jl + ":3:", "ingested 4 of 4 articles"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, errb)
		}
	}
	if n := strings.Count(out.String(), "\n"); n != 4 {
		t.Errorf("stdout has %d result lines, want 4:\n%s", n, out)
	}
	st := s.store
	check := func(id, title, published string) {
		t.Helper()
		got, err := st.Article(context.Background(), id)
		if err != nil || got.Title != title || got.Published != published {
			t.Errorf("article %s: %+v, %v; want title %q published %q", id, got, err, title, published)
		}
	}
	check(geo.ArticleID("", "Strikes on Damascus\nIsraeli strikes hit residences in Damascus on Tuesday, killing four people.\n"), "Strikes on Damascus", "2024-02-20")
	check(geo.ArticleID("", strings.Repeat("word ", 60)+"\nShelling hit Kharkiv.\n"), "long-first-line.txt", "2024-02-20")
	check(geo.ArticleID("https://example.org/rafah", ""), "Rafah", "2024-02-27")
	check(geo.ArticleID("", "Houthi forces attacked a ship in the Red Sea on Monday."), "Red Sea", "2024-02-20")

	// A wrong token, a missing file and a bad line fail by name, with the
	// server's own words, and the command exits non-zero.
	bad := writeFile(t, dir, "bad.jsonl", "{not json}\n")
	env, _, errb = testEnv(map[string]string{"CONFLICTMAP_SERVER": s.URL()})
	err := Main(context.Background(), env, []string{"ingest", "--token", "nope", a, filepath.Join(dir, "missing.txt"), bad})
	if err == nil || exitCode(err) == 0 {
		t.Fatalf("failures must exit non-zero: %v", err)
	}
	for _, want := range []string{a, "wrong token", "missing.txt", "bad.jsonl:1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if !strings.Contains(errb.String(), "ingested 0 of 3") {
		t.Errorf("summary:\n%s", errb)
	}
}

// reextract replaces every article's events with the current extractor's
// and bumps the data version, so servers answer with them at once.
func TestReextract(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "re.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	old := geo.Article{Title: "Old", Published: "2024-02-27", Text: sampleText}
	old.ID = geo.ArticleID("", old.Text)
	stale := geo.Event{ID: "stale-rule-output", EventDate: "2024-01-01", EventType: geo.Riots, Modality: geo.Occurred, ArticleID: old.ID, ExtractorVersion: "0.0.1"}
	if _, err := st.Ingest(ctx, old, []geo.Event{stale}); err != nil {
		t.Fatal(err)
	}
	v0, _ := st.Version(ctx)
	st.Close()

	env, _, errb := testEnv(map[string]string{"CONFLICTMAP_DB": db})
	if err := Main(ctx, env, []string{"reextract"}); err != nil {
		t.Fatalf("reextract: %v\n%s", err, errb)
	}
	if !strings.Contains(errb.String(), "[1/1]") || !strings.Contains(errb.String(), "re-extracted 1 article ") {
		t.Errorf("progress:\n%s", errb)
	}
	st, err = sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, _ := st.Version(ctx); v <= v0 {
		t.Errorf("version %d after reextract, was %d", v, v0)
	}
	if _, err := st.Event(ctx, stale.ID); geo.ErrorCode(err) != geo.ENOTFOUND {
		t.Errorf("the old rules' event survived: %v", err)
	}
	page, err := st.Events(ctx, geo.Filter{Limit: geo.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Events {
		if e.ExtractorVersion != extract.Version {
			t.Errorf("event %s from extractor %q, want %q", e.ID, e.ExtractorVersion, extract.Version)
		}
	}
	a, err := st.Article(ctx, old.ID)
	if err != nil || a.Text != sampleText || a.Events != len(page.Events) {
		t.Errorf("article after reextract: %+v %v", a, err)
	}
}

// pgDSN returns the test PostgreSQL's URL, skipping (or under CI failing)
// when it does not answer.
func pgDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("CONFLICTMAP_TEST_PG")
	if dsn == "" {
		dsn = "postgres://root@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s does not answer (CI needs it): %v", dsn, err)
		}
		t.Skipf("PostgreSQL at %s does not answer: %v", dsn, err)
	}
	return dsn
}

// dropSchema drops a test's PostgreSQL schema.
func dropSchema(t *testing.T, dsn, schema string) {
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Errorf("dropping schema %s: %v", schema, err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		t.Errorf("dropping schema %s: %v", schema, err)
	}
}

// Two servers on one PostgreSQL/PostGIS schema, as a scaled-out deployment
// runs them: the first fills the empty store with the sample, the second
// finds it there, and an article posted to one is served by the other.
func TestServeOnPostGIS(t *testing.T) {
	t.Parallel()
	dsn := pgDSN(t)
	schema := fmt.Sprintf("cm_test_serve_%d", time.Now().UnixNano())
	t.Cleanup(func() { dropSchema(t, dsn, schema) })
	a, _ := startServer(t, "--db", dsn, "--pg-schema", schema, "--token", "tok")
	b, _ := startServer(t, "--db", dsn, "--pg-schema", schema)
	var list struct{ Total int }
	getJSON(t, b.URL()+"/api/articles", &list)
	if list.Total != 1 {
		t.Fatalf("%d articles on the second server, want the sample once", list.Total)
	}
	var before struct{ NumberMatched int }
	getJSON(t, b.URL()+"/api/events", &before)

	body := `{"title": "Kharkiv", "url": "https://example.org/kharkiv", "published": "2024-02-20", "text": "Russian shelling hit Kharkiv on Tuesday, killing two people."}`
	req, _ := http.NewRequest(http.MethodPost, a.URL()+"/api/articles", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Article struct {
			ID     string
			Events int
		}
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	var got struct{ Title string }
	if r := getJSON(t, b.URL()+"/api/articles/"+created.Article.ID, &got); r.StatusCode != http.StatusOK || got.Title != "Kharkiv" {
		t.Errorf("the other server: %d %+v", r.StatusCode, got)
	}
	var after struct{ NumberMatched int }
	getJSON(t, b.URL()+"/api/events", &after)
	if after.NumberMatched != before.NumberMatched+created.Article.Events {
		t.Errorf("the other server serves %d events, want %d + %d", after.NumberMatched, before.NumberMatched, created.Article.Events)
	}
}
