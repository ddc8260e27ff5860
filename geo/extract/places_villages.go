package extract

import (
	"math"
	"strings"

	"conflictmap/geo"
)

// villageTier is what place finding uses of a gazetteer's village tier
// when it has one (package gazetteer does): the villages, hamlets and
// districts of a country that the gazetteer's Lookup does not hold. They
// are hundreds of thousands of names, among them common words and
// people's names, so a name is read as a village only where the text
// places it: a province or district beside it ("X, Kaduna State", "X
// (Mopti region)", "X in Al-Hasakah"), a village noun ("X village", "the
// village of X") in a country the article is about, or a locative
// preposition in a sentence or article that names the village's country or
// province.
type villageTier interface {
	HasVillages(cc string) bool
	Villages(name, country string, within ...string) []geo.Place
}

// Nouns that say a name is a village or a district.
var (
	plVillageNouns  = set("village", "villages", "hamlet", "hamlets", "settlement", "community", "town", "locality")
	plDistrictNouns = set("district", "lga", "county", "raion", "rayon", "subdistrict", "sub-district", "commune", "cercle", "department", "municipality", "area",
		"township", "tehsil", "woreda", "territory")
	// Particles inside a village's name ("Tall al Abyad", "Dar es Salaam"),
	// fewer than a name of the core tier may hold: "X on Wednesday" is not one.
	plVillageParticles = set("al", "el", "ad", "as", "ash", "at", "az", "an", "ar", "en", "ez", "es", "ed", "er", "et",
		"de", "du", "la", "le", "les", "des", "di", "da", "do", "dos", "das", "del", "bin", "ibn")
	// Prepositions before a bare name that make it a place: "in X", "near X".
	plLocatives = set("in", "near", "at", "outside", "around", "into", "from", "toward", "towards", "inside", "across", "through")
)

// Confidence of a village reading by the kind of support the text gives.
const (
	plVillageConfAdmin   = 0.85 // a province or district beside it
	plVillageConfNoun    = 0.75 // "the village of X" in a country of the article
	plVillageConfCountry = 0.7  // "in X" in a sentence about the village's country or province
	plVillageMaxWords    = 5
	plMaxPending         = 200 // names left for the article's context: bounds the work on a huge text
)

// plPending is a name that only the article's countries can place: read
// after the core tier's names are resolved.
type plPending struct {
	t0, t1   int
	noun     bool // a village or district noun beside it; else a locative before it
	district bool // the noun is a district's ("Chikun LGA")
}

