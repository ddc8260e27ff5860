package extract

import (
	"math"
	"strings"
	"unicode"

	"conflictmap/geo"
)

// Mention is a place named in an article's text.
type Mention struct {
	Start, End int    // byte offsets of the mention in the article text
	Text       string // as written
	Place      geo.Place
	Confidence float64 // 0..1: how sure the resolution is (ambiguity, context support)
	// Near: the gazetteer holds no place by this name, and Place is the
	// smallest place the text gives beside it ("X village, Kaduna State").
	Near bool
}

// placeLexicon is what place finding uses of a gazetteer beyond Gazetteer
// when the gazetteer offers it (package gazetteer does): demonyms as context,
// given names and stopwords to tell people from places, the gazetteer's own
// rank classes and its name keys. Without it, place finding still works on
// Lookup alone, with feature codes for ranks.
type placeLexicon interface {
	Demonym(word string) (cc string, ok bool)
	GivenName(word string) bool
	Stopword(word string) bool
	Tier(p geo.Place) int
	Key(name string) string
	HasPrefix(name string) bool
	Prominence(p geo.Place) int
	CommonWord(word string) bool
}

// Bounds that keep the work per token and per article small whatever the input.
const (
	plMaxPhrase     = 8  // words tried in one name
	plMaxCands      = 40 // readings weighed for one name
	plMaxNeighbours = 60 // town-level places used as proximity evidence
	plRounds        = 4  // rounds of re-reading each name in the light of the others
)

// Scores of a reading. A country, a sea or a reviewed region beats any town
// unless the text says otherwise ("Jordan, Minnesota"). The support of the
// article's other places outweighs the gap between a capital and an admin
// seat ("Tripoli" in a Lebanon story) in proportion to how much of the
// article is about that country, so that one mention of Washington in a
// story about Sudan does not move "Geneva" to Illinois.
var plTierScore = [...]float64{90, 88, 60, 40, 35, 22, 18, 10, 0}

const (
	plCountryBonus      = 12.0  // some of the article's other places lie in the reading's country
	plCountryShare      = 28.0  // ... times the share of the article's places that do
	plAdmin1Bonus       = 40.0  // ... or in its first-level region
	plProminence        = 0.25  // per GeoNames alternate name of a populated place
	plProminenceMax     = 20.0  // Paris, Damascus, Moscow
	plNearBonus         = 15.0  // another place of the article lies within 50 km
	plNearishBonus      = 8.0   // ... or within 150 km
	plPatternBonus      = 200.0 // "X, Country" or "X in Country" says so
	plContainsBonus     = 60.0  // the container of such a pattern holds the reading of X
	plPatternAltBonus   = 150.0 // "X, Y" where another reading of Y than the chosen one holds X
	plContainsAltBonus  = 45.0  // ... and, the reverse, where another reading of X lies in the reading
	plDemonymBonus      = 100.0 // "X, the Syrian capital"
	plColocBonus        = 15.0  // a county of the article holds the reading, or the reading holds a town of the article
	plAltPenalty        = 5.0   // matched through an alternate name only
	plCityRegionPenalty = 15.0  // a region that shares its name with a big city in it
)

// Lower-case words that may stand inside a place name.
var plParticles = map[string]bool{
	"of": true, "the": true, "al": true, "el": true, "de": true, "du": true, "la": true, "le": true,
	"les": true, "des": true, "di": true, "da": true, "do": true, "dos": true, "das": true, "del": true,
	"van": true, "von": true, "bin": true, "ibn": true, "bint": true, "ad": true, "as": true, "ash": true,
	"at": true, "az": true, "an": true, "ar": true, "en": true, "ez": true, "es": true, "ed": true,
	"er": true, "et": true, "y": true, "on": true, "upon": true, "sur": true, "am": true, "im": true,
	"au": true, "aux": true, "sous": true, "lo": true, "los": true, "las": true, "il": true,
}

// plLongerName are the lower-case particles that join the parts of one
// Spanish, French, Portuguese or Italian name: a name read before one of
// them and a capitalised word is only the start of a longer name.
var plLongerName = map[string]bool{
	"de": true, "del": true, "da": true, "do": true, "dos": true, "das": true, "di": true, "du": true, "des": true,
}

// Titles before a person's name ("President Biden", "Gen. Kenneth
// McKenzie"): the capitalised words after one are a name, not a place.
var plTitles = map[string]bool{
	"president": true, "minister": true, "premier": true, "chancellor": true, "secretary": true,
	"general": true, "gen": true, "maj": true, "major": true, "col": true, "colonel": true, "lt": true,
	"lieutenant": true, "sgt": true, "sergeant": true, "adm": true, "admiral": true, "capt": true,
	"captain": true, "brig": true, "commander": true, "cmdr": true, "marshal": true, "mr": true, "mrs": true,
	"ms": true, "dr": true, "prof": true, "professor": true, "sen": true, "senator": true, "rep": true,
	"representative": true, "gov": true, "governor": true, "mayor": true, "king": true, "queen": true,
	"prince": true, "princess": true, "emir": true, "sheikh": true, "shaikh": true, "ayatollah": true,
	"imam": true, "pope": true, "rev": true, "father": true, "sister": true, "brother": true, "judge": true,
	"justice": true, "ambassador": true, "envoy": true, "spokesman": true, "spokeswoman": true,
	"spokesperson": true, "pres": true, "sultan": true, "crown": true, "cpl": true, "pvt": true,
	"jr": true, "sr": true,
}

