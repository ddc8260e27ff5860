package extract

import (
	"sort"
	"strings"

	orbgeo "github.com/paulmach/orb/geo"

	"conflictmap/geo"
)

// ties links the trigger occurrences of a sentence to its place mentions.
// A place is the location of an event when the sentence ties it to the
// trigger: a locative preposition after the trigger ("a drone strike in
// Jordan", "strikes on residences in Damascus", "meetings in late January
// in Tehran and Baghdad"), a place the trigger acts on ("shelled Kharkiv",
// "the invasion of Rafah"), a town before the trigger noun ("the Jenin
// raid"), a passive ("Odesa was shelled"), or a sentence that opens with
// where it happened ("In Baghdad, General Ghaani held a meeting"). A
// violent trigger with none of these takes the places its own clause puts
// it "in" ("Hezbollah in Lebanon exchanges fire almost daily"). A place
// that only says who acted ("an attack by Israel"), where someone is based,
// or whose place it is ("Iran's security") is not tied.
func (r *reader) ties(s sentence, occs []occ) []tie {
	var ties []tie
	tied := map[int]bool{} // occurrences with a tie of their own
	used := map[int]bool{} // places tied to some occurrence
	for i := range occs {
		o := &occs[i]
		// "called for nationwide protests", "a general strike across the
		// country": the country the article is about, and no other place.
		if r.on("link-nationwide") && r.nationwide(s, o) {
			if ref := r.mainCountry(); ref >= 0 {
				ties = append(ties, tie{occ: i, ref: ref, how: tieDirect})
				tied[i], used[ref] = true, true
			}
			continue
		}
		fw, saw := r.forward(s, i, o)
		for _, t := range fw {
			ties = append(ties, t)
			used[t.ref] = true
		}
		tied[i] = saw
		if ref := r.before1(s, o); ref >= 0 && r.on("link-modifier-passive") {
			for _, rr := range append(r.passiveList(s, ref), ref) {
				ties = append(ties, tie{occ: i, ref: rr, how: tieDirect, dist: 1})
				used[rr] = true
			}
			tied[i] = true
		}
		if !tied[i] && r.on("link-people-of") {
			if ref := r.peopleOf(s, o); ref >= 0 {
				ties = append(ties, tie{occ: i, ref: ref, how: tieDirect, dist: o.first - r.refs[ref].last})
				tied[i], used[ref] = true, true
			}
		}
	}
	// "In Baghdad, General Ghaani held a long meeting ...".
	if ref, end := r.fronted(s); ref >= 0 && r.on("link-fronted") && !r.holdsTied(ref, ties) {
		for pass := 0; pass < 2; pass++ {
			if r.frontedTo(ref, end, occs, &ties, tied, used, pass == 0) {
				break
			}
		}
	}
	// "in Bama town, where a bomber blew himself up": a relative "where"
	// clause happens at the place it follows.
	for i := range occs {
		o := &occs[i]
		if tied[i] || o.negated || !r.on("link-where") {
			continue
		}
		if ref := r.whereClause(s, o); ref >= 0 && !used[ref] {
			ties = append(ties, tie{occ: i, ref: ref, how: tieDirect, dist: o.first - r.refs[ref].last})
			tied[i], used[ref] = true, true
		}
	}
	// "attacks across the region, including in Tibu and Hacari": the places
	// an "including" list gives, each one part of an event tied to the area
	// that holds them.
	if r.on("link-including") {
		ties = r.includingList(s, ties, used)
		for i := range occs {
			if tied[i] || occs[i].negated {
				continue
			}
			for _, ref := range r.exampleList(s, &occs[i]) {
				if !used[ref] {
					ties = append(ties, tie{occ: i, ref: ref, how: tieDirect, dist: 1})
					used[ref] = true
					tied[i] = true
				}
			}
		}
	}
	// A violent trigger with nothing tied: the places its clause puts it in,
	// unless another trigger with places of its own stands between.
	for i := range occs {
		o := &occs[i]
		if tied[i] || !r.on("link-fallback") || !fallsBack(o) || o.t.weak || o.t.only || o.negated || o.definite || o.modality == "threatened" {
			continue
		}
		a, b := r.segment(s, o)
		for j := range occs {
			if j == i || !tied[j] {
				continue
			}
			if occs[j].last <= o.first && occs[j].first >= a {
				a = occs[j].last
			}
			if occs[j].first >= o.last && occs[j].first < b {
				b = occs[j].first
			}
		}
		for k := a; k < b; k++ {
			if !locPreps[r.toks[k].low] || r.toks[k].low == "of" || r.toks[k].low == "from" || r.notLocHead(k) ||
				r.agentBefore(a, k) || r.inAside(s, k, o) {
				continue
			}
			ref, end, near := r.placeAfter(k+1, b)
			if ref < 0 {
				continue
			}
			more, _ := r.listAfter(end, b, ref)
			for _, rr := range append([]int{ref}, more...) {
				if used[rr] || !r.usable(rr) || r.attributive(rr) || r.holdsAny(rr, used) {
					continue
				}
				ties = append(ties, tie{occ: i, ref: rr, how: tieFallback, near: near, dist: abs(k - o.first)})
			}
			k = end - 1
		}
	}
	// "Marawi, a city of the south, has seen repeated sieges": a place
	// that is the subject of a verb of undergoing is where the events its
	// predicate names happened.
	if r.on("link-place-undergoes") {
		if ref, from := r.undergoer(s); ref >= 0 {
			for i := range occs {
				o := &occs[i]
				if tied[i] || o.first < from || o.negated || o.t.weak || o.t.only || !fallsBack(o) {
					continue
				}
				ties = append(ties, tie{occ: i, ref: ref, how: tieFallback, dist: o.first - r.refs[ref].last})
				tied[i] = true
			}
		}
	}
	// "The gunmen were heading to X when they were intercepted": an event
	// that stops a movement toward a town happens on the way, near it.
	if r.on("link-en-route") {
		for i := range occs {
			o := &occs[i]
			if tied[i] || o.negated || o.t.weak || !fallsBack(o) {
				continue
			}
			if ref := r.enRoute(s, o); ref >= 0 && !used[ref] {
				ties = append(ties, tie{occ: i, ref: ref, how: tieFallback, near: true, dist: abs(o.first - r.refs[ref].last)})
				tied[i], used[ref] = true, true
			}
		}
	}
	// "Russia has attacked them repeatedly", "shelled the city almost
	// every day": a trigger with no place of its own that acts on a
	// pronoun or on "the city" takes the places of the sentence before.
	for i := range occs {
		o := &occs[i]
		if tied[i] || o.negated || o.t.weak || o.t.only || !r.on("link-discourse") {
			continue
		}
		for _, ref := range r.anaphor(s, o) {
			if !used[ref] {
				ties = append(ties, tie{occ: i, ref: ref, how: tieAnaphor})
				used[ref] = true
			}
		}
	}
	// "A military source in X said the bomber detonated the device": a
	// witness is where what they tell happened, for an event of the
	// report that names no place of its own.
	if r.on("link-source") {
		hasTie := map[int]bool{}
		for _, t := range ties {
			hasTie[t.occ] = true
		}
		for i := range occs {
			o := &occs[i]
			if hasTie[i] || o.negated || o.t.weak || o.t.only || o.definite || !fallsBack(o) || o.modality == geo.Threatened {
				continue
			}
			if ref := r.sourcePlace(s, o); ref >= 0 && !used[ref] {
				ties = append(ties, tie{occ: i, ref: ref, how: tieFallback, dist: o.first - r.refs[ref].last})
				used[ref] = true
			}
		}
	}
	return ties
}

// Words of the witness rule: who tells from the scene, and how they tell.
var (
	sourceNouns = cues.set("source-nouns")
	sourcePreps = cues.set("source-preps")
)

// sourcePlace returns the town of a witness who reports trigger o in the
// same sentence ("residents in X said", "a security source at X told
// reporters"), or -1. Officials and governments are not witnesses: "officials
// in Washington said" names where they speak, not where it happened.
func (r *reader) sourcePlace(s sentence, o *occ) int {
	for ref := sort.Search(len(r.refs), func(i int) bool { return r.refs[i].first >= s.first }); ref < len(r.refs) && r.refs[ref].last <= o.first; ref++ {
		m := &r.refs[ref]
		if !r.usable(ref) || isArea(m.place) || isCountry(m.place) {
			continue
		}
		k := m.first - 1
		if k >= s.first && r.toks[k].low == "the" {
			k--
		}
		if k-1 < s.first || !sourcePreps[r.toks[k].low] || !sourceNouns[r.toks[k-1].low] {
			continue
		}
		// The reporting verb follows the witness ("..., told Reuters"),
		// before the event told.
		for j, n := m.last, 0; j < o.first && n < 4; j, n = j+1, n+1 {
			if reportingVerbs[r.toks[j].low] {
				return ref
			}
			if r.toks[j].kind == tPunct && r.toks[j].text != "," {
				break
			}
		}
	}
	return -1
}

// Words that stand for places told in the sentence before: a pronoun, or
// "the" and a noun for a place, singular or plural.
var (
	pronounOne  = cues.set("pronoun-one")
	pronounMany = cues.set("pronoun-many")
	placeOne    = cues.set("place-one")
	placeMany   = cues.set("place-many")
	determiners = cues.set("determiners")
)

