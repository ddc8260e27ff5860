package extract

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"conflictmap/geo"
)

// placeRef is a place mention of the article, placed on the token stream,
// with the reason it cannot be the location of an event, if any.
type placeRef struct {
	start, end  int // byte offsets in the text
	text        string
	place       geo.Place
	conf        float64
	first, last int    // token range [first, last)
	bad         string // why it is not a location: dateline, compound, name, possessive, container
	// regional: the text calls it a province, state or region ("the
	// province of Arauca", "Gezira state"), whatever the gazetteer read.
	regional bool
	// part: the text calls it a part of a town ("the Delmas district of
	// Port-au-Prince") or the town one of its parts is in ("the Saltivka
	// district of Kharkiv"): the event is in part of a town.
	part bool
}

// Words that place a mention inside a name of an organisation or a title:
// "George Washington University", "Gaza Health Ministry", "Bank of Israel".
var (
	orgHeads = set("university", "college", "institute", "institution", "post", "times", "independent", "herald",
		"tribune", "journal", "gazette", "agency", "ministry", "council", "accord", "accords", "declaration",
		"treaty", "protocol", "club", "party", "group", "company", "corporation", "corp", "bank", "airlines",
		"airways", "brigade", "brigades", "battalion", "regiment", "forces", "army", "front", "movement",
		"resistance", "liberation", "observatory", "foundation", "center", "centre", "museum", "conference",
		"convention", "committee", "commission", "authority", "government", "administration", "federation",
		"republic", "kingdom", "emirate", "caliphate", "fund", "network", "media", "news", "press", "radio",
		"tv", "television", "channel", "daily", "review", "school", "academy", "union", "league", "alliance",
		"coalition", "command", "corps", "guard", "guards", "police", "navy", "office", "mission", "program",
		"programme", "project", "initiative", "process", "format", "summit", "talks", "statement", "doctrine",
		"plan", "pact", "ceasefire", "peace", "prize", "cup", "games", "open", "marathon", "festival",
		"international", "capital", "partners", "watch", "affairs", "studies", "policy", "strategic", "daily",
		"road", "street", "avenue", "highway", "boulevard", "lane", "drive")
	// facilityHeads end a capitalised name that is itself somewhere:
	// "the US Embassy in Baghdad", "Baghdad International Airport".
	facilityHeads = set("embassy", "consulate", "airport", "base", "airbase", "camp", "prison", "hospital",
		"mosque", "church", "square", "market", "stadium", "hotel", "palace", "bridge", "port", "crossing",
		"checkpoint", "station", "dam", "refinery", "plant", "compound")
	// placeTitles may directly precede a place inside a longer name of the
	// place itself: "North Darfur", "Upper Nile", "Greater Khartoum".
	placeTitles = set("north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
		"upper", "lower", "greater", "new", "old", "northeast", "northwest", "southeast", "southwest", "inner",
		"outer", "occupied", "mount", "lake", "port", "saint", "st", "el", "al", "san", "santa", "sao", "gulf")
	// functionCaps are capitalised words that start a sentence or a clause
	// and say nothing about a name: "In Baghdad", "But Washington".
	functionCaps = set("in", "at", "on", "near", "from", "to", "the", "a", "an", "and", "but", "or", "as", "by",
		"for", "with", "since", "after", "before", "during", "while", "when", "across", "inside", "outside",
		"around", "throughout", "over", "under", "into", "across", "along", "toward", "towards", "if", "of",
		"like", "unlike", "both", "neither", "between", "against", "despite", "amid", "until", "via", "within",
		"beyond", "meanwhile", "also", "then", "there", "here", "elsewhere", "further", "farther", "separately",
		"their", "its", "his", "her", "our", "my", "your", "this", "that", "these", "those", "some", "many",
		"several", "all", "each", "every", "most", "other", "such", "what", "which", "who", "air", "it", "they",
		"we", "he", "she", "one", "two", "three", "four", "five", "dozens", "hundreds", "thousands", "overnight",
		"yesterday", "today", "tonight", "earlier", "later", "last", "next")
)