// Last words of organisation names ("George Washington University",
// "Quds Force", "Tehran Times"): a place inside such a name is not where
// something happened.
var plOrgWords = map[string]bool{
	"university": true, "college": true, "institute": true, "academy": true, "school": true,
	"force": true, "forces": true, "corps": true, "army": true, "navy": true, "guard": true, "guards": true,
	"brigade": true, "brigades": true, "battalion": true, "regiment": true, "division": true,
	"command": true, "department": true, "ministry": true, "agency": true, "authority": true,
	"commission": true, "committee": true, "council": true, "party": true, "front": true,
	"movement": true, "group": true, "company": true, "corporation": true, "inc": true, "ltd": true,
	"airlines": true, "airways": true, "news": true, "times": true, "post": true, "herald": true,
	"tribune": true, "journal": true, "gazette": true, "telegraph": true, "guardian": true,
	"observer": true, "monitor": true, "press": true, "television": true, "tv": true, "radio": true,
	"foundation": true, "fund": true, "association": true, "organization": true, "organisation": true,
	"federation": true, "league": true, "club": true, "fc": true, "cup": true, "network": true,
	"studies": true, "center": true, "centre": true, "society": true, "union": true, "coalition": true,
	"alliance": true, "police": true, "service": true, "services": true, "office": true,
}

// Words that follow a place name without making it a person's name
// ("Mosul Dam", "Baghdad Airport", "Jordan Valley").
var plDescriptors = map[string]bool{
	"river": true, "valley": true, "dam": true, "airport": true, "gate": true, "bridge": true,
	"plain": true, "plains": true, "hills": true, "heights": true, "mountains": true, "mountain": true,
	"harbour": true, "harbor": true, "port": true, "bay": true, "beach": true, "camp": true, "base": true,
	"crossing": true, "corridor": true, "square": true, "street": true, "road": true, "highway": true,
	"province": true, "governorate": true, "oblast": true, "region": true, "district": true,
	"state": true, "city": true, "county": true, "island": true, "islands": true, "strait": true,
	"sea": true, "gulf": true, "lake": true, "desert": true, "border": true, "front": true,
	"airbase": true, "prison": true, "hospital": true, "mosque": true, "refinery": true,
}

// Lower-case words that end some names of the gazetteer.
var plTrailing = map[string]bool{
	"province": true, "governorate": true, "region": true, "oblast": true, "state": true,
	"crossing": true, "corridor": true, "camp": true, "base": true, "garrison": true,
	"strait": true, "peninsula": true, "district": true,
}

// Words between two place names of an "X in [southern] Country" pattern.
var plDirections = map[string]bool{
	"northern": true, "southern": true, "eastern": true, "western": true, "central": true,
	"north": true, "south": true, "east": true, "west": true, "northeastern": true,
	"northwestern": true, "southeastern": true, "southwestern": true, "northeast": true,
	"northwest": true, "southeast": true, "southwest": true, "the": true, "occupied": true,
}

// plCand is one reading of a name.
type plCand struct {
	place geo.Place
	tier  int
	prior float64
	alt   bool // matched through an alternate name
}

// plFound is one mention before resolution.
type plFound struct {
	start, end int // byte offsets
	t0, t1     int // tokens [t0, t1)
	group      int
	near       bool // a name no tier holds, read as the place beside it
}

// plGroup is every mention of one name: an article means one place by one
// name (one sense per discourse), so the readings are weighed once.
type plGroup struct {
	key     string
	cands   []plCand
	count   int
	choice  int
	score   float64
	margin  float64
	support bool // the chosen reading has context support
	// hasCountry: one reading is a country.
	hasCountry bool
	// containers are the groups named as this one's container ("X, Y").
	containers []int
	// demonymCC are countries named by "X, the Syrian capital".
	demonymCC []string
	// coloc marks the readings that lie in, or hold, a reading of another
	// name of the article: a county and a town of it ("Henry County" and
	// "Paris" both in Tennessee).
	coloc []bool
	// parenAdmins are the groups named in brackets right after a mention
	// of this one: its district and province ("Kauru (Kauru, Kaduna)").
	parenAdmins []int
	// villageConf is the confidence of a village-tier reading, set by the
	// kind of support the text gives it (places_villages.go).
	villageConf float64
}

// plResolver holds the state of one call of places.
type plResolver struct {
	gaz      Gazetteer
	lex      placeLexicon
	text     string
	toks     []plToken
	found    []plFound
	groups   []*plGroup
	byKey    map[string]int
	demonyms map[string]int  // cc -> occurrences of its demonyms
	persons  map[string]bool // keys of words seen in people's names
	// keys of first words of names the text puts after a village noun
	nounNamed map[string]bool
	abbrevs   map[byte][]abbrevPlace
	vil       villageTier // nil without a village tier
	pending   []plPending // village names left for the article's context
	foundAt   map[int]int // first token -> found mention, while reading villages
	// demonymAt are the demonyms read, in text order ("Iraqi", "South
	// Korean"): context for the resolution, and mentions of their country
	// for geoparsing.
	demonymAt []Demonym
	// off are the extractor's rules switched off (Extractor.Without).
	off map[string]bool
	// named are places read inside the name of an organisation ("the
	// Texas Department of Public Safety"): resolved like the others, but
	// neither context for them nor mentions the extractor reads.
	named []plFound
	// looked holds the gazetteer's readings of the phrases already looked
	// up in this text: place finding asks for the same word or phrase at
	// every occurrence, and from several rules.
	looked map[string][]geo.Place
	// keys holds the lexicon's keys of the words and phrases already keyed
	// in this text, for the same reason.
	keys map[string]string
	// words and prefixes hold the lexicon's answers about the words and
	// phrases already asked about in this text (see word, hasPrefix).
	words    map[string]plWord
	prefixes map[string]bool
}

