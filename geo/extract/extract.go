// Package extract reads conflict events from the text of an article:
// sentences, place mentions resolved against a gazetteer, event triggers,
// type, modality, date, actors and fatalities.
package extract

import (
	"conflictmap/geo"
)

// Version identifies the extraction rules; it is written on every event so
// that stored events can be re-extracted when the rules improve.
const Version = "0.1.0"

// Gazetteer is what the extractor needs of a gazetteer.
type Gazetteer interface {
	Lookup(name string) []geo.Place
	MaxWords() int
	Country(cc string) (geo.Place, bool)
}

// Extractor turns articles into events. It is safe for concurrent use.
type Extractor struct {
	gaz Gazetteer
}

// New returns an extractor that resolves places with gaz.
func New(gaz Gazetteer) *Extractor {
	return &Extractor{gaz: gaz}
}

// Extract returns the events of one article, each carrying the article's
// id, title, URL and publication date.
func (x *Extractor) Extract(a geo.Article) ([]geo.Event, error) {
	return nil, nil
}
