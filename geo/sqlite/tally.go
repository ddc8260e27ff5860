package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// tally is what a bulk import adds to the kept counts (event_counts,
// migration 0008, word_counts, migration 0014, and detail_counts, 0018) and cells (cell_types and
// cell_countries, migration 0012, cell_fine, 0013, cell_words, 0017, cell_details, 0020,
// cell_word_stats, 0021, cell_detail_stats, 0023, cell_country_weeks, 0028,
// cell_word_fine, 0031, cell_word_weeks, 0041) instead of their row
// triggers: the same groups, computed as the triggers compute them, added
// up here and written once per group at the commit. A replaced row takes
// its old values off.
//
// The strings of the groups' keys are numbered (tally.id), so that a key
// hashes a few integers, and holds no part of the line an event was read
// from; the cells are tallied at the finest level of their table alone
// and each coarser level is added up from it at the commit (the triggers'
// cell expression halves a cell's index per level: the clamped cells
// follow too), so that an event costs a few map updates, not one per
// level and table. The largest groups (word counts, word cells, word and
// detail stats, fine cells) are summed by sorting (eventsql.Sums): in
// maps of tens of MB each addition was a cache miss, 11 s of a million
// events' import's 117 s of CPU (BENCHMARKS.md).
type tally struct {
	ids       map[string]uint32
	strs      []string          // the strings by number
	weeks     map[uint32]uint32 // the week (Monday) of a date, by number
	counts    map[countKey]int
	details   map[detailKey]int
	words     *eventsql.Sums[wordKey, int32]
	groups    map[wordGroup]int32
	groupList []wordGroup
	levels    []cellLevel // of cell_types, coarsest first; none when the store keeps no cells
	types     map[cellTypeKey]cellSums
	countries map[cellCountryKey]cellSums
	// countryWeeks are the groups of cell_country_weeks (migration 0028)
	// at the finest level.
	countryWeeks map[cellCountryWeekKey]int64
	// finerWeeks are the groups of cell_fine_weeks at
	// eventsql.WeekFinerLevel (weekFiner, migration 0039), whose groups at
	// eventsql.WeekFineLevel (weekFine, migration 0037) are added up from
	// them when written: a map of both levels' 1.1 million groups took a
	// million events' import from 764 MB at its peak to 917. fineCountryWeeks
	// are the groups of cell_country_weeks at WeekFineLevel.
	finerWeeks       map[cellTypeKey]cellSums
	fineCountryWeeks map[cellCountryWeekKey]int64
	weekFine         cellLevel
	weekFiner        cellLevel
	// fine are the levels of cell_fine (migration 0013), coarsest first;
	// its groups are keyed in 8 bytes (fineKey): a map of the million's
	// 910,000 groups of every level under keys of strings took the
	// import's peak memory from 747 MB to 1,147 MB, grouping them in SQL at
	// the commit cost 17 s.
	fine      []cellLevel
	fineCells *eventsql.Sums[fineKey, cellSums]
	// wordCells are the groups of cell_word_fine (migration 0031), at
	// eventsql.WordFineLevel (wordFine); those of cell_words, at the
	// finest level of cell_types, are added up from them.
	wordCells *eventsql.Sums[wordCellKey, cellSums]
	wordFine  cellLevel
	// wordStats are the groups of cell_word_stats (migrations 0021,
	// 0043: by country alone), their keys numbered by statKeys.
	wordStats *eventsql.Sums[eventsql.WordStatKey, int32]
	statKeys  eventsql.StatKeys
	// wordWeeks are the groups of cell_word_weeks (migrations 0041,
	// 0042), at eventsql.WordWeekLevel (wordWeek), their weeks numbered
	// by statKeys and their event types by typeKeys.
	wordWeeks *eventsql.Sums[eventsql.WordWeekKey, eventsql.WeekSums]
	wordWeek  cellLevel
	typeKeys  eventsql.StatKeys
	// detailStats are the groups of cell_detail_stats (migration 0023),
	// packed as wordStats are: the field's bit set for the precision, the
	// value (the sub-event type, the precision's decimal text) by number.
	detailStats *eventsql.Sums[eventsql.WordStatKey, int32]
	wordIDs     []uint32          // the words of the event being added, by number
	names       map[string]uint16 // the numbers of the strings of fine keys
	nameList    []string
	err         error // a key that cannot be packed

	// detailLevels are the levels of cell_details (migration 0020),
	// coarsest first, and detailCells its groups at the finest.
	detailLevels []cellLevel
	detailCells  map[detailCellKey]cellSums
}

// countKey is a group of event_counts, its strings by number.
type countKey struct {
	eventType, countryCode, week, date, last, modality, origin uint32
}

// detailKey is a group of detail_counts, its strings by number.
type detailKey struct {
	subType, eventType, countryCode, week, weekLast, modality, origin uint32
	precision                                                         int
}

// wordKey is a group of word_counts packed into 8 bytes: the field (1 for
// the quote) in the top bit, the word's number (tally.id) in the next 31
// and the number of its group of events in the tally's list (tally.group)
// in the last 32. The word is hashed once per event, to its number, and
// the sums hold no pointers for the collector to follow: in a map under
// the words themselves as keys, the hashing, comparing and scanning cost
// a million events' import 4 s of CPU more, and under a struct of the
// three (12 bytes, no 8-byte map access) 1.4 s more than packed.
type wordKey uint64

func packWordKey(quote bool, word uint32, group int32) wordKey {
	k := uint64(word&(1<<31-1))<<32 | uint64(uint32(group))
	if quote {
		k |= 1 << 63
	}
	return wordKey(k)
}

func (k wordKey) quote() bool  { return k>>63 != 0 }
func (k wordKey) word() uint32 { return uint32(k>>32) & (1<<31 - 1) }
func (k wordKey) group() int32 { return int32(uint32(k)) }

// wordGroup is the part of a group of word_counts that the words of an
// event share, its strings by number.
type wordGroup struct {
	eventType, countryCode, week, modality, origin uint32
}

