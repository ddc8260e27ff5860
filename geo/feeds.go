package geo

import "time"

// Where a fetched article's publication date came from.
const (
	PublishedFromFeed     = "feed"      // the feed item's date
	PublishedFromPage     = "page"      // the page's metadata (article:published_time, JSON-LD datePublished, <time>)
	PublishedFromFetchDay = "fetch_day" // nothing said: the day it was fetched
)

// Page is an article read from a web page: its identity is its canonical
// URL (the page's rel=canonical, tracking parameters removed).
type Page struct {
	Article
	// FetchedURL is the URL the page was read from, after redirects.
	FetchedURL string
	// PublishedFrom says where Article.Published came from.
	PublishedFrom string
}

// Feed is one followed feed (RSS, Atom or JSON Feed) with the state its
// poller keeps between fetches and the health it shows.
type Feed struct {
	ID       string
	URL      string
	Interval time.Duration // 0: the server's default
	// Source is "flag" for a feed configured at start, "api" for one added
	// at run time.
	Source    string
	CreatedAt time.Time

	// Validators of the last full answer, for a conditional GET.
	ETag         string
	LastModified string

	LastFetch  time.Time // zero: never fetched
	LastStatus int       // HTTP status of the last fetch; 0 when none came
	LastError  string    // empty when the last fetch succeeded
	LastReason string    // one word: dns, status, timeout, parse, ...
	Failures   int       // consecutive failed fetches
	NextFetch  time.Time

	ItemsSeen        int
	ArticlesIngested int
	EventsFound      int
	ItemErrors       int
	LastItemError    string
	// ItemsDeferred counts the items left for a later poll because every
	// extraction slot the server has (--max-extractions) stayed busy.
	ItemsDeferred int
}

// FeedID is a feed's identity, derived from its URL.
func FeedID(url string) string { return ArticleID(url, "") }

// FeedFetch is the outcome of one poll of a feed, saved by the poller that
// holds the feed's lease.
type FeedFetch struct {
	At           time.Time
	Status       int
	ETag         string // kept when empty and NotModified
	LastModified string
	NotModified  bool
	Err          string // empty on success
	Reason       string
	NextFetch    time.Time
}

// FeedItem is the outcome of one item of a feed.
type FeedItem struct {
	Key       string // the item's guid, else its link
	ArticleID string // empty when no article was stored
	Ingested  bool   // a new article was stored from it
	Events    int
	Err       string // why it failed; empty on success or when skipped
	// Final marks an item not to be tried again: done, or failed for a
	// reason that will not change (robots, not_html, no_text, too_large,
	// 4xx), or failed too often.
	Final bool
	// Deferred marks an item that was not read because the server had no
	// extraction slot free: Err says so, and the item is read at a later
	// poll without it counting as one of its MaxItemAttempts.
	Deferred bool
}

// States of a feed item.
const (
	ItemDone   = "done"   // read (stored, or already stored)
	ItemFailed = "failed" // not tried again
	ItemRetry  = "retry"  // failed for a reason that may pass: tried at the next poll
)

// MaxItemAttempts is how often an item that keeps failing for a reason
// that may pass (a timeout, a 5xx) is tried before it is given up.
const MaxItemAttempts = 3

// ItemState is the state an item is stored with after attempt number
// attempt (a deferred item was not attempted: it stays to retry).
func ItemState(it FeedItem, attempt int) string {
	switch {
	case it.Deferred:
		return ItemRetry
	case it.Err == "":
		return ItemDone
	case it.Final || attempt >= MaxItemAttempts:
		return ItemFailed
	}
	return ItemRetry
}

// Answers of a store's ClaimArticle.
const (
	ClaimOK     = "ok"     // the caller may fetch and store the article
	ClaimStored = "stored" // the store holds the article already
	ClaimBusy   = "busy"   // another poller is fetching it now
)
