// Package feed follows news feeds (RSS 2.0, Atom, JSON Feed): it polls each
// feed when it is due, with conditional GET and backoff on errors, fetches
// the page of every new item, and hands each article to the ingest. All its
// state (validators, items seen, next fetch, health counters, the lease that
// lets one server instance at a time poll a feed) lives in the store, so a
// restarted server resumes where it stopped and several instances on one
// database share the work.
package feed

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"

	"conflictmap/geo"
	"conflictmap/geo/fetch"
)

// Defaults of Config.
const (
	DefaultInterval = 10 * time.Minute
	DefaultTick     = time.Second
	DefaultLeaseTTL = 2 * time.Minute
	DefaultWorkers  = 2
	// MaxBackoff bounds the wait after failed fetches (unless the feed's
	// own interval is longer).
	MaxBackoff = 6 * time.Hour
	// MaxRetryAfter bounds the wait a feed's Retry-After header may ask for.
	MaxRetryAfter = 24 * time.Hour
	// DefaultSlotWait is how long an item waits for an extraction slot
	// before it is deferred, as long as POST /api/articles waits.
	DefaultSlotWait = 5 * time.Second
	// DeferredRetry bounds the wait before a feed whose items were
	// deferred is polled again.
	DeferredRetry = time.Minute
	// DefaultItemRetention and DefaultItemsKept bound a feed's recorded
	// items: those recorded in the last DefaultItemRetention, or its last
	// DefaultItemsKept, whichever are more, and every item its document
	// still lists (so that none is read twice) are kept; older ones are
	// pruned after each poll, so that the table does not grow with the
	// feed's age.
	DefaultItemRetention = 30 * 24 * time.Hour
	DefaultItemsKept     = 1000
)

// feedAccept is the Accept header of a feed fetch.
const feedAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"

// Store is what the poller needs of the store.
type Store interface {
	LeaseFeed(ctx context.Context, owner string, now time.Time, ttl time.Duration) (geo.Feed, bool, error)
	RenewFeedLease(ctx context.Context, id, owner string, until time.Time) (bool, error)
	SaveFeedFetch(ctx context.Context, id, owner string, r geo.FeedFetch) (bool, error)
	ReleaseFeed(ctx context.Context, id, owner string) error
	SeenItems(ctx context.Context, feedID string, keys []string) (map[string]bool, error)
	RecordFeedItem(ctx context.Context, feedID string, it geo.FeedItem, now time.Time) error
	ClaimArticle(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) (string, error)
	ReleaseArticle(ctx context.Context, id, owner string) error
	PruneFeedItems(ctx context.Context, feedID string, before time.Time, keep int, listed []string) (int, error)
}

// Fetcher fetches feeds and article pages. Reading an article is two
// steps, so that the network wait holds no extraction slot: Page fetches
// (robots.txt, redirects, limits), ReadPage extracts the main text.
type Fetcher interface {
	Get(ctx context.Context, url, accept string, cond fetch.Conditional) (*fetch.Response, error)
	Page(ctx context.Context, url string) (*fetch.Response, error)
	ReadPage(url string, resp *fetch.Response) (geo.Page, error)
	Canonical(url string) string
}

// Slots bounds the articles extracted at once; *semaphore.Weighted of
// golang.org/x/sync is one.
type Slots interface {
	Acquire(ctx context.Context, n int64) error
	Release(n int64)
}

// Ingester extracts an article's events and stores both, returning how
// many events it found. It bounds the extraction's time itself; an error
// that wraps context.DeadlineExceeded (while the poll goes on) is a budget
// spent, tried again at a later poll.
type Ingester interface {
	Ingest(ctx context.Context, a geo.Article) (int, error)
}

