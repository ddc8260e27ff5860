package extract

import (
	"github.com/paulmach/orb"
	"sort"
	"strings"
	"time"

	"conflictmap/geo"
)

// reader holds one article while its events are read.
type reader struct {
	off  map[string]bool // rules switched off
	lx   *lexicon
	text string
	toks []tok
	refs []placeRef
	// refAt maps the first token of a mention to its index in refs, -1 for
	// other tokens; a slice, as it is read at every token.
	refAt []int
	dates dateScanner
	// lastDate is the latest day read from a date expression of an earlier
	// sentence, what "hours later" and "days after" are counted from.
	lastDate time.Time
	// context is the latest recent date (a day or a week, not after
	// publication) of an earlier sentence: a sentence without date words
	// that goes on telling the same news is dated by it.
	context dateRange
	sents   []sentence
	// parts maps the named parts of towns ("green zone") to the town's
	// mention, read once from "Baghdad's Green Zone".
	parts map[string]int
	// main caches the mention of the article's main country.
	main struct {
		ref  int
		done bool
	}
	// weapon is the last explosive event told (its type, sub-type and
	// sentence): what "the attack" in the sentences after it was.
	weapon struct {
		sub  string
		sent int
		ok   bool
	}
	// lastEvent is the place of the last event read and its sentence: where
	// a next sentence that names no place goes on telling the news.
	lastEvent struct {
		ref, sent int
		ok        bool
	}
	// quoteOpen: a quotation opened in an earlier sentence is not closed
	// yet, so the sentences read now are someone's words.
	quoteOpen bool
	// lastCands are the events of the last sentence that told some.
	lastCands struct {
		sent int
		s    sentence
		out  []candidate
	}
	// unplaced is the sentence before, when its triggers found no place:
	// a summing-up noun of the next sentence ("The violence spread to X")
	// may give them one.
	unplaced struct {
		sent  int
		quote string
		occs  []occ
	}
	// countryOf gives a country's extent, what tells neighbours apart from
	// countries far away; nil when the gazetteer has none.
	countryOf func(cc string) (geo.Place, bool)
	// demonym gives the country of a nationality word ("Israeli"); nil
	// when the gazetteer has none.
	demonym func(word string) (string, bool)
}

// occ is one occurrence of a trigger in a sentence.
type occ struct {
	t           *trigger
	first, last int
	typ, sub    string
	negated     bool
	definite    bool // "the attack", "these strikes": told before
	// another: the text marks the event as one more ("another bomber
	// detonated", "a second blast"), not the one told before.
	another    bool
	modality   string
	date       dateRange
	fatalities *int
	actor1     string
	actor2     string
	// civilianDead: the type is an attack on civilians only because the
	// dead it counts are civilians; a weapon named may still make it a
	// strike.
	civilianDead bool
	// unknownPart: the trigger is in "the X district" of a town the
	// sentence does not name, and that the gazetteer does not hold.
	unknownPart bool
}

// tieHow says how a trigger was tied to a place, strongest first.
type tieHow uint8

const (
	tieDirect   tieHow = iota // "strike in Jordan", "shelled Kharkiv", "the Jenin raid"
	tieFronted                // "In Baghdad, General Ghaani held a meeting"
	tieFallback               // a violent trigger with no tie of its own, and a place "in" its clause
	tieAnaphor                // "shelled the city", "attacked them": the places of the sentence before
	tieCarried                // a sentence naming no place goes on telling the event place before it
)

// tie links a trigger occurrence to a place mention.
type tie struct {
	occ, ref int
	how      tieHow
	near     bool // "near", "outskirts of", "west of": near the place, not in it
	dist     int
}

// candidate is an event read from one sentence at one place.
type candidate struct {
	// apart: the merge-actors rule is on for this extraction.
	apart bool
	sent  int
	quote string
	o     *occ
	ref   *placeRef
	tie   tie
	// part is the side of a country or region the text puts the event in
	// ("southern Lebanon"): 'n', 's', 'e', 'w', or 0 for the whole.
	part byte
	// sea is the sea an event "off" a coast happened in, the text naming
	// it ("attacked off Yemen" in an article about Red Sea shipping);
	// offshore is the part of it along that coast. Nil when on land.
	sea      *geo.Place
	offshore orb.Bound
	// site is the site of the place a change of control is told of ("the
	// airport of X"): another event than the place itself changing hands.
	site string
}

// Words of place descriptions between a preposition and a place name:
// "in the southern Lebanese city of", "near the town of", "on the
// outskirts of".
var (
	placeNouns      = cues.set("place-nouns")
	descriptorWords = cues.set("descriptor-words")
	// nearWords make a place a reference point, not the place itself.
	directionWords = cues.set("direction-words")
	locParts       = cues.set("loc-parts")
	// notLocPrepHeads are words after which "in" gives where someone is, not
	// where something happened: "based in Najaf", "stationed in Iraq".
	notLocPrepHeads = cues.set("not-loc-prep-heads")
	// followOK words may follow a place that is the head of its phrase ("in
	// Gaza on Monday", "in Odesa overnight"); another lower-case word after
	// a place makes the place a modifier ("US troops", "Iran nuclear deal").
	followOK     = cues.set("follow-ok")
	locPreps     = cues.set("loc-preps")
	clauseStops  = cues.set("clause-stops")
	actorNouns   = cues.set("actor-nouns")
	negations    = cues.set("negations")
	threatWords  = cues.set("threat-words")
	modals       = cues.set("modals")
	modalBridge  = cues.set("modal-bridge")
	ongoingWords = cues.set("ongoing-words")
	warEndWords  = cues.set("war-end-words")
	// distinctMarkers say an event is one more, not one told before.
	distinctMarkers = cues.set("distinct-markers")
	// spanPreps and spanNouns: "during the war", "throughout the offensive".
	// takenSites change hands apart from the town that holds them.
	takenSites = cues.set("taken-sites")
	spanPreps  = cues.set("span-preps")
	// townOfficials are titles of a town's officials after its name.
	townOfficials = cues.set("town-officials")
	// townParts are parts only a town has ("in several neighbourhoods").
	townParts = cues.set("town-parts")
	spanNouns = cues.set("span-nouns")
	// victimFillers stand between a number of people and what befell them.
	victimFillers = cues.set("victim-fillers")
)

// sentenceEvents reads the candidate events of one sentence.
func (r *reader) sentenceEvents(s sentence, quote string) []candidate {
	occs := r.findOccs(s)
	quoted := r.inQuotes(s)
	if len(occs) == 0 && r.on("link-second-target") {
		if c, ok := r.secondTarget(s, quote); ok {
			r.noteDates(s)
			return []candidate{c}
		}
	}
	if len(occs) == 0 {
		r.noteDates(s)
		if quoted && r.lastEvent.ok && r.on("link-past-quote") && !r.hasRef(s) {
			// Words quoted between two sentences of a scene ("'We are
			// afraid,' a resident said.") tell no news of their own: the
			// scene goes on past them, as if they were not there.
			r.lastEvent.sent++
		}
		return nil
	}
	exprs := r.dates.scan(s.first, s.last)
	r.resolveAnaphora(exprs)
	kills := killCounts(r.toks, s.first, s.last)
	for i := range occs {
		o := &occs[i]
		r.refineType(s, o)
		if o.t.weak && o.typ == geo.ViolenceCivilians && r.on("type-weapon-target") && r.combatantsDied(s, o) {
			// "the death of a soldier", "two fighters were killed": the dead
			// were fighting, so a battle, not violence against civilians.
			o.typ, o.sub = geo.Battles, subClash
		}
		o.negated = r.on("veto-unreal") && r.negated(s, o)
		o.definite = r.definite(s, o)
		o.another = r.on("merge-another") && r.another(s, o)
		o.date = r.chooseDate(s, o, exprs)
		o.modality = r.modality(s, o, exprs)
		if (o.modality == geo.Threatened && !r.on("modality-cues")) || (o.modality == geo.Ongoing && !r.on("modality-cues")) {
			o.modality = geo.Occurred
		}
		if pub := r.dates.pub; o.modality == geo.Occurred && o.date.kind == dText && !pub.IsZero() && o.date.start.After(pub) && r.on("modality-cues") {
			if anaphoric(exprs, o.date) {
				// "a day after police dispersed a rally", counted from a
				// coming day: the rally's own date is not given.
				o.date = r.undated()
			} else {
				o.modality = geo.Threatened // dated after the report: it has not happened yet
			}
		}
		if o.typ == geo.Protests && o.modality == geo.Threatened {
			o.sub = subPeaceful // a called protest has met no police yet
		}
		if o.modality == geo.Threatened && o.date.kind == dDefault {
			o.date.start = o.date.end
		}
		r.actors(s, o)
	}
	r.lendActors(occs)
	if r.on("type-same-weapon") {
		r.sameWeapon(s, occs)
	}
	if r.on("type-during-setting") {
		r.duringSetting(s, occs, kills)
	}
	r.noteExprs(exprs)

	ties := r.ties(s, occs)
	if r.on("link-town-official") {
		ties = r.officialTown(s, occs, ties)
	}
	if len(ties) == 0 && r.on("link-discourse") {
		ties = r.carry(s, occs, kills)
	}
	// One event per place and sentence: the best-tied trigger wins.
	best := map[int]tie{}
	var order []int
	for _, t := range ties {
		o := &occs[t.occ]
		// A coup is told at the capital where power was seized; "took power
		// in Burkina Faso" names the country it was seized over.
		if o.negated || (o.t.dated && r.on("veto-unreal") && (o.date.kind != dText || isCountry(r.refs[t.ref].place))) {
			continue
		}
		b, seen := best[t.ref]
		if !seen {
			order = append(order, t.ref)
			best[t.ref] = t
			continue
		}
		if better(t, b, occs) {
			best[t.ref] = t
		}
	}
	// "Israeli strikes on southern Lebanon killed five people in Bint
	// Jbeil": one event, at the town; the country or region around it
	// only says where the town is.
	var kept []int
	for _, a := range order {
		covered := false
		for _, b := range order {
			if a != b && best[a].occ == best[b].occ && r.on("veto-covered") && r.holds(a, b) && !r.partOf(a, b) && !r.coordinated(a, b) {
				covered = true
				break
			}
		}
		if covered {
			delete(best, a)
			continue
		}
		kept = append(kept, a)
	}
	order = kept
	eventful := map[int]bool{}
	for _, t := range best {
		eventful[t.occ] = true
	}
	r.assignKills(occs, kills, eventful)
	for i := range occs {
		if occs[i].definite && r.countedDeath(&occs[i]) {
			occs[i].definite = false
		}
	}
	sort.Ints(order) // refs are in text order
	var out []candidate
	lastRef := -1
	for _, ref := range order {
		t := best[ref]
		o := &occs[t.occ]
		if o.typ == geo.StrategicDevelopments && (o.sub == subOther || o.sub == subAgreement) && o.modality == geo.Threatened && r.on("veto-unreal") {
			continue // a wish, a call for talks or a meeting to come is not an event
		}
		c := candidate{apart: r.on("merge-actors"), sent: s.index, quote: quote, o: o, ref: &r.refs[ref], tie: t, part: r.partOfArea(ref)}
		if r.on("place-offshore") {
			c.sea, c.offshore = r.offshore(s, ref)
		}
		if r.on("merge-site") {
			c.site = r.takenSite(o, &r.refs[ref])
		}
		out = append(out, c)
		if (fallsBack(o) || r.on("link-restriction-scene") && r.restriction(o)) && !(r.on("link-history-scene") && r.background(o)) {
			lastRef = ref // talks and agreements set no scene for violence after them
		}
	}
	if len(out) > 0 {
		r.lastEvent.ref, r.lastEvent.sent, r.lastEvent.ok = lastRef, s.index, lastRef >= 0
		r.lastCands.sent, r.lastCands.s, r.lastCands.out = s.index, s, out
	}
	if r.on("link-summary-back") {
		out = append(r.summedUp(s, out), out...)
	}
	r.unplaced.occs = nil
	if len(out) == 0 {
		r.unplaced.sent, r.unplaced.quote, r.unplaced.occs = s.index, quote, occs
	}
	return out
}

