package eventsql

import (
	"cmp"
	"fmt"
	"slices"

	"conflictmap/geo"
)

// WordStatKey is a group of cell_word_stats as both stores' bulk imports
// tally it, packed into 8 bytes: the field (1 for the quote) in the top
// bit, the kind (StatCountry or StatWeek) in the next, then the word's
// number among the tally's strings in 26 bits, the key's dense number
// (StatKeys) in 17, x in 10 and y in 9 (WordCellLevel's 1,024 columns and
// 512 rows). Keyed by structs of 16 bytes, the million's 1.3 million
// groups took a PostGIS import's peak memory from 597 to 964 MB.
type WordStatKey uint64

const (
	statWordBits = 26
	statKeyBits  = 17
)

// PackWordStat packs a group; an error when the word's or the key's
// number, or the cell, does not fit its bits.
func PackWordStat(quote bool, kind int, word, key uint32, x, y int) (WordStatKey, error) {
	if word >= 1<<statWordBits || key >= 1<<statKeyBits || x < 0 || x >= 1<<10 || y < 0 || y >= 1<<9 {
		return 0, fmt.Errorf("word stats: word %d, key %d or cell %d, %d does not pack", word, key, x, y)
	}
	return packStat(quote, kind, word, key, x, y), nil
}

// packStat packs a group whose fields fit their bits.
func packStat(quote bool, kind int, word, key uint32, x, y int) WordStatKey {
	k := uint64(kind)<<62 | uint64(word)<<(statKeyBits+19) | uint64(key)<<19 | uint64(x)<<9 | uint64(y)
	if quote {
		k |= 1 << 63
	}
	return WordStatKey(k)
}

// Quote reports whether the group's word is of the quote (else of the
// actors).
func (k WordStatKey) Quote() bool { return k>>63 != 0 }

// Kind is StatCountry or StatWeek.
func (k WordStatKey) Kind() int { return int(k >> 62 & 1) }

// Word is the number of the group's word.
func (k WordStatKey) Word() uint32 { return uint32(k >> (statKeyBits + 19) & (1<<statWordBits - 1)) }

// Key is the dense number of the group's key (StatKeys.String).
func (k WordStatKey) Key() uint32 { return uint32(k >> 19 & (1<<statKeyBits - 1)) }

// Cell is the group's cell at WordCellLevel.
func (k WordStatKey) Cell() (x, y int) { return int(k >> 9 & 0x3ff), int(k & 0x1ff) }

// StatKeys numbers the keys of the kept stats and weeks (countries and
// weeks, each by its number among a tally's strings) densely, so that a key packs
// into WordStatKey's 17 bits, and a week into WordWeekKey's 13 (8,192
// countries and weeks: a century and a half of weeks beside every
// country).
// The zero value is ready to use.
type StatKeys struct {
	numbers map[uint32]uint32
	strings []uint32
}

// Number returns the dense number of the string numbered s.
func (k *StatKeys) Number(s uint32) uint32 {
	if n, ok := k.numbers[s]; ok {
		return n
	}
	if k.numbers == nil {
		k.numbers = map[uint32]uint32{}
	}
	n := uint32(len(k.strings))
	k.numbers[s] = n
	k.strings = append(k.strings, s)
	return n
}

// String returns the string number of the dense number n.
func (k *StatKeys) String(n uint32) uint32 { return k.strings[n] }

// WordWeekKey is a group of cell_word_weeks as both stores' bulk imports
// tally it, packed into 8 bytes: the field (1 for the quote) in the top
// bit, then the word's number among the tally's strings in 26 bits, the
// week's dense number (StatKeys) in 13, x in 11 and y in 10
// (WordWeekLevel's 2,048 columns and 1,024 rows) and the event type's
// dense number in the last 3 (ACLED's six).
type WordWeekKey uint64

const (
	weekKeyBits  = 13
	weekTypeBits = 3
	weekXBits    = 11
	weekYBits    = 10
)

// PackWordWeek packs a group; an error when a number or the cell does not
// fit its bits.
func PackWordWeek(quote bool, word, week uint32, x, y int, eventType uint32) (WordWeekKey, error) {
	if word >= 1<<statWordBits || week >= 1<<weekKeyBits || eventType >= 1<<weekTypeBits || x < 0 || x >= 1<<weekXBits || y < 0 || y >= 1<<weekYBits {
		return 0, fmt.Errorf("word weeks: word %d, week %d, event type %d or cell %d, %d does not pack", word, week, eventType, x, y)
	}
	return packWeek(quote, word, week, x, y, eventType), nil
}

// packWeek packs a group whose fields fit their bits.
func packWeek(quote bool, word, week uint32, x, y int, eventType uint32) WordWeekKey {
	k := uint64(word)<<(weekKeyBits+weekXBits+weekYBits+weekTypeBits) | uint64(week)<<(weekXBits+weekYBits+weekTypeBits) |
		uint64(x)<<(weekYBits+weekTypeBits) | uint64(y)<<weekTypeBits | uint64(eventType)
	if quote {
		k |= 1 << 63
	}
	return WordWeekKey(k)
}

// Quote reports whether the group's word is of the quote (else of the
// actors).
func (k WordWeekKey) Quote() bool { return k>>63 != 0 }

// Word is the number of the group's word.
func (k WordWeekKey) Word() uint32 {
	return uint32(k >> (weekKeyBits + weekXBits + weekYBits + weekTypeBits) & (1<<statWordBits - 1))
}

