// Package merge finds the reports that tell one happening and combines them
// into one event with its sources, so that a strike told by ten outlets is
// one point on the map with ten sources, not ten points.
//
// A report is one event as extraction gives it (one article, sentence,
// place and event). Two reports tell the same happening when all of these
// hold:
//
//   - they come from different articles (an article that tells two strikes
//     in one town means two strikes);
//   - they have the same event type, and sub-event types that do not
//     contradict: equal, one of them unknown, or a pair listed in
//     subtypes.txt (an air strike that another outlet calls shelling);
//   - they are at the same place: the same gazetteer id, so two villages are
//     two events even when they neighbour each other; a place that has no
//     gazetteer id is its point rounded to 0.01° (about a kilometre) in its
//     country, the area it stands for;
//   - their date ranges [event_date, event_date_end] overlap; an undated
//     report is never merged, nothing says when it happened;
//   - their modalities are compatible: occurred and ongoing go together, a
//     threat only with a threat.
//
// Groups are the connected components of that relation, computed over the
// reports sorted by id, so that the answer depends on the set of reports
// and never on the order they arrived in.
//
// A threat and a happening that fits it (same type and place, starting
// between the threat's first day and 90 days after its last) are two events,
// linked: each names the other in Related.
//
// A group's event combines its reports by these rules:
//
//   - the earliest report is the one published first (unknown publication
//     last), ties broken by report id. The event keeps its id, article_id,
//     title, source_url, published and quote, so an event's id stays the
//     same as reports of it arrive; every other field is also the earliest
//     report's, or when that report leaves a text field empty, the next
//     report's that has it;
//   - the date range is the intersection of the reports' ranges where they
//     all agree (overlap), else the span from the first start to the last
//     end; time_precision is the most precise of the reports giving exactly
//     that range, else 1 for a day, 2 for up to four weeks, 3 beyond;
//   - fatalities follow ACLED: among the reports giving a number, those
//     published within a day of the latest such report count, and the most
//     conservative (lowest) of them is the event's, so a later report's
//     updated toll replaces earlier ones; reports of unknown publication
//     count only when no dated report gives a number. Every figure stays in
//     the sources;
//   - confidence rises with independent outlets (an outlet is the host of
//     the article's URL; an article without a URL is an outlet of its own):
//     1 - Π(1 - c) over outlets, c being the highest confidence among the
//     outlet's reports;
//   - sources lists each article once (its first report in the group, by
//     id), earliest first; source_count is their number. An event told by
//     one article leaves both unset: it is its own source
//     (geo.EventSources).
//
// Rows imported from another dataset or an export (Origin not extracted)
// are events already: they are never merged or linked.
package merge

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
)

//go:embed subtypes.txt
var subtypesData []byte

// FollowDays is how long after a threat a happening that fits it is linked
// to it.
const FollowDays = 90

// Rules decides which reports tell the same happening. Its zero value
// knows no compatible sub-event types; New loads the embedded table.
type Rules struct {
	compatible map[[3]string]bool
}

// New returns the rules with the embedded table of compatible sub-event
// types, checked against the taxonomy.
func New() (*Rules, error) {
	return Parse(subtypesData)
}

