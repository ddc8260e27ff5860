package cache_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"conflictmap/handlers/cache"
)

// backends runs f once on each way the server runs its cache: the
// in-process backend, Redis alone (every hit a Redis read), and Redis with a
// near cache in front.
func backends(t *testing.T, f func(t *testing.T, b cache.Backend, opts cache.Options)) {
	t.Run("memory", func(t *testing.T) { f(t, cache.NewMemory(16<<20), cache.Options{}) })
	t.Run("redis", func(t *testing.T) { f(t, newSharedRedis(t, cache.RedisOptions{}), cache.Options{}) })
	t.Run("redis+near", func(t *testing.T) {
		f(t, newSharedRedis(t, cache.RedisOptions{}), cache.Options{Near: cache.NewMemory(16 << 20)})
	})
}

func TestRepeatedRequestIsAHitWithTheSameBytes(t *testing.T) {
	backends(t, func(t *testing.T, b cache.Backend, opts cache.Options) {
		ts := newTestServer(t, cache.New(b, opts))
		want := bodyFor("/events")

		first := get(t, "GET", ts.URL+"/events")
		second := get(t, "GET", ts.URL+"/events")
		for i, a := range []answer{first, second} {
			if a.status != http.StatusOK {
				t.Fatalf("request %d: status %d", i, a.status)
			}
			if got := a.header.Get("Content-Encoding"); got != "" {
				t.Errorf("request %d without Accept-Encoding: Content-Encoding %q", i, got)
			}
			if got := a.header.Get("Content-Type"); got != "application/geo+json" {
				t.Errorf("request %d: Content-Type %q", i, got)
			}
			if got := a.header.Get("Vary"); !strings.Contains(got, "Accept-Encoding") {
				t.Errorf("request %d: Vary %q", i, got)
			}
			if !bytes.Equal(a.body, want) {
				t.Errorf("request %d: body differs from the built one (%d bytes, want %d)", i, len(a.body), len(want))
			}
		}
		if got := first.header.Get("X-Cache"); got != "miss" {
			t.Errorf("first request: X-Cache %q, want miss", got)
		}
		if got := second.header.Get("X-Cache"); got != "hit" {
			t.Errorf("second request: X-Cache %q, want hit", got)
		}
		// The tier is told on hits, and only by a layer with a near cache;
		// the miss stored the answer near, so the hit came from there.
		wantTier := ""
		if opts.Near != nil {
			wantTier = cache.TierNear
		}
		if got := first.header.Get(cache.HeaderCacheTier); got != "" {
			t.Errorf("miss: %s %q, want none", cache.HeaderCacheTier, got)
		}
		if got := second.header.Get(cache.HeaderCacheTier); got != wantTier {
			t.Errorf("hit: %s %q, want %q", cache.HeaderCacheTier, got, wantTier)
		}
		if first.header.Get("ETag") == "" || first.header.Get("ETag") != second.header.Get("ETag") {
			t.Errorf("ETag of miss %q and hit %q", first.header.Get("ETag"), second.header.Get("ETag"))
		}

		// A gzip client on the same entry gets the stored compressed bytes.
		gz := get(t, "GET", ts.URL+"/events", "Accept-Encoding", "gzip, deflate, br")
		if gz.header.Get("Content-Encoding") != "gzip" || gz.header.Get("X-Cache") != "hit" {
			t.Fatalf("gzip request: Content-Encoding %q X-Cache %q", gz.header.Get("Content-Encoding"), gz.header.Get("X-Cache"))
		}
		if !bytes.Equal(gunzip(t, gz.body), want) {
			t.Error("gzip body does not inflate to the built body")
		}
		if len(gz.body) >= len(want) {
			t.Errorf("gzip body %d bytes, identity %d: not compressed", len(gz.body), len(want))
		}
		if gz.header.Get("ETag") == first.header.Get("ETag") {
			t.Errorf("gzip and identity answers share the ETag %q", gz.header.Get("ETag"))
		}
		if n := ts.builds.Load(); n != 1 {
			t.Errorf("built %d times for one key, want 1", n)
		}

		// gzip first: the miss and the hit send the same compressed bytes.
		gzMiss := get(t, "GET", ts.URL+"/other", "Accept-Encoding", "gzip")
		gzHit := get(t, "GET", ts.URL+"/other", "Accept-Encoding", "gzip")
		if gzMiss.header.Get("X-Cache") != "miss" || gzHit.header.Get("X-Cache") != "hit" {
			t.Errorf("gzip X-Cache %q then %q, want miss then hit", gzMiss.header.Get("X-Cache"), gzHit.header.Get("X-Cache"))
		}
		if !bytes.Equal(gzMiss.body, gzHit.body) {
			t.Error("gzip miss and hit bodies differ")
		}
		if gzMiss.header.Get("ETag") != gzHit.header.Get("ETag") {
			t.Errorf("gzip ETag of miss %q and hit %q", gzMiss.header.Get("ETag"), gzHit.header.Get("ETag"))
		}
		if !bytes.Equal(gunzip(t, gzHit.body), bodyFor("/other")) {
			t.Error("gzip hit does not inflate to the built body")
		}
	})
}

