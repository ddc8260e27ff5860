package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"conflictmap/handlers/cache"
)

// featureCollection is a GeoJSON answer of n events shaped like the API's
// (every property present), so that sizes and compression ratios are close
// to the real ones.
func featureCollection(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"FeatureCollection","numberMatched":%d,"numberReturned":%d,"features":[`, n, n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"Feature","id":"ev%08x","geometry":{"type":"Point","coordinates":[%.4f,%.4f]},"properties":{`+
			`"id":"ev%08x","event_date":"2024-01-%02d","event_date_end":"2024-01-%02d","time_precision":1,`+
			`"event_type":"Explosions/Remote violence","sub_event_type":"Air/drone strike","modality":"occurred",`+
			`"actor1":"Islamic Resistance in Iraq","actor2":"US forces","fatalities":%d,`+
			`"location":"Tower %d","country":"Jordan","country_code":"JO","admin1":"Mafraq",`+
			`"geonameid":%d,"feature_code":"PPL","geo_precision":1,"mention":"Tower %d",`+
			`"quote":"A drone strike on an outpost killed %d soldiers on %d January, officials said.",`+
			`"confidence":0.8,"article_id":"a%06d","title":"Iran reins in militias","source_url":"https://example.org/a/%d",`+
			`"published":"2024-02-27","extractor_version":"1"}}`,
			i, 36+float64(i%900)/1000, 31+float64(i%700)/1000, i, 1+i%28, 1+i%28, i%5, i, 250000+i, i, i%5, 1+i%28, i/10, i/10)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// discard is a ResponseWriter that keeps nothing, so that a benchmark
// measures the layer rather than a recorder's buffer.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func benchmarkHit(b *testing.B, backend cache.Backend, opts cache.Options, features int, acceptEncoding string) {
	layer := cache.New(backend, opts)
	data := featureCollection(features)
	build := func(context.Context) (cache.Body, error) {
		return cache.Body{ContentType: "application/geo+json", Data: data}, nil
	}
	req := httptest.NewRequest("GET", "/api/events", nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	key := fmt.Sprintf("v1:events?n=%d", features)
	w := &discard{h: http.Header{}}
	if err := layer.Respond(w, req, key, build); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		if err := layer.Respond(w, req, key, build); err != nil {
			b.Fatal(err)
		}
		if w.h.Get("X-Cache") != "hit" {
			b.Fatalf("X-Cache %q, want hit", w.h.Get("X-Cache"))
		}
	}
}

// BenchmarkRespondHit serves a stored answer of 100 and 1000 events to a
// gzip client (the stored bytes as they are), to an identity client (from
// the in-process inflated copy) and to an identity client with that copy
// turned off ("identity-inflate": inflated on every hit). "redis" reads
// every hit from Redis; "redis-near" has a near cache in front of it, which
// the first answer filled, so its hits are in-process.
func BenchmarkRespondHit(b *testing.B) {
	for _, backend := range []string{"memory", "redis", "redis-near"} {
		for _, n := range []int{100, 1000} {
			for _, enc := range []string{"gzip", "identity", "identity-inflate"} {
				b.Run(fmt.Sprintf("%s/%d-events/%s", backend, n, enc), func(b *testing.B) {
					var be cache.Backend = cache.NewMemory(64 << 20)
					var opts cache.Options
					if backend != "memory" {
						be = newSharedRedis(b, cache.RedisOptions{})
					}
					if backend == "redis-near" {
						opts.Near = cache.NewMemory(64 << 20)
					}
					ae := ""
					if enc == "gzip" {
						ae = "gzip"
					}
					if enc == "identity-inflate" {
						opts.InflatedBytes = -1
					}
					benchmarkHit(b, be, opts, n, ae)
				})
			}
		}
	}
}

// BenchmarkRespondMiss is the cost the cache adds to a build: compress,
// hash and store (into memory), per distinct key.
func BenchmarkRespondMiss(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("memory/%d-events", n), func(b *testing.B) {
			layer := cache.New(cache.NewMemory(64<<20), cache.Options{})
			data := featureCollection(n)
			build := func(context.Context) (cache.Body, error) {
				return cache.Body{ContentType: "application/geo+json", Data: data}, nil
			}
			req := httptest.NewRequest("GET", "/api/events", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			w := &discard{h: http.Header{}}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				clear(w.h)
				if err := layer.Respond(w, req, fmt.Sprintf("v1:miss-%d", i), build); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
