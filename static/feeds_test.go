package static_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// feedStories are the articles of the local test feed: each a report of
// one event in a town the gazetteer knows, written for this test.
var feedStories = []struct{ path, title, town, text string }{
	{"/news/mosul-patrol", "Patrol ambushed outside Mosul", "Mosul",
		"Gunmen ambushed an army patrol outside Mosul on Monday, and two soldiers died in the attack, an army spokesman said."},
	{"/news/aleppo-shelling", "Shelling hits Aleppo suburb", "Aleppo",
		"Artillery shells struck a residential suburb of Aleppo on Thursday, killing four residents, a local council said."},
	{"/news/mogadishu-blast", "Blast at Mogadishu checkpoint", "Mogadishu",
		"A roadside bomb went off at a checkpoint in Mogadishu on Saturday, killing three police officers, officials said."},
}

// newsFeedSite serves an RSS 2.0 feed of feedStories and each story as an
// article page with navigation and a footer around it.
func newsFeedSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		site := "http://" + r.Host
		var items strings.Builder
		for _, st := range feedStories {
			fmt.Fprintf(&items, "<item><title>%s</title><link>%s%s</link><guid>%s</guid><pubDate>Mon, 04 Mar 2024 09:00:00 GMT</pubDate></item>",
				st.title, site, st.path, st.path)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Local Test News</title><link>`+site+`/</link>`+items.String()+`</channel></rss>`)
	})
	for _, st := range feedStories {
		mux.HandleFunc(st.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>`+st.title+`</title>
<meta property="article:published_time" content="2024-03-04T09:00:00Z"></head><body>
<nav><a href="/">Front page</a> <a href="/region">Region</a></nav>
<article><h1>`+st.title+`</h1><p>`+st.text+`</p>
<p>Residents described a tense night, with roads into the district closed until the morning.</p>
<p>No group had claimed responsibility by the evening, according to the local authorities.</p></article>
<footer>Local Test News</footer></body></html>`)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowserFeeds runs test/feeds.mjs (headless Chromium) against a server
// started with --feed on a local feed of three articles (and
// --fetch-allow-private, since the feed is on loopback): with no manual
// step, the page shows the feed's events on the map and the feed with its
// health in its Sources panel.
func TestBrowserFeeds(t *testing.T) {
	node := requireTools(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "conflictmap")
	build := exec.Command("go", "build", "-o", bin, "conflictmap/cmd/conflictmap")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building conflictmap: %v\n%s", err, out)
	}
	site := newsFeedSite(t)
	feed := site.URL + "/feed.xml"
	base := startServer(t, bin, dir, "--feed", feed, "--fetch-allow-private", "--fetch-host-delay", "0", "--feed-interval", "1h")
	var towns []string
	for _, st := range feedStories {
		towns = append(towns, st.town)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "feeds.mjs"), base, feed, strings.Join(towns, ","))
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromiumPath)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	t.Logf("node test/feeds.mjs %s %s:\n%s", base, feed, out.String())
	if err != nil {
		t.Fatalf("feeds page test failed: %v", err)
	}
}