func TestIfNoneMatch(t *testing.T) {
	backends(t, func(t *testing.T, b cache.Backend, opts cache.Options) {
		ts := newTestServer(t, cache.New(b, opts))
		plain := get(t, "GET", ts.URL+"/e")
		gz := get(t, "GET", ts.URL+"/e", "Accept-Encoding", "gzip")
		tag, gzTag := plain.header.Get("ETag"), gz.header.Get("ETag")
		if !strings.HasPrefix(tag, `"`) || !strings.HasPrefix(gzTag, `"`) {
			t.Fatalf("ETags %q and %q are not strong", tag, gzTag)
		}

		cases := []struct {
			name, method, ifNoneMatch, acceptEncoding string
			want                                      int
		}{
			{"same tag", "GET", tag, "", http.StatusNotModified},
			{"in a list", "GET", `"stale", ` + tag, "", http.StatusNotModified},
			{"star", "GET", "*", "", http.StatusNotModified},
			{"weak form", "GET", "W/" + tag, "", http.StatusNotModified},
			{"gzip tag from a gzip client", "GET", gzTag, "gzip", http.StatusNotModified},
			{"HEAD", "HEAD", tag, "", http.StatusNotModified},
			{"other tag", "GET", `"stale"`, "", http.StatusOK},
			{"gzip tag from an identity client", "GET", gzTag, "", http.StatusOK},
			{"identity tag from a gzip client", "GET", tag, "gzip", http.StatusOK},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				hdr := []string{"If-None-Match", c.ifNoneMatch}
				if c.acceptEncoding != "" {
					hdr = append(hdr, "Accept-Encoding", c.acceptEncoding)
				}
				a := get(t, c.method, ts.URL+"/e", hdr...)
				if a.status != c.want {
					t.Fatalf("status %d, want %d", a.status, c.want)
				}
				if c.want == http.StatusNotModified {
					if len(a.body) != 0 {
						t.Errorf("304 with a %d-byte body", len(a.body))
					}
					if a.header.Get("ETag") == "" || !strings.Contains(a.header.Get("Vary"), "Accept-Encoding") {
						t.Errorf("304 without ETag or Vary: %v", a.header)
					}
				}
				if a.header.Get("X-Cache") != "hit" {
					t.Errorf("X-Cache %q, want hit", a.header.Get("X-Cache"))
				}
			})
		}
	})
}

func TestHeadSendsHeadersOnly(t *testing.T) {
	ts := newTestServer(t, cache.New(cache.NewMemory(1<<20), cache.Options{}))
	a := get(t, "HEAD", ts.URL+"/h")
	if a.status != http.StatusOK || len(a.body) != 0 {
		t.Fatalf("HEAD: status %d, %d body bytes", a.status, len(a.body))
	}
	if got, want := a.header.Get("Content-Length"), len(bodyFor("/h")); got != strconv.Itoa(want) {
		t.Errorf("HEAD Content-Length %s, want %d", got, want)
	}
	if a.header.Get("ETag") == "" || a.header.Get("X-Cache") != "miss" {
		t.Errorf("HEAD headers: %v", a.header)
	}
	if g := get(t, "GET", ts.URL+"/h"); g.header.Get("X-Cache") != "hit" || g.header.Get("ETag") != a.header.Get("ETag") {
		t.Errorf("GET after HEAD: X-Cache %q ETag %q", g.header.Get("X-Cache"), g.header.Get("ETag"))
	}
}

