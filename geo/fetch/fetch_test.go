package fetch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/fetch"
)

func newClient(t *testing.T, o fetch.Options) *fetch.Client {
	t.Helper()
	if o.HostDelay == 0 {
		o.HostDelay = -1
	}
	if o.UserAgent == "" {
		o.UserAgent = "conflictmap/test"
	}
	c, err := fetch.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func local(t *testing.T, o fetch.Options) *fetch.Client {
	o.AllowPrivate = true
	return newClient(t, o)
}

func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantReason(t *testing.T, err error, reason string) *fetch.Error {
	t.Helper()
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *fetch.Error, want reason %s", err, reason)
	}
	if fe.Reason != reason {
		t.Fatalf("reason %q (%v), want %q", fe.Reason, err, reason)
	}
	if geo.ErrorCode(err) != geo.EINVALID || !strings.Contains(geo.ErrorMessage(err), reason) {
		t.Errorf("the domain error of %v is %s %q; want %s naming %s", err, geo.ErrorCode(err), geo.ErrorMessage(err), geo.EINVALID, reason)
	}
	return fe
}

func TestArticleDropsBoilerplate(t *testing.T) {
	page := readFile(t, "testdata/boilerplate.html")
	var ua string
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		ua = r.UserAgent()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	c := local(t, fetch.Options{UserAgent: "conflictmap/1.2.3 (+https://example.org)"})
	p, err := c.Article(t.Context(), srv.URL+"/story?utm_source=x")
	if err != nil {
		t.Fatal(err)
	}
	if ua != "conflictmap/1.2.3 (+https://example.org)" {
		t.Errorf("User-Agent %q", ua)
	}
	for _, want := range []string{"Artillery shells struck a crowded market", "stay close to shelters when sirens sound"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("text lacks the story's %q:\n%s", want, p.Text)
		}
	}
	for _, junk := range []string{"Subscribe for one euro", "ADVERTISEMENT", "NavPhone", "FirstCommenter99", "cancelled my subscription", "Celebrity wedding", "Cookie settings", "Politics"} {
		if strings.Contains(p.Text, junk) {
			t.Errorf("text holds boilerplate %q:\n%s", junk, p.Text)
		}
	}
	if p.Title != "Shelling hits market in Kharkiv" {
		t.Errorf("title %q", p.Title)
	}
	if p.Published != "2024-03-05" || p.PublishedFrom != geo.PublishedFromPage {
		t.Errorf("published %q from %q, want 2024-03-05 from the page", p.Published, p.PublishedFrom)
	}
	if want := "https://news.example.org/world/kharkiv-market-shelling?id=42"; p.URL != want {
		t.Errorf("canonical URL %q, want %q", p.URL, want)
	}
	if p.ID != geo.ArticleID(p.URL, "") {
		t.Errorf("id %q is not the canonical URL's", p.ID)
	}
}

func TestArticleDecodesWindows1252(t *testing.T) {
	page := readFile(t, "testdata/cp1252.html")
	for _, ct := range []string{"text/html", "text/html; charset=windows-1252"} {
		t.Run(ct, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", ct)
				w.Write(page)
			}))
			p, err := local(t, fetch.Options{}).Article(t.Context(), srv.URL+"/goma")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"“unprovoked”", "Saké", "€2 million"} {
				if !strings.Contains(p.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, p.Text)
				}
			}
			if p.Published != "2024-02-10" || p.PublishedFrom != geo.PublishedFromPage {
				t.Errorf("published %q from %q, want the <time> element's 2024-02-10", p.Published, p.PublishedFrom)
			}
			if p.URL != srv.URL+"/goma" {
				t.Errorf("without rel=canonical the URL is %q, want the fetched one", p.URL)
			}
		})
	}
}

func storyPage(head string) string {
	return "<html><head><title>Strike in Aleppo</title>" + head + "</head><body><article>" +
		strings.Repeat("<p>An air strike hit a building in Aleppo on Sunday, killing two people and destroying a bakery, the civil defence said.</p>", 4) +
		"</article></body></html>"
}