// summingNouns are the general nouns that sum up what was told just before
// them ("the violence", "the hostilities").
var summingNouns = cues.set("summing-nouns")

// summedUp returns the events of the sentence right before s that found no
// place, placed where a summing-up noun of s is: "Shops were looted and
// cars burned. The violence began in X" (English grammar: a definite general
// noun takes up the whole of what was told before it, encapsulating
// anaphora). Only violent and crowd events that happened count.
func (r *reader) summedUp(s sentence, out []candidate) []candidate {
	if len(r.unplaced.occs) == 0 || r.unplaced.sent != s.index-1 {
		return nil
	}
	for _, c := range out {
		o := c.o
		if c.tie.how != tieDirect || o.first == s.first || !summingNouns[r.toks[o.first].low] || o.last-o.first != 1 {
			continue
		}
		if d := r.toks[o.first-1].low; d != "the" && d != "this" && d != "these" && d != "such" {
			continue
		}
		var got []candidate
		for i := range r.unplaced.occs {
			p := &r.unplaced.occs[i]
			if p.negated || p.definite || p.t.weak || p.t.only || p.modality != geo.Occurred || !fallsBack(p) {
				continue
			}
			got = append(got, candidate{apart: c.apart, sent: r.unplaced.sent, quote: r.unplaced.quote, o: p, ref: c.ref,
				tie: tie{occ: i, ref: c.tie.ref, how: tieCarried}, part: c.part})
			break // one event per place and sentence
		}
		return got
	}
	return nil
}

// background reports an event the text dates a year or more before its
// publication ("a siege in 2017"): history, not the scene the next
// sentences go on telling.
func (r *reader) background(o *occ) bool {
	pub := r.dates.pub
	return o.date.kind == dText && !pub.IsZero() && o.date.end.AddDate(1, 0, 0).Before(pub)
}

// carry ties the events of a sentence that names no place to the place of
// the event told in the sentence right before it: news goes on telling
// one scene ("Gunmen stormed a market in X on Monday. They killed four
// traders and burned a dozen shops."). Only an event of its own counts: a
// violent or crowd trigger, not denied, threatened or told again, with a
// date or a death toll of its own.
func (r *reader) carry(s sentence, occs []occ, kills []killCount) []tie {
	// "the town", "there": a place told before, the last event's if it is
	// near; else a sentence of its own about the country the article is
	// about ("22 people died in protests against the tax").
	told, inTown := false, false
	for k := s.first; k < s.last; k++ {
		w := r.toks[k].low
		if w == "there" || (placeNouns[w] && !strings.HasSuffix(w, "s") && k > s.first && r.toks[k-1].low == "the") {
			told = true
			break
		}
		if townParts[w] && r.on("link-town-part") {
			told, inTown = true, true
			break
		}
	}
	ref := -1
	switch {
	case inTown && r.lastTown(s, 3) >= 0:
		// "in several neighbourhoods": the town told before, not a
		// country or region the last event was at.
		ref = r.lastTown(s, 3)
	case r.lastEvent.ok && (s.index-r.lastEvent.sent == 1 || (told && s.index-r.lastEvent.sent <= 3)),
		// An event with a date, toll or count of its own goes on telling
		// the scene a little further ("130 people were detained").
		r.lastEvent.ok && s.index-r.lastEvent.sent <= 3 && r.ownDetail(s, occs, kills),
		// "They warned more strikes would follow": more of the scene's
		// events, threatened at it.
		r.lastEvent.ok && s.index-r.lastEvent.sent <= 3 && r.on("link-more-threat") && r.moreThreat(s, occs) >= 0:
		ref = r.lastEvent.ref
	case told && r.lastTown(s, 3) >= 0:
		ref = r.lastTown(s, 3)
	case r.mainCountry() >= 0:
		// "the state of emergency", "the town" with no town before:
		// the country the article is about.
		ref = r.mainCountry()
	}
	if ref < 0 {
		return nil
	}
	// A sentence that names a place (a country, a mention the rules set
	// aside) tells of somewhere else; not the scene's own country
	// describing a noun ("Georgia's interior ministry said"), nor a place
	// inside a name.
	start := sort.Search(len(r.refs), func(i int) bool { return r.refs[i].first >= s.first })
	for ; start < len(r.refs) && r.refs[start].first < s.last; start++ {
		m := r.refs[start]
		// A place inside a name ("the US president", "the embassy of
		// Kenya") says nothing of where the sentence is.
		inName := m.bad == "name" || m.bad == "compound" || r.institutionOf(start)
		if r.refs[ref].first >= s.first || !inName && (!r.descriptorRef(start) || !isCountry(m.place) || m.place.CountryCode != r.refs[ref].place.CountryCode) {
			return nil
		}
	}
	roleOnly := -1
	for i := range occs {
		o := &occs[i]
		// "The militants torched houses": the article is the subject's, not
		// the trigger's.
		acting, heads := false, false
		if r.on("link-scene-actor") && ref == r.lastEvent.ref && s.index-r.lastEvent.sent == 1 {
			acting, heads = r.sceneActor(s, o)
		}
		// "Clashes continue in some rural areas": the scene told right
		// before goes on.
		goesOn := o.modality == geo.Ongoing && r.on("link-continues") && ref == r.lastEvent.ref && s.index-r.lastEvent.sent == 1 && r.continues(s)
		if ref == r.lastEvent.ref && r.on("link-more-threat") && r.moreThreat(s, occs) == i {
			return []tie{{occ: i, ref: ref, how: tieCarried}}
		}
		if o.negated || o.definite && !heads || o.t.weak || o.t.only || o.modality != geo.Occurred && !goesOn || !fallsBack(o) {
			continue
		}
		if o.first > s.first && (r.toks[o.first-1].low == "'s" || r.toks[o.first-1].low == "\u2019s") {
			continue // "Saturday's strike": one told before
		}
		if o.date.kind != dText && o.fatalities == nil && len(kills) == 0 && !(r.on("link-counted") && r.victims(s, o)) && !acting && !goesOn {
			continue
		}
		if acting && sceneActors[r.toks[o.first].low] && roleOnly < 0 {
			// "Protesters torched a bank": what the role noun did, when the
			// sentence tells it, not the role noun.
			roleOnly = i
			continue
		}
		return []tie{{occ: i, ref: ref, how: tieCarried}}
	}
	if roleOnly >= 0 {
		return []tie{{occ: roleOnly, ref: ref, how: tieCarried}}
	}
	return nil
}

// ordinalMarkers open a noun phrase of one more thing of a kind told
// before ("a second station", "another bridge").
var ordinalMarkers = cues.set("ordinal-markers")

// secondTarget reads a sentence without a trigger that names one more of
// the targets an event of the sentence or two before hit, at a place of its
// own ("Jets struck a radar site at X. A second radar site was hit at Y",
// "... Another depot was at Y"): the same event at that place (English
// grammar: "another" and "a second" take their noun's sense, here the
// target, from the text before). The target's head noun must be one the
// earlier event's clause named after its trigger.
func (r *reader) secondTarget(s sentence, quote string) (candidate, bool) {
	lc := &r.lastCands
	if len(lc.out) == 0 || s.index-lc.sent > 2 {
		return candidate{}, false
	}
	for k := s.first; k < s.last-1; k++ {
		if !ordinalMarkers[r.toks[k].low] {
			continue
		}
		// The noun phrase after the marker is the subject: it runs to a form
		// of "be" or "have", and its last word is its head.
		head, verb := -1, false
		for j := k + 1; j < s.last && j < k+6; j++ {
			w := r.toks[j]
			if beVerbs[w.low] || w.low == "had" || w.low == "has" {
				verb = true
				break
			}
			if w.kind != tWord || w.cap || locPreps[w.low] || w.low == "the" || w.low == "of" {
				break
			}
			head = j
		}
		if head < 0 || !verb {
			return candidate{}, false
		}
		for _, c := range lc.out {
			o := c.o
			if o.negated || o.modality != geo.Occurred || !o.t.violent() || !r.namedAfter(lc.s, o, r.toks[head].low) {
				continue
			}
			for _, ref := range r.placesIn(head+1, s.last) {
				m := &r.refs[ref]
				if isArea(m.place) || m.place.GeonameID == c.ref.place.GeonameID {
					continue
				}
				n := *o
				n.first, n.last, n.another, n.definite, n.fatalities = k, head+1, true, false, nil
				return candidate{apart: c.apart, sent: s.index, quote: quote, o: &n, ref: m,
					tie: tie{occ: 0, ref: ref, how: tieCarried}}, true
			}
			return candidate{}, false
		}
		return candidate{}, false
	}
	return candidate{}, false
}

