package eventsql

import (
	"math"
	"testing"

	"conflictmap/geo"
)

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
		{true, 1<<26 - 1, 1<<13 - 1, 7, 2047, 1023},
		{true, 12345, 678, 5, 1200, 600},
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
	for _, c := range [][5]int{{1 << 26, 0, 0, 0, 0}, {0, 1 << 13, 0, 0, 0}, {0, 0, 2048, 0, 0}, {0, 0, 0, 1024, 0}, {0, 0, -1, 0, 0}, {0, 0, 0, 0, 8}} {
		if _, err := PackWordWeek(false, uint32(c[0]), uint32(c[1]), c[2], c[3], uint32(c[4])); err == nil {
			t.Errorf("%v packed", c)
		}
	}
}

// A group's points, kept as offsets in 32 bits, add up to their sums
// within a millionth of a degree per event, on a cell's far edge too.
func TestPointWeekSums(t *testing.T) {
	x, y := 1220, 790
	size := geo.CellSize(WordWeekLevel)
	west, south := -180+float64(x)*size, -90+float64(y)*size
	var s WeekSums
	var lon, lat float64
	for i := range 500 {
		plon, plat := west+size*float64(i%37)/37, south+size*float64(i%41)/40
		AddWeekSums(&s, PointWeekSums(1, 2, plon, plat, x, y))
		lon, lat = lon+plon, lat+plat
	}
	// One taken out again.
	AddWeekSums(&s, PointWeekSums(-1, 2, west, south, x, y))
	lon, lat = lon-west, lat-south
	gotLon, gotLat := s.Points(x, y)
	if s.N != 499 || s.Fatalities != 998 || math.Abs(gotLon-lon)/499 > 1e-6 || math.Abs(gotLat-lat)/499 > 1e-6 {
		t.Errorf("%d events, %d fatalities, sums %v %v; want 499, 998, %v %v", s.N, s.Fatalities, gotLon, gotLat, lon, lat)
	}
}
