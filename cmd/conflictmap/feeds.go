package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/feed"
	"conflictmap/geo/fetch"
	"conflictmap/handlers"
)

// feedConfig is serve's configuration of feeds and page fetching.
type feedConfig struct {
	Feeds        []string
	Interval     time.Duration
	HostDelay    time.Duration
	AllowPrivate bool
	MaxBytes     int64
	Timeout      time.Duration
	// Tick is how often the poller looks for due feeds (tests shorten it).
	Tick time.Duration
}

// feedList is the repeatable --feed flag; the first --feed replaces the
// list CONFLICTMAP_FEEDS gave.
type feedList struct {
	list    *[]string
	fromEnv bool
}

func (f *feedList) String() string {
	if f.list == nil {
		return ""
	}
	return strings.Join(*f.list, " ")
}

func (f *feedList) Set(v string) error {
	if f.fromEnv {
		*f.list, f.fromEnv = nil, false
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return fmt.Errorf("empty feed URL")
	}
	*f.list = append(*f.list, v)
	return nil
}

// addFlags defines the feed and fetch flags of serve, each with its
// environment fallback.
func (c *feedConfig) addFlags(env *Env, fs *flag.FlagSet) error {
	c.Feeds = strings.Fields(env.Getenv("CONFLICTMAP_FEEDS"))
	fs.Var(&feedList{list: &c.Feeds, fromEnv: len(c.Feeds) > 0}, "feed",
		"URL of an RSS, Atom or JSON feed to follow; repeatable (CONFLICTMAP_FEEDS, whitespace-separated)")
	if err := durationFlag(env, fs, &c.Interval, "feed-interval", "CONFLICTMAP_FEED_INTERVAL", feed.DefaultInterval,
		"time between two fetches of a feed (each wait varies by a tenth either way)"); err != nil {
		return err
	}
	if err := durationFlag(env, fs, &c.HostDelay, "fetch-host-delay", "CONFLICTMAP_FETCH_HOST_DELAY", fetch.DefaultHostDelay,
		"least time between two requests to one host (feeds and article pages)"); err != nil {
		return err
	}
	if err := durationFlag(env, fs, &c.Timeout, "fetch-timeout", "CONFLICTMAP_FETCH_TIMEOUT", fetch.DefaultTimeout,
		"bound on one fetch of a feed or page"); err != nil {
		return err
	}
	if err := int64Flag(env, fs, &c.MaxBytes, "fetch-max-bytes", "CONFLICTMAP_FETCH_MAX_BYTES", fetch.DefaultMaxBytes,
		"largest feed or page body fetched, in bytes"); err != nil {
		return err
	}
	allow := false
	if v := env.Getenv("CONFLICTMAP_FETCH_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("CONFLICTMAP_FETCH_ALLOW_PRIVATE=%q: not true or false", v)
		}
		allow = b
	}
	fs.BoolVar(&c.AllowPrivate, "fetch-allow-private", allow,
		"let feeds and article URLs reach loopback, private, link-local and multicast addresses\n(a server reading its own network); refused by default (CONFLICTMAP_FETCH_ALLOW_PRIVATE)")
	return nil
}

// check refuses values no fetch could work with.
func (c *feedConfig) check() error {
	switch {
	case c.Interval <= 0:
		return fmt.Errorf("--feed-interval %s: want a positive duration", c.Interval)
	case c.Timeout <= 0:
		return fmt.Errorf("--fetch-timeout %s: want a positive duration", c.Timeout)
	case c.MaxBytes <= 0:
		return fmt.Errorf("--fetch-max-bytes %d: want a positive number of bytes", c.MaxBytes)
	}
	for _, u := range c.Feeds {
		if _, err := fetch.ParseURL(u); err != nil {
			return fmt.Errorf("--feed: %w", err)
		}
	}
	return nil
}

// feedStore is what feeds need of the store: the poller's part and the
// API's.
type feedStore interface {
	feed.Store
	handlers.FeedStore
}