// Parse returns the rules with the table of compatible sub-event types in
// data (format: subtypes.txt).
func Parse(data []byte) (*Rules, error) {
	r := &Rules{compatible: map[[3]string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 3 {
			return nil, fmt.Errorf("merge: subtypes line %d: want 'type | sub-type | sub-type', got %q", n, line)
		}
		t, a, b := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		for _, s := range []string{a, b} {
			if !geo.IsSubEventType(t, s) {
				return nil, fmt.Errorf("merge: subtypes line %d: %q is not a sub-event type of %q", n, s, t)
			}
		}
		r.compatible[[3]string{t, a, b}] = true
		r.compatible[[3]string{t, b, a}] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("merge: subtypes: %w", err)
	}
	return r, nil
}

// PlaceKey returns what two reports must share to be at the same place:
// the gazetteer id, or for a place without one its rounded point and
// country. Stores index reports by it to find candidates.
func PlaceKey(e geo.Event) string {
	if e.GeonameID != 0 {
		return "g" + strconv.FormatInt(e.GeonameID, 10)
	}
	return fmt.Sprintf("p%.2f,%.2f,%s", e.Point[0], e.Point[1], e.CountryCode)
}

// dateRange returns a report's first and last day, or ok false when it is
// undated.
func dateRange(e geo.Event) (start, end string, ok bool) {
	if e.EventDate == "" {
		return "", "", false
	}
	end = e.EventDateEnd
	if end == "" {
		end = e.EventDate
	}
	return e.EventDate, end, true
}

func (r *Rules) subTypesAgree(a, b geo.Event) bool {
	return a.SubEventType == "" || b.SubEventType == "" || a.SubEventType == b.SubEventType ||
		r.compatible[[3]string{a.EventType, a.SubEventType, b.SubEventType}]
}

func threat(e geo.Event) bool { return e.Modality == geo.Threatened }

// imported reports whether e is a row of another dataset (or of an export)
// rather than a report extracted here: such rows are events already.
func imported(e geo.Event) bool { return e.Origin != "" && e.Origin != geo.OriginExtracted }

// Same reports whether two reports tell the same happening (the package
// doc's rules).
func (r *Rules) Same(a, b geo.Event) bool {
	if imported(a) || imported(b) || a.ArticleID == b.ArticleID || a.EventType != b.EventType || !r.subTypesAgree(a, b) ||
		PlaceKey(a) != PlaceKey(b) || threat(a) != threat(b) {
		return false
	}
	as, ae, ok1 := dateRange(a)
	bs, be, ok2 := dateRange(b)
	return ok1 && ok2 && as <= be && bs <= ae
}

// addDays returns the day n days after the YYYY-MM-DD day d.
func addDays(d string, n int) string {
	t, err := time.Parse(geo.DateLayout, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format(geo.DateLayout)
}

// Follows reports whether report e is a happening that the threat t
// announced: same type and place, not the same article, starting between
// the threat's first day and FollowDays after its last.
func (r *Rules) Follows(t, e geo.Event) bool {
	if imported(t) || imported(e) || !threat(t) || threat(e) || t.ArticleID == e.ArticleID || t.EventType != e.EventType ||
		!r.subTypesAgree(t, e) || PlaceKey(t) != PlaceKey(e) {
		return false
	}
	ts, te, ok1 := dateRange(t)
	es, _, ok2 := dateRange(e)
	return ok1 && ok2 && es >= ts && es <= addDays(te, FollowDays)
}

// Group is one happening: the event combining its reports, and the
// reports, earliest first.
type Group struct {
	Event   geo.Event
	Reports []geo.Event
}

// earlier orders reports earliest first: by publication (unknown last),
// then by id.
func earlier(a, b geo.Event) bool {
	pa, pb := a.Published, b.Published
	if pa == "" {
		pa = "~"
	}
	if pb == "" {
		pb = "~"
	}
	if pa != pb {
		return pa < pb
	}
	return a.ID < b.ID
}

// Groups returns the happenings the reports tell, ordered by event id, with
// each event's Related set to the events it is linked to among them. Report
// ids must be unique.
func (r *Rules) Groups(reports []geo.Event) []Group {
	rs := append([]geo.Event(nil), reports...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })

	// Only reports of one event type at one place can be linked.
	buckets := map[string][]int{}
	var keys []string
	for i, e := range rs {
		k := e.EventType + "\x00" + PlaceKey(e)
		if _, ok := buckets[k]; !ok {
			keys = append(keys, k)
		}
		buckets[k] = append(buckets[k], i)
	}
	parent := make([]int, len(rs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(i, j int) {
		a, b := find(i), find(j)
		if a < b {
			parent[b] = a
		} else if b < a {
			parent[a] = b
		}
	}
	type link struct{ a, b int }
	var follows []link
	for _, k := range keys {
		idx := buckets[k]
		for x, i := range idx {
			for _, j := range idx[x+1:] {
				switch {
				case r.Same(rs[i], rs[j]):
					union(i, j)
				case r.Follows(rs[i], rs[j]) || r.Follows(rs[j], rs[i]):
					follows = append(follows, link{i, j})
				}
			}
		}
	}
	members := map[int][]geo.Event{}
	var roots []int
	for i := range rs {
		root := find(i)
		if _, ok := members[root]; !ok {
			roots = append(roots, root)
		}
		members[root] = append(members[root], rs[i])
	}
	groups := make([]Group, 0, len(roots))
	at := map[int]int{} // root -> index in groups
	for _, root := range roots {
		g := Group{Reports: members[root]}
		sort.Slice(g.Reports, func(i, j int) bool { return earlier(g.Reports[i], g.Reports[j]) })
		g.Event = Combine(g.Reports)
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Event.ID < groups[j].Event.ID })
	for i, g := range groups {
		at[find(indexOf(rs, g.Reports[0].ID))] = i
	}
	related := make([]map[string]bool, len(groups))
	for _, l := range follows {
		a, b := at[find(l.a)], at[find(l.b)]
		if a == b {
			continue
		}
		for _, p := range [][2]int{{a, b}, {b, a}} {
			if related[p[0]] == nil {
				related[p[0]] = map[string]bool{}
			}
			related[p[0]][groups[p[1]].Event.ID] = true
		}
	}
	for i, set := range related {
		for id := range set {
			groups[i].Event.Related = append(groups[i].Event.Related, id)
		}
		sort.Strings(groups[i].Event.Related)
	}
	return groups
}

// indexOf returns the index of the report with the id in rs, sorted by id.
func indexOf(rs []geo.Event, id string) int {
	return sort.Search(len(rs), func(i int) bool { return rs[i].ID >= id })
}

// Combine returns the event that reports of one happening make together
// (the package doc's rules). It does not set Related.
func Combine(reports []geo.Event) geo.Event {
	if len(reports) == 0 {
		return geo.Event{}
	}
	rs := append([]geo.Event(nil), reports...)
	sort.Slice(rs, func(i, j int) bool { return earlier(rs[i], rs[j]) })
	e := rs[0]
	e.Sources, e.Related = nil, nil
	for _, o := range rs[1:] {
		fill(&e.SubEventType, o.SubEventType)
		fill(&e.Actor1, o.Actor1)
		fill(&e.Actor2, o.Actor2)
		fill(&e.Mention, o.Mention)
	}
	e.EventDate, e.EventDateEnd, e.TimePrecision = combineDates(rs)
	e.Fatalities = combineFatalities(rs)
	e.Confidence = combineConfidence(rs)
	if src := sources(rs); len(src) > 1 {
		e.Sources, e.SourceCount = src, len(src)
	}
	return e
}

// fill sets an empty text field to the next report's value.
func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func combineDates(rs []geo.Event) (start, end string, precision int) {
	var lo, hi, first, last string // intersection, and span
	dated := 0
	for _, e := range rs {
		s, en, ok := dateRange(e)
		if !ok {
			continue
		}
		if dated == 0 {
			lo, hi, first, last = s, en, s, en
		}
		dated++
		lo, hi = max(lo, s), min(hi, en)
		first, last = min(first, s), max(last, en)
	}
	if dated == 0 {
		return rs[0].EventDate, rs[0].EventDateEnd, rs[0].TimePrecision
	}
	start, end = lo, hi
	if lo > hi {
		start, end = first, last
	}
	for _, e := range rs {
		s, en, ok := dateRange(e)
		if ok && s == start && en == end && e.TimePrecision != 0 && (precision == 0 || e.TimePrecision < precision) {
			precision = e.TimePrecision
		}
	}
	if precision == 0 {
		a, _ := time.Parse(geo.DateLayout, start)
		b, _ := time.Parse(geo.DateLayout, end)
		switch days := int(b.Sub(a).Hours()/24) + 1; {
		case days <= 1:
			precision = geo.TimeDay
		case days <= 28:
			precision = geo.TimeWeek
		default:
			precision = geo.TimeMonth
		}
	}
	if end == start && rs[0].EventDateEnd == "" {
		end = ""
	}
	return start, end, precision
}

func combineFatalities(rs []geo.Event) *int {
	latest := ""
	for _, e := range rs {
		if e.Fatalities != nil && e.Published > latest {
			latest = e.Published
		}
	}
	from := ""
	if latest != "" {
		from = addDays(latest, -1)
	}
	var best *int
	for _, e := range rs {
		if e.Fatalities == nil || (latest != "" && e.Published < from) {
			continue
		}
		if best == nil || *e.Fatalities < *best {
			n := *e.Fatalities
			best = &n
		}
	}
	return best
}

func combineConfidence(rs []geo.Event) float64 {
	if len(rs) == 1 {
		return rs[0].Confidence
	}
	byOutlet := map[string]float64{}
	for _, e := range rs {
		o := geo.Outlet(e.SourceURL)
		if o == "" {
			o = "article " + e.ArticleID
		}
		byOutlet[o] = max(byOutlet[o], e.Confidence)
	}
	outlets := make([]string, 0, len(byOutlet))
	for o := range byOutlet {
		outlets = append(outlets, o)
	}
	sort.Strings(outlets)
	miss := 1.0
	for _, o := range outlets {
		miss *= 1 - min(max(byOutlet[o], 0), 1)
	}
	return math.Round((1-miss)*1e4) / 1e4
}

// sources lists each article once, by its first report by id, in the order
// of rs (earliest first).
func sources(rs []geo.Event) []geo.Source {
	first := map[string]geo.Event{}
	for _, e := range rs {
		if f, ok := first[e.ArticleID]; !ok || e.ID < f.ID {
			first[e.ArticleID] = e
		}
	}
	out := make([]geo.Source, 0, len(first))
	seen := map[string]bool{}
	for _, e := range rs {
		if seen[e.ArticleID] {
			continue
		}
		seen[e.ArticleID] = true
		out = append(out, geo.SourceOf(first[e.ArticleID]))
	}
	return out
}

// SortEarliest sorts reports earliest first, as a group lists them.
func SortEarliest(reports []geo.Event) {
	sort.Slice(reports, func(i, j int) bool { return earlier(reports[i], reports[j]) })
}
