package cache_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"conflictmap/handlers/cache"
)

// sharedRedisURL is the shared test server; tests use their own key prefix
// on it and never flush it.
const sharedRedisURL = "redis://127.0.0.1:6379/0"

// needService fails under CI (where every service must be there) and skips
// elsewhere, saying what is missing.
func needService(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (not under CI: skipping)")
}

func requireSharedRedis(t testing.TB) {
	t.Helper()
	opts, err := redis.ParseURL(sharedRedisURL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		needService(t, "shared Redis at %s does not answer: %v", sharedRedisURL, err)
	}
}

func randomPrefix(t testing.TB) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "cmtest:" + hex.EncodeToString(b[:]) + ":"
}

// deleteKeys removes what a test wrote under its prefix.
func deleteKeys(t testing.TB, url, prefix string) {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Error(err)
		return
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Logf("cleaning %s*: %v", prefix, err)
	}
}

// newSharedRedis returns a Redis backend on the shared server under a fresh
// prefix, removed at cleanup.
func newSharedRedis(t testing.TB, opts cache.RedisOptions) *cache.Redis {
	t.Helper()
	r, _ := newSharedRedisPrefix(t, opts)
	return r
}

// newSharedRedisPrefix is newSharedRedis that also returns the prefix.
func newSharedRedisPrefix(t testing.TB, opts cache.RedisOptions) (*cache.Redis, string) {
	t.Helper()
	requireSharedRedis(t)
	if opts.URL == "" {
		opts.URL = sharedRedisURL
	}
	opts.Prefix = randomPrefix(t)
	if opts.Timeout == 0 {
		// The shared server answers in microseconds, but a busy machine
		// running the race detector has held a GET past the 100 ms default,
		// and the layer then rightly bypasses Redis: tests that are not
		// about timeouts must not depend on the machine's load.
		opts.Timeout = 5 * time.Second
	}
	r, err := cache.NewRedis(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		deleteKeys(t, opts.URL, opts.Prefix)
		r.Close()
	})
	return r, opts.Prefix
}

// startPrivateRedis runs a redis-server of the test's own on a unix socket,
// with DEBUG enabled, and returns its URL and a function that kills it (as a
// crash would). It is killed at cleanup in any case.
func startPrivateRedis(t *testing.T) (string, func()) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		needService(t, "redis-server binary not found: %v", err)
	}
	dir, err := os.MkdirTemp("", "cmredis") // short: a socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", dir, "--enable-debug-command", "yes")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(func() {
		stop()
		os.RemoveAll(dir)
	})
	url := "unix://" + sock
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return url, stop
		}
		if i == 100 {
			t.Fatalf("private redis-server on %s does not answer: %v\n%s", sock, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logBuffer is a slog destination that tests read back.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) count(substr string) int {
	return strings.Count(b.String(), substr)
}

func newLogger(b *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// bodyFor is what the builder answers for a key: large enough to compress,
// different for each key.
func bodyFor(key string) []byte {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range 200 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"Feature","id":"%s-%d","geometry":{"type":"Point","coordinates":[35.%d,31.%d]},"properties":{"event_type":"Explosions/Remote violence","key":%q}}`, key, i, i, i*7, key)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// testServer answers every path through layer, keyed by the path, building
// bodyFor(path) and counting builds.
type testServer struct {
	*httptest.Server
	builds atomic.Int64
}

func newTestServer(t testing.TB, layer *cache.Layer) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		err := layer.Respond(w, r, key, func(context.Context) (cache.Body, error) {
			ts.builds.Add(1)
			return cache.Body{ContentType: "application/geo+json", Data: bodyFor(key)}, nil
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// get sends a request without the transport's own gzip handling, so that
// the test sees the bytes on the wire.
func get(t testing.TB, method, url string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: body}
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("body is not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("body is not gzip: %v", err)
	}
	return out
}