// anaphor returns the places trigger o acts on through a pronoun right
// after it ("recapture it", "attacked them") or through "the city" right
// after it or after its preposition ("shelled the town", "attacks on the
// port"), when the sentence names no place of its own and the sentence
// before named exactly one place, or one list of places of one kind, whose
// number agrees.
func (r *reader) anaphor(s sentence, o *occ) []int {
	if s.index == 0 || s.index > len(r.sents) {
		return nil
	}
	if o.first > s.first && determiners[r.toks[o.first-1].low] {
		return nil // "the attack": a noun, not a verb acting on a pronoun
	}
	k := o.last
	if k < s.last && locPreps[r.toks[k].low] && r.toks[k].low != "from" {
		k++
	}
	many, town, count, ok := false, false, 0, false
	switch {
	case k >= s.last:
	case k == o.last && pronounOne[r.toks[k].low]:
		ok = true
	case k == o.last && pronounMany[r.toks[k].low]:
		many, ok = true, true
	default:
		many, town, count, ok = r.placeWord(k, s.last)
	}
	if !ok {
		// Passive: "the town was shelled again", "it was shelled".
		j := r.passiveSubject(s, o)
		switch {
		case j < 0:
		case r.toks[j].low == "it" && j == s.first:
			ok = true
		case j > s.first && r.toks[j-1].low == "the":
			many, town, count, ok = r.placeWord(j-1, j+1)
		case j > s.first+1 && r.toks[j-2].low == "the":
			many, town, count, ok = r.placeWord(j-2, j+1)
		}
	}
	if !ok {
		many, town, count, ok = r.placeWordNear(s, o)
	}
	if !ok && o.unknownPart {
		town, ok = true, true
	}
	if !ok {
		return nil
	}
	if len(r.placesIn(r.sents[s.index].first, r.sents[s.index].last)) > 0 {
		return nil
	}
	prev := r.sents[s.index-1]
	var refs []int
	all := r.placesIn(prev.first, prev.last)
	for _, p := range all {
		if r.distanceRef(p) {
			continue // "the town, 200 km north of Mogadishu": a landmark, not the town
		}
		container := false
		for _, q := range all {
			if q != p && r.holds(p, q) {
				container = true // "Izmail and Reni in Odesa region": the region only locates the towns
				break
			}
		}
		if !container {
			refs = append(refs, p)
		}
	}
	if many && len(refs) > 2 {
		// "the Danube ports of Izmail, Reni and Kiliya, on the river
		// Danube": the one list the sentence gives, not every place in it.
		if list := r.onlyList(refs); list != nil {
			refs = list
		}
	}
	if len(refs) == 0 || (len(refs) > 1) != many || (count > 0 && len(refs) != count) {
		return nil
	}
	kind := GeoPrecision(r.refs[refs[0]].place)
	for _, ref := range refs {
		g := GeoPrecision(r.refs[ref].place)
		if g != kind || (town && g != geo.GeoTown) {
			return nil
		}
	}
	return refs
}

// placeWordNear reads "the town" a little further from trigger o: after a
// verb and a preposition ("Fighting was continuing around the town's
// eastern edge"), or as what a "where" clause holding the trigger is about
// ("tightening its grip on the town, where the garrison has been
// encircled").
func (r *reader) placeWordNear(s sentence, o *occ) (many, town bool, count int, ok bool) {
	a, b := r.segment(s, o)
	for k := o.last; k+1 < b && k < o.last+5; k++ {
		if locPreps[r.toks[k].low] && r.toks[k].low != "from" && r.toks[k].low != "of" {
			if many, town, count, ok = r.placeWord(k+1, b); ok {
				return many, town, count, ok
			}
		}
		// Only the trigger's own verb may come first: "was continuing", not
		// "targeted Hamas militants operating in the area".
		if t := r.toks[k]; t.cap || !(auxVerbs[t.low] || passiveChain[t.low] || strings2(t.low)) {
			break
		}
	}
	for k := o.first - 1; k >= s.first+3 && k > o.first-10; k-- {
		if r.toks[k].low != "where" {
			continue
		}
		if r.toks[k-1].text == "," && k-1 > a-3 {
			for m := k - 3; m >= s.first && m >= k-4; m-- {
				if many, town, count, ok = r.placeWord(m, k-1); ok {
					return many, town, count, ok
				}
			}
		}
		break
	}
	return false, false, 0, false
}

// onlyList returns the mentions of refs (in text order) that form a list
// joined by commas, "and" or "or", when refs hold exactly one such list of
// two or more; nil otherwise.
func (r *reader) onlyList(refs []int) []int {
	var lists [][]int
	cur := []int{refs[0]}
	for _, ref := range refs[1:] {
		joined := true
		for k := r.refs[cur[len(cur)-1]].last; k < r.refs[ref].first; k++ {
			if w := r.toks[k].low; w != "," && w != "and" && w != "or" {
				joined = false
				break
			}
		}
		if joined {
			cur = append(cur, ref)
			continue
		}
		if len(cur) > 1 {
			lists = append(lists, cur)
		}
		cur = []int{ref}
	}
	if len(cur) > 1 {
		lists = append(lists, cur)
	}
	if len(lists) != 1 {
		return nil
	}
	return lists[0]
}

// placeWord reads "the city", "the towns", "the three villages" from
// token k (which must be "the") before last: whether it stands for many
// places, only for towns, and how many when it counts them.
func (r *reader) placeWord(k, last int) (many, town bool, count int, ok bool) {
	if k >= last || r.toks[k].low != "the" {
		return false, false, 0, false
	}
	n := k + 1
	if n+1 < last {
		if v, isNum := numberWords[r.toks[n].low]; isNum && v > 1 {
			count, n = v, n+1 // "the three towns"
		} else if r.toks[n].low == "both" {
			count, n = 2, n+1
		}
	}
	switch {
	case n < last && placeOne[r.toks[n].low]:
		return false, r.toks[n].low != "area", count, count == 0
	case n < last && placeMany[r.toks[n].low]:
		return true, r.toks[n].low != "areas", count, true
	}
	return false, false, 0, false
}

// passiveSubject returns the last token of the subject of a passive
// trigger ("the town was shelled", "it has been hit"), or -1.
func (r *reader) passiveSubject(s sentence, o *occ) int {
	k := o.first - 1
	j := k
	for j >= s.first && j > k-4 && passiveChain[r.toks[j].low] {
		j--
	}
	if j == k || j < s.first {
		return -1
	}
	be := false
	for _, t := range r.toks[j+1 : k+1] {
		switch t.low {
		case "was", "were", "been", "is", "are":
			be = true
		}
	}
	if !be || !(strings2(r.toks[o.first].low) || irregularParticiples[r.toks[o.first].low]) {
		return -1
	}
	return j
}

// placesIn returns the mentions of tokens [first, last) that may be where
// an event happened, countries aside: a country is the scene, not the
// place a pronoun picks up.
func (r *reader) placesIn(first, last int) []int {
	var out []int
	// Mentions are in text order: start at the first one at or after first.
	start := sort.Search(len(r.refs), func(i int) bool { return r.refs[i].first >= first })
	for i := start; i < len(r.refs) && r.refs[i].first < last; i++ {
		m := &r.refs[i]
		if m.last <= last && r.usable(i) && !isCountry(m.place) && !r.attributive(i) {
			out = append(out, i)
		}
	}
	return out
}

// frontedTo ties a sentence's opening place to the first trigger after it
// that has no place of its own; on the first pass only a trigger of
// violence or of a crowd, since a strategic word ("curfew", "talks") in
// such a sentence is rarely its event.
func (r *reader) frontedTo(ref, end int, occs []occ, ties *[]tie, tied, used map[int]bool, strict bool) bool {
	for i := range occs {
		o := &occs[i]
		// A weak trigger ("killed") is the event when the sentence dates it.
		if o.first < end || o.t.weak && o.date.kind != dText || o.negated || tied[i] || (strict && typeRank(o.typ) > 1) {
			continue
		}
		*ties = append(*ties, tie{occ: i, ref: ref, how: tieFronted, dist: o.first - end})
		tied[i], used[ref] = true, true
		return true
	}
	return false
}

// holdsAny reports whether mention q holds one of the mentions in set.
func (r *reader) holdsAny(q int, set map[int]bool) bool {
	for p := range set {
		if r.holds(q, p) {
			return true
		}
	}
	return false
}

// holdsTied reports whether a place holds one of the places already tied:
// "In the province of Cauca, dissidents clashed with troops near Suarez".
func (r *reader) holdsTied(ref int, ties []tie) bool {
	for _, t := range ties {
		if t.ref == ref || r.holds(ref, t.ref) {
			return true
		}
	}
	return false
}