// villagesBefore runs before the core names are resolved: it reads the
// capitalised names the core tier does not hold that stand beside a
// province or district, and adds the village tier's readings of a core
// name whose every reading lies outside the province beside it ("X,
// Kaduna State" where the gazetteer knows X only in Pakistan). Names with
// a weaker support wait for villagesAfter.
func (r *plResolver) villagesBefore() {
	if r.vil == nil {
		return
	}
	covered := make([]bool, len(r.toks))
	for _, f := range r.found {
		for t := f.t0; t < f.t1; t++ {
			covered[t] = true
		}
	}
	// Core names with a container none of their readings lies in.
	for k, a := range r.found {
		if k+1 >= len(r.found) || !r.containerPattern(a, r.found[k+1]) && !(r.found[k+1].t0 == a.t1 && r.parenAt(a.t1)) {
			continue
		}
		g, c := r.groups[a.group], r.groups[r.found[k+1].group]
		if a.group == r.found[k+1].group || g.hasCountry || len(g.cands) >= plMaxCands {
			continue
		}
		if r.on("link-named-district") && r.namedDistrict(a, r.found[k+1]) {
			continue
		}
		inside := false
		for _, x := range g.cands {
			for _, y := range topCands(c) {
				inside = inside || plWithin(x.place, y) || x.place.CountryCode == y.place.CountryCode && x.place.Admin1 == y.place.Admin1
			}
		}
		if inside {
			continue
		}
		vs, _ := r.villagesIn(r.span(a.t0, a.t1), c, r.span(r.found[k+1].t0, r.found[k+1].t1))
		for _, v := range vs {
			if len(g.cands) >= plMaxCands {
				break
			}
			g.cands = append(g.cands, r.villageCand(v))
		}
	}
	// Two passes: a name read in the first ("Chikun LGA of Kaduna
	// State") may be the container of one before it ("the Kuriga area of
	// the Chikun LGA").
	for pass := 0; pass < 2; pass++ {
		covered := make([]bool, len(r.toks))
		r.foundAt = make(map[int]int, len(r.found))
		for fi, f := range r.found {
			for t := f.t0; t < f.t1; t++ {
				covered[t] = true
			}
			r.foundAt[f.t0] = fi
		}
		var added []plFound
		drop := map[int]bool{}
		for i := 0; i < len(r.toks); {
			t := r.toks[i]
			if r.on("link-named-district") {
				// "Kofar Dawa village (Shiroro, Niger state)": a name the
				// core tier holds is part of a longer one that only the
				// text's district or province can place.
				if n, fs, inside := r.longerVillage(i, covered); len(fs) > 0 {
					for _, fi := range inside {
						drop[fi] = true
					}
					added = append(added, fs...)
					i += n
					continue
				}
			}
			if !t.capital || covered[i] || functionCaps[strings.ToLower(t.text)] || r.nounAt(i) > 0 {
				i++
				continue
			}
			// A word seen in a person's name is a place's first in the
			// brackets of a district and province after a name: "Gidan
			// Zaki (Rafi, Niger)".
			paren := r.on("link-named-district") && r.parenAt(i) && r.toks[i-1].capital
			person := r.persons[r.key(t.text)]
			if person && !paren {
				i++
				continue
			}
			end := i + 1
			for end < len(r.toks) && end-i < plVillageMaxWords && !covered[end] && r.toks[end].sep <= plSepHyphen &&
				(r.toks[end].capital || plVillageParticles[strings.ToLower(r.toks[end].text)]) && r.nounAt(end) == 0 {
				end++
			}
			for end > i+1 && !r.toks[end-1].capital {
				end--
			}
			adminParen := paren && end < len(r.toks) && r.toks[end].sep == plSepComma
			if (person || end == i+1 && r.givenName(t.text)) && !adminParen {
				i++ // a given name alone is a person's
				continue
			}
			n, f := r.villageAt(i, end)
			if n == 0 {
				i = end
				continue
			}
			added = append(added, f...)
			i += n
		}
		if len(drop) > 0 {
			kept := r.found[:0]
			for fi, f := range r.found {
				if !drop[fi] {
					kept = append(kept, f)
				}
			}
			r.found = kept
		}
		r.found = append(r.found, added...)
	}
	plSortFound(r.found)
	r.smallestContainers()
}

// holdsFound reports whether a reading of mention b holds the first
// reading of mention a: "(Shiroro, Niger state)" is a district and its
// province, not a list of two places.
func (r *plResolver) holdsFound(b, a plFound) bool {
	ga, gb := r.groups[a.group], r.groups[b.group]
	if len(ga.cands) == 0 || !r.on("link-named-district") {
		return false
	}
	for _, y := range topCands(gb) {
		if y.tier != 0 && plWithin(ga.cands[0].place, y) {
			return true
		}
	}
	return false
}