func TestAcceptEncoding(t *testing.T) {
	ts := newTestServer(t, cache.New(cache.NewMemory(1<<20), cache.Options{}))
	for _, c := range []struct {
		header string
		gzip   bool
	}{
		{"", false},
		{"identity", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"br, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false},
		{"br", false},
	} {
		a := get(t, "GET", ts.URL+"/ae", "Accept-Encoding", c.header)
		got := a.header.Get("Content-Encoding") == "gzip"
		if got != c.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", c.header, got, c.gzip)
		}
		body := a.body
		if got {
			body = gunzip(t, body)
		}
		if !bytes.Equal(body, bodyFor("/ae")) {
			t.Errorf("Accept-Encoding %q: wrong body", c.header)
		}
	}
}

func TestBuildErrorIsReturnedAndNotCached(t *testing.T) {
	backends(t, func(t *testing.T, b cache.Backend, opts cache.Options) {
		layer := cache.New(b, opts)
		errStore := errors.New("store is down")
		var calls int
		build := func(context.Context) (cache.Body, error) {
			calls++
			if calls == 1 {
				return cache.Body{}, errStore
			}
			return cache.Body{ContentType: "text/csv", Data: []byte("a,b\n1,2\n")}, nil
		}
		rec := httptest.NewRecorder()
		err := layer.Respond(rec, httptest.NewRequest("GET", "/x", nil), "v1:x", build)
		if !errors.Is(err, errStore) {
			t.Fatalf("Respond returned %v, want the build's error", err)
		}
		if rec.Body.Len() != 0 || rec.Header().Get("X-Cache") != "" {
			t.Errorf("a failed build wrote %q with headers %v", rec.Body.String(), rec.Header())
		}
		rec = httptest.NewRecorder()
		if err := layer.Respond(rec, httptest.NewRequest("GET", "/x", nil), "v1:x", build); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "miss" || rec.Body.String() != "a,b\n1,2\n" {
			t.Errorf("after a failed build: %d %q %q", rec.Code, rec.Header().Get("X-Cache"), rec.Body.String())
		}
		if calls != 2 {
			t.Errorf("build called %d times, want 2 (the error was cached)", calls)
		}
	})
}

// gatedBackend counts Gets, so a test knows every request has looked the key
// up (and missed) before it lets the build finish.
type gatedBackend struct {
	cache.Backend
	gets atomic.Int64
}

func (g *gatedBackend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	defer g.gets.Add(1)
	return g.Backend.Get(ctx, key)
}

// concurrentMisses sends n requests on one key at once, holding the build
// until all n have missed, and returns their recorders and errors.
func concurrentMisses(t *testing.T, layer *cache.Layer, gb *gatedBackend, n int, key string, build func(context.Context) (cache.Body, error)) ([]*httptest.ResponseRecorder, []error) {
	t.Helper()
	release := make(chan struct{})
	go func() {
		for gb.gets.Load() < int64(n) {
			time.Sleep(time.Millisecond)
		}
		// Every request has missed; give the last ones the moment they
		// need to join the flight before it lands.
		time.Sleep(100 * time.Millisecond)
		close(release)
	}()
	gb.gets.Store(0)
	recs := make([]*httptest.ResponseRecorder, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		recs[i] = httptest.NewRecorder()
		wg.Go(func() {
			errs[i] = layer.Respond(recs[i], httptest.NewRequest("GET", "/"+key, nil), key, func(ctx context.Context) (cache.Body, error) {
				<-release
				return build(ctx)
			})
		})
	}
	wg.Wait()
	return recs, errs
}