// cellLevel is a row of cell_levels: a level of the grid, its columns as a
// double (the factor of the cell expression) and as an integer.
type cellLevel struct {
	level int
	n     float64
	cols  int
}

// cellTypeKey is a group of cell_types at a level the map is of, its
// strings by number.
type cellTypeKey struct {
	x, y                                        uint32
	eventType, week, weekLast, modality, origin uint32
}

// cellCountryWeekKey is a group of cell_country_weeks at a level the map
// is of, its strings by number.
type cellCountryWeekKey struct {
	x, y                        uint32
	countryCode, week, weekLast uint32
}

// cellSums are the sums of a group of cell_types, cell_countries or
// cell_fine, in 24 bytes: 32 took a million events' import to 993 MB at
// its peak, 925-934 MB this way (its millions of groups, with the
// collector's headroom). Its count and fatalities are 32 bits: the
// recorded fatalities of all conflicts fall far short of 2^31, and an
// import refuses an event of more than a million (eventfile), so that only
// thousands of such events in one group would wrap.
type cellSums struct {
	n, fatalities int32
	lon, lat      float64
}

// add counts e in (sign 1) or out (sign -1).
func (s *cellSums) add(e tallied, sign int) {
	s.n += int32(sign)
	s.fatalities += int32(sign * e.fatalities)
	s.lon += float64(sign) * e.lon
	s.lat += float64(sign) * e.lat
}

// addSums adds b to a, for eventsql.NewSums.
func addSums(a *cellSums, b cellSums) { *a = a.plus(b) }

// plus is the sums of s and o.
func (s cellSums) plus(o cellSums) cellSums {
	return cellSums{n: s.n + o.n, fatalities: s.fatalities + o.fatalities, lon: s.lon + o.lon, lat: s.lat + o.lat}
}

// wordCellKey is a group of cell_word_fine or cell_words packed into 8
// bytes: the field (1 for the quote) in the top bit, the word's number
// (tally.id) in the next 28, x in wordXBits and y in wordYBits (the
// columns and rows of eventsql.WordFineLevel), and the event type's number
// (tally.name) in the last fineNameBits. Keyed by structs with the word,
// the million's 475,000 groups of cell_words took the import's peak memory
// up by 150 MB.
type wordCellKey uint64

const (
	wordXBits = eventsql.WordFineLevel + 2
	wordYBits = eventsql.WordFineLevel + 1
	// wordShift is where a wordCellKey's word starts.
	wordShift = wordXBits + wordYBits + fineNameBits
)

// maxStrings bounds a tally's distinct strings (tally.id): a word's number
// fills the bits of a wordCellKey between its field and its cell.
const maxStrings = 1 << (63 - wordShift)

func packWordCell(quote bool, word uint32, x, y int, eventType uint16) wordCellKey {
	k := uint64(word)<<wordShift | uint64(x)<<(wordYBits+fineNameBits) | uint64(y)<<fineNameBits | uint64(eventType)
	if quote {
		k |= 1 << 63
	}
	return wordCellKey(k)
}

func (k wordCellKey) quote() bool  { return k>>63 != 0 }
func (k wordCellKey) word() uint32 { return uint32(k>>wordShift) & (maxStrings - 1) }
func (k wordCellKey) cell() (x, y int) {
	return int(k >> (wordYBits + fineNameBits) & (1<<wordXBits - 1)), int(k >> fineNameBits & (1<<wordYBits - 1))
}
func (k wordCellKey) eventType() uint16 { return uint16(k & (1<<fineNameBits - 1)) }

// coarser is k's group at the level shift times coarser.
func (k wordCellKey) coarser(shift int) wordCellKey {
	x, y := k.cell()
	return packWordCell(k.quote(), k.word(), x>>shift, y>>shift, k.eventType())
}

// cellCountryKey is a group of cell_countries at a level the map is of,
// its strings by number.
type cellCountryKey struct {
	x, y                                     uint32
	eventType, countryCode, modality, origin uint32
}

// fineKey is a group of cell_fine at one level, packed into 8 bytes: x
// and y 16 bits each, then the numbers (tally.names) of the event type,
// the modality, the origin and the precision's decimal text, fineNameBits
// each. A tally's numbers follow the order names came in; writeFine sorts
// them as the table's primary key does.
type fineKey uint64

// fineNameBits is the width of a name's number in a fineKey.
const fineNameBits = 8

func packFine(x, y int, eventType, modality, origin, precision uint16) fineKey {
	return fineKey(uint64(x)<<48 | uint64(y)<<32 | uint64(eventType)<<(3*fineNameBits) | uint64(modality)<<(2*fineNameBits) |
		uint64(origin)<<fineNameBits | uint64(precision))
}

func (k fineKey) cell() (x, y int) { return int(k >> 48), int(k >> 32 & 0xffff) }

func (k fineKey) names() (eventType, modality, origin, precision uint16) {
	const mask = 1<<fineNameBits - 1
	return uint16(k >> (3 * fineNameBits) & mask), uint16(k >> (2 * fineNameBits) & mask), uint16(k >> fineNameBits & mask), uint16(k & mask)
}

// name is the number of s in the tally's fine keys.
func (t *tally) name(s string) uint16 {
	if n, ok := t.names[s]; ok {
		return n
	}
	if len(t.nameList) == 1<<fineNameBits {
		t.err = fmt.Errorf("fine cells: more than %d event types, modalities, origins and precisions", len(t.nameList))
		return 0
	}
	n := uint16(len(t.nameList))
	t.names[s] = n
	t.nameList = append(t.nameList, s)
	return n
}

// tallied is the part of an event the tally reads.
type tallied struct {
	eventType, countryCode, date, end, modality, origin string
	subType                                             string
	precision                                           int
	lon, lat                                            float64
	fatalities                                          int
	actors, quote                                       []string // distinct words
}