// forward follows the words after a trigger, within its clause, to the
// places it is tied to.
//
// It also reports whether the trigger had a place after a locative
// preposition at all, even one that cannot be mapped ("attack US bases in
// the Middle East"): such a trigger takes no other place by default.
func (r *reader) forward(s sentence, oi int, o *occ) ([]tie, bool) {
	var out []tie
	saw := false
	agent := false
	agentCC := "" // the country an agent after "by" names: "strikes by India"
	words := 0
	add := func(ref int, near bool, dist int) {
		for _, t := range out {
			if r.holds(ref, t.ref) {
				return // "the Jenin refugee camp in the occupied West Bank"
			}
		}
		out = append(out, tie{occ: oi, ref: ref, how: tieDirect, near: near, dist: dist})
	}
	for i := o.last; i < s.last && words < 16; i++ {
		t := r.toks[i]
		if t.text == "(" {
			// A short aside in brackets: "the Myanmar Armed Forces (MAF)".
			if e := r.closeParen(i, s.last); e > 0 {
				i = e
				continue
			}
		}
		if isHardBoundary(t) {
			break
		}
		if t.text == "," {
			if r.commaContinues(i, s.last, len(out) > 0) {
				continue
			}
			break
		}
		// "The strikes were coordinated through the U.S. Embassy in
		// Mogadishu": a told event's subject, then a verb that does not say
		// where it happened.
		if o.definite && i == o.last && auxVerbs[t.low] && i+1 < s.last && !eventVerbs[r.toks[i+1].low] {
			break
		}
		// "clashes were reported in X": a passive report says where.
		if t.low == "reported" && i > o.last && beVerbs[r.toks[i-1].low] {
			words++
			continue
		}
		// "reported since Friday in X": "since" before a date is no clause.
		if t.low == "since" && i+1 < s.last {
			if exprs := r.dates.scan(i, min(s.last, i+4)); len(exprs) > 0 || r.toks[i+1].kind == tNumber {
				words++
				continue
			}
		}
		if clauseStops[t.low] && !(t.low == "as" && i+1 < s.last && r.toks[i+1].low == "part") {
			break
		}
		// Once a place is tied, a new verb ends the trigger's phrase: "attacks
		// on shipping in the Red Sea have forced companies to send vessels
		// around the Cape".
		if len(out) > 0 && (auxVerbs[t.low] || (t.low == "to" && i+1 < s.last && r.toks[i+1].kind == tWord &&
			!r.toks[i+1].cap && !descriptorWords[r.toks[i+1].low])) {
			break
		}
		if t.low == "by" {
			agent = true
			agentCC = r.countryAgent(i+1, s.last)
			words++
			continue
		}
		// "drone attacks on the capital from its bases in Kordofan": where
		// the attackers set out from, not where the attacks fell.
		if r.fromBase(i, s.last) {
			agent = true
			words++
			continue
		}
		// "shelled Foo Village in Bar District": an unknown place
		// acted on, placed by the one around it.
		if o.t.object && r.on("link-unknown-place") && t.kind == tWord && t.cap && !functionCaps[t.low] && !isMonthOrDay(t.low) && r.refStarting(i) < 0 &&
			r.onlyDescriptors(o.last, i) {
			if ref, e := r.aroundUnknown(i, s.last); ref >= 0 {
				add(ref, true, i-o.last)
				i = e - 1
				words++
				continue
			}
		}
		if ref := r.refStarting(i); ref >= 0 {
			// A place with no preposition: what a transitive trigger acted on
			// when it comes right after it ("shelled Kharkiv", "explosions
			// rocked Kyiv", "fighting to hit Tripoli"), else an actor
			// ("clashed with Russia").
			end := r.refs[ref].last
			acted := o.t.object && r.on("link-object") && r.onlyDescriptors(o.last, i)
			if gap := i - o.last; !acted && gap >= 1 && gap <= 5 && r.on("link-hit-verb") {
				k := o.last
				for k < i && (r.toks[k].low == "to" || passiveChain[r.toks[k].low]) {
					k++
				}
				acted = k < i && hitVerbs[r.toks[k].low] && r.onlyDescriptors(k+1, i)
			}
			// "rockets fired from Lebanon hit Kiryat Shmona".
			if !acted && i-o.last <= 6 && hitVerbs[r.toks[i-1].low] && r.on("link-hit-verb") {
				acted = true
			}
			near := r.refs[ref].end < len(r.text) && r.text[r.refs[ref].end] == '-' // "the Nairobi-Mombasa highway"
			if end < s.last && r.toks[end].low == "'s" {
				near = end+1 < s.last && locParts[r.toks[end+1].low]
				acted = acted && near
			}
			if acted && r.usable(ref) && !r.attributive(ref) {
				add(ref, near, i-o.last)
				more, e := r.listAfter(end, s.last, ref)
				for _, rr := range more {
					add(rr, false, i-o.last)
				}
				end = e
			}
			i = end - 1
			words++
			continue
		}
		// "attacked an army base between Damboa and Biu": near the first
		// of two towns; a pair of countries or regions names sides.
		if t.low == "between" && !o.t.only && r.on("link-preposition") {
			if ref := r.refStarting(i + 1); ref >= 0 && r.usable(ref) && !isCountry(r.refs[ref].place) && !isArea(r.refs[ref].place) {
				if e := r.refs[ref].last; e+1 < s.last && r.toks[e].low == "and" {
					if ref2 := r.refStarting(e + 1); ref2 >= 0 && !isCountry(r.refs[ref2].place) && !isArea(r.refs[ref2].place) {
						saw = true
						add(ref, true, i-o.last)
						i = r.refs[ref2].last - 1
						words++
						continue
					}
				}
			}
		}
		if !o.t.only && r.on("link-preposition") && r.isLocPrep(o, i) {
			ref, end, near := r.placeAfter(i+1, s.last)
			if ref >= 0 {
				// A state named as the agent is not "in" a place abroad: "missile
				// strikes by India in Kotli" happened in Kotli.
				abroad := r.on("link-state-agent-abroad") && agentCC != "" && r.refs[ref].place.CountryCode != "" && r.refs[ref].place.CountryCode != agentCC
				if agent && !abroad && t.low == "in" && o.typ != geo.Protests && o.typ != geo.Riots && r.on("veto-agent") {
					// "attacks by militias in Iraq": where the agent is.
					i = end - 1
					continue
				}
				agent = false
				// "..., north of Jowhar", "80 kilometers southeast of Bosaso": a
				// reference point, the event is near it.
				near = near || t.low == "near" || t.low == "outside" || t.low == "around" ||
					(t.low == "of" && i > s.first && directionWords[r.toks[i-1].low]) ||
					(t.low == "from" && i > s.first && distanceUnits[r.toks[i-1].low]) ||
					(r.refs[ref].end < len(r.text) && r.text[r.refs[ref].end] == '-') // "on the Kaduna-Abuja highway"
				saw = saw || (r.refs[ref].bad == "" && !r.attributive(ref))
				// A name the gazetteer reads only as a namesake abroad, with
				// its district and province beside it: the place around it.
				if r.refs[ref].bad == "doubtful" && r.on("link-unknown-place") {
					if rr, e := r.aroundUnknown(r.refs[ref].first, s.last); rr >= 0 {
						saw = true
						add(rr, true, i-o.last)
						i = e - 1
						words++
						continue
					}
				}
				if r.usable(ref) && !r.attributive(ref) {
					add(ref, near, i-o.last)
					more, e := r.listAfter(end, s.last, ref)
					for _, rr := range more {
						add(rr, near, i-o.last)
					}
					end = e
				}
				i = end - 1
				words++
				continue
			}
			if t.low != "of" {
				agent = false
			}
			// "in Kani Township", "off Sabina Shoal": a place the gazetteer
			// does not hold is still the event's place, not a reason to
			// look for another.
			if end < s.last && r.toks[end].kind == tWord && r.toks[end].cap && !agent && !isMonthOrDay(r.toks[end].low) &&
				!functionCaps[r.toks[end].low] && r.refStarting(end) < 0 {
				saw = true
			}
			// "in Shirigari village, Kaduna State", "Foo Village in Bar
			// Township": the place around an unknown one is the
			// best the sentence gives, near it rather than at it.
			if t.low != "of" && t.low != "from" && !agent && r.on("link-unknown-place") {
				j := i + 1
				for j < s.last && j < i+4 && !r.toks[j].cap && (descriptorWords[r.toks[j].low] ||
					(strings.Contains(r.toks[j].low, "-") && r.toks[j].kind == tWord)) {
					j++ // "the high-security Green Zone"
				}
				if j < s.last && r.toks[j].kind == tWord && r.toks[j].cap && !isMonthOrDay(r.toks[j].low) && !functionCaps[r.toks[j].low] {
					// "the Green Zone", told before as "Baghdad's Green Zone".
					if ref, e := r.partNamed(j, s.last); ref >= 0 && r.usable(ref) {
						saw = true
						add(ref, true, i-o.last)
						i = e - 1
						words++
						continue
					}
					if ref, e := r.aroundUnknown(j, s.last); ref >= 0 {
						saw = true
						add(ref, true, i-o.last)
						i = e - 1
						words++
						continue
					}
				}
			}
			// "in the Korabel district": a part of a town the gazetteer does
			// not hold, which the sentence before may have named.
			if k := i + 1; t.low == "in" && k+2 < s.last && r.toks[k].low == "the" && r.toks[k+1].cap &&
				r.toks[k+1].kind == tWord && r.refStarting(k+1) < 0 && partNouns[r.toks[k+2].low] &&
				(k+3 >= s.last || (r.toks[k+3].low != "of" && r.toks[k+3].low != "in")) {
				o.unknownPart = true
			}
		}
		// Articles do not count: "a vehicle belonging to the army's 8th
		// Division near the village of" is one noun phrase's worth of words.
		if t.kind != tPunct && !agent && t.low != "a" && t.low != "an" && t.low != "the" {
			words++
		}
	}
	return out, saw || len(out) > 0
}

