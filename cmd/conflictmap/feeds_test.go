package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// newsSite is a local news site: a feed of three articles, each its own
// page, plus a page outside the feed.
type newsSite struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

var siteStories = []struct{ path, title, text string }{
	{"/2024/03/mosul-checkpoint", "Militants attack checkpoint near Mosul",
		"Militants attacked an army checkpoint near Mosul on Tuesday, killing three soldiers, officials said."},
	{"/2024/03/aleppo-market", "Air strike on Aleppo market",
		"An air strike hit a market in Aleppo on Wednesday, killing five civilians, rescue workers said."},
	{"/2024/03/mogadishu-bomb", "Car bomb in Mogadishu",
		"A car bomb exploded near a hotel in Mogadishu on Sunday, killing six people, police said."},
	{"/2024/03/goma-clashes", "Clashes near Goma",
		"Rebels clashed with government troops near Goma on Friday, and four soldiers were killed, the army said."},
}

func storyHTML(title, text string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `</title>
<meta property="article:published_time" content="2024-03-05T08:00:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>` + title + `</h1><p>` + text + `</p>
<p>The attack was the latest in a series of incidents in the area in recent weeks, and officials called for more protection for residents.</p>
<p>Witnesses said the area was sealed off for several hours while emergency services treated the wounded.</p></article>
<footer>Copyright Example News</footer></body></html>`
}