// longerVillage reads a village name of capitalised words that starts at
// token i and holds a name the core tier reads ("Kofar Dawa", "Tungan
// Kudaku"), when a district or province beside it places it: the core
// mentions inside are then only parts of that name. It returns the tokens
// used, the mentions read and the core mentions they replace; nothing when
// the longer name has no such support.
func (r *plResolver) longerVillage(i int, covered []bool) (int, []plFound, []int) {
	if !r.toks[i].capital || i > 0 && r.toks[i-1].capital && r.toks[i].sep == plSepSpace {
		return 0, nil, nil // not the start of a run of capitalised words
	}
	// The run of capitalised words first, with no lower-casing: most runs
	// hold no mention of the core tier and end here.
	end := i
	hasCovered := false
	for end < len(r.toks) && end-i < plVillageMaxWords && r.toks[end].capital && (end == i || r.toks[end].sep == plSepSpace) {
		hasCovered = hasCovered || covered[end]
		end++
	}
	if fi, ok := r.foundAt[i]; !hasCovered || ok && r.found[fi].t1 >= end {
		return 0, nil, nil // no mention inside, or one mention that is the whole run
	}
	hasCovered, hasFree := false, false
	for k := i; k < end; k++ {
		if functionCaps[strings.ToLower(r.toks[k].text)] || r.nounAt(k) > 0 {
			end = k
			break
		}
		hasCovered = hasCovered || covered[k]
		hasFree = hasFree || !covered[k]
	}
	// Only a run with a village noun or a district or province after it
	// can be read so: the test is cheap, the reading is not.
	if !hasCovered || r.nounAt(end) == 0 && r.containerAt(end, false) < 0 {
		return 0, nil, nil
	}
	var inside []int
	for t := i; t < end; {
		fi, ok := r.foundAt[t]
		switch {
		case ok && r.found[fi].t1 <= end:
			inside = append(inside, fi)
			t = r.found[fi].t1
		case ok || covered[t]:
			return 0, nil, nil // a mention that runs past the name, or starts before it
		default:
			t++
		}
	}
	// "Jebel Moya": two names the core tier reads apart may be one name.
	if !hasFree && len(inside) < 2 {
		return 0, nil, nil
	}
	pending := len(r.pending)
	n, fs := r.villageAt(i, end)
	r.pending = r.pending[:pending]
	if n != end-i || len(fs) == 0 {
		return 0, nil, nil
	}
	return n, fs, inside
}

// namedDistrict reads a core name followed by its district ("Khar (Bajaur,
// Khyber Pakhtunkhwa)", "Shiroro, Niger State"): when the village tier
// holds the name in that district or province and no reading of the core
// tier is that place, or when the core tier's readings are no town or
// district at all (a dam, a mountain), the village tier's readings there
// replace them. It reports whether it did.
func (r *plResolver) namedDistrict(a, c plFound) bool {
	g, cg := r.groups[a.group], r.groups[c.group]
	if len(cg.cands) == 0 || len(g.cands) == 0 {
		return false
	}
	// A country's name that is also a province's: "(Shiroro, Niger)"
	// names Niger State as well as the country.
	y := cg.cands[0]
	for _, x := range topCands(cg) {
		if y.tier == 0 && x.place.FeatureCode == "ADM1" {
			y = x
			break
		}
	}
	if y.tier == 0 || !r.vil.HasVillages(y.place.CountryCode) {
		return false
	}
	settled := false // a town or district of the core tier in the container's country
	for _, x := range g.cands {
		fc := x.place.FeatureCode
		settled = settled || x.place.CountryCode == y.place.CountryCode && (strings.HasPrefix(fc, "PPL") || strings.HasPrefix(fc, "ADM"))
	}
	// The container is a district unless one of its readings is a province
	// ("Kauru, Kaduna" names Kaduna State, not the city).
	district := true
	for _, x := range topCands(cg) {
		district = district && x.place.FeatureCode != "ADM1"
	}
	if settled && !district {
		return false
	}
	vs := r.vil.Villages(r.span(a.t0, a.t1), y.place.CountryCode, r.span(c.t0, c.t1))
	if len(vs) == 0 {
		return false
	}
	if settled {
		// A core reading a few km from a village of the named district is
		// that village: the core tier's entry stands.
		for _, x := range g.cands {
			for _, v := range vs {
				if plDistanceKm(x.place.Point, v.Point) <= 10 {
					return false
				}
			}
		}
	}
	if !district {
		vs = plPreferKind(vs, true) // "(Shiroro, Niger state)": a district's name first
	}
	g.cands = g.cands[:0]
	for _, v := range vs {
		if len(g.cands) >= plMaxCands {
			break
		}
		g.cands = append(g.cands, r.villageCand(v))
	}
	return true
}

// nounAt returns how many tokens at k make a village or district noun
// ("village", "district", "Local Government Area"), 0 when none.
func (r *plResolver) nounAt(k int) int {
	w := strings.ToLower(r.tokText(k))
	switch {
	case plVillageNouns[w] || plDistrictNouns[w]:
		return 1
	case w == "local" && strings.EqualFold(r.tokText(k+1), "government"):
		if strings.EqualFold(r.tokText(k+2), "area") {
			return 3
		}
		return 2
	}
	return 0
}