func TestArticleDates(t *testing.T) {
	cases := []struct {
		name, head, want, from string
	}{
		{"json-ld", `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2024-01-28T23:10:00-05:00"}</script>`, "2024-01-28", geo.PublishedFromPage},
		{"json-ld graph", `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","datePublished":"2024-01-27"}]}</script>`, "2024-01-27", geo.PublishedFromPage},
		{"meta", `<meta property="article:published_time" content="2023-12-31T10:00:00Z">`, "2023-12-31", geo.PublishedFromPage},
		{"none", ``, time.Now().UTC().Format(geo.DateLayout), geo.PublishedFromFetchDay},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, storyPage(tc.head))
			}))
			p, err := local(t, fetch.Options{}).Article(t.Context(), srv.URL+"/a")
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "none" && p.PublishedFrom != tc.from {
				t.Errorf("published from %q, want %q", p.PublishedFrom, tc.from)
			}
			if tc.name != "none" && (p.Published != tc.want || p.PublishedFrom != tc.from) {
				t.Errorf("published %q from %q, want %q from %q", p.Published, p.PublishedFrom, tc.want, tc.from)
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	var conditional int
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` || r.Header.Get("If-Modified-Since") == "Tue, 05 Mar 2024 08:00:00 GMT" {
			conditional++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 05 Mar 2024 08:00:00 GMT")
		w.Write([]byte("<rss></rss>"))
	}))
	c := local(t, fetch.Options{})
	first, err := c.Get(t.Context(), srv.URL+"/feed", "", fetch.Conditional{})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || first.ETag != `"v1"` || first.LastModified == "" || string(first.Body) != "<rss></rss>" {
		t.Fatalf("first answer %+v", first)
	}
	for _, cond := range []fetch.Conditional{{ETag: first.ETag}, {LastModified: first.LastModified}} {
		again, err := c.Get(t.Context(), srv.URL+"/feed", "", cond)
		if err != nil {
			t.Fatal(err)
		}
		if !again.NotModified || again.Status != http.StatusNotModified || len(again.Body) != 0 {
			t.Errorf("conditional answer %+v, want 304 not modified", again)
		}
	}
	if conditional != 2 {
		t.Errorf("%d conditional requests reached the server, want 2", conditional)
	}
}

func TestFailures(t *testing.T) {
	big := bytes.Repeat([]byte("<p>filler text for a very large page</p>\n"), 20<<20/40)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		// conflictmap obeys its own group, and only it.
		fmt.Fprint(w, "User-agent: *\nDisallow: /\n\nUser-agent: conflictmap\nDisallow: /no-bots/\n")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/loop-a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-b", http.StatusFound) })
	mux.HandleFunc("/loop-b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-a", http.StatusFound) })
	mux.HandleFunc("/chain/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/chain/"), "%d", &n)
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.org/x", http.StatusFound)
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>"))
		for i := 0; i < len(big); i += 1 << 20 {
			w.Write(big[i:min(i+1<<20, len(big))])
		}
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(len(big)))
		w.Write(big)
	})
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.7 not a page"))
	})
	mux.HandleFunc("/data.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"a": 1}`))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><head><title>Please accept cookies</title></head><body><p>We use cookies.</p></body></html>"))
	})
	mux.HandleFunc("/no-bots/story", func(w http.ResponseWriter, r *http.Request) { t.Error("a page robots.txt disallows was fetched") })
	srv := serve(t, mux)
	c := local(t, fetch.Options{Timeout: 300 * time.Millisecond})
	cases := []struct {
		path, reason string
		temporary    bool
	}{
		{"/slow", fetch.ReasonTimeout, true},
		{"/error", fetch.ReasonStatus, true},
		{"/missing", fetch.ReasonStatus, false},
		{"/loop-a", fetch.ReasonRedirects, false},
		{"/chain/0", fetch.ReasonRedirects, false},
		{"/ftp", fetch.ReasonURL, false},
		{"/big", fetch.ReasonTooLarge, false},
		{"/big-chunked", fetch.ReasonTooLarge, false},
		{"/report.pdf", fetch.ReasonNotHTML, false},
		{"/data.json", fetch.ReasonNotHTML, false},
		{"/empty", fetch.ReasonNoText, false},
		{"/no-bots/story", fetch.ReasonRobots, false},
	}
	for _, tc := range cases {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			c := c
			if tc.reason == fetch.ReasonTooLarge {
				c = local(t, fetch.Options{MaxBytes: fetch.DefaultMaxBytes})
			}
			_, err := c.Article(t.Context(), srv.URL+tc.path)
			fe := wantReason(t, err, tc.reason)
			if fe.Temporary() != tc.temporary {
				t.Errorf("Temporary() = %v, want %v", fe.Temporary(), tc.temporary)
			}
		})
	}
}

