package geo

import (
	"net/url"
	"strings"
)

// Source is one report merged into an event: which article told it, where,
// when, in which words and with what death toll, so that a reader can check
// every figure the event combines.
type Source struct {
	ArticleID  string
	Title      string
	Outlet     string // the host of the article's URL, without "www."
	URL        string
	Published  string // YYYY-MM-DD; empty when unknown
	Quote      string
	Fatalities *int // nil when the report gives no number
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
		ArticleID:  e.ArticleID,
		Title:      e.Title,
		Outlet:     Outlet(e.SourceURL),
		URL:        e.SourceURL,
		Published:  e.Published,
		Quote:      e.Quote,
		Fatalities: e.Fatalities,
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
