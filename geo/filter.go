package geo

// Query limits shared by every API that lists events.
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
)

// BBox is a query rectangle in degrees. West may be greater than East: the
// box then crosses the antimeridian.
type BBox struct {
	West, South, East, North float64
}

// Contains reports whether the point (lon, lat) lies inside the box,
// edges included.
func (b BBox) Contains(lon, lat float64) bool {
	if lat < b.South || lat > b.North {
		return false
	}
	if b.West <= b.East {
		return lon >= b.West && lon <= b.East
	}
	return lon >= b.West || lon <= b.East
}

// Filter selects events. Zero fields select everything. Dates are inclusive
// YYYY-MM-DD; an event matches a date filter when its [EventDate,
// EventDateEnd] range intersects [Start, End], and undated events never
// match one.
type Filter struct {
	BBox       *BBox
	Start      string
	End        string
	Types      []string
	Modalities []string
	Country    string   // ISO 3166-1 alpha-2, upper case
	Actor      string   // case-insensitive words in Actor1 or Actor2
	Q          string   // case-insensitive words in Quote
	Origins    []string // OriginName values
	MinSources int      // at least this many sources; 0 or 1 selects every event
	Limit      int
	Offset     int
	// After, when set, starts the answer right after this event in list
	// order (Before), in place of Offset (which is then ignored): keyset
	// paging, which reads only the page wherever it lies, where Offset
	// reads every event before it. A page asked for with After is not
	// counted: EventPage.Matched is then -1.
	After *EventKey

	// SubTypes are ACLED sub-event types; an event matches one of them.
	SubTypes []string
	// GeoPrecisions are geo_precision values (GeoTown, GeoNear,
	// GeoRegion); an event matches one of them.
	GeoPrecisions []int
}

// EventKey is an event's place in list order (Before): its EventDate ("" when
// undated) and ID.
type EventKey struct {
	Date, ID string
}

// Key returns e's place in list order.
func (e Event) Key() EventKey { return EventKey{Date: e.EventDate, ID: e.ID} }

// Follows reports whether an event at k is listed after one at after.
func (k EventKey) Follows(after EventKey) bool {
	return Before(Event{EventDate: after.Date, ID: after.ID}, Event{EventDate: k.Date, ID: k.ID})
}

// EventPage is one page of a query's answer.
type EventPage struct {
	Events  []Event
	Matched int // how many events match the filter, ignoring Limit and Offset; -1 when After was set
}

// Count is one bucket of Stats.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Stats counts the events that match a filter (ignoring Limit and Offset).
// Each matching event counts once in every breakdown, so each sums to Total:
// an event with no country code (at sea) counts under the country key "",
// an undated one under the week key "". ByType and ByCountry are ordered by
// count, largest first, then by key; ByWeek by week, oldest first, with ""
// last. Tally builds it in that order, so every store answers alike.
type Stats struct {
	Total     int     `json:"total"`
	ByType    []Count `json:"by_type"`
	ByCountry []Count `json:"by_country"`
	// ByWeek keys are the Monday (YYYY-MM-DD) of the week of EventDate.
	ByWeek []Count `json:"by_week"`
}

// Extent is the spatial and temporal extent of the stored events.
type Extent struct {
	BBox  *BBox  // nil when the store holds no event
	Start string // first EventDate, empty when none
	End   string // last EventDateEnd (or EventDate), empty when none
}
