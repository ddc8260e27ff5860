package feed_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/semaphore"

	"conflictmap/geo"
	"conflictmap/geo/feed"
	"conflictmap/geo/fetch"
)

// A feed whose document changes with its list of items, and answers 304
// to a request that carries the current document's ETag.
type listFeed struct {
	mu    sync.Mutex
	base  string
	items []string
}

func (l *listFeed) set(items ...string) {
	l.mu.Lock()
	l.items = items
	l.mu.Unlock()
}

func (l *listFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	items := append([]string(nil), l.items...)
	l.mu.Unlock()
	etag := `"` + strings.Join(items, "+") + `"`
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var b strings.Builder
	for i := len(items) - 1; i >= 0; i-- { // newest first, as feeds list
		fmt.Fprintf(&b, "<item><guid>%s</guid><link>%s/story/%s</link><pubDate>Tue, 05 Mar 2024 10:00:00 +0000</pubDate></item>", items[i], l.base, items[i])
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Header().Set("ETag", etag)
	fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title>`+b.String()+`</channel></rss>`)
}

// When every extraction slot stays busy (the server's posted articles
// hold them), a feed item is deferred, not failed: /api/feeds says why,
// the feed is polled again soon (its ETag notwithstanding), and the items
// are all read once slots free up, however often they were deferred,
// each stored once.
func TestItemsWaitForAnExtractionSlot(t *testing.T) {
	stores(t, func(t *testing.T, open func(t testing.TB) store) {
		e := newEnv(t, open(t))
		lf := &listFeed{base: e.site.URL()}
		lf.set("a", "b", "c")
		e.site.handle("/rss.xml", lf.ServeHTTP)
		for i, k := range []string{"a", "b", "c"} {
			e.site.article("/story/"+k, i)
		}
		f := e.follow("/rss.xml")
		slots := semaphore.NewWeighted(1)
		if !slots.TryAcquire(1) { // a posted article holds the one slot
			t.Fatal("no slot")
		}
		p := e.pollerWith(fetch.Options{}, func(c *feed.Config) {
			c.Slots, c.MaxSlots, c.SlotWait = slots, 1, 20*time.Millisecond
		})
		for poll := 1; poll <= geo.MaxItemAttempts+1; poll++ {
			e.pollDue(p)
			got := e.feed(f.ID)
			if got.ItemsDeferred != poll || got.ItemErrors != 0 || got.ArticlesIngested != 0 || got.LastError != "" ||
				!strings.Contains(got.LastItemError, "--max-extractions") || !strings.Contains(got.LastItemError, "/story/a") {
				t.Fatalf("poll %d: %d deferred, %d errors, %d ingested, feed error %q, last item error %q",
					poll, got.ItemsDeferred, got.ItemErrors, got.ArticlesIngested, got.LastError, got.LastItemError)
			}
			// The first deferred item ends the poll: the others are not
			// fetched only to wait in vain.
			if n := e.site.hitsOf("/story/b"); n != 0 {
				t.Fatalf("poll %d: the second item was fetched %d times", poll, n)
			}
			if wait := got.NextFetch.Sub(e.clock.Now()); wait > feed.DeferredRetry+feed.DeferredRetry/10 {
				t.Errorf("poll %d: next fetch in %v, want within %v", poll, wait, feed.DeferredRetry)
			}
			e.clock.Advance(2 * feed.DeferredRetry)
		}
		if len(e.articles()) != 0 {
			t.Fatalf("articles stored while every slot was busy: %v", e.articles())
		}
		slots.Release(1)
		e.pollDue(p)
		got := e.feed(f.ID)
		if got.ArticlesIngested != 3 || got.ItemsSeen != 3 || got.ItemErrors != 0 || len(e.articles()) != 3 {
			t.Errorf("after the slot freed up: %d ingested of %d seen, %d errors (%q), %d articles; want all three",
				got.ArticlesIngested, got.ItemsSeen, got.ItemErrors, got.LastItemError, len(e.articles()))
		}
		if !slots.TryAcquire(1) {
			t.Fatal("the poller did not give its slot back")
		}
		slots.Release(1)
		// Nothing is read twice afterwards.
		e.clock.Advance(time.Hour)
		e.pollDue(p)
		if got := e.feed(f.ID); got.ArticlesIngested != 3 || e.site.hitsOf("/story/c") != 1 {
			t.Errorf("a later poll: %d ingested, /story/c fetched %d times", got.ArticlesIngested, e.site.hitsOf("/story/c"))
		}
	})
}

// An item that failed for a reason that may pass is read again at the
// next poll even when the feed has not changed and answers 304 to its
// ETag.
func TestRetriedItemsDespiteAnUnchangedFeed(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	lf := &listFeed{base: e.site.URL()}
	lf.set("a", "b")
	e.site.handle("/rss.xml", lf.ServeHTTP)
	var mu sync.Mutex
	fails := 1
	e.site.handle("/story/a", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			http.Error(w, "try later", http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, articlePage("Violence in Mosul", stories[0].what, ""))
	})
	e.site.article("/story/b", 1)
	f := e.follow("/rss.xml")
	p := e.poller(fetch.Options{})
	e.pollDue(p)
	if got := e.feed(f.ID); got.ArticlesIngested != 1 || got.ItemErrors != 1 {
		t.Fatalf("first poll: %d ingested, %d errors", got.ArticlesIngested, got.ItemErrors)
	}
	e.clock.Advance(5 * time.Minute)
	e.pollDue(p)
	if got := e.feed(f.ID); got.ArticlesIngested != 2 || got.LastStatus != http.StatusOK {
		t.Errorf("second poll: %d ingested, status %d; want the failed item read again", got.ArticlesIngested, got.LastStatus)
	}
	// With nothing left to retry, the validators are kept: a 304.
	e.clock.Advance(5 * time.Minute)
	e.pollDue(p)
	if got := e.feed(f.ID); got.LastStatus != http.StatusNotModified {
		t.Errorf("third poll: status %d, want 304", got.LastStatus)
	}
}

// A feed's recorded items are pruned after each poll: those older than
// the retention go, unless they are among the feed's last ItemsKept or
// still listed by the feed; an item pruned and listed again is not
// ingested again.
func TestOldItemsArePruned(t *testing.T) {
	stores(t, func(t *testing.T, open func(t testing.TB) store) {
		e := newEnv(t, open(t))
		lf := &listFeed{base: e.site.URL()}
		e.site.handle("/rss.xml", lf.ServeHTTP)
		for i, k := range []string{"a", "b", "c", "d", "e"} {
			e.site.article("/story/"+k, i)
		}
		f := e.follow("/rss.xml")
		poller := func(kept int) *feed.Poller {
			return e.pollerWith(fetch.Options{}, func(c *feed.Config) { c.ItemRetention, c.ItemsKept = time.Hour, kept })
		}
		seen := func() map[string]bool {
			t.Helper()
			m, err := e.store.SeenItems(context.Background(), f.ID, []string{"a", "b", "c", "d", "e"})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		lf.set("a", "b")
		e.pollDue(poller(2))
		// Two hours on, a and b are past the retention; the feed lists b,
		// c and d.
		e.clock.Advance(2 * time.Hour)
		lf.set("b", "c", "d")
		e.pollDue(poller(3)) // the last three kept: a stays
		if m := seen(); !m["a"] || !m["b"] || !m["c"] || !m["d"] {
			t.Fatalf("with the last three kept: seen %v, want a, b, c, d", m)
		}
		// Pruning follows a poll that reads the feed's document (an
		// unchanged feed, answered 304, adds nothing to prune for).
		e.clock.Advance(2 * time.Hour)
		lf.set("b", "c", "d", "e")
		e.pollDue(poller(2))
		if m := seen(); m["a"] || !m["b"] || !m["c"] || !m["d"] || !m["e"] {
			t.Fatalf("with the last two kept: seen %v, want a pruned, b, c and d kept (still listed), e new", m)
		}
		// a comes back: its article is stored, so it is neither fetched
		// nor ingested again.
		hits := e.site.hitsOf("/story/a")
		lf.set("a", "b", "c", "d", "e")
		e.clock.Advance(2 * time.Hour)
		e.pollDue(poller(2))
		got := e.feed(f.ID)
		if got.ArticlesIngested != 5 || len(e.articles()) != 5 || e.site.hitsOf("/story/a") != hits {
			t.Errorf("a listed again: %d ingested, %d articles, its page fetched %d more times",
				got.ArticlesIngested, len(e.articles()), e.site.hitsOf("/story/a")-hits)
		}
	})
}