// feedRunner is the running poller of a server.
type feedRunner struct {
	fetcher pageFetcher
	store   feedStore
	poller  *feed.Poller
	wg      sync.WaitGroup
}

// pageFetcher is the fetch client as the handlers use it: the download
// of a posted URL apart from the reading of its article, which they do
// holding an extraction slot.
type pageFetcher struct{ *fetch.Client }

// FetchPage downloads the page at url and returns how to read its
// article.
func (f pageFetcher) FetchPage(ctx context.Context, url string) (func() (geo.Page, error), error) {
	resp, err := f.Client.Page(ctx, url)
	if err != nil {
		return nil, err
	}
	return func() (geo.Page, error) { return f.Client.ReadPage(url, resp) }, nil
}

// ingester extracts an article's events and stores both, as POST
// /api/articles does, within the same time budget (--extract-timeout).
// The poller holds an extraction slot around it.
type ingester struct {
	x       *extract.Extractor
	store   store
	timeout time.Duration
}

func (in ingester) Ingest(ctx context.Context, a geo.Article) (int, error) {
	xctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	events, err := in.x.ExtractContext(xctx, a)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return 0, fmt.Errorf("extracting events from article %s took longer than its %s budget (--extract-timeout): %w", a.ID, in.timeout, err)
	}
	if err != nil {
		return 0, fmt.Errorf("extracting events from article %s: %w", a.ID, err)
	}
	if events == nil {
		events = []geo.Event{}
	}
	if _, err := in.store.Ingest(ctx, a, events); err != nil {
		return 0, err
	}
	return len(events), nil
}

// userAgent names conflictmap, its build and its extractor's version.
func userAgent() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 && v == "dev" {
				v = s.Value[:7]
			}
		}
	}
	return "conflictmap/" + v + " (news reader; extractor " + extract.Version + ")"
}

// openFeeds builds the fetcher and the poller, and follows the feeds
// given at start (those deleted at run time come back this way). The
// poller takes its extraction slots from slots, as POST /api/articles
// does.
func (s *Server) openFeeds(ctx context.Context, x *extract.Extractor, slots *semaphore.Weighted) error {
	c := s.Config.Fetch
	fst, ok := s.store.(feedStore)
	if !ok {
		return fmt.Errorf("the store does not keep feeds")
	}
	fc, err := fetch.New(fetch.Options{
		AllowPrivate: c.AllowPrivate, MaxBytes: c.MaxBytes, Timeout: c.Timeout,
		HostDelay: c.HostDelay, UserAgent: userAgent(),
	})
	if err != nil {
		return err
	}
	for _, u := range c.Feeds {
		f, created, err := fst.AddFeed(ctx, u, 0, "flag", time.Now().UTC())
		if err != nil {
			return fmt.Errorf("--feed %s: %w", u, err)
		}
		if created {
			s.Logger.Info("following feed", "feed", f.URL, "id", f.ID)
		}
	}
	s.feeds = &feedRunner{
		fetcher: pageFetcher{fc},
		store:   fst,
		poller: feed.New(feed.Config{
			Store: fst, Fetcher: fc, Ingester: ingester{x: x, store: s.store, timeout: s.Config.ExtractTimeout},
			Logger: s.Logger, Interval: c.Interval, Tick: c.Tick,
			Slots: slots, MaxSlots: s.Config.MaxExtractions,
		}),
	}
	return nil
}

// startFeeds runs the poller until ctx ends; the returned func waits for
// it to hand its feeds back.
func (s *Server) startFeeds(ctx context.Context) (stop func()) {
	if s.feeds == nil {
		return func() {}
	}
	pctx, cancel := context.WithCancel(ctx)
	s.feeds.wg.Add(1)
	go func() {
		defer s.feeds.wg.Done()
		s.feeds.poller.Run(pctx)
	}()
	return func() {
		cancel()
		s.feeds.wg.Wait()
	}
}