// namedAfter reports whether word is a noun of the clause after trigger o
// in sentence s: what the event acted on.
func (r *reader) namedAfter(s sentence, o *occ, word string) bool {
	for j := o.last; j < s.last && j < o.last+8; j++ {
		if isHardBoundary(r.toks[j]) {
			return false
		}
		if r.toks[j].low == word {
			return true
		}
	}
	return false
}

// moreThreat returns the first violent trigger of the sentence that is
// threatened and told as more of its kind ("more raids are on the way",
// "warned of further strikes"), or -1: more of what the scene before saw.
func (r *reader) moreThreat(s sentence, occs []occ) int {
	for i := range occs {
		o := &occs[i]
		if o.modality != geo.Threatened || o.negated || o.t.weak || !o.t.violent() || o.first == s.first {
			continue
		}
		switch r.toks[o.first-1].low {
		case "more", "further":
			return i
		}
	}
	return -1
}

// sceneActors name the people of a scene by their role alone; sceneOpeners
// may stand before them in a subject.
var (
	sceneActors  = cues.set("scene-actors")
	sceneOpeners = cues.set("scene-openers")
)

// sceneActor reports a sentence whose subject is a role noun alone ("The
// militants", "Looters", "Some protesters") with trigger o in what it
// goes on to tell: the participants of the scene told right before, acting
// on. heads says the trigger is the verb right after the subject (or the
// role noun itself), whose "the" is the subject's ("The militants
// torched"), not a noun told before ("The militants claimed the attack").
func (r *reader) sceneActor(s sentence, o *occ) (ok, heads bool) {
	k := s.first
	for n := 0; k < s.last && n < 2 && sceneOpeners[r.toks[k].low]; n++ {
		k++
	}
	if k >= s.last || k > o.first || !sceneActors[r.toks[k].low] {
		return false, false
	}
	for j := k + 1; j < o.first; j++ {
		if reportingVerbs[r.toks[j].low] || r.toks[j].low == "said" || r.toks[j].low == "according" {
			return false, false // what the role noun said, not did
		}
	}
	return true, k == o.first || k+1 == o.first || k+2 == o.first && strings.HasSuffix(r.toks[k+1].low, "ly")
}

// continueWords say that something told before goes on.
var continueWords = cues.set("continue-words")

// continues reports a sentence that tells something going on: "clashes
// continue", "fighting persisted".
func (r *reader) continues(s sentence) bool {
	for k := s.first; k < s.last; k++ {
		if continueWords[r.toks[k].low] {
			return true
		}
	}
	return false
}

// restrictionWords name a measure imposed on a place in unrest.
var restrictionWords = cues.set("restriction-words")

// restriction reports a trigger that imposes a measure on the place of
// unrest ("a curfew was imposed in X"): the scene of what the crowd does
// next.
func (r *reader) restriction(o *occ) bool {
	for k := o.first; k < o.last; k++ {
		if restrictionWords[r.toks[k].low] {
			return true
		}
	}
	return false
}

// institutionOf reports a country named as the owner of an institution
// after "of" ("the consulate of Peru", "the government of Mali"): whose it
// is, not where the sentence is.
func (r *reader) institutionOf(i int) bool {
	m := &r.refs[i]
	k := m.first - 1
	if k > 0 && r.toks[k].low == "the" {
		k--
	}
	return r.on("veto-name") && isCountry(m.place) && k > 0 && r.toks[k].low == "of" && institutionNouns[r.toks[k-1].low]
}

// descriptorRef reports a mention that describes a noun ("Georgia's interior
// ministry", "Kenyan police") rather than names where something is.
func (r *reader) descriptorRef(i int) bool {
	m := &r.refs[i]
	if m.bad == "name" || m.bad == "compound" {
		return true
	}
	return m.last < len(r.toks) && (r.toks[m.last].low == "'s" || r.toks[m.last].low == "\u2019s") || r.attributive(i)
}

// inQuotes reports a sentence that is, or is inside, quoted words: it holds a
// quotation mark, or a quotation opened before it is still open. It keeps
// track of quotations left open for the sentences after it.
func (r *reader) inQuotes(s sentence) bool {
	in := r.quoteOpen
	q := in
	for _, c := range r.text[s.start:s.end] {
		switch c {
		case '\u201c':
			in, q = true, true
		case '\u201d':
			in, q = false, true
		case '"':
			in, q = !in, true
		}
	}
	r.quoteOpen = in
	return q
}

// ownDetail reports an event of the sentence with a detail of its own.
func (r *reader) ownDetail(s sentence, occs []occ, kills []killCount) bool {
	for i := range occs {
		o := &occs[i]
		if o.date.kind == dText || o.fatalities != nil || len(kills) > 0 || r.on("link-counted") && r.victims(s, o) {
			return true
		}
	}
	return false
}

// lastTown returns the last town named in the back sentences before s, a
// place "the town" can be; -1 if none.
func (r *reader) lastTown(s sentence, back int) int {
	if s.index < 1 {
		return -1
	}
	from := r.sents[max(0, s.index-back)].first
	start := sort.Search(len(r.refs), func(i int) bool { return r.refs[i].first >= s.first })
	for i := start - 1; i >= 0 && r.refs[i].first >= from; i-- {
		if r.usable(i) && !isArea(r.refs[i].place) && !r.attributive(i) && !r.distanceRef(i) {
			return i
		}
	}
	return -1
}

// coordinated reports whether mentions a and b are joined by "and" or "or"
// ("depots in southern Syria and Damascus"): two places of the event, the
// area one of its own and not only where the town is.
func (r *reader) coordinated(a, b int) bool {
	lo, hi := r.refs[a].last, r.refs[b].first
	if lo > hi {
		lo, hi = r.refs[b].last, r.refs[a].first
	}
	and := false
	for k := lo; k < hi; k++ {
		w := r.toks[k].low
		switch {
		case w == "and" || w == "or":
			and = true
		case w == "," || w == "the" || locParts[w] || descriptorWords[w]:
		default:
			return false
		}
	}
	return and
}

// civilianTargets, named near an attack, make it one on civilians: the
// people, the places where they gather, and the weapons and attackers of
// one-sided violence (ACLED's Attack sub-event type).
var civilianTargets = cues.set("civilian-targets")

// responseWords take as their object an event that has happened: "respond
// to the attack", "in response to the strikes".
var responseWords = cues.set("response-words")

// sameWeapon gives a generic attack the weapon the text names for it: in
// the same sentence ("a Russian attack killed three children as Moscow
// unleashed air attacks"), or, told again as "the attack", in the two
// sentences before. It then notes the sentence's explosive event for the
// sentences after.
func (r *reader) sameWeapon(s sentence, occs []occ) {
	sub, at := "", 0
	for i := range occs {
		o := &occs[i]
		if o.typ == geo.ExplosionsRemote && !o.negated && o.t.refine != rAttack {
			sub, at = o.sub, o.first
			break
		}
	}
	for i := range occs {
		o := &occs[i]
		if o.t.refine != rAttack || (o.typ != geo.Battles || o.sub != subClash) && !o.civilianDead {
			continue
		}
		switch {
		case sub != "" && at > o.first:
			// The weapon told after the attack says what it was; one told
			// before ("since the strikes, no attacks") is another event.
			o.typ, o.sub = geo.ExplosionsRemote, sub
		case o.definite && r.weapon.ok && s.index-r.weapon.sent <= 2:
			o.typ, o.sub = geo.ExplosionsRemote, r.weapon.sub
		}
	}
	// "a grenade thrown at a bus stop exploded": a generic blast is the
	// weapon the sentence names.
	named := ""
	for i := range occs {
		if o := &occs[i]; o.typ == geo.ExplosionsRemote && !o.negated && (o.sub == subGrenade || o.sub == subSuicide) {
			named = o.sub
		}
	}
	for i := range occs {
		if o := &occs[i]; named != "" && o.typ == geo.ExplosionsRemote && o.sub == subIED && blastWords[r.toks[o.first].low] {
			o.sub = named
		}
	}
	if sub != "" {
		r.weapon.sub, r.weapon.sent, r.weapon.ok = sub, s.index, true
	}
}

// blastWords tell an explosion without its weapon: "exploded", "a blast".
var blastWords = cues.set("blast-words")

// partOf reports whether the text gives place b as one part of a wider
// event at place a ("struck targets across Yemen, including sites near
// Sanaa"), where both are the event's places.
func (r *reader) partOf(a, b int) bool {
	ma, mb := &r.refs[a], &r.refs[b]
	if ma.first > 0 {
		switch r.toks[ma.first-1].low {
		case "across", "throughout":
			return true
		}
	}
	for k := ma.last; k < mb.first; k++ {
		if r.toks[k].low == "including" {
			return true
		}
	}
	return false
}

// combatants are the dead of a battle rather than of an attack on
// civilians.
var combatants = cues.set("combatants")

// combatantsDied reports whether the dead a weak trigger counts are
// fighters: "the death of a soldier", "three soldiers were killed".
func (r *reader) combatantsDied(s sentence, o *occ) bool {
	fighters := false
	for k := max(s.first, o.first-5); k < min(s.last, o.last+4); k++ {
		if civilianWords[r.toks[k].low] {
			return false
		}
		fighters = fighters || combatants[r.toks[k].low]
	}
	return fighters
}

