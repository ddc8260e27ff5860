// Package extract reads conflict events from the text of an article:
// sentences, place mentions resolved against a gazetteer, event triggers,
// type, modality, date, actors and fatalities.
//
// An event is a trigger word (a strike, a clash, a meeting, a protest) that
// the sentence ties to a place; a place mentioned without an event gives
// nothing. The rules are general (a lexicon mapped to ACLED's taxonomy,
// patterns of English news prose, the gazetteer's knowledge of places),
// never keyed to one article's wording. An event told through "it",
// "them" or "the town" takes the place, or the one list of places, of the
// sentence before when their number agrees, with less confidence; so does
// an event in a part of a town the gazetteer does not hold ("in the Korabel
// district"). Coups, disappearances and defeats are mostly background in
// news prose: they are events only with a year or month of their own ("in
// Bamako in 2020").
//
// Dates are resolved against the publication date: a date expression of
// the sentence ("on January 28", "last week", "since October") dates its
// event. A sentence without date words goes on telling the news of the
// sentences before it, so it takes their latest recent date (a day or a
// week within the fortnight before publication); failing that, an event is
// dated to the fortnight before publication with time_precision 3, since
// wire reports are about the last days, and a threatened event to the day
// of publication. Without a publication date only dates that carry their
// year are read, and other events have no date (null), rather than a guess.
// "Overnight" is the night before the report, dated to the day it began;
// an event dated after its report has not happened yet (threatened).
//
// One event is one feature: told again in a later sentence ("the attack on
// the post killed seven"), at the same place or at the region or country
// around it, it keeps its first telling and takes the later one's toll; the
// dead counted in the sentence right after an event ("Four civilians were
// killed.") are that event's unless the sentence counts a running toll.
package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"conflictmap/geo"
)

// Version identifies the extraction rules; it is written on every event so
// that stored events can be re-extracted when the rules improve.
const Version = "0.7.0"

// MaxTextBytes is the longest article text read. News articles are tens of
// kilobytes; a longer text is not an article.
const MaxTextBytes = 2 << 20

// Gazetteer is what the extractor needs of a gazetteer.
type Gazetteer interface {
	Lookup(name string) []geo.Place
	MaxWords() int
	Country(cc string) (geo.Place, bool)
}

// Extractor turns articles into events. It is safe for concurrent use.
type Extractor struct {
	// off names the rules switched off (see Without).
	off   map[string]bool
	gaz   Gazetteer
	lx    *lexicon
	roles *roleWords
	// abbrevs are the regions' abbreviations the gazetteer holds a region
	// for, by first byte.
	abbrevs map[byte][]abbrevPlace
}

// New returns an extractor that resolves places with gaz.
func New(gaz Gazetteer) *Extractor {
	roles, err := parseRoleWords(rolesTable)
	if err != nil {
		panic("extract: embedded " + err.Error())
	}
	abbrevs, err := parseAdmin1Abbrevs(admin1AbbrevTable)
	if err != nil {
		panic("extract: embedded " + err.Error())
	}
	names, err := parseAdmin1Abbrevs(admin1NamesTable)
	if err != nil {
		panic("extract: embedded admin1 names: " + err.Error())
	}
	abbrevs = mergeAdmin1Abbrevs(abbrevs, names)
	x := &Extractor{gaz: gaz, lx: newLexicon(), roles: roles}
	if gaz != nil {
		// A gazetteer without some region (a test's own) reads fewer
		// abbreviations; the embedded one holds every region of the table.
		x.abbrevs, _ = resolveAbbrevs(gaz, abbrevs)
	}
	return x
}

// Extract returns the events of one article, each carrying the article's
// id, title, URL and publication date. The same article always gives the
// same events in the same order. Relative dates ("on Tuesday", "last
// week") are resolved against the publication date; without one, only
// dates that carry their year are read.
func (x *Extractor) Extract(a geo.Article) ([]geo.Event, error) {
	return x.ExtractContext(context.Background(), a)
}

// ExtractContext is Extract that gives up with ctx's error once ctx is
// done. It looks between stages and between sentences, so that a server
// stops working on an article whose client has left or whose time is up.
func (x *Extractor) ExtractContext(ctx context.Context, a geo.Article) ([]geo.Event, error) {
	if len(a.Text) > MaxTextBytes {
		return nil, geo.Errorf(geo.ETOOLARGE, "article text is %d bytes, more than the %d-byte limit", len(a.Text), MaxTextBytes)
	}
	pub, err := publication(a.Published)
	if err != nil {
		return nil, err
	}
	text := cleanText(a.Text)
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	if a.ID == "" {
		a.ID = geo.ArticleID(a.URL, a.Text)
	}
	mentions := x.mentions(text)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return x.read(ctx, a, text, pub, mentions)
}

