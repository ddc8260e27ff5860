package geo

import (
	"sort"
	"time"
)

// Tally adds up groups of matching events into Stats. Stores count in one
// GROUP BY over (event type, country code, week) and fold the rows here, so
// that the breakdowns and their order do not depend on the database's
// collation. The zero value is ready to use.
type Tally struct {
	byType, byCountry, byWeek map[string]int
	total                     int
}

// Add counts n events of the given type, country code and week (the Monday,
// YYYY-MM-DD, of their event_date; "" when undated).
func (t *Tally) Add(eventType, countryCode, week string, n int) {
	t.init()
	t.byType[eventType] += n
	t.byCountry[countryCode] += n
	t.byWeek[week] += n
	t.total += n
}

// WeekOf returns the week of date (YYYY-MM-DD) as Tally.Add takes it: the
// Monday of its ISO week, YYYY-MM-DD; "" when date is not one.
func WeekOf(date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)).Format(time.DateOnly)
}

// AddType, AddCountry and AddWeek count n events in one breakdown only:
// stores that keep the breakdowns of a place apart (the kept density cells
// count events per type, per country and per week, not per combination)
// add each breakdown from its own groups. The total follows AddType, so
// that a store adds every event to each breakdown once, and to the total
// through its type.
func (t *Tally) AddType(eventType string, n int) {
	t.init()
	t.byType[eventType] += n
	t.total += n
}

// AddCountry counts n events under a country code (AddType).
func (t *Tally) AddCountry(countryCode string, n int) {
	t.init()
	t.byCountry[countryCode] += n
}

// AddWeek counts n events under a week (AddType).
func (t *Tally) AddWeek(week string, n int) {
	t.init()
	t.byWeek[week] += n
}

// Merge adds what u counted to t.
func (t *Tally) Merge(u *Tally) {
	t.init()
	for k, n := range u.byType {
		t.byType[k] += n
	}
	for k, n := range u.byCountry {
		t.byCountry[k] += n
	}
	for k, n := range u.byWeek {
		t.byWeek[k] += n
	}
	t.total += u.total
}

func (t *Tally) init() {
	if t.byType == nil {
		t.byType, t.byCountry, t.byWeek = map[string]int{}, map[string]int{}, map[string]int{}
	}
}

// Stats returns what was added, in the order Stats documents.
func (t *Tally) Stats() Stats {
	st := Stats{Total: t.total, ByType: counts(t.byType), ByCountry: counts(t.byCountry), ByWeek: counts(t.byWeek)}
	sortByCount(st.ByType)
	sortByCount(st.ByCountry)
	sort.Slice(st.ByWeek, func(i, j int) bool {
		a, b := st.ByWeek[i].Key, st.ByWeek[j].Key
		if a == "" || b == "" {
			return b == "" && a != ""
		}
		return a < b
	})
	return st
}

// counts lists the buckets of m that hold events: groups that a store kept
// after their events left count zero.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		if n == 0 {
			continue
		}
		out = append(out, Count{Key: k, Count: n})
	}
	return out
}

// sortByCount orders buckets by count, largest first, then by key in byte
// order.
func sortByCount(c []Count) {
	sort.Slice(c, func(i, j int) bool {
		if c[i].Count != c[j].Count {
			return c[i].Count > c[j].Count
		}
		return c[i].Key < c[j].Key
	})
}