// smallestContainers gives every mention of a name that neither tier
// holds the smallest place the text put it in anywhere: "Kuriga, Kaduna
// State" and later "the Kuriga area of the Chikun LGA" are both in Chikun.
func (r *plResolver) smallestContainers() {
	rank := func(gi int) int {
		g := r.groups[gi]
		if len(g.cands) == 0 {
			return 9
		}
		switch g.cands[0].place.FeatureCode {
		case "ADM2", "ADM3":
			return 2
		case "ADM1":
			return 3
		}
		if strings.HasPrefix(g.cands[0].place.FeatureCode, "PPL") {
			return 1
		}
		return 4
	}
	best := map[string]int{}
	for _, f := range r.found {
		if !f.near {
			continue
		}
		k := r.key(r.text[f.start:f.end])
		if b, ok := best[k]; !ok || rank(f.group) < rank(b) {
			best[k] = f.group
		}
	}
	for i := range r.found {
		if f := &r.found[i]; f.near {
			f.group = best[r.key(r.text[f.start:f.end])]
		}
	}
}

// villageAt reads a village name starting at token i (at most to end):
// with a province or district beside it, it is added at once; with weaker
// support it is left for villagesAfter. It returns the tokens used.
func (r *plResolver) villageAt(i, end int) (int, []plFound) {
	before := r.nounBefore(i)
	for j := end; j > i; j-- {
		name := r.span(i, j)
		if j == i+1 && (r.stop(name) || plShortCaps(name)) {
			break
		}
		if _, ok := r.demonym(name); ok {
			break
		}
		if r.toks[j-1].possessive {
			// "Garnier's entrance": a name before its owner's thing.
			continue
		}
		noun, district, k := before, false, j
		if n := r.nounAt(k); n > 0 && r.toks[k].sep == plSepSpace {
			noun, district, k = true, n > 1 || plDistrictNouns[strings.ToLower(r.toks[k].text)], k+n
		}
		ci := r.containerAt(k, noun)
		if ci >= 0 {
			c := r.found[ci]
			cg := r.groups[c.group]
			vs, _ := r.villagesIn(name, cg, r.span(c.t0, c.t1))
			if noun {
				vs = plPreferKind(vs, district)
			}
			if len(vs) > 0 {
				g := r.newVillageGroup(name, vs, plVillageConfAdmin)
				return j - i, []plFound{{start: r.toks[i].start, end: r.toks[j-1].end, t0: i, t1: j, group: g}}
			}
			// Neither tier holds it: the event stays at the place beside
			// it (not one of a list: "X, Y and Z").
			list := ci+1 < len(r.found) && r.listNext(c, r.found[ci+1]) && !r.holdsFound(r.found[ci+1], c)
			if (noun || r.locativeBefore(i)) && j == end && !cg.hasCountry && !list && r.adminContainer(k, c) {
				r.groups[c.group].count++
				return j - i, []plFound{{start: r.toks[i].start, end: r.toks[j-1].end, t0: i, t1: j, group: c.group, near: true}}
			}
			continue
		}
		if noun || (j-i == 1 || j == end) && r.locativeBefore(i) {
			if (len(r.pending) == 0 || r.pending[len(r.pending)-1].t0 < i) && len(r.pending) < plMaxPending {
				r.pending = append(r.pending, plPending{t0: i, t1: j, noun: noun, district: district})
			}
			return j - i, nil
		}
	}
	return 0, nil
}

func (r *plResolver) tokText(k int) string {
	if k < 0 || k >= len(r.toks) {
		return ""
	}
	return r.toks[k].text
}

// adminContainer reports whether container c, opened at token k, is a
// province or district the text puts a place in: a first- or second-level
// region, a name the text calls one ("Gao region"), or a town after "in"
// or in parentheses. "X, Moscow said" names no container.
func (r *plResolver) adminContainer(k int, c plFound) bool {
	if c.t1 < len(r.toks) && r.toks[c.t1].sep == plSepSpace && regionNouns[strings.ToLower(r.toks[c.t1].text)] {
		return true
	}
	g := r.groups[c.group]
	if len(g.cands) == 0 {
		return false
	}
	switch g.cands[0].place.FeatureCode {
	case "ADM1", "ADM2", "ADM3":
		return true
	}
	town := strings.HasPrefix(g.cands[0].place.FeatureCode, "PPL")
	return town && (r.parenAt(k) || r.toks[k].sep == plSepSpace)
}