// civilianWords name dead who were not fighting.
var civilianWords = cues.set("civilian-words")

// partOfArea reads the side of a country or region named right before it:
// "southern Lebanon", "in the north of Israel" is left whole.
func (r *reader) partOfArea(ref int) byte {
	m := &r.refs[ref]
	if m.first == 0 || !isArea(m.place) || m.place.Bound == nil {
		return 0
	}
	switch r.toks[m.first-1].low {
	case "northern", "north":
		return 'n'
	case "southern", "south":
		return 's'
	case "eastern", "east":
		return 'e'
	case "western", "west":
		return 'w'
	}
	return 0
}

// anaphoric reports whether date d was read from an expression counted
// from another event ("a day after"), which may be that event's date
// rather than this one's.
func anaphoric(exprs []dateExpr, d dateRange) bool {
	for _, e := range exprs {
		if e.anaphor && e.r.start.Equal(d.start) && e.r.end.Equal(d.end) {
			return true
		}
	}
	return false
}

// noteDates keeps the latest day named by a sentence without events, for
// "hours later" in the next one.
func (r *reader) noteDates(s sentence) {
	exprs := r.dates.scan(s.first, s.last)
	r.resolveAnaphora(exprs)
	r.noteExprs(exprs)
}

// noteExprs keeps a sentence's dates for the sentences after it.
func (r *reader) noteExprs(exprs []dateExpr) {
	pub := r.dates.pub
	for _, e := range exprs {
		if e.r.kind != dText {
			continue
		}
		if !e.anaphor && e.r.prec == geo.TimeDay {
			r.lastDate = e.r.start
		}
		if !e.reporting && e.r.prec <= geo.TimeWeek && !pub.IsZero() && !e.r.end.After(pub) && !e.r.end.Before(pub.Add(-defaultSpan)) {
			r.context = e.r
			r.context.kind = dContext
		}
	}
}

// better reports whether tie a should win over tie b for the same place.
func better(a, b tie, occs []occ) bool {
	if a.how != b.how {
		return a.how < b.how
	}
	oa, ob := &occs[a.occ], &occs[b.occ]
	if oa.t.weak != ob.t.weak {
		return !oa.t.weak
	}
	if oa.t.war != ob.t.war {
		return !oa.t.war
	}
	// "soldiers defused an IED": the device was not used; what was done
	// with it is the event.
	if (oa.sub == subDisrupted) != (ob.sub == subDisrupted) {
		d, w := oa, ob
		if ob.sub == subDisrupted {
			d, w = ob, oa
		}
		if w.first >= d.last && w.first-d.last <= 4 {
			return oa == d
		}
	}
	// "a suicide bomber detonated his vest": the bomber says what kind.
	if (oa.sub == subSuicide) != (ob.sub == subSuicide) && oa.typ == ob.typ {
		return oa.sub == subSuicide
	}
	if ra, rb := typeRank(oa.typ), typeRank(ob.typ); ra != rb {
		return ra < rb // "a drone attack set fire to an oil depot": the attack
	}
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	return oa.t.refine == rNone && ob.t.refine != rNone
}

// typeRank orders event types for one place of one sentence: violence,
// then crowds, then strategic developments.
func typeRank(typ string) int {
	switch typ {
	case geo.Battles, geo.ExplosionsRemote, geo.ViolenceCivilians:
		return 0
	case geo.Riots, geo.Protests:
		return 1
	}
	return 2
}

// countedDeath reports "the death of a soldier": "the" points to the count
// that follows, not to an event told before.
func (r *reader) countedDeath(o *occ) bool {
	return o.fatalities != nil && o.last < len(r.toks) && r.toks[o.last].low == "of" &&
		(r.toks[o.first].low == "death" || r.toks[o.first].low == "deaths")
}

// findOccs finds the trigger occurrences of a sentence. A trigger inside a
// place name is none ("Battle Creek"); "ones" after a trigger repeats it
// ("no attacks on bases in Iraq and only two small ones in Syria").
func (r *reader) findOccs(s sentence) []occ {
	var occs []occ
	for i := s.first; i < s.last; i++ {
		if k := r.refStarting(i); k >= 0 {
			i = r.refs[k].last - 1
			continue
		}
		t, n := r.lx.match(r.toks, i, s.last)
		if t == nil && r.launchedDrones(s, i) {
			t, n = r.lx.launched, 1
		}
		if t == nil {
			if r.toks[i].low == "ones" && len(occs) > 0 {
				prev := occs[len(occs)-1]
				if !prev.t.weak {
					occs = append(occs, occ{t: prev.t, first: i, last: i + 1, typ: prev.t.typ, sub: prev.t.sub})
				}
			}
			continue
		}
		if r.inUnitName(s, i, n) {
			i += n - 1
			continue // "the Third Separate Assault Brigade": a unit's name
		}
		if r.participleAdjective(s, t, i, n) {
			i += n - 1
			continue // "beheaded a captured farmer": the farmer, not a capture
		}
		occs = append(occs, occ{t: t, first: i, last: i + n, typ: t.typ, sub: t.sub})
		i += n - 1
	}
	return occs
}

// participleAdjective reports a capture word used as an adjective between
// an article and its noun: "a captured farmer", "the seized weapons" tell
// of a person or a thing, not of territory taken.
func (r *reader) participleAdjective(s sentence, t *trigger, i, n int) bool {
	if t.sub != subOvertakes && t.sub != subRegains || n != 1 || i == s.first || i+1 >= s.last {
		return false
	}
	switch r.toks[i-1].low {
	case "a", "an", "the", "two", "three", "several":
	default:
		return false
	}
	next := r.toks[i+1]
	return next.kind == tWord && !next.cap && !locPreps[next.low] && !followOK[next.low]
}

// inUnitName reports whether the trigger at tokens [i, i+n) is a capitalised
// word inside a name that an organisation's word ends ("Assault Brigade",
// "Strike Force", "Rapid Intervention Battalion").
func (r *reader) inUnitName(s sentence, i, n int) bool {
	if i == s.first || !r.toks[i].cap {
		return false
	}
	for k := i + n; k < s.last && k < i+n+3; k++ {
		t := r.toks[k]
		if t.kind != tWord || !t.cap {
			return false
		}
		if orgHeads[t.low] {
			return true
		}
	}
	return false
}

// launchVerbs send weapons off: "launched 64 drones", "fired dozens of
// drones".
var launchVerbs = cues.set("launch-verbs")

// launchedDrones reports whether token i is "drones" counted after a
// launch verb: "Russia launched 64 drones and three missiles at Odesa".
func (r *reader) launchedDrones(s sentence, i int) bool {
	if w := r.toks[i].low; w != "drones" && w != "drone" {
		return false
	}
	for k, n := i-1, 0; k >= s.first && n < 6; k, n = k-1, n+1 {
		t := r.toks[k]
		if launchVerbs[t.low] {
			return true
		}
		if t.kind == tPunct && t.text != "-" {
			return false
		}
		if t.kind == tWord && !quantifiers[t.low] && !vagueCounts[t.low] && !isNumberTok(t) {
			switch t.low {
			case "attack", "kamikaze", "explosive", "long-range", "suicide", "combat", "shahed", "shahed-type",
				"a", "wave", "waves", "swarm", "swarms", "barrage", "record", "dozens", "hundreds", "of", "and":
			default:
				if !t.cap {
					return false
				}
			}
		}
	}
	return false
}

// window returns the word tokens around an occurrence within its clause:
// back up to n tokens before it and up to n after it, stopping at clause
// punctuation.
func (r *reader) before(s sentence, o *occ, n int, stopAtComma bool) []tok {
	return r.appendBefore(make([]tok, 0, n), s, o, n, stopAtComma)
}

// appendBefore appends to out what before returns, so that the words on
// both sides of a trigger take one allocation (see around).
func (r *reader) appendBefore(out []tok, s sentence, o *occ, n int, stopAtComma bool) []tok {
	n += len(out)
	for k := o.first - 1; k >= s.first && len(out) < n; k-- {
		t := r.toks[k]
		if isHardBoundary(t) || (stopAtComma && t.text == ",") {
			break
		}
		if t.kind != tPunct {
			out = append(out, t)
		}
	}
	return out
}

func (r *reader) after(s sentence, o *occ, n int) []tok {
	return r.appendAfter(make([]tok, 0, n), s, o, n)
}

// appendAfter appends to out what after returns.
func (r *reader) appendAfter(out []tok, s sentence, o *occ, n int) []tok {
	n += len(out)
	for k := o.last; k < s.last && len(out) < n; k++ {
		t := r.toks[k]
		if isHardBoundary(t) || t.text == "," {
			break
		}
		if t.kind != tPunct {
			out = append(out, t)
		}
	}
	return out
}

// around returns before(s, o, nb, true) followed by after(s, o, na).
func (r *reader) around(s sentence, o *occ, nb, na int) []tok {
	return r.appendAfter(r.appendBefore(make([]tok, 0, nb+na), s, o, nb, true), s, o, na)
}

func isHardBoundary(t tok) bool {
	switch t.text {
	case ";", ":", "(", ")", ".", "!", "?", "\u2014", "\u2013", "[", "]":
		return true
	}
	return isDash(t) && t.text != "-"
}