func TestConcurrentMissesBuildOnce(t *testing.T) {
	backends(t, func(t *testing.T, b cache.Backend, opts cache.Options) {
		gb := &gatedBackend{Backend: b}
		layer := cache.New(gb, opts)
		const n = 16
		var builds atomic.Int64
		recs, errs := concurrentMisses(t, layer, gb, n, "v1:k", func(context.Context) (cache.Body, error) {
			builds.Add(1)
			return cache.Body{ContentType: "application/geo+json", Data: bodyFor("k")}, nil
		})
		if got := builds.Load(); got != 1 {
			t.Errorf("%d concurrent misses built %d times, want 1", n, got)
		}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			if recs[i].Code != http.StatusOK || recs[i].Header().Get("X-Cache") != "miss" || !bytes.Equal(recs[i].Body.Bytes(), bodyFor("k")) {
				t.Errorf("request %d: %d X-Cache %q, %d bytes", i, recs[i].Code, recs[i].Header().Get("X-Cache"), recs[i].Body.Len())
			}
		}
	})
}

func TestConcurrentMissesShareABuildError(t *testing.T) {
	b := &gatedBackend{Backend: cache.NewMemory(1 << 20)}
	layer := cache.New(b, cache.Options{})
	const n = 8
	errStore := errors.New("store timed out")
	var builds atomic.Int64
	_, errs := concurrentMisses(t, layer, b, n, "v1:k", func(context.Context) (cache.Body, error) {
		builds.Add(1)
		return cache.Body{}, errStore
	})
	if got := builds.Load(); got != 1 {
		t.Errorf("%d concurrent misses built %d times, want 1", n, got)
	}
	for i, err := range errs {
		if !errors.Is(err, errStore) {
			t.Errorf("request %d: %v, want the build's error", i, err)
		}
	}
	// The error belonged to that flight only: the next request builds anew.
	rec := httptest.NewRecorder()
	err := layer.Respond(rec, httptest.NewRequest("GET", "/k", nil), "v1:k", func(context.Context) (cache.Body, error) {
		builds.Add(1)
		return cache.Body{ContentType: "text/plain", Data: []byte("ok")}, nil
	})
	if err != nil || rec.Body.String() != "ok" || builds.Load() != 2 {
		t.Errorf("request after the failed flight: err %v body %q builds %d", err, rec.Body.String(), builds.Load())
	}
}

func TestMemoryIsBoundedAndEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	m := cache.NewMemory(100)
	val := bytes.Repeat([]byte("x"), 29) // 30 bytes with a one-letter key
	for _, k := range []string{"a", "b", "c"} {
		if err := m.Set(ctx, k, val); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := m.Get(ctx, "a"); !ok { // a is now the most recently used
		t.Fatal("a missing before the cache was full")
	}
	if err := m.Set(ctx, "d", val); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok, _ := m.Get(ctx, k); ok != want {
			t.Errorf("after inserting d into a full cache: %s present %v, want %v", k, ok, want)
		}
	}
	if m.Size() > 100 {
		t.Errorf("holds %d bytes, bound 100", m.Size())
	}

	// A value that can never fit is not stored and evicts nothing.
	if err := m.Set(ctx, "huge", bytes.Repeat([]byte("x"), 200)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := m.Get(ctx, "huge"); ok {
		t.Error("stored a value larger than the bound")
	}
	if m.Len() != 3 {
		t.Errorf("%d entries after an oversized set, want 3", m.Len())
	}

	// Through the layer: many answers never make the cache exceed its bound.
	const bound = 64 << 10
	mem := cache.NewMemory(bound)
	layer := cache.New(mem, cache.Options{})
	var peak int64
	for i := range 200 {
		key := "v1:q" + strconv.Itoa(i)
		rec := httptest.NewRecorder()
		if err := layer.Respond(rec, httptest.NewRequest("GET", "/", nil), key, func(context.Context) (cache.Body, error) {
			return cache.Body{Data: bodyFor(key)}, nil
		}); err != nil {
			t.Fatal(err)
		}
		peak = max(peak, mem.Size())
	}
	if peak > bound {
		t.Errorf("memory cache held %d bytes, bound %d", peak, bound)
	}
	if mem.Len() == 0 || mem.Len() == 200 {
		t.Errorf("memory cache holds %d of 200 answers: no eviction or nothing kept", mem.Len())
	}
}

