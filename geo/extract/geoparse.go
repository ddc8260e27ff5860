package extract

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb/geojson"

	"conflictmap/geo"
)

// Role says what a place mention does in its sentence.
type Role string

// The roles of a place mention. Every mention has exactly one; when several
// fit, the first of this list that fits wins.
const (
	RoleDateline    Role = "dateline"    // the dateline of a report: where it was filed
	RoleName        Role = "name"        // part of a person's or an organisation's name
	RoleEvent       Role = "event"       // an event of the article happened there
	RoleContext     Role = "context"     // it only locates another place: "near X", "Y, X"
	RoleDescriptor  Role = "descriptor"  // it qualifies a noun: "the X-based", "X's president", "X troops"
	RoleActor       Role = "actor"       // a government or force named by its place: "Moscow said"
	RoleOrigin      Role = "origin"      // where something set out from
	RoleDestination Role = "destination" // where something went
	RoleOther       Role = "other"       // a place mentioned with no event
)

// PlaceMention is one place named in a text, as the extractor reads it.
type PlaceMention struct {
	// Start and End are offsets in Unicode code points, End exclusive.
	Start, End int
	// Text is the mention as written.
	Text string
	// Place is the gazetteer's reading; nil when the mention is a place the
	// gazetteer does not hold.
	Place *geo.Place
	// Confidence is how sure the resolution is, 0..1.
	Confidence float64
	// GeoPrecision is ACLED's: 1 a town, 2 near a town or part of a region,
	// 3 a region, a country or a sea; 0 when unresolved.
	GeoPrecision int
	Role         Role
}

//go:embed data/roles.txt
var rolesTable string

// roleWords are the word lists of data/roles.txt.
type roleWords struct {
	actorVerbs, actorGap, origin, destination, contextPreps, contextOf map[string]bool
}

// parseRoleWords reads data/roles.txt: "name: word word ..." lines, "#"
// comments and blank lines.
func parseRoleWords(table string) (*roleWords, error) {
	rw := &roleWords{}
	lists := map[string]*map[string]bool{
		"actor_verbs": &rw.actorVerbs, "actor_gap": &rw.actorGap, "origin_preps": &rw.origin,
		"destination_preps": &rw.destination, "context_preps": &rw.contextPreps, "context_of": &rw.contextOf,
	}
	for n, line := range strings.Split(table, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, words, ok := strings.Cut(line, ":")
		dst := lists[strings.TrimSpace(name)]
		if !ok || dst == nil {
			return nil, fmt.Errorf("roles line %d: want \"list: words\" with a known list, got %q", n+1, line)
		}
		if *dst != nil {
			return nil, fmt.Errorf("roles line %d: list %s given twice", n+1, name)
		}
		*dst = map[string]bool{}
		for _, w := range strings.Fields(words) {
			if w != strings.ToLower(w) {
				return nil, fmt.Errorf("roles line %d: %q is not lower case", n+1, w)
			}
			(*dst)[w] = true
		}
	}
	for name, dst := range lists {
		if len(*dst) == 0 {
			return nil, fmt.Errorf("roles: list %s missing or empty", name)
		}
	}
	return rw, nil
}