// whereClause returns the place a relative "where" before the occurrence
// follows ("the town of Gwoza, where gunmen opened fire"), when the
// occurrence is in that clause; else -1.
func (r *reader) whereClause(s sentence, o *occ) int {
	witnessed := false // "Eldoret, which on Tuesday saw violent clashes"
	for k := o.first - 1; k > s.first && k >= o.first-10; k-- {
		t := r.toks[k]
		switch t.low {
		case "saw", "experienced", "witnessed", "suffered", "endured", "seen":
			witnessed = true
		}
		if isHardBoundary(t) || (clauseStops[t.low] && t.low != "where" && t.low != "which") {
			return -1
		}
		if t.low == "which" && !witnessed {
			return -1
		}
		if t.low != "where" && t.low != "which" {
			continue
		}
		j := k - 1
		if r.toks[j].text == "," {
			j--
		}
		for j > s.first && placeNouns[r.toks[j].low] {
			j-- // "in Gwoza town where"
		}
		if ref := r.refEnding(j); ref >= 0 && r.usable(ref) && !r.attributive(ref) && !isCountry(r.refs[ref].place) {
			return ref
		}
		return -1
	}
	return -1
}

// includingList adds, for each occurrence tied to an area, the places of
// an "including" or "such as" list after it in the sentence that lie in
// that area's country: "violence in the region, affecting towns including
// A, B and C".
func (r *reader) includingList(s sentence, ties []tie, used map[int]bool) []tie {
	n := len(ties)
	for ti := 0; ti < n; ti++ {
		t := ties[ti]
		area := r.refs[t.ref]
		if !isArea(area.place) || area.place.CountryCode == "" {
			continue
		}
		for k := area.last; k < s.last && k < area.last+12; k++ {
			w := r.toks[k].low
			if w == ";" || w == "." || clauseStops[w] {
				break
			}
			if w != "including" && !(w == "such" && k+1 < s.last && r.toks[k+1].low == "as") {
				continue
			}
			if w == "such" {
				k++
			}
			ref, end, _ := r.placeAfter(k+1, s.last)
			if ref < 0 {
				break
			}
			more, _ := r.listAfter(end, s.last, ref)
			for _, rr := range append([]int{ref}, more...) {
				p := r.refs[rr].place
				if used[rr] || !r.usable(rr) || isArea(p) || p.CountryCode != area.place.CountryCode {
					continue
				}
				ties = append(ties, tie{occ: t.occ, ref: rr, how: tieDirect, dist: t.dist + 1})
				used[rr] = true
			}
			break
		}
	}
	return ties
}

// exampleList returns the places a trigger's unnamed plural place gives
// as examples: "air strikes in rebel areas like Sagaing and Chin State",
// "attacks on several towns, including Bama and Dikwa".
func (r *reader) exampleList(s sentence, o *occ) []int {
	k := o.last
	if k >= s.last {
		return nil
	}
	j := k
	switch {
	case locPreps[r.toks[k].low] && r.toks[k].low != "of" && r.toks[k].low != "from":
		j = k + 1
	case !o.t.object:
		return nil
	}
	// Up to four words ending in a plural place noun.
	for ; j < s.last && j <= k+4; j++ {
		w := r.toks[j]
		if w.kind != tWord || w.cap || r.refStarting(j) >= 0 {
			return nil
		}
		if placeNouns[w.low] && strings.HasSuffix(w.low, "s") {
			break
		}
	}
	if j >= s.last || j > k+4 {
		return nil
	}
	j++
	for j < s.last && (r.toks[j].text == "," || isMonthOrDay(r.toks[j].low) || (!r.toks[j].cap && r.toks[j].kind == tWord && j < k+10 &&
		r.toks[j].low != "including" && r.toks[j].low != "like" && r.toks[j].low != "such")) {
		// "areas that are known as strongholds like ...", "towns, including".
		if clauseStops[r.toks[j].low] && r.toks[j].low != "as" {
			return nil
		}
		j++
	}
	switch {
	case j < s.last && (r.toks[j].low == "including" || r.toks[j].low == "like"):
		j++
	case j+1 < s.last && r.toks[j].low == "such" && r.toks[j+1].low == "as":
		j += 2
	default:
		return nil
	}
	ref, end, near := r.placeAfter(j, s.last)
	if ref < 0 || near || !r.usable(ref) {
		return nil
	}
	more, _ := r.listAfter(end, s.last, ref)
	var out []int
	for _, rr := range append([]int{ref}, more...) {
		if r.usable(rr) && !isCountry(r.refs[rr].place) {
			out = append(out, rr)
		}
	}
	return out
}

// partNamed returns the town whose named part starts at token i (an
// earlier "Baghdad's Green Zone" names the Green Zone as Baghdad's), and
// the token after the name; else -1.
func (r *reader) partNamed(i, last int) (int, int) {
	if !r.on("link-unknown-place") {
		return -1, 0
	}
	if r.parts == nil {
		r.parts = map[string]int{}
		for k, m := range r.refs {
			j := m.last + 1
			if m.bad != "" || j >= len(r.toks) || r.toks[m.last].low != "'s" {
				continue
			}
			e := j
			for e < len(r.toks) && e < j+4 && r.toks[e].cap && r.toks[e].kind == tWord && r.refStarting(e) < 0 {
				e++
			}
			if e > j && !functionCaps[r.toks[j].low] {
				r.parts[r.words(j, e)] = k
			}
		}
	}
	for e := min(last, i+4); e > i; e-- {
		if k, ok := r.parts[r.words(i, e)]; ok {
			return k, e
		}
	}
	return -1, 0
}

// words returns the lower-case words of tokens [a, b) joined by spaces.
func (r *reader) words(a, b int) string {
	return strings.Join(lows(r.toks[a:b]), " ")
}

// aroundUnknown reads an unknown place name starting at token i (capitalised
// words, then place nouns) and the place named right after it as its
// container: ", Kaduna State", "in Kanbalu Township", "of Sagaing Region".
// It returns the container's mention and the token after it, or -1. A
// country is too coarse to stand for a town.
func (r *reader) aroundUnknown(i, last int) (int, int) {
	k := i
	for k < last && k < i+5 && r.toks[k].kind == tWord && (r.toks[k].cap || r.toks[k].text == "-") {
		if q := r.refStarting(k); q >= 0 {
			if r.refs[q].bad != "doubtful" {
				break
			}
			k = r.refs[q].last // a namesake abroad is as good as unknown
			continue
		}
		k++
	}
	for k < last && placeNouns[r.toks[k].low] {
		k++
	}
	if k == i || k >= last {
		return -1, 0
	}
	switch r.toks[k].low {
	case ",", "in", "of":
	case "(":
		// "Zigague (Mayo-Sava, Extreme-Nord)": a coder's district and
		// province in brackets; the first the gazetteer holds places it.
		for j := k + 1; j < last && j < k+14 && r.toks[j].text != ")"; j++ {
			if q := r.refStarting(j); q >= 0 {
				if r.usable(q) && !isCountry(r.refs[q].place) {
					e := r.refs[q].last
					for e < last && e < k+14 && r.toks[e].text != ")" {
						e++
					}
					return q, min(e+1, last)
				}
				j = r.refs[q].last - 1
			}
		}
		return -1, 0
	default:
		return -1, 0
	}
	ref, end, _ := r.placeAfter(k+1, last)
	if ref < 0 {
		// "Foo Village in Bar Township of Baz Region": the
		// container may be unknown too; the smallest known one places it.
		j := k + 1
		for j < last && j < k+4 && !r.toks[j].cap && descriptorWords[r.toks[j].low] {
			j++
		}
		if j > i+20 || j >= last || !r.toks[j].cap || r.toks[j].kind != tWord || functionCaps[r.toks[j].low] {
			return -1, 0
		}
		return r.aroundUnknown(j, last)
	}
	if !r.usable(ref) || r.attributive(ref) || isCountry(r.refs[ref].place) {
		return -1, 0
	}
	return ref, end
}

// countryAgent returns the country code of a country named as the agent
// at token i ("by India", "by the United States"), else "".
func (r *reader) countryAgent(i, last int) string {
	if i < last && r.toks[i].low == "the" {
		i++
	}
	if i >= last {
		return ""
	}
	if ref := r.refStarting(i); ref >= 0 && isCountry(r.refs[ref].place) {
		return r.refs[ref].place.CountryCode
	}
	// "by Israeli forces", "by Russian troops": a state's forces.
	if r.demonym != nil && r.toks[i].cap && i+1 < last && forceNouns[r.toks[i+1].low] && r.on("link-state-agent-abroad") {
		if cc, ok := r.demonym(r.toks[i].text); ok {
			return cc
		}
	}
	return ""
}

// forceNouns name a state's armed forces after its demonym ("Israeli
// forces", "Russian troops").
var forceNouns = cues.set("force-nouns")

