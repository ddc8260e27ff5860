// Package gazetteer is conflictmap's offline gazetteer: GeoNames populated
// places, Natural Earth countries and a reviewed table of seas, regions and
// conflict sites, embedded in the binary and looked up by normalised name.
//
// The embedded file data/gazetteer.tsv.gz is written by the generator in
// ./gen (make gazetteer). It is gzip-compressed UTF-8 text in sections, each
// opened by a line "@name<TAB>count":
//
//	@admin1    CC.code  name
//	@places    id  name  cc  admin1  feature  lat  lon  population  [w,s,e,n]
//	@keys      key  i,i,...     (sorted by key; place numbers in base 36, best first)
//	@acronyms  KEY  i,i,...     (names matched only when written in capitals)
//	@prominence id  n           (GeoNames alternate names of a populated place, when 4 or more)
//	@demonyms  key  cc
//	@given     key              (English given names)
//	@common    key              (the most frequent English words)
//	@stop      key              (words that are never place names)
//
// Load keeps the text as one string and indexes line offsets only; a lookup
// binary-searches the sorted keys and decodes the few places it returns.
//
// A second, village tier (villages.go, data/villages/CC.tsv.gz) holds the
// villages, hamlets and districts of conflict-affected countries that the
// core tier lacks; it is read per country on first need and searched only
// through LookupVillage, never by Lookup.
package gazetteer

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"conflictmap/geo"
)

//go:embed data/gazetteer.tsv.gz
var embedded []byte

// ErrFormat is returned when the gazetteer data cannot be decoded.
var ErrFormat = errors.New("gazetteer: bad data")

// Gazetteer answers name lookups against the embedded place data. It is
// safe for concurrent use once loaded.
type Gazetteer struct {
	text      string
	places    []uint32 // offset of each place line in text
	keys      []uint32 // offset of each key line, in key order
	acronyms  []uint32
	admin1    map[string]string // "CC.code" -> name
	countries map[string]int    // cc -> place number
	demonyms  map[string]string // demonym key -> cc
	given     map[string]bool
	common    map[string]bool
	prominent map[int64]uint8 // geonameid -> alternate names
	stop      map[string]bool
	maxWords  int

	// The village tier (villages.go): one file per country, read on first need.
	villageFS fs.FS
	villages  map[string]*villageSet
}

// Load decodes the embedded gazetteer's core tier. The village tier is
// read country by country when a caller first asks for one (LookupVillage).
func Load() (*Gazetteer, error) {
	g, err := load(embedded)
	if err != nil {
		return nil, err
	}
	g.villageFS = embeddedVillages()
	g.villages = newVillageSets(g.villageFS)
	return g, nil
}

// load decodes a gzip-compressed gazetteer file.
func load(gz []byte) (*Gazetteer, error) {
	text, err := gunzipString(gz)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	g := &Gazetteer{
		text:      text,
		admin1:    map[string]string{},
		countries: map[string]int{},
		demonyms:  map[string]string{},
		given:     map[string]bool{},
		common:    map[string]bool{},
		prominent: map[int64]uint8{},
		stop:      map[string]bool{},
	}
	if err := g.index(); err != nil {
		return nil, err
	}
	return g, nil
}

// index records where each line of each section starts.
func (g *Gazetteer) index() error {
	t := g.text
	if !strings.HasPrefix(t, "conflictmap-gazetteer\t1\n") {
		return fmt.Errorf("%w: unknown header", ErrFormat)
	}
	section := ""
	for pos := 0; pos < len(t); {
		end := strings.IndexByte(t[pos:], '\n')
		if end < 0 {
			end = len(t)
		} else {
			end += pos
		}
		line := t[pos:end]
		if strings.HasPrefix(line, "@") {
			name, count, _ := strings.Cut(line[1:], "\t")
			section = name
			n, _ := strconv.Atoi(count)
			switch section {
			case "places":
				g.places = make([]uint32, 0, n)
			case "keys":
				g.keys = make([]uint32, 0, n)
			case "acronyms":
				g.acronyms = make([]uint32, 0, n)
			}
			pos = end + 1
			continue
		}
		switch section {
		case "":
			if v, ok := strings.CutPrefix(line, "maxwords\t"); ok {
				g.maxWords, _ = strconv.Atoi(v)
			}
		case "admin1":
			code, name, _ := strings.Cut(line, "\t")
			g.admin1[code] = name
		case "places":
			g.places = append(g.places, uint32(pos))
			if f := fields(line, 6); f[4] == "PCLI" {
				g.countries[f[2]] = len(g.places) - 1
			}
		case "keys":
			g.keys = append(g.keys, uint32(pos))
		case "acronyms":
			g.acronyms = append(g.acronyms, uint32(pos))
		case "demonyms":
			k, cc, _ := strings.Cut(line, "\t")
			g.demonyms[k] = cc
		case "given":
			g.given[line] = true
		case "prominence":
			id, n, _ := strings.Cut(line, "\t")
			i, err1 := strconv.ParseInt(id, 10, 64)
			v, err2 := strconv.ParseUint(n, 10, 8)
			if err1 == nil && err2 == nil {
				g.prominent[i] = uint8(v)
			}
		case "common":
			g.common[line] = true
		case "stop":
			g.stop[line] = true
		}
		pos = end + 1
	}
	if len(g.places) == 0 || len(g.keys) == 0 || g.maxWords < 1 {
		return fmt.Errorf("%w: no places", ErrFormat)
	}
	return nil
}

