package eventsql

import "testing"

func TestWholeWeeks(t *testing.T) {
	for _, c := range []struct {
		start, end, first, last string
		ok                      bool
	}{
		{"2024-01-01", "2024-03-31", "2024-01-01", "2024-03-25", true}, // Monday to Sunday
		{"2024-01-03", "2024-03-27", "2024-01-08", "2024-03-18", true},
		{"2024-01-07", "2024-01-14", "2024-01-08", "2024-01-08", true}, // Sunday to Sunday
		{"2024-01-02", "2024-01-07", "2024-01-08", "2024-01-01", false},
		{"2024-01-01", "", "2024-01-01", "", true},
		{"", "2024-01-06", "", "2023-12-25", true},
	} {
		first, last, ok := WholeWeeks(c.start, c.end)
		if first != c.first || last != c.last || ok != c.ok {
			t.Errorf("WholeWeeks(%q, %q) = %q, %q, %v; want %q, %q, %v", c.start, c.end, first, last, ok, c.first, c.last, c.ok)
		}
	}
}
