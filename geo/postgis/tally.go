package postgis

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// tally is what a bulk import that builds a new events table adds to the
// kept counts (event_counts, migration 0006; word_counts, 0014;
// detail_counts, 0018) and cells (cell_types and cell_countries, 0010 and
// 0012; cell_fine, 0013; cell_words, 0017; cell_details, 0020; cell_word_stats,
// 0021; cell_detail_stats, 0023; cell_country_weeks, 0030; cell_word_fine,
// 0031; cell_fine_weeks, 0036; cell_word_weeks, 0040) in place
// of their statement triggers: the same groups, computed as the triggers
// compute them, added up in Go while the rows are copied and written once
// per group at the commit. On a million events the triggers took some 50 s
// of the server's CPU, grouping the rows of their transition tables (the
// words of each event, each point at seven levels), after the copy; the
// client tallies beside the copy, on the other core. Cells are tallied at
// the finest level of each table and grouped into the coarser ones when
// written, as the triggers group them.
type tally struct {
	// attrs interns the strings of a group (event type, country code,
	// modality, origin, dates, words) so that a key is a few integers.
	attrs     map[string]uint32
	attrNames []string
	weeks     map[string]uint32 // the Monday of a date's week, by date
	// profiles are the events' attributes other than the point and words,
	// each with its count and the combinations of them that the groups of
	// the cell and word tables hold, numbered, so that an event costs one
	// lookup of them and the large maps have integer keys.
	profiles map[profileKey]*profile
	combos   map[comboKey]uint32
	// comboList are the combinations by number.
	comboList []comboKey
	// words counts per word of a field and combination (wordKey).
	words *eventsql.Sums[uint64, int64]
	// details counts the groups of detail_counts.
	details map[detailKey]int64
	// types, countries and fine are the cells of the finest level of
	// cell_types, cell_countries and cell_fine by cellKey.
	types, fine, countries *eventsql.Sums[uint64, cellSums]
	// countryWeeks counts the groups of cell_country_weeks (migration
	// 0030) at the finest level of cell_types, by cellKey.
	countryWeeks *eventsql.Sums[uint64, int64]
	// fineWeeks are the groups of cell_fine_weeks at
	// eventsql.WeekFinerLevel (migration 0039), by cellKey with the
	// combination of cell_types, whose groups at eventsql.WeekFineLevel
	// (migration 0036) are added up from them when written;
	// fineCountryWeeks are those of cell_country_weeks at WeekFineLevel.
	fineWeeks        *eventsql.Sums[uint64, cellSums]
	fineCountryWeeks *eventsql.Sums[uint64, int64]
	// wordCells are the groups of cell_word_fine (migration 0031), at
	// eventsql.WordFineLevel; those of cell_words (migration 0017), at the
	// finest level of cell_types, are added up from them.
	wordCells *eventsql.Sums[wordCellKey, cellSums]
	// wordStats are the groups of cell_word_stats (migrations 0021, 0042:
	// by country alone), their keys (interned) numbered by statKeys.
	wordStats *eventsql.Sums[eventsql.WordStatKey, int32]
	// wordWeeks are the groups of cell_word_weeks (migrations 0040 and
	// 0041, at eventsql.WordWeekLevel), their weeks numbered by statKeys
	// and their event types as wordCells'.
	wordWeeks *eventsql.Sums[eventsql.WordWeekKey, eventsql.WeekSums]
	statKeys  eventsql.StatKeys
	// detailStats are the groups of cell_detail_stats (migration 0023),
	// packed as wordStats are: the field's bit set for the precision, the
	// value (the sub-event type, the precision's decimal text) interned.
	detailStats *eventsql.Sums[eventsql.WordStatKey, int32]
	err         error // a key that cannot be packed
	// coarse and fineLevel are the finest levels of cell_types and
	// cell_fine, at which the cells are tallied.
	coarse, fineLevel int

	// detailCells are the groups of cell_details (migration 0020) at its
	// finest level, detailLevel.
	detailCells map[detailCellKey]cellSums
	detailLevel int

	// wordTypes are the interned event types of wordCellKey by number,
	// wordTypeNums their numbers.
	wordTypes    []uint32
	wordTypeNums map[uint32]uint16

	// sets are the term sets of the copied events (termsets.go), facts
	// their facts (facts.go).
	sets  termSets
	facts ordFacts
}

// profileKey is the attributes of an event a group may hold, interned.
type profileKey struct{ eventType, country, date, end, modality, origin uint32 }

// profile is the count of the events of a profileKey, and its combos.
type profile struct {
	n                                                int64
	words, types, countries, countryWeeks, fineCells uint32 // numbers of comboKey
	wordType                                         uint16 // its event type's number in wordCellKey
	// precise are the combos of cell_fine, which holds the precision
	// too, by precision: one to three a profile.
	precise []preciseCombo
}

// preciseCombo is the number of the combo of cell_fine of a precision.
type preciseCombo struct {
	precision int32
	combo     uint32
}

// comboKey is a combination of interned attributes that the groups of one
// table hold besides their cell or word; the fields a table does not hold
// are noAttr (precision: 0, which only cell_fine's combos hold).
type comboKey struct{ eventType, country, week, weekLast, modality, origin, precision uint32 }

const noAttr = ^uint32(0)

// wordKey packs a group of word_counts: the combination's number, the field
// and the word's.
func wordKey(combo uint32, quote bool, word uint32) uint64 {
	k := uint64(combo)<<33 | uint64(word)
	if quote {
		k |= 1 << 32
	}
	return k
}

// cellKey packs a cell of level (x below 4 << level, y below 2 << level)
// and a combination's number.
func cellKey(level int, combo uint32, x, y int32) uint64 {
	return uint64(combo)<<(2*level+3) | uint64(x)<<(level+1) | uint64(y)
}