func TestRobotsForEveryone(t *testing.T) {
	fetched := false
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "# no crawlers\nUser-agent: *\nDisallow: /news/\n")
			return
		}
		fetched = true
	}))
	_, err := local(t, fetch.Options{}).Article(t.Context(), srv.URL+"/news/story-1")
	fe := wantReason(t, err, fetch.ReasonRobots)
	if !strings.Contains(fe.Detail, "robots.txt") {
		t.Errorf("detail %q does not name robots.txt", fe.Detail)
	}
	if fetched {
		t.Error("the disallowed page was fetched")
	}
}

func TestRobotsAfterARedirectToAnotherSite(t *testing.T) {
	other := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: conflictmap\nDisallow: /\n")
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, storyPage(""))
	}))
	short := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, other.URL+"/story", http.StatusMovedPermanently)
	}))
	_, err := local(t, fetch.Options{}).Article(t.Context(), short.URL+"/abc")
	fe := wantReason(t, err, fetch.ReasonRobots)
	if !strings.Contains(fe.Detail, "redirected") {
		t.Errorf("detail %q does not say the redirect led there", fe.Detail)
	}
}

func TestRefusesSchemes(t *testing.T) {
	c := newClient(t, fetch.Options{})
	for _, u := range []string{"ftp://example.org/a", "file:///etc/passwd", "gopher://x", "/relative", "http://", "http://user:pw@example.org/"} {
		_, err := c.Article(t.Context(), u)
		wantReason(t, err, fetch.ReasonURL)
	}
}

// guardedNet is a test network: names resolve through a table, and a
// connection reaches a local server only through the address map; any
// other address the client tries to reach is recorded (and fails), so a
// broken guard shows up without a packet leaving the machine.
type guardedNet struct {
	mu        sync.Mutex
	names     map[string][]netip.Addr
	routes    map[string]string // "ip:port" the client dials -> local server address
	attempted []string
}