func newNewsSite(t *testing.T) *newsSite {
	n := &newsSite{hits: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		var items strings.Builder
		for _, st := range siteStories[:3] {
			fmt.Fprintf(&items, "<item><title>%s</title><link>%s%s?utm_source=rss</link><guid>%s</guid><pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate></item>",
				st.title, n.srv.URL, st.path, st.path)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title><link>`+n.srv.URL+`/</link>`+items.String()+`</channel></rss>`)
	})
	for _, st := range siteStories {
		mux.HandleFunc(st.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, storyHTML(st.title, st.text))
		})
	}
	n.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		n.hits[r.URL.Path]++
		n.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(n.srv.Close)
	return n
}

// startFeedServer runs serve on db with a poller that looks for due feeds
// every 20ms.
func startFeedServer(t *testing.T, db string, args ...string) *Server {
	s, _ := startStoppableFeedServer(t, db, args...)
	return s
}

// startStoppableFeedServer is startFeedServer, with a func that stops the
// server before the test ends.
func startStoppableFeedServer(t *testing.T, db string, args ...string) (*Server, func()) {
	t.Helper()
	env, _, logs := testEnv(nil)
	var s Server
	all := append([]string{"--addr", "127.0.0.1:0", "--db", db, "--tiles", "", "--token", "tok", "--fetch-host-delay", "0"}, args...)
	if err := s.ParseFlags(env, all); err != nil {
		t.Fatalf("serve %v: %v\n%s", all, err, logs)
	}
	s.Config.Fetch.Tick = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Open(ctx); err != nil {
		cancel()
		t.Fatalf("opening the server: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	t.Cleanup(stop)
	return &s, stop
}

type feedsAnswer struct {
	Feeds []struct {
		ID               string  `json:"id"`
		URL              string  `json:"url"`
		Source           string  `json:"source"`
		Health           string  `json:"health"`
		Interval         string  `json:"interval"`
		LastFetch        *string `json:"last_fetch"`
		LastStatus       *int    `json:"last_status"`
		LastError        *string `json:"last_error"`
		LastReason       *string `json:"last_reason"`
		NextFetch        string  `json:"next_fetch"`
		ItemsSeen        int     `json:"items_seen"`
		ArticlesIngested int     `json:"articles_ingested"`
		EventsFound      int     `json:"events_found"`
	} `json:"feeds"`
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func send(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A server started with --feed shows the feed's articles' events without
// any manual step, and /api/feeds says how the feed is doing.
func TestServeFollowsAFeed(t *testing.T) {
	t.Parallel()
	site := newNewsSite(t)
	db := filepath.Join(t.TempDir(), "db.sqlite")
	s, stop := startStoppableFeedServer(t, db, "--feed", site.srv.URL+"/feed.xml", "--fetch-allow-private", "--feed-interval", "1h")
	var towns map[string]bool
	waitFor(t, "the feed's three articles' events in /api/events", func() bool {
		var fc struct {
			Features []struct {
				Properties struct {
					Location  string `json:"location"`
					SourceURL string `json:"source_url"`
				} `json:"properties"`
			} `json:"features"`
		}
		getJSON(t, s.URL()+"/api/events?limit=10000", &fc)
		towns = map[string]bool{}
		for _, f := range fc.Features {
			if strings.HasPrefix(f.Properties.SourceURL, site.srv.URL) {
				towns[f.Properties.Location] = true
			}
		}
		return towns["Mosul"] && towns["Aleppo"] && towns["Mogadishu"]
	})
	var fa feedsAnswer
	waitFor(t, "the feed's poll saved", func() bool {
		getJSON(t, s.URL()+"/api/feeds", &fa)
		return len(fa.Feeds) == 1 && fa.Feeds[0].LastFetch != nil
	})
	f := fa.Feeds[0]
	if f.Health != "ok" || f.Source != "flag" || f.LastStatus == nil || *f.LastStatus != 200 || f.LastError != nil ||
		f.ItemsSeen != 3 || f.ArticlesIngested != 3 || f.EventsFound < 3 || f.Interval != "1h" || f.NextFetch == "" {
		t.Errorf("feed %+v", f)
	}
	// The articles are stored under their URLs without tracking parameters.
	var list struct {
		Articles []struct{ URL, Title, Published string } `json:"articles"`
	}
	getJSON(t, s.URL()+"/api/articles", &list)
	found := 0
	for _, a := range list.Articles {
		if strings.HasPrefix(a.URL, site.srv.URL) {
			found++
			if strings.Contains(a.URL, "utm_") || a.Published != "2024-03-05" {
				t.Errorf("article %+v", a)
			}
		}
	}
	if found != 3 {
		t.Errorf("%d of the feed's articles listed, want 3", found)
	}

	// Deleting the feed stops it; a restart follows --feed again, and
	// fetches nothing it has already read.
	code, body := send(t, http.MethodDelete, s.URL()+"/api/feeds/"+f.ID, "", "")
	if code != http.StatusUnauthorized {
		t.Errorf("DELETE without a token: %d %s", code, body)
	}
	if code, body := send(t, http.MethodDelete, s.URL()+"/api/feeds/"+f.ID, "tok", ""); code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", code, body)
	}
	if code, _ := send(t, http.MethodGet, s.URL()+"/api/feeds/"+f.ID, "", ""); code != http.StatusNotFound {
		t.Errorf("GET a deleted feed: %d", code)
	}
	stop()
	site.mu.Lock()
	pages := site.hits[siteStories[0].path]
	site.mu.Unlock()
	s2 := startFeedServer(t, db, "--feed", site.srv.URL+"/feed.xml", "--fetch-allow-private")
	waitFor(t, "the feed back after a restart, polled", func() bool {
		var fa feedsAnswer
		getJSON(t, s2.URL()+"/api/feeds", &fa)
		return len(fa.Feeds) == 1 && fa.Feeds[0].LastFetch != nil
	})
	site.mu.Lock()
	again := site.hits[siteStories[0].path]
	site.mu.Unlock()
	if again != pages {
		t.Errorf("a stored article's page was fetched again after the restart (%d fetches, was %d)", again, pages)
	}
}

// The feeds API: writes need the token; a feed is followed at once and
// shows its health; bad input is a 400 that says what is wrong.
func TestFeedsAPI(t *testing.T) {
	t.Parallel()
	site := newNewsSite(t)
	s := startFeedServer(t, filepath.Join(t.TempDir(), "db.sqlite"), "--fetch-allow-private")
	feedURL := site.srv.URL + "/feed.xml"
	if code, _ := send(t, http.MethodPost, s.URL()+"/api/feeds", "", `{"url": "`+feedURL+`"}`); code != http.StatusUnauthorized {
		t.Errorf("POST without a token: %d", code)
	}
	for body, want := range map[string]string{
		`{"url": "ftp://example.org/feed"}`:              "url",
		`{"interval": "10m"}`:                            "url",
		`{"url": "` + feedURL + `", "interval": "5s"}`:   "interval",
		`{"url": "` + feedURL + `", "interval": "soon"}`: "interval",
		`{"url": "` + feedURL + `", "every": "10m"}`:     "every",
		`not json`: "malformed",
	} {
		code, answer := send(t, http.MethodPost, s.URL()+"/api/feeds", "tok", body)
		if code != http.StatusBadRequest || !strings.Contains(answer, want) {
			t.Errorf("POST %s: %d %s; want 400 naming %s", body, code, answer, want)
		}
	}
	code, answer := send(t, http.MethodPost, s.URL()+"/api/feeds", "tok", `{"url": "`+feedURL+`", "interval": "30m"}`)
	if code != http.StatusCreated || !strings.Contains(answer, `"interval":"30m"`) || !strings.Contains(answer, `"source":"api"`) {
		t.Fatalf("POST: %d %s", code, answer)
	}
	if code, _ := send(t, http.MethodPost, s.URL()+"/api/feeds", "tok", `{"url": "`+feedURL+`", "interval": "2h"}`); code != http.StatusOK {
		t.Errorf("POST of a followed feed: %d, want 200", code)
	}
	var first string
	waitFor(t, "the added feed polled", func() bool {
		var fa feedsAnswer
		getJSON(t, s.URL()+"/api/feeds", &fa)
		if len(fa.Feeds) == 1 && fa.Feeds[0].LastFetch != nil {
			first = *fa.Feeds[0].LastFetch
		}
		return len(fa.Feeds) == 1 && fa.Feeds[0].ArticlesIngested == 3 && fa.Feeds[0].Interval == "2h"
	})
	// Posting a followed feed again fetches it at once, not in two hours.
	time.Sleep(1100 * time.Millisecond) // last_fetch is written to the second
	site.mu.Lock()
	fetches := site.hits["/feed.xml"]
	site.mu.Unlock()
	if code, _ := send(t, http.MethodPost, s.URL()+"/api/feeds", "tok", `{"url": "`+feedURL+`"}`); code != http.StatusOK {
		t.Errorf("POST again: %d", code)
	}
	waitFor(t, "the feed fetched again at once", func() bool {
		var fa feedsAnswer
		getJSON(t, s.URL()+"/api/feeds", &fa)
		site.mu.Lock()
		defer site.mu.Unlock()
		return fa.Feeds[0].LastFetch != nil && *fa.Feeds[0].LastFetch != first && site.hits["/feed.xml"] == fetches+1
	})
}

// POST /api/articles with a url and no text fetches the page; the CLI
// does the same for URL arguments.
func TestIngestURL(t *testing.T) {
	t.Parallel()
	site := newNewsSite(t)
	s := startFeedServer(t, filepath.Join(t.TempDir(), "db.sqlite"), "--fetch-allow-private")
	code, answer := send(t, http.MethodPost, s.URL()+"/api/articles", "tok", `{"url": "`+site.srv.URL+siteStories[3].path+`?utm_medium=email"}`)
	if code != http.StatusCreated {
		t.Fatalf("POST url: %d %s", code, answer)
	}
	var out struct {
		Article struct{ ID, URL, Title, Published string } `json:"article"`
		Fetched struct {
			URL           string `json:"url"`
			PublishedFrom string `json:"published_from"`
		} `json:"fetched"`
		Events struct {
			Features []json.RawMessage `json:"features"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(answer), &out); err != nil {
		t.Fatal(err)
	}
	if out.Article.URL != site.srv.URL+siteStories[3].path || out.Article.Title != siteStories[3].title ||
		out.Article.Published != "2024-03-05" || out.Fetched.PublishedFrom != "page" || len(out.Events.Features) == 0 {
		t.Errorf("answer %s", answer)
	}
	// A page that is not an article is refused with the reason, and
	// nothing is stored.
	code, answer = send(t, http.MethodPost, s.URL()+"/api/articles", "tok", `{"url": "`+site.srv.URL+`/no-such-page"}`)
	if code != http.StatusBadRequest || !strings.Contains(answer, "status") || !strings.Contains(answer, "404") {
		t.Errorf("POST of a missing page: %d %s", code, answer)
	}

	env, stdout, errb := testEnv(map[string]string{"CONFLICTMAP_SERVER": s.URL(), "CONFLICTMAP_TOKEN": "tok"})
	err := Main(context.Background(), env, []string{"ingest", site.srv.URL + siteStories[0].path, site.srv.URL + siteStories[1].path, site.srv.URL + "/feed.xml"})
	if err == nil || !strings.Contains(err.Error(), "not_html") {
		t.Errorf("ingest of two pages and a feed: %v, want the feed named as not_html", err)
	}
	for _, want := range []string{"[1/3] " + site.srv.URL + siteStories[0].path + ":", "[3/3] " + site.srv.URL + "/feed.xml: FAILED", "ingested 2 of 3 articles"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, errb)
		}
	}
	if n := strings.Count(stdout.String(), "\n"); n != 2 {
		t.Errorf("stdout has %d result lines, want 2:\n%s", n, stdout)
	}
}