func TestRedisURLSelectsDatabaseAndEntriesExpire(t *testing.T) {
	r, prefix := newSharedRedisPrefix(t, cache.RedisOptions{URL: "redis://127.0.0.1:6379/3", TTL: 10 * time.Minute})
	ts := newTestServer(t, cache.New(r, cache.Options{}))
	if a := get(t, "GET", ts.URL+"/db"); a.header.Get("X-Cache") != "miss" {
		t.Fatalf("X-Cache %q", a.header.Get("X-Cache"))
	}
	ctx := context.Background()
	db0 := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 0})
	defer db0.Close()
	db3 := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 3})
	defer db3.Close()
	if n, err := db0.Exists(ctx, prefix+"/db").Result(); err != nil || n != 0 {
		t.Errorf("entry in database 0 (%d, %v), want it in 3 only", n, err)
	}
	ttl, err := db3.TTL(ctx, prefix+"/db").Result()
	if err != nil || ttl <= 0 || ttl > 10*time.Minute {
		t.Errorf("entry in database 3: TTL %v (%v), want a TTL up to 10m", ttl, err)
	}
}

func TestRedisOnAClosedPortBypassesAndWarnsOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	var logs logBuffer
	r, err := cache.NewRedis(cache.RedisOptions{URL: "redis://" + addr + "/0", Prefix: "cmtest:closed:", Logger: newLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	layer := cache.New(r, cache.Options{Logger: newLogger(&logs)})
	ts := newTestServer(t, layer)
	const n = 20
	for i := range n {
		a := get(t, "GET", ts.URL+"/closed")
		if a.status != http.StatusOK || a.header.Get("X-Cache") != "bypass" || !bytes.Equal(a.body, bodyFor("/closed")) {
			t.Fatalf("request %d: status %d X-Cache %q, %d bytes", i, a.status, a.header.Get("X-Cache"), len(a.body))
		}
	}
	if got := logs.count("level=WARN"); got != 1 {
		t.Errorf("%d requests with Redis down logged %d warnings, want 1:\n%s", n, got, logs.String())
	}
	if ts.builds.Load() != n {
		t.Errorf("built %d times for %d bypassed requests", ts.builds.Load(), n)
	}

	st := layer.State(context.Background())
	if st.Backend != "redis" || st.OK || st.Error == "" {
		t.Errorf("State with Redis down: %+v", st)
	}
}

func TestStateReportsAHealthyBackend(t *testing.T) {
	backends(t, func(t *testing.T, b cache.Backend, opts cache.Options) {
		st := cache.New(b, opts).State(context.Background())
		if st.Backend != b.Name() || !st.OK || st.Error != "" {
			t.Errorf("State: %+v", st)
		}
	})
}

func TestStallingRedisIsBypassedAndResumes(t *testing.T) {
	t.Run("near off", func(t *testing.T) { testStallingRedis(t, false) })
	t.Run("near on", func(t *testing.T) { testStallingRedis(t, true) })
}

// testStallingRedis stalls a Redis of the test's own while requests go on:
// a query never stored is answered from the store, one warning is logged,
// and a stored query is answered from the store too (near off) or from the
// near cache (near on). Once Redis answers, answers are stored again.
func testStallingRedis(t *testing.T, near bool) {
	url, _ := startPrivateRedis(t)
	var logs logBuffer
	r, err := cache.NewRedis(cache.RedisOptions{URL: url, Prefix: "cmtest:stall:", RetryAfter: 200 * time.Millisecond, Logger: newLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	lopts := cache.Options{Logger: newLogger(&logs)}
	if near {
		lopts.Near = cache.NewMemory(16 << 20)
	}
	layer := cache.New(r, lopts)
	ts := newTestServer(t, layer)

	before := get(t, "GET", ts.URL+"/cached")
	if h := get(t, "GET", ts.URL+"/cached"); h.header.Get("X-Cache") != "hit" {
		t.Fatalf("before the stall: X-Cache %q, want hit", h.header.Get("X-Cache"))
	}

	// Stall the server from a connection of its own, and wait until a
	// quick PING shows it no longer answers.
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opts.ReadTimeout = 10 * time.Second
	sleeper := redis.NewClient(opts)
	defer sleeper.Close()
	slept := make(chan error, 1)
	go func() { slept <- sleeper.Do(context.Background(), "DEBUG", "SLEEP", "2").Err() }()
	probeOpts := *opts
	probeOpts.ReadTimeout, probeOpts.MaxRetries = 50*time.Millisecond, -1
	probe := redis.NewClient(&probeOpts)
	defer probe.Close()
	for {
		if probe.Ping(context.Background()).Err() != nil {
			break
		}
		select {
		case err := <-slept:
			t.Fatalf("DEBUG SLEEP returned before the server was seen stalling: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}

	stalledAnswers := 0
	for i := range 6 {
		path := "/new"
		if i%2 == 1 {
			path = "/cached"
		}
		a := get(t, "GET", ts.URL+path)
		stillStalled := len(slept) == 0
		if a.status != http.StatusOK || !bytes.Equal(a.body, bodyFor(path)) {
			t.Fatalf("request %d during the stall: status %d, %d bytes", i, a.status, len(a.body))
		}
		if !stillStalled {
			break // the stall ended while this request ran
		}
		stalledAnswers++
		want, wantTier := cache.Bypass, ""
		if near && path == "/cached" {
			want, wantTier = cache.Hit, cache.TierNear
		}
		if a.header.Get("X-Cache") != want || a.header.Get(cache.HeaderCacheTier) != wantTier {
			t.Errorf("request %d (%s) during the stall: X-Cache %q tier %q, want %q tier %q",
				i, path, a.header.Get("X-Cache"), a.header.Get(cache.HeaderCacheTier), want, wantTier)
		}
	}
	if stalledAnswers == 0 {
		t.Fatal("no request was answered while Redis stalled")
	}
	if got := logs.count("level=WARN"); got != 1 {
		t.Errorf("%d requests during the stall logged %d warnings, want 1:\n%s", stalledAnswers, got, logs.String())
	}

	if err := <-slept; err != nil {
		t.Fatalf("DEBUG SLEEP: %v", err)
	}
	// A query first asked now is stored again: a miss, not a bypass.
	var stored answer
	for range 100 {
		stored = get(t, "GET", ts.URL+"/after")
		if stored.header.Get("X-Cache") == cache.Miss {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if stored.header.Get("X-Cache") != cache.Miss {
		t.Errorf("after the stall: a new query answers X-Cache %q; the cache did not resume storing", stored.header.Get("X-Cache"))
	}
	after := get(t, "GET", ts.URL+"/cached")
	if after.header.Get("X-Cache") != "hit" || !bytes.Equal(after.body, before.body) {
		t.Errorf("after the stall: X-Cache %q, same body %v; the cache did not resume", after.header.Get("X-Cache"), bytes.Equal(after.body, before.body))
	}
	if !strings.Contains(logs.String(), "answers again") {
		t.Errorf("no line saying Redis answers again:\n%s", logs.String())
	}
}

func TestDamagedEntryIsRebuilt(t *testing.T) {
	ctx := context.Background()
	mem := cache.NewMemory(1 << 20)
	// No in-process inflated copies: identity hits must inflate the stored
	// bytes, which is where damage shows.
	layer := cache.New(mem, cache.Options{Logger: newLogger(&logBuffer{}), InflatedBytes: -1})
	ts := newTestServer(t, layer)
	good := get(t, "GET", ts.URL+"/d")
	stored, ok, _ := mem.Get(ctx, "/d")
	if !ok || good.header.Get("X-Cache") != "miss" {
		t.Fatal("first request did not store its answer")
	}
	for name, val := range map[string][]byte{
		"garbage":         []byte("not an entry"),
		"truncated":       append([]byte(nil), stored[:len(stored)-20]...),
		"flipped payload": append(append([]byte(nil), stored[:len(stored)-12]...), bytes.Repeat([]byte{0xff}, 12)...),
	} {
		t.Run(name, func(t *testing.T) {
			if err := mem.Set(ctx, "/d", val); err != nil {
				t.Fatal(err)
			}
			a := get(t, "GET", ts.URL+"/d")
			if a.status != http.StatusOK || a.header.Get("X-Cache") != "miss" || !bytes.Equal(a.body, good.body) {
				t.Errorf("damaged entry: status %d X-Cache %q, body equal %v", a.status, a.header.Get("X-Cache"), bytes.Equal(a.body, good.body))
			}
			if h := get(t, "GET", ts.URL+"/d"); h.header.Get("X-Cache") != "hit" || !bytes.Equal(h.body, good.body) {
				t.Errorf("after the rebuild: X-Cache %q", h.header.Get("X-Cache"))
			}
		})
	}
}

func TestInflatedCopyFollowsTheStoredBody(t *testing.T) {
	ctx := context.Background()
	shared := cache.NewMemory(1 << 20)
	ts := newTestServer(t, cache.New(shared, cache.Options{}))
	get(t, "GET", ts.URL+"/k")
	if a := get(t, "GET", ts.URL+"/k"); a.header.Get("X-Cache") != "hit" || !bytes.Equal(a.body, bodyFor("/k")) {
		t.Fatalf("identity hit: X-Cache %q", a.header.Get("X-Cache"))
	}

	// Another instance stores a different answer under the same key (as a
	// shared Redis would hold it): this instance must serve that one.
	other := cache.NewMemory(1 << 20)
	rec := httptest.NewRecorder()
	if err := cache.New(other, cache.Options{}).Respond(rec, httptest.NewRequest("GET", "/k", nil), "/k", func(context.Context) (cache.Body, error) {
		return cache.Body{ContentType: "application/geo+json", Data: []byte(`{"type":"FeatureCollection","features":[]}`)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	val, _, _ := other.Get(ctx, "/k")
	if err := shared.Set(ctx, "/k", val); err != nil {
		t.Fatal(err)
	}
	a := get(t, "GET", ts.URL+"/k")
	if a.header.Get("X-Cache") != "hit" || string(a.body) != `{"type":"FeatureCollection","features":[]}` {
		t.Errorf("after the stored answer changed: X-Cache %q body %.60q", a.header.Get("X-Cache"), a.body)
	}
}

func TestLibraryLogKeepsGoRedisLinesOffStderr(t *testing.T) {
	var logs logBuffer
	redis.SetLogger(cache.LibraryLog{Logger: newLogger(&logs)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r, err := cache.NewRedis(cache.RedisOptions{URL: "redis://" + addr, Logger: newLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, _, err := r.Get(context.Background(), "k"); err == nil {
		t.Fatal("Get on a closed port succeeded")
	}
	if !strings.Contains(logs.String(), "level=DEBUG") || !strings.Contains(logs.String(), "failed to dial") {
		t.Errorf("go-redis's dial failure is not in slog at debug level:\n%s", logs.String())
	}
}

// A body large enough to be compressed in halves on two cores reaches
// gzip and identity clients whole, from a miss and from a hit, and
// compresses about as well as in one stream.
func TestLargeBodyCompressedInHalves(t *testing.T) {
	var big bytes.Buffer
	for i := 0; big.Len() < 3<<20; i++ {
		big.Write(bodyFor("/large-" + strconv.Itoa(i)))
	}
	want := big.Bytes()
	backends(t, func(t *testing.T, b cache.Backend, opts cache.Options) {
		layer := cache.New(b, opts)
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := layer.Respond(w, r, r.URL.Path, func(context.Context) (cache.Body, error) {
				return cache.Body{ContentType: "application/geo+json", Data: want}, nil
			})
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
		}))
		t.Cleanup(ts.Close)
		for i, enc := range []string{"gzip", "gzip", "identity"} {
			a := get(t, "GET", ts.URL+"/large", "Accept-Encoding", enc)
			body := a.body
			if enc == "gzip" {
				if a.header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("request %d: Content-Encoding %q", i, a.header.Get("Content-Encoding"))
				}
				var one bytes.Buffer
				zw := gzip.NewWriter(&one)
				zw.Write(want)
				zw.Close()
				if len(body) > one.Len()*21/20 {
					t.Errorf("request %d: %d compressed bytes, one stream of the standard library's default level takes %d", i, len(body), one.Len())
				}
				body = gunzip(t, body)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("request %d (%s, X-Cache %s): %d bytes differ from the %d built", i, enc, a.header.Get("X-Cache"), len(body), len(want))
			}
		}
	})
}