// hitVerbs say that a trigger noun reached a place: "explosions rocked
// Kyiv", "fighting to hit Tripoli", "clashes engulfed the city of".
var hitVerbs = cues.set("hit-verbs")

// closeParen returns the index of the ")" closing a short bracket opened
// at i, or 0.
func (r *reader) closeParen(i, last int) int {
	for k := i + 1; k < last && k < i+8; k++ {
		switch r.toks[k].text {
		case ")":
			return k
		case "(", ".", ";":
			return 0
		}
	}
	return 0
}

// eventVerbs after a told event's subject say where it happened: "the
// attack was carried out in Kharkiv".
var eventVerbs = cues.set("event-verbs")

// auxVerbs start a new verb phrase.
var auxVerbs = cues.set("aux-verbs")

// commaContinues reports whether the trigger's phrase goes on after the
// comma at i: a list of targets ("attacks on a wedding, a funeral and a
// hospital in Gwoza"), "including", a participle that says where ("talks,
// held in Caracas").
func (r *reader) commaContinues(i, last int, tied bool) bool {
	if i+1 >= last {
		return false
	}
	n := r.toks[i+1].low
	if !tied {
		// "..., approximately 80 kilometers southeast of Bosaso", "..., north
		// of Jowhar", "..., in a joint statement issued in Doha".
		k := i + 1
		for k < last && (r.toks[k].low == "approximately" || r.toks[k].low == "about" || r.toks[k].low == "some" ||
			r.toks[k].low == "roughly" || r.toks[k].low == "nearly" || r.toks[k].low == "around") {
			k++
		}
		if k < last && r.toks[k].kind == tNumber {
			return true
		}
		if k+1 < last && directionWords[r.toks[k].low] && r.toks[k+1].low == "of" {
			return true
		}
		switch n {
		case "in", "at", "near", "outside", "on", "within":
			// "in the Hamrin Mountains, within the borders of Salah al-Din
			// province": a place the gazetteer does not hold, then the
			// province around it.
			return true
		}
	}
	switch n {
	case "including", "notably", "especially", "mainly", "mostly", "particularly", "held", "conducted",
		"carried", "launched", "staged", "mounted", "fought", "signed", "brokered", "hosted", "convened",
		"organised", "organized":
		return true
	case "a", "an":
		// A list of nouns goes on; an appositive about a place ("Sake, a town
		// 25 km west of Goma") does not.
		return i > 0 && r.refEnding(i-1) < 0
	case "such":
		return i+2 < last && r.toks[i+2].low == "as"
	case "the":
		// A list of places goes on ("handed over the airport, the towns of
		// X and Y"): "the", a few words and a place noun with "of".
		for k := i + 2; k+1 < last && k < i+6 && r.on("link-object-list"); k++ {
			if placeNouns[r.toks[k].low] && r.toks[k+1].low == "of" {
				return true
			}
			if r.toks[k].kind != tWord || r.toks[k].cap {
				break
			}
		}
	}
	return false
}

// isLocPrep reports whether token i is a preposition that can give where
// the occurrence's event happened.
func (r *reader) isLocPrep(o *occ, i int) bool {
	w := r.toks[i].low
	// "the battle for Avdiivka", "fighting for control of Sudzha": what is
	// fought over is where the fighting is.
	if w == "for" && i == o.last && o.typ == geo.Battles && contestTriggers[r.toks[o.last-1].low] {
		return true
	}
	if !locPreps[w] || r.notLocHead(i) {
		return false
	}
	switch w {
	case "of":
		return o.t.of || (i > 0 && (placeNouns[r.toks[i-1].low] || directionWords[r.toks[i-1].low] || facilityNouns[r.toks[i-1].low]))
	case "from":
		// "a village 20 km from Maiduguri": a distance from a town.
		return o.t.from || (i > 0 && distanceUnits[r.toks[i-1].low])
	case "on", "upon", "onto":
		return o.t.violent() || o.typ == "Protests" || o.typ == "Riots"
	}
	return true
}

// facilityNouns are buildings and sites whose "of" names the place
// holding them: "the town hall of X".
var facilityNouns = cues.set("facility-nouns")

// crowdNouns name a crowd, whose relative clause may place it.
var crowdNouns = cues.set("crowd-nouns")

// beVerbs make a passive of the participle after them.
var beVerbs = cues.set("be-verbs")

// contestTriggers are battle words whose "for" names the place fought over.
var contestTriggers = cues.set("contest-triggers")

// notLocHead reports whether the preposition at i follows a word that
// makes it say where someone is, not where something happened ("based
// in", "stationed in"), or that is a phrasal verb ("rein in").
func (r *reader) notLocHead(i int) bool {
	if i == 0 {
		return false
	}
	p := r.toks[i-1].low
	return notLocPrepHeads[p] || p == "rein" || p == "reined" || p == "reining"
}

// agentBefore reports whether a "by" stands between a and the preposition
// at k with no other preposition between: "attacks by militias in Iraq".
func (r *reader) agentBefore(a, k int) bool {
	for j := k - 1; j >= a && j >= k-6; j-- {
		w := r.toks[j].low
		if w == "by" || r.fromBase(j, k) {
			return true
		}
		if locPreps[w] || w == "with" || w == "against" {
			return false
		}
	}
	return false
}

// onlyDescriptors reports whether tokens [a, b) are only words of a place
// description ("the town of", "the outskirts of").
func (r *reader) onlyDescriptors(a, b int) bool {
	if b-a > 6 {
		return false
	}
	for k := a; k < b; k++ {
		w := r.toks[k].low
		if !descriptorWords[w] && !placeNouns[w] && !(r.toks[k].cap && r.toks[k].kind == tWord) {
			return false
		}
	}
	return true
}

// placeAfter reads a place after a preposition: optional descriptors
// ("the southern Lebanese city of", "the outskirts of", "25 km west of",
// "Ethiopia's"), then a mention. It returns the mention, the token after
// the phrase, and whether the phrase puts the event near the place rather
// than in it; ref is -1 when no place follows.
func (r *reader) placeAfter(i, last int) (ref, end int, near bool) {
	start := i
	for i < last && i-start < 10 {
		if k := r.refStarting(i); k >= 0 {
			m := &r.refs[k]
			// "Ethiopia's Amhara region", "Kharkiv's outskirts".
			if m.last < last && r.toks[m.last].low == "'s" {
				j := m.last + 1
				// "Ukraine's northern region of Sumy", "Syria's province of
				// Idlib": the place named after "of" is the place.
				for x := j; x < last && x < j+4; x++ {
					w := r.toks[x].low
					if w == "of" {
						if k2 := r.refStarting(x + 1); k2 >= 0 && x > j && placeNouns[r.toks[x-1].low] {
							return k2, r.refs[k2].last, near
						}
						break
					}
					if !locParts[w] && !descriptorWords[w] && !placeNouns[w] {
						break
					}
				}
				// "Ukraine's western Khmelnytskyi region": the region named
				// after the side is the place.
				if j+1 < last && locParts[r.toks[j].low] && r.refStarting(j+1) < 0 {
					return k, j + 1, true
				}
				// "Amhara's towns": places of the region, the region the best
				// the sentence gives.
				if j < last && !r.toks[j].cap && placeNouns[r.toks[j].low] && strings.HasSuffix(r.toks[j].low, "s") &&
					(j+1 >= last || r.refStarting(j+1) < 0) && r.on("link-unknown-place") {
					return k, j + 1, false
				}
				// "Baghdad's Green Zone": a named part of the town the gazetteer
				// does not hold is somewhere in the town.
				if j < last && r.toks[j].cap && r.toks[j].kind == tWord && r.refStarting(j) < 0 && !functionCaps[r.toks[j].low] &&
					!isMonthOrDay(r.toks[j].low) && r.on("link-unknown-place") {
					e := j
					for e < last && e < j+4 && r.toks[e].cap && r.toks[e].kind == tWord && r.refStarting(e) < 0 {
						e++
					}
					return k, e, true
				}
				start, i = j, j
				continue
			}
			// "the West Bank city of Jericho", "the Donetsk region town of X".
			if j := m.last; j+2 < last && placeNouns[r.toks[j].low] && r.toks[j+1].low == "of" {
				// "the Delmas district of Port-au-Prince": the district is
				// the place, the city only says where it is.
				if k2 := r.refStarting(j + 2); k2 >= 0 && subdivisionNouns[r.toks[j].low] && !isArea(m.place) {
					return k, r.refs[k2].last, near
				}
				if k2 := r.refStarting(j + 2); k2 >= 0 {
					return k2, r.refs[k2].last, near
				}
			}
			return k, m.last, near
		}
		t := r.toks[i]
		switch {
		case t.low == "between" && i > start && roadWords[r.toks[i-1].low]:
			// "on the road between Damboa and Biu": near the first town; the
			// second only says which road.
			k := r.refStarting(i + 1)
			if k < 0 {
				return -1, i, false
			}
			end := r.refs[k].last
			if end+1 < last && r.toks[end].low == "and" {
				if k2 := r.refStarting(end + 1); k2 >= 0 {
					end = r.refs[k2].last
				}
			}
			return k, end, true
		case roadWords[t.low] && i > start:
		case t.low == "to" && i > start && roadWords[r.toks[i-1].low]:
			// "on the road to Gamboru": on the way to the town, near it.
			near = true
		case descriptorWords[t.low] || placeNouns[t.low]:
			if directionWords[t.low] && i+1 < last && r.toks[i+1].low == "of" {
				near = true
			}
		case t.kind == tNumber && i+1 < last && (r.toks[i+1].low == "km" || r.toks[i+1].low == "kilometres" ||
			r.toks[i+1].low == "kilometers" || r.toks[i+1].low == "miles" || r.toks[i+1].low == "mi"):
			near = true
			i++
		case t.text == "," && i > start && (r.toks[i-1].low == "capital" || r.toks[i-1].low == "city"):
		case (t.text == "," || t.low == "and") && i > start && descriptorWords[r.toks[i-1].low] && i+1 < last &&
			(descriptorWords[r.toks[i+1].low] || r.toks[i+1].low == "and"):
			// "the northern and eastern parts of", "the north, east and west of": coordinated sides.
		case t.kind == tWord && !t.cap && (strings.HasSuffix(t.low, "-held") || strings.HasSuffix(t.low, "-controlled")):
			// "military-held areas", "rebel-controlled towns".
		case t.kind == tWord && t.cap && i+1 < last && (placeNouns[r.toks[i+1].low] || descriptorWords[r.toks[i+1].low]):
			// A demonym before a place noun: "the Russian town of".
		default:
			return -1, i, false
		}
		i++
	}
	return -1, i, false
}