func talliedOf(e geo.Event) tallied {
	t := tallied{eventType: e.EventType, countryCode: e.CountryCode, date: e.EventDate, end: e.EventDateEnd,
		modality: e.Modality, origin: e.OriginName(), subType: e.SubEventType, precision: e.GeoPrecision, lon: e.Point[0], lat: e.Point[1],
		actors: distinctWords(e.Actor1 + "\n" + e.Actor2), quote: distinctWords(e.Quote)}
	if e.Fatalities != nil {
		t.fatalities = *e.Fatalities
	}
	return t
}

// newTally reads the grid's levels when the store keeps cells.
func newTally(ctx context.Context, tx *sql.Tx, cells bool) (*tally, error) {
	t := &tally{ids: map[string]uint32{}, weeks: map[uint32]uint32{}, counts: map[countKey]int{}, details: map[detailKey]int{}, words: eventsql.NewSums[wordKey](eventsql.AddInt[int32]),
		groups: map[wordGroup]int32{}, types: map[cellTypeKey]cellSums{}, countries: map[cellCountryKey]cellSums{},
		countryWeeks: map[cellCountryWeekKey]int64{}, finerWeeks: map[cellTypeKey]cellSums{}, fineCountryWeeks: map[cellCountryWeekKey]int64{},
		fineCells: eventsql.NewSums[fineKey](addSums), wordCells: eventsql.NewSums[wordCellKey](addSums),
		wordStats: eventsql.NewSums[eventsql.WordStatKey](eventsql.AddInt[int32]), names: map[string]uint16{},
		wordWeeks:   eventsql.NewSums[eventsql.WordWeekKey](eventsql.AddWeekSums),
		detailStats: eventsql.NewSums[eventsql.WordStatKey](eventsql.AddInt[int32]),
		detailCells: map[detailCellKey]cellSums{}}
	if !cells {
		return t, nil
	}
	var err error
	if t.levels, err = readLevels(ctx, tx, "cell_levels"); err != nil {
		return nil, err
	}
	if t.fine, err = readLevels(ctx, tx, "cell_fine_levels"); err != nil {
		return nil, err
	}
	if t.detailLevels, err = readLevels(ctx, tx, "cell_detail_levels"); err != nil {
		return nil, err
	}
	n := geo.CellsAround(eventsql.WordFineLevel)
	t.wordFine = cellLevel{level: eventsql.WordFineLevel, n: float64(n), cols: int(n)}
	n = geo.CellsAround(eventsql.WordWeekLevel)
	t.wordWeek = cellLevel{level: eventsql.WordWeekLevel, n: float64(n), cols: int(n)}
	n = geo.CellsAround(eventsql.WeekFineLevel)
	t.weekFine = cellLevel{level: eventsql.WeekFineLevel, n: float64(n), cols: int(n)}
	n = geo.CellsAround(eventsql.WeekFinerLevel)
	t.weekFiner = cellLevel{level: eventsql.WeekFinerLevel, n: float64(n), cols: int(n)}
	for _, levels := range [][]cellLevel{t.levels, t.fine, t.detailLevels} {
		for _, l := range levels {
			if _, err := levelShift(levels[len(levels)-1], l); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

// readLevels reads a table of levels (cell_levels, cell_fine_levels).
func readLevels(ctx context.Context, tx *sql.Tx, table string) ([]cellLevel, error) {
	rows, err := tx.QueryContext(ctx, "SELECT level, n, cols FROM "+table+" ORDER BY level")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var levels []cellLevel
	for rows.Next() {
		var l cellLevel
		if err := rows.Scan(&l.level, &l.n, &l.cols); err != nil {
			return nil, err
		}
		levels = append(levels, l)
	}
	return levels, rows.Err()
}

// levelShift is how many times a cell's index at the finest level is
// halved to be its index at level l.
func levelShift(finest, l cellLevel) (int, error) {
	if l.cols <= 0 || finest.cols%l.cols != 0 || bits.OnesCount(uint(finest.cols/l.cols)) != 1 || finest.n != float64(finest.cols) || l.n != float64(l.cols) {
		return 0, fmt.Errorf("cell level %d of %d columns is not level %d's halved", l.level, l.cols, finest.level)
	}
	return bits.TrailingZeros(uint(finest.cols / l.cols)), nil
}

// cellOf is the cell expression of the triggers at level l, clamped as
// they clamp it.
func (l cellLevel) cellOf(lon, lat float64) (int, int) {
	return min(int((lon+180)*l.n/360), l.cols-1), min(int((lat+90)*l.n/360), l.cols/2-1)
}

// id is the number of s in the tally.
func (t *tally) id(s string) uint32 {
	if n, ok := t.ids[s]; ok {
		return n
	}
	if len(t.strs) == maxStrings {
		t.err = fmt.Errorf("word counts: more than %d distinct strings", len(t.strs))
		return 0
	}
	n := uint32(len(t.strs))
	s = strings.Clone(s) // not the line it was read from
	t.ids[s] = n
	t.strs = append(t.strs, s)
	return n
}

// week is the number of the Monday of the week of the date numbered date,
// as date(d, 'weekday 0', '-6 days') computes it; of "" for no date.
func (t *tally) week(date uint32) uint32 {
	if w, ok := t.weeks[date]; ok {
		return w
	}
	w := ""
	if d, err := time.Parse(geo.DateLayout, t.strs[date]); err == nil {
		w = d.AddDate(0, 0, -(int(d.Weekday())+6)%7).Format(geo.DateLayout)
	}
	n := t.id(w)
	t.weeks[date] = n
	return n
}

// add counts an event in (sign 1) or out (sign -1).
func (t *tally) add(e tallied, sign int) {
	eventType, countryCode, modality, origin := t.id(e.eventType), t.id(e.countryCode), t.id(e.modality), t.id(e.origin)
	date, last := t.id(e.date), t.id(cmp.Or(e.end, e.date))
	week := t.week(date)
	t.counts[countKey{eventType: eventType, countryCode: countryCode, week: week, date: date, last: last,
		modality: modality, origin: origin}] += sign
	weekLast := t.week(last)
	t.details[detailKey{subType: t.id(e.subType), precision: e.precision, eventType: eventType, countryCode: countryCode,
		week: week, weekLast: weekLast, modality: modality, origin: origin}] += sign
	// The words by number, each looked up once for the three tables.
	t.wordIDs = t.wordIDs[:0]
	for _, w := range e.actors {
		t.wordIDs = append(t.wordIDs, t.id(w))
	}
	for _, w := range e.quote {
		t.wordIDs = append(t.wordIDs, t.id(w))
	}
	wordIDs := [2][]uint32{t.wordIDs[:len(e.actors)], t.wordIDs[len(e.actors):]}
	if len(t.wordIDs) > 0 {
		wg := wordGroup{eventType: eventType, countryCode: countryCode, week: week, modality: modality, origin: origin}
		g, ok := t.groups[wg]
		if !ok {
			g = int32(len(t.groupList))
			t.groups[wg] = g
			t.groupList = append(t.groupList, wg)
		}
		for i, ids := range wordIDs {
			for _, word := range ids {
				t.words.Put(packWordKey(i == 1, word, g), int32(sign))
			}
		}
	}
	if len(t.levels) > 0 {
		x, y := t.levels[len(t.levels)-1].cellOf(e.lon, e.lat)
		k := cellTypeKey{x: uint32(x), y: uint32(y), eventType: eventType, week: week, weekLast: weekLast, modality: modality, origin: origin}
		s := t.types[k]
		s.add(e, sign)
		t.types[k] = s
		ck := cellCountryKey{x: uint32(x), y: uint32(y), eventType: eventType, countryCode: countryCode, modality: modality, origin: origin}
		cs := t.countries[ck]
		cs.add(e, sign)
		t.countries[ck] = cs
		t.countryWeeks[cellCountryWeekKey{x: uint32(x), y: uint32(y), countryCode: countryCode, week: week, weekLast: weekLast}] += int64(sign)
		wx, wy := t.weekFine.cellOf(e.lon, e.lat)
		t.fineCountryWeeks[cellCountryWeekKey{x: uint32(wx), y: uint32(wy), countryCode: countryCode, week: week, weekLast: weekLast}] += int64(sign)
		wk := k
		vx, vy := t.weekFiner.cellOf(e.lon, e.lat)
		wk.x, wk.y = uint32(vx), uint32(vy)
		ws := t.finerWeeks[wk]
		ws.add(e, sign)
		t.finerWeeks[wk] = ws
		if x >= 1<<10 || y >= 1<<9 {
			t.err = fmt.Errorf("word cells: cell %d, %d of level %d does not pack", x, y, t.levels[len(t.levels)-1].level)
			return
		}
		typeName := t.name(e.eventType)
		countryKey, weekKey := t.statKeys.Number(countryCode), t.statKeys.Number(week)
		for i, value := range [2]uint32{t.id(e.subType), t.id(strconv.Itoa(e.precision))} {
			for kind, key := range [2]uint32{eventsql.StatCountry: countryKey, eventsql.StatWeek: weekKey} {
				k, err := eventsql.PackWordStat(i == 1, kind, value, key, x, y)
				if err != nil {
					t.err = err
					return
				}
				t.detailStats.Put(k, int32(sign))
			}
		}
		fx, fy := t.wordFine.cellOf(e.lon, e.lat)
		kx, ky := t.wordWeek.cellOf(e.lon, e.lat)
		var sums cellSums
		sums.add(e, sign)
		typeKey := t.typeKeys.Number(eventType)
		weekSums := eventsql.PointWeekSums(int32(sign), int32(e.fatalities), e.lon, e.lat, kx, ky)
		for i, ids := range wordIDs {
			for _, word := range ids {
				k := packWordCell(i == 1, word, fx, fy, typeName)
				t.wordCells.Put(k, sums)
				wk, err := eventsql.PackWordWeek(i == 1, word, weekKey, kx, ky, typeKey)
				if err != nil {
					t.err = err
					return
				}
				t.wordWeeks.Put(wk, weekSums)
				sk, err := eventsql.PackWordStat(i == 1, eventsql.StatCountry, word, countryKey, x, y)
				if err != nil {
					t.err = err
					return
				}
				t.wordStats.Put(sk, int32(sign))
			}
		}
	}
	t.addDetailCell(e, sign, eventType, modality, origin)
	if len(t.fine) > 0 {
		var sums cellSums
		sums.add(e, sign)
		x, y := t.fine[len(t.fine)-1].cellOf(e.lon, e.lat)
		k := packFine(x, y, t.name(e.eventType), t.name(e.modality), t.name(e.origin), t.name(strconv.Itoa(e.precision)))
		t.fineCells.Put(k, sums)
	}
}

// write adds the tally to the store's tables, many groups to a statement.
// The statements run on a goroutine of their own (rowPipe) while the next
// groups are sorted and made ready here.
func (t *tally) write(ctx context.Context, tx *sql.Tx) error {
	if t.err != nil {
		return t.err
	}
	p := startRowPipe(ctx, tx)
	err := t.writeGroups(ctx, p)
	return cmp.Or(p.close(), err)
}

// writeGroups is write's work, its statements run by p.
func (t *tally) writeGroups(ctx context.Context, p *rowPipe) error {
	str := t.strs
	// Each table's rows go in the order of its primary key, so that every
	// row goes where the one before it went: in the order of the maps, a
	// million events' event_counts, word_counts, cell_types and
	// cell_countries rows took 6.5 s of the commit's CPU, in order 3.1 s
	// with the sorting.
	rank := t.ranks()
	byRank := func(a, b uint32) int { return cmp.Compare(rank[a], rank[b]) }
	counts := p.writer("event_counts (event_type, country_code, week, event_date, date_last, modality, origin, n)", 8,
		" ON CONFLICT DO UPDATE SET n = n + excluded.n")
	countKeys := sortedKeys(t.counts, func(a, b countKey) int {
		return cmp.Or(byRank(a.eventType, b.eventType), byRank(a.countryCode, b.countryCode), byRank(a.week, b.week),
			byRank(a.date, b.date), byRank(a.last, b.last), byRank(a.modality, b.modality), byRank(a.origin, b.origin))
	})
	for _, k := range countKeys {
		if n := t.counts[k]; n != 0 {
			if err := counts.add(ctx, str[k.eventType], str[k.countryCode], str[k.week], str[k.date], str[k.last], str[k.modality], str[k.origin], n); err != nil {
				return err
			}
		}
	}
	if err := counts.flush(ctx); err != nil {
		return err
	}
	// Each map is dropped once written: a new store's tally is written
	// beside the index builds (sideTally), whose sorts want the memory.
	t.counts = nil
	details := p.writer("detail_counts (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin, n)", 9,
		" ON CONFLICT DO UPDATE SET n = n + excluded.n")
	detailKeys := sortedKeys(t.details, func(a, b detailKey) int {
		return cmp.Or(byRank(a.subType, b.subType), cmp.Compare(a.precision, b.precision), byRank(a.eventType, b.eventType),
			byRank(a.countryCode, b.countryCode), byRank(a.week, b.week), byRank(a.weekLast, b.weekLast),
			byRank(a.modality, b.modality), byRank(a.origin, b.origin))
	})
	for _, k := range detailKeys {
		if n := t.details[k]; n != 0 {
			if err := details.add(ctx, str[k.subType], k.precision, str[k.eventType], str[k.countryCode], str[k.week], str[k.weekLast],
				str[k.modality], str[k.origin], n); err != nil {
				return err
			}
		}
	}
	if err := details.flush(ctx); err != nil {
		return err
	}
	t.details = nil
	words := p.writer("word_counts (field, word, event_type, country_code, week, modality, origin, n)", 8,
		" ON CONFLICT DO UPDATE SET n = n + excluded.n")
	// The field's names sort as false (actors) before true (quote).
	group := func(k wordKey) wordGroup { return t.groupList[k.group()] }
	wordGroups := eventsql.SortGroups(t.words.Take(), noEvents,
		func(k wordKey) uint32 { return eventsql.BoolField(k.quote()) }, func(k wordKey) uint32 { return rank[k.word()] },
		func(k wordKey) uint32 { return rank[group(k).eventType] }, func(k wordKey) uint32 { return rank[group(k).countryCode] },
		func(k wordKey) uint32 { return rank[group(k).week] }, func(k wordKey) uint32 { return rank[group(k).modality] },
		func(k wordKey) uint32 { return rank[group(k).origin] })
	for _, wg := range wordGroups {
		k, g := wg.K, group(wg.K)
		if err := words.add(ctx, eventsql.FieldOf(k.quote()), str[k.word()], str[g.eventType], str[g.countryCode], str[g.week],
			str[g.modality], str[g.origin], wg.V); err != nil {
			return err
		}
	}
	if err := words.flush(ctx); err != nil || len(t.levels) == 0 {
		return err
	}
	t.words, t.groups, t.groupList = nil, nil, nil
	types := p.writer("cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)", 12,
		sumsUpsert)
	countries := p.writer("cell_countries (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)", 11,
		sumsUpsert)
	finest := t.levels[len(t.levels)-1]
	for _, l := range t.levels {
		shift, err := levelShift(finest, l)
		if err != nil {
			return err
		}
		typeGroups, countryGroups := t.types, t.countries
		if shift > 0 {
			typeGroups = make(map[cellTypeKey]cellSums, len(t.types)>>shift)
			for k, s := range t.types {
				k.x, k.y = k.x>>shift, k.y>>shift
				typeGroups[k] = typeGroups[k].plus(s)
			}
			countryGroups = make(map[cellCountryKey]cellSums, len(t.countries)>>shift)
			for k, s := range t.countries {
				k.x, k.y = k.x>>shift, k.y>>shift
				countryGroups[k] = countryGroups[k].plus(s)
			}
		}
		if err := writeTypeGroups(ctx, types, l.level, 0, typeGroups, str, byRank); err != nil {
			return err
		}
		countryKeys := sortedKeys(countryGroups, func(a, b cellCountryKey) int {
			return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y), byRank(a.eventType, b.eventType),
				byRank(a.countryCode, b.countryCode), byRank(a.modality, b.modality), byRank(a.origin, b.origin))
		})
		for _, k := range countryKeys {
			s := countryGroups[k]
			if s == (cellSums{}) {
				continue
			}
			if err := countries.add(ctx, l.level, k.x, k.y, str[k.eventType], str[k.countryCode], str[k.modality], str[k.origin],
				s.n, s.fatalities, s.lon, s.lat); err != nil {
				return err
			}
		}
	}
	if err := types.flush(ctx); err != nil {
		return err
	}
	if err := countries.flush(ctx); err != nil {
		return err
	}
	t.types, t.countries = nil, nil
	weeks := p.writer("cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)", 12,
		sumsUpsert)
	// A cell of weekFiner halved is its cell of weekFine, clamped alike
	// (the levels' columns differ by a power of two, which scales the
	// cell's expression exactly).
	if err := writeTypeGroups(ctx, weeks, t.weekFine.level, t.weekFiner.level-t.weekFine.level, t.finerWeeks, str, byRank); err != nil {
		return err
	}
	if err := writeTypeGroups(ctx, weeks, t.weekFiner.level, 0, t.finerWeeks, str, byRank); err != nil {
		return err
	}
	if err := weeks.flush(ctx); err != nil {
		return err
	}
	t.finerWeeks = nil
	if err := t.writeCountryWeeks(ctx, p, byRank); err != nil {
		return err
	}
	t.countryWeeks = nil
	if err := t.writeWordCells(ctx, p, rank); err != nil {
		return err
	}
	t.wordCells = nil
	if err := t.writeWordWeeks(ctx, p, rank); err != nil {
		return err
	}
	t.wordWeeks = nil
	if err := t.writeStats(ctx, p, "cell_word_stats (field, word, x, y, kind, key, n)", t.wordStats.Take(),
		[2]string{eventsql.FieldActors, eventsql.FieldQuote}, rank); err != nil {
		return err
	}
	t.wordStats = nil
	if err := t.writeStats(ctx, p, "cell_detail_stats (field, value, x, y, kind, key, n)", t.detailStats.Take(),
		[2]string{eventsql.FieldSubType, eventsql.FieldPrecision}, rank); err != nil {
		return err
	}
	t.detailStats = nil
	if err := t.writeDetailCells(ctx, p, byRank); err != nil {
		return err
	}
	t.detailCells = nil
	return t.writeFine(ctx, p)
}

// writeWordCells adds the groups of cell_word_fine and, added up from
// them, those of cell_words, each in the order of its primary key. Both
// tables order a word's groups after the last word's, so that the coarse
// groups are added up one word at a time, beside the fine ones, rather
// than in a second map as large as cell_words (the million: 475,000
// groups).
func (t *tally) writeWordCells(ctx context.Context, p *rowPipe, rank []uint32) error {
	const columns = " (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)"
	fine, coarse := p.writer("cell_word_fine"+columns, 9, sumsUpsert), p.writer("cell_words"+columns, 9, sumsUpsert)
	nameRank, _ := t.nameRanks()
	byCell := func(a, b wordCellKey) int {
		ax, ay := a.cell()
		bx, by := b.cell()
		return cmp.Or(boolCompare(a.quote(), b.quote()), cmp.Compare(rank[a.word()], rank[b.word()]), cmp.Compare(ax, bx), cmp.Compare(ay, by),
			cmp.Compare(nameRank[a.eventType()], nameRank[b.eventType()]))
	}
	add := func(w *rowWriter, k wordCellKey, s cellSums) error {
		if s == (cellSums{}) {
			return nil
		}
		field := eventsql.FieldOf(k.quote())
		x, y := k.cell()
		return w.add(ctx, field, t.strs[k.word()], x, y, t.nameList[k.eventType()], s.n, s.fatalities, s.lon, s.lat)
	}
	word := map[wordCellKey]cellSums{} // the coarse groups of the word being written
	flushWord := func() error {
		for _, k := range sortedKeys(word, byCell) {
			if err := add(coarse, k, word[k]); err != nil {
				return err
			}
		}
		clear(word)
		return nil
	}
	const shift = eventsql.WordFineLevel - eventsql.WordCellLevel
	var last wordCellKey
	groups := eventsql.SortGroups(t.wordCells.Take(), noSums,
		func(k wordCellKey) uint32 { return eventsql.BoolField(k.quote()) }, func(k wordCellKey) uint32 { return rank[k.word()] },
		func(k wordCellKey) uint32 { x, _ := k.cell(); return uint32(x) }, func(k wordCellKey) uint32 { _, y := k.cell(); return uint32(y) },
		func(k wordCellKey) uint32 { return uint32(nameRank[k.eventType()]) })
	for i, g := range groups {
		k, s := g.K, g.V
		if i > 0 && (k.quote() != last.quote() || k.word() != last.word()) {
			if err := flushWord(); err != nil {
				return err
			}
		}
		last = k
		c := k.coarser(shift)
		word[c] = word[c].plus(s)
		if err := add(fine, k, s); err != nil {
			return err
		}
	}
	if err := flushWord(); err != nil {
		return err
	}
	if err := fine.flush(ctx); err != nil {
		return err
	}
	return coarse.flush(ctx)
}

// writeWordWeeks adds the groups of cell_word_weeks and
// cell_word_weeks_coarse in the order of their primary keys.
func (t *tally) writeWordWeeks(ctx context.Context, p *rowPipe, rank []uint32) error {
	w := p.writer("cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)", 10, sumsUpsert)
	typeOf := func(k eventsql.WordWeekKey) uint32 { return t.typeKeys.String(k.EventType()) }
	sorted := eventsql.SortGroups(t.wordWeeks.Take(), eventsql.NoWeekSums,
		func(k eventsql.WordWeekKey) uint32 { return eventsql.BoolField(k.Quote()) }, func(k eventsql.WordWeekKey) uint32 { return rank[k.Word()] },
		func(k eventsql.WordWeekKey) uint32 { return rank[t.statKeys.String(k.Week())] },
		func(k eventsql.WordWeekKey) uint32 { x, _ := k.Cell(); return uint32(x) },
		func(k eventsql.WordWeekKey) uint32 { _, y := k.Cell(); return uint32(y) },
		func(k eventsql.WordWeekKey) uint32 { return rank[typeOf(k)] })
	for _, g := range sorted {
		k, s := g.K, g.V
		x, y := k.Cell()
		lon, lat := s.Points(x, y)
		if err := w.add(ctx, eventsql.FieldOf(k.Quote()), t.strs[k.Word()], t.strs[t.statKeys.String(k.Week())], x, y, t.strs[typeOf(k)],
			s.N, s.Fatalities, lon, lat); err != nil {
			return err
		}
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	coarse := p.writer("cell_word_weeks_coarse (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)", 10, sumsUpsert)
	for _, g := range eventsql.CoarseWeeks(sorted, func(n uint32) uint32 { return rank[t.typeKeys.String(n)] }) {
		k, s := g.K, g.V
		if s.N == 0 && s.Fatalities == 0 {
			continue
		}
		x, y := k.Cell()
		if err := coarse.add(ctx, eventsql.FieldOf(k.Quote()), t.strs[k.Word()], t.strs[t.statKeys.String(k.Week())], x, y, t.strs[typeOf(k)],
			s.N, s.Fatalities, s.Lon, s.Lat); err != nil {
			return err
		}
	}
	if err := coarse.flush(ctx); err != nil {
		return err
	}
	return nil
}

// writeStats adds the groups of cell_word_stats or cell_detail_stats
// (table, with its columns), in the order of its primary key: the groups
// of the field named fields[0] (the key's field bit clear) or fields[1].
func (t *tally) writeStats(ctx context.Context, p *rowPipe, table string, groups []eventsql.Keyed[eventsql.WordStatKey, int32], fields [2]string,
	rank []uint32) error {
	w := p.writer(table, 7, " ON CONFLICT DO UPDATE SET n = n + excluded.n")
	sorted := eventsql.SortGroups(groups, noEvents,
		func(k eventsql.WordStatKey) uint32 { return eventsql.BoolField(k.Quote()) }, func(k eventsql.WordStatKey) uint32 { return rank[k.Word()] },
		func(k eventsql.WordStatKey) uint32 { x, _ := k.Cell(); return uint32(x) },
		func(k eventsql.WordStatKey) uint32 { _, y := k.Cell(); return uint32(y) },
		func(k eventsql.WordStatKey) uint32 { return uint32(k.Kind()) },
		func(k eventsql.WordStatKey) uint32 { return rank[t.statKeys.String(k.Key())] })
	for _, g := range sorted {
		k := g.K
		field := fields[0]
		if k.Quote() {
			field = fields[1]
		}
		x, y := k.Cell()
		if err := w.add(ctx, field, t.strs[k.Word()], x, y, k.Kind(), t.strs[t.statKeys.String(k.Key())], g.V); err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

// ranks are the tally's string numbers' places in the order of the
// strings, as SQLite's BINARY collation sorts them.
func (t *tally) ranks() []uint32 {
	byName := make([]uint32, len(t.strs))
	for i := range byName {
		byName[i] = uint32(i)
	}
	slices.SortFunc(byName, func(a, b uint32) int { return strings.Compare(t.strs[a], t.strs[b]) })
	rank := make([]uint32, len(t.strs))
	for r, n := range byName {
		rank[n] = uint32(r)
	}
	return rank
}

// sortedKeys are the keys of m in the order of compare.
func sortedKeys[K comparable, V any](m map[K]V, compare func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compare)
	return keys
}

// boolCompare orders false before true.
func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// sumsUpsert is the upsert of a group of a cell table with the sums of
// its points (cellSums) into the group already there.
const sumsUpsert = " ON CONFLICT DO UPDATE SET n = n + excluded.n, fatalities = fatalities + excluded.fatalities," +
	" sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat"

// writeTypeGroups adds groups of cell_types or cell_fine_weeks at level to
// w in the order of the tables' primary key; str are the tally's strings
// by number, byRank compares two of them by name. The groups are of the
// level shift levels finer, added up into their cells at level (a cell
// of a finer level halved once per level is its cell), 0 when they are
// of level itself.
func writeTypeGroups(ctx context.Context, w *rowWriter, level, shift int, groups map[cellTypeKey]cellSums, str []string,
	byRank func(a, b uint32) int) error {
	at := func(k cellTypeKey) cellTypeKey {
		k.x, k.y = k.x>>shift, k.y>>shift
		return k
	}
	keys := sortedKeys(groups, func(a, b cellTypeKey) int {
		a, b = at(a), at(b)
		return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y), byRank(a.eventType, b.eventType), byRank(a.week, b.week),
			byRank(a.weekLast, b.weekLast), byRank(a.modality, b.modality), byRank(a.origin, b.origin))
	})
	for i := 0; i < len(keys); {
		k := at(keys[i])
		var s cellSums
		for ; i < len(keys) && at(keys[i]) == k; i++ {
			s = s.plus(groups[keys[i]])
		}
		// A replaced event may leave its group's count as it was and
		// change its sums.
		if s == (cellSums{}) {
			continue
		}
		if err := w.add(ctx, level, k.x, k.y, str[k.eventType], str[k.week], str[k.weekLast], str[k.modality], str[k.origin],
			s.n, s.fatalities, s.lon, s.lat); err != nil {
			return err
		}
	}
	return nil
}

// writeFine adds the tally's groups of cell_fine to the table, level by
// level, each in the order of the table's primary key, so that every row
// goes where the one before it went.
func (t *tally) writeFine(ctx context.Context, p *rowPipe) error {
	cells := t.fineCells.Take()
	if len(cells) == 0 {
		return nil
	}
	rank, byName := t.nameRanks()
	finest := t.fine[len(t.fine)-1]
	w := p.writer("cell_fine (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)", 11,
		sumsUpsert)
	for _, l := range t.fine {
		shift, err := levelShift(finest, l)
		if err != nil {
			return err
		}
		// The level's groups under keys ranked by name, which sort as the
		// table's primary key does.
		level := eventsql.NewSums[fineKey](addSums)
		for _, c := range cells {
			k, s := c.K, c.V
			x, y := k.cell()
			et, mo, or, pr := k.names()
			level.Put(packFine(x>>shift, y>>shift, rank[et], rank[mo], rank[or], rank[pr]), s)
		}
		level.Flush()
		for rk, s := range level.All() {
			if s == (cellSums{}) {
				continue
			}
			x, y := rk.cell()
			et, mo, or, pr := rk.names()
			precision, err := strconv.Atoi(t.nameList[byName[pr]])
			if err != nil {
				return err
			}
			if err := w.add(ctx, l.level, x, y, t.nameList[byName[et]], t.nameList[byName[mo]], t.nameList[byName[or]], precision,
				s.n, s.fatalities, s.lon, s.lat); err != nil {
				return err
			}
		}
	}
	return w.flush(ctx)
}

// nameRanks are the places of the numbers of the tally's fine names
// (tally.name) in the order of the names, and the numbers by place.
func (t *tally) nameRanks() (rank, byName []uint16) {
	rank = make([]uint16, len(t.nameList))
	byName = make([]uint16, len(t.nameList))
	for i := range byName {
		byName[i] = uint16(i)
	}
	slices.SortFunc(byName, func(a, b uint16) int { return strings.Compare(t.nameList[a], t.nameList[b]) })
	for r, n := range byName {
		rank[n] = uint16(r)
	}
	return rank, byName
}

// noEvents and noSums report a group that holds no event, for
// eventsql.SortedGroups; a replaced event may leave a group's count as it
// was and change its sums.
func noEvents(n int32) bool  { return n == 0 }
func noSums(s cellSums) bool { return s == cellSums{} }

// rowWriter inserts rows into a table many to a statement (a statement
// per row would cost more than the work it does), holding one statement's
// rows at a time. The statement of a full set of rows is prepared once:
// parsing it again for every hundred rows cost a third of writing them.
type rowWriter struct {
	tx     *sql.Tx
	pipe   *rowPipe // runs the statements, when set
	insert string   // up to VALUES
	row    string   // one row's placeholders
	tail   string   // after the rows
	width  int
	args   []any
	full   *sql.Stmt // of rowsPerStatement rows; closed with the transaction
}

// rowsPerStatement is how many rows a rowWriter writes per statement:
// 1,200 values at most, far below SQLite's limit of 32,766.
const rowsPerStatement = 100

func newRowWriter(tx *sql.Tx, table string, width int, tail string) *rowWriter {
	return &rowWriter{tx: tx, insert: "INSERT INTO " + table + " VALUES ", row: "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")",
		tail: tail, width: width, args: make([]any, 0, rowsPerStatement*width)}
}

