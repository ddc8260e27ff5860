package feed_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/fetch"
)

// stores runs a test on SQLite and on PostgreSQL.
func stores(t *testing.T, fn func(t *testing.T, open func(t testing.TB) store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "conflictmap.db")
		fn(t, func(t testing.TB) store { return openSQLiteAt(t, path) })
	})
	t.Run("postgis", func(t *testing.T) {
		schema := pgSchema(t)
		fn(t, func(t testing.TB) store { return openPG(t, schema) })
	})
}

func rssFeed(base string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title>Example News &#8211; World</title>
  <link>` + base + `/</link>
  <atom:link href="` + base + `/rss.xml" rel="self" type="application/rss+xml"/>
  <description><![CDATA[The world's news & more]]></description>
  <item>
    <title><![CDATA[Violence in Mosul: “three killed” & more]]></title>
    <link>/world/mosul?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=world</link>
    <guid isPermaLink="false">mosul-0001</guid>
    <pubDate>Tue, 05 Mar 2024 10:00:00 +0000</pubDate>
    <dc:creator><![CDATA[A. Reporter]]></dc:creator>
    <content:encoded><![CDATA[<p>Militants attacked a checkpoint&hellip;</p>]]></content:encoded>
    <media:content url="/img/mosul.jpg" medium="image"/>
  </item>
  <item>
    <title>Violence in Aleppo &amp; beyond</title>
    <link>` + base + `/world/aleppo#top</link>
    <description>An air strike hit a market &lt;b&gt;in Aleppo&lt;/b&gt;</description>
  </item>
</channel>
</rss>`
}

func atomFeed(base string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="` + base + `/atom/">
  <title type="html">Example &amp;lt;World&amp;gt;</title>
  <id>tag:example.org,2024:world</id>
  <updated>2024-03-07T09:00:00Z</updated>
  <entry>
    <title type="html">Violence in Kharkiv &amp;amp; the east</title>
    <link rel="alternate" type="text/html" href="../world/kharkiv"/>
    <id>tag:example.org,2024:kharkiv</id>
    <published>2024-03-07T01:00:00+02:00</published>
    <updated>2024-03-07T09:00:00Z</updated>
    <summary type="html">&lt;p&gt;Shelling&lt;/p&gt;</summary>
  </entry>
</feed>`
}

func jsonFeed(base string) string {
	return `{"version": "https://jsonfeed.org/version/1.1", "title": "Example News", "home_page_url": "` + base + `/",
 "items": [{"id": "goma-1", "url": "` + base + `/world/goma", "title": "Violence in Goma", "date_published": "2024-03-08T10:00:00Z",
   "content_html": "<p>Rebels clashed</p>"}]}`
}

// cp1252Feed is an RSS feed in windows-1252: its curly quotes and accents
// are single bytes.
func cp1252Feed(base string) string {
	return `<?xml version="1.0" encoding="windows-1252"?>
<rss version="2.0"><channel><title>Nouvelles du monde</title><link>` + base + `/</link>
<item><title>` + "\x93Violence in Khartoum\x94 \xe9t\xe9" + `</title><link>` + base + `/fr/khartoum</link><guid>` + base + `/fr/khartoum</guid>
<pubDate>Sat, 09 Mar 2024 12:00:00 GMT</pubDate></item>
<item><title>Mogadishu</title><link>` + base + `/fr/mogadishu</link><pubDate>Sun, 10 Mar 2024 12:00:00 GMT</pubDate></item>
</channel></rss>`
}

func TestPublisherForms(t *testing.T) {
	stores(t, func(t *testing.T, open func(t testing.TB) store) {
		e := newEnv(t, open(t))
		base := e.site.URL()
		e.site.serve("/rss.xml", "application/rss+xml; charset=utf-8", rssFeed(base))
		e.site.serve("/atom.xml", "application/atom+xml", atomFeed(base))
		e.site.serve("/feed.json", "application/feed+json", jsonFeed(base))
		e.site.serve("/fr.xml", "application/rss+xml", cp1252Feed(base))
		e.site.article("/world/mosul", 0)
		// Aleppo's item has no date: the page's metadata gives it.
		e.site.serve("/world/aleppo", "text/html", articlePage("Violence in Aleppo", stories[1].what,
			`<meta property="article:published_time" content="2024-03-06T07:00:00Z">`))
		e.site.article("/world/kharkiv", 2)
		e.site.article("/world/goma", 3)
		// The item's title is the headline; a page gives one only when the
		// item has none.
		e.site.serve("/fr/khartoum", "text/html", strings.Replace(articlePage("", stories[4].what, ""), "<title> | Example News</title>", "", 1))
		e.site.article("/fr/mogadishu", 5)
		feeds := []geo.Feed{e.follow("/rss.xml"), e.follow("/atom.xml"), e.follow("/feed.json"), e.follow("/fr.xml")}
		e.pollDue(e.poller(fetch.Options{}))

		want := map[string]struct{ published, title string }{
			base + "/world/mosul":   {"2024-03-05", "Violence in Mosul: “three killed” & more"},
			base + "/world/aleppo":  {"2024-03-06", "Violence in Aleppo & beyond"},
			base + "/world/kharkiv": {"2024-03-07", "Violence in Kharkiv & the east"},
			base + "/world/goma":    {"2024-03-08", "Violence in Goma"},
			base + "/fr/khartoum":   {"2024-03-09", "“Violence in Khartoum” été"},
			base + "/fr/mogadishu":  {"2024-03-10", "Mogadishu"},
		}
		got := e.articles()
		if len(got) != len(want) {
			t.Errorf("%d articles stored, want %d", len(got), len(want))
		}
		for _, a := range got {
			w, ok := want[a.URL]
			if !ok {
				t.Errorf("unexpected article %q", a.URL)
				continue
			}
			if a.Published != w.published || a.Title != w.title {
				t.Errorf("%s: published %q title %q, want %q %q", a.URL, a.Published, a.Title, w.published, w.title)
			}
			if a.Events == 0 {
				t.Errorf("%s: no events found in %q", a.URL, a.Title)
			}
		}
		total := 0
		for _, f := range feeds {
			f = e.feed(f.ID)
			if f.LastError != "" || f.LastStatus != 200 || f.LastFetch.IsZero() || !f.NextFetch.After(f.LastFetch) {
				t.Errorf("%s: status %d error %q last %v next %v", f.URL, f.LastStatus, f.LastError, f.LastFetch, f.NextFetch)
			}
			if f.ItemErrors != 0 || f.ArticlesIngested != f.ItemsSeen || f.EventsFound == 0 {
				t.Errorf("%s: %d items, %d ingested, %d item errors (%s), %d events", f.URL, f.ItemsSeen, f.ArticlesIngested, f.ItemErrors, f.LastItemError, f.EventsFound)
			}
			total += f.ItemsSeen
		}
		if total != len(want) {
			t.Errorf("%d items seen, want %d", total, len(want))
		}
		// The map's query finds the stories' towns.
		page, err := e.store.Events(t.Context(), geo.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		towns := map[string]bool{}
		for _, ev := range page.Events {
			towns[ev.Location] = true
		}
		for _, st := range stories {
			if !towns[st.town] {
				t.Errorf("no event in %s among %v", st.town, towns)
			}
		}
	})
}

func TestConditionalGet(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	var mu sync.Mutex
	notModified := 0
	body := rssFeed(e.site.URL())
	e.site.handle("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"rss-1"` {
			mu.Lock()
			notModified++
			mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"rss-1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, body)
	})
	e.site.article("/world/mosul", 0)
	e.site.article("/world/aleppo", 1)
	f := e.follow("/rss.xml")
	p := e.poller(fetch.Options{})
	e.pollDue(p)
	if got := e.feed(f.ID); got.ETag != `"rss-1"` || got.ArticlesIngested != 2 {
		t.Fatalf("after the first poll: etag %q, %d articles", got.ETag, got.ArticlesIngested)
	}
	e.pollDue(p) // not due yet: nothing fetched
	if n := e.site.hitsOf("/rss.xml"); n != 1 {
		t.Errorf("the feed was fetched %d times before it was due again", n)
	}
	e.clock.Advance(2 * time.Minute)
	e.pollDue(p)
	got := e.feed(f.ID)
	if notModified != 1 || got.LastStatus != http.StatusNotModified || got.LastError != "" || got.Failures != 0 {
		t.Errorf("second poll: %d 304 answers, status %d, error %q", notModified, got.LastStatus, got.LastError)
	}
	if got.ETag != `"rss-1"` || got.ArticlesIngested != 2 || len(e.articles()) != 2 {
		t.Errorf("after a 304: etag %q, %d ingested, %d articles", got.ETag, got.ArticlesIngested, len(e.articles()))
	}
	if e.site.hitsOf("/world/mosul") != 1 {
		t.Errorf("an article page was fetched %d times", e.site.hitsOf("/world/mosul"))
	}
}

func TestFeedFailuresAndRecovery(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	release := make(chan struct{})
	defer close(release)
	e.site.handle("/slow.xml", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	var mu sync.Mutex
	broken := true
	e.site.handle("/flaky.xml", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b := broken
		mu.Unlock()
		if b {
			http.Error(w, "<html><body>Internal Server Error: the database is down</body></html>", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed(e.site.URL()))
	})
	e.site.handle("/loop.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop2.xml", http.StatusMovedPermanently)
	})
	e.site.handle("/loop2.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop.xml", http.StatusMovedPermanently)
	})
	e.site.serve("/page.xml", "text/html", articlePage("Not a feed", stories[0].what,
		`<link rel="alternate" type="application/rss+xml" title="World" href="/world/rss.xml"><link rel="stylesheet" href="/s.css">`))
	e.site.article("/world/mosul", 0)
	e.site.article("/world/aleppo", 1)
	cases := map[string]string{"/slow.xml": fetch.ReasonTimeout, "/flaky.xml": fetch.ReasonStatus, "/loop.xml": fetch.ReasonRedirects, "/page.xml": fetch.ReasonParse, "/gone.xml": fetch.ReasonStatus}
	ids := map[string]string{}
	for path := range cases {
		ids[path] = e.follow(path).ID
	}
	p := e.poller(fetch.Options{Timeout: 300 * time.Millisecond})
	e.pollDue(p)
	for path, reason := range cases {
		f := e.feed(ids[path])
		if f.LastReason != reason || f.Failures != 1 || !strings.Contains(f.LastError, reason) {
			t.Errorf("%s: reason %q, %d failures, error %q; want reason %q", path, f.LastReason, f.Failures, f.LastError, reason)
		}
		if !f.NextFetch.After(e.clock.Now()) {
			t.Errorf("%s: next fetch %v is not after the failure", path, f.NextFetch)
		}
	}
	if f := e.feed(ids["/page.xml"]); !strings.Contains(f.LastError, e.site.URL()+"/world/rss.xml") {
		t.Errorf("a web page given for a feed: error %q does not name the feed the page links to", f.LastError)
	}
	if f := e.feed(ids["/flaky.xml"]); f.LastStatus != 500 {
		t.Errorf("flaky feed: status %d, want 500", f.LastStatus)
	}
	if n := len(e.articles()); n != 0 {
		t.Errorf("%d articles stored from failing feeds (an error page ingested?)", n)
	}
	// Backoff: a minute's interval doubled is due within three minutes.
	e.clock.Advance(90 * time.Second)
	e.pollDue(p)
	if n := e.site.hitsOf("/flaky.xml"); n != 1 {
		t.Errorf("the failing feed was fetched again (%d fetches) before its backoff", n)
	}
	mu.Lock()
	broken = false
	mu.Unlock()
	e.clock.Advance(2 * time.Minute)
	e.pollDue(p)
	f := e.feed(ids["/flaky.xml"])
	if f.LastError != "" || f.LastReason != "" || f.Failures != 0 || f.LastStatus != 200 || f.ArticlesIngested != 2 {
		t.Errorf("after recovery: error %q, %d failures, status %d, %d ingested", f.LastError, f.Failures, f.LastStatus, f.ArticlesIngested)
	}
	if f := e.feed(ids["/slow.xml"]); f.Failures != 2 {
		t.Errorf("the slow feed has %d failures after two polls, want 2", f.Failures)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	e.site.handle("/busy.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7200")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	f := e.follow("/busy.xml")
	e.pollDue(e.poller(fetch.Options{}))
	got := e.feed(f.ID)
	if got.LastStatus != http.StatusTooManyRequests || got.LastReason != fetch.ReasonStatus {
		t.Fatalf("status %d reason %q", got.LastStatus, got.LastReason)
	}
	// The backoff alone would be two minutes; the server asked for two hours.
	if wait := got.NextFetch.Sub(e.clock.Now()); wait < 2*time.Hour-time.Second {
		t.Errorf("next fetch in %v, want the two hours Retry-After asked for", wait)
	}
}