// roadWords name a way between two places.
var roadWords = cues.set("road-words")

// listAfter returns the places coordinated with the place ending at token
// end ("in Tehran and Baghdad", "in Caracas, Havana and Mexico City"), and
// the token after the list. A place that only says where the first one is
// ("near Gao in northern Mali", "in Saravena, in the province of Arauca")
// is skipped; a reference point ("Sinjil, north of Ramallah") ends the list.
func (r *reader) listAfter(end, last, first int) ([]int, int) {
	var out []int
	prev := first
	i := end
	for i < last {
		w := r.toks[i].low
		j := i
		switch {
		case w == "," && i+1 < last && (r.toks[i+1].low == "and" || r.toks[i+1].low == "or"):
			j = i + 2
		case w == "," || w == "and" || w == "or":
			j = i + 1
		case w == "as" && i+2 < last && r.toks[i+1].low == "well" && r.toks[i+2].low == "as":
			j = i + 3 // "in Donetsk as well as in Sumy"
		case w == "in" || w == "of":
			// A container: "Gao in northern Mali", "Kiryat Shmona in northern
			// Israel", "Baalbek in the Bekaa Valley", "Dahiyeh in Beirut".
			ref, e, _ := r.placeAfter(i+1, last)
			if ref >= 0 && (r.holds(ref, prev) || r.describes(ref, prev) || r.besides(ref, prev)) {
				i = e
				continue
			}
			return out, i
		default:
			return out, i
		}
		if j < last && r.toks[j].low == "in" {
			ref, e, _ := r.placeAfter(j+1, last)
			if ref >= 0 && r.holds(ref, prev) {
				i = e
				continue
			}
		}
		// An elided head: "two villages in Donetsk and one in Sumy", "as
		// well as another near Kupiansk".
		elided := false
		if k := j; k+1 < last && (r.toks[k].kind == tNumber || ellipsisHeads[r.toks[k].low]) {
			if r.toks[k+1].low == "more" && k+2 < last {
				k++
			}
			if p := r.toks[k+1].low; p == "in" || p == "near" {
				j, elided = k+2, true
			}
		}
		ref, e, near := r.placeAfter(j, last)
		if ref < 0 || near || !r.usable(ref) || r.attributive(ref) {
			return out, i
		}
		if (!elided && r.holds(ref, prev)) || (w == "," && j == i+1 && r.seat(ref) && r.besides(ref, prev) && !r.listGoesOn(e, last)) {
			i = e // "Damascus, Syria", "Cite Soleil, Port-au-Prince"
			continue
		}
		out = append(out, ref)
		prev = ref
		i = e
	}
	return out, i
}

// nationwide reports whether a trigger is said to cover the whole
// country: "nationwide protests", "a strike across the country".
func (r *reader) nationwide(s sentence, o *occ) bool {
	for k := max(s.first, o.first-2); k < o.first; k++ {
		switch r.toks[k].low {
		case "nationwide", "countrywide", "nation-wide", "country-wide":
			return true
		}
	}
	for k := o.last; k < s.last && k < o.last+3; k++ {
		switch r.toks[k].low {
		case "nationwide", "countrywide":
			return true
		case "across", "throughout":
			return k+2 < s.last && r.toks[k+1].low == "the" && (r.toks[k+2].low == "country" || r.toks[k+2].low == "nation")
		}
	}
	return false
}

// mainCountry returns the first mention of the country most of the
// article's confident mentions are in, or -1 when the article does not
// name that country.
func (r *reader) mainCountry() int {
	if !r.main.done {
		r.main.ref, r.main.done = r.findMainCountry(), true
	}
	return r.main.ref
}

func (r *reader) findMainCountry() int {
	count := map[string]int{}
	best := ""
	for _, m := range r.refs {
		if m.bad != "" || m.conf < 0.8 || m.place.CountryCode == "" {
			continue
		}
		cc := m.place.CountryCode
		count[cc]++
		if best == "" || count[cc] > count[best] {
			best = cc
		}
	}
	for i, m := range r.refs {
		if isCountry(m.place) && m.place.CountryCode == best && m.bad != "dateline" {
			return i
		}
	}
	return -1
}

// distanceUnits measure how far an event was from a town.
var distanceUnits = cues.set("distance-units")

// subdivisionNouns name a part of a town: "the Delmas district of
// Port-au-Prince", "the Solino neighbourhood of".
var subdivisionNouns = cues.set("subdivision-nouns")

// besides reports whether mention q, a town, lies within a few kilometres
// of mention p in the same country: a city named after one of its
// districts or suburbs says where the district is.
func (r *reader) besides(q, p int) bool {
	a, b := r.refs[q].place, r.refs[p].place
	if isArea(a) || isArea(b) || a.CountryCode == "" || a.CountryCode != b.CountryCode || placeKey(a) == placeKey(b) {
		return false
	}
	return orbgeo.Distance(a.Point, b.Point) < 15_000
}

// seat reports whether mention q is a capital or an administrative seat,
// what a district is placed by ("Cite Soleil, Port-au-Prince").
func (r *reader) seat(q int) bool {
	fc := r.refs[q].place.FeatureCode
	return fc == "PPLC" || fc == "PPLA" || fc == "PPLA2"
}

// listGoesOn reports whether a list of places goes on after token i: a
// comma, "and" or "or", then another place.
func (r *reader) listGoesOn(i, last int) bool {
	for i < last && (r.toks[i].text == "," || r.toks[i].low == "and" || r.toks[i].low == "or") {
		i++
	}
	return i < last && r.refStarting(i) >= 0
}

// describes reports whether a region named right after a place ("X in
// the Y Valley") is that place's region: larger than a town, in the same
// country, even when the gazetteer's extent does not show it.
func (r *reader) describes(q, p int) bool {
	a, b := r.refs[q].place, r.refs[p].place
	return isArea(a) && !isArea(b) && (a.CountryCode == b.CountryCode || a.CountryCode == "")
}

// usable reports whether a mention may be a location at all.
func (r *reader) usable(ref int) bool {
	m := &r.refs[ref]
	return m.bad == "" && !tooVague(m.place)
}

// tooVague reports a region too large to be where an event happened: "the
// Middle East", "Africa", "the Sahel". Countries and seas are fine.
func tooVague(p geo.Place) bool {
	if isCountry(p) || p.Bound == nil {
		return false
	}
	switch p.FeatureCode {
	case "SEA", "OCN", "GULF", "STRT", "BAY", "CHN":
		return false
	}
	return p.FeatureCode == "CONT" || boundArea(*p.Bound) > 150
}

// attributive reports whether a mention modifies the noun after it rather
// than naming where something is: "US troops", "the U.S. and French
// embassies", "Iran nuclear talks".
func (r *reader) attributive(ref int) bool {
	if !r.on("veto-name") {
		return false
	}
	m := &r.refs[ref]
	j := m.last
	if j >= len(r.toks) {
		return false
	}
	n := r.toks[j]
	// "the U.S. and French embassies".
	if n.low == "and" && j+2 < len(r.toks) && r.toks[j+1].cap && r.refStarting(j+1) < 0 {
		nn := r.toks[j+2]
		if nn.kind == tWord && !nn.cap && !followOK[nn.low] && !strings2(nn.low) {
			return true
		}
	}
	if n.kind == tWord && !n.cap && n.nl == 0 {
		if followOK[n.low] || placeNouns[n.low] || facilityHeads[n.low] || strings2(n.low) || n.low == "'s" {
			return false
		}
		if !isCountry(m.place) && !institutionNouns[n.low] {
			return false // "the Red Sea force carriers ...": a verb, not a modifier
		}
		// "Hezbollah in Lebanon exchanges fire": the verb, not a noun.
		if t, _ := r.lx.match(r.toks, j, len(r.toks)); t != nil && !isCountry(m.place) {
			return false
		}
		if t, _ := r.lx.match(r.toks, j, len(r.toks)); t != nil && strings.HasSuffix(n.low, "s") && !t.war {
			return false
		}
		return true
	}
	return false
}