// cellOfKey unpacks cellKey.
func cellOfKey(level int, k uint64) (combo uint32, x, y int32) {
	return uint32(k >> (2*level + 3)), int32(k>>(level+1)) & (4<<level - 1), int32(k) & (2<<level - 1)
}

// detailKey is a group of detail_counts: the sub-event type (interned),
// the precision, the country (interned) and the number of the combination
// of cell_types, which holds the rest (event type, week, last week,
// modality and origin).
type detailKey struct {
	subType, country, types uint32
	precision               int32
}

// countKey is a group of event_counts; every field is an interned string.
type countKey struct{ eventType, country, week, date, last, modality, origin uint32 }

// typeKey is a group of cell_types, x and y clamped.
type typeKey struct {
	x, y                                        int32
	eventType, week, weekLast, modality, origin uint32
}

// countryKey is a group of cell_countries.
type countryKey struct {
	x, y                                 int32
	eventType, country, modality, origin uint32
}

// countryWeekKey is a group of cell_country_weeks at a level.
type countryWeekKey struct {
	x, y                    int32
	country, week, weekLast uint32
}

// wordCellKey is a group of cell_word_fine or cell_words packed into 8
// bytes: the field (1 for the quote) in the top bit, the interned word in
// the next wordBits, x in wordXBits and y in wordYBits (the columns and
// rows of eventsql.WordFineLevel), and its event type's number
// (tally.wordTypes) in the last wordTypeBits. Keyed by a struct of them
// (20 bytes), the map cost a million events' tally 2.7 s of the copy's
// 13.5 s, which waited 4.8 s for it.
type wordCellKey uint64

const (
	wordTypeBits = 10
	wordXBits    = eventsql.WordFineLevel + 2
	wordYBits    = eventsql.WordFineLevel + 1
	wordShift    = wordXBits + wordYBits + wordTypeBits
	wordBits     = 63 - wordShift
)

func packWordCell(quote bool, word uint32, x, y int32, wordType uint16) wordCellKey {
	k := uint64(word)<<wordShift | uint64(x)<<(wordYBits+wordTypeBits) | uint64(y)<<wordTypeBits | uint64(wordType)
	if quote {
		k |= 1 << 63
	}
	return wordCellKey(k)
}

func (k wordCellKey) quote() bool  { return k>>63 != 0 }
func (k wordCellKey) word() uint32 { return uint32(k>>wordShift) & (1<<wordBits - 1) }
func (k wordCellKey) cell() (x, y int32) {
	return int32(k >> (wordYBits + wordTypeBits) & (1<<wordXBits - 1)), int32(k >> wordTypeBits & (1<<wordYBits - 1))
}
func (k wordCellKey) wordType() uint16 { return uint16(k & (1<<wordTypeBits - 1)) }

// coarser is k's group at the level shift times coarser.
func (k wordCellKey) coarser(shift int) wordCellKey {
	x, y := k.cell()
	return packWordCell(k.quote(), k.word(), x>>shift, y>>shift, k.wordType())
}

// fineKey is a group of cell_fine.
type fineKey struct {
	x, y                        int32
	eventType, modality, origin uint32
	precision                   int32
}

// cellSums are the sums of a group of cells.
type cellSums struct {
	n, fatalities int64
	lon, lat      float64
}

func (s *cellSums) add(o cellSums) {
	s.n += o.n
	s.fatalities += o.fatalities
	s.lon += o.lon
	s.lat += o.lat
}

func newTally() *tally {
	return &tally{attrs: map[string]uint32{}, weeks: map[string]uint32{}, profiles: map[profileKey]*profile{}, combos: map[comboKey]uint32{},
		words: eventsql.NewSums[uint64](eventsql.AddInt[int64]), details: map[detailKey]int64{}, types: eventsql.NewSums[uint64](addSums),
		countries: eventsql.NewSums[uint64](addSums), fine: eventsql.NewSums[uint64](addSums), countryWeeks: eventsql.NewSums[uint64](eventsql.AddInt[int64]),
		fineWeeks: eventsql.NewSums[uint64](addSums), fineCountryWeeks: eventsql.NewSums[uint64](eventsql.AddInt[int64]),
		wordCells: eventsql.NewSums[wordCellKey](addSums), wordStats: eventsql.NewSums[eventsql.WordStatKey](eventsql.AddInt[int32]),
		wordWeeks:   eventsql.NewSums[eventsql.WordWeekKey](eventsql.AddWeekSums),
		detailStats: eventsql.NewSums[eventsql.WordStatKey](eventsql.AddInt[int32]), coarse: slices.Max(eventsql.CellLevels()), fineLevel: slices.Max(eventsql.FineLevels()),
		detailCells: map[detailCellKey]cellSums{}, detailLevel: slices.Max(eventsql.DetailCellLevels()),
		wordTypeNums: map[uint32]uint16{}, sets: newTermSets(), facts: newOrdFacts()}
}

// intern returns the number of s in the tally's strings.
func (t *tally) intern(s string) uint32 {
	if i, ok := t.attrs[s]; ok {
		return i
	}
	i := uint32(len(t.attrNames))
	t.attrs[s] = i
	t.attrNames = append(t.attrNames, s)
	return i
}

// combo returns the number of a combination.
func (t *tally) combo(k comboKey) uint32 {
	if i, ok := t.combos[k]; ok {
		return i
	}
	i := uint32(len(t.comboList))
	t.combos[k] = i
	t.comboList = append(t.comboList, k)
	return i
}

// week is the interned Monday of date's week as the triggers compute it
// (date - (isodow - 1)), "" for no date.
func (t *tally) week(date string) uint32 {
	if w, ok := t.weeks[date]; ok {
		return w
	}
	w := ""
	if d, err := time.Parse(geo.DateLayout, date); err == nil {
		w = d.AddDate(0, 0, -(int(d.Weekday())+6)%7).Format(geo.DateLayout)
	}
	i := t.intern(w)
	t.weeks[date] = i
	return i
}