// refineType settles a generic trigger's type from its context: the weapon
// ("drone attack", "missile strike", "suicide bombing"), the target
// ("attack on a market", "attacks on ships"), the actor ("troops
// recaptured"), the crowd's and the police's conduct at a protest.
func (r *reader) refineType(s sentence, o *occ) {
	near := r.around(s, o, 4, 8)
	has := func(words ...string) bool {
		for _, t := range near {
			for _, w := range words {
				if t.low == w {
					return true
				}
			}
		}
		return false
	}
	// unbracketed is read by up to three checks below; it is the same
	// tokens each time.
	var unb []tok
	unbRead := false
	unbracketed := func() []tok {
		if !unbRead {
			unb, unbRead = r.unbracketed(s, o), true
		}
		return unb
	}
	wide := r.clause(s, o)
	if len(wide) > 40 {
		wide = wide[:40]
	}
	hasWide := func(words ...string) bool {
		for _, t := range wide {
			for _, w := range words {
				if t.low == w {
					return true
				}
			}
		}
		return false
	}
	hasSet := func(set map[string]bool) bool {
		for _, t := range near {
			if set[t.low] {
				return true
			}
		}
		return false
	}
	air := has("drone", "drones", "warplane", "warplanes", "jet", "jets", "aircraft", "helicopter",
		"helicopters", "airstrike", "airstrikes", "aerial", "air", "plane", "planes", "uav", "uavs")
	shell := has("missile", "missiles", "rocket", "rockets", "artillery", "mortar", "mortars", "shell", "shells",
		"shelling", "howitzer", "howitzers", "tank", "tanks")
	refine := o.t.refine
	switch {
	case (refine == rStrike || refine == rBomb || refine == rAttack) && !r.on("type-weapon-target"),
		refine == rProtest && !r.on("type-protest-conduct"),
		refine == rNone && !r.on("type-crowd"):
		refine = 255 // switched off: the trigger's own type stands
	}
	switch refine {
	case rStrike:
		o.typ, o.sub = geo.ExplosionsRemote, subAir
		if shell && !air {
			o.sub = subShelling
		}
		// "transport workers held a one-day strike", "went on strike".
		if !air && !shell && (has("workers", "union", "unions", "transport", "truckers", "drivers", "teachers",
			"doctors", "nurses", "miners", "employees", "staff", "labour", "labor", "wages", "pay", "one-day",
			"nationwide", "general", "walkout", "indefinite", "open-ended", "24-hour", "48-hour", "72-hour") || (o.first > s.first && (r.toks[o.first-1].low == "on"))) {
			o.typ, o.sub = geo.Protests, subPeaceful
		}
	case rBomb:
		o.typ, o.sub = geo.ExplosionsRemote, subIED
		switch {
		case has("suicide"):
			o.sub = subSuicide
		case air:
			o.sub = subAir
		}
	case rAttack:
		switch {
		case mobBefore(r.before(s, o, 4, true)):
			// "a mob attacked a church": a crowd's violence that is no
			// demonstration (ACLED Mob violence).
			o.typ, o.sub = geo.Riots, subMob
		case has("suicide") || hasWide("suicide"):
			o.typ, o.sub = geo.ExplosionsRemote, subSuicide
		case air:
			o.typ, o.sub = geo.ExplosionsRemote, subAir
		case shell:
			o.typ, o.sub = geo.ExplosionsRemote, subShelling
		case has("bomb", "bombs", "explosive", "explosives", "ied", "ieds", "mine", "mines", "pipeline", "pipelines") ||
			hasWide("bomb", "bombs", "explosive", "explosives", "ied", "ieds"):
			o.typ, o.sub = geo.ExplosionsRemote, subIED
		case has("ship", "ships", "vessel", "vessels", "tanker", "tankers", "shipping", "freighter"):
			o.typ, o.sub = geo.ExplosionsRemote, subShelling
		case has("grenade", "grenades"):
			o.typ, o.sub = geo.ExplosionsRemote, subGrenade
		case has("army", "military", "soldiers", "troops", "base", "barracks", "checkpoint", "outpost", "patrol",
			"garrison", "police", "policemen", "convoy") && !has("civilians", "civilian", "traders", "passengers",
			"villagers", "bus", "minibus", "market", "protesters", "demonstrators"):
			// "Gunmen attacked an army base": a fight with armed men.
		case has("protesters", "protestors", "demonstrators", "marchers") && o.typ == geo.Battles:
			// "police fired on protesters": force against a crowd, not a battle;
			// "protesters attacked a compound": the crowd's own violence.
			o.typ, o.sub = geo.Protests, subExcessive
			for _, t := range r.before(s, o, 4, true) {
				switch t.low {
				case "protesters", "protestors", "demonstrators", "marchers", "rioters":
					o.typ, o.sub = geo.Riots, subViolent
				}
			}
		case deadAre(unbracketed(), combatants) && !deadAre(unbracketed(), civilianWords):
			// "attacked a village, killing five vigilantes": the dead
			// fought back, a battle.
		case r.abductsAfter(unbracketed(), o):
			// "raided X and kidnapped 30 women": a raid whose harm is the
			// abduction is one (ACLED Abduction/forced disappearance).
			o.typ, o.sub = geo.ViolenceCivilians, subAbduction
		case hasSet(civilianTargets):
			o.typ, o.sub = geo.ViolenceCivilians, subAttack
		case deadAre(unbracketed(), civilianWords):
			// "attacked Mora, killing 3 civilians"; a weapon told later in
			// the sentence may still say it was a strike (sameWeapon).
			o.typ, o.sub, o.civilianDead = geo.ViolenceCivilians, subAttack, true
		}
	case rNone:
		if expelWords[r.toks[o.first].low] && r.on("type-weapon-target") {
			// "the army expelled the militants", "drove the rebels out":
			// fighters pushed out of a place, a battle; "expelled French
			// troops and diplomats": a state's order, a strategic
			// development (ACLED Other).
			near := r.around(s, o, 4, 4)
			fighters := false
			for _, t := range near {
				if combatants[t.low] && t.low != "troops" && t.low != "soldiers" {
					fighters = true
				}
			}
			if !fighters {
				o.typ, o.sub = geo.StrategicDevelopments, subOther
			}
			return
		}
		if o.typ == geo.ViolenceCivilians && o.sub == subAttack && victimsAre(r.after(s, o, 4), protesterNouns) {
			// "police shot dead two protesters": force against a crowd
			// (ACLED Excessive force against protesters).
			o.typ, o.sub = geo.Protests, subExcessive
			return
		}
		// crowd is read only for the two kinds of event it can change.
		crowd := func() bool {
			cl := " " + strings.Join(lows(r.clause(s, o)), " ") + " "
			return containsAny(cl, " protesters ", " protestors ", " demonstrators ", " rioters ", " crowds ", " crowd ",
				" protest ", " protests ", " mob ")
		}
		switch {
		case o.sub == subClash && crowd() && !hasWide("rebels", "militants", "insurgents", "fighters", "gunmen", "militia", "militias"):
			// "clashes in Migori, where police lobbed tear gas at
			// demonstrators": a crowd and the police, not a battle.
			o.typ, o.sub = geo.Riots, subViolent
		case o.sub == subLooting && crowd():
			// Looting by a crowd is how ACLED tells a violent demonstration.
			o.typ, o.sub = geo.Riots, subViolent
		}
	case rProtest:
		words := lows(r.withoutGrievance(r.clause(s, o), o))
		if n := s.index + 1; n < len(r.sents) && !r.hasRef(r.sents[n]) {
			words = append(words, lows(r.toks[r.sents[n].first:r.sents[n].last])...)
		}
		joined := " " + strings.Join(words, " ") + " "
		switch {
		case containsAny(joined, " killed ", " shot ", " opened fire ", " live fire ", " live ammunition ", " killing ",
			" live rounds ", " live bullets ", " fired live ", " fired on ", " shot at "):
			o.typ, o.sub = geo.Protests, subExcessive
		case armedSubject(r.before(s, o, 3, true)):
			// "fighters marched into the city": an armed advance, not a march.
			o.typ, o.sub = geo.Battles, subClash
			if k := o.last; k < s.last && (r.toks[k].low == "into" || r.toks[k].low == "on") {
				o.sub = subOvertakes
			}
		case containsAny(joined, " burned ", " burnt ", " torched ", " threw stones ", " threw bottles ", " hurled ", " set fire ",
			" looted ", " vandalised ", " vandalized ", " smashed ", " stormed ", " clashed with police ", " threw rocks ",
			" attacked ", " ransacked ", " set alight ", " set ablaze ", " fireworks ", " barricades ", " stone throwing ",
			" stone-throwing ", " looting ", " vandalism "):
			o.typ, o.sub = geo.Riots, subViolent
		case containsAny(joined, " tear gas ", " teargas ", " dispersed ", " water cannon ", " rubber bullets ", " crackdown ",
			" arrested ", " detained ", " batons ", " beat "):
			o.typ, o.sub = geo.Protests, subInterv
		}
	}
}

// expelWords are the verbs of pushing someone out of a place.
var expelWords = cues.set("expel-words")

// grievanceWords open what a protest is about: "protested over the killing
// of a farmer", "against police violence".
var grievanceWords = cues.set("grievance-words")

// withoutGrievance drops from a protest's clause what the protest is about,
// from a grievance word after the trigger to the next comma: a killing the
// crowd protests over is no force used on the crowd.
func (r *reader) withoutGrievance(ts []tok, o *occ) []tok {
	for i, t := range ts {
		if t.start < r.toks[o.last-1].end || !grievanceWords[t.low] {
			continue
		}
		j := i
		for j < len(ts) && ts[j].text != "," {
			j++
		}
		return append(append([]tok(nil), ts[:i]...), ts[j:]...)
	}
	return ts
}

// unbracketed returns the clause of an occurrence read through the
// brackets that give a place's district and province: "raided X (district,
// province) and kidnapped 30 women" is one clause.
func (r *reader) unbracketed(s sentence, o *occ) []tok {
	a := o.first
	for a > s.first && !isHardBoundary(r.toks[a-1]) {
		a--
	}
	out := make([]tok, 0, min(40, s.last-a))
	depth := 0
	for k := a; k < s.last && len(out) < 40; k++ {
		t := r.toks[k]
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			depth = max(0, depth-1)
		case depth > 0:
		case isHardBoundary(t) && k >= o.last:
			return out
		default:
			out = append(out, t)
		}
	}
	return out
}