// institutionNouns after a place make the place a modifier whatever the
// place: "Kyiv government", "Gaza health ministry", "Tehran regime".
var institutionNouns = cues.set("institution-nouns")

// strings2 reports words that end a phrase even though they are neither
// in followOK nor nouns: verb forms ("continued", "killing").
func strings2(w string) bool {
	return len(w) > 4 && (w[len(w)-3:] == "ing" || w[len(w)-2:] == "ed")
}

// before1 ties a place that stands right before the trigger: a town as the
// trigger's modifier ("the Jenin raid", "the Gwoza bombings") or a passive
// ("Odesa was shelled", "Sake came under attack").
func (r *reader) before1(s sentence, o *occ) int {
	k := o.first - 1
	if k < s.first {
		return -1
	}
	// Passive: PLACE was/were/has been/had been TRIGGER; PLACE came under.
	// "under RSF siege", "under Russian attack": who besieges or attacks
	// may stand between "under" and the trigger.
	if k-1 >= s.first && r.toks[k-1].low == "under" && r.toks[k].cap && r.refStarting(k) < 0 {
		k--
	}
	j := k
	for j >= s.first && j > k-4 {
		w := r.toks[j].low
		if passiveChain[w] {
			j--
			continue
		}
		break
	}
	if j < k && j >= s.first {
		be := false
		for _, t := range r.toks[j+1 : k+1] {
			switch t.low {
			case "was", "were", "been", "being", "is", "are", "under":
				be = true
			}
		}
		participle := strings2(r.toks[o.first].low) || r.toks[k].low == "under" || irregularParticiples[r.toks[o.first].low]
		if be && participle {
			if ref := r.refEnding(j); ref >= 0 && r.usable(ref) {
				return ref
			}
			if r.toks[j].text == "," {
				// Skip an aside back to the subject before it.
				c := j - 1
				for c > s.first && r.toks[c].text != "," && !isHardBoundary(r.toks[c]) && j-c < 8 {
					c--
				}
				if c > s.first && r.toks[c].text == "," {
					if ref := r.refEnding(c - 1); ref >= 0 && r.usable(ref) {
						return ref
					}
					// "The Sumy region, across the border, ..."
					if placeNouns[r.toks[c-1].low] {
						if ref := r.refEnding(c - 2); ref >= 0 && r.usable(ref) {
							return ref
						}
					}
				}
			}
			// "A second prison in Croix-des-Bouquets, on the capital's
			// outskirts, was also overrun": where the subject is.
			if ref := r.subjectPlace(s, j); ref >= 0 {
				return ref
			}
		}
	}
	// Modifier: a town or region (not a country: "US strikes" names who
	// struck) right before a noun trigger; a country only before "war".
	if ref := r.refEnding(k); ref >= 0 && r.usable(ref) && r.toks[k].end+1 == r.toks[o.first].start {
		p := r.refs[ref].place
		if (!isCountry(p) || o.t.war) && !strings2(r.toks[o.first].low) && r.toks[o.first].low != "killed" {
			return ref
		}
	}
	return -1
}

// peopleOfNouns name people by where they live or gather: "residents of
// X", "the youths of X".
var peopleOfNouns = cues.set("people-of-nouns")

// peopleOfStops end a verb phrase between such a subject and its trigger:
// a word of another phrase ("to", "by") or clause ("and").
var peopleOfStops = cues.set("people-of-stops")

// peopleOf returns the place of a trigger's subject "PEOPLE of PLACE"
// ("residents of Jos protested", "villagers of X (district, province)
// staged a march"): people named by their place acted there. Between the
// place and the trigger may stand the place's own district and province,
// and a short verb phrase the trigger is the object of; -1 when the
// subject is not such a phrase.
func (r *reader) peopleOf(s sentence, o *occ) int {
	words := 0
	for k := o.first - 1; k >= s.first && o.first-k <= 16; {
		t := r.toks[k]
		if ref := r.refEnding(k); ref >= 0 {
			m := r.refs[ref]
			if m.first-2 >= s.first && r.toks[m.first-1].low == "of" && peopleOfNouns[r.toks[m.first-2].low] {
				if r.usable(ref) {
					return ref
				}
				return -1
			}
			k = m.first - 1
			continue
		}
		switch {
		case t.text == "(" || t.text == ")" || t.text == ",":
		case t.kind == tWord && !t.cap && words < 4 && !locPreps[t.low] && !clauseStops[t.low] && !peopleOfStops[t.low]:
			words++
		default:
			return -1
		}
		k--
	}
	return -1
}

// passiveList returns the places listed before ref when ref is the last of
// a passive's subjects: "Khartoum and Omdurman were retaken", "Kadugli,
// Dilling and Babanusa were shelled".
func (r *reader) passiveList(s sentence, ref int) []int {
	m := r.refs[ref]
	if m.last >= s.last || !passiveChain[r.toks[m.last].low] {
		return nil
	}
	var out []int
	for k := m.first - 1; k > s.first && (r.toks[k].low == "and" || r.toks[k].text == ","); {
		j := k - 1
		if r.toks[k].low == "and" && r.toks[j].text == "," {
			j-- // "Kadugli, Dilling, and Babanusa"
		}
		p := r.refEnding(j)
		if p < 0 || !r.usable(p) || r.attributive(p) || isCountry(r.refs[p].place) != isCountry(m.place) {
			break
		}
		out = append([]int{p}, out...)
		k = r.refs[p].first - 1
	}
	return out
}

// passiveChain are the words between a subject and a passive participle.
var passiveChain = cues.set("passive-chain")

// irregularParticiples are participles that do not end in -ed.
var irregularParticiples = cues.set("irregular-participles")

// subjectPlace returns the place a subject ending at token j puts itself
// "in" ("a second prison in Croix-des-Bouquets"), looking back through
// commas to the start of the clause.
func (r *reader) subjectPlace(s sentence, j int) int {
	for k := j; k >= s.first && k > j-14; k-- {
		t := r.toks[k]
		if isHardBoundary(t) || clauseStops[t.low] {
			return -1
		}
		if (t.low == "in" || t.low == "at") && !r.notLocHead(k) {
			if ref, _, _ := r.placeAfter(k+1, j+1); ref >= 0 && r.usable(ref) && !r.attributive(ref) {
				return ref
			}
		}
	}
	return -1
}

// refEnding returns the mention whose last token is k, or -1.
func (r *reader) refEnding(k int) int {
	for i := k; i >= 0 && i > k-6; i-- {
		if ref := r.refStarting(i); ref >= 0 {
			if r.refs[ref].last == k+1 {
				return ref
			}
			return -1
		}
	}
	return -1
}

// fronted reads a sentence that opens with where it happened: "In
// Baghdad, ...", "In neighboring Burkina Faso, ...", "On Sunday, in
// Omdurman, ...". It returns the place and the token after its comma.
func (r *reader) fronted(s sentence) (int, int) {
	i := s.first
	// Skip an opening date: "On Sunday,", "Earlier this month,".
	for k := i; k < s.last && k < i+5; k++ {
		if r.toks[k].text == "," {
			if exprs := r.dates.scan(i, k); len(exprs) > 0 {
				i = k + 1
			}
			break
		}
	}
	// Skip a linking adverb: "Meanwhile, in Darfur, ...".
	if i+2 < s.last && linkingAdverbs[r.toks[i].low] && r.toks[i+1].text == "," {
		i += 2
	}
	if i >= s.last {
		return -1, 0
	}
	switch r.toks[i].low {
	case "in", "at", "near", "across", "inside", "outside", "throughout", "around", "along":
	default:
		return -1, 0
	}
	ref, end, _ := r.placeAfter(i+1, s.last)
	if ref < 0 || !r.usable(ref) {
		return -1, 0
	}
	// Allow a trailing place noun ("In western Rakhine state,").
	for end < s.last && placeNouns[r.toks[end].low] {
		end++
	}
	// And the place's district and province in brackets: "On 3 May, in
	// Culiacan (Culiacan, Sinaloa), gunmen ...".
	if end < s.last && r.toks[end].text == "(" {
		if e := r.closeParen(end, s.last); e > 0 {
			end = e + 1
		}
	}
	if end >= s.last || r.toks[end].text != "," {
		return -1, 0
	}
	return ref, end + 1
}

// undergoVerbs are the verbs whose subject undergoes what their object
// names ("has seen clashes", "a long history of raids").
var undergoVerbs = cues.set("undergo-verbs")