// publication parses an article's publication date; "" is unknown.
func publication(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(geo.DateLayout, s)
	if err != nil {
		return time.Time{}, geo.Errorf(geo.EINVALID, "published date %q is not YYYY-MM-DD", s)
	}
	return t, nil
}

// cleanText makes the text valid UTF-8 without control characters other
// than line breaks and tabs; every offset of the extraction refers to the
// cleaned text.
func cleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, isJunkControl) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if isJunkControl(r) {
			return ' '
		}
		return r
	}, s)
}

func isJunkControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t' && r != '\r') || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

// read extracts the events of an article whose place mentions are known.
func (x *Extractor) read(ctx context.Context, a geo.Article, text string, pub time.Time, mentions []placeRef) ([]geo.Event, error) {
	_, _, cands := x.analyseContext(ctx, text, pub, mentions)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// An event's id is its article, sentence, place and kind: a sentence
	// told again beyond the merge window (a page that repeats its story)
	// gives the same event again, kept once so that ids stay unique.
	events := make([]geo.Event, 0, len(cands))
	seen := make(map[string]bool, len(cands))
	for _, c := range cands {
		e := x.event(a, c)
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		events = append(events, e)
	}
	return events, nil
}

// analyse is the one reading of a text that both Extract and Geoparse
// report: the reader with the text's place mentions attached, every
// candidate event its sentences tie to a place, and the events kept once
// retellings are merged.
func (x *Extractor) analyse(text string, pub time.Time, mentions []placeRef) (*reader, []candidate, []candidate) {
	return x.analyseContext(context.Background(), text, pub, mentions)
}

// analyseContext is analyse that stops reading sentences once ctx is done;
// its caller then checks ctx.
func (x *Extractor) analyseContext(ctx context.Context, text string, pub time.Time, mentions []placeRef) (*reader, []candidate, []candidate) {
	r := &reader{lx: x.lx, text: text, toks: scanTokens(text), off: x.off}
	if x.gaz != nil {
		r.countryOf = x.gaz.Country
	}
	if pl, ok := x.gaz.(placeLexicon); ok {
		r.demonym = pl.Demonym
	}
	r.dates = dateScanner{toks: r.toks, pub: pub}
	sents, datelines := splitSentences(text, r.toks)
	r.sents = sents
	r.attach(mentions, datelines)
	var cands, prev []candidate
	for _, s := range sents {
		if ctx.Err() != nil {
			break
		}
		quote := strings.Join(strings.Fields(text[s.start:s.end]), " ")
		got := r.sentenceEvents(s, quote)
		if len(got) == 0 && r.on("kills-next-sentence") {
			r.carryKills(s, prev)
		}
		prev = got
		cands = append(cands, got...)
	}
	all := append([]candidate(nil), cands...)
	return r, all, dedupe(cands, r.on("merge-retold"), r.on("merge-same-place"))
}

// dedupe keeps one candidate per event: the same place, type and modality
// told again in another sentence at a date that agrees (or with no date of
// its own) is the same event. The one kept is the best dated, then the
// first told.
func dedupe(cands []candidate, retelling, samePlace bool) []candidate {
	keep := make([]bool, len(cands))
	for i := range cands {
		keep[i] = true
	}
	// A definite telling at a place holding an event's place is that
	// event, the closest one of its type if there are several. Candidates
	// are in sentence order, so those within retellSpan sentences are a
	// window around each one.
	lo := 0
	for j := range cands {
		for lo < j && cands[j].sent-cands[lo].sent > retellSpan {
			lo++
		}
		best, bestScore := -1, 1<<30
		for i := lo; retelling && i < len(cands) && cands[i].sent-cands[j].sent <= retellSpan; i++ {
			if i == j || !keep[i] || !retold(&cands[i], &cands[j]) {
				continue
			}
			score := 2 * abs(cands[i].sent-cands[j].sent)
			if cands[i].sent > cands[j].sent {
				score++
			}
			if cands[i].o.typ != cands[j].o.typ {
				score += 100
			}
			if score < bestScore {
				best, bestScore = i, score
			}
		}
		if best >= 0 {
			keep[j] = false
			lendDetail(&cands[best], &cands[j])
		}
	}
	// The same event is told at the same place: compare candidates of one
	// place only, and within mergeSpan sentences of each other.
	byPlace := map[string][]int{}
	var keys []string
	for i := range cands {
		k := placeKey(cands[i].ref.place)
		if _, ok := byPlace[k]; !ok {
			keys = append(keys, k)
		}
		byPlace[k] = append(byPlace[k], i)
	}
	for _, k := range keys {
		if samePlace {
			dedupePlace(cands, byPlace[k], keep)
		}
	}
	var out []candidate
	for i, c := range cands {
		if keep[i] {
			out = append(out, c)
		}
	}
	return out
}

