package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"conflictmap/geo"
)

// FeedStore is what the feed routes need of the store.
type FeedStore interface {
	AddFeed(ctx context.Context, url string, interval time.Duration, source string, now time.Time) (geo.Feed, bool, error)
	Feeds(ctx context.Context) ([]geo.Feed, error)
	Feed(ctx context.Context, id string) (geo.Feed, error)
	DeleteFeed(ctx context.Context, id string) error
}

// Fetcher reads articles from the web for POST /api/articles with a url
// and no text, and vets feed URLs.
type Fetcher interface {
	// Check refuses a URL that may not be fetched (not http or https, a
	// host that resolves to a private address), naming the reason.
	Check(ctx context.Context, url string) error
	// FetchPage downloads a web page and returns how to read its article:
	// read takes processors and memory, and is called holding an
	// extraction slot; the download only waits on the network.
	FetchPage(ctx context.Context, url string) (read func() (geo.Page, error), err error)
}

// MinFeedInterval is the shortest interval POST /api/feeds accepts.
const MinFeedInterval = time.Minute

// feedJSON is a feed as GET /api/feeds shows it; unknown values are null.
type feedJSON struct {
	ID               string  `json:"id"`
	URL              string  `json:"url"`
	Interval         string  `json:"interval"`
	Source           string  `json:"source"`
	Health           string  `json:"health"`
	CreatedAt        string  `json:"created_at"`
	LastFetch        *string `json:"last_fetch"`
	LastStatus       *int    `json:"last_status"`
	LastError        *string `json:"last_error"`
	LastReason       *string `json:"last_reason"`
	Failures         int     `json:"failures"`
	NextFetch        string  `json:"next_fetch"`
	ItemsSeen        int     `json:"items_seen"`
	ArticlesIngested int     `json:"articles_ingested"`
	EventsFound      int     `json:"events_found"`
	ItemErrors       int     `json:"item_errors"`
	LastItemError    *string `json:"last_item_error"`
	ItemsDeferred    int     `json:"items_deferred"`
}

func (s *Server) toFeedJSON(f geo.Feed) feedJSON {
	opt := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	interval := f.Interval
	if interval <= 0 {
		interval = s.cfg.FeedInterval
	}
	out := feedJSON{
		ID: f.ID, URL: f.URL, Interval: shortDuration(interval), Source: f.Source,
		CreatedAt: ts(f.CreatedAt), LastError: opt(f.LastError), LastReason: opt(f.LastReason),
		Failures: f.Failures, NextFetch: ts(f.NextFetch), ItemsSeen: f.ItemsSeen,
		ArticlesIngested: f.ArticlesIngested, EventsFound: f.EventsFound, ItemErrors: f.ItemErrors,
		LastItemError: opt(f.LastItemError), ItemsDeferred: f.ItemsDeferred,
	}
	switch {
	case f.LastFetch.IsZero():
		out.Health = "pending"
	case f.LastError != "":
		out.Health = "failing"
	default:
		out.Health = "ok"
	}
	if !f.LastFetch.IsZero() {
		out.LastFetch = opt(ts(f.LastFetch))
	}
	if f.LastStatus != 0 {
		st := f.LastStatus
		out.LastStatus = &st
	}
	return out
}

// shortDuration writes 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (s *Server) feedRoutes() {
	e := s.echo
	e.Match([]string{http.MethodGet, http.MethodHead}, "/api/feeds", s.listFeeds)
	e.Match([]string{http.MethodGet, http.MethodHead}, "/api/feeds/:id", s.getFeed)
	e.POST("/api/feeds", s.postFeed)
	e.DELETE("/api/feeds/:id", s.deleteFeed)
}

func (s *Server) listFeeds(c echo.Context) error {
	list, err := s.cfg.Feeds.Feeds(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]feedJSON, len(list))
	for i, f := range list {
		out[i] = s.toFeedJSON(f)
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, map[string]any{"feeds": out, "default_interval": shortDuration(s.cfg.FeedInterval)})
}

func (s *Server) getFeed(c echo.Context) error {
	id := c.Param("id")
	if len(id) > maxIDLen {
		return geo.Errorf(geo.ENOTFOUND, "no feed %.20q...", id)
	}
	f, err := s.cfg.Feeds.Feed(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, s.toFeedJSON(f))
}