// attach places the mentions on the tokens and marks those that are not
// locations whatever the sentence says: inside a dateline, part of a
// hyphenated word ("Tehran-linked"), inside a name ("George Washington
// University", "the Islamic Resistance in Iraq", "Prime Minister Benjamin
// Netanyahu of Israel").
func (r *reader) attach(mentions []placeRef, datelines []span) {
	sort.SliceStable(mentions, func(i, j int) bool { return mentions[i].start < mentions[j].start })
	r.refAt = make([]int, len(r.toks))
	for i := range r.refAt {
		r.refAt[i] = -1
	}
	lastEnd := -1
	for _, m := range mentions {
		if m.start < lastEnd || m.start < 0 || m.end > len(r.text) || m.start >= m.end {
			continue // overlapping or out of range
		}
		first := sort.Search(len(r.toks), func(i int) bool { return r.toks[i].end > m.start })
		last := first
		for last < len(r.toks) && r.toks[last].start < m.end {
			last++
		}
		if first >= last {
			continue
		}
		m.first, m.last = first, last
		if r.toks[first].start != m.start || r.toks[last-1].end != m.end || hyphenated(r.text, m.start, m.end) {
			m.bad = "compound"
			// "the Nairobi-Mombasa highway": the road starts at the first town.
			if r.roadFrom(m.start, m.end) {
				m.bad = ""
			}
		}
		for _, d := range datelines {
			if m.start >= d.start && m.end <= d.end && r.on("veto-name") {
				m.bad = "dateline"
			}
		}
		if m.bad == "" && r.on("veto-name") {
			m.bad = r.nameContext(m)
		}
		// "taking the country 'from Europe towards Russia'": a country
		// inside someone's quoted words is rhetoric, not where things happen.
		if m.bad == "" && isCountry(m.place) && r.quoted(m.start) && r.on("veto-name") {
			m.bad = "quoted"
		}
		m.regional = (last < len(r.toks) && regionNouns[r.toks[last].low]) ||
			(first >= 2 && r.toks[first-1].low == "of" && regionNouns[r.toks[first-2].low])
		lastEnd = m.end
		if r.refAt[first] < 0 { // "Nairobi-Mombasa": one token, the first name's
			r.refAt[first] = len(r.refs)
		}
		r.refs = append(r.refs, m)
	}
	r.markParts()
	// A reading the gazetteer doubts, in a country no confident mention of
	// the article is in, is more likely a wrong reading than a new country:
	// "Bolan" read as a village in Italy in a story about Pakistan, "the
	// Halfaya bridge" of Khartoum read as a town in Syria.
	countries := map[string]bool{}
	confident := 0
	// The distinct places the article is sure of, and the verdict on each
	// doubtful place once reached: a long text names the same places again
	// and again.
	var sure []geo.Place
	seen := map[string]bool{}
	verdict := map[string]bool{}
	for _, m := range r.refs {
		if m.conf >= 0.8 && m.place.CountryCode != "" {
			countries[m.place.CountryCode] = true
			confident++
			if k := placeKey(m.place); !seen[k] {
				seen[k] = true
				sure = append(sure, m.place)
			}
		}
	}
	// The countries some mention of the article is in, other than a place
	// alone in its country ("Bani" read in the Dominican Republic). A
	// place is alone only beside a country the article does name.
	countryNamed := map[string]bool{}
	firstKey := map[string]string{}
	for i, m := range r.refs {
		cc := m.place.CountryCode
		// "United States air raids" names who acted, not where.
		if cc == "" || m.bad == "dateline" || r.attributive(i) {
			continue
		}
		k := placeKey(m.place)
		if f, ok := firstKey[cc]; !ok {
			firstKey[cc] = k
		} else if f != k {
			countryNamed[cc] = true
		}
		if isCountry(m.place) {
			countryNamed[cc] = true
		}
	}
	// "Rann (Kala/Balge, Borno)": a town whose bracketed district or
	// province lies in another country is a namesake of a place there.
	for i := range r.refs {
		m := &r.refs[i]
		if m.bad != "" || isArea(m.place) || !r.on("veto-doubtful") || m.last >= len(r.toks) || r.toks[m.last].text != "(" {
			continue
		}
		// The last place in the brackets is the largest, the province: its
		// country is the one of every name before it.
		var in []int
		for k := i + 1; k < len(r.refs) && r.refs[k].first < m.last+12; k++ {
			if strings.Contains(r.text[m.end:r.refs[k].start], ")") {
				break
			}
			in = append(in, k)
		}
		anchor := -1
		for _, k := range in {
			if q := &r.refs[k]; q.bad == "" && q.conf >= 0.8 && q.place.CountryCode != "" {
				anchor = k
			}
		}
		if anchor < 0 {
			continue
		}
		cc := r.refs[anchor].place.CountryCode
		if m.place.CountryCode != cc {
			m.bad = "doubtful"
		}
		for _, k := range in {
			if q := &r.refs[k]; q.bad == "" && q.place.CountryCode != cc {
				q.bad = "doubtful"
			}
		}
	}
	for i := range r.refs {
		m := &r.refs[i]
		if m.bad != "" || (countries[m.place.CountryCode] && countryNamed[m.place.CountryCode]) || !r.on("veto-doubtful") {
			continue
		}
		// "Fano positions", "Rada forces", "the Halfaya bridge": a name
		// before a group's or a structure's noun is the group's or the
		// structure's, unless the article is about the named town's country.
		if m.last < len(r.toks) && groupNouns[r.toks[m.last].low] && strings.HasPrefix(m.place.FeatureCode, "PPL") &&
			m.place.FeatureCode != "PPLC" {
			m.bad = "name"
			continue
		}
		if m.conf <= 0 || len(countries) == 0 {
			continue
		}
		// Below 0.5 always; below 0.7 when the article says enough
		// elsewhere to know where it is.
		if m.conf < 0.5 {
			m.bad = "doubtful"
			continue
		}
		// Up to 0.9 when nothing else of the article is in its country: a
		// story about Yemen that names "Bani" means a place in Yemen, not
		// the town of that name in the Dominican Republic. A city of
		// millions needs no country named beside it.
		lone := (m.conf < 0.9 || m.place.Population < smallTown) && m.place.CountryCode != "" &&
			!countryNamed[m.place.CountryCode] && len(countryNamed) > 0 && m.place.Population < bigCity && !isCountry(m.place)
		if (m.conf < 0.7 || lone) && confident >= 3 {
			k := placeKey(m.place)
			across, ok := verdict[k]
			if !ok {
				across = r.acrossBorder(*m, countries, sure)
				verdict[k] = across
			}
			if !across {
				m.bad = "doubtful"
			}
		}
	}
}

