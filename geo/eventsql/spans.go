package eventsql

import (
	"sync"

	"conflictmap/geo"
)

// DatedSpansSQL adds up event_counts by first and last day: a few hundred
// groups for a million events of two years, against the table's 45,000.
const DatedSpansSQL = "SELECT c.event_date, c.date_last, sum(c.n) FROM event_counts c WHERE c.event_date <> '' GROUP BY 1, 2"

// DatedSpans is event_counts added up by first and last day (DatedSpansSQL)
// as of one data version.
type DatedSpans struct {
	Version int64
	spans   []datedSpan
}

type datedSpan struct {
	first, last string
	n           int64
}

// Add adds n events from first to last (YYYY-MM-DD) to d.
func (d *DatedSpans) Add(first, last string, n int64) {
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