// postFeed follows a feed: {"url": ..., "interval": "10m"}. The URL is
// vetted at once (scheme, address); the poller fetches it within its next
// tick. Following a URL again sets its interval.
func (s *Server) postFeed(c echo.Context) error {
	if err := s.authorize(c.Request()); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, 64<<10))
	if err != nil {
		return geo.Errorf(geo.EINVALID, "reading the request body: %v", err)
	}
	var req struct {
		URL      string `json:"url"`
		Interval string `json:"interval"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return geo.Errorf(geo.EINVALID, "malformed JSON body: %s; want {\"url\": ..., \"interval\": \"10m\"}", jsonProblem(err))
	}
	u := strings.TrimSpace(req.URL)
	if u == "" {
		return geo.Errorf(geo.EINVALID, "url: missing; the feed's URL is required")
	}
	if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return geo.Errorf(geo.EINVALID, "url: %q is not an absolute http or https URL", u)
	}
	var interval time.Duration
	if req.Interval != "" {
		interval, err = time.ParseDuration(req.Interval)
		if err != nil || interval < MinFeedInterval {
			return geo.Errorf(geo.EINVALID, "interval: %q is not a duration of at least %s (e.g. 10m, 1h)", req.Interval, shortDuration(MinFeedInterval))
		}
	}
	if s.cfg.Fetcher != nil {
		if err := s.cfg.Fetcher.Check(c.Request().Context(), u); err != nil {
			return err
		}
	}
	f, created, err := s.cfg.Feeds.AddFeed(c.Request().Context(), u, interval, "api", time.Now().UTC())
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.log.Info("feed added", "feed", f.URL, "interval", interval)
	}
	c.Response().Header().Set("Location", "/api/feeds/"+url.PathEscape(f.ID))
	return c.JSON(status, s.toFeedJSON(f))
}

func (s *Server) deleteFeed(c echo.Context) error {
	if err := s.authorize(c.Request()); err != nil {
		return err
	}
	id := c.Param("id")
	if len(id) > maxIDLen {
		return geo.Errorf(geo.ENOTFOUND, "no feed %.20q...", id)
	}
	if err := s.cfg.Feeds.DeleteFeed(c.Request().Context(), id); err != nil {
		return err
	}
	s.log.Info("feed deleted", "id", id)
	return c.NoContent(http.StatusNoContent)
}

// fetchPage downloads the page at a posted URL (POST /api/articles with a
// url and no text), after checking the request's date and the URL.
func (s *Server) fetchPage(ctx context.Context, req articleRequest) (read func() (geo.Page, error), err error) {
	if _, err := parsePublished(req.Published); err != nil {
		return nil, err
	}
	u := strings.TrimSpace(req.URL)
	if err := s.cfg.Fetcher.Check(ctx, u); err != nil {
		return nil, err
	}
	return s.cfg.Fetcher.FetchPage(ctx, u)
}

// readFetched reads the article of a page fetchPage downloaded; the
// posted title and date win over the page's.
func (s *Server) readFetched(req articleRequest, read func() (geo.Page, error)) (geo.Article, *geo.Page, error) {
	published, err := parsePublished(req.Published)
	if err != nil {
		return geo.Article{}, nil, err
	}
	page, err := read()
	if err != nil {
		return geo.Article{}, nil, err
	}
	a := page.Article
	if t := strings.TrimSpace(req.Title); t != "" {
		a.Title = t
	}
	if published != "" {
		a.Published, a.PublishedEstimated = published, false
		page.PublishedFrom = "request"
	}
	return a, &page, nil
}

// fetchedKey holds, in a request's context, the page POST /api/articles
// fetched.
const fetchedKey = "conflictmap.fetched"

// fetchedJSON tells the client of POST /api/articles what was fetched:
// the URL read (after redirects) and where the date came from ("page",
// "request", or "fetch_day" when the page gave none).
func fetchedJSON(p *geo.Page) map[string]string {
	return map[string]string{"url": p.FetchedURL, "published_from": p.PublishedFrom}
}
