package cache_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"conflictmap/handlers/cache"
)

// sharedRedisClient is a plain client on the shared test server, for a test
// to change what Redis holds behind the layers' backs.
func sharedRedisClient(t *testing.T) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(sharedRedisURL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// instanceOn is one more server instance on the prefix another test
// instance uses, as several servers share one Redis.
func instanceOn(t *testing.T, prefix string, opts cache.Options) *testServer {
	t.Helper()
	r, err := cache.NewRedis(cache.RedisOptions{URL: sharedRedisURL, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return newTestServer(t, cache.New(r, opts))
}

func TestNearCacheServesAnotherInstancesAnswerFromRedisThenFromItself(t *testing.T) {
	ra, prefix := newSharedRedisPrefix(t, cache.RedisOptions{})
	a := newTestServer(t, cache.New(ra, cache.Options{Near: cache.NewMemory(16 << 20)}))
	b := instanceOn(t, prefix, cache.Options{Near: cache.NewMemory(16 << 20)})
	// An instance with the near cache off reads every hit from Redis.
	c := instanceOn(t, prefix, cache.Options{})

	for _, enc := range []string{"gzip", ""} {
		t.Run("accept-encoding="+enc, func(t *testing.T) {
			path := "/events-" + enc
			miss := get(t, "GET", a.URL+path, "Accept-Encoding", enc)
			if miss.header.Get("X-Cache") != cache.Miss {
				t.Fatalf("instance A: X-Cache %q, want miss", miss.header.Get("X-Cache"))
			}
			for i, want := range []string{"redis", cache.TierNear, cache.TierNear} {
				h := get(t, "GET", b.URL+path, "Accept-Encoding", enc)
				if h.header.Get("X-Cache") != cache.Hit || h.header.Get(cache.HeaderCacheTier) != want {
					t.Errorf("instance B, request %d: X-Cache %q tier %q, want hit from %s",
						i, h.header.Get("X-Cache"), h.header.Get(cache.HeaderCacheTier), want)
				}
				if !bytes.Equal(h.body, miss.body) || h.header.Get("ETag") != miss.header.Get("ETag") ||
					h.header.Get("Content-Encoding") != miss.header.Get("Content-Encoding") {
					t.Errorf("instance B, request %d: body equal %v, ETag %q (A's %q), Content-Encoding %q (A's %q)",
						i, bytes.Equal(h.body, miss.body), h.header.Get("ETag"), miss.header.Get("ETag"),
						h.header.Get("Content-Encoding"), miss.header.Get("Content-Encoding"))
				}
			}
			if h := get(t, "GET", c.URL+path, "Accept-Encoding", enc); h.header.Get("X-Cache") != cache.Hit ||
				h.header.Get(cache.HeaderCacheTier) != "" || !bytes.Equal(h.body, miss.body) {
				t.Errorf("instance C (near off): X-Cache %q tier %q, body equal %v",
					h.header.Get("X-Cache"), h.header.Get(cache.HeaderCacheTier), bytes.Equal(h.body, miss.body))
			}

			// With the entry gone from Redis (expired, evicted), B still
			// answers from its near copy, while C, which reads every hit
			// from Redis, builds the answer again.
			if err := sharedRedisClient(t).Del(context.Background(), prefix+path).Err(); err != nil {
				t.Fatal(err)
			}
			if h := get(t, "GET", b.URL+path, "Accept-Encoding", enc); h.header.Get("X-Cache") != cache.Hit ||
				h.header.Get(cache.HeaderCacheTier) != cache.TierNear || !bytes.Equal(h.body, miss.body) {
				t.Errorf("instance B after the Redis entry went: X-Cache %q tier %q, body equal %v",
					h.header.Get("X-Cache"), h.header.Get(cache.HeaderCacheTier), bytes.Equal(h.body, miss.body))
			}
			if h := get(t, "GET", c.URL+path, "Accept-Encoding", enc); h.header.Get("X-Cache") != cache.Miss {
				t.Errorf("instance C (near off) after the Redis entry went: X-Cache %q, want miss", h.header.Get("X-Cache"))
			}
		})
	}
	if n := b.builds.Load(); n != 0 {
		t.Errorf("instance B built %d answers; every one was in Redis or near", n)
	}
}

func TestNearCacheAnswersItsHitsWhileRedisIsDown(t *testing.T) {
	url, stop := startPrivateRedis(t)
	var logs logBuffer
	r, err := cache.NewRedis(cache.RedisOptions{URL: url, Prefix: "cmtest:down:", Logger: newLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	layer := cache.New(r, cache.Options{Logger: newLogger(&logs), Near: cache.NewMemory(16 << 20)})
	ts := newTestServer(t, layer)
	held := get(t, "GET", ts.URL+"/held", "Accept-Encoding", "gzip")
	if held.header.Get("X-Cache") != cache.Miss {
		t.Fatalf("with Redis up: X-Cache %q, want miss", held.header.Get("X-Cache"))
	}

	stop()
	const n = 10
	for i := range n {
		a := get(t, "GET", ts.URL+"/held", "Accept-Encoding", "gzip")
		if a.status != http.StatusOK || a.header.Get("X-Cache") != cache.Hit ||
			a.header.Get(cache.HeaderCacheTier) != cache.TierNear || !bytes.Equal(a.body, held.body) {
			t.Fatalf("held answer, request %d with Redis down: status %d X-Cache %q tier %q, body equal %v",
				i, a.status, a.header.Get("X-Cache"), a.header.Get(cache.HeaderCacheTier), bytes.Equal(a.body, held.body))
		}
		a = get(t, "GET", ts.URL+"/new")
		if a.status != http.StatusOK || a.header.Get("X-Cache") != cache.Bypass || !bytes.Equal(a.body, bodyFor("/new")) {
			t.Fatalf("new query, request %d with Redis down: status %d X-Cache %q, %d bytes",
				i, a.status, a.header.Get("X-Cache"), len(a.body))
		}
	}
	if got := logs.count("level=WARN"); got != 1 {
		t.Errorf("%d requests with Redis down logged %d warnings, want 1:\n%s", 2*n, got, logs.String())
	}
	if got := ts.builds.Load(); got != 1+n {
		t.Errorf("built %d times, want %d (the held answer once, the new query on every request)", got, 1+n)
	}
	if st := layer.State(context.Background()); st.Backend != "redis" || st.OK {
		t.Errorf("State with Redis down: %+v", st)
	}
}

func TestNearCacheIsBounded(t *testing.T) {
	const bound = 64 << 10
	near := cache.NewMemory(bound)
	ts := newTestServer(t, cache.New(newSharedRedis(t, cache.RedisOptions{}), cache.Options{Near: near}))
	var peak int64
	for i := range 200 {
		if a := get(t, "GET", ts.URL+"/q"+strconv.Itoa(i), "Accept-Encoding", "gzip"); a.header.Get("X-Cache") != cache.Miss {
			t.Fatalf("query %d: X-Cache %q, want miss", i, a.header.Get("X-Cache"))
		}
		peak = max(peak, near.Size())
	}
	if peak > bound {
		t.Errorf("near cache held %d bytes, bound %d", peak, bound)
	}
	if near.Len() == 0 || near.Len() == 200 {
		t.Errorf("near cache holds %d of 200 answers: no eviction or nothing kept", near.Len())
	}
	// The oldest answers left the near cache but not Redis.
	if a := get(t, "GET", ts.URL+"/q0", "Accept-Encoding", "gzip"); a.header.Get("X-Cache") != cache.Hit ||
		a.header.Get(cache.HeaderCacheTier) != "redis" {
		t.Errorf("evicted answer: X-Cache %q tier %q, want a hit from redis", a.header.Get("X-Cache"), a.header.Get(cache.HeaderCacheTier))
	}
}

func TestAnswerLargerThanTheNearCacheIsServedFromRedis(t *testing.T) {
	near := cache.NewMemory(512) // smaller than any stored answer
	ts := newTestServer(t, cache.New(newSharedRedis(t, cache.RedisOptions{}), cache.Options{Near: near}))
	miss := get(t, "GET", ts.URL+"/big")
	for i := range 3 {
		a := get(t, "GET", ts.URL+"/big")
		if a.header.Get("X-Cache") != cache.Hit || a.header.Get(cache.HeaderCacheTier) != "redis" || !bytes.Equal(a.body, miss.body) {
			t.Errorf("request %d: X-Cache %q tier %q, body equal %v", i, a.header.Get("X-Cache"), a.header.Get(cache.HeaderCacheTier), bytes.Equal(a.body, miss.body))
		}
	}
	if near.Len() != 0 {
		t.Errorf("near cache holds %d entries larger than its bound", near.Len())
	}
}

func TestDamagedRedisEntryIsRebuiltPastTheNearCache(t *testing.T) {
	r, prefix := newSharedRedisPrefix(t, cache.RedisOptions{})
	ts := newTestServer(t, cache.New(r, cache.Options{Near: cache.NewMemory(16 << 20), Logger: newLogger(&logBuffer{})}))
	rc := sharedRedisClient(t)
	ctx := context.Background()
	if err := rc.Set(ctx, prefix+"/d", "not an entry", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	a := get(t, "GET", ts.URL+"/d")
	if a.header.Get("X-Cache") != cache.Miss || !bytes.Equal(a.body, bodyFor("/d")) {
		t.Fatalf("damaged entry in Redis: X-Cache %q, body equal %v", a.header.Get("X-Cache"), bytes.Equal(a.body, bodyFor("/d")))
	}
	// The rebuilt answer replaced the damaged one in Redis as well as near.
	other := instanceOn(t, prefix, cache.Options{Near: cache.NewMemory(16 << 20)})
	for name, url := range map[string]string{"same instance": ts.URL, "another instance": other.URL} {
		h := get(t, "GET", url+"/d")
		if h.header.Get("X-Cache") != cache.Hit || !bytes.Equal(h.body, bodyFor("/d")) {
			t.Errorf("%s after the rebuild: X-Cache %q, body equal %v", name, h.header.Get("X-Cache"), bytes.Equal(h.body, bodyFor("/d")))
		}
	}
}