// cellOf is the cell of a point at level (4 << level columns), as the
// triggers compute it: floor((lon + 180) * n / 360), clamped to the last
// column and row.
func cellOf(level int, lon, lat float64) (int32, int32) {
	n := float64(int64(4) << level)
	x := math.Floor((lon + 180) * n / 360)
	y := math.Floor((lat + 90) * n / 360)
	return int32(min(x, n-1)), int32(min(y, n/2-1))
}

// tallied is the part of an event the tally reads.
type tallied struct {
	eventType, country, date, end, modality, origin string
	subType                                         string
	precision                                       int32
	lon, lat                                        float64
	fatalities                                      int64
	actors, quote                                   []string // words, repeated or not
	// ord is the event's ordinal (migration 0035), -1 for an event counted
	// out, whose sets the import's statements update.
	ord int64
}

func talliedOf(e geo.Event) tallied {
	t := tallied{eventType: e.EventType, country: e.CountryCode, date: e.EventDate, end: e.EventDateEnd,
		modality: e.Modality, origin: e.OriginName(), subType: e.SubEventType, precision: int32(e.GeoPrecision),
		lon: e.Point[0], lat: e.Point[1], actors: geo.Words(e.Actor1 + "\n" + e.Actor2), quote: geo.Words(e.Quote)}
	if e.Fatalities != nil {
		t.fatalities = int64(*e.Fatalities)
	}
	return t
}

// profileOf returns the profile of e's attributes.
func (t *tally) profileOf(e tallied) *profile {
	k := profileKey{eventType: t.intern(e.eventType), country: t.intern(e.country), date: t.intern(e.date), end: t.intern(e.end),
		modality: t.intern(e.modality), origin: t.intern(e.origin)}
	if p, ok := t.profiles[k]; ok {
		return p
	}
	week, weekLast := t.week(e.date), t.week(e.date)
	if e.end != "" {
		weekLast = t.week(e.end)
	}
	p := &profile{
		words: t.combo(comboKey{eventType: k.eventType, country: k.country, week: week, weekLast: noAttr, modality: k.modality, origin: k.origin}),
		types: t.combo(comboKey{eventType: k.eventType, country: noAttr, week: week, weekLast: weekLast, modality: k.modality, origin: k.origin}),
		countries: t.combo(comboKey{eventType: k.eventType, country: k.country, week: noAttr, weekLast: noAttr,
			modality: k.modality, origin: k.origin}),
		countryWeeks: t.combo(comboKey{eventType: noAttr, country: k.country, week: week, weekLast: weekLast, modality: noAttr, origin: noAttr}),
		fineCells:    t.combo(comboKey{eventType: k.eventType, country: noAttr, week: noAttr, weekLast: noAttr, modality: k.modality, origin: k.origin}),
	}
	n, ok := t.wordTypeNums[k.eventType]
	if !ok {
		if len(t.wordTypes) == 1<<wordTypeBits {
			t.err = fmt.Errorf("word cells: more than %d event types", len(t.wordTypes))
		}
		n = uint16(len(t.wordTypes))
		t.wordTypeNums[k.eventType] = n
		t.wordTypes = append(t.wordTypes, k.eventType)
	}
	p.wordType = n
	t.profiles[k] = p
	return p
}

// fineCombo is the number of the combo of cell_fine of the events of
// profile p and precision.
func (t *tally) fineCombo(p *profile, precision int32) uint32 {
	for _, c := range p.precise {
		if c.precision == precision {
			return c.combo
		}
	}
	k := t.comboList[p.fineCells]
	k.precision = uint32(precision)
	c := t.combo(k)
	p.precise = append(p.precise, preciseCombo{precision: precision, combo: c})
	return c
}