// An instance without --fetch-allow-private refuses local and private
// addresses at once, naming the reason, while the instance that allows
// them reads the same local page.
func TestAddressGuardOnTheServer(t *testing.T) {
	t.Parallel()
	site := newNewsSite(t)
	db := filepath.Join(t.TempDir(), "db.sqlite")
	local := site.srv.URL + siteStories[0].path
	open := startFeedServer(t, db, "--fetch-allow-private")
	if code, answer := send(t, http.MethodPost, open.URL()+"/api/articles", "tok", `{"url": "`+local+`"}`); code != http.StatusCreated {
		t.Fatalf("the instance with --fetch-allow-private: %d %s", code, answer)
	}
	guarded := startFeedServer(t, filepath.Join(t.TempDir(), "db2.sqlite"), "--feed", site.srv.URL+"/feed.xml")
	_, port, _ := strings.Cut(strings.TrimPrefix(site.srv.URL, "http://"), ":")
	for _, u := range []string{local, "http://10.0.0.1/news", "http://169.254.169.254/latest/meta-data/", "http://[::1]:" + port + siteStories[0].path, "http://localhost:" + port + siteStories[0].path} {
		code, answer := send(t, http.MethodPost, guarded.URL()+"/api/articles", "tok", `{"url": "`+u+`"}`)
		if code != http.StatusBadRequest || !strings.Contains(answer, "address") || !strings.Contains(answer, "refused") {
			t.Errorf("POST /api/articles %s: %d %s; want 400 naming the refused address", u, code, answer)
		}
		code, answer = send(t, http.MethodPost, guarded.URL()+"/api/feeds", "tok", `{"url": "`+u+`"}`)
		if code != http.StatusBadRequest || !strings.Contains(answer, "address") {
			t.Errorf("POST /api/feeds %s: %d %s; want 400 naming the refused address", u, code, answer)
		}
	}
	// The feed given at start is followed, and shows why it is not read.
	waitFor(t, "the refused feed's reason in /api/feeds", func() bool {
		var fa feedsAnswer
		getJSON(t, guarded.URL()+"/api/feeds", &fa)
		return len(fa.Feeds) == 1 && fa.Feeds[0].LastReason != nil && *fa.Feeds[0].LastReason == "address" && fa.Feeds[0].Health == "failing"
	})
	site.mu.Lock()
	defer site.mu.Unlock()
	if n := site.hits["/feed.xml"]; n != 0 {
		t.Errorf("the guarded instance reached the local server %d times", n)
	}
}