func (w *rowWriter) add(ctx context.Context, values ...any) error {
	w.args = append(w.args, values...)
	if len(w.args) >= rowsPerStatement*w.width {
		return w.flush(ctx)
	}
	return nil
}

func (w *rowWriter) statement(rows int) string {
	return w.insert + strings.TrimSuffix(strings.Repeat(w.row+", ", rows), ", ") + w.tail
}

// flush writes the rows held, or hands them to the writer's pipe.
func (w *rowWriter) flush(ctx context.Context) error {
	if len(w.args) == 0 {
		return nil
	}
	if w.pipe != nil {
		return w.pipe.send(w)
	}
	err := w.exec(ctx, w.args)
	clear(w.args)
	w.args = w.args[:0]
	return err
}

// exec writes the rows of args.
func (w *rowWriter) exec(ctx context.Context, args []any) error {
	if rows := len(args) / w.width; rows < rowsPerStatement {
		_, err := w.tx.ExecContext(ctx, w.statement(rows), args...)
		return err
	}
	if w.full == nil {
		var err error
		if w.full, err = w.tx.PrepareContext(ctx, w.statement(rowsPerStatement)); err != nil {
			return err
		}
	}
	_, err := w.full.ExecContext(ctx, args...)
	return err
}

// rowPipe runs the statements of its rowWriters on a goroutine of its
// own, in the order they were flushed, so that the groups of the next
// statement are sorted and made ready beside SQLite's work on the last:
// the tally of a million events spent a quarter of its commit's time
// there, with SQLite waiting. Nothing else may use the transaction until
// close returns.
type rowPipe struct {
	tx     *sql.Tx
	jobs   chan pipeJob
	free   chan []any    // rows' buffers written, for reuse
	failed chan struct{} // closed when a statement failed, err set
	done   chan struct{} // closed when the goroutine ends
	err    error
}