// mergeSpan is how many sentences apart two tellings of one event at one
// place may be: a long article (a live blog of a month) tells new events
// at the same places, and the bound keeps the cost linear in its length.
const mergeSpan = 400

// dedupePlace keeps one candidate per event among the candidates idx (in
// text order) at one place.
func dedupePlace(cands []candidate, idx []int, keep []bool) {
	for x, i := range idx {
		if !keep[i] {
			continue
		}
		for _, j := range idx[x+1:] {
			if cands[j].sent-cands[i].sent > mergeSpan {
				break
			}
			if !keep[j] {
				continue
			}
			a, b := &cands[i], &cands[j]
			switch {
			case sameEvent(a, b):
				if betterCandidate(b, a) {
					keep[i] = false
					lendDetail(b, a)
				} else {
					keep[j] = false
					lendDetail(a, b)
				}
			}
			if !keep[i] {
				break
			}
		}
	}
}

func placeKey(p geo.Place) string {
	if p.GeonameID != 0 {
		return strconv.FormatInt(p.GeonameID, 10)
	}
	return p.Name + "|" + p.CountryCode
}

func sameEvent(a, b *candidate) bool {
	if a.sent == b.sent || placeKey(a.ref.place) != placeKey(b.ref.place) || a.o.modality != b.o.modality || a.site != b.site {
		return false
	}
	// "A peacekeeper was wounded in Naqoura. ... the death of a soldier in
	// Naqoura": a wounding told on its own is not a death told again.
	if (injuryOnly(a.o) && b.o.fatalities != nil) || (injuryOnly(b.o) && a.o.fatalities != nil) {
		return false
	}
	// "The attack on the Douentza post killed seven soldiers, an official
	// said on Wednesday": the attack told before, whatever the date of
	// the telling, and whatever the toll makes of its type.
	// "the attack on Pont-Sondé in October 2024", told after an April
	// clash there, is another event: their own dates do not meet.
	if datesApart(a.o.date, b.o.date) || (b.o.another && b.sent > a.sent) {
		return false
	}
	if b.o.definite && b.sent > a.sent && b.sent-a.sent <= retellSpan && typeRank(a.o.typ) == typeRank(b.o.typ) && !(a.apart && policeAndCrowd(a.o, b.o)) {
		return true
	}
	if a.o.typ != b.o.typ {
		return false
	}
	if a.apart && otherActors(a.o, b.o) {
		return false
	}
	da, db := a.o.date, b.o.date
	if da.kind != dText || db.kind != dText {
		return true
	}
	return !da.start.After(db.end) && !db.start.After(da.end)
}

// otherActors reports two tellings whose acting sides, both named, differ
// ("Riot police fired tear gas ..." and "The protesters ... threw
// fireworks"): each side's act is its own event (ACLED codes an event per
// actor and act).
// policeAndCrowd reports two tellings of one protest where one is what the
// police did to the crowd (dispersal, force) and the other what the crowd
// did (a riot): each side's act is an event of its own, even told through
// "the protesters".
func policeAndCrowd(a, b *occ) bool {
	police := func(o *occ) bool {
		return o.typ == geo.Protests && (o.sub == subInterv || o.sub == subExcessive)
	}
	return police(a) && b.typ == geo.Riots || police(b) && a.typ == geo.Riots
}

func otherActors(a, b *occ) bool {
	if !named(a.actor1) || !named(b.actor1) {
		return false // "the fighters" may be the "jihadists" told before
	}
	na, nb := actorKey(a.actor1), actorKey(b.actor1)
	return !strings.Contains(na, nb) && !strings.Contains(nb, na)
}