// Every feed and fetch flag falls back to its environment variable; a
// --feed on the command line replaces CONFLICTMAP_FEEDS.
func TestFeedFlagsFallBackToEnvironment(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"CONFLICTMAP_FEEDS":               "https://example.org/a.xml\n  https://example.net/b.json",
		"CONFLICTMAP_FEED_INTERVAL":       "15m",
		"CONFLICTMAP_FETCH_HOST_DELAY":    "250ms",
		"CONFLICTMAP_FETCH_ALLOW_PRIVATE": "true",
		"CONFLICTMAP_FETCH_MAX_BYTES":     "1000",
		"CONFLICTMAP_FETCH_TIMEOUT":       "5s",
	}
	env, _, _ := testEnv(vars)
	var s Server
	if err := s.ParseFlags(env, nil); err != nil {
		t.Fatal(err)
	}
	c := s.Config.Fetch
	if strings.Join(c.Feeds, " ") != "https://example.org/a.xml https://example.net/b.json" || c.Interval != 15*time.Minute ||
		c.HostDelay != 250*time.Millisecond || !c.AllowPrivate || c.MaxBytes != 1000 || c.Timeout != 5*time.Second {
		t.Errorf("from the environment: %+v", c)
	}
	env, _, _ = testEnv(vars)
	s = Server{}
	if err := s.ParseFlags(env, []string{"--feed", "https://example.com/1.xml", "--feed", "https://example.com/2.xml", "--fetch-allow-private=false"}); err != nil {
		t.Fatal(err)
	}
	if c := s.Config.Fetch; strings.Join(c.Feeds, " ") != "https://example.com/1.xml https://example.com/2.xml" || c.AllowPrivate {
		t.Errorf("flags over the environment: %+v", c)
	}
	for _, bad := range [][]string{{"--feed", "ftp://example.org/x"}, {"--feed-interval", "0s"}, {"--fetch-max-bytes", "0"}} {
		env, _, errb := testEnv(nil)
		s = Server{}
		if err := s.ParseFlags(env, bad); err == nil || !strings.Contains(errb.String(), strings.TrimPrefix(bad[0], "--")) {
			t.Errorf("serve %v: %v, stderr %q; want a usage error naming the flag", bad, err, errb)
		}
	}
	env, _, _ = testEnv(map[string]string{"CONFLICTMAP_FETCH_ALLOW_PRIVATE": "maybe"})
	s = Server{}
	if err := s.ParseFlags(env, nil); err == nil || !strings.Contains(err.Error(), "CONFLICTMAP_FETCH_ALLOW_PRIVATE") {
		t.Errorf("a bad CONFLICTMAP_FETCH_ALLOW_PRIVATE: %v", err)
	}
}