// mobNouns name a crowd acting outside any demonstration.
var mobNouns = cues.set("mob-nouns")

// mobBefore reports a mob as the subject right before a trigger.
func mobBefore(back []tok) bool {
	for _, t := range back {
		if mobNouns[t.low] {
			return true
		}
	}
	return false
}

// protesterNouns name the people of a demonstration.
var protesterNouns = cues.set("protester-nouns")

// victimsAre reports a word of set among the words right after a
// trigger, before anything else is told: "shot dead two protesters".
func victimsAre(next []tok, set map[string]bool) bool {
	for _, t := range next {
		if set[t.low] {
			return true
		}
	}
	return false
}

// duringSetting reads an operation or raid told as the setting of another
// event ("arrested eight people during a raid", "seized weapons during a
// search operation"): the setting is that event, not a battle of its own.
// kills are the sentence's counted dead (killCounts).
func (r *reader) duringSetting(s sentence, occs []occ, kills []killCount) {
	for i := range occs {
		o := &occs[i]
		if o.typ != geo.Battles || o.negated {
			continue
		}
		k := o.first - 1
		for k > s.first && o.first-k <= 4 && !isHardBoundary(r.toks[k]) && r.toks[k].text != "," && !settingPreps[r.toks[k].low] {
			k--
		}
		if k <= s.first || !settingPreps[r.toks[k].low] {
			continue
		}
		for j := range occs {
			p := &occs[j]
			if p.last <= k && !p.negated && p.typ == geo.StrategicDevelopments && settingEvents[p.sub] {
				o.typ, o.sub = p.typ, p.sub
			}
		}
	}
	// "raided a house in X and arrested three suspects": a raid whose
	// outcome is an arrest, with no one killed, is the arrest.
	if len(kills) > 0 {
		return
	}
	for i := range occs {
		o := &occs[i]
		if o.t.refine != rAttack || o.typ != geo.Battles || o.sub != subClash || o.negated {
			continue
		}
		for j := range occs {
			p := &occs[j]
			if p.first >= o.last && !p.negated && p.sub == subArrests && r.sameClause(s, o.last, p.first) {
				o.typ, o.sub = p.typ, p.sub
			}
		}
	}
}

// sameClause reports whether tokens a..b lie in one clause: no hard
// boundary between them but the brackets of a place's district and
// province.
func (r *reader) sameClause(s sentence, a, b int) bool {
	for k := a; k < b && k < s.last; k++ {
		if t := r.toks[k]; isHardBoundary(t) && t.text != "(" && t.text != ")" {
			return false
		}
	}
	return true
}

// settingPreps open the setting of an event: "during a raid", "in raids".
var settingPreps = cues.set("setting-preps")

// settingEvents are the sub-event types an operation may be the setting of.
var settingEvents = map[string]bool{subArrests: true, subDisrupted: true, subLooting: true}

// abductionWords are the verbs of an abduction that may follow the attack
// it was part of.
var abductionWords = cues.set("abduction-words")

// abductsAfter reports an abduction told after the attack in its clause:
// "raided X and kidnapped 30 women", "attacked the village, abducting 12".
func (r *reader) abductsAfter(ts []tok, o *occ) bool {
	for _, t := range ts {
		if t.start >= r.toks[o.last-1].end && abductionWords[t.low] {
			return true
		}
	}
	return false
}

// deadAre reports a kill word whose victims, within the few words after
// it, are of set: "killing 3 civilians", "killed two soldiers".
func deadAre(ts []tok, set map[string]bool) bool {
	for i, t := range ts {
		if !killWords[t.low] {
			continue
		}
		for j := i + 1; j < len(ts) && j <= i+5; j++ {
			if set[ts[j].low] {
				return true
			}
			if ts[j].text == "," || ts[j].low == "and" {
				break
			}
		}
	}
	return false
}

// armedSubject reports an armed group among the words right before a
// trigger: "M23 fighters marched".
func armedSubject(back []tok) bool {
	for _, t := range back {
		switch t.low {
		case "fighters", "rebels", "troops", "soldiers", "militants", "insurgents", "jihadists", "gunmen", "militiamen",
			"forces", "militia", "militias", "army":
			return true
		}
	}
	return false
}

// hasRef reports whether a sentence names a place.
func (r *reader) hasRef(s sentence) bool {
	for i := s.first; i < s.last; i++ {
		if r.refStarting(i) >= 0 {
			return true
		}
	}
	return false
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func lows(ts []tok) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.low
	}
	return out
}

// clause returns the word tokens of the clause around the occurrence,
// from the previous hard boundary to the next one.
func (r *reader) clause(s sentence, o *occ) []tok {
	a := o.first
	for a > s.first && !isHardBoundary(r.toks[a-1]) {
		a--
	}
	b := o.last
	for b < s.last && !isHardBoundary(r.toks[b]) {
		b++
	}
	return r.toks[a:b]
}

// negated reports whether the text says the event did not or will not
// happen: "no attacks", "avoided any direct attack", "refrain from
// striking", "to cease all attacks".
func (r *reader) negated(s sentence, o *occ) bool {
	back := r.before(s, o, 4, true)
	for i, t := range back {
		if negations[t.low] || strings.HasSuffix(t.low, "n't") {
			if t.low == "off" && !(i+1 < len(back) && (back[i+1].low == "called" || back[i+1].low == "call")) {
				continue
			}
			if (t.low == "denied" || t.low == "deny" || t.low == "denies") && i > 1 {
				continue // "denied responsibility for the attack": the attack happened
			}
			// "efforts to end the war", "to halt the fighting": what is to be
			// ended is going on.
			if o.t.typ == geo.Battles && !o.t.weak {
				switch t.low {
				case "end", "ending", "halt", "halting", "stop", "stopping":
					continue
				}
			}
			// "would not hesitate to strike", "did not rule out strikes": a
			// threat, not a denial.
			if i > 0 && (back[i-1].low == "hesitate" || back[i-1].low == "rule") {
				continue
			}
			return true
		}
		if t.low == "back" && i+1 < len(back) && (back[i+1].low == "scale" || back[i+1].low == "scaled") {
			return true
		}
	}
	return false
}

// definite reports whether the trigger refers back to an event told
// before: "the strikes", "these attacks".
func (r *reader) definite(s sentence, o *occ) bool {
	if r.on("link-counted") && r.victimsAfter(s, o) {
		return false // "the abduction of nine guards" tells the number: news
	}
	for k, n := o.first-1, 0; k >= s.first && n < 3; k, n = k-1, n+1 {
		switch r.toks[k].low {
		case "the", "these", "those", "this", "that", "such", "its", "their":
			return true
		case "a", "an", "two", "three", "several", "dozens", "new", "more", "further", "fresh":
			return false
		}
		if r.toks[k].kind != tWord || endsLikeVerb(r.toks[k]) {
			return false
		}
	}
	return false
}

// endsLikeVerb reports a lower-case word ending in "-s" ("intensifies",
// "rebels") standing between a trigger and a "the" before it: a verb or the
// head of another noun phrase ("the movement intensifies drone strikes",
// "the rebels attacked"), so the "the" is not the trigger's.
func endsLikeVerb(t tok) bool {
	w := t.low
	return !t.cap && len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is")
}

// offshore returns the sea an event "off" place ref happened in ("off
// Yemen", "off the coast of Hodeidah") and the part of the sea's extent
// that overlaps the place's, when the text names a sea whose extent meets
// the place's: the sea named nearest the sentence, in it or before it.
func (r *reader) offshore(s sentence, ref int) (*geo.Place, orb.Bound) {
	m := &r.refs[ref]
	k := m.first - 1
	if k >= s.first+3 && r.toks[k].low == "of" && r.toks[k-1].low == "coast" && r.toks[k-2].low == "the" {
		k -= 3
	}
	if k < s.first || r.toks[k].low != "off" || m.place.Bound == nil {
		return nil, orb.Bound{}
	}
	best, bestDist := -1, 0
	for i := range r.refs {
		p := r.refs[i].place
		if p.Bound == nil || !seaCodes[p.FeatureCode] || !p.Bound.Intersects(*m.place.Bound) {
			continue
		}
		d := abs(r.refs[i].first - m.first)
		if r.refs[i].first > s.last {
			d += len(r.toks) // a sea named later in the text only if none before
		}
		if best < 0 || d < bestDist {
			best, bestDist = i, d
		}
	}
	if best < 0 {
		return nil, orb.Bound{}
	}
	sea := r.refs[best].place
	a, b := *sea.Bound, *m.place.Bound
	part := orb.Bound{Min: orb.Point{max(a.Min[0], b.Min[0]), max(a.Min[1], b.Min[1])},
		Max: orb.Point{min(a.Max[0], b.Max[0]), min(a.Max[1], b.Max[1])}}
	return &sea, part
}

// seaCodes are the feature codes of waters an event off a coast is in.
var seaCodes = map[string]bool{"SEA": true, "OCN": true, "GULF": true, "BAY": true, "STRT": true, "CHN": true}

// another reports a word of the trigger's clause before it that marks the
// event as one more of its kind: "another bomber detonated", "a second
// explosion", "fresh clashes".
func (r *reader) another(s sentence, o *occ) bool {
	for k, n := o.first-1, 0; k >= s.first && n < 6; k, n = k-1, n+1 {
		t := r.toks[k]
		if t.kind == tPunct {
			return false
		}
		if distinctMarkers[t.low] {
			return true
		}
	}
	return false
}

// victims reports a number of people the event befell, told with its
// trigger: "the abduction of at least nine truck drivers", "130 people
// had been detained". Like a death toll, a count of the people taken,
// held or hurt is a detail of an event of its own, not of one told before.
func (r *reader) victims(s sentence, o *occ) bool {
	if r.victimsAfter(s, o) {
		return true
	}
	// "<number> [people] (had|have|were|was)? (been)? <trigger>"
	for k, n := o.first-1, 0; k >= s.first && n < 5; k, n = k-1, n+1 {
		t := r.toks[k]
		if t.kind == tPunct {
			return false
		}
		if v, ok := numberValue(t); ok && v > 0 && t.low != "a" && t.low != "an" && t.low != "one" {
			next := ""
			if k+1 < s.last {
				next = r.toks[k+1].low
			}
			return next != "of" && !isTimeUnit(next)
		}
		if !personNouns[strings.TrimSuffix(t.low, "s")] && !victimFillers[t.low] {
			return false
		}
	}
	return false
}