// add counts an event in (sign 1) or out (sign -1).
func (t *tally) add(e tallied, sign int64, ids []uint32) []uint32 {
	p := t.profileOf(e)
	p.n += sign
	t.details[detailKey{subType: t.intern(e.subType), country: t.intern(e.country), types: p.types, precision: e.precision}] += sign
	sums := cellSums{n: sign, fatalities: sign * e.fatalities, lon: float64(sign) * e.lon, lat: float64(sign) * e.lat}
	x, y := cellOf(t.coarse, e.lon, e.lat)
	if x >= 1<<10 || y >= 1<<9 {
		t.err = fmt.Errorf("word cells: cell %d, %d of level %d does not pack", x, y, t.coarse)
	}
	countryKey, weekKey := t.statKeys.Number(t.intern(e.country)), t.statKeys.Number(t.comboList[p.words].week)
	for field, value := range [2]uint32{t.intern(e.subType), t.intern(strconv.Itoa(int(e.precision)))} {
		for kind, key := range [2]uint32{eventsql.StatCountry: countryKey, eventsql.StatWeek: weekKey} {
			k, err := eventsql.PackWordStat(field == 1, kind, value, key, int(x), int(y))
			if err != nil {
				t.err = err
				continue
			}
			t.detailStats.Put(k, int32(sign))
		}
	}
	// A word counts once per event however often the text repeats it, as
	// a tsvector holds it.
	fx, fy := cellOf(eventsql.WordFineLevel, e.lon, e.lat)
	kx, ky := cellOf(eventsql.WordWeekLevel, e.lon, e.lat)
	weekSums := eventsql.PointWeekSums(int32(sign), int32(e.fatalities), e.lon, e.lat, int(kx), int(ky))
	for field, words := range [2][]string{e.actors, e.quote} {
		ids = ids[:0]
		for _, w := range words {
			ids = append(ids, t.intern(w))
		}
		if len(ids) > 1 {
			slices.Sort(ids)
			ids = slices.Compact(ids)
		}
		t.sets.addWords(e.ord, field, ids)
		for _, w := range ids {
			if w >= 1<<wordBits {
				t.err = fmt.Errorf("word cells: more than %d distinct strings", 1<<wordBits)
			}
			t.words.Put(wordKey(p.words, field == 1, w), sign)
			t.wordCells.Put(packWordCell(field == 1, w, fx, fy, p.wordType), sums)
			if k, err := eventsql.PackWordWeek(field == 1, w, weekKey, int(kx), int(ky), uint32(p.wordType)); err != nil {
				t.err = err
			} else {
				t.wordWeeks.Put(k, weekSums)
			}
			if k, err := eventsql.PackWordStat(field == 1, eventsql.StatCountry, w, countryKey, int(x), int(y)); err != nil {
				t.err = err
			} else {
				t.wordStats.Put(k, int32(sign))
			}
		}
	}
	t.sets.addTerm(e.ord, setCountry, t.intern(e.country))
	t.sets.addTerm(e.ord, setType, t.intern(e.eventType))
	t.facts.add(e.ord, t.intern(e.eventType), t.intern(e.country), e.date)
	if len(e.date) >= 7 {
		t.sets.addTerm(e.ord, setMonth, t.intern(e.date[:7]))
	}
	t.types.Put(cellKey(t.coarse, p.types, x, y), sums)
	t.countries.Put(cellKey(t.coarse, p.countries, x, y), sums)
	t.countryWeeks.Put(cellKey(t.coarse, p.countryWeeks, x, y), sign)
	wx, wy := cellOf(eventsql.WeekFineLevel, e.lon, e.lat)
	t.fineCountryWeeks.Put(cellKey(eventsql.WeekFineLevel, p.countryWeeks, wx, wy), sign)
	vx, vy := cellOf(eventsql.WeekFinerLevel, e.lon, e.lat)
	t.fineWeeks.Put(cellKey(eventsql.WeekFinerLevel, p.types, vx, vy), sums)
	x, y = cellOf(t.fineLevel, e.lon, e.lat)
	t.fine.Put(cellKey(t.fineLevel, t.fineCombo(p, e.precision), x, y), sums)
	t.addDetailCell(e, p, sums)
	return ids
}

// addEvents counts events in, ords their ordinals.
func (t *tally) addEvents(events []geo.Event, ords []int64) {
	var ids []uint32
	for i, e := range events {
		te := talliedOf(e)
		te.ord = ords[i]
		ids = t.add(te, 1, ids)
	}
}

// flush adds up what add put into the large groups, for reading them.
func (t *tally) flush() {
	t.words.Flush()
	t.wordCells.Flush()
	t.wordStats.Flush()
	t.wordWeeks.Flush()
	t.detailStats.Flush()
	t.types.Flush()
	t.countries.Flush()
	t.countryWeeks.Flush()
	t.fine.Flush()
	t.fineWeeks.Flush()
	t.fineCountryWeeks.Flush()
}

// countOut counts out the events that rows (event_type, country_code,
// event_date, event_date_end as text or "", modality, origin, lon, lat,
// fatalities or 0, the words of the actors and of the quote, sub_event_type,
// geo_precision) hold: countOutColumns.
func (t *tally) countOut(rows pgx.Rows) error {
	defer rows.Close()
	var ids []uint32
	for rows.Next() {
		e := tallied{ord: -1}
		if err := rows.Scan(&e.eventType, &e.country, &e.date, &e.end, &e.modality, &e.origin, &e.lon, &e.lat, &e.fatalities,
			&e.actors, &e.quote, &e.subType, &e.precision); err != nil {
			return err
		}
		ids = t.add(e, -1, ids)
	}
	return rows.Err()
}

// countOutColumns are the columns of events that countOut reads, in its
// order.
const countOutColumns = `event_type, country_code,
	coalesce(to_char(event_date, 'YYYY-MM-DD'), ''), coalesce(to_char(event_date_end, 'YYYY-MM-DD'), ''), modality, origin,
	ST_X(geom), ST_Y(geom), coalesce(fatalities, 0), tsvector_to_array(actors_words), tsvector_to_array(quote_words),
	sub_event_type, geo_precision`

// keptTable is how one kept table is written from the tally: rows of it,
// sorted by its primary key (the "C" collation's byte order, so that the
// key's B-tree takes them in order), each made by row into a reused slice.
type keptTable struct {
	name    string
	columns []string
	key     int    // the first key columns, the table's primary key
	update  string // the ON CONFLICT update of an upsert
	n       int
	row     func(i int, dst []any)
}

// signed is v as a sort field: its order as an unsigned number is v's.
func signed(v int32) uint32 { return uint32(v) ^ 1<<31 }

func noEvents(n int64) bool  { return n == 0 }
func noSums(s cellSums) bool { return s.n == 0 }

func addSums(a *cellSums, b cellSums) { a.add(b) }

