package eventsql

import "fmt"

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

// StatKeys numbers the keys of cell_word_stats (countries and weeks, each
// by its number among a tally's strings) densely, so that a key packs
// into WordStatKey's 17 bits, and a week into WordWeekKey's 14 (16,384
// countries and weeks: three centuries of weeks beside every country).
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
// week's dense number (StatKeys) in 14,
// x in 10 and y in 9 (WordCellLevel's cells) and the event type's dense
// number in the last 4.
type WordWeekKey uint64

const (
	weekKeyBits  = 14
	weekTypeBits = 4
)

// PackWordWeek packs a group; an error when a number or the cell does not
// fit its bits.
func PackWordWeek(quote bool, word, week uint32, x, y int, eventType uint32) (WordWeekKey, error) {
	if word >= 1<<statWordBits || week >= 1<<weekKeyBits || eventType >= 1<<weekTypeBits || x < 0 || x >= 1<<10 || y < 0 || y >= 1<<9 {
		return 0, fmt.Errorf("word weeks: word %d, week %d, event type %d or cell %d, %d does not pack", word, week, eventType, x, y)
	}
	k := uint64(word)<<(weekKeyBits+19+weekTypeBits) | uint64(week)<<(19+weekTypeBits) | uint64(x)<<(9+weekTypeBits) |
		uint64(y)<<weekTypeBits | uint64(eventType)
	if quote {
		k |= 1 << 63
	}
	return WordWeekKey(k), nil
}

// Quote reports whether the group's word is of the quote (else of the
// actors).
func (k WordWeekKey) Quote() bool { return k>>63 != 0 }

// Word is the number of the group's word.
func (k WordWeekKey) Word() uint32 {
	return uint32(k >> (weekKeyBits + 19 + weekTypeBits) & (1<<statWordBits - 1))
}

// Week is the dense number of the group's week (StatKeys.String).
func (k WordWeekKey) Week() uint32 { return uint32(k >> (19 + weekTypeBits) & (1<<weekKeyBits - 1)) }

// Cell is the group's cell at WordCellLevel.
func (k WordWeekKey) Cell() (x, y int) {
	return int(k >> (9 + weekTypeBits) & 0x3ff), int(k >> weekTypeBits & 0x1ff)
}

// EventType is the dense number of the group's event type.
func (k WordWeekKey) EventType() uint32 { return uint32(k & (1<<weekTypeBits - 1)) }

// WeekSums are the sums of a group of cell_word_weeks as both stores'
// bulk imports tally them: 24 bytes, where the sums of their other cells
// take 32, since a million events make 2.2 million of these groups, each
// of them held until the commit (8 bytes less each: 22 MB less at the
// import's peak, more with the collector's headroom). A group counts one
// week's events of one word, cell and type: their number and fatalities
// fit 32 bits.
type WeekSums struct {
	N, Fatalities int32
	Lon, Lat      float64
}

// AddWeekSums adds b to a, for NewSums.
func AddWeekSums(a *WeekSums, b WeekSums) {
	a.N += b.N
	a.Fatalities += b.Fatalities
	a.Lon += b.Lon
	a.Lat += b.Lat
}

// NoWeekSums reports whether s counts nothing, for SortGroups.
func NoWeekSums(s WeekSums) bool { return s == WeekSums{} }

// WeekStats returns the groups of cell_word_stats by week (StatWeek) that
// the groups of cell_word_weeks hold, their event types added up: a bulk
// import tallies the weeks once, for both tables. Groups that differ in
// their event type alone must lie together in weeks (as its primary key
// orders them). Each group's fields fit a WordStatKey's bits, which are
// as wide or wider.
func WeekStats(weeks []Keyed[WordWeekKey, WeekSums]) []Keyed[WordStatKey, int32] {
	const typeMask = 1<<weekTypeBits - 1
	var stats []Keyed[WordStatKey, int32]
	for i := 0; i < len(weeks); {
		k := weeks[i].K
		var n int32
		for ; i < len(weeks) && weeks[i].K&^typeMask == k&^typeMask; i++ {
			n += weeks[i].V.N
		}
		x, y := k.Cell()
		stats = append(stats, Keyed[WordStatKey, int32]{packStat(k.Quote(), StatWeek, k.Word(), k.Week(), x, y), n})
	}
	return stats
}