// victimsAfter reports "TRIGGER of [at least] NUMBER".
func (r *reader) victimsAfter(s sentence, o *occ) bool {
	k := o.last
	if k >= s.last || r.toks[k].low != "of" {
		return false
	}
	k++
	for n := 0; k < s.last && n < 4 && quantifiers[r.toks[k].low] && r.toks[k].low != "the"; n++ {
		k++
	}
	if k >= s.last || vagueCounts[r.toks[k].low] {
		return false
	}
	v, ok := numberValue(r.toks[k])
	return ok && v > 0 && r.toks[k].low != "a" && r.toks[k].low != "an"
}

// modality reads whether the event happened, is going on, or is only
// threatened or planned.
func (r *reader) modality(s sentence, o *occ, exprs []dateExpr) string {
	back := r.before(s, o, 10, true)
	// "promised to retaliate for a drone attack": what comes after "for"
	// is the cause, and it happened.
	for i, t := range back {
		cause := false
		switch t.low {
		case "after", "following", "over":
			cause = true
		case "for":
			// "called for a ceasefire" is a wish, not a cause.
			cause = i+1 >= len(back) || !wishVerbs[back[i+1].low]
		case "to":
			// "expected to respond to the attack": what is responded to
			// has happened.
			// "respond militarily to": an adverb may stand between.
			cause = i+1 < len(back) && (responseWords[back[i+1].low] ||
				(strings.HasSuffix(back[i+1].low, "ly") && i+2 < len(back) && responseWords[back[i+2].low]))
		}
		if cause {
			back = back[:i]
			break
		}
	}
	for i, t := range back {
		if threatWords[t.low] {
			if t.low == "called" || t.low == "calls" || t.low == "calling" {
				if i > 0 && back[i-1].low != "for" && back[i-1].low != "on" {
					continue
				}
			}
			return geo.Threatened
		}
		if t.low == "set" && i > 0 && (back[i-1].low == "for" || back[i-1].low == "to") {
			return geo.Threatened
		}
		if t.low == "any" && i <= 2 {
			return geo.Threatened
		}
		if modals[t.low] && !t.cap {
			bridged := true
			for _, b := range back[:i] {
				if !modalBridge[b.low] {
					bridged = false
					break
				}
			}
			if bridged {
				return geo.Threatened
			}
		}
	}
	// "an armed attack on Philippine vessels anywhere in the South China Sea
	// would invoke the treaty": an indefinite event with a modal after it.
	if k := o.first - 1; k >= s.first && (r.toks[k].low == "an" || r.toks[k].low == "a" || r.toks[k].low == "any" ||
		(k > s.first && (r.toks[k-1].low == "an" || r.toks[k-1].low == "a" || r.toks[k-1].low == "any"))) {
		for i, t := range r.after(s, o, 12) {
			// "told a news conference in Iran that any attack on X will be
			// met": the modal belongs to the reported speech, not to the
			// event that reports it.
			if t.low == "said" || t.low == "says" || t.low == "told" || (t.low == "that" && i > 0) {
				break
			}
			if modals[t.low] && !t.cap && t.low != "can" {
				return geo.Threatened
			}
		}
	}
	// "an assault on Rafah would be catastrophic", "attacks will intensify".
	fwd := r.after(s, o, 8)
	for i, t := range fwd {
		if modals[t.low] && i+1 < len(fwd) && !t.cap {
			switch fwd[i+1].low {
			case "be", "intensify", "escalate", "continue", "lead", "mean", "trigger", "spark", "provoke", "come",
				"begin", "start", "happen", "result", "resume", "follow", "cross", "look", "take", "target", "hit",
				"draw", "drag", "push", "send", "bring", "unfold", "prompt", "force", "cause":
				return geo.Threatened
			}
		}
		// "more strikes are coming": the progressive of "come" tells
		// what is to happen (English grammar: the futurate progressive).
		if i == 0 && (t.low == "are" || t.low == "is" || t.low == "were" || t.low == "was") && len(fwd) > 1 && fwd[1].low == "coming" {
			return geo.Threatened
		}
		if t.low == "said" || t.low == "says" {
			break
		}
	}
	// Ongoing: "almost daily", "continue to", "have been attacking",
	// "since early May".
	around := r.around(s, o, 8, 10)
	for i, t := range around {
		if ongoingWords[t.low] {
			return geo.Ongoing
		}
		// "near-daily", "twice-weekly": the repetition ends the word.
		if k := strings.LastIndexByte(t.low, '-'); k > 0 && ongoingWords[t.low[k+1:]] && r.on("modality-span") {
			return geo.Ongoing
		}
		// "during the conflict", "throughout the war": told over a span,
		// not on a day.
		if spanPreps[t.low] && i+1 < len(around) && around[i+1].low == "the" && r.on("modality-span") {
			for j := i + 2; j < len(around) && j < i+5; j++ {
				if spanNouns[around[j].low] {
					return geo.Ongoing
				}
			}
		}
		if (t.low == "weeks" || t.low == "months" || t.low == "years") && i > 0 && around[i-1].low == "for" {
			return geo.Ongoing
		}
		// "for a third week", "for a second day", "kept up", "pressed on".
		if (t.low == "day" || t.low == "week" || t.low == "month") && i > 0 && ordinalish[around[i-1].low] {
			return geo.Ongoing
		}
		if i > 0 && ((t.low == "up" && (around[i-1].low == "kept" || around[i-1].low == "keep" || around[i-1].low == "keeps")) ||
			(t.low == "on" && (around[i-1].low == "pressed" || around[i-1].low == "pushed" || around[i-1].low == "pressing"))) {
			return geo.Ongoing
		}
	}
	// "has been under RSF siege for more than a year", "has been under
	// attack": a state that goes on.
	for k := 0; k < 2 && k+1 < len(back); k++ {
		if back[k].low == "under" && back[k+1].low == "been" {
			return geo.Ongoing
		}
	}
	if len(back) >= 2 && strings.HasSuffix(r.toks[o.first].low, "ing") {
		b0, b1 := back[0].low, back[1].low
		if b0 == "been" && (b1 == "have" || b1 == "has" || b1 == "had") || b0 == "is" || b0 == "are" {
			return geo.Ongoing
		}
	}
	if o.date.kind == dSince && !r.counted(s, o) {
		return geo.Ongoing
	}
	if o.t.war {
		for _, t := range around {
			if warEndWords[t.low] {
				return geo.Occurred
			}
		}
		for _, e := range exprs {
			if e.r.kind == dText && !r.dates.pub.IsZero() && e.r.end.Before(r.dates.pub.AddDate(0, -6, 0)) {
				return geo.Occurred
			}
		}
		return geo.Ongoing
	}
	return geo.Occurred
}

// counted reports whether the trigger is counted ("two small ones", "170
// attacks", "a series of strikes"): events that happened, however long the
// span they are counted over.
func (r *reader) counted(s sentence, o *occ) bool {
	for k, n := o.first-1, 0; k >= s.first && n < 4; k, n = k-1, n+1 {
		t := r.toks[k]
		if _, ok := numberValue(t); ok && t.low != "a" && t.low != "an" {
			return true
		}
		switch t.low {
		case "series", "dozens", "scores", "hundreds", "several", "wave", "spate", "string":
			return true
		}
	}
	return false
}

// wishVerbs take "for" and what is wished: "called for a ceasefire".
var wishVerbs = cues.set("wish-verbs")

// ordinalish words count the days of a running event: "for a third week".
var ordinalish = cues.set("ordinalish")

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// resolveAnaphora dates "hours later", "days after" from the date before
// them in the sentence, else from the previous sentences', else from
// publication.
func (r *reader) resolveAnaphora(exprs []dateExpr) {
	for i := range exprs {
		e := &exprs[i]
		if !e.anaphor {
			continue
		}
		ref := r.lastDate
		for k := i - 1; k >= 0; k-- {
			if !exprs[k].anaphor && exprs[k].r.kind != dNone {
				ref = exprs[k].r.start
				break
			}
		}
		if ref.IsZero() {
			ref = r.dates.pub
		}
		if ref.IsZero() {
			e.r.kind = dNone
			continue
		}
		e.r.start, e.r.end, e.r.kind = ref.AddDate(0, 0, e.from), ref.AddDate(0, 0, e.to), dText
	}
}

// chooseDate picks the date expression that dates the occurrence: the
// nearest one in its clause, one that dates the event rather than the
// report ("officials said Wednesday") when there is a choice. Without one,
// an event is dated to the fortnight before publication (a threatened one
// to publication), or not at all when the publication date is unknown.
func (r *reader) chooseDate(s sentence, o *occ, exprs []dateExpr) dateRange {
	best, bestScore := -1, 1<<30
	for i, e := range exprs {
		if e.r.kind == dNone {
			continue
		}
		d := 0
		switch {
		case e.first >= o.last:
			d = e.first - o.last
		case e.last <= o.first:
			d = (o.first - e.last) + 2 // a date after the trigger usually dates it
		}
		if e.reporting {
			d += 40
		}
		if r.crossesClause(min(e.first, o.first), max(e.last, o.last)) {
			d += 20
		}
		if r.hasComma(min(e.last, o.last), max(e.first, o.first)) {
			d += 3
		}
		if d < bestScore {
			best, bestScore = i, d
		}
	}
	if best >= 0 {
		return exprs[best].r
	}
	return r.undated()
}