// tables passes emit the tally's groups as the rows of the kept tables,
// each table as soon as its groups are sorted, so that it is written while
// the next ones are sorted; groups that add up to no event are left out.
func (t *tally) tables(emit func(keptTable)) {
	t.flush()
	name := func(i uint32) string { return t.attrNames[i] }
	// The strings' ranks in byte order, so that sorting compares integers.
	order := make([]uint32, len(t.attrNames))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(t.attrNames[a], t.attrNames[b]) })
	rank := make([]uint32, len(order))
	for r, i := range order {
		rank[i] = uint32(r)
	}
	byName := func(i uint32) uint32 { return rank[i] }
	sumsUpdate := "n = c.n + excluded.n, fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat"

	countMap := map[countKey]int64{}
	none := t.intern("")
	for k, p := range t.profiles {
		last := k.date
		if k.end != none {
			last = k.end
		}
		c := t.comboList[p.words]
		countMap[countKey{eventType: k.eventType, country: k.country, week: c.week, date: k.date, last: last,
			modality: k.modality, origin: k.origin}] += p.n
	}
	counts := eventsql.SortedGroups(maps.All(countMap), len(countMap), noEvents,
		func(k countKey) uint32 { return byName(k.eventType) }, func(k countKey) uint32 { return byName(k.country) },
		func(k countKey) uint32 { return byName(k.week) }, func(k countKey) uint32 { return byName(k.date) },
		func(k countKey) uint32 { return byName(k.last) }, func(k countKey) uint32 { return byName(k.modality) },
		func(k countKey) uint32 { return byName(k.origin) })
	emit(keptTable{name: "event_counts", key: 7, update: "n = c.n + excluded.n", n: len(counts),
		columns: []string{"event_type", "country_code", "week", "event_date", "date_last", "modality", "origin", "n"},
		row: func(i int, dst []any) {
			g := counts[i]
			fill(dst, name(g.K.eventType), name(g.K.country), name(g.K.week), name(g.K.date), name(g.K.last),
				name(g.K.modality), name(g.K.origin), g.V)
		}})
	type detailGroup struct {
		subType, country uint32
		precision        int32
		c                comboKey
	}
	detailMap := make(map[detailGroup]int64, len(t.details))
	for k, n := range t.details {
		detailMap[detailGroup{subType: k.subType, country: k.country, precision: k.precision, c: t.comboList[k.types]}] += n
	}
	details := eventsql.SortedGroups(maps.All(detailMap), len(detailMap), noEvents,
		func(k detailGroup) uint32 { return byName(k.subType) }, func(k detailGroup) uint32 { return signed(k.precision) },
		func(k detailGroup) uint32 { return byName(k.c.eventType) }, func(k detailGroup) uint32 { return byName(k.country) },
		func(k detailGroup) uint32 { return byName(k.c.week) }, func(k detailGroup) uint32 { return byName(k.c.weekLast) },
		func(k detailGroup) uint32 { return byName(k.c.modality) }, func(k detailGroup) uint32 { return byName(k.c.origin) })
	emit(keptTable{name: "detail_counts", key: 8, update: "n = c.n + excluded.n", n: len(details),
		columns: []string{"sub_event_type", "geo_precision", "event_type", "country_code", "week", "week_last", "modality", "origin", "n"},
		row: func(i int, dst []any) {
			g := details[i]
			fill(dst, name(g.K.subType), g.K.precision, name(g.K.c.eventType), name(g.K.country), name(g.K.c.week),
				name(g.K.c.weekLast), name(g.K.c.modality), name(g.K.c.origin), g.V)
		}})
	wordMap := make(map[wordGroup]int64, t.words.Len())
	for k, n := range t.words.All() {
		c := t.comboList[uint32(k>>33)]
		wordMap[wordGroup{quote: k&(1<<32) != 0, word: uint32(k), eventType: c.eventType, country: c.country, week: c.week,
			modality: c.modality, origin: c.origin}] += n
	}
	// "actors" sorts before "quote".
	words := eventsql.SortedGroups(maps.All(wordMap), len(wordMap), noEvents,
		func(k wordGroup) uint32 { return eventsql.BoolField(k.quote) }, func(k wordGroup) uint32 { return byName(k.word) },
		func(k wordGroup) uint32 { return byName(k.eventType) }, func(k wordGroup) uint32 { return byName(k.country) },
		func(k wordGroup) uint32 { return byName(k.week) }, func(k wordGroup) uint32 { return byName(k.modality) },
		func(k wordGroup) uint32 { return byName(k.origin) })
	emit(keptTable{name: "word_counts", key: 7, update: "n = c.n + excluded.n", n: len(words),
		columns: []string{"field", "word", "event_type", "country_code", "week", "modality", "origin", "n"},
		row: func(i int, dst []any) {
			g := words[i]
			field := eventsql.FieldOf(g.K.quote)
			fill(dst, field, name(g.K.word), name(g.K.eventType), name(g.K.country), name(g.K.week),
				name(g.K.modality), name(g.K.origin), g.V)
		}})

	// The coarser levels' cells, from the finest level's (a cell's index
	// halved once per level, as geo.CellOf nests them), summed as the
	// triggers sum them: the finest level's groups first.
	typeCells := map[levelKey[typeKey]]cellSums{}
	countryCells := map[levelKey[countryKey]]cellSums{}
	for _, level := range eventsql.CellLevels() {
		shift := t.coarse - level
		for packed, s := range t.types.All() {
			combo, x, y := cellOfKey(t.coarse, packed)
			k := t.comboList[combo]
			c := levelKey[typeKey]{int32(level), typeKey{x: x >> shift, y: y >> shift, eventType: k.eventType, week: k.week,
				weekLast: k.weekLast, modality: k.modality, origin: k.origin}}
			sum := typeCells[c]
			sum.add(s)
			typeCells[c] = sum
		}
		for packed, s := range t.countries.All() {
			combo, x, y := cellOfKey(t.coarse, packed)
			k := t.comboList[combo]
			c := levelKey[countryKey]{int32(level), countryKey{x: x >> shift, y: y >> shift, eventType: k.eventType, country: k.country,
				modality: k.modality, origin: k.origin}}
			sum := countryCells[c]
			sum.add(s)
			countryCells[c] = sum
		}
	}
	// cell_types and cell_fine_weeks (migration 0036) hold the same
	// groups, the latter at eventsql.WeekFineLevel and WeekFinerLevel
	// alone.
	typeTable := func(table string, cells map[levelKey[typeKey]]cellSums) keptTable {
		groups := eventsql.SortedGroups(maps.All(cells), len(cells), noSums,
			func(k levelKey[typeKey]) uint32 { return signed(k.level) }, func(k levelKey[typeKey]) uint32 { return signed(k.k.x) },
			func(k levelKey[typeKey]) uint32 { return signed(k.k.y) }, func(k levelKey[typeKey]) uint32 { return byName(k.k.eventType) },
			func(k levelKey[typeKey]) uint32 { return byName(k.k.week) }, func(k levelKey[typeKey]) uint32 { return byName(k.k.weekLast) },
			func(k levelKey[typeKey]) uint32 { return byName(k.k.modality) }, func(k levelKey[typeKey]) uint32 { return byName(k.k.origin) })
		clear(cells)
		return keptTable{name: table, key: 8, update: sumsUpdate, n: len(groups),
			columns: []string{"level", "x", "y", "event_type", "week", "week_last", "modality", "origin", "n", "fatalities", "sum_lon", "sum_lat"},
			row: func(i int, dst []any) {
				g := groups[i]
				fill(dst, g.K.level, g.K.k.x, g.K.k.y, name(g.K.k.eventType), name(g.K.k.week), name(g.K.k.weekLast),
					name(g.K.k.modality), name(g.K.k.origin), g.V.n, g.V.fatalities, g.V.lon, g.V.lat)
			}}
	}
	emit(typeTable("cell_types", typeCells))
	// A cell of WeekFinerLevel halved is its cell of WeekFineLevel,
	// clamped alike (the levels' columns differ by a power of two, which
	// scales the cell's expression exactly).
	for _, level := range []int32{eventsql.WeekFineLevel, eventsql.WeekFinerLevel} {
		shift := eventsql.WeekFinerLevel - level
		for packed, s := range t.fineWeeks.All() {
			combo, x, y := cellOfKey(eventsql.WeekFinerLevel, packed)
			k := t.comboList[combo]
			c := levelKey[typeKey]{level, typeKey{x: x >> shift, y: y >> shift, eventType: k.eventType, week: k.week, weekLast: k.weekLast,
				modality: k.modality, origin: k.origin}}
			sum := typeCells[c]
			sum.add(s)
			typeCells[c] = sum
		}
	}
	emit(typeTable("cell_fine_weeks", typeCells))
	countries := eventsql.SortedGroups(maps.All(countryCells), len(countryCells), noSums,
		func(k levelKey[countryKey]) uint32 { return signed(k.level) }, func(k levelKey[countryKey]) uint32 { return signed(k.k.x) },
		func(k levelKey[countryKey]) uint32 { return signed(k.k.y) }, func(k levelKey[countryKey]) uint32 { return byName(k.k.eventType) },
		func(k levelKey[countryKey]) uint32 { return byName(k.k.country) }, func(k levelKey[countryKey]) uint32 { return byName(k.k.modality) },
		func(k levelKey[countryKey]) uint32 { return byName(k.k.origin) })
	emit(keptTable{name: "cell_countries", key: 7, update: sumsUpdate, n: len(countries),
		columns: []string{"level", "x", "y", "event_type", "country_code", "modality", "origin", "n", "fatalities", "sum_lon", "sum_lat"},
		row: func(i int, dst []any) {
			g := countries[i]
			fill(dst, g.K.level, g.K.k.x, g.K.k.y, name(g.K.k.eventType), name(g.K.k.country),
				name(g.K.k.modality), name(g.K.k.origin), g.V.n, g.V.fatalities, g.V.lon, g.V.lat)
		}})
	countryWeekCells := map[levelKey[countryWeekKey]]int64{}
	for _, level := range eventsql.CellLevels() {
		shift := t.coarse - level
		for packed, n := range t.countryWeeks.All() {
			combo, x, y := cellOfKey(t.coarse, packed)
			k := t.comboList[combo]
			c := levelKey[countryWeekKey]{int32(level), countryWeekKey{x: x >> shift, y: y >> shift, country: k.country, week: k.week, weekLast: k.weekLast}}
			countryWeekCells[c] += n
		}
	}
	for packed, n := range t.fineCountryWeeks.All() {
		combo, x, y := cellOfKey(eventsql.WeekFineLevel, packed)
		k := t.comboList[combo]
		countryWeekCells[levelKey[countryWeekKey]{eventsql.WeekFineLevel, countryWeekKey{x: x, y: y, country: k.country, week: k.week,
			weekLast: k.weekLast}}] += n
	}
	countryWeeks := eventsql.SortedGroups(maps.All(countryWeekCells), len(countryWeekCells), noEvents,
		func(k levelKey[countryWeekKey]) uint32 { return signed(k.level) }, func(k levelKey[countryWeekKey]) uint32 { return signed(k.k.x) },
		func(k levelKey[countryWeekKey]) uint32 { return signed(k.k.y) }, func(k levelKey[countryWeekKey]) uint32 { return byName(k.k.country) },
		func(k levelKey[countryWeekKey]) uint32 { return byName(k.k.week) }, func(k levelKey[countryWeekKey]) uint32 { return byName(k.k.weekLast) })
	clear(countryWeekCells)
	emit(keptTable{name: "cell_country_weeks", key: 6, update: "n = c.n + excluded.n", n: len(countryWeeks),
		columns: []string{"level", "x", "y", "country_code", "week", "week_last", "n"},
		row: func(i int, dst []any) {
			g := countryWeeks[i]
			fill(dst, g.K.level, g.K.k.x, g.K.k.y, name(g.K.k.country), name(g.K.k.week), name(g.K.k.weekLast), g.V)
		}})
	fineCells := make(map[levelKey[fineKey]]cellSums, t.fine.Len()*3/2)
	for _, level := range eventsql.FineLevels() {
		shift := t.fineLevel - level
		for packed, s := range t.fine.All() {
			combo, x, y := cellOfKey(t.fineLevel, packed)
			k := t.comboList[combo]
			c := levelKey[fineKey]{int32(level), fineKey{x: x >> shift, y: y >> shift, eventType: k.eventType,
				modality: k.modality, origin: k.origin, precision: int32(k.precision)}}
			sum := fineCells[c]
			sum.add(s)
			fineCells[c] = sum
		}
	}
	fine := eventsql.SortedGroups(maps.All(fineCells), len(fineCells), noSums,
		func(k levelKey[fineKey]) uint32 { return signed(k.level) }, func(k levelKey[fineKey]) uint32 { return signed(k.k.x) },
		func(k levelKey[fineKey]) uint32 { return signed(k.k.y) }, func(k levelKey[fineKey]) uint32 { return byName(k.k.eventType) },
		func(k levelKey[fineKey]) uint32 { return byName(k.k.modality) }, func(k levelKey[fineKey]) uint32 { return byName(k.k.origin) },
		func(k levelKey[fineKey]) uint32 { return signed(k.k.precision) })
	emit(keptTable{name: "cell_fine", key: 7, update: sumsUpdate, n: len(fine),
		columns: []string{"level", "x", "y", "event_type", "modality", "origin", "geo_precision", "n", "fatalities", "sum_lon", "sum_lat"},
		row: func(i int, dst []any) {
			g := fine[i]
			fill(dst, g.K.level, g.K.k.x, g.K.k.y, name(g.K.k.eventType), name(g.K.k.modality), name(g.K.k.origin), g.K.k.precision,
				g.V.n, g.V.fatalities, g.V.lon, g.V.lat)
		}})
	clear(fineCells)
	byWordCell := []func(wordCellKey) uint32{
		func(k wordCellKey) uint32 { return eventsql.BoolField(k.quote()) }, func(k wordCellKey) uint32 { return byName(k.word()) },
		func(k wordCellKey) uint32 { x, _ := k.cell(); return signed(x) }, func(k wordCellKey) uint32 { _, y := k.cell(); return signed(y) },
		func(k wordCellKey) uint32 { return byName(t.wordTypes[k.wordType()]) },
	}
	wordFine := eventsql.SortGroups(t.wordCells.Take(), noSums, byWordCell...)
	coarseWords := make(map[wordCellKey]cellSums, len(wordFine)/2)
	for _, g := range wordFine {
		c := g.K.coarser(eventsql.WordFineLevel - eventsql.WordCellLevel)
		s := coarseWords[c]
		s.add(g.V)
		coarseWords[c] = s
	}
	wordCells := eventsql.SortedGroups(maps.All(coarseWords), len(coarseWords), noSums, byWordCell...)
	clear(coarseWords)
	wordCellTable := func(table string, groups []eventsql.Keyed[wordCellKey, cellSums]) keptTable {
		return keptTable{name: table, key: 5, update: sumsUpdate, n: len(groups),
			columns: []string{"field", "word", "x", "y", "event_type", "n", "fatalities", "sum_lon", "sum_lat"},
			row: func(i int, dst []any) {
				g := groups[i]
				field := eventsql.FieldOf(g.K.quote())
				x, y := g.K.cell()
				fill(dst, field, name(g.K.word()), x, y, name(t.wordTypes[g.K.wordType()]), g.V.n, g.V.fatalities, g.V.lon, g.V.lat)
			}}
	}
	emit(wordCellTable("cell_words", wordCells))
	emit(wordCellTable("cell_word_fine", wordFine))
	byStat := []func(eventsql.WordStatKey) uint32{
		func(k eventsql.WordStatKey) uint32 { return eventsql.BoolField(k.Quote()) }, func(k eventsql.WordStatKey) uint32 { return byName(k.Word()) },
		func(k eventsql.WordStatKey) uint32 { x, _ := k.Cell(); return uint32(x) }, func(k eventsql.WordStatKey) uint32 { _, y := k.Cell(); return uint32(y) },
		func(k eventsql.WordStatKey) uint32 { return uint32(k.Kind()) },
		func(k eventsql.WordStatKey) uint32 { return byName(t.statKeys.String(k.Key())) },
	}
	noStat := func(n int32) bool { return n == 0 }
	wordWeeks := eventsql.SortGroups(t.wordWeeks.Take(), eventsql.NoWeekSums,
		func(k eventsql.WordWeekKey) uint32 { return eventsql.BoolField(k.Quote()) }, func(k eventsql.WordWeekKey) uint32 { return byName(k.Word()) },
		func(k eventsql.WordWeekKey) uint32 { return byName(t.statKeys.String(k.Week())) },
		func(k eventsql.WordWeekKey) uint32 { x, _ := k.Cell(); return uint32(x) },
		func(k eventsql.WordWeekKey) uint32 { _, y := k.Cell(); return uint32(y) },
		func(k eventsql.WordWeekKey) uint32 { return byName(t.wordTypes[k.EventType()]) })
	emit(keptTable{name: "cell_word_weeks", key: 6, update: sumsUpdate, n: len(wordWeeks),
		columns: []string{"field", "word", "week", "x", "y", "event_type", "n", "fatalities", "sum_lon", "sum_lat"},
		row: func(i int, dst []any) {
			g := wordWeeks[i]
			x, y := g.K.Cell()
			lon, lat := g.V.Points(x, y)
			fill(dst, eventsql.FieldOf(g.K.Quote()), name(g.K.Word()), name(t.statKeys.String(g.K.Week())), int32(x), int32(y),
				name(t.wordTypes[g.K.EventType()]), int64(g.V.N), int64(g.V.Fatalities), lon, lat)
		}})
	coarseWeeks := eventsql.CoarseWeeks(wordWeeks, func(n uint32) uint32 { return byName(t.wordTypes[n]) })
	emit(keptTable{name: "cell_word_weeks_coarse", key: 6, update: sumsUpdate, n: len(coarseWeeks),
		columns: []string{"field", "word", "week", "x", "y", "event_type", "n", "fatalities", "sum_lon", "sum_lat"},
		row: func(i int, dst []any) {
			g := coarseWeeks[i]
			x, y := g.K.Cell()
			fill(dst, eventsql.FieldOf(g.K.Quote()), name(g.K.Word()), name(t.statKeys.String(g.K.Week())), int32(x), int32(y),
				name(t.wordTypes[g.K.EventType()]), int64(g.V.N), int64(g.V.Fatalities), g.V.Lon, g.V.Lat)
		}})
	wordStats := eventsql.SortGroups(t.wordStats.Take(), noStat, byStat...)
	emit(keptTable{name: "cell_word_stats", key: 6, update: "n = c.n + excluded.n", n: len(wordStats),
		columns: []string{"field", "word", "x", "y", "kind", "key", "n"},
		row: func(i int, dst []any) {
			g := wordStats[i]
			field := eventsql.FieldOf(g.K.Quote())
			x, y := g.K.Cell()
			fill(dst, field, name(g.K.Word()), int32(x), int32(y), int32(g.K.Kind()), name(t.statKeys.String(g.K.Key())), int64(g.V))
		}})
	detailStats := eventsql.SortGroups(t.detailStats.Take(), noStat, byStat...)
	emit(keptTable{name: "cell_detail_stats", key: 6, update: "n = c.n + excluded.n", n: len(detailStats),
		columns: []string{"field", "value", "x", "y", "kind", "key", "n"},
		row: func(i int, dst []any) {
			g := detailStats[i]
			field := eventsql.FieldSubType
			if g.K.Quote() {
				field = eventsql.FieldPrecision
			}
			x, y := g.K.Cell()
			fill(dst, field, name(g.K.Word()), int32(x), int32(y), int32(g.K.Kind()), name(t.statKeys.String(g.K.Key())), int64(g.V))
		}})
	emit(t.detailCellsTable(name, byName))
	for _, kt := range t.sets.tables(t.attrNames) {
		emit(kt)
	}
	emit(t.facts.table(t.sets.dropped))
}