// bigCity is the population of a city that news names without its country;
// below smallTown a place abroad is doubtful however sure the gazetteer is
// of its one reading ("Lido Beach" of New York in a story about Mogadishu).
const (
	bigCity   = 1_000_000
	smallTown = 10_000
)

// acrossBorder reports whether mention m is a town of a country bordering
// one of the article's countries, close to a place the article is sure of:
// a village of Lebanon in a story about Israel, Rafah in a story told from
// Israel, is the same war across the border, not a namesake abroad. A
// reading far from every sure place ("Hadar" read in Iraq beside the Golan)
// stays doubtful.
func (r *reader) acrossBorder(m placeRef, countries map[string]bool, sure []geo.Place) bool {
	near := false
	for _, p := range sure {
		if p.CountryCode != m.place.CountryCode && plDistanceKm(p.Point, m.place.Point) <= borderReachKm {
			near = true
			break
		}
	}
	return near && r.bordering(m.place.CountryCode, countries)
}

// borderReachKm is how far across a border a doubtful reading may lie from
// a sure place of the article: a front line and the towns that report it.
const borderReachKm = 150

// bordering reports whether country cc touches one of the article's
// countries. Extents that overlap or come within a degree stand for a
// common border, which needs no hand-kept list of neighbours.
func (r *reader) bordering(cc string, countries map[string]bool) bool {
	if r.countryOf == nil || cc == "" {
		return false
	}
	p, ok := r.countryOf(cc)
	if !ok || p.Bound == nil {
		return false
	}
	for other := range countries {
		o, ok := r.countryOf(other)
		if !ok || o.Bound == nil {
			continue
		}
		if boundsNear(*p.Bound, *o.Bound, 1) {
			return true
		}
	}
	return false
}