// undatedStory is a page that names no publication date anywhere.
func undatedStory(title string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `</title></head><body>
<nav><a href="/">Home</a></nav><article><h1>` + title + `</h1>
<p>Drones struck the city of Kharkiv on Tuesday, killing two people, the regional governor said.</p>
<p>Emergency crews worked through the night to clear the debris from the damaged apartment block, officials said.</p>
<p>Residents were told to stay in shelters while air defence units remained on alert across the region.</p></article>
</body></html>`
}

// An article whose page gives no date is dated the day it was fetched,
// and says so wherever the date is shown (the article, the event, each of
// the event's sources), on both stores; a date the poster gives is not an
// estimate.
func TestEstimatedPublicationDates(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	for _, p := range []string{"/undated", "/dated"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, undatedStory("Drones hit Kharkiv"))
		})
	}
	site := httptest.NewServer(mux)
	defer site.Close()
	stores := map[string][]string{"sqlite": {filepath.Join(t.TempDir(), "db.sqlite")}}
	if !testing.Short() {
		dsn := pgDSN(t)
		schema := fmt.Sprintf("cm_test_estimated_%d", time.Now().UnixNano())
		t.Cleanup(func() { dropSchema(t, dsn, schema) })
		stores["postgis"] = []string{dsn, "--pg-schema", schema}
	}
	for name, args := range stores {
		t.Run(name, func(t *testing.T) {
			s := startFeedServer(t, args[0], append(args[1:], "--fetch-allow-private")...)
			type source struct {
				ArticleID          string `json:"article_id"`
				Published          string `json:"published"`
				PublishedEstimated bool   `json:"published_estimated"`
			}
			var posted struct {
				Article struct {
					ID                 string `json:"id"`
					Published          string `json:"published"`
					PublishedEstimated bool   `json:"published_estimated"`
				} `json:"article"`
				Fetched struct {
					PublishedFrom string `json:"published_from"`
				} `json:"fetched"`
				Events struct {
					Features []struct {
						Properties struct {
							PublishedEstimated bool     `json:"published_estimated"`
							Sources            []source `json:"sources"`
						} `json:"properties"`
					} `json:"features"`
				} `json:"events"`
			}
			code, answer := send(t, http.MethodPost, s.URL()+"/api/articles", "tok", `{"url": "`+site.URL+`/undated"}`)
			if code != http.StatusCreated {
				t.Fatalf("POST undated: %d %s", code, answer)
			}
			if err := json.Unmarshal([]byte(answer), &posted); err != nil {
				t.Fatal(err)
			}
			today := time.Now().UTC().Format("2006-01-02")
			if a := posted.Article; !a.PublishedEstimated || a.Published != today || posted.Fetched.PublishedFrom != "fetch_day" ||
				len(posted.Events.Features) == 0 || !posted.Events.Features[0].Properties.PublishedEstimated {
				t.Fatalf("the undated page's answer: %s", answer)
			}
			undated := posted.Article.ID
			code, answer = send(t, http.MethodPost, s.URL()+"/api/articles", "tok", `{"url": "`+site.URL+`/dated", "published": "`+today+`"}`)
			if code != http.StatusCreated || !strings.Contains(answer, `"published_estimated":false`) {
				t.Fatalf("POST with a date: %d %s", code, answer)
			}
			var list struct {
				Articles []struct {
					ID                 string `json:"id"`
					PublishedEstimated bool   `json:"published_estimated"`
				} `json:"articles"`
			}
			getJSON(t, s.URL()+"/api/articles", &list)
			for _, a := range list.Articles {
				if a.PublishedEstimated != (a.ID == undated) {
					t.Errorf("/api/articles: article %s published_estimated %v", a.ID, a.PublishedEstimated)
				}
			}
			// The two reports are one event: its sources tell the fetch day
			// from the posted date.
			var fc struct {
				Features []struct {
					Properties struct {
						Location           string   `json:"location"`
						ArticleID          string   `json:"article_id"`
						PublishedEstimated bool     `json:"published_estimated"`
						Sources            []source `json:"sources"`
					} `json:"properties"`
				} `json:"features"`
			}
			getJSON(t, s.URL()+"/api/events?q=Kharkiv&limit=100", &fc)
			merged := 0
			for _, f := range fc.Features {
				p := f.Properties
				if p.PublishedEstimated != (p.ArticleID == undated) {
					t.Errorf("event of article %s: published_estimated %v", p.ArticleID, p.PublishedEstimated)
				}
				for _, src := range p.Sources {
					if src.PublishedEstimated != (src.ArticleID == undated) || src.Published != today {
						t.Errorf("source %+v of the event at %s", src, p.Location)
					}
				}
				if len(p.Sources) == 2 {
					merged++
				}
			}
			if merged == 0 {
				t.Errorf("no event with both reports as sources: %+v", fc)
			}
		})
	}
}