// wordGroup is a group of word_counts.
type wordGroup struct {
	quote                                            bool
	word, eventType, country, week, modality, origin uint32
}

// levelKey is a cell's group at level.
type levelKey[K comparable] struct {
	level int32
	k     K
}

func fill(dst []any, values ...any) { copy(dst, values) }

// write adds the tally to the kept tables: by COPY into a temporary table
// and one upsert from it into a table that holds rows, else into a new
// table that replaces it at the swap (fresh). Copied frozen into a table
// without indexes, which are built after, the rows of a million events
// took 12.6 s of the server instead of 14.6 s into the tables and their
// primary keys, and the new tables need no vacuum: their pages are all
// visible at once (BENCHMARKS.md).
func (t *tally) write(ctx context.Context, tx pgx.Tx, tables <-chan keptTable) (fresh []freshTable, err error) {
	if t.err != nil {
		return nil, t.err
	}
	// The primary keys' builds sort in memory, as the events' do.
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '512MB'; SET LOCAL max_parallel_maintenance_workers = 0"); err != nil {
		return nil, err
	}
	for kt := range tables {
		if kt.n == 0 {
			continue
		}
		f, err := t.writeTable(ctx, tx, kt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kt.name, err)
		}
		if f != nil {
			fresh = append(fresh, *f)
		}
	}
	return fresh, nil
}