// pipeJob is a statement's rows and their writer.
type pipeJob struct {
	w    *rowWriter
	args []any
}

func startRowPipe(ctx context.Context, tx *sql.Tx) *rowPipe {
	p := &rowPipe{tx: tx, jobs: make(chan pipeJob, 2), free: make(chan []any, 4), failed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for j := range p.jobs {
			if p.err == nil {
				if err := j.w.exec(ctx, j.args); err != nil {
					p.err = err
					close(p.failed)
				}
			}
			clear(j.args)
			select {
			case p.free <- j.args[:0]:
			default:
			}
		}
	}()
	return p
}

// writer is a rowWriter whose statements p runs.
func (p *rowPipe) writer(table string, width int, tail string) *rowWriter {
	w := newRowWriter(p.tx, table, width, tail)
	w.pipe = p
	return w
}

// send hands w's rows to the goroutine and gives w an empty buffer.
func (p *rowPipe) send(w *rowWriter) error {
	select {
	case p.jobs <- pipeJob{w: w, args: w.args}:
	case <-p.failed:
		return p.err
	}
	select {
	case w.args = <-p.free:
	default:
		w.args = make([]any, 0, rowsPerStatement*w.width)
	}
	return nil
}

// close waits for the statements sent and returns the first error of one.
func (p *rowPipe) close() error {
	close(p.jobs)
	<-p.done
	return p.err
}

