package postgis

import (
	"testing"

	"conflictmap/geo"
)

// A fact's week is the Monday stats count the event in, for every date the
// 16 bits reach, and marks those beyond (whose stats the rows give) and
// undated events apart.
func TestFactWeeks(t *testing.T) {
	for _, date := range []string{"2000-01-03", "2000-01-02", "1999-12-27", "1970-01-01", "2024-02-29", "2024-12-30",
		"1500-06-15", "1373-01-07", "2500-01-01", "2627-12-31"} {
		w := factWeek(date)
		if w == factUndated || w == factFar {
			t.Errorf("%s: week field %#x, want a week", date, w)
			continue
		}
		if got, want := factMonday(w), geo.WeekOf(date); got != want {
			t.Errorf("%s: week of Monday %s, want %s", date, got, want)
		}
	}
	for _, date := range []string{"1000-01-01", "1371-12-31", "2629-01-01", "9999-12-31"} {
		if w := factWeek(date); w != factFar {
			t.Errorf("%s: week field %#x, want %#x (beyond reach)", date, w, factFar)
		}
	}
	if w := factWeek(""); w != factUndated || factMonday(w) != "" {
		t.Errorf("undated: week field %#x (%q), want %#x", w, factMonday(w), factUndated)
	}
}