// writeTable adds the tally's rows of one kept table; it returns the new
// table that replaces it, if one does.
func (t *tally) writeTable(ctx context.Context, tx pgx.Tx, kt keptTable) (*freshTable, error) {
	var held bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT FROM "+kt.name+")").Scan(&held); err != nil {
		return nil, err
	}
	var fresh *freshTable
	target := kt.name
	if held {
		target = "tally_" + kt.name
		if _, err := tx.Exec(ctx, "CREATE TEMPORARY TABLE "+target+" (LIKE "+kt.name+") ON COMMIT DROP"); err != nil {
			return nil, err
		}
	} else {
		def, err := readTableDef(ctx, tx, kt.name, freshName(kt.name))
		if err != nil {
			return nil, err
		}
		// A table that others reference, or with triggers of its own, is
		// written in place.
		if !def.referenced && len(def.triggers) == 0 && len(def.foreign) == 0 {
			fresh = &freshTable{name: kt.name, def: def}
			target = freshName(kt.name)
			if _, err := tx.Exec(ctx, "CREATE TABLE "+target+" (LIKE "+kt.name+" INCLUDING ALL EXCLUDING INDEXES)"); err != nil {
				return nil, err
			}
		}
	}
	i := 0
	_, err := copyBinary(ctx, tx, target, kt.columns, fresh != nil, func(row []any) (bool, error) {
		if i == kt.n {
			return false, nil
		}
		kt.row(i, row)
		i++
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if fresh != nil {
		for _, x := range fresh.def.indexes {
			q := x.create
			if x.constraint != "" {
				q += "; ALTER TABLE " + target + " ADD CONSTRAINT " + x.temp + " " + x.constraint + " USING INDEX " + x.temp
			}
			if _, err := tx.Exec(ctx, q); err != nil {
				return nil, fmt.Errorf("index %s: %w", x.name, err)
			}
		}
		return fresh, nil
	}
	if !held {
		return nil, nil
	}
	cols := strings.Join(kt.columns, ", ")
	q := "INSERT INTO " + kt.name + " AS c (" + cols + ") SELECT " + cols + " FROM " + target +
		" ON CONFLICT (" + strings.Join(kt.columns[:kt.key], ", ") + ") DO UPDATE SET " + kt.update
	_, err = tx.Exec(ctx, q)
	return nil, err
}