// Config configures a Poller.
type Config struct {
	Store    Store
	Fetcher  Fetcher
	Ingester Ingester
	Logger   *slog.Logger
	// Owner names this poller in leases; empty: a random id.
	Owner string
	// Interval is the time between two fetches of a feed that has none of
	// its own; each wait varies by up to a tenth either way (jitter), so
	// that feeds added together drift apart.
	Interval time.Duration
	// Tick is how often the poller looks for due feeds.
	Tick time.Duration
	// LeaseTTL is how long a poller holds a feed without renewing; a
	// poller that died loses its feeds to others after it.
	LeaseTTL time.Duration
	// Workers is how many feeds one poller polls at once.
	Workers int
	// Slots, shared with the server's other ingests, bounds the articles
	// read at once: an item holds one slot while its page's text is
	// extracted and its events are extracted and stored (the work that
	// costs processors and memory), not while its page downloads. An item
	// that waits SlotWait for a slot in vain is deferred: recorded with the
	// reason, read again at a poll DeferredRetry later, never counted as a
	// failed attempt. nil: no bound.
	Slots    Slots
	SlotWait time.Duration // 0: DefaultSlotWait
	// MaxSlots is the size of Slots, named in a deferred item's reason.
	MaxSlots int
	// ItemRetention and ItemsKept bound the items recorded per feed (see
	// DefaultItemRetention); 0: the defaults.
	ItemRetention time.Duration
	ItemsKept     int
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Poller polls the store's feeds.
type Poller struct {
	cfg Config
	log *slog.Logger
}

// New returns a poller with the config's defaults filled in.
func New(cfg Config) *Poller {
	if cfg.Owner == "" {
		b := make([]byte, 8)
		rand.Read(b)
		cfg.Owner = hex.EncodeToString(b)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Tick <= 0 {
		cfg.Tick = DefaultTick
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Slots == nil {
		cfg.Slots = unbounded{}
	}
	if cfg.SlotWait <= 0 {
		cfg.SlotWait = DefaultSlotWait
	}
	if cfg.ItemRetention <= 0 {
		cfg.ItemRetention = DefaultItemRetention
	}
	if cfg.ItemsKept <= 0 {
		cfg.ItemsKept = DefaultItemsKept
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Poller{cfg: cfg, log: cfg.Logger}
}

// Owner is the id this poller holds leases under.
func (p *Poller) Owner() string { return p.cfg.Owner }

// Run polls due feeds until ctx is cancelled, then waits for the polls in
// flight to stop at their next item and hands their feeds back.
func (p *Poller) Run(ctx context.Context) {
	sem := make(chan struct{}, p.cfg.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(p.cfg.Tick)
	defer t.Stop()
	for {
	lease:
		for ctx.Err() == nil {
			select {
			case sem <- struct{}{}:
			default:
				break lease // every worker busy
			}
			f, ok, err := p.cfg.Store.LeaseFeed(ctx, p.cfg.Owner, p.cfg.Now(), p.cfg.LeaseTTL)
			if err != nil || !ok {
				<-sem
				if err != nil && ctx.Err() == nil {
					p.log.Warn("feeds: looking for a due feed", "err", err)
				}
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer func() {
					// A bug met by one feed costs that poll, not the server.
					if r := recover(); r != nil {
						p.log.Error("feeds: poll failed", "feed", f.URL, "panic", r, "stack", string(debug.Stack()))
						p.failed(f, fmt.Sprintf("fetching %s: internal: the poll failed (%v)", f.URL, r))
					}
				}()
				p.poll(ctx, f)
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PollDue polls every feed that is due now, one after the other, and
// returns how many it polled. Tests and benchmarks use it; Run is the
// server's loop.
func (p *Poller) PollDue(ctx context.Context) (int, error) {
	n := 0
	for {
		f, ok, err := p.cfg.Store.LeaseFeed(ctx, p.cfg.Owner, p.cfg.Now(), p.cfg.LeaseTTL)
		if err != nil || !ok {
			return n, err
		}
		p.poll(ctx, f)
		n++
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
}

// poll fetches one leased feed and reads its new items. The validators
// and next fetch time are saved only once every new item has been dealt
// with, so a poll cut short (a restart) is done again, from the items not
// yet recorded.
func (p *Poller) poll(ctx context.Context, f geo.Feed) {
	log := p.log.With("feed", f.URL)
	start := p.cfg.Now()
	res := geo.FeedFetch{At: start}
	resp, err := p.cfg.Fetcher.Get(ctx, f.URL, feedAccept, fetch.Conditional{ETag: f.ETag, LastModified: f.LastModified})
	if resp != nil {
		res.Status = resp.Status
	}
	var items []*gofeed.Item
	var base *url.URL
	switch {
	case ctx.Err() != nil:
		p.release(f)
		return
	case err != nil:
		res.Err, res.Reason = err.Error(), fetch.Reason(err)
	case resp.NotModified:
		res.NotModified = true
	default:
		res.ETag, res.LastModified = resp.ETag, resp.LastModified
		parsed, perr := parseFeed(resp.Body)
		if perr != nil {
			res.Err, res.Reason = fmt.Sprintf("fetching %s: %s: not an RSS, Atom or JSON feed: %v", f.URL, fetch.ReasonParse, perr), fetch.ReasonParse
			if links := fetch.FeedLinks(resp.Body, resp.URL); len(links) > 0 {
				res.Err += "; the page names its feeds: " + strings.Join(links, " ")
			}
			break
		}
		items = parsed.Items
		base, _ = url.Parse(resp.URL)
		if parsed.Link != "" {
			if l, err := base.Parse(parsed.Link); err == nil && l.IsAbs() && l.Host == base.Host {
				base = l
			}
		}
	}
	var read itemsRead
	if res.Err == "" && len(items) > 0 {
		read = p.readItems(ctx, log, f, items, base)
		if read.cut {
			p.release(f)
			return
		}
		if read.pending > 0 {
			// Without validators the next poll reads the whole document
			// again, and with it the items left to retry; a 304 would
			// leave them unread until the feed changes.
			res.ETag, res.LastModified = "", ""
		}
	}
	interval := f.Interval
	if interval <= 0 {
		interval = p.cfg.Interval
	}
	switch {
	case res.Err == "" && read.deferred > 0:
		res.NextFetch = p.cfg.Now().Add(jitter(min(interval, DeferredRetry)))
		log.Warn("feed items deferred: every extraction slot was busy", "deferred", read.deferred, "next", res.NextFetch)
	case res.Err != "":
		wait := backoff(interval, f.Failures+1)
		var fe *fetch.Error
		if errors.As(err, &fe) && fe.RetryAfter > wait {
			wait = min(fe.RetryAfter, MaxRetryAfter) // the server asked for longer
		}
		res.NextFetch = p.cfg.Now().Add(wait)
		log.Warn("feed fetch failed", "reason", res.Reason, "err", res.Err, "failures", f.Failures+1, "next", res.NextFetch)
	default:
		res.NextFetch = p.cfg.Now().Add(jitter(interval))
		log.Debug("feed polled", "status", res.Status, "not_modified", res.NotModified, "items", len(items), "next", res.NextFetch)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ok, err := p.cfg.Store.SaveFeedFetch(sctx, f.ID, p.cfg.Owner, res); err != nil {
		log.Error("feeds: saving a fetch", "err", err)
	} else if !ok {
		log.Warn("feeds: lease lost before the fetch was saved; another instance polls it")
	}
}

// parseFeed reads an RSS, Atom or JSON feed; a document that makes the
// parser panic is an error like any unreadable feed.
func parseFeed(body []byte) (f *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the parser failed: %v", r)
		}
	}()
	return gofeed.NewParser().Parse(bytes.NewReader(body))
}

// failed records a poll that broke off for a reason of its own, with the
// backoff of a failed fetch, so that it is not tried again at once.
func (p *Poller) failed(f geo.Feed, msg string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	interval := f.Interval
	if interval <= 0 {
		interval = p.cfg.Interval
	}
	now := p.cfg.Now()
	res := geo.FeedFetch{At: now, Err: msg, Reason: "internal", NextFetch: now.Add(backoff(interval, f.Failures+1))}
	if _, err := p.cfg.Store.SaveFeedFetch(ctx, f.ID, p.cfg.Owner, res); err != nil {
		p.log.Warn("feeds: recording a failed poll", "feed", f.URL, "err", err)
	}
}

// release hands a feed back without recording a fetch (the poll was cut
// short), so that the next poller takes it at once.
func (p *Poller) release(f geo.Feed) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.cfg.Store.ReleaseFeed(ctx, f.ID, p.cfg.Owner); err != nil {
		p.log.Warn("feeds: releasing a feed", "feed", f.URL, "err", err)
	}
}

// backoff is the wait after the n-th failure in a row: the interval
// doubled per failure, up to MaxBackoff (or the interval, when longer).
func backoff(interval time.Duration, n int) time.Duration {
	limit := max(MaxBackoff, interval)
	d := float64(interval) * math.Pow(2, float64(min(n, 30)))
	if d > float64(limit) {
		return limit
	}
	return jitter(time.Duration(d))
}

// jitter varies d by up to a tenth either way.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*mrand.Float64()))
}

// item is a feed item's identity and what the poller uses of it.
type item struct {
	key, link, title, published string
}

func readItem(it *gofeed.Item, base *url.URL) item {
	out := item{title: strings.Join(strings.Fields(html.UnescapeString(it.Title)), " ")}
	link := strings.TrimSpace(it.Link)
	if link == "" && len(it.Links) > 0 {
		link = strings.TrimSpace(it.Links[0])
	}
	if link == "" && it.GUID != "" && (strings.HasPrefix(it.GUID, "http://") || strings.HasPrefix(it.GUID, "https://")) {
		link = it.GUID
	}
	if link != "" && base != nil {
		if u, err := base.Parse(link); err == nil {
			link = u.String()
		}
	}
	out.link = link
	out.key = strings.TrimSpace(it.GUID)
	if out.key == "" {
		out.key = link
	}
	if out.key == "" {
		out.key = "title:" + out.title
	}
	out.published = itemDate(it.Published, it.PublishedParsed)
	if out.published == "" {
		out.published = itemDate(it.Updated, it.UpdatedParsed)
	}
	return out
}

// dateLayouts are the timestamp forms feeds write (RFC 822 in RSS, RFC
// 3339 in Atom and JSON Feed), read here so that the day stays the one in
// the item's own offset.
var dateLayouts = []string{time.RFC3339, time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700"}

// itemDate is the calendar day of a feed timestamp as written, else of
// the parser's reading of it.
func itemDate(raw string, parsed *time.Time) string {
	raw = strings.TrimSpace(raw)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, raw); err == nil {
			return t.Format(geo.DateLayout)
		}
	}
	if parsed != nil {
		return parsed.Format(geo.DateLayout)
	}
	return ""
}

// itemsRead is what became of a poll's items.
type itemsRead struct {
	cut      bool // the poll was cut short (cancelled, or the lease lost)
	pending  int  // items left to read again at a later poll
	deferred int  // of those, items that found no extraction slot
}

// readItems reads the feed's items it has not dealt with yet, oldest
// first, until one is deferred (the others would wait in vain too: they
// are read at the next poll, unrecorded), then prunes the feed's old
// items.
func (p *Poller) readItems(ctx context.Context, log *slog.Logger, f geo.Feed, raw []*gofeed.Item, base *url.URL) (out itemsRead) {
	items := make([]item, 0, len(raw))
	keys := make([]string, 0, len(raw))
	dup := map[string]bool{}
	for i := len(raw) - 1; i >= 0; i-- { // feeds list the newest first
		it := readItem(raw[i], base)
		if dup[it.key] {
			continue
		}
		dup[it.key] = true
		items = append(items, it)
		keys = append(keys, it.key)
	}
	seen, err := p.cfg.Store.SeenItems(ctx, f.ID, keys)
	if err != nil {
		log.Error("feeds: reading seen items", "err", err)
		return itemsRead{cut: true}
	}
	for _, it := range items {
		if seen[it.key] {
			continue
		}
		if ctx.Err() != nil {
			return itemsRead{cut: true}
		}
		if ok, err := p.cfg.Store.RenewFeedLease(ctx, f.ID, p.cfg.Owner, p.cfg.Now().Add(p.cfg.LeaseTTL)); err != nil || !ok {
			if ctx.Err() == nil {
				log.Warn("feeds: lease lost in the middle of a poll", "err", err)
			}
			return itemsRead{cut: true}
		}
		rec, done := p.readOne(ctx, it)
		if !done {
			return itemsRead{cut: true}
		}
		switch {
		case rec.Deferred:
			log.Info("feed item deferred", "item", it.link, "reason", rec.Err)
		case rec.Err != "":
			log.Warn("feed item failed", "item", it.link, "err", rec.Err, "final", rec.Final)
		case rec.Ingested:
			log.Info("feed item ingested", "item", it.link, "article", rec.ArticleID, "events", rec.Events)
		}
		if err := p.cfg.Store.RecordFeedItem(context.WithoutCancel(ctx), f.ID, rec, p.cfg.Now()); err != nil {
			log.Error("feeds: recording an item", "err", err)
			return itemsRead{cut: true}
		}
		if rec.Deferred {
			out.pending++
			out.deferred++
			break
		}
		if rec.Err != "" && !rec.Final {
			out.pending++ // may pass: the store has it to retry unless it failed too often
		}
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	n, err := p.cfg.Store.PruneFeedItems(pctx, f.ID, p.cfg.Now().Add(-p.cfg.ItemRetention), p.cfg.ItemsKept, keys)
	switch {
	case err != nil:
		log.Warn("feeds: pruning old items", "err", err)
	case n > 0:
		log.Debug("feeds: pruned old items", "removed", n)
	}
	return out
}

// acquire takes an extraction slot, waiting at most SlotWait; false when
// none came (or ctx ended). Without Slots it always succeeds.
func (p *Poller) acquire(ctx context.Context) bool {
	wctx, cancel := context.WithTimeout(ctx, p.cfg.SlotWait)
	defer cancel()
	return p.cfg.Slots.Acquire(wctx, 1) == nil
}

// unbounded is Slots without a bound.
type unbounded struct{}

func (unbounded) Acquire(ctx context.Context, n int64) error { return nil }
func (unbounded) Release(n int64)                            {}

// readOne fetches and ingests one item's article. done is false when the
// item was left for a later poll without a record (cancelled, or another
// poller is reading the same article).
func (p *Poller) readOne(ctx context.Context, it item) (rec geo.FeedItem, done bool) {
	rec.Key = it.key
	link := p.cfg.Fetcher.Canonical(it.link)
	if link == "" {
		rec.Err, rec.Final = fmt.Sprintf("item %q has no http or https link", it.key), true
		return rec, true
	}
	claimTTL := p.cfg.LeaseTTL / 2 // a waiting poller renews its own lease only between items
	var claimed []string
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		for _, id := range claimed {
			if err := p.cfg.Store.ReleaseArticle(rctx, id, p.cfg.Owner); err != nil {
				p.log.Warn("feeds: releasing an article claim", "article", id, "err", err)
			}
		}
	}()
	// claim waits while another poller reads the same article (a story
	// two feeds carry), so that it is then seen as stored.
	claim := func(id string) (string, error) {
		for wait := 20 * time.Millisecond; ; wait = min(2*wait, time.Second) {
			c, err := p.cfg.Store.ClaimArticle(ctx, id, p.cfg.Owner, p.cfg.Now(), claimTTL)
			if c == geo.ClaimOK {
				claimed = append(claimed, id)
			}
			if err != nil || c != geo.ClaimBusy {
				return c, err
			}
			select {
			case <-ctx.Done():
				return c, ctx.Err()
			case <-time.After(wait):
			}
		}
	}
	id := geo.ArticleID(link, "")
	c, err := claim(id)
	switch {
	case err != nil:
		return rec, false
	case c == geo.ClaimStored:
		rec.ArticleID = id
		return rec, true
	case c == geo.ClaimBusy:
		return rec, false
	}
	resp, err := p.cfg.Fetcher.Page(ctx, it.link)
	if err != nil {
		if ctx.Err() != nil {
			return rec, false
		}
		var fe *fetch.Error
		rec.Err = err.Error()
		rec.Final = !errors.As(err, &fe) || !fe.Temporary()
		return rec, true
	}
	// From here on the work is the processors' and the memory's: it waits
	// for a slot shared with every other ingest of the server.
	if !p.acquire(ctx) {
		if ctx.Err() != nil {
			return rec, false
		}
		rec.Deferred = true
		rec.Err = fmt.Sprintf("%s: deferred: the server was extracting %d articles (--max-extractions) for %s; read again at a later poll",
			it.link, p.cfg.MaxSlots, p.cfg.SlotWait)
		return rec, true
	}
	defer p.cfg.Slots.Release(1)
	page, err := p.cfg.Fetcher.ReadPage(it.link, resp)
	resp = nil // the body may go before the extraction starts
	if err != nil {
		var fe *fetch.Error
		rec.Err = err.Error()
		rec.Final = !errors.As(err, &fe) || !fe.Temporary()
		return rec, true
	}
	if page.ID != id {
		c, err := claim(page.ID)
		switch {
		case err != nil:
			return rec, false
		case c == geo.ClaimStored:
			rec.ArticleID = page.ID
			return rec, true
		case c == geo.ClaimBusy:
			return rec, false
		}
	}
	a := page.Article
	if it.published != "" {
		a.Published, a.PublishedEstimated = it.published, false
	}
	if it.title != "" {
		a.Title = it.title
	}
	n, err := p.cfg.Ingester.Ingest(ctx, a)
	if err != nil {
		if ctx.Err() != nil {
			return rec, false
		}
		rec.Err = fmt.Sprintf("ingesting %s: %s", it.link, geo.ErrorMessage(err))
		if errors.Is(err, context.DeadlineExceeded) {
			// The ingester's message names the budget and its flag.
			rec.Err = fmt.Sprintf("ingesting %s: %v", it.link, err)
			p.log.Warn("feeds: an article's extraction ran out of time", "item", it.link, "err", err)
		} else {
			p.log.Error("feeds: ingesting an article", "item", it.link, "err", err)
		}
		return rec, true
	}
	rec.ArticleID, rec.Ingested, rec.Events = a.ID, true, n
	return rec, true
}