// Demonym is a word of nationality in the text ("Iraqi", "Iraqis") and the
// country it names.
type Demonym struct {
	Start, End  int // byte offsets
	CountryCode string
}

// places finds the place mentions of text and resolves each, using the whole text as context.
func (x *Extractor) places(text string) []Mention {
	return x.placesAndDemonyms(text).mentions
}

// placeReading is everything place finding read in a text: the mentions
// the extractor reads, the demonyms it took as context, and the places
// inside names of organisations.
type placeReading struct {
	mentions []Mention
	demonyms []Demonym
	names    []Mention
}

// placesAndDemonyms is places with the demonyms the reading took as
// context and the places inside organisations' names.
func (x *Extractor) placesAndDemonyms(text string) placeReading {
	if x == nil || x.gaz == nil || text == "" {
		return placeReading{}
	}
	r := &plResolver{gaz: x.gaz, text: text, byKey: map[string]int{}, looked: map[string][]geo.Place{}, keys: map[string]string{}, words: map[string]plWord{}, prefixes: map[string]bool{}, demonyms: map[string]int{}, persons: map[string]bool{}, abbrevs: x.abbrevs, off: x.off}
	r.lex, _ = x.gaz.(placeLexicon)
	r.vil, _ = x.gaz.(villageTier)
	r.toks = plTokenize(text)
	r.find()
	if len(r.found) == 0 && len(r.named) == 0 && r.vil == nil {
		return placeReading{demonyms: r.demonymAt}
	}
	r.villagesBefore()
	r.patterns()
	r.colocate()
	r.resolve()
	r.villagesAfter()
	resolved := func(fs []plFound) []Mention {
		out := make([]Mention, 0, len(fs))
		for _, f := range fs {
			g := r.groups[f.group]
			if g.choice < 0 {
				continue
			}
			out = append(out, Mention{
				Start:      f.start,
				End:        f.end,
				Text:       text[f.start:f.end],
				Place:      g.cands[g.choice].place,
				Confidence: r.confidence(g),
				Near:       f.near,
			})
		}
		return out
	}
	return placeReading{mentions: resolved(r.found), demonyms: r.demonymAt, names: resolved(r.named)}
}

// on reports whether the named rule is switched on.
func (r *plResolver) on(name string) bool {
	return !r.off[name]
}

func (r *plResolver) key(s string) string {
	if r.lex != nil {
		if k, ok := r.keys[s]; ok {
			return k
		}
		k := r.lex.Key(s)
		r.keys[s] = k
		return k
	}
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c)
	}), " "))
}

func (r *plResolver) stop(w string) bool {
	return r.lex != nil && r.word(w).stop
}

func (r *plResolver) givenName(w string) bool {
	return r.lex != nil && r.word(w).given
}

func (r *plResolver) demonym(w string) (string, bool) {
	if r.lex == nil {
		return "", false
	}
	k := r.word(w)
	return k.demonym, k.isDemonym
}

// plWord is what the lexicon knows of a word or phrase of the text.
type plWord struct {
	stop, given, isDemonym bool
	demonym                string // the demonym's country
}

// word returns what the lexicon knows of w, asking it once per text: the
// same words come back at every occurrence and through several rules, and
// each question normalises the word again. It needs r.lex.
func (r *plResolver) word(w string) plWord {
	if k, ok := r.words[w]; ok {
		return k
	}
	k := plWord{stop: r.lex.Stopword(w), given: r.lex.GivenName(w)}
	k.demonym, k.isDemonym = r.lex.Demonym(w)
	r.words[w] = k
	return k
}

// hasPrefix reports whether some name starts with phrase, asking the
// lexicon once per phrase and text. It needs r.lex.
func (r *plResolver) hasPrefix(phrase string) bool {
	if ok, seen := r.prefixes[phrase]; seen {
		return ok
	}
	ok := r.lex.HasPrefix(phrase)
	r.prefixes[phrase] = ok
	return ok
}

func (r *plResolver) tier(p geo.Place) int {
	if r.lex != nil {
		return r.lex.Tier(p)
	}
	switch p.FeatureCode {
	case "PCLI":
		return 0
	case "SEA", "GULF", "STRT", "OCN", "RGN":
		return 1
	case "PPLC":
		return 2
	case "PPLA":
		return 3
	case "ADM1":
		return 4
	case "PPLA2":
		return 5
	}
	return 7
}

// runEnd returns the end (exclusive) of the run of name-like tokens that
// starts at i: capitalised words, numbers and particles joined by spaces or
// hyphens, never ending in a particle.
func (r *plResolver) runEnd(i int) int {
	last := i + 1
	for j := i + 1; j < len(r.toks); j++ {
		t := r.toks[j]
		if t.sep > plSepHyphen || r.toks[j-1].possessive {
			break
		}
		if t.capital || plIsNumber(t.text) {
			last = j + 1
			continue
		}
		if !plParticles[strings.ToLower(t.text)] {
			break
		}
	}
	return last
}