// nounBefore reports "the village of X", "the villages of X".
func (r *plResolver) nounBefore(i int) bool {
	return i >= 2 && r.toks[i].sep == plSepSpace && strings.EqualFold(r.toks[i-1].text, "of") &&
		plVillageNouns[strings.ToLower(r.toks[i-2].text)]
}

// locativeBefore reports "in X", "near X".
func (r *plResolver) locativeBefore(i int) bool {
	return i >= 1 && r.toks[i].sep == plSepSpace && plLocatives[strings.ToLower(r.toks[i-1].text)]
}

// containerAt returns the found mention that token k opens as a container
// of the name before it: ", Y", "(Y", "in [southern] Y", and after a noun
// "of Y" ("X district of Y"). It returns -1 when there is none.
func (r *plResolver) containerAt(k int, noun bool) int {
	if k >= len(r.toks) {
		return -1
	}
	at := func(t int) int {
		if fi, ok := r.foundAt[t]; ok {
			return fi
		}
		return -1
	}
	switch {
	case r.toks[k].sep == plSepComma:
		return at(k)
	case r.parenAt(k):
		return at(k)
	case r.toks[k].sep == plSepSpace && (strings.EqualFold(r.toks[k].text, "in") || noun && strings.EqualFold(r.toks[k].text, "of")):
		t := k + 1
		for t < len(r.toks) && t-k <= 3 && r.toks[t].sep == plSepSpace && plDirections[strings.ToLower(r.toks[t].text)] {
			t++
		}
		if t < len(r.toks) && r.toks[t].sep == plSepSpace {
			return at(t)
		}
	}
	return -1
}

// parenAt reports an opening parenthesis and nothing else before token k.
func (r *plResolver) parenAt(k int) bool {
	if k <= 0 || k >= len(r.toks) {
		return false
	}
	return strings.TrimSpace(r.text[r.toks[k-1].end:r.toks[k].start]) == "("
}

// topCands are the readings of a container worth trying: the best few by
// rank (the resolver has not yet chosen).
func topCands(g *plGroup) []plCand {
	if len(g.cands) > 3 {
		return g.cands[:3]
	}
	return g.cands
}

// villagesIn returns the villages called name that lie in a reading of the
// container group c (written as text): in its country when it is a country,
// else in its province or district.
func (r *plResolver) villagesIn(name string, c *plGroup, text string) ([]geo.Place, geo.Place) {
	for _, y := range topCands(c) {
		cc := y.place.CountryCode
		if cc == "" || !r.vil.HasVillages(cc) {
			continue
		}
		all := r.vil.Villages(name, cc)
		if y.tier == 0 {
			// A country alone does not tell namesakes apart.
			if len(all) > 0 && r.onePlace(all) {
				return all[:1], y.place
			}
			continue
		}
		var in []geo.Place
		byText := r.vil.Villages(name, cc, text)
		for _, v := range all {
			ok := y.place.Admin1 != "" && v.Admin1 == y.place.Admin1
			for _, w := range byText {
				ok = ok || w.GeonameID == v.GeonameID
			}
			if ok {
				in = append(in, v)
			}
		}
		if len(in) > 0 {
			return in, y.place
		}
	}
	return nil, geo.Place{}
}

// villageCand is a village reading: ranked as GeoNames villages are.
func (r *plResolver) villageCand(v geo.Place) plCand {
	c := plCand{place: v, tier: r.tier(v)}
	c.prior = plTierScore[min(c.tier, len(plTierScore)-1)] + plPopScore(v.Population)
	return c
}