// boundsNear reports whether two extents overlap or lie within gap degrees
// of each other.
func boundsNear(a, b orb.Bound, gap float64) bool {
	return a.Min[0]-gap <= b.Max[0] && b.Min[0]-gap <= a.Max[0] &&
		a.Min[1]-gap <= b.Max[1] && b.Min[1]-gap <= a.Max[1]
}

// partNouns name a part of a town.
var partNouns = set("district", "districts", "suburb", "suburbs", "neighbourhood", "neighborhood", "quarter")

// markParts reads "X district of Y", "the X suburb in Y" and "the X
// district of the capital Y", where Y is a
// town: X is part of the town, and so is Y when X is no place the
// gazetteer knows ("the Saltivka district of Kharkiv" is somewhere in
// Kharkiv). A district of a province ("the Pokrovsk district of Donetsk
// region") stays a region.
func (r *reader) markParts() {
	town := func(i int) bool {
		m := &r.refs[i]
		return m.bad == "" && !m.regional && GeoPrecision(m.place) == geo.GeoTown
	}
	for i := range r.refs {
		m := &r.refs[i]
		// Back over "the capital", "the city of" to "of" or "in".
		p := m.first - 1
		for p > m.first-4 && p > 0 && (townWords[r.toks[p].low] || r.toks[p].low == "the") {
			p--
		}
		if m.bad != "" || p < 1 || (r.toks[p].low != "of" && r.toks[p].low != "in") || !partNouns[r.toks[p-1].low] {
			continue
		}
		if m.last < len(r.toks) && regionNouns[r.toks[m.last].low] {
			continue
		}
		if GeoPrecision(m.place) != geo.GeoTown {
			continue
		}
		m.regional = false
		inner, named := -1, false
		if k := p - 2; k >= 0 {
			inner, named = r.refEndingAt(k)
		}
		switch {
		case !named:
			m.part = true // "the Saltivka district of Kharkiv"
		case (town(inner) || r.refs[inner].regional) && plDistanceKm(r.refs[inner].place.Point, m.place.Point) <= 30:
			// "the Dahiyeh suburb of Beirut": the suburb is where it
			// happened, and the city only says where the suburb is.
			r.refs[inner].part, r.refs[inner].regional = true, false
			m.bad = "container"
		}
	}
}

// townWords stand between a district and the name of its town: "the
// Kalakla district of the capital Khartoum".
var townWords = set("capital", "city", "town", "port")

// refEndingAt returns the mention whose last token is k, if any.
func (r *reader) refEndingAt(k int) (int, bool) {
	// Mentions are in text order and do not overlap.
	i := sort.Search(len(r.refs), func(i int) bool { return r.refs[i].last >= k+1 })
	if i < len(r.refs) && r.refs[i].last == k+1 {
		return i, true
	}
	return -1, false
}

// groupNouns follow the name of an armed group, of its positions, or of a
// structure named after a place far from it.
var groupNouns = set("fighters", "militia", "militias", "militiamen", "militants", "positions", "brigade",
	"brigades", "battalion", "battalions", "faction", "factions", "bridge", "commanders", "gunmen", "insurgents",
	"rebels")