// plShortCaps reports a word of two or three capital letters.
func plShortCaps(w string) bool {
	if len(w) < 2 || len(w) > 3 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

func plIsNumber(w string) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return w != ""
}

// find collects the candidate mentions, longest name first. A lower-case
// "the" is left out of a mention ("the Red Sea" is "Red Sea"); the
// gazetteer indexes names such as "The Hague" without their article too.
func (r *plResolver) find() {
	maxN := min(max(r.gaz.MaxWords(), 1), plMaxPhrase)
	// A name the text calls a town or village anywhere ("the town of Adan
	// Yabaal") is that place wherever it comes, not a person's name
	// although it opens with a given name.
	r.nounNamed = map[string]bool{}
	for i := range r.toks {
		if r.toks[i].capital && r.nounBefore(i) {
			r.nounNamed[r.key(r.toks[i].text)] = true
		}
	}
	for i := 0; i < len(r.toks); {
		if !r.toks[i].capital {
			i++
			continue
		}
		i = r.scanRun(i, r.runEnd(i), maxN)
	}
}

// scanRun reads the names of one run of tokens [i, end) and returns where
// scanning goes on.
func (r *plResolver) scanRun(i, end, maxN int) int {
	// An organisation's name holds no event place, unless it is a place's name.
	lastWord := strings.ToLower(r.toks[end-1].text)
	if plOrgWords[lastWord] && end-i > 1 && len(r.lookup(r.span(i, end))) == 0 {
		r.noteNamed(i, end-1, maxN)
		return end
	}
	// A lower-case word that ends some names may close the run's last name
	// ("Idlib province", "Rafah crossing", "Bab el-Mandeb strait").
	last := end
	if end < len(r.toks) && r.toks[end].sep == plSepSpace && !r.toks[end-1].possessive && plTrailing[r.toks[end].text] {
		last = end + 1
	}
	for i < end {
		t := r.toks[i]
		// "Springfield, Ill.", "Moonbi, NSW": a region's abbreviation.
		// "Pakistan-administered Kashmir": a written form that joins a
		// lower-case word with a hyphen goes on past the capitalised run.
		if n, e, p, ok := r.abbrevAt(i); ok && (i+n <= end || strings.Contains(r.text[r.toks[i].start:e], "-")) {
			r.add(i, i+n, []geo.Place{p})
			r.found[len(r.found)-1].end = e
			i += n
			end = max(end, i)
			continue
		}
		n, cands := r.longest(i, last, maxN)
		if n == 0 {
			w := strings.ToLower(t.text)
			if plTitles[w] && i+1 < end {
				// A title: the rest of the run is a person's name.
				r.notePerson(i+1, end)
				return end
			}
			if r.personAt(i, end) {
				r.notePerson(i, end)
				return end
			}
			// "Pakistani territory", "Iranian airspace": the country's land.
			if n := r.demonymLand(i, end); n > 0 {
				i += n
				continue
			}
			// "Iraqi", "Iranians": context, not a place of an event.
			i += r.noteDemonym(i, end)
			continue
		}
		// "San Juan de Lurigancho": the name goes on past the reading the
		// gazetteer holds, so it is another place, which it does not hold.
		if k := i + n; k+1 < end && plLongerName[r.toks[k].text] && r.toks[k+1].capital {
			return end
		}
		if r.notAPlace(i, n, end, cands) {
			if r.givenName(t.text) || r.startsName(i) {
				r.notePerson(i, end)
				return end
			}
			i += n
			continue
		}
		r.add(i, i+n, cands)
		i += n
	}
	return end
}

// notePerson remembers the words of a person's name at tokens [i, end),
// so that the surname alone later ("Henry's resignation" after "Prime
// Minister Ariel Henry") is the person too. A word that is a country's or a
// city's name ("Minister Israel Katz") is not remembered.
func (r *plResolver) notePerson(i, end int) {
	for j := i; j < end && j-i < 6; j++ {
		t := r.toks[j]
		if !t.capital || len(t.text) < 3 {
			continue
		}
		if cands := r.lookup(t.text); len(cands) > 0 && r.tier(cands[0]) <= 3 {
			continue
		}
		r.persons[r.key(t.text)] = true
	}
}

// plLandNouns are the nouns after a demonym that name the country's land
// itself ("Pakistani territory", "Syrian airspace"), not its people or forces.
var plLandNouns = cues.set("land-nouns")

// demonymLand reads a demonym that ends its run and a land noun after it as
// a mention of the country; it returns the tokens it read (0 when none).
func (r *plResolver) demonymLand(i, end int) int {
	if i+1 != end || end >= len(r.toks) || r.toks[end].sep != plSepSpace || r.toks[i].possessive || !plLandNouns[strings.ToLower(r.toks[end].text)] {
		return 0
	}
	cc, ok := r.demonym(r.toks[i].text)
	if !ok {
		return 0
	}
	p, ok := r.gaz.Country(cc)
	if !ok {
		return 0
	}
	r.demonyms[cc]++
	r.add(i, end+1, []geo.Place{p})
	return 2
}