// Geoparse returns every place mention of an article in text order, each
// with its reading, its offsets and its role. It is the reading Extract
// makes: a mention has role "event" exactly when Extract reads an event at
// its place from it.
func (x *Extractor) Geoparse(a geo.Article) ([]PlaceMention, error) {
	if len(a.Text) > MaxTextBytes {
		return nil, geo.Errorf(geo.ETOOLARGE, "article text is %d bytes, more than the %d-byte limit", len(a.Text), MaxTextBytes)
	}
	pub, err := publication(a.Published)
	if err != nil {
		return nil, err
	}
	text := cleanText(a.Text)
	if strings.TrimSpace(text) == "" {
		return []PlaceMention{}, nil
	}
	reading := x.placesAndDemonyms(text)
	demonyms := reading.demonyms
	r, all, kept := x.analyse(text, pub, refsOf(reading.mentions))
	byStart := make(map[int]int, len(r.refs))
	for i := range r.refs {
		byStart[r.refs[i].start] = i
	}
	// A mention is an event's when a sentence tied an event to it and that
	// event, or the one it tells again at the same place, is kept: a
	// region that only retells a town's event is not an event place.
	places := map[string]bool{}
	for _, c := range kept {
		places[placeKey(c.ref.place)] = true
	}
	events := map[int]candidate{}
	for _, c := range all {
		i, ok := byStart[c.ref.start]
		if _, seen := events[i]; ok && !seen && places[placeKey(c.ref.place)] {
			events[i] = c
		}
	}
	out := make([]PlaceMention, 0, len(r.refs)+len(demonyms))
	pos, cp := 0, 0 // byte offset and its code point offset
	offsets := func(start, end int) (int, int) {
		cp += utf8.RuneCountInString(text[pos:start])
		s := cp
		cp += utf8.RuneCountInString(text[start:end])
		pos = end
		return s, cp
	}
	d, nm := 0, 0
	names := reading.names
	// A demonym names its country as a descriptor ("Iraqi forces"); a
	// place inside an organisation's name is part of that name.
	demonymsBefore := func(limit int) {
		for {
			switch {
			case d < len(demonyms) && demonyms[d].Start < limit && (nm >= len(names) || demonyms[d].Start < names[nm].Start):
				dm := demonyms[d]
				d++
				if dm.Start < pos {
					continue
				}
				p, ok := x.gaz.Country(dm.CountryCode)
				if !ok {
					continue
				}
				s, e := offsets(dm.Start, dm.End)
				out = append(out, PlaceMention{Start: s, End: e, Text: text[dm.Start:dm.End], Place: &p,
					Confidence: demonymConfidence, GeoPrecision: GeoPrecision(p), Role: RoleDescriptor})
			case nm < len(names) && names[nm].Start < limit:
				n := names[nm]
				nm++
				if n.Start < pos {
					continue
				}
				p := n.Place
				s, e := offsets(n.Start, n.End)
				out = append(out, PlaceMention{Start: s, End: e, Text: n.Text, Place: &p,
					Confidence: n.Confidence, GeoPrecision: GeoPrecision(p), Role: RoleName})
			default:
				return
			}
		}
	}
	for i := range r.refs {
		m := &r.refs[i]
		demonymsBefore(m.start)
		start, end := offsets(m.start, m.end)
		pm := PlaceMention{Start: start, End: end, Text: m.text, Confidence: m.conf}
		p := m.place
		pm.Place = &p
		near := m.part
		if c, ok := events[i]; ok {
			pm.Role = RoleEvent
			near = near || c.tie.near
		} else {
			pm.Role = r.role(i, x.roles, events)
		}
		pm.GeoPrecision = x.geoPrecision(p, near, m.regional)
		out = append(out, pm)
	}
	demonymsBefore(len(text) + 1)
	return out, nil
}

// demonymConfidence is how sure a demonym's country is: a word of
// nationality names one country, but may mean its people anywhere.
const demonymConfidence = 0.9

// role reads the role of mention i, which is the place of no event.
func (r *reader) role(i int, rw *roleWords, events map[int]candidate) Role {
	m := &r.refs[i]
	switch m.bad {
	case "dateline":
		return RoleDateline
	case "name":
		return RoleName
	case "compound":
		return RoleDescriptor // "Tehran-linked", "the Kyiv-based"
	case "container":
		return RoleContext // "the Dahiyeh suburb of Beirut"
	}
	next := func(k int) string {
		if k < len(r.toks) {
			return r.toks[k].low
		}
		return ""
	}
	// "the Texas Department of Public Safety", "Gainesville Police": the
	// first word of an organisation's name.
	if k := m.last; k < len(r.toks) && r.toks[k].cap && r.toks[k].nl == 0 && (orgHeads[r.toks[k].low] || plOrgWords[r.toks[k].low]) {
		return RoleName
	}
	// "Iran's president", "US troops", "the Gaza health ministry".
	if next(m.last) == "'s" || r.attributive(i) {
		return RoleDescriptor
	}
	// "Moscow said", "Washington has repeatedly warned".
	if !tooSmallToAct(m.place) {
		k := m.last
		for gap := 0; gap < 2 && rw.actorGap[next(k)]; gap++ {
			k++
		}
		if rw.actorVerbs[next(k)] {
			return RoleActor
		}
		if m.first > 0 && r.toks[m.first-1].low == "by" {
			return RoleActor // "an attack by Israel"
		}
	}
	// The word before the name, over "the" and place nouns ("near the town
	// of", "to the capital").
	k := m.first - 1
	for k >= 0 && k > m.first-5 && (r.toks[k].low == "the" || placeNouns[r.toks[k].low] ||
		(r.toks[k].low == "of" && k > 0 && placeNouns[r.toks[k-1].low])) {
		k--
	}
	prev := ""
	if k >= 0 {
		prev = r.toks[k].low
	}
	switch {
	case rw.contextPreps[prev]:
		return RoleContext
	case prev == "of" && k > 0 && rw.contextOf[r.toks[k-1].low]:
		return RoleContext
	}
	// "Gwoza, Borno", "a village in northern Mali": it holds the place
	// named just before it; and a country or region around an event's town
	// of the same sentence only says where the town is.
	if j := r.refBefore(m.first); j >= 0 && r.holds(i, j) && m.first-r.refs[j].last <= 4 && r.onlyJoiners(r.refs[j].last, m.first) {
		return RoleContext
	}
	for j := range events {
		if j != i && r.holds(i, j) && r.sameSentence(i, j) {
			return RoleContext
		}
	}
	switch {
	case rw.origin[prev]:
		return RoleOrigin
	case rw.destination[prev]:
		return RoleDestination
	}
	return RoleOther
}