func (g *guardedNet) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, ok := g.names[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (g *guardedNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	g.mu.Lock()
	to, ok := g.routes[addr]
	if !ok {
		g.attempted = append(g.attempted, addr)
	}
	g.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("test network: no route to %s", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

func TestAddressGuard(t *testing.T) {
	page := storyPage("")
	mux := http.NewServeMux()
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, page)
	})
	for _, target := range []string{"127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "localhost.test", "192.168.1.1", "[fe80::1]", "224.0.0.1", "0.0.0.0", "100.64.0.1", "[::ffff:127.0.0.1]"} {
		mux.HandleFunc("/to/"+target, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+target+"/latest/meta-data/", http.StatusFound)
		})
	}
	srv := serve(t, mux)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	public := "203.0.113.7"
	g := &guardedNet{
		names: map[string][]netip.Addr{
			"public.test":    {netip.MustParseAddr(public)},
			"localhost.test": {netip.MustParseAddr("127.0.0.1")},
			"rebind.test":    {netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("::1")},
		},
		routes: map[string]string{net.JoinHostPort(public, port): srv.Listener.Addr().String(), net.JoinHostPort(public, "80"): srv.Listener.Addr().String()},
	}
	guarded := newClient(t, fetch.Options{Resolve: g.resolve, Dial: g.dial})
	// The public name reaches the local server: the guard lets it through.
	p, err := guarded.Article(t.Context(), "http://public.test:"+port+"/story")
	if err != nil {
		t.Fatalf("a public address was refused: %v", err)
	}
	if !strings.Contains(p.Text, "Aleppo") {
		t.Fatalf("text %q", p.Text)
	}
	refused := []string{
		"http://127.0.0.1:" + port + "/story",
		"http://10.0.0.1/",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]:" + port + "/story",
		"http://localhost.test:" + port + "/story",
		"http://rebind.test/story",
		"http://[::ffff:127.0.0.1]:" + port + "/story",
	}
	for _, target := range []string{"127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "localhost.test", "192.168.1.1", "[fe80::1]", "224.0.0.1", "0.0.0.0", "100.64.0.1", "[::ffff:127.0.0.1]"} {
		refused = append(refused, "http://public.test:"+port+"/to/"+target)
	}
	for _, u := range refused {
		_, err := guarded.Article(t.Context(), u)
		fe := wantReason(t, err, fetch.ReasonAddress)
		if !strings.Contains(fe.Detail, "--fetch-allow-private") && !strings.Contains(fe.Detail, "refused") {
			t.Errorf("%s: detail %q does not say it was refused", u, fe.Detail)
		}
		if _, err := guarded.Get(t.Context(), u, "", fetch.Conditional{}); fetch.Reason(err) != fetch.ReasonAddress {
			t.Errorf("Get %s: %v, want refused", u, err)
		}
	}
	for _, u := range refused[:7] {
		if err := guarded.Check(t.Context(), u); fetch.Reason(err) != fetch.ReasonAddress {
			t.Errorf("Check %s: %v, want refused", u, err)
		}
	}
	if err := guarded.Check(t.Context(), "http://public.test/story"); err != nil {
		t.Errorf("Check of a public name: %v", err)
	}
	if err := guarded.Check(t.Context(), "http://nowhere.test/story"); fetch.Reason(err) != fetch.ReasonDNS {
		t.Errorf("Check of an unknown name: %v, want dns", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.attempted) > 0 {
		t.Errorf("the client tried to connect to refused addresses: %v", g.attempted)
	}
	// With AllowPrivate the same local server is read.
	if _, err := local(t, fetch.Options{}).Article(t.Context(), "http://127.0.0.1:"+port+"/story"); err != nil {
		t.Errorf("with AllowPrivate: %v", err)
	}
}

func TestCanonical(t *testing.T) {
	c, err := fetch.NewCanonicalizer()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"HTTPS://News.Example.org:443/a?utm_source=rss&utm_medium=x&id=7#comments": "https://news.example.org/a?id=7",
		"http://example.org:80":                                "http://example.org/",
		"https://example.org/a?fbclid=abc":                     "https://example.org/a",
		"https://example.org/a?b=2&a=1&gclid=z&UTM_CAMPAIGN=q": "https://example.org/a?b=2&a=1",
		"https://example.org:8443/a?":                          "https://example.org:8443/a",
		"ftp://example.org/a":                                  "",
		"not a url":                                            "",
	}
	for in, want := range cases {
		if got := c.Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHostDelaySpacesRequests(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
	}))
	delay := 60 * time.Millisecond
	c := local(t, fetch.Options{HostDelay: delay})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Get(t.Context(), srv.URL+"/x", "", fetch.Conditional{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	// A lower bound only: the delay is a sleep, so requests can never come
	// closer than it (less the jitter of the loopback).
	for i := 1; i < len(arrivals); i++ {
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < delay/2 {
			t.Errorf("requests %d and %d to one host came %v apart, want at least about %v", i, i+1, gap, delay)
		}
	}
}