// noteDemonym counts a one- or two-word demonym at token i ("Iraqi",
// "South Korean") as evidence for its country.
func (r *plResolver) noteDemonym(i, end int) int {
	if i+1 < end {
		if cc, ok := r.demonym(r.span(i, i+2)); ok {
			r.demonyms[cc]++
			r.demonymAt = append(r.demonymAt, Demonym{Start: r.toks[i].start, End: r.toks[i+1].end, CountryCode: cc})
			return 2
		}
	}
	if cc, ok := r.demonym(r.toks[i].text); ok {
		r.demonyms[cc]++
		r.demonymAt = append(r.demonymAt, Demonym{Start: r.toks[i].start, End: r.toks[i].end, CountryCode: cc})
	}
	return 1
}

// lookup returns the gazetteer's readings of name, asking the gazetteer
// once per text. The readings are shared: callers must not change them.
func (r *plResolver) lookup(name string) []geo.Place {
	if cands, ok := r.looked[name]; ok {
		return cands
	}
	cands := r.gaz.Lookup(name)
	r.looked[name] = cands
	return cands
}

func (r *plResolver) span(i, j int) string {
	return r.text[r.toks[i].start:r.toks[j-1].end]
}

// longest returns the longest name starting at token i, within the run.
// A phrase grows only while some name starts with it, so a run of
// capitalised words costs a lookup or two per word, not one per length.
func (r *plResolver) longest(i, end, maxN int) (int, []geo.Place) {
	limit := min(maxN, end-i)
	if r.lex != nil {
		n := 1
		for n < limit && r.hasPrefix(r.span(i, i+n)) {
			n++
		}
		limit = n
	}
	for n := limit; n >= 1; n-- {
		last := r.toks[i+n-1]
		if !last.capital && !plIsNumber(last.text) && !(n > 1 && plTrailing[last.text]) {
			continue
		}
		if n > 1 && r.toks[i+n-2].possessive {
			continue
		}
		phrase := r.span(i, i+n)
		// "us" is no place; "US" is, when the gazetteer knows it as an
		// acronym.
		if n == 1 && r.stop(phrase) && !plShortCaps(strings.ReplaceAll(phrase, ".", "")) {
			return 0, nil
		}
		if n <= 2 {
			if _, ok := r.demonym(phrase); ok {
				return 0, nil
			}
		}
		if cands := r.lookup(phrase); len(cands) > 0 {
			return n, cands
		}
	}
	return 0, nil
}

// personAt reports a person's name at token i: a given name followed by
// another capitalised word of the run that is no place descriptor
// ("Sabrina Singh", "Kenneth F. McKenzie", "Jordan Peterson").
func (r *plResolver) personAt(i, end int) bool {
	// A compass word that opens a name is the name's ("North Waziristan",
	// "West Darfur"), whatever people it names elsewhere.
	if !r.givenName(r.toks[i].text) || i+1 >= end || r.nounNamed[r.key(r.toks[i].text)] || plDirections[strings.ToLower(r.toks[i].text)] {
		return false
	}
	next := r.toks[i+1]
	if !next.capital || next.sep != plSepSpace || r.toks[i].possessive {
		return false
	}
	w := strings.ToLower(next.text)
	// "Richmond Police", "the Florida Association of Realtors": a place
	// named before an organisation's word, not a person.
	if plDescriptors[w] || r.stop(next.text) || plOrgWords[w] || orgHeads[w] {
		return false
	}
	if _, ok := r.demonym(next.text); ok {
		return false
	}
	return true
}

// startsName reports a capitalised word right before token i in the same run
// that is not itself part of a place (the "Azodi" of "Sina Azodi" is after,
// the "Colin P." of "Colin P. Clarke" before).
func (r *plResolver) startsName(i int) bool {
	if i == 0 || r.toks[i].sep != plSepSpace {
		return false
	}
	prev := r.toks[i-1]
	return prev.capital && !prev.possessive && (r.givenName(prev.text) || plTitles[strings.ToLower(prev.text)] || len(prev.text) == 1)
}

// notAPlace applies what a gazetteer can know against a match at tokens
// [i, i+n): a given name or a weak reading inside a person's name.
func (r *plResolver) notAPlace(i, n, end int, cands []geo.Place) bool {
	best := cands[0]
	// A country is never weak, under any of its names ("U.S. House").
	weak := r.tier(best) >= 5 || (r.tier(best) > 0 && r.key(best.Name) != r.key(r.span(i, i+n)))
	// A surname met before in a person's full name.
	if n == 1 && weak && r.persons[r.key(r.toks[i].text)] {
		return true
	}
	// A short word in capitals is an acronym ("BLA", "RSF"): only a
	// country's acronym ("US", "UAE") is a place.
	if n == 1 && plShortCaps(r.toks[i].text) && r.tier(best) != 0 {
		return true
	}
	// Part of a person's name before it: "Colin P. Clarke", "General Ghaani".
	if r.startsName(i) {
		return true
	}
	// A common word opening a sentence is the word ("Reading the report",
	// "Split between factions"), unless it names a country or a capital.
	if n == 1 && r.toks[i].sep == plSepHard && r.lex != nil && r.lex.CommonWord(r.toks[i].text) && r.tier(best) > 2 {
		return true
	}
	if n == 1 && r.personAt(i, end) {
		// "Jordan Peterson" is a person; "Jordan Valley" is not.
		if weak {
			return true
		}
		if next := r.lookup(r.toks[i+1].text); len(next) == 0 || r.tier(next[0]) > 3 {
			return true
		}
	}
	// A weak reading followed by an unknown capitalised word: "Sina Azodi";
	// not a name that ends in a place word ("Douglas County Sheriff").
	if weak && i+n < end && !plDescriptors[strings.ToLower(r.toks[i+n-1].text)] {
		next := r.toks[i+n]
		w := strings.ToLower(next.text)
		if next.capital && next.sep == plSepSpace && !plDescriptors[w] && !r.stop(next.text) && len(r.lookup(next.text)) == 0 {
			if _, ok := r.demonym(next.text); !ok {
				return true
			}
		}
	}
	return false
}