// Feed items share the server's extraction slots with posted articles:
// while a post holds the one slot (--max-extractions 1; its body is still
// on its way), the feed's item is deferred and /api/feeds says why; once
// the slot is free the item is read, once.
func TestFeedsShareTheExtractionBound(t *testing.T) {
	t.Parallel()
	site := newNewsSite(t)
	s := startFeedServer(t, filepath.Join(t.TempDir(), "db.sqlite"), "--fetch-allow-private", "--max-extractions", "1")
	// A post that takes the slot, then sends its body slowly.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"text\": \"")
	time.Sleep(200 * time.Millisecond) // the handler takes the slot, then waits for the body
	// The feed is added now, polled every 200ms.
	if code, answer := send(t, http.MethodPost, s.URL()+"/api/feeds", "tok", `{"url": "`+site.srv.URL+`/feed.xml", "interval": "1m"}`); code != http.StatusCreated {
		t.Fatalf("POST /api/feeds: %d %s", code, answer)
	}
	type feedState struct {
		ItemsDeferred    int     `json:"items_deferred"`
		ArticlesIngested int     `json:"articles_ingested"`
		ItemErrors       int     `json:"item_errors"`
		LastItemError    *string `json:"last_item_error"`
	}
	var fa struct{ Feeds []feedState }
	waitFor(t, "a deferred item in /api/feeds", func() bool {
		getJSON(t, s.URL()+"/api/feeds", &fa)
		return len(fa.Feeds) == 1 && fa.Feeds[0].ItemsDeferred > 0
	})
	if f := fa.Feeds[0]; f.ArticlesIngested != 0 || f.ItemErrors != 0 || f.LastItemError == nil || !strings.Contains(*f.LastItemError, "--max-extractions") {
		t.Errorf("while the slot is held: %+v", f)
	}
	conn.Close() // the post gives up: its slot is free
	// A deferred feed is polled again within a minute; ask for it now.
	if code, _ := send(t, http.MethodPost, s.URL()+"/api/feeds", "tok", `{"url": "`+site.srv.URL+`/feed.xml"}`); code != http.StatusOK {
		t.Fatalf("POST /api/feeds again: %d", code)
	}
	waitFor(t, "the feed's three articles ingested", func() bool {
		getJSON(t, s.URL()+"/api/feeds", &fa)
		return fa.Feeds[0].ArticlesIngested == 3
	})
	var list struct{ Total int }
	getJSON(t, s.URL()+"/api/articles", &list)
	if list.Total != 4 { // the sample and the feed's three
		t.Errorf("%d articles stored, want 4", list.Total)
	}
	// The deferred item's page was downloaded before it waited for a
	// slot, and again when read; the others once.
	site.mu.Lock()
	defer site.mu.Unlock()
	for _, st := range siteStories[:2] {
		if n := site.hits[st.path]; n != 1 {
			t.Errorf("%s fetched %d times, want once", st.path, n)
		}
	}
}