func TestItemFailures(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	base := e.site.URL()
	big := strings.Repeat("<p>a very long page</p>\n", 20<<20/24)
	e.site.serve("/big", "text/html", "<html><body>"+big+"</body></html>")
	e.site.serve("/report.pdf", "application/pdf", "%PDF-1.7")
	e.site.serve("/robots.txt", "text/plain", "User-agent: *\nDisallow: /members/\n")
	e.site.article("/members/story", 0)
	e.site.serve("/consent", "text/html", "<html><body><p>Please accept our cookies to continue.</p></body></html>")
	e.site.article("/good", 1)
	cases := map[string]string{"/big": fetch.ReasonTooLarge, "/report.pdf": fetch.ReasonNotHTML, "/members/story": fetch.ReasonRobots, "/consent": fetch.ReasonNoText, "/missing": fetch.ReasonStatus}
	ids := map[string]string{}
	for path := range cases {
		feedPath := "/feed" + strings.ReplaceAll(path, "/", "-") + ".xml"
		e.site.serve(feedPath, "application/rss+xml", `<rss version="2.0"><channel><title>t</title>
<item><title>bad</title><link>`+base+path+`</link></item><item><title>good</title><link>`+base+`/good</link></item></channel></rss>`)
		ids[path] = e.follow(feedPath).ID
	}
	p := e.poller(fetch.Options{})
	e.pollDue(p)
	for path, reason := range cases {
		f := e.feed(ids[path])
		if f.LastError != "" || f.ItemErrors != 1 || !strings.Contains(f.LastItemError, reason) || !strings.Contains(f.LastItemError, path) {
			t.Errorf("%s: feed error %q, %d item errors, last %q; want one naming %s", path, f.LastError, f.ItemErrors, f.LastItemError, reason)
		}
		if f.ItemsSeen != 2 {
			t.Errorf("%s: %d items seen, want 2", path, f.ItemsSeen)
		}
	}
	list := e.articles()
	if len(list) != 1 || list[0].URL != base+"/good" {
		t.Errorf("stored %v, want only the good article", list)
	}
	if n := e.site.hitsOf("/good"); n != 1 {
		t.Errorf("the article five feeds carry was fetched %d times", n)
	}
	if n := e.site.hitsOf("/members/story"); n != 0 {
		t.Errorf("a page robots.txt disallows was fetched %d times", n)
	}
	// Refusals are final: the next poll does not fetch them again.
	e.clock.Advance(5 * time.Minute)
	e.pollDue(p)
	if n := e.site.hitsOf("/report.pdf"); n != 1 {
		t.Errorf("a refused item was fetched %d times", n)
	}
}

