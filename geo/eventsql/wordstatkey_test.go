package eventsql

import "testing"

// A packed group gives back what was packed at the ends of every field,
// and a number too wide for its bits is an error, not another group.
func TestPackWordStat(t *testing.T) {
	for _, c := range []struct {
		quote     bool
		kind      int
		word, key uint32
		x, y      int
	}{
		{false, StatCountry, 0, 0, 0, 0},
		{true, StatWeek, 1<<26 - 1, 1<<17 - 1, 1023, 511},
		{true, StatCountry, 12345, 678, 600, 300},
	} {
		k, err := PackWordStat(c.quote, c.kind, c.word, c.key, c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		x, y := k.Cell()
		if k.Quote() != c.quote || k.Kind() != c.kind || k.Word() != c.word || k.Key() != c.key || x != c.x || y != c.y {
			t.Errorf("%+v: unpacked %v %d %d %d %d %d", c, k.Quote(), k.Kind(), k.Word(), k.Key(), x, y)
		}
	}
	for _, c := range [][4]int{{1 << 26, 0, 0, 0}, {0, 1 << 17, 0, 0}, {0, 0, 1024, 0}, {0, 0, 0, 512}, {0, 0, -1, 0}} {
		if _, err := PackWordStat(false, StatWeek, uint32(c[0]), uint32(c[1]), c[2], c[3]); err == nil {
			t.Errorf("%v packed", c)
		}
	}
}

// A packed group of cell_word_weeks likewise.
func TestPackWordWeek(t *testing.T) {
	for _, c := range []struct {
		quote                 bool
		word, week, eventType uint32
		x, y                  int
	}{
		{false, 0, 0, 0, 0, 0},
		{true, 1<<26 - 1, 1<<14 - 1, 15, 1023, 511},
		{true, 12345, 678, 5, 600, 300},
	} {
		k, err := PackWordWeek(c.quote, c.word, c.week, c.x, c.y, c.eventType)
		if err != nil {
			t.Fatal(err)
		}
		x, y := k.Cell()
		if k.Quote() != c.quote || k.Word() != c.word || k.Week() != c.week || k.EventType() != c.eventType || x != c.x || y != c.y {
			t.Errorf("%+v: unpacked %v %d %d %d %d %d", c, k.Quote(), k.Word(), k.Week(), k.EventType(), x, y)
		}
	}
	for _, c := range [][5]int{{1 << 26, 0, 0, 0, 0}, {0, 1 << 14, 0, 0, 0}, {0, 0, 1024, 0, 0}, {0, 0, 0, 512, 0}, {0, 0, -1, 0, 0}, {0, 0, 0, 0, 16}} {
		if _, err := PackWordWeek(false, uint32(c[0]), uint32(c[1]), c[2], c[3], uint32(c[4])); err == nil {
			t.Errorf("%v packed", c)
		}
	}
}

// The groups by week of cell_word_stats add up the event types of the
// groups of cell_word_weeks that share a word, week and cell.
func TestWeekStats(t *testing.T) {
	pack := func(quote bool, word, week uint32, x, y int, eventType uint32) WordWeekKey {
		k, err := PackWordWeek(quote, word, week, x, y, eventType)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	weeks := []Keyed[WordWeekKey, WeekSums]{
		{pack(false, 7, 3, 10, 20, 0), WeekSums{N: 2}},
		{pack(false, 7, 3, 10, 20, 5), WeekSums{N: 3}},
		{pack(false, 7, 3, 10, 21, 5), WeekSums{N: 1}},
		{pack(false, 7, 4, 10, 21, 5), WeekSums{N: -1}},
		{pack(true, 7, 4, 10, 21, 5), WeekSums{N: 4}},
	}
	want := []struct {
		quote bool
		week  uint32
		x, y  int
		n     int32
	}{{false, 3, 10, 20, 5}, {false, 3, 10, 21, 1}, {false, 4, 10, 21, -1}, {true, 4, 10, 21, 4}}
	got := WeekStats(weeks)
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		k := got[i].K
		x, y := k.Cell()
		if k.Quote() != w.quote || k.Kind() != StatWeek || k.Word() != 7 || k.Key() != w.week || x != w.x || y != w.y || got[i].V != w.n {
			t.Errorf("group %d: %v %d %d %d %d %d n %d, want %+v", i, k.Quote(), k.Kind(), k.Word(), k.Key(), x, y, got[i].V, w)
		}
	}
}