// undated is the date of an event its sentence does not date: the recent
// date of the sentences before, else the fortnight before publication.
func (r *reader) undated() dateRange {
	pub := r.dates.pub
	if pub.IsZero() {
		return dateRange{kind: dNone}
	}
	if r.context.kind == dContext && r.on("date-context") {
		return r.context
	}
	start := pub.Add(-defaultSpan)
	return dateRange{start: start, end: pub, prec: geo.TimeMonth, kind: dDefault}
}

// crossesClause reports whether tokens [a, b) span a clause boundary.
func (r *reader) crossesClause(a, b int) bool {
	for k := a; k < b; k++ {
		t := r.toks[k]
		if isHardBoundary(t) || clauseStops[t.low] {
			return true
		}
	}
	return false
}

// assignKills gives each number of dead to the nearest trigger that names
// an event of the sentence, else to the nearest trigger (a "killed"
// trigger only when there is no other).
func (r *reader) assignKills(occs []occ, kills []killCount, eventful map[int]bool) {
	for _, k := range kills {
		best, bestD := -1, 1<<30
		for pass := 0; pass < 3 && best < 0; pass++ {
			for i := range occs {
				o := &occs[i]
				if o.negated || o.typ == geo.StrategicDevelopments || (pass == 0 && !eventful[i]) || (pass == 1 && o.t.weak) || (pass == 2 && !o.t.weak) {
					continue
				}
				d := abs(k.at - o.first)
				if k.at < o.first {
					d = o.first - k.at
				} else if k.at >= o.last {
					d = k.at - o.last
				} else {
					d = 0
				}
				if r.crossesClause(min(k.at, o.first), max(k.at, o.last)) {
					d += 10
				}
				if k.at > o.last && r.causeBetween(o.last, k.at) {
					continue // "strikes for the killing of three soldiers": another event's dead
				}
				if d < bestD {
					best, bestD = i, d
				}
			}
		}
		if best < 0 {
			continue
		}
		o := &occs[best]
		if o.fatalities == nil || *o.fatalities < k.n {
			n := k.n
			o.fatalities = &n
		}
	}
}

// causeBetween reports whether tokens [a, b) hold a word that makes what
// follows the cause of what precedes: "in retaliation for", "after".
func (r *reader) causeBetween(a, b int) bool {
	for k := a; k < b; k++ {
		switch r.toks[k].low {
		case "for", "after", "over", "avenge", "avenging", "retaliation", "revenge", "following":
			return true
		}
	}
	return false
}

// actors reads who acted and against whom, as the text names them: the
// agent after "by", the subject before the trigger, "between X and Y",
// "clashed with X".
func (r *reader) actors(s sentence, o *occ) {
	// "attack by Israel on ...", "killed by a US drone".
	for k := o.last; k < s.last && k < o.last+3; k++ {
		if r.toks[k].low == "by" {
			if a := r.nounPhrase(k+1, s.last); a != "" {
				o.actor1 = a
			}
			break
		}
		if isHardBoundary(r.toks[k]) || r.toks[k].text == "," {
			break
		}
	}
	// "between X and Y".
	for k := o.last; k < s.last && k < o.last+3; k++ {
		if r.toks[k].low == "between" {
			a := r.nounPhrase(k+1, s.last)
			if a != "" {
				j := k + 1
				for j < s.last && r.toks[j].low != "and" && j < k+8 {
					j++
				}
				o.actor1 = a
				if j < s.last && r.toks[j].low == "and" {
					o.actor2 = r.nounPhrase(j+1, s.last)
				}
			}
			return
		}
	}
	if o.actor1 == "" {
		o.actor1 = r.subject(s, o)
	}
	// "clashed with X", "fighting against X".
	for k := o.last; k < s.last && k < o.last+2; k++ {
		if w := r.toks[k].low; w == "with" || w == "against" {
			if a := r.nounPhrase(k+1, s.last); a != "" && a != o.actor1 {
				o.actor2 = a
			}
			break
		}
	}
}

// subject returns the named actor right before the trigger: "M23 rebels
// shelled", "Islamist militants ambushed", "A Russian guided bomb
// strike", "the Houthis in Yemen attack". It gives up rather than guess
// across a verb ("which is fighting", "proxies ... to attack").
func (r *reader) subject(s sentence, o *occ) string {
	k := o.first - 1
	for skipped := 0; k >= s.first && skipped < 3; skipped++ {
		t := r.toks[k]
		if t.kind != tWord || t.cap || actorNouns[t.low] || subjectStops[t.low] || locPreps[t.low] || clauseStops[t.low] {
			break
		}
		k--
	}
	end := k + 1
	for k >= s.first {
		t := r.toks[k]
		// "the Houthis in Yemen attack": the place says where the actor is.
		if ref := r.refEnding(k); ref >= 0 && r.refs[ref].first > s.first && r.toks[r.refs[ref].first-1].low == "in" && k+1 == end {
			k = r.refs[ref].first - 2
			end = k + 1
			continue
		}
		if t.kind == tWord && (t.cap || actorNouns[t.low] || t.low == "'s") && !r.sentenceInitialFunction(k) && !functionCaps[t.low] {
			k--
			continue
		}
		break
	}
	// A town or region right before a trigger noun says where, not who:
	// "the Red Sea attacks", "the Kharkiv strike".
	if ref := r.refStarting(k + 1); ref >= 0 && r.refs[ref].last == end && !isCountry(r.refs[ref].place) {
		return ""
	}
	return r.phrase(k+1, end)
}

// subjectStops end the walk back from a trigger to its subject.
var subjectStops = cues.set("subject-stops")

// sentenceInitialFunction reports a capitalised function word opening its
// sentence ("The", "A"), which is no part of an actor's name.
func (r *reader) sentenceInitialFunction(k int) bool {
	return r.toks[k].cap && functionCaps[r.toks[k].low]
}

// nounPhrase returns the actor named from token i: capitalised words and
// actor nouns after optional determiners ("a US drone", "Israel", "the
// Israeli military").
func (r *reader) nounPhrase(i, last int) string {
	for i < last && (r.toks[i].low == "the" || r.toks[i].low == "a" || r.toks[i].low == "an") {
		i++
	}
	// Capitalised words and actor nouns, with the lower-case words and
	// hyphens between them: "the U.S.-backed Syrian Democratic Forces",
	// "Arab tribal fighters".
	j, end := i, i
	for j < last && j < i+8 {
		t := r.toks[j]
		switch {
		case t.kind == tWord && (t.cap || actorNouns[t.low] || t.low == "'s") && !functionCaps[t.low]:
			j++
			end = j
			continue
		case (t.kind == tWord && !t.cap && !functionCaps[t.low] && !locPreps[t.low] && !clauseStops[t.low]) ||
			(t.text == "-" && j > i && r.toks[j-1].end == t.start):
			j++
			continue
		}
		break
	}
	return r.phrase(i, end)
}

// phrase returns the text of tokens [a, b), at most 60 bytes, or "".
func (r *reader) phrase(a, b int) string {
	if a >= b {
		return ""
	}
	p := strings.Join(strings.Fields(r.text[r.toks[a].start:r.toks[b-1].end]), " ")
	p = strings.TrimSuffix(strings.TrimSuffix(p, "'s"), "\u2019s")
	if len(p) > 60 || p == "" {
		return ""
	}
	return p
}

func (r *reader) hasComma(a, b int) bool {
	for k := a; k < b; k++ {
		if r.toks[k].text == "," {
			return true
		}
	}
	return false
}

// lendActors gives an occurrence without a named actor the actor of the
// trigger before it in the same sentence ("Israeli forces killed five
// Palestinians during a raid").
func (r *reader) lendActors(occs []occ) {
	for i := 1; i < len(occs); i++ {
		if occs[i].actor1 == "" && occs[i-1].actor1 != "" && occs[i].first-occs[i-1].last < 12 &&
			!r.crossesClause(occs[i-1].last, occs[i].first) && !r.hasComma(occs[i-1].last, occs[i].first) {
			occs[i].actor1 = occs[i-1].actor1
		}
	}
}

// takenSite returns the site of place m whose control trigger o tells of:
// a site noun between the trigger and the place ("seized the airport of
// the city of X") or right after the place ("took X airport"); "" when
// the place itself changed hands, or o is no change of control.
func (r *reader) takenSite(o *occ, m *placeRef) string {
	if o.sub != subOvertakes && o.sub != subRegains && o.sub != subTransfer {
		return ""
	}
	if m.last < len(r.toks) && takenSites[r.toks[m.last].low] {
		return r.toks[m.last].low
	}
	if m.first < o.last || m.first-o.last > 8 {
		return ""
	}
	for k := o.last; k < m.first; k++ {
		if w := r.toks[k].low; takenSites[w] {
			return w
		} else if clauseStops[w] {
			return ""
		}
	}
	return ""
}

// officialTown places the event of a sentence that a town's own official
// reports ("X Mayor Y said drones hit three city districts") at that
// town, when the sentence ties it to no place or only to the country or
// region around the town.
func (r *reader) officialTown(s sentence, occs []occ, ties []tie) []tie {
	town := -1
	start := sort.Search(len(r.refs), func(i int) bool { return r.refs[i].first >= s.first })
	for i := start; i < len(r.refs) && r.refs[i].first < s.last; i++ {
		m := &r.refs[i]
		if m.last < s.last && townOfficials[r.toks[m.last].low] && !isArea(m.place) {
			if town >= 0 {
				return ties // two towns' officials: no telling which
			}
			town = i
		}
	}
	if town < 0 {
		return ties
	}
	for _, t := range ties {
		if !contains(r.refs[t.ref].place, r.refs[town].place) {
			return ties // the sentence names a place of its own
		}
	}
	if len(ties) > 0 {
		// The same event, at the town: the area only says where it is.
		return append(ties, tie{occ: ties[0].occ, ref: town, how: tieCarried})
	}
	for i := range occs {
		o := &occs[i]
		if o.negated || o.t.weak || o.t.only || o.modality != geo.Occurred || !fallsBack(o) {
			continue
		}
		return append(ties, tie{occ: i, ref: town, how: tieCarried})
	}
	return ties
}