func TestItemRetriedAfterServerError(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	var mu sync.Mutex
	fails := 1
	e.site.handle("/world/mosul", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, articlePage("Violence in Mosul", stories[0].what, ""))
	})
	e.site.article("/world/aleppo", 1)
	e.site.serve("/rss.xml", "application/rss+xml", rssFeed(e.site.URL()))
	f := e.follow("/rss.xml")
	p := e.poller(fetch.Options{})
	e.pollDue(p)
	if got := e.feed(f.ID); got.ArticlesIngested != 1 || got.ItemErrors != 1 || !strings.Contains(got.LastItemError, "503") {
		t.Fatalf("first poll: %d ingested, %d item errors, last %q", got.ArticlesIngested, got.ItemErrors, got.LastItemError)
	}
	e.clock.Advance(5 * time.Minute)
	e.pollDue(p)
	got := e.feed(f.ID)
	if got.ArticlesIngested != 2 || got.ItemsSeen != 2 || len(e.articles()) != 2 {
		t.Errorf("after the retry: %d ingested, %d items, %d articles; want the article not lost", got.ArticlesIngested, got.ItemsSeen, len(e.articles()))
	}
}

func TestDuplicatesAcrossFeeds(t *testing.T) {
	stores(t, func(t *testing.T, open func(t testing.TB) store) {
		e := newEnv(t, open(t))
		base := e.site.URL()
		canonical := `<link rel="canonical" href="` + base + `/world/mosul">`
		e.site.serve("/world/mosul", "text/html", articlePage("Violence in Mosul", stories[0].what, canonical))
		e.site.serve("/amp/mosul", "text/html", articlePage("Violence in Mosul", stories[0].what, canonical))
		e.site.serve("/a.xml", "application/rss+xml", `<rss version="2.0"><channel><title>a</title>
<item><guid>a-1</guid><link>`+base+`/world/mosul?utm_source=a</link></item></channel></rss>`)
		e.site.serve("/b.xml", "application/rss+xml", `<rss version="2.0"><channel><title>b</title>
<item><guid>b-1</guid><link>`+base+`/world/mosul?fbclid=xyz&amp;utm_medium=social</link></item>
<item><guid>b-2</guid><link>`+base+`/amp/mosul</link></item></channel></rss>`)
		a, b := e.follow("/a.xml"), e.follow("/b.xml")
		e.pollDue(e.poller(fetch.Options{}))
		list := e.articles()
		if len(list) != 1 || list[0].URL != base+"/world/mosul" {
			t.Fatalf("stored %v, want the one story under its canonical URL", list)
		}
		// Feed b's AMP link leads to the same story (its rel=canonical):
		// whichever link comes first is fetched, the other is then known.
		if n, amp := e.site.hitsOf("/world/mosul"), e.site.hitsOf("/amp/mosul"); n > 1 || amp > 1 || n+amp == 0 {
			t.Errorf("the story was fetched %d times, its AMP page %d times", n, amp)
		}
		fa, fb := e.feed(a.ID), e.feed(b.ID)
		if fa.ArticlesIngested+fb.ArticlesIngested != 1 || fa.ItemsSeen != 1 || fb.ItemsSeen != 2 || fa.ItemErrors+fb.ItemErrors != 0 {
			t.Errorf("feed a: %d ingested of %d; feed b: %d ingested of %d; errors %q %q",
				fa.ArticlesIngested, fa.ItemsSeen, fb.ArticlesIngested, fb.ItemsSeen, fa.LastItemError, fb.LastItemError)
		}
	})
}