// noteNamed records the places named inside the words [i, end) of an
// organisation's name ("Texas" in "the Texas Department of Public
// Safety", "Gainesville" in "Gainesville Police"), leaving out people's
// names ("George Washington University").
func (r *plResolver) noteNamed(i, end, maxN int) {
	for i < end {
		if r.personAt(i, end) || plTitles[strings.ToLower(r.toks[i].text)] {
			i += 2
			continue
		}
		n, cands := r.longest(i, end, maxN)
		if n == 0 || (n == 1 && plShortCaps(r.toks[i].text) && r.tier(cands[0]) != 0) {
			i++
			continue
		}
		gi := r.group(i, i+n, cands)
		r.named = append(r.named, plFound{start: r.toks[i].start, end: r.toks[i+n-1].end, t0: i, t1: i + n, group: gi})
		i += n
	}
}

// add records a mention of tokens [i, j) with its readings.
func (r *plResolver) add(i, j int, cands []geo.Place) {
	gi := r.group(i, j, cands)
	r.groups[gi].count++
	r.found = append(r.found, plFound{start: r.toks[i].start, end: r.toks[j-1].end, t0: i, t1: j, group: gi})
}

// group returns the group of the name at tokens [i, j), made with its
// readings when the name is new.
func (r *plResolver) group(i, j int, cands []geo.Place) int {
	phrase := r.span(i, j)
	key := r.key(phrase)
	gi, ok := r.byKey[key]
	if !ok {
		g := &plGroup{key: key, choice: -1}
		if len(cands) > plMaxCands {
			cands = cands[:plMaxCands]
		}
		for _, p := range cands {
			c := plCand{place: p, tier: r.tier(p)}
			c.alt = r.key(p.Name) != key && "al "+key != r.key(p.Name)
			c.prior = plTierScore[min(c.tier, len(plTierScore)-1)] + plPopScore(p.Population)
			if c.tier >= 2 && r.lex != nil {
				c.prior += math.Min(plProminenceMax, plProminence*float64(r.lex.Prominence(p)))
			}
			if c.alt {
				c.prior -= plAltPenalty
			}
			g.cands = append(g.cands, c)
			g.hasCountry = g.hasCountry || c.tier == 0
		}
		// A region named like a city of its own ("New York", "Najaf") is the
		// city, unless the text says "state" or "province".
		for k := range g.cands {
			a := &g.cands[k]
			if a.place.FeatureCode != "ADM1" || a.tier <= 1 {
				continue
			}
			for _, b := range g.cands {
				if b.tier >= 2 && b.place.FeatureCode != "ADM1" && b.place.CountryCode == a.place.CountryCode &&
					b.place.Admin1 == a.place.Admin1 && b.place.Population >= 100000 {
					a.prior -= plCityRegionPenalty
					break
				}
			}
		}
		gi = len(r.groups)
		r.groups = append(r.groups, g)
		r.byKey[key] = gi
	}
	return gi
}

func plPopScore(pop int64) float64 {
	if pop <= 0 {
		return 0
	}
	return math.Min(10, 10*math.Log10(1+float64(pop))/7)
}

// patterns finds "X, Y", "X in [southern] Y" and "X, the Syrian capital".
// "X, Y and Z" is a list, not a container, and a sea is in no country.
func (r *plResolver) patterns() {
	for k, a := range r.found {
		// "Kaduna (Kaduna North, Kaduna)": the names in brackets after a
		// mention give its district and province.
		if r.on("link-named-district") && k+1 < len(r.found) && r.found[k+1].t0 == a.t1 && r.parenAt(a.t1) {
			g := r.groups[a.group]
			for m := k + 1; m < len(r.found); m++ {
				if m > k+1 && !(r.found[m].t0 == r.found[m-1].t1 && r.toks[r.found[m].t0].sep == plSepComma) {
					break
				}
				if gi := r.found[m].group; gi != a.group && !plContainsInt(g.parenAdmins, gi) {
					g.parenAdmins = append(g.parenAdmins, gi)
				}
			}
		}
		if k+1 < len(r.found) {
			b := r.found[k+1]
			list := k+2 < len(r.found) && r.listNext(b, r.found[k+2])
			sea := r.groups[a.group].cands[0].place.CountryCode == "" && r.groups[a.group].cands[0].tier <= 1
			if !list && !sea && r.containerPattern(a, b) && a.group != b.group {
				ga := r.groups[a.group]
				if !plContainsInt(ga.containers, b.group) {
					ga.containers = append(ga.containers, b.group)
				}
			}
		}
		// "X, the Syrian capital": a comma, an article, a demonym.
		j := a.t1
		if j+1 < len(r.toks) && r.toks[j].sep == plSepComma {
			w := strings.ToLower(r.toks[j].text)
			if w == "the" || w == "a" || w == "an" {
				if cc, ok := r.demonym(r.toks[j+1].text); ok && r.toks[j+1].sep == plSepSpace {
					g := r.groups[a.group]
					g.demonymCC = append(g.demonymCC, cc)
				}
			}
		}
	}
}