// newVillageGroup adds a group of village readings for name, whose
// confidence is set by its support rather than by its rank.
func (r *plResolver) newVillageGroup(name string, vs []geo.Place, conf float64) int {
	key := r.key(name)
	if gi, ok := r.byKey[key]; ok {
		r.groups[gi].count++
		return gi
	}
	g := &plGroup{key: key, choice: -1, support: true, villageConf: conf}
	for _, v := range vs {
		if len(g.cands) >= plMaxCands {
			break
		}
		g.cands = append(g.cands, r.villageCand(v))
	}
	g.count = 1
	gi := len(r.groups)
	r.groups = append(r.groups, g)
	r.byKey[key] = gi
	return gi
}

// villagesAfter reads the names left for the article's context, once the
// core names are resolved: "the village of X" in a country the article is
// about; "in X" in a sentence that names the village's country, or in an
// article that names its province. A name with readings in several places
// that the text does not tell apart stays unread.
func (r *plResolver) villagesAfter() {
	if r.vil == nil || len(r.found) == 0 && len(r.pending) == 0 {
		return
	}
	ev := r.evidence()
	articleCC := map[string]bool{}
	best := 0.0
	for _, w := range ev.country {
		best = max(best, w)
	}
	for cc, w := range ev.country {
		if w >= best/2 && r.vil.HasVillages(cc) {
			articleCC[cc] = true
		}
	}
	admin1 := map[string]bool{}
	for _, g := range r.groups {
		if g.choice >= 0 && g.cands[g.choice].tier != 0 && g.cands[g.choice].place.Admin1 != "" {
			p := g.cands[g.choice].place
			admin1[p.CountryCode+"/"+p.Admin1] = true
		}
	}
	r.namesakesAbroad(articleCC, admin1)
	covered := map[int]bool{}
	for _, f := range r.found {
		covered[f.t0] = true
	}
	var added []plFound
	for _, pd := range r.pending {
		if covered[pd.t0] {
			continue // read in the second pass, beside a container
		}
		name := r.span(pd.t0, pd.t1)
		sentCC := map[string]bool{}
		if cc := r.nearestCountry(pd.t0, pd.t1); cc != "" {
			sentCC[cc] = true
		}
		var vs []geo.Place
		conf := plVillageConfNoun
		if pd.noun {
			// The country of the sentence's place nearest the name, when
			// it names any ("Russia's Kursk region ... its Glushkov
			// district"); else the article's.
			ccs := articleCC
			if len(sentCC) > 0 {
				ccs = sentCC
			}
			for cc := range ccs {
				if r.vil.HasVillages(cc) {
					vs = append(vs, r.vil.Villages(name, cc)...)
				}
			}
			// A district noun asks for the district, a village noun for a
			// village. Towns have districts of the same names ("the
			// city's Central district"): a district must lie in a province
			// the article names.
			vs = plPreferKind(vs, pd.district)
			if pd.district {
				var in []geo.Place
				for _, v := range vs {
					if admin1[v.CountryCode+"/"+v.Admin1] {
						in = append(in, v)
					}
				}
				vs = in
			}
		} else {
			// A bare name: only a word that is no common word or
			// person's name, and only where the sentence names the
			// country or the article the province.
			if pd.t1-pd.t0 == 1 && (r.lex != nil && r.lex.CommonWord(name) || len(name) < 4) {
				continue
			}
			conf = plVillageConfCountry
			for cc := range articleCC {
				for _, v := range r.vil.Villages(name, cc) {
					if sentCC[cc] || r.sentencePlaces(pd.t0)[cc] || admin1[cc+"/"+v.Admin1] {
						vs = append(vs, v)
					}
				}
			}
		}
		vs = r.narrowVillages(vs, admin1, pd.t0)
		if len(vs) == 0 {
			continue
		}
		gi := r.newVillageGroup(name, vs, conf)
		g := r.groups[gi]
		g.choice, g.margin = 0, 100
		added = append(added, plFound{start: r.toks[pd.t0].start, end: r.toks[pd.t1-1].end, t0: pd.t0, t1: pd.t1, group: gi})
	}
	if len(added) > 0 {
		r.found = append(r.found, added...)
		plSortFound(r.found)
	}
}