// Week is the dense number of the group's week (StatKeys.String).
func (k WordWeekKey) Week() uint32 {
	return uint32(k >> (weekXBits + weekYBits + weekTypeBits) & (1<<weekKeyBits - 1))
}

// Cell is the group's cell at WordWeekLevel.
func (k WordWeekKey) Cell() (x, y int) {
	return int(k >> (weekYBits + weekTypeBits) & (1<<weekXBits - 1)), int(k >> weekTypeBits & (1<<weekYBits - 1))
}

// EventType is the dense number of the group's event type.
func (k WordWeekKey) EventType() uint32 { return uint32(k & (1<<weekTypeBits - 1)) }

// WeekSums are the sums of a group of cell_word_weeks as both stores'
// bulk imports tally them: 16 bytes, where the sums of their other cells
// take 32, since a million events make 4.0 million of these groups, each
// of them held until the commit (at 24 bytes, with float64 sums, the
// SQLite import's peak was 1,019 MB). A group counts one week's events of
// one word, cell and type: their number and fatalities fit 32 bits, and
// Lon and Lat add up their points' offsets from the south-west corner of
// the group's cell (PointWeekSums), each less than the cell's 0.18°: in
// 32 bits, a hundred events' centre is off by 1e-6° at most.
type WeekSums struct {
	N, Fatalities int32
	Lon, Lat      float32
}

// PointWeekSums returns the sums of one event at lon, lat of cell x, y of
// WordWeekLevel with its fatalities, counted in (sign 1) or out (-1).
func PointWeekSums(sign, fatalities int32, lon, lat float64, x, y int) WeekSums {
	west, south := weekCellCorner(x, y)
	return WeekSums{N: sign, Fatalities: sign * fatalities, Lon: float32(float64(sign) * (lon - west)), Lat: float32(float64(sign) * (lat - south))}
}

// Points returns the sums of the longitudes and latitudes of s's events,
// its cell x, y of WordWeekLevel.
func (s WeekSums) Points(x, y int) (lon, lat float64) {
	west, south := weekCellCorner(x, y)
	return float64(s.N)*west + float64(s.Lon), float64(s.N)*south + float64(s.Lat)
}

// weekCellCorner is the south-west corner of cell x, y of WordWeekLevel.
func weekCellCorner(x, y int) (west, south float64) {
	size := geo.CellSize(WordWeekLevel)
	return -180 + float64(x)*size, -90 + float64(y)*size
}

// AddWeekSums adds b to a, for NewSums.
func AddWeekSums(a *WeekSums, b WeekSums) {
	a.N += b.N
	a.Fatalities += b.Fatalities
	a.Lon += b.Lon
	a.Lat += b.Lat
}

// NoWeekSums reports whether s counts no event, for SortGroups: its sums
// are then what is left of adding and taking out the same points.
func NoWeekSums(s WeekSums) bool { return s.N == 0 && s.Fatalities == 0 }

// CoarseSums are the sums of a group of cell_word_weeks_coarse: its
// events' number and fatalities, and their points' longitudes and
// latitudes.
type CoarseSums struct {
	N, Fatalities int32
	Lon, Lat      float64
}

// CoarseWeeks returns the groups of cell_word_weeks_coarse that the
// groups of cell_word_weeks hold (their cells of WordWeekLevel within one
// of WordWeekCoarseLevel added up), their keys' cells of that level. The
// groups of one field, word and week must lie together in weeks, as they
// do in the order of the table's key; the groups returned are in the
// same order of field, word and week, and within one in the order of
// cell and then of typeRank of their event types, the order of
// cell_word_weeks_coarse's key.
func CoarseWeeks(weeks []Keyed[WordWeekKey, WeekSums], typeRank func(uint32) uint32) []Keyed[WordWeekKey, CoarseSums] {
	const shift = WordWeekLevel - WordWeekCoarseLevel
	const typeMask = 1<<weekTypeBits - 1
	var (
		out  []Keyed[WordWeekKey, CoarseSums]
		sums = map[WordWeekKey]int{} // a group's place in out
	)
	for i := 0; i < len(weeks); {
		k := weeks[i].K
		first := len(out)
		clear(sums)
		for ; i < len(weeks) && weeks[i].K.Quote() == k.Quote() && weeks[i].K.Word() == k.Word() && weeks[i].K.Week() == k.Week(); i++ {
			g := weeks[i]
			x, y := g.K.Cell()
			ck := packWeek(g.K.Quote(), g.K.Word(), g.K.Week(), x>>shift, y>>shift, uint32(g.K&typeMask))
			j, ok := sums[ck]
			if !ok {
				j = len(out)
				sums[ck] = j
				out = append(out, Keyed[WordWeekKey, CoarseSums]{K: ck})
			}
			lon, lat := g.V.Points(x, y)
			c := &out[j].V
			c.N += g.V.N
			c.Fatalities += g.V.Fatalities
			c.Lon += lon
			c.Lat += lat
		}
		slices.SortFunc(out[first:], func(a, b Keyed[WordWeekKey, CoarseSums]) int {
			ax, ay := a.K.Cell()
			bx, by := b.K.Cell()
			return cmp.Or(cmp.Compare(ax, bx), cmp.Compare(ay, by), cmp.Compare(typeRank(a.K.EventType()), typeRank(b.K.EventType())))
		})
	}
	return out
}
