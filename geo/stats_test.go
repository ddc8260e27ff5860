package geo

import "testing"

// The week of a day is the Monday of its ISO week, as the stores group
// their stats by, across a year's end and on a Sunday.
func TestWeekOf(t *testing.T) {
	for date, want := range map[string]string{
		"2024-01-01": "2024-01-01", // a Monday
		"2024-01-07": "2024-01-01", // a Sunday
		"2024-12-31": "2024-12-30",
		"2023-01-01": "2022-12-26",
		"2024-03-02": "2024-02-26", // across a leap day
		"":           "",
		"2024-13-01": "",
	} {
		if got := WeekOf(date); got != want {
			t.Errorf("WeekOf(%q) = %q, want %q", date, got, want)
		}
	}
}