// listNext reports that mention c continues a list after b: "b, c" or
// "b and c" / "b or c".
func (r *plResolver) listNext(b, c plFound) bool {
	if c.t0 == b.t1 {
		return r.toks[c.t0].sep == plSepComma
	}
	if c.t0 == b.t1+1 {
		w := strings.ToLower(r.toks[b.t1].text)
		return w == "and" || w == "or"
	}
	return false
}

// containerPattern reports "A, B" or "A in [the] [southern] B".
func (r *plResolver) containerPattern(a, b plFound) bool {
	if b.t0 == a.t1 {
		return r.toks[b.t0].sep == plSepComma
	}
	between := r.toks[a.t1:b.t0]
	if len(between) > 3 || !strings.EqualFold(between[0].text, "in") || between[0].sep > plSepComma {
		return false
	}
	for _, t := range between[1:] {
		if t.sep != plSepSpace || !plDirections[strings.ToLower(t.text)] {
			return false
		}
	}
	return r.toks[b.t0].sep == plSepSpace
}

func plContainsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// resolve picks a reading for every name: first by rank alone, then again
// and again in the light of the readings chosen for the article's other
// names, until nothing changes.
func (r *plResolver) resolve() {
	for _, g := range r.groups {
		g.choice, g.score, g.margin = plPick(g.cands, func(i int) float64 { return g.cands[i].prior })
	}
	for round := 0; round < plRounds; round++ {
		ev := r.evidence()
		changed := false
		for gi, g := range r.groups {
			choice, score, margin := plPick(g.cands, func(i int) float64 { return r.score(gi, i, ev) })
			if choice != g.choice {
				changed = true
			}
			g.choice, g.score, g.margin = choice, score, margin
			g.support = r.score(gi, choice, ev)-g.cands[choice].prior > 0
		}
		if !changed && round > 0 {
			break
		}
	}
}

// plPick returns the best reading, its score and its lead over the best
// reading that is a different place (more than 30 km away).
func plPick(cands []plCand, score func(int) float64) (int, float64, float64) {
	best, bestScore := -1, math.Inf(-1)
	scores := make([]float64, len(cands))
	for i := range cands {
		scores[i] = score(i)
		if scores[i] > bestScore {
			best, bestScore = i, scores[i]
		}
	}
	second := math.Inf(-1)
	for i := range cands {
		if i != best && scores[i] > second && plDistanceKm(cands[i].place.Point, cands[best].place.Point) > 30 {
			second = scores[i]
		}
	}
	margin := 100.0
	if !math.IsInf(second, -1) {
		margin = bestScore - second
	}
	return best, bestScore, margin
}

// plEvidence is what the article's names say, group by group.
type plEvidence struct {
	country map[string]float64 // cc -> support
	total   float64            // support of all countries
	admin1  map[string]float64 // "cc/admin1" -> support
	own     []plOwn            // what each group itself contributes
	near    []int              // groups whose town-level readings count for proximity
}

type plOwn struct {
	cc, admin1 string
	w          float64
}

func (r *plResolver) evidence() plEvidence {
	ev := plEvidence{country: map[string]float64{}, admin1: map[string]float64{}, own: make([]plOwn, len(r.groups))}
	for gi, g := range r.groups {
		if g.count == 0 {
			continue // named only inside organisations' names
		}
		c := g.cands[g.choice]
		w := 0.5
		if c.tier <= 1 || g.margin >= 15 {
			w = 1
		}
		// Frequent names weigh a little more: "Iran" thirty times is not one mention.
		w *= 1 + 0.1*math.Min(3, math.Log2(float64(g.count)))
		o := plOwn{cc: c.place.CountryCode, w: w}
		if c.place.Admin1 != "" && c.tier != 0 {
			o.admin1 = c.place.CountryCode + "/" + c.place.Admin1
		}
		ev.own[gi] = o
		if o.cc != "" {
			ev.country[o.cc] += w
		}
		if o.admin1 != "" {
			ev.admin1[o.admin1] += w
		}
		if c.tier >= 2 && c.place.Bound == nil && len(ev.near) < plMaxNeighbours {
			ev.near = append(ev.near, gi)
		}
	}
	for cc, n := range r.demonyms {
		ev.country[cc] += math.Min(1, 0.4*float64(n))
	}
	for _, v := range ev.country {
		ev.total += v
	}
	return ev
}

