// Package geo holds conflictmap's domain: the conflict event, the place it
// happened, the article it was read from, the query filter, and the errors
// every layer agrees on. It imports no web framework, cache or SQL driver;
// adapters (stores, caches, HTTP handlers) depend on it, never the reverse.
package geo

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/paulmach/orb"
)

// DateLayout is the ISO 8601 calendar date layout used for every date field.
const DateLayout = "2006-01-02"

// Modality values: whether an event happened, is still happening, or is only
// threatened or planned.
const (
	Occurred   = "occurred"
	Ongoing    = "ongoing"
	Threatened = "threatened"
)

// Modalities returns the valid modality values, in the order above.
func Modalities() []string { return []string{Occurred, Ongoing, Threatened} }

// Time precision values, as ACLED defines them.
const (
	TimeDay   = 1 // the exact day is known
	TimeWeek  = 2 // a week or a span of a few days
	TimeMonth = 3 // a month or vaguer
)

// Geo precision values, as ACLED defines them.
const (
	GeoTown   = 1 // a town or a precise site
	GeoNear   = 2 // part of a region, or near a town
	GeoRegion = 3 // a region, a country or a sea
)

// Event is one conflict event at one place, read from one sentence of one
// article. Zero values mean unknown and are written as JSON null.
type Event struct {
	ID string

	// Point is the event's location as [lon, lat].
	Point orb.Point
	// Bound is the extent of a place larger than a town; nil for towns.
	Bound *orb.Bound

	EventDate     string // first possible day, YYYY-MM-DD
	EventDateEnd  string // last possible day, YYYY-MM-DD
	TimePrecision int    // TimeDay, TimeWeek or TimeMonth; 0 unknown

	EventType    string
	SubEventType string
	Modality     string

	Actor1     string
	Actor2     string
	Fatalities *int // nil when the text gives no number

	Location     string // gazetteer's English/ASCII name
	Country      string
	CountryCode  string // ISO 3166-1 alpha-2; empty at sea
	Admin1       string
	GeonameID    int64
	FeatureCode  string
	GeoPrecision int

	Mention    string  // the place as written in the text
	Quote      string  // the one sentence the event was read from
	Confidence float64 // 0..1

	ArticleID string
	Title     string
	SourceURL string
	Published string // YYYY-MM-DD
	// PublishedEstimated says Published is the day the article was
	// fetched, not a date its publisher gave (Article.PublishedEstimated).
	PublishedEstimated bool
	ExtractorVersion   string

	// SourceCount is how many articles report the event; 0 means the event
	// is one report, as extraction gives it.
	SourceCount int
	// Sources are those articles' reports, earliest first; nil for one
	// report (EventSources gives the event itself then).
	Sources []Source
	// Related are the ids of events linked to this one without being the
	// same happening: a threat and the strike that followed it.
	Related []string

	// Origin is where the event came from: "" (OriginExtracted) when it was
	// read from an article here, else the kind of file it was imported
	// from (OriginImport, OriginACLED, OriginUCDP). Imported events are
	// never merged with others.
	Origin string
}

// Origin values. An event's Origin is empty when extracted here; stores,
// filters and answers spell that OriginExtracted.
const (
	OriginExtracted = "extracted"
	OriginImport    = "import" // a GeoJSON or CSV export of conflictmap or another tool
	OriginACLED     = "acled"
	OriginUCDP      = "ucdp"
)

// Origins returns the valid origin values.
func Origins() []string { return []string{OriginExtracted, OriginImport, OriginACLED, OriginUCDP} }

// IsOrigin reports whether s is one of Origins.
func IsOrigin(s string) bool {
	switch s {
	case OriginExtracted, OriginImport, OriginACLED, OriginUCDP:
		return true
	}
	return false
}

// OriginName is e's Origin as answers spell it: OriginExtracted when empty.
func (e Event) OriginName() string {
	if e.Origin == "" {
		return OriginExtracted
	}
	return e.Origin
}

// Place is one entry of the gazetteer: a town, a region, a country or a sea.
type Place struct {
	GeonameID   int64 // GeoNames id; negative for rows of conflictmap's own tables
	Name        string
	CountryCode string // empty for seas and places in no single country
	Country     string
	Admin1      string
	FeatureCode string // GeoNames feature code: PPLC, PPLA, PPL, PCLI, ADM1, SEA, ...
	Point       orb.Point
	Bound       *orb.Bound // extent of places larger than a town
	Population  int64
}

// Article is one news report as it was ingested.
type Article struct {
	ID        string
	Title     string
	URL       string
	Published string // YYYY-MM-DD; empty when unknown
	// PublishedEstimated says Published is the day the article was fetched:
	// neither its page nor its feed gave a date. Relative dates in the text
	// ("on Tuesday") are resolved against it all the same, so an analyst
	// must be able to tell such a date from one the publisher wrote.
	PublishedEstimated bool
	Text               string
	// IngestedAt is when the store last received the article.
	IngestedAt time.Time
	// Events is how many events the store holds for the article.
	Events int
}

// ArticleID returns an article's identity, derived from its URL when it has
// one, else from its text, so that ingesting the same report twice replaces
// it. It is the first 8 bytes of the SHA-256 in hex: short enough for a URL
// path and an event id, and a collision needs some 2^32 articles.
func ArticleID(url, text string) string {
	if url != "" {
		sum := sha256.Sum256([]byte(url))
		return hex.EncodeToString(sum[:8])
	}
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}