// The time budget of an extraction (--extract-timeout) holds for feed
// items and posted URLs too: past it the item fails with a reason naming
// the flag (to be tried again), the post answers 503.
func TestExtractTimeoutForFeedsAndURLs(t *testing.T) {
	t.Parallel()
	site := newNewsSite(t)
	s := startFeedServer(t, filepath.Join(t.TempDir(), "db.sqlite"), "--fetch-allow-private", "--extract-timeout", "1ns",
		"--feed", site.srv.URL+"/feed.xml")
	var fa struct {
		Feeds []struct {
			ArticlesIngested int     `json:"articles_ingested"`
			ItemErrors       int     `json:"item_errors"`
			LastItemError    *string `json:"last_item_error"`
		}
	}
	waitFor(t, "the feed's items failed", func() bool {
		getJSON(t, s.URL()+"/api/feeds", &fa)
		return len(fa.Feeds) == 1 && fa.Feeds[0].ItemErrors == 3
	})
	if f := fa.Feeds[0]; f.ArticlesIngested != 0 || f.LastItemError == nil || !strings.Contains(*f.LastItemError, "--extract-timeout") {
		t.Errorf("feed %+v (last item error %q); want its items failed naming --extract-timeout", f, *f.LastItemError)
	}
	code, answer := send(t, http.MethodPost, s.URL()+"/api/articles", "tok", `{"url": "`+site.srv.URL+siteStories[3].path+`"}`)
	if code != http.StatusServiceUnavailable || !strings.Contains(answer, "--extract-timeout") {
		t.Errorf("POST url: %d %s; want 503 naming --extract-timeout", code, answer)
	}
}