// score is reading i of group gi in the light of the evidence.
func (r *plResolver) score(gi, i int, ev plEvidence) float64 {
	g := r.groups[gi]
	c := g.cands[i]
	s := c.prior
	own := ev.own[gi]
	// A name that is a country's ("Lebanon", "Jordan") means a town of that
	// name only when the text says so ("Jordan, Minnesota"); the company a
	// town keeps in the article may still pick a region ("Georgia" beside
	// Atlanta and Savannah).
	contextual := !g.hasCountry || c.tier <= 1 || c.place.FeatureCode == "ADM1"
	if cc := c.place.CountryCode; cc != "" && contextual {
		sup, total := ev.country[cc], ev.total
		if own.cc != "" {
			total -= own.w
			if own.cc == cc {
				sup -= own.w
			}
		}
		if sup > 0.01 && total > 0.01 {
			s += plCountryBonus*math.Min(1, sup) + plCountryShare*math.Min(1, sup/total)
		}
		if c.tier != 0 && c.place.Admin1 != "" {
			a := cc + "/" + c.place.Admin1
			sup := ev.admin1[a]
			if own.admin1 == a {
				sup -= own.w
			}
			if sup > 0.01 {
				s += plAdmin1Bonus * math.Min(1, sup)
			}
		}
	}
	if c.tier >= 2 && c.place.Bound == nil && contextual {
		best := math.Inf(1)
		for _, ng := range ev.near {
			if ng == gi {
				continue
			}
			o := r.groups[ng]
			best = math.Min(best, plDistanceKm(c.place.Point, o.cands[o.choice].place.Point))
		}
		switch {
		case best < 50:
			s += plNearBonus
		case best < 150:
			s += plNearishBonus
		}
	}
	// "X, Y" names a pair that agrees: a reading of X in the reading of Y
	// chosen so far, or failing that in another reading of Y, so that two
	// names read first as namesakes abroad ("Taraza, Antioquia") find each
	// other.
	pattern := 0.0
	for _, ci := range g.containers {
		cg := r.groups[ci]
		if cg.choice < 0 || c.tier == 0 {
			continue
		}
		for k, y := range cg.cands {
			switch {
			case k == cg.choice && plWithin(c.place, y):
				pattern = plPatternBonus
			case k != cg.choice && plWithin(c.place, y):
				pattern = math.Max(pattern, plPatternAltBonus)
			}
		}
	}
	s += pattern
	// The reverse: this name contains the reading of a name that named it as its container.
	contains := 0.0
	for oi, og := range r.groups {
		// A town's own district in brackets after it says nothing for
		// the province of the same name: "Kaduna (Kaduna North, Kaduna)".
		if oi == gi || og.choice < 0 || !plContainsInt(og.containers, gi) || plContainsInt(g.parenAdmins, oi) {
			continue
		}
		for k, x := range og.cands {
			switch {
			case k == og.choice && plWithin(x.place, c):
				contains = plContainsBonus
			case k != og.choice && x.tier != 0 && plWithin(x.place, c):
				contains = math.Max(contains, plContainsAltBonus)
			}
		}
	}
	s += contains
	if i < len(g.coloc) && g.coloc[i] {
		s += plColocBonus
	}
	for _, cc := range g.demonymCC {
		if c.place.CountryCode == cc {
			s += plDemonymBonus
			break
		}
	}
	return s
}

// plWithin reports whether place p lies in the reading y: its country, its
// first-level region, or the extent of a reviewed region or sea.
func plWithin(p geo.Place, y plCand) bool {
	switch {
	case y.place.GeonameID == p.GeonameID:
		return false
	case y.tier == 0:
		return p.CountryCode == y.place.CountryCode
	case y.place.FeatureCode == "ADM1":
		return p.CountryCode == y.place.CountryCode && p.Admin1 == y.place.Admin1
	case y.place.Bound != nil:
		if y.place.CountryCode != "" && y.place.CountryCode != p.CountryCode {
			return false
		}
		return y.place.Bound.Contains(p.Point)
	}
	return false
}

// confidence turns a group's lead and support into 0..1.
func (r *plResolver) confidence(g *plGroup) float64 {
	c := g.cands[g.choice]
	if g.villageConf > 0 && c.place.GeonameID != 0 {
		return g.villageConf
	}
	conf := 0.5 + 0.5*(1-math.Exp(-g.margin/20))
	switch {
	case c.tier <= 1 || g.support:
	case c.tier <= 3:
		conf *= 0.85
	default:
		conf *= 0.6
	}
	if c.alt {
		conf *= 0.9
	}
	return math.Round(math.Max(0.05, math.Min(0.99, conf))*100) / 100
}

// plDistanceKm is the equirectangular distance between two points, good
// enough at the scales (tens of kilometres) where it decides anything.
func plDistanceKm(a, b [2]float64) float64 {
	const r = 6371.0
	lat := (a[1] + b[1]) / 2 * math.Pi / 180
	dx := (b[0] - a[0]) * math.Pi / 180 * math.Cos(lat)
	if dx > math.Pi {
		dx -= 2 * math.Pi
	}
	dy := (b[1] - a[1]) * math.Pi / 180
	return r * math.Sqrt(dx*dx+dy*dy)
}

// GeoPrecision returns a place's ACLED geo_precision: 1 for a town or a
// precise site, 2 for a small area (a corridor, a district), 3 for a
// first-level region, a country or a water body.
func GeoPrecision(p geo.Place) int {
	switch p.FeatureCode {
	case "PCLI", "ADM1", "SEA", "GULF", "STRT", "OCN", "BAY", "CHN", "LGN", "PEN":
		return geo.GeoRegion
	case "ADM2", "AREA", "CNL", "VAL":
		return geo.GeoNear
	case "RGN", "MTS", "PRK", "ISLS":
		// Ranges, parks and archipelagos are as wide as their extent says;
		// one known only by a point is at least "near" it, not a town.
		if p.Bound == nil && p.FeatureCode != "RGN" {
			return geo.GeoNear
		}
		if p.Bound != nil && p.Bound.Max[0]-p.Bound.Min[0] < 1 && p.Bound.Max[1]-p.Bound.Min[1] < 1 {
			return geo.GeoNear
		}
		return geo.GeoRegion
	}
	return geo.GeoTown
}