func TestRestartInTheMiddleOfAPoll(t *testing.T) {
	stores(t, func(t *testing.T, open func(t testing.TB) store) {
		e := newEnv(t, open(t))
		base := e.site.URL()
		var items strings.Builder
		for i := 4; i >= 1; i-- {
			fmt.Fprintf(&items, "<item><guid>story-%d</guid><link>%s/story/%d</link></item>", i, base, i)
		}
		e.site.serve("/rss.xml", "application/rss+xml", `<rss version="2.0"><channel><title>t</title>`+items.String()+`</channel></rss>`)
		for i := 1; i <= 4; i++ {
			if i != 3 {
				e.site.article(fmt.Sprintf("/story/%d", i), i)
			}
		}
		reached := make(chan struct{}, 1)
		var mu sync.Mutex
		stall := true
		e.site.handle("/story/3", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			s := stall
			mu.Unlock()
			if s {
				reached <- struct{}{}
				<-r.Context().Done()
				return
			}
			fmt.Fprint(w, articlePage("Violence in Goma", stories[3].what, ""))
		})
		f := e.follow("/rss.xml")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.poller(fetch.Options{}).PollDue(ctx)
		}()
		select {
		case <-reached:
		case <-time.After(30 * time.Second):
			t.Fatal("the poll never reached the third article")
		}
		cancel() // the server stops in the middle of the poll
		<-done
		if n := len(e.articles()); n != 2 {
			t.Fatalf("%d articles stored before the stop, want 2", n)
		}
		got := e.feed(f.ID)
		if !got.LastFetch.IsZero() || got.ArticlesIngested != 2 {
			t.Errorf("after the stop: last fetch %v, %d ingested; want the fetch unsaved and two items recorded", got.LastFetch, got.ArticlesIngested)
		}
		mu.Lock()
		stall = false
		mu.Unlock()
		// A new server on the same store takes over at once: the stopped
		// one handed the feed back.
		e2 := &env{t: t, store: open(t), clock: e.clock, site: e.site}
		e2.pollDue(e2.poller(fetch.Options{}))
		list := e2.articles()
		if len(list) != 4 {
			t.Errorf("%d articles after the restart, want 4", len(list))
		}
		for i := 1; i <= 4; i++ {
			if !contains(list, fmt.Sprintf("%s/story/%d", base, i)) {
				t.Errorf("story %d lost", i)
			}
			want := 1
			if i == 3 {
				want = 2 // the interrupted fetch, then the one that succeeded
			}
			if n := e.site.hitsOf(fmt.Sprintf("/story/%d", i)); n != want {
				t.Errorf("story %d fetched %d times, want %d", i, n, want)
			}
		}
		got = e2.feed(f.ID)
		if got.ArticlesIngested != 4 || got.ItemsSeen != 4 || got.LastFetch.IsZero() || got.LastError != "" {
			t.Errorf("after the restart: %d ingested, %d seen, last fetch %v, error %q", got.ArticlesIngested, got.ItemsSeen, got.LastFetch, got.LastError)
		}
	})
}

