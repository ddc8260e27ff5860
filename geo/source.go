package geo

import (
	"net/url"
	"strings"
)

// Source is one report merged into an event: which article told it, where,
// when, in which words and with what death toll, so that a reader can check
// every figure the event combines.
type Source struct {
	ArticleID string
	Title     string
	Outlet    string // the host of the article's URL, without "www."
	URL       string
	Published string // YYYY-MM-DD; empty when unknown
	// PublishedEstimated says Published is the day the article was
	// fetched, not a date its publisher gave.
	PublishedEstimated bool
	Quote              string
	Fatalities         *int // nil when the report gives no number
}

// Outlet returns the outlet an article URL belongs to: its host in lower
// case without a leading "www.", or "" when the URL has no host.
func Outlet(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// SourceOf returns the source an event was read from, as one report.
func SourceOf(e Event) Source {
	return Source{
		ArticleID:          e.ArticleID,
		Title:              e.Title,
		Outlet:             Outlet(e.SourceURL),
		URL:                e.SourceURL,
		Published:          e.Published,
		PublishedEstimated: e.PublishedEstimated,
		Quote:              e.Quote,
		Fatalities:         e.Fatalities,
	}
}

// EventSources returns the sources of an event: its own list when it has
// one, else the event itself as its one report, so that every event, merged
// or not, names where it came from.
func EventSources(e Event) []Source {
	if len(e.Sources) > 0 {
		return e.Sources
	}
	return []Source{SourceOf(e)}
}

// Change is one entry of a store's log of changed events: at data version
// Version, the event EventID was written (new, or with new reports), or
// removed when Gone.
type Change struct {
	Version int64
	EventID string
	Gone    bool
}

// SourceArticles returns the ids of the articles that events and their
// sources name, once each, in the order met: what a store looks up to
// mark estimated publication dates (MarkEstimated).
func SourceArticles(events []Event) []string {
	seen := make(map[string]bool, len(events))
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, e := range events {
		add(e.ArticleID)
		for _, s := range e.Sources {
			add(s.ArticleID)
		}
	}
	return ids
}

// MarkEstimated sets PublishedEstimated on the events and sources whose
// article is in estimated: the flag belongs to the article, and a store
// keeps it there only, so that an article fetched again with a date it now
// shows clears it everywhere at once.
func MarkEstimated(events []Event, estimated map[string]bool) {
	for i := range events {
		e := &events[i]
		e.PublishedEstimated = estimated[e.ArticleID]
		for j := range e.Sources {
			e.Sources[j].PublishedEstimated = estimated[e.Sources[j].ArticleID]
		}
	}
}