// named reports an actor told by a name ("Sadr's supporters", "the
// Nigerian Army"), not by a role noun alone, which may take up any side
// told before.
func named(actor string) bool {
	for _, w := range strings.Fields(actor) {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) && !actorNouns[strings.ToLower(w)] && !sceneActors[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

func actorKey(s string) string {
	s = strings.ToLower(s)
	for _, p := range []string{"the ", "a ", "an "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// datesApart reports two events whose own dates (each read from its
// sentence) lie more than a week apart: a retelling may carry the day it
// was told ("a local official told Reuters on Wednesday"), not another
// month or year.
func datesApart(da, db dateRange) bool {
	const week = 7 * 24 * time.Hour
	return da.kind == dText && db.kind == dText && (da.start.After(db.end.Add(week)) || db.start.After(da.end.Add(week)))
}

// injuryOnly reports an event read from a word of wounding alone.
func injuryOnly(o *occ) bool {
	return o.t.weak && len(o.t.words) == 1 && injuryWords[o.t.words[0]] && o.fatalities == nil
}

// retellSpan is how many sentences after an event "the attack" may still
// point back to it.
const retellSpan = 3

// retold reports whether candidate coarse, at a place that holds fine's,
// tells fine's event again: a definite mention of the same type soon
// after or before it ("A bomb hit a bus near Bandiagara. The blast in the
// Mopti region killed four").
func retold(fine, coarse *candidate) bool {
	if fine.apart && policeAndCrowd(fine.o, coarse.o) {
		return false
	}
	if fine.sent == coarse.sent || !coarse.o.definite || typeRank(fine.o.typ) != typeRank(coarse.o.typ) ||
		fine.o.modality != coarse.o.modality || abs(fine.sent-coarse.sent) > retellSpan || datesApart(fine.o.date, coarse.o.date) {
		return false
	}
	p, q := fine.ref.place, coarse.ref.place
	if contains(q, p) {
		return true
	}
	// A town standing for its region ("the Mopti region" read as Mopti).
	return coarse.ref.regional && !fine.ref.regional && q.CountryCode == p.CountryCode &&
		q.Admin1 != "" && q.Admin1 == p.Admin1
}

// lendDetail gives the kept telling of an event what only the dropped one
// said: its number of dead.
func lendDetail(kept, dropped *candidate) {
	if kept.o.fatalities == nil && dropped.o.fatalities != nil && kept.o.modality != geo.Threatened {
		n := *dropped.o.fatalities
		kept.o.fatalities = &n
	}
}

func betterCandidate(a, b *candidate) bool {
	ka, kb := dateRank(a.o.date), dateRank(b.o.date)
	if ka != kb {
		return ka < kb
	}
	// Equally dated, the first telling wins: later ones are usually
	// reminders or quotes ("a student who joined the march in Nairobi").
	return false
}

// dateRank orders dates by how much they say: a day, a week, a month,
// then a running span, then none.
func dateRank(d dateRange) int {
	switch d.kind {
	case dText:
		return d.prec
	case dSince:
		return 4
	case dContext:
		return 5
	case dDefault:
		return 6
	}
	return 7
}

// event builds the event of a candidate.
func (x *Extractor) event(a geo.Article, c candidate) geo.Event {
	p := c.ref.place
	o := c.o
	e := geo.Event{
		Point:            p.Point,
		Bound:            p.Bound,
		EventType:        o.typ,
		SubEventType:     o.sub,
		Modality:         o.modality,
		Actor1:           o.actor1,
		Actor2:           o.actor2,
		Fatalities:       o.fatalities,
		Location:         p.Name,
		Country:          p.Country,
		CountryCode:      p.CountryCode,
		Admin1:           p.Admin1,
		GeonameID:        p.GeonameID,
		FeatureCode:      p.FeatureCode,
		GeoPrecision:     x.geoPrecision(p, c.tie.near || c.ref.part, c.ref.regional),
		Mention:          c.ref.text,
		Quote:            c.quote,
		Confidence:       confidence(c),
		ArticleID:        a.ID,
		Title:            a.Title,
		SourceURL:        a.URL,
		Published:        a.Published,
		ExtractorVersion: Version,
	}
	if e.Bound != nil && !isArea(p) {
		e.Bound = nil
	}
	if c.part != 0 && e.Bound != nil {
		b := sideOf(*e.Bound, c.part)
		e.Bound, e.Point = &b, b.Center()
		if pt, ok := x.sidePoint(p, c.part); ok && x.on("place-side-provinces") {
			b = b.Extend(pt)
			e.Bound, e.Point = &b, pt
		}
	}
	if c.sea != nil {
		// At sea off the coast: the waters, not the country.
		b := c.offshore
		e.Bound, e.Point = &b, b.Center()
		e.Location, e.Country, e.CountryCode, e.Admin1 = c.sea.Name, "", "", ""
		e.GeonameID, e.FeatureCode, e.GeoPrecision = c.sea.GeonameID, c.sea.FeatureCode, geo.GeoRegion
	}
	if o.date.kind != dNone {
		if o.date.end.Before(o.date.start) {
			o.date.end = o.date.start
		}
		e.EventDate = o.date.start.Format(geo.DateLayout)
		e.EventDateEnd = o.date.end.Format(geo.DateLayout)
		e.TimePrecision = o.date.prec
	}
	if o.fatalities != nil && o.modality == geo.Threatened {
		e.Fatalities = nil
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{a.ID, c.quote, placeKey(p), o.typ, o.sub, o.modality}, "\x00")))
	e.ID = hex.EncodeToString(sum[:8])
	return e
}

// admin1Lister is the part of a gazetteer that names a country's
// first-level divisions (package gazetteer has it).
type admin1Lister interface {
	Admin1Names(cc string) []string
}

// sidePoint returns where "southern Syria" is when a country's extent
// misleads: the middle of the country's provinces whose seats lie on that
// side of the span of all its seats. A country's bounding box holds
// deserts and seas ("southern Syria" by the box is desert near Iraq); its
// provinces are where people live and where the press means. False for a
// region, or a country of fewer than three provinces.
func (x *Extractor) sidePoint(p geo.Place, part byte) (orb.Point, bool) {
	al, ok := x.gaz.(admin1Lister)
	if !ok || !isCountry(p) || p.CountryCode == "" {
		return orb.Point{}, false
	}
	var pts []orb.Point
	for _, name := range al.Admin1Names(p.CountryCode) {
		for _, q := range x.gaz.Lookup(name) {
			if q.CountryCode == p.CountryCode && q.FeatureCode == "ADM1" {
				pts = append(pts, q.Point)
				break
			}
		}
	}
	if len(pts) < 3 {
		return orb.Point{}, false
	}
	span := orb.Bound{Min: pts[0], Max: pts[0]}
	for _, q := range pts {
		span = span.Extend(q)
	}
	side := sideOf(span, part)
	var sum orb.Point
	n := 0.0
	for _, q := range pts {
		if side.Contains(q) {
			sum[0], sum[1], n = sum[0]+q[0], sum[1]+q[1], n+1
		}
	}
	if n == 0 {
		return orb.Point{}, false
	}
	return orb.Point{sum[0] / n, sum[1] / n}, true
}

// sideOf returns the third of extent b on side part ('n', 's', 'e', 'w'):
// where "southern Lebanon" is, roughly, without an outline of it.
func sideOf(b orb.Bound, part byte) orb.Bound {
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	switch part {
	case 'n':
		b.Min[1] = b.Max[1] - h/3
	case 's':
		b.Max[1] = b.Min[1] + h/3
	case 'e':
		b.Min[0] = b.Max[0] - w/3
	case 'w':
		b.Max[0] = b.Min[0] + w/3
	}
	return b
}

// confidence is how sure the extractor is of the place and of the event:
// the gazetteer's confidence in the place, times how the sentence tied the
// trigger to it, times how specific the trigger is.
func confidence(c candidate) float64 {
	conf := c.ref.conf
	if conf <= 0 {
		conf = 0.7
	}
	switch c.tie.how {
	case tieFronted:
		conf *= 0.85
	case tieFallback:
		conf *= 0.55
	case tieAnaphor, tieCarried:
		conf *= 0.6
	}
	if c.o.t.weak {
		conf *= 0.7
	}
	if c.o.t.refine != rNone && c.o.t.refine != rProtest {
		conf *= 0.9
	}
	conf = math.Round(conf*100) / 100
	return math.Max(0.05, math.Min(0.99, conf))
}

// geoPrecision is ACLED's: 1 a town, 2 near a town or part of a region, 3
// a region, a country or a sea.
// A town the text calls a region ("Donetsk region" read as the city) is
// only the region's stand-in.
func (x *Extractor) geoPrecision(p geo.Place, near, regional bool) int {
	g := GeoPrecision(p)
	switch {
	case g == geo.GeoTown && regional:
		return geo.GeoRegion
	case g == geo.GeoTown && near:
		return geo.GeoNear
	}
	return g
}