func TestCrashedPollerLosesItsLease(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	e.site.serve("/rss.xml", "application/rss+xml", rssFeed(e.site.URL()))
	e.site.article("/world/mosul", 0)
	e.site.article("/world/aleppo", 1)
	f := e.follow("/rss.xml")
	// A poller that leased the feed and died without handing it back.
	if _, ok, err := e.store.LeaseFeed(t.Context(), "dead", e.clock.Now(), time.Minute); err != nil || !ok {
		t.Fatalf("lease: %v %v", ok, err)
	}
	p := e.poller(fetch.Options{})
	e.pollDue(p)
	if n := e.site.hitsOf("/rss.xml"); n != 0 {
		t.Fatalf("a feed leased by another poller was fetched")
	}
	e.clock.Advance(61 * time.Second)
	e.pollDue(p)
	if got := e.feed(f.ID); got.ArticlesIngested != 2 || got.LastError != "" {
		t.Errorf("after the dead lease expired: %d ingested, error %q", got.ArticlesIngested, got.LastError)
	}
}

// TestInstancesShareFeeds runs two pollers, each on its own connection to
// one PostgreSQL schema, as two server instances would: each feed is
// fetched once, and each article (some in two feeds) stored once.
func TestInstancesShareFeeds(t *testing.T) {
	schema := pgSchema(t)
	s1, s2 := openPG(t, schema), openPG(t, schema)
	e1 := newEnv(t, s1)
	e2 := &env{t: t, store: s2, clock: e1.clock, site: e1.site}
	base := e1.site.URL()
	const feeds, perFeed = 8, 3
	for f := range feeds {
		var items strings.Builder
		for i := range perFeed {
			// Story n appears in feed f and in feed f+1.
			n := f + i
			fmt.Fprintf(&items, "<item><guid>%d-%d</guid><link>%s/story/%d</link></item>", f, i, base, n)
			e1.site.article(fmt.Sprintf("/story/%d", n), n)
		}
		path := fmt.Sprintf("/feed/%d.xml", f)
		e1.site.serve(path, "application/rss+xml", `<rss version="2.0"><channel><title>t</title>`+items.String()+`</channel></rss>`)
		e1.follow(path)
	}
	var wg sync.WaitGroup
	for _, e := range []*env{e1, e2} {
		p := e.poller(fetch.Options{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.PollDue(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for f := range feeds {
		if n := e1.site.hitsOf(fmt.Sprintf("/feed/%d.xml", f)); n != 1 {
			t.Errorf("feed %d fetched %d times", f, n)
		}
	}
	stories := feeds + perFeed - 1
	for n := range stories {
		if h := e1.site.hitsOf(fmt.Sprintf("/story/%d", n)); h != 1 {
			t.Errorf("story %d fetched %d times", n, h)
		}
	}
	if got := len(e1.articles()); got != stories {
		t.Errorf("%d articles stored, want %d", got, stories)
	}
	all, err := s1.Feeds(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ingested := 0
	for _, f := range all {
		ingested += f.ArticlesIngested
		if f.ItemsSeen != perFeed || f.LastError != "" || f.ItemErrors != 0 {
			t.Errorf("%s: %d items seen, error %q, item error %q", f.URL, f.ItemsSeen, f.LastError, f.LastItemError)
		}
	}
	if ingested != stories {
		t.Errorf("the feeds count %d ingested articles, want %d", ingested, stories)
	}
}
