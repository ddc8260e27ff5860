package eventsql

import (
	"slices"
	"sync"
	"time"

	"conflictmap/geo"
)

// DatedSpansSQL adds up event_counts by first and last day: a few hundred
// groups for a million events of two years, against the table's 45,000.
// The undated events are the group of an empty first day.
const DatedSpansSQL = "SELECT c.event_date, c.date_last, sum(c.n) FROM event_counts c GROUP BY 1, 2"

// DatedSpans is event_counts added up by first and last day (DatedSpansSQL)
// as of one data version.
type DatedSpans struct {
	Version int64
	spans   []datedSpan
	// Undated counts the events without a date, which no span holds.
	Undated int64
}

type datedSpan struct {
	first, last string
	n           int64
}

// Add adds n events from first to last (YYYY-MM-DD) to d, or to its
// undated events when first is empty.
func (d *DatedSpans) Add(first, last string, n int64) {
	if first == "" {
		d.Undated += n
		return
	}
	d.spans = append(d.spans, datedSpan{first: first, last: last, n: n})
}

// Count counts the dated events that end on or after start and begin on
// or before end (either "" when open), as Counts selects them.
func (d *DatedSpans) Count(start, end string) int64 {
	if start != "" && end != "" && start > end {
		return 0
	}
	var n int64
	for _, sp := range d.spans {
		if (start == "" || sp.last >= start) && (end == "" || sp.first <= end) {
			n += sp.n
		}
	}
	return n
}

// Outside counts the entries that a walk of the date order reads for the
// events that [start, end] (either "" when open, not both) leaves out
// (OutsideDates): those dated before start, including those that reach
// it, those dated after end, and the undated.
func (d *DatedSpans) Outside(start, end string) int64 {
	n := d.Undated
	for _, sp := range d.spans {
		if start != "" && sp.first < start || end != "" && sp.first > end {
			n += sp.n
		}
	}
	return n
}

// FirstIn counts d's events whose first day is in [from, to).
func (d *DatedSpans) FirstIn(from, to string) int64 {
	var n int64
	for _, sp := range d.spans {
		if sp.first >= from && sp.first < to {
			n += sp.n
		}
	}
	return n
}

// Cuts cuts the days from first to last (YYYY-MM-DD, either "" when
// open) into at most n pieces that hold about as many of d's events each
// by their first day, as DayCuts cuts them into as many days: the first
// day of every piece but the oldest, newest first. A walk of the date
// order then reads about as many entries in each piece at once, where
// days cut evenly put a burst of events in one piece (a million events
// with a month of three times as many, a type since a day in a wide box:
// 54,000 entries in one piece and 38,000 in the other, 36 ms and 16).
// A nil d cuts by days (DayCuts), and so does d when the range holds
// events on fewer than n first days.
func (d *DatedSpans) Cuts(first, last string, n int) []string {
	if d == nil || n < 2 {
		return DayCuts(first, last, n)
	}
	perDay := map[string]int64{}
	var total int64
	for _, sp := range d.spans {
		if (first == "" || sp.first >= first) && (last == "" || sp.first <= last) {
			perDay[sp.first] += sp.n
			total += sp.n
		}
	}
	if len(perDay) < n {
		return DayCuts(first, last, n)
	}
	days := make([]string, 0, len(perDay))
	for day := range perDay {
		days = append(days, day)
	}
	slices.Sort(days)
	slices.Reverse(days)
	// A piece ends on the day whose events, with the newer ones, reach
	// its share of the total, or on the day before when that comes
	// nearer the share: a day is never cut, and one day may hold a
	// fifth of the events. The oldest day is never a cut, so that no
	// piece is empty.
	cuts := make([]string, 0, n-1)
	var seen int64
	prev := ""
	for _, day := range days[:len(days)-1] {
		after := seen + perDay[day]
		for len(cuts) < n-1 && after*int64(n) >= total*int64(len(cuts)+1) {
			share := total * int64(len(cuts)+1)
			if prev != "" && (len(cuts) == 0 || cuts[len(cuts)-1] != prev) && share-seen*int64(n) < after*int64(n)-share {
				cuts = append(cuts, prev)
				continue
			}
			cuts = append(cuts, day)
			break
		}
		seen, prev = after, day
	}
	return cuts
}

// CutsBefore is Cuts of the days before day (YYYY-MM-DD), from the
// first: the pieces of a walk of the events dated before it
// (OutsideDates). None when day does not parse.
func (d *DatedSpans) CutsBefore(day string, n int) []string {
	t, err := time.Parse(geo.DateLayout, day)
	if err != nil {
		return nil
	}
	return d.Cuts("", t.AddDate(0, 0, -1).Format(geo.DateLayout), n)
}

// DatesAlone reports whether f's count is its dates' (DatedSpans.Count):
// f names dates and filters by nothing else.
func DatesAlone(f geo.Filter) bool {
	return (f.Start != "" || f.End != "") && CountsUsable(f) &&
		len(f.Types) == 0 && len(f.Modalities) == 0 && f.Country == "" && len(f.Origins) == 0
}

// SpansCache keeps the DatedSpans of the latest data version a store read,
// so that a count of dates alone is not the sum of all of event_counts
// for each request (45,000 groups for a million events: 6 ms of SQLite's
// CPU, and on a PostGIS server whose buffers do not hold the table, 28 ms
// of reads from the disk). It is safe for concurrent use.
type SpansCache struct {
	mu sync.Mutex
	d  *DatedSpans
}

// Get returns the spans of version, or nil when the cache holds another.
func (c *SpansCache) Get(version int64) *DatedSpans {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.d == nil || c.d.Version != version {
		return nil
	}
	return c.d
}

// Put keeps d, unless the cache holds a later version.
func (c *SpansCache) Put(d *DatedSpans) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.d == nil || c.d.Version <= d.Version {
		c.d = d
	}
}
