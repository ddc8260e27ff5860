package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// ingestLoad is one half of the measurement of how reads fare while
// ingest is saturated. With --clients N it posts: N clients send
// SIZE-byte articles back to back for DURATION (not waiting when told to
// retry later, as an abusive client would not) and it prints what they
// were answered. With --probe D it probes: GET /healthz and a cached GET
// /api/events every 20 ms for D, printing their percentiles. The two run as
// separate processes (ingest-load.sh), so that the posting clients' own
// work does not delay the probes.
func ingestLoad(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingestload", flag.ContinueOnError)
	server := fs.String("server", "http://127.0.0.1:8080", "server base URL")
	token := fs.String("token", os.Getenv("CONFLICTMAP_TOKEN"), "bearer token of the server")
	clients := fs.Int("clients", 100, "concurrent posting clients")
	size := fs.Int("size", 1<<20, "bytes of each posted article's text")
	text := fs.String("text", "cmd/conflictmap/sample/iran-reins-in-militias.txt", "article text repeated up to --size")
	duration := fs.Duration("duration", 30*time.Second, "how long the posts go on")
	probeFor := fs.Duration("probe", 0, "probe reads for this long instead of posting")
	if err := fs.Parse(args); err != nil {
		return err
	}
	seed, err := os.ReadFile(*text)
	if err != nil {
		return err
	}
	// Each copy's sentences are marked with its number: the same sentence
	// told twice in one article would be one event.
	var body strings.Builder
	for i := 1; body.Len() < *size; i++ {
		body.WriteString(strings.ReplaceAll(string(seed), ". ", fmt.Sprintf(" (part %d). ", i)))
		body.WriteString("\n\n")
	}
	article := body.String()[:*size]

	if *probeFor > 0 {
		probe := &http.Client{Timeout: time.Minute}
		// Fill the cache, so that the probe reads a cached answer.
		for range 2 {
			res, err := probe.Get(*server + "/api/events")
			if err != nil {
				return err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		runProbes(ctx, probe, *server, *probeFor, nil).print()
		return nil
	}
	fmt.Printf("%d clients posting %d-byte articles back to back for %s\n", *clients, *size, *duration)
	lctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var (
		mu       sync.Mutex
		statuses = map[string]int{}
		wg       sync.WaitGroup
	)
	for i := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 2 * time.Minute}
			// One body per client, posted again and again: the server
			// re-extracts and replaces the article each time.
			b, _ := json.Marshal(map[string]string{
				"title": fmt.Sprintf("Load %d", i), "url": fmt.Sprintf("https://load.example/%d", i),
				"published": "2024-02-27", "text": article,
			})
			for lctx.Err() == nil {
				req, _ := http.NewRequestWithContext(lctx, http.MethodPost, *server+"/api/articles", bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+*token)
				res, err := c.Do(req)
				key := ""
				if err != nil {
					if lctx.Err() != nil {
						key = "left at the end"
					} else {
						key = "error: " + err.Error()
					}
				} else {
					var e struct {
						Error string `json:"error"`
					}
					json.NewDecoder(res.Body).Decode(&e)
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					key = res.Status
					if e.Error != "" {
						key += ": " + e.Error
					}
				}
				mu.Lock()
				statuses[key]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	keys := make([]string, 0, len(statuses))
	for k := range statuses {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Println("posts answered:")
	for _, k := range keys {
		fmt.Printf("  %6d  %s\n", statuses[k], k)
	}
	return nil
}

// probeResult holds the latencies of each probed path.
type probeResult struct {
	paths  []string
	times  map[string][]time.Duration
	errors map[string]int
}

func runProbes(ctx context.Context, c *http.Client, server string, d time.Duration, stop <-chan struct{}) probeResult {
	r := probeResult{paths: []string{"/healthz", "/api/events"}, times: map[string][]time.Duration{}, errors: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for _, p := range r.paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for time.Now().Before(end) && ctx.Err() == nil {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+p, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				t0 := time.Now()
				res, err := c.Do(req)
				ok := err == nil && res.StatusCode == http.StatusOK
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					ok = ok && (p != "/api/events" || res.Header.Get("X-Cache") == "hit")
				}
				took := time.Since(t0)
				mu.Lock()
				if ok {
					r.times[p] = append(r.times[p], took)
				} else {
					r.errors[p]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return r
}

func (r probeResult) print() {
	fmt.Printf("  %-12s %6s %9s %9s %9s %9s %7s\n", "path", "n", "p50", "p90", "p99", "max", "failed")
	for _, p := range r.paths {
		ts := slices.Clone(r.times[p])
		slices.Sort(ts)
		q := func(f float64) string {
			if len(ts) == 0 {
				return "-"
			}
			return ts[min(len(ts)-1, int(f*float64(len(ts))))].Round(10 * time.Microsecond).String()
		}
		mx := "-"
		if len(ts) > 0 {
			mx = ts[len(ts)-1].Round(10 * time.Microsecond).String()
		}
		fmt.Printf("  %-12s %6d %9s %9s %9s %9s %7d\n", p, len(ts), q(0.5), q(0.9), q(0.99), mx, r.errors[p])
	}
}