// undergoer returns a town that opens sentence s as its subject, with a
// verb of undergoing right after it or after an aside set off by commas
// ("X, the capital of Y, has endured ..."), and the first token after
// that verb; -1 if the sentence is not so built. The subject must be a
// town the gazetteer holds, not a country or region, which stand for
// their governments as often as for their land.
func (r *reader) undergoer(s sentence) (int, int) {
	ref := r.refStarting(s.first)
	if ref < 0 || !r.usable(ref) || isArea(r.refs[ref].place) || isCountry(r.refs[ref].place) {
		return -1, 0
	}
	k := r.refs[ref].last
	if k < s.last && r.toks[k].text == "," {
		// An aside after the subject runs to its closing comma.
		k++
		for n := 0; k < s.last && r.toks[k].text != "," && n < 15; n++ {
			if isHardBoundary(r.toks[k]) {
				return -1, 0
			}
			k++
		}
		if k >= s.last || r.toks[k].text != "," {
			return -1, 0
		}
		k++
	}
	// An auxiliary and a determiner may stand before the verb ("has seen",
	// "a long history of").
	for n := 0; k < s.last && n < 3; n, k = n+1, k+1 {
		w := r.toks[k].low
		if undergoVerbs[w] {
			return ref, k + 1
		}
		if w != "has" && w != "have" && w != "had" && w != "a" && w != "long" && w != "also" {
			return -1, 0
		}
	}
	return -1, 0
}

// fallsBack reports whether an untied occurrence may take the places its
// clause puts it in: violence, protests, riots, arrests and looting
// happen where their actors are ("security forces in Juba detained two
// ministers"); talks and agreements need a place of their own.
func fallsBack(o *occ) bool {
	if o.t.violent() || o.typ == geo.Protests || o.typ == geo.Riots {
		return true
	}
	switch o.sub {
	case subArrests, subLooting, subDisrupted:
		return true
	}
	return false
}

// inAside reports whether token k lies in a relative clause or an aside
// set off by commas that the occurrence is not part of: "The Houthis, who
// say they act for Palestinians in Gaza, have attacked ships".
func (r *reader) inAside(s sentence, k int, o *occ) bool {
	a, b := k, k
	for a > s.first && r.toks[a-1].text != "," && !isHardBoundary(r.toks[a-1]) {
		a--
	}
	for b < s.last && r.toks[b].text != "," && !isHardBoundary(r.toks[b]) {
		b++
	}
	if o.first >= a && o.last <= b {
		return false
	}
	switch r.toks[a].low {
	case "who", "which", "whose", "whom", "where", "including", "like", "unlike", "despite", "although", "though":
		return true
	}
	return false
}

// clauseComma reports a comma that joins two clauses: ", and", ", but",
// ", while".
func (r *reader) clauseComma(k int) bool {
	if r.toks[k].text != "," || k+1 >= len(r.toks) {
		return false
	}
	switch r.toks[k+1].low {
	case "and", "but", "while", "whereas", "yet", "so":
		return true
	}
	return false
}

// segmentStops end the stretch of a sentence whose places an untied
// trigger may take: what follows them is another's speech or a relative
// clause about something else.
var segmentStops = cues.set("segment-stops")

// segment returns the stretch of the sentence around the occurrence up to
// clause punctuation or a word that starts someone's speech or a relative
// clause.
func (r *reader) segment(s sentence, o *occ) (int, int) {
	// Inside an apposition ("Soleimani, the general killed by a US drone
	// strike in 2020, kept militias in Iraq on a leash"), only its own words.
	ca, cb := o.first, o.last
	for ca > s.first && r.toks[ca-1].text != "," && !isHardBoundary(r.toks[ca-1]) {
		ca--
	}
	for cb < s.last && r.toks[cb].text != "," && !isHardBoundary(r.toks[cb]) {
		cb++
	}
	if ca >= s.first+2 && r.toks[ca-1].text == "," && r.toks[ca-2].cap && r.toks[ca-2].kind == tWord &&
		(r.toks[ca].low == "the" || r.toks[ca].low == "a" || r.toks[ca].low == "an") && !r.openingPhrase(s, ca-1) {
		return ca, cb
	}
	a := o.first
	for a > s.first && !segmentStops[r.toks[a-1].low] && !r.clauseComma(a-1) {
		if isHardBoundary(r.toks[a-1]) {
			// "gathered in X (district, province) to protest": the
			// brackets of a place's district and province end no clause.
			open := r.adminBracketBefore(s, a-1)
			if open < 0 {
				break
			}
			a = open
		}
		a--
	}
	b := o.last
	for b < s.last && !r.clauseComma(b) {
		if isHardBoundary(r.toks[b]) {
			e := r.adminBracketAt(s, b)
			if e < 0 {
				break
			}
			b = e + 1
			continue
		}
		// "protesters who had gathered in Nairobi": a crowd's relative
		// clause says where the crowd is.
		if segmentStops[r.toks[b].low] && !(r.toks[b].low == "who" && b > o.last && crowdNouns[r.toks[b-1].low]) {
			break
		}
		b++
	}
	return a, b
}

// adminBracketAt returns the closing bracket of a bracket opened at token
// k right after a place ("X (district, province)"), -1 when k opens none.
func (r *reader) adminBracketAt(s sentence, k int) int {
	if !r.on("link-named-district") || r.toks[k].text != "(" || k == s.first || r.refEnding(k-1) < 0 {
		return -1
	}
	if e := r.closeParen(k, s.last); e > 0 {
		return e
	}
	return -1
}

// adminBracketBefore returns the opening bracket of such a bracket closed
// at token k, -1 when k closes none.
func (r *reader) adminBracketBefore(s sentence, k int) int {
	if r.toks[k].text != ")" {
		return -1
	}
	for open := k - 1; open > s.first && k-open < 8; open-- {
		if r.toks[open].text == "(" {
			if r.adminBracketAt(s, open) == k {
				return open
			}
			return -1
		}
	}
	return -1
}

// fromBase reports "from its bases", "from their positions" at token i
// (before last): where attackers set out from, not where they struck.
func (r *reader) fromBase(i, last int) bool {
	if r.toks[i].low != "from" || i+2 >= last || (r.toks[i+1].low != "its" && r.toks[i+1].low != "their") {
		return false
	}
	switch r.toks[i+2].low {
	case "base", "bases", "positions", "strongholds", "territory":
		return true
	}
	return false
}

// ellipsisHeads stand for the noun of the list item before them: "two
// villages in Donetsk and one in Sumy".
var ellipsisHeads = cues.set("ellipsis-heads")

// linkingAdverbs open a sentence before its scene: "Meanwhile, in Darfur, ...".
var linkingAdverbs = cues.set("linking-adverbs")

// frontedOpeners are the prepositions that open a sentence's scene-setting
// phrase ("During a service in Marawi, a bomb ...").
var frontedOpeners = cues.set("fronted-openers")

// openingPhrase reports whether the comma at k closes the phrase a sentence
// opens with ("During a service at a school in Marawi, a bomb went off"):
// what follows it is the main clause, not an apposition to the name before
// the comma.
func (r *reader) openingPhrase(s sentence, k int) bool {
	if !frontedOpeners[r.toks[s.first].low] {
		return false
	}
	for j := s.first + 1; j < k; j++ {
		if r.toks[j].text == "," && !(j+1 < k && r.toks[j+1].cap) {
			return false // an earlier clause comma; ", Philippines," is an address
		}
	}
	return true
}

// distanceRef reports whether the mention ref is the landmark of a
// distance ("80 kilometres north of Bosaso", "40 km from Goma"): it says
// how far the place the text is about lies, and is not that place.
func (r *reader) distanceRef(ref int) bool {
	k := r.refs[ref].first
	if k > 0 && r.toks[k-1].low == "the" {
		k--
	}
	if k < 2 {
		return false
	}
	switch p := r.toks[k-1].low; {
	case p == "from":
		return distanceUnits[r.toks[k-2].low]
	case p == "of" && directionWords[r.toks[k-2].low]:
		// "north of X" alone may be the event's side of a town; with a
		// distance before it, it is a landmark.
		return k >= 3 && distanceUnits[r.toks[k-3].low]
	}
	return false
}

// Words of a movement toward a place ("heading to", "on their way to") and
// of the clause that interrupts it ("when", "while").
var (
	motionVerbs = cues.set("motion-verbs")
	motionTos   = cues.set("motion-tos")
	interrupts  = cues.set("interrupt-words")
)

// enRoute returns the town that people of the sentence were moving
// toward when trigger o stopped them ("were heading to X when they were
// ambushed", "were attacked while on their way to X"), or -1. A movement
// told from one town to another ("travelling from X to Y") says only that
// the event was somewhere between them.
func (r *reader) enRoute(s sentence, o *occ) int {
	start := sort.Search(len(r.refs), func(i int) bool { return r.refs[i].first >= s.first })
	for i := start; i < len(r.refs) && r.refs[i].first < s.last; i++ {
		m := &r.refs[i]
		k := m.first - 1
		if k-1 < s.first || !motionTos[r.toks[k].low] || !motionVerbs[r.toks[k-1].low] || !r.usable(i) || isArea(m.place) || isCountry(m.place) {
			continue
		}
		for j := max(s.first, k-8); j < k; j++ {
			if r.toks[j].low == "from" {
				return -1
			}
		}
		var a, b int
		switch {
		case o.first >= m.last && o.first-m.last <= 6:
			a, b = m.last, o.first // "heading to X when they were intercepted"
		case o.last <= k-1 && k-1-o.last <= 6:
			a, b = o.last, k-1 // "ambushed while on their way to X"
		default:
			continue
		}
		for j := a; j < b; j++ {
			if interrupts[r.toks[j].low] {
				return i
			}
		}
	}
	return -1
}