// writeCountryWeeks adds the groups of cell_country_weeks at every level,
// the coarser ones summed from the finest, in the order of its key.
func (t *tally) writeCountryWeeks(ctx context.Context, p *rowPipe, byRank func(a, b uint32) int) error {
	str := t.strs
	w := p.writer("cell_country_weeks (level, x, y, country_code, week, week_last, n)", 7, " ON CONFLICT DO UPDATE SET n = n + excluded.n")
	finest := t.levels[len(t.levels)-1]
	write := func(level int, groups map[cellCountryWeekKey]int64) error {
		keys := sortedKeys(groups, func(a, b cellCountryWeekKey) int {
			return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y), byRank(a.countryCode, b.countryCode),
				byRank(a.week, b.week), byRank(a.weekLast, b.weekLast))
		})
		for _, k := range keys {
			if n := groups[k]; n != 0 {
				if err := w.add(ctx, level, k.x, k.y, str[k.countryCode], str[k.week], str[k.weekLast], n); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, l := range t.levels {
		shift, err := levelShift(finest, l)
		if err != nil {
			return err
		}
		groups := t.countryWeeks
		if shift > 0 {
			groups = make(map[cellCountryWeekKey]int64, len(t.countryWeeks)>>shift)
			for k, n := range t.countryWeeks {
				k.x, k.y = k.x>>shift, k.y>>shift
				groups[k] += n
			}
		}
		if err := write(l.level, groups); err != nil {
			return err
		}
	}
	// Level 10 (migration 0037), after the others in the key's order.
	if err := write(t.weekFine.level, t.fineCountryWeeks); err != nil {
		return err
	}
	t.fineCountryWeeks = nil
	return w.flush(ctx)
}