// roadFrom reports whether the mention [start, end) of the text opens the
// name of a road between two places: "the Nairobi-Mombasa highway".
func (r *reader) roadFrom(start, end int) bool {
	if start > 0 && r.text[start-1] == '-' {
		return false
	}
	if end+1 >= len(r.text) || r.text[end] != '-' || r.text[end+1] < 'A' || r.text[end+1] > 'Z' {
		return false
	}
	rest := r.text[end+1:]
	i := strings.IndexAny(rest, " \t\n")
	if i < 0 {
		return false
	}
	next := strings.Fields(rest[i:])
	if len(next) == 0 || !roadWords[strings.ToLower(strings.Trim(next[0], ".,;:"))] {
		return false
	}
	// "along the Abuja-Kaduna highway near Katari": a town named on the
	// road says where on it; the road's ends are only its name.
	if len(next) > 2 && (next[1] == "near" || next[1] == "at" || next[1] == "outside") {
		if c, _ := utf8.DecodeRuneInString(next[2]); unicode.IsUpper(c) {
			return false
		}
	}
	return true
}

// hyphenated reports whether the mention is joined by a hyphen to the word
// before or after it: "U.S.-owned", "Washington-Tehran standoff".
func hyphenated(text string, start, end int) bool {
	isHyphen := func(b byte) bool { return b == '-' }
	if end < len(text)-1 && isHyphen(text[end]) && text[end+1] != ' ' && text[end+1] != '-' {
		return true
	}
	return start > 1 && isHyphen(text[start-1]) && text[start-2] != ' ' && text[start-2] != '-'
}

// nameContext says whether the mention is part of a longer name: a
// capitalised word right before it or right after it that is not a place
// word, or "Capitalised Words in/of PLACE".
// facilityName reports a name of a structure that starts at token i,
// after a place: capitalised words ending in a facility's or a place's
// noun ("Quetta Railway Station", "Kabul International Airport"), not in
// an organisation's ("Kyiv Independent", "Gaza Health Ministry").
func (r *reader) facilityName(i int) bool {
	for k := i; k < len(r.toks) && k < i+3 && r.toks[k].kind == tWord && r.toks[k].cap; k++ {
		w := r.toks[k].low
		if orgHeads[w] {
			return false
		}
		if facilityHeads[w] || placeNouns[w] {
			return true
		}
	}
	return false
}

func (r *reader) nameContext(m placeRef) string {
	toks := r.toks
	// Right after: "Washington University", "Kyiv Independent", "Gaza
	// Health Ministry". A following place name, a direction or a facility
	// keeps it a location.
	if m.last < len(toks) {
		n := toks[m.last]
		if n.kind == tWord && n.cap && n.nl == 0 && n.start == toks[m.last-1].end+1 && !r.isRefStart(m.last) {
			if orgHeads[n.low] || (!facilityHeads[n.low] && !placeNouns[n.low] && !placeTitles[n.low] && !isMonthOrDay(n.low) &&
				!r.facilityName(m.last)) {
				return "name"
			}
		}
	}
	// Right before: "George Washington", "Michael Jordan".
	if m.first > 0 {
		p := toks[m.first-1]
		if p.kind == tWord && p.cap && p.nl == 0 && p.end+1 == toks[m.first].start &&
			!functionCaps[p.low] && !placeTitles[p.low] && !r.sentenceInitial(m.first-1) && !r.inRef(m.first-1) &&
			!isMonthOrDay(p.low) {
			return "name"
		}
	}
	// "the Islamic Resistance in Iraq", "Armed Forces of Ukraine", "Prime
	// Minister Benjamin Netanyahu of Israel", "Bank of Israel".
	if m.first >= 2 {
		prep := toks[m.first-1].low
		if prep == "in" || prep == "of" || prep == "for" {
			caps := 0
			k := m.first - 2
			head := toks[k].low
			for ; k >= 0 && toks[k].kind == tWord && toks[k].cap && !functionCaps[toks[k].low] && !r.inRef(k); k-- {
				caps++
			}
			switch {
			case caps == 0:
			case facilityHeads[head]:
			case m.last < len(toks) && !toks[m.last].cap && placeNouns[toks[m.last].low]:
				// "the Fire Station in Bama town": the place noun makes it a place.
			case prep != "for" && (placeNouns[head] || regionNouns[head]):
				// "Foo Village in Bar Township": a place in a place.
			case prep == "of" && (caps >= 2 || orgHeads[head] || titleWords[head]):
				return "name"
			case prep != "of" && caps >= 2 && !r.sentenceInitial(k+1):
				return "name"
			case caps >= 1 && orgHeads[head]:
				return "name"
			}
		}
	}
	return ""
}

