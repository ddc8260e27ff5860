package static_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// chromiumPath is the Debian package's browser, the one the tests drive.
const chromiumPath = "/usr/bin/chromium"

// screenshots are the pictures test/browser.mjs takes that are committed
// under screenshots/.
var screenshots = []string{
	"desktop-first-view.png", "desktop-range.png", "desktop-playback.png", "desktop-popup.png", "desktop-feed.png",
	"phone-first-view.png", "phone-range.png", "phone-playback.png", "phone-popup.png", "phone-feed.png",
}

// token is the ingest token the test server is started with.
const token = "test"

// TestBrowser runs the map page's browser tests (test/browser.mjs, headless
// Chromium through playwright-core) against the real server: it builds the
// conflictmap binary, starts it on a temporary database (which ingests the
// bundled sample article), posts the articles of testdata/articles.json,
// and fails when the page does. Screenshots go to ../testout; with
// UPDATE_SCREENSHOTS=1 the committed pair in screenshots/ is refreshed too.
func TestBrowser(t *testing.T) {
	node := requireTools(t)

	dir := t.TempDir()
	bin := filepath.Join(dir, "conflictmap")
	build := exec.Command("go", "build", "-o", bin, "conflictmap/cmd/conflictmap")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building conflictmap: %v\n%s", err, out)
	}

	base := startServer(t, bin, dir)
	if n := matched(t, base); n == 0 {
		// The page's checks are about the sample article's places; with an
		// extractor that finds none there is nothing to look at.
		msg := "the server holds no event after ingesting its sample article on first start"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping the browser tests")
	}
	for _, a := range testArticles(t) {
		postArticle(t, base, a)
	}

	shots, err := filepath.Abs(filepath.Join("..", "testout"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "browser.mjs"), base, shots)
	cmd.Env = append(os.Environ(), "CONFLICTMAP_TOKEN="+token, "CHROMIUM="+chromiumPath)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err = cmd.Run()
	t.Logf("node test/browser.mjs %s:\n%s", base, out.String())
	if err != nil {
		t.Fatalf("browser tests failed: %v (output above; screenshots in %s)", err, shots)
	}
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		for _, name := range screenshots {
			copyFile(t, filepath.Join(shots, name), filepath.Join("screenshots", name))
		}
	}
}

// requireTools returns node's path, or skips (fails under CI=true) when
// node, Chromium, the npm packages or the built assets are missing.
func requireTools(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI=true requires the browser tests to run", what)
		}
		t.Skipf("%s; skipping the browser tests", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH (install Node.js 20)")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		missing(chromiumPath + " is missing (apt-get install chromium)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core", "package.json")); err != nil {
		missing("static/node_modules has no playwright-core (run make assets)")
	}
	if _, err := os.Stat(filepath.Join("vendor", "leaflet", "leaflet.js")); err != nil {
		missing("the page's assets are not built (run make assets)")
	}
	if _, err := exec.LookPath("go"); err != nil {
		missing("the go command is not on PATH")
	}
	return node
}

// startServer runs `conflictmap serve` on a free loopback port with its own
// database, no Redis (a shared Redis would mix this store's data versions
// with another's) and no tiles, plus the flags of extra, and stops it when
// the test ends.
func startServer(t *testing.T, bin, dir string, extra ...string) string {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"serve", "--addr", addr, "--db", filepath.Join(dir, "db"),
		"--token", token, "--tiles", "", "--log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = serverEnv()
	logs := &syncBuffer{}
	cmd.Stdout = logs
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting conflictmap serve: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	base := "http://" + addr + "/"
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("conflictmap serve exited before it was ready: %v\n%s", err, logs.String())
		default:
		}
		r, err := http.Get(base + "readyz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("conflictmap serve not ready after 60s (last: %v)\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serverEnv is the environment without the variables that would point the
// test server at shared services or another configuration.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "REDIS_URL=") || strings.HasPrefix(kv, "CONFLICTMAP_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func matched(t *testing.T, base string) int {
	t.Helper()
	r, err := http.Get(base + "api/events?limit=1")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var fc struct {
		NumberMatched int `json:"numberMatched"`
	}
	if err := json.NewDecoder(r.Body).Decode(&fc); err != nil {
		t.Fatalf("decoding /api/events: %v", err)
	}
	return fc.NumberMatched
}

type article struct {
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Text      string `json:"text"`
}

func testArticles(t *testing.T) []article {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "articles.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []article
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("testdata/articles.json: %v", err)
	}
	return list
}

func postArticle(t *testing.T, base string, a article) {
	t.Helper()
	body, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"api/articles", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("posting %q: %v", a.Title, err)
	}
	defer r.Body.Close()
	answer, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("posting %q: %s: %s", a.Title, r.Status, answer)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer collects the server's output from its two streams.
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
