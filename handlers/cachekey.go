package handlers

import (
	"strconv"
	"strings"

	"conflictmap/geo"
)

// cacheKey names one cached answer. Every cached answer is keyed by one,
// written out by String alone, so that two answers whose bodies differ never
// share a key and two spellings of one query always do.
type cacheKey struct {
	// Route is the shape of the body ("events", "csv", "stats", "event",
	// "ogc/items", "ogc/landing.json", ...): two routes whose bodies differ
	// for the same query must not share it.
	Route string
	// Base is the absolute base URL, for bodies that hold links.
	Base string
	// ID is the one event (or document) the answer is about.
	ID string
	// Filter is the query, written in canonical form (defaults filled in,
	// parameters sorted), nil for answers that take none.
	Filter *geo.Filter
	// Params are further parameters of the answer (a zoom, a tile), in a
	// fixed order.
	Params []string
}

// String writes the key under the data version v: the response cache's
// entries of one version are never read under another.
func (k cacheKey) String(v int64) string {
	var b strings.Builder
	b.WriteString("v")
	b.WriteString(strconv.FormatInt(v, 10))
	b.WriteString(":")
	b.WriteString(k.Route)
	if k.Base != "" {
		b.WriteString("|")
		b.WriteString(k.Base)
	}
	if k.ID != "" {
		b.WriteString("/")
		b.WriteString(k.ID)
	}
	for _, p := range k.Params {
		b.WriteString(";")
		b.WriteString(p)
	}
	if k.Filter != nil {
		b.WriteString("?")
		b.WriteString(canonicalQuery(*k.Filter))
	}
	return b.String()
}