// fields splits the first n tab-separated fields of line.
func fields(line string, n int) []string {
	return strings.SplitN(line, "\t", n)
}

// Lookup returns every place one of whose names (name, ASCII name or an
// accepted alternate name) normalises to the same key as name, best-ranked
// first (country, reviewed region or sea, capital, admin seat, first-level
// region, town; then population). Acronyms such as "US" or "UAE" match only
// when name is written in capitals, so that "us" finds nothing.
func (g *Gazetteer) Lookup(name string) []geo.Place {
	var out []geo.Place
	if acr, ok := acronym(name); ok {
		for _, i := range g.postings(g.acronyms, acr) {
			out = append(out, g.place(i))
		}
	}
	for _, i := range g.postings(g.keys, Normalize(name)) {
		p := g.place(i)
		if !containsID(out, p.GeonameID) {
			out = append(out, p)
		}
	}
	return out
}

func containsID(ps []geo.Place, id int64) bool {
	for _, p := range ps {
		if p.GeonameID == id {
			return true
		}
	}
	return false
}

// acronym returns name without periods when it is written in capitals only
// ("U.S." -> "US").
func acronym(name string) (string, bool) {
	if len(name) > 12 {
		return "", false
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '.':
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// postings finds key in a sorted index section and returns its place numbers.
func (g *Gazetteer) postings(index []uint32, key string) []int {
	return postingsIn(g.text, index, key, len(g.places))
}

func (g *Gazetteer) line(off uint32) string { return lineAt(g.text, off) }

// place decodes place number i.
func (g *Gazetteer) place(i int) geo.Place {
	f := fields(g.line(g.places[i]), 9)
	for len(f) < 9 {
		f = append(f, "")
	}
	p := geo.Place{
		Name:        f[1],
		CountryCode: f[2],
		FeatureCode: f[4],
	}
	p.GeonameID, _ = strconv.ParseInt(f[0], 10, 64)
	if p.CountryCode != "" {
		if c, ok := g.countries[p.CountryCode]; ok && c != i {
			p.Country = fields(g.line(g.places[c]), 3)[1]
		} else if ok {
			p.Country = p.Name
		}
		if f[3] != "" {
			p.Admin1 = g.admin1[p.CountryCode+"."+f[3]]
		}
	}
	lat, _ := strconv.ParseFloat(f[5], 64)
	lon, _ := strconv.ParseFloat(f[6], 64)
	p.Point = orb.Point{lon, lat}
	p.Population, _ = strconv.ParseInt(f[7], 10, 64)
	if f[8] != "" {
		var b [4]float64
		parts := strings.Split(f[8], ",")
		if len(parts) == 4 {
			ok := true
			for j, s := range parts {
				v, err := strconv.ParseFloat(s, 64)
				ok = ok && err == nil
				b[j] = v
			}
			if ok {
				p.Bound = &orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}
			}
		}
	}
	return p
}

// MaxWords returns the number of words of the longest name, so that callers
// know how long a run of words to try.
func (g *Gazetteer) MaxWords() int { return g.maxWords }

// Country returns the country with ISO 3166-1 alpha-2 code cc.
func (g *Gazetteer) Country(cc string) (geo.Place, bool) {
	i, ok := g.countries[strings.ToUpper(cc)]
	if !ok {
		return geo.Place{}, false
	}
	return g.place(i), true
}

// Admin1Names returns the names of the first-level divisions of country
// cc (provinces, states, governorates), sorted; nil for an unknown code.
func (g *Gazetteer) Admin1Names(cc string) []string {
	prefix := strings.ToUpper(cc) + "."
	var out []string
	for code, name := range g.admin1 {
		if strings.HasPrefix(code, prefix) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Demonym returns the country of a nationality word ("Iraqi", "Iraqis" ->
// "IQ"). Demonyms are not place names but hint at what an article is about.
func (g *Gazetteer) Demonym(word string) (string, bool) {
	cc, ok := g.demonyms[Normalize(word)]
	return cc, ok
}

// GivenName reports whether word is a common English given name, so that
// "Sabrina Singh" or "Jordan Peterson" can be told from a place.
func (g *Gazetteer) GivenName(word string) bool {
	return g.given[Normalize(word)]
}

// Stopword reports whether word is never a place name here: it is on the
// reviewed stoplist ("Police", "Mission", "General", "March"), or it is a
// common English word that only small places are called ("Best"), so that
// Lookup finds nothing for it.
func (g *Gazetteer) Stopword(word string) bool {
	return g.stop[Normalize(word)]
}

// CommonWord reports whether word is one of the most frequent English words
// (SCOWL sizes 10 and 20: "reading", "split", "best"). Only capitals, admin
// seats and cities of 50,000 or more are found by such a name ("Split",
// Croatia; not "Best", Netherlands), since a smaller place so called is far
// less likely to be meant than the word; and capitalised at the start of a
// sentence such a word is usually the word.
func (g *Gazetteer) CommonWord(word string) bool {
	return g.common[Normalize(word)]
}

// Prominence returns how widely known a populated place is: the number of
// its GeoNames alternate names in all languages (up to 255; 0 below 4).
// Geneva, Switzerland has 48, Geneva, Illinois far fewer; a reader who
// meets "Geneva" in a story about Sudan thinks of the first.
func (g *Gazetteer) Prominence(p geo.Place) int {
	return int(g.prominent[p.GeonameID])
}

// Tier returns the rank class of a place, the order Lookup sorts by: 0 a
// country, 1 a reviewed region or water body, 2 a capital, 3 an admin seat or
// reviewed site (a base, a camp, a crossing), 4 a first-level region, 5 a
// second-level seat, 6 a lower seat, 7 another place (reviewed villages and
// districts too), 8 a historical or abandoned one.
func Tier(p geo.Place) int {
	reviewed := p.GeonameID <= reviewedMaxID && p.GeonameID >= reviewedMinID
	switch p.FeatureCode {
	case "PCLI":
		return 0
	case "PPLC":
		return 2
	case "PPLA", "PPLG":
		return 3
	case "ADM1":
		if reviewed {
			return 1
		}
		return 4
	case "PPLA2":
		return 5
	case "PPLA3", "PPLA4", "PPLA5":
		return 6
	case "PPLH", "PPLQ", "PPLW", "PPLCH":
		return 8
	}
	if reviewed {
		switch p.FeatureCode {
		case "SEA", "GULF", "STRT", "BAY", "OCN", "CHN", "LGN", "RGN", "ADM2", "PEN", "AREA", "VAL", "CNL":
			return 1
		case "PPL", "PPLX":
			return 7
		}
		return 3
	}
	return 7
}

// Tier is the same as the package function; it lets callers that hold a
// gazetteer behind an interface rank readings as Lookup does.
func (g *Gazetteer) Tier(p geo.Place) int { return Tier(p) }

// Ids of the rows of the reviewed tables (tables/*.tsv).
const (
	reviewedMinID = -9999
	reviewedMaxID = -1000
)

// Key returns the lookup key of name, as Normalize does; it lets callers
// that hold a gazetteer behind an interface compare names as Lookup does.
func (g *Gazetteer) Key(name string) string { return Normalize(name) }

// HasPrefix reports whether some name continues name with more words
// ("Gulf of" for "Gulf of Aden"), so that a caller scanning text for the
// longest name can stop extending a phrase as soon as no name can follow.
func (g *Gazetteer) HasPrefix(name string) bool {
	if Normalize(name) == "" {
		return false
	}
	// Normalise as the start of a longer name: "Bab el" is "bab al ".
	k := strings.TrimSuffix(Normalize(name+" x"), "x")
	return prefixIn(g.text, g.keys, k)
}
