package geo

import "sort"

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
	if t.byType == nil {
		t.byType, t.byCountry, t.byWeek = map[string]int{}, map[string]int{}, map[string]int{}
	}
	t.byType[eventType] += n
	t.byCountry[countryCode] += n
	t.byWeek[week] += n
	t.total += n
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

func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
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