// namesakesAbroad reads as a village of the article's country a name the
// core tier knows only as a small town in another country, where the text
// places it as it places a bare village name: "in X" in a sentence that
// names the village's country, or in an article that names its province.
func (r *plResolver) namesakesAbroad(articleCC, admin1 map[string]bool) {
	if len(articleCC) == 0 {
		return
	}
	for gi, g := range r.groups {
		if g.choice < 0 || g.villageConf > 0 || g.hasCountry {
			continue
		}
		c := g.cands[g.choice]
		// A provincial seat abroad is a namesake too when nothing else of
		// the article lies in its country ("Bani" in a report on Yemen).
		lone := c.tier >= 3 && r.on("place-namesake-home") && r.aloneInCountry(gi)
		if (c.tier < 5 && !lone) || c.place.CountryCode == "" || articleCC[c.place.CountryCode] {
			continue
		}
		var at *plFound
		for i := range r.found {
			if f := &r.found[i]; f.group == gi && !f.near && r.locativeBefore(f.t0) {
				at = f
				break
			}
		}
		if at == nil {
			continue
		}
		name := r.span(at.t0, at.t1)
		if at.t1-at.t0 == 1 && (r.lex != nil && (r.lex.CommonWord(name) || r.lex.GivenName(name)) || len(name) < 4) {
			continue
		}
		sentCC := r.sentencePlaces(at.t0)
		sentCC[r.nearestCountry(at.t0, at.t1)] = true
		var vs []geo.Place
		for cc := range articleCC {
			for _, v := range r.vil.Villages(name, cc) {
				if sentCC[cc] || admin1[cc+"/"+v.Admin1] {
					vs = append(vs, v)
				}
			}
		}
		many := vs
		vs = r.narrowVillages(vs, admin1, at.t0)
		if len(vs) == 0 && lone && c.tier < 7 && len(articleCC) == 1 {
			// The text does not tell the readings apart: the one nearest
			// the article's own towns, if clearly nearest.
			for cc := range articleCC {
				if len(many) == 0 {
					many = r.vil.Villages(name, cc)
				}
			}
			vs = r.nearestVillage(many, gi)
		}
		if len(vs) == 0 || len(g.cands) >= plMaxCands {
			continue
		}
		g.cands = append(g.cands, r.villageCand(vs[0]))
		g.choice, g.margin, g.villageConf = len(g.cands)-1, 100, plVillageConfCountry
	}
}

// aloneInCountry reports whether group gi's reading is the article's only
// place in its country.
func (r *plResolver) aloneInCountry(gi int) bool {
	cc := r.groups[gi].cands[r.groups[gi].choice].place.CountryCode
	for gj, g := range r.groups {
		if gj != gi && g.choice >= 0 && g.count > 0 && g.cands[g.choice].place.CountryCode == cc {
			return false
		}
	}
	return true
}

// nearestVillage returns, of the readings vs, the one nearest the towns
// the article names elsewhere (other than group gi), when it is clearly
// the nearest: every other reading half as far again or more, and within
// 300 km. Nothing otherwise.
func (r *plResolver) nearestVillage(vs []geo.Place, gi int) []geo.Place {
	dist := func(v geo.Place) float64 {
		best := math.Inf(1)
		for gj, g := range r.groups {
			if gj == gi || g.choice < 0 || g.count == 0 || g.villageConf > 0 {
				continue
			}
			c := g.cands[g.choice]
			if c.tier >= 2 && c.place.Bound == nil && c.place.CountryCode == v.CountryCode {
				best = math.Min(best, plDistanceKm(c.place.Point, v.Point))
			}
		}
		return best
	}
	ds := make([]float64, len(vs))
	at := -1
	for i, v := range vs {
		ds[i] = dist(v)
		if at < 0 || ds[i] < ds[at] {
			at = i
		}
	}
	if at < 0 || ds[at] > 300 {
		return nil
	}
	for i, v := range vs {
		// Readings a few km apart are one place listed twice.
		if i != at && plDistanceKm(v.Point, vs[at].Point) > 25 && 2*ds[i] < 3*ds[at] {
			return nil
		}
	}
	return vs[at : at+1]
}