// tooSmallToAct reports a place that does not stand for a government or a
// force: a town that is no capital.
func tooSmallToAct(p geo.Place) bool {
	return GeoPrecision(p) == geo.GeoTown && p.FeatureCode != "PPLC"
}

// refBefore returns the mention that ends last before token k, or -1.
func (r *reader) refBefore(k int) int {
	best := -1
	for j := range r.refs {
		if r.refs[j].last <= k {
			best = j
		} else {
			break
		}
	}
	return best
}

// onlyJoiners reports whether tokens [a, b) only join a place to the
// place that holds it: a comma, "in", "of", "the", a direction.
func (r *reader) onlyJoiners(a, b int) bool {
	for k := a; k < b; k++ {
		w := r.toks[k].low
		if w != "," && w != "in" && w != "of" && w != "the" && !directionWords[w] && !plDirections[w] {
			return false
		}
	}
	return true
}

// sameSentence reports whether mentions i and j lie in one sentence.
func (r *reader) sameSentence(i, j int) bool {
	a, b := r.refs[i].first, r.refs[j].first
	for _, s := range r.sents {
		if a >= s.first && a < s.last {
			return b >= s.first && b < s.last
		}
	}
	return false
}

// MentionFeatures returns the mentions as a GeoJSON FeatureCollection, one
// Point feature per resolved mention and a feature with null geometry per
// unresolved one, in text order.
func MentionFeatures(ms []PlaceMention) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, len(ms))
	for _, m := range ms {
		f := &geojson.Feature{Type: "Feature"}
		props := geojson.Properties{
			"mention":       m.Text,
			"start":         m.Start,
			"end":           m.End,
			"location":      nil,
			"geonameid":     nil,
			"country_code":  nil,
			"admin1":        nil,
			"feature_code":  nil,
			"geo_precision": nil,
			"confidence":    nil,
			"role":          string(m.Role),
		}
		if p := m.Place; p != nil {
			f.Geometry = p.Point
			if p.Bound != nil && isArea(*p) {
				f.BBox = geojson.NewBBox(*p.Bound)
			}
			props["location"] = p.Name
			props["geonameid"] = nullInt(p.GeonameID)
			props["country_code"] = nullStr(p.CountryCode)
			props["admin1"] = nullStr(p.Admin1)
			props["feature_code"] = nullStr(p.FeatureCode)
			props["geo_precision"] = m.GeoPrecision
			if m.Confidence > 0 {
				props["confidence"] = m.Confidence
			}
		}
		f.Properties = props
		fc.Append(f)
	}
	return fc
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullInt is a gazetteer id as events carry it (negative for the rows of
// the project's own tables), or null when unknown.
func nullInt(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// GeoparseFeatures is Geoparse with its answer as MentionFeatures gives it.
func (x *Extractor) GeoparseFeatures(a geo.Article) (*geojson.FeatureCollection, error) {
	ms, err := x.Geoparse(a)
	if err != nil {
		return nil, err
	}
	return MentionFeatures(ms), nil
}

// PopulationBaseline returns the mentions with each resolved place replaced
// by the most populous place the gazetteer holds under the mention's name:
// the baseline that geoparsing results are measured against. Recognition
// is left as it is; only the choice among readings changes.
func (x *Extractor) PopulationBaseline(ms []PlaceMention) []PlaceMention {
	out := make([]PlaceMention, len(ms))
	best := map[string]*geo.Place{}
	for i, m := range ms {
		out[i] = m
		if m.Place == nil || x.gaz == nil {
			continue
		}
		p, ok := best[m.Text]
		if !ok {
			for _, c := range x.gaz.Lookup(m.Text) {
				if p == nil || c.Population > p.Population {
					c := c
					p = &c
				}
			}
			best[m.Text] = p
		}
		if p != nil {
			out[i].Place = p
			out[i].GeoPrecision = GeoPrecision(*p)
		}
	}
	return out
}