// titleWords are titles of people: "President of Ukraine", "Emir of Qatar".
var titleWords = set("president", "minister", "king", "queen", "emir", "sultan", "prince", "governor", "mayor",
	"ambassador", "patriarch", "archbishop", "bishop", "chief", "commander", "secretary", "speaker", "leader",
	"foreign", "defense", "defence", "envoy", "premier", "chancellor")

func isMonthOrDay(w string) bool {
	_, m := monthNames[w]
	_, d := weekdayNames[w]
	return m || d
}

// sentenceInitial reports whether token i opens its sentence (after any
// opening quotes).
func (r *reader) sentenceInitial(i int) bool {
	for k := i - 1; k >= 0; k-- {
		t := r.toks[k]
		if t.nl > 0 && k == i-1 {
			return true
		}
		if isOpenQuote(t) || isDash(t) {
			continue
		}
		return isTerminal(t) || isCloser(t) || t.text == ":" || t.text == ";"
	}
	return true
}

func (r *reader) isRefStart(i int) bool {
	return r.refStarting(i) >= 0
}

// inRef reports whether token i belongs to a place mention.
func (r *reader) inRef(i int) bool {
	k := sort.Search(len(r.refs), func(j int) bool { return r.refs[j].last > i })
	return k < len(r.refs) && r.refs[k].first <= i
}

// refStarting returns the mention that starts at token i, or -1.
func (r *reader) refStarting(i int) int {
	if i < 0 || i >= len(r.refAt) {
		return -1
	}
	return r.refAt[i]
}

// quoted reports whether byte offset at lies inside quotation marks opened
// in its own sentence (curly marks, or an odd count of straight ones).
func (r *reader) quoted(at int) bool {
	k := sort.Search(len(r.sents), func(i int) bool { return r.sents[i].end > at })
	if k >= len(r.sents) || r.sents[k].start > at {
		return false // after the last sentence, or in a dateline between sentences
	}
	before := r.text[r.sents[k].start:at]
	open := strings.Count(before, "\u201c") - strings.Count(before, "\u201d")
	return open > 0 || strings.Count(before, "\"")%2 == 1
}

// regionNouns name an administrative region.
var regionNouns = set("province", "region", "state", "department", "governorate", "oblast", "district", "county",
	"prefecture", "territory", "division", "municipality", "krai", "canton", "emirate")

// holds reports whether mention q holds mention p: its place contains p's,
// or the text calls q a region of p's country and p is a town (two regions
// named side by side are two places).
func (r *reader) holds(q, p int) bool {
	a, b := &r.refs[q], &r.refs[p]
	if contains(a.place, b.place) {
		return true
	}
	return a.regional && !b.regional && !isArea(b.place) && a.place.CountryCode != "" && a.place.CountryCode == b.place.CountryCode &&
		placeKey(a.place) != placeKey(b.place)
}

// isCountry reports whether a place is a country (or a dependency).
func isCountry(p geo.Place) bool {
	return strings.HasPrefix(p.FeatureCode, "PCL")
}

// isArea reports whether a place is larger than a town: a country, a
// region, a sea.
func isArea(p geo.Place) bool {
	if p.Bound != nil {
		return true
	}
	return !strings.HasPrefix(p.FeatureCode, "PPL") && p.FeatureCode != ""
}

// contains reports whether place q contains place p: q is p's country, or
// q's extent holds p's point in the same country.
func contains(q, p geo.Place) bool {
	if q.GeonameID == p.GeonameID && q.Name == p.Name {
		return false
	}
	if q.CountryCode != "" && q.CountryCode != p.CountryCode {
		return false
	}
	if isCountry(q) {
		return q.CountryCode == p.CountryCode
	}
	if q.Bound == nil || !q.Bound.Contains(p.Point) {
		return false
	}
	return p.Bound == nil || boundArea(*q.Bound) > boundArea(*p.Bound)
}

func boundArea(b orb.Bound) float64 {
	return (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1])
}