// narrowVillages keeps, of several readings, those in a province the
// article names, then those near a place of the same sentence; it returns
// nothing when more than one place remains.
func (r *plResolver) narrowVillages(vs []geo.Place, admin1 map[string]bool, t int) []geo.Place {
	if len(vs) <= 1 {
		return vs
	}
	keep := func(ok func(geo.Place) bool) {
		var out []geo.Place
		for _, v := range vs {
			if ok(v) {
				out = append(out, v)
			}
		}
		if len(out) > 0 {
			vs = out
		}
	}
	keep(func(v geo.Place) bool { return admin1[v.CountryCode+"/"+v.Admin1] })
	if !r.onePlace(vs) {
		s0, s1 := r.sentenceAround(t)
		keep(func(v geo.Place) bool {
			for _, f := range r.found {
				g := r.groups[f.group]
				if f.t0 >= s0 && f.t1 <= s1 && g.choice >= 0 && plDistanceKm(g.cands[g.choice].place.Point, v.Point) <= 50 {
					return true
				}
			}
			return false
		})
	}
	if !r.onePlace(vs) {
		return nil
	}
	return vs[:1]
}

// onePlace reports readings that are all one place (within 10 km).
func (r *plResolver) onePlace(vs []geo.Place) bool {
	for _, v := range vs[1:] {
		if plDistanceKm(v.Point, vs[0].Point) > 10 {
			return false
		}
	}
	return len(vs) > 0
}

// sentenceAround returns the token range of the sentence holding token t:
// from the last sentence end before it to the next one.
func (r *plResolver) sentenceAround(t int) (int, int) {
	ends := func(k int) bool {
		if k <= 0 || k >= len(r.toks) || r.toks[k].sep != plSepHard {
			return k <= 0
		}
		gap := r.text[r.toks[k-1].end:r.toks[k].start]
		return strings.ContainsAny(gap, ".!?\n")
	}
	s0 := t
	for s0 > 0 && !ends(s0) {
		s0--
	}
	s1 := t + 1
	for s1 < len(r.toks) && !ends(s1) {
		s1++
	}
	return s0, s1
}

// sentencePlaces returns the countries of the resolved place names of the
// sentence holding token t (demonyms left out: "Turkish drones" are not in
// Turkey).
func (r *plResolver) sentencePlaces(t int) map[string]bool {
	s0, s1 := r.sentenceAround(t)
	out := map[string]bool{}
	for _, f := range r.found {
		if f.t0 < s0 || f.t1 > s1 {
			continue
		}
		if g := r.groups[f.group]; g.choice >= 0 && g.cands[g.choice].place.CountryCode != "" && g.villageConf == 0 {
			out[g.cands[g.choice].place.CountryCode] = true
		}
	}
	return out
}

// nearestCountry returns the country of the resolved name or demonym of
// the sentence nearest tokens [t0, t1), the nearest before them first; ""
// when the sentence names none.
func (r *plResolver) nearestCountry(t0, t1 int) string {
	s0, s1 := r.sentenceAround(t0)
	ccAt := map[int]string{} // token -> country of a name or demonym starting there
	for _, f := range r.found {
		g := r.groups[f.group]
		if f.t0 >= s0 && f.t1 <= s1 && g.choice >= 0 {
			ccAt[f.t1-1] = g.cands[g.choice].place.CountryCode
			ccAt[f.t0] = g.cands[g.choice].place.CountryCode
		}
	}
	for i := s0; i < s1; i++ {
		if _, ok := ccAt[i]; !ok && r.toks[i].capital {
			if cc, ok := r.demonym(r.toks[i].text); ok {
				ccAt[i] = cc
			}
		}
	}
	for i := t0 - 1; i >= s0; i-- {
		if cc := ccAt[i]; cc != "" {
			return cc
		}
	}
	for i := t1; i < s1; i++ {
		if cc := ccAt[i]; cc != "" {
			return cc
		}
	}
	return ""
}

// plPreferKind keeps the districts of vs (district) or its populated
// places (!district), when it has any.
func plPreferKind(vs []geo.Place, district bool) []geo.Place {
	var out []geo.Place
	for _, v := range vs {
		if strings.HasPrefix(v.FeatureCode, "ADM") == district {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return vs
	}
	return out
}

func plSortFound(fs []plFound) {
	// Insertion sort: the found list is nearly sorted and short.
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].start < fs[j-1].start; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}
