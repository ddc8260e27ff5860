package eval

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// MaxQuote is the longest quote, in characters, that still cites evidence:
// a quote is one sentence, and a paragraph dump does not count.
const MaxQuote = 600

// Result is the score of one article's predictions against its gold file;
// field for field what score.py reports.
type Result struct {
	Predictions int
	Events      int
	Matched     int
	CoreMatched int
	CoreEvents  int

	Precision       float64
	StrictPrecision float64
	Recall          float64
	CoreRecall      float64

	Duplicates int
	Errors     int

	ForbiddenHits []ForbiddenHit
	// Accuracies are "right/checked" over matched pairs whose gold event
	// states the attribute.
	DateAccuracy          Ratio
	TypeAccuracy          Ratio
	ModalityAccuracy      Ratio
	FatalitiesAccuracy    Ratio
	SubTypeAccuracy       Ratio
	TimePrecisionAccuracy Ratio

	LongQuotes  int
	Missed      []string
	MissedCore  []string
	Unexplained []Unexplained
	Pairs       []Pair
}

// Ratio is a count of right answers out of those checked.
type Ratio struct{ Right, Checked int }

// String returns "right/checked".
func (r Ratio) String() string { return strconv.Itoa(r.Right) + "/" + strconv.Itoa(r.Checked) }

// ForbiddenHit is a prediction inside a place the gold file forbids.
type ForbiddenHit struct {
	Feature  int
	Location any
	Why      string
}

// Unexplained is a prediction that is neither an event, an acceptable
// place nor a forbidden one.
type Unexplained struct {
	Feature     int
	Location    any
	Lat, Lon    json.Number
	CountryCode any
}

// Pair is a gold event and the prediction matched to it (Feature < 0 when
// none).
type Pair struct {
	Event    string
	Feature  int
	Location any
	Date     any
	Type     any
	Modality any
}

// hits reports whether a prediction lies in the place (and agrees on its
// country code when the place gives one).
func hits(pl Place, p *Prediction) bool {
	var inside bool
	if pl.BBox != nil {
		w, s, e, n := pl.BBox[0], pl.BBox[1], pl.BBox[2], pl.BBox[3]
		inside = s <= p.Lat && p.Lat <= n
		if w <= e {
			inside = inside && w <= p.Lon && p.Lon <= e
		} else {
			inside = inside && (p.Lon >= w || p.Lon <= e)
		}
	} else {
		inside = km(p.Lat, p.Lon, pl.Lat, pl.Lon) <= pl.ToleranceKm
	}
	if !inside {
		return false
	}
	if pl.CountryCode == nil {
		return true
	}
	cc, _ := p.CountryCode.(string)
	return strings.ToUpper(cc) == strings.ToUpper(*pl.CountryCode)
}

// km is the great-circle distance in kilometres.
func km(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	p1, p2 := lat1*rad, lat2*rad
	dp, dl := p2-p1, (lon2-lon1)*rad
	a := math.Pow(math.Sin(dp/2), 2) + math.Cos(p1)*math.Cos(p2)*math.Pow(math.Sin(dl/2), 2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// cites reports whether the prediction's quote contains one of the event's
// evidence phrases.
func cites(e *GoldEvent, p *Prediction) bool {
	if quoteLen(p.Quote) > MaxQuote {
		return false
	}
	for _, ev := range e.Evidence {
		if strings.Contains(p.Quote, Normalize(ev)) {
			return true
		}
	}
	return false
}

// Score compares predictions with a gold file.
func Score(g *Gold, preds []Prediction) Result {
	events := g.Events
	order := make([]int, len(events))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool {
		ea, eb := events[order[a]], events[order[b]]
		if ea.Core != eb.Core {
			return ea.Core
		}
		return ea.ID < eb.ID
	})
	cands := make([][]int, len(events))
	for _, k := range order {
		for i := range preds {
			if hits(events[k].Place, &preds[i]) && cites(&events[k], &preds[i]) {
				cands[k] = append(cands[k], preds[i].Index)
			}
		}
	}
	// Maximum matching by augmenting paths (Kuhn), core events first so
	// that no other event takes a prediction a core event needs.
	owner := map[int]int{}
	var augment func(k int, seen map[int]bool) bool
	augment = func(k int, seen map[int]bool) bool {
		for _, i := range cands[k] {
			if seen[i] {
				continue
			}
			seen[i] = true
			if o, ok := owner[i]; !ok || augment(o, seen) {
				owner[i] = k
				return true
			}
		}
		return false
	}
	for _, k := range order {
		augment(k, map[int]bool{})
	}
	byEvent := map[int]int{}
	for i, k := range owner {
		byEvent[k] = i
	}
	predByIndex := map[int]*Prediction{}
	for i := range preds {
		predByIndex[preds[i].Index] = &preds[i]
	}

	type match struct {
		e *GoldEvent
		p *Prediction
	}
	var matches, matched []match
	for _, k := range order {
		m := match{e: &events[k]}
		if i, ok := byEvent[k]; ok {
			m.p = predByIndex[i]
			matched = append(matched, m)
		}
		matches = append(matches, m)
	}

	var r Result
	var wrong []*Prediction
	forbidden := map[int]bool{}
	for i := range preds {
		p := &preds[i]
		if _, ok := owner[p.Index]; ok {
			continue
		}
		dup := false
		for _, m := range matched {
			if hits(m.e.Place, p) && cites(m.e, p) {
				dup = true
				break
			}
		}
		if dup {
			r.Duplicates++
			continue
		}
		why := ""
		for _, f := range g.Forbidden {
			if hits(f, p) {
				why = f.Name
				break
			}
		}
		if why != "" {
			r.ForbiddenHits = append(r.ForbiddenHits, ForbiddenHit{Feature: p.Index, Location: p.Location, Why: why})
			forbidden[p.Index] = true
			wrong = append(wrong, p)
			continue
		}
		neutral := false
		for _, e := range events {
			neutral = neutral || hits(e.Place, p)
		}
		for _, a := range g.Acceptable {
			neutral = neutral || hits(a, p)
		}
		if !neutral {
			wrong = append(wrong, p)
		}
	}
	neutrals := len(preds) - len(matched) - r.Duplicates - len(wrong)

	attr := func(has func(*GoldEvent) bool, check func(*GoldEvent, *Prediction) bool) Ratio {
		var q Ratio
		for _, m := range matched {
			if !has(m.e) {
				continue
			}
			q.Checked++
			if check(m.e, m.p) {
				q.Right++
			}
		}
		return q
	}
	r.DateAccuracy = attr(func(e *GoldEvent) bool { return e.Date != nil }, func(e *GoldEvent, p *Prediction) bool {
		if !pyTruthy(p.EventDate) {
			return false
		}
		d := pyStr(p.EventDate)
		if r := []rune(d); len(r) > 10 {
			d = string(r[:10])
		}
		return e.Date.Start <= d && d <= e.Date.End
	})
	inList := func(l *[]any, v any) bool {
		for _, x := range *l {
			if pyEqual(x, v) {
				return true
			}
		}
		return false
	}
	r.TypeAccuracy = attr(func(e *GoldEvent) bool { return e.Types != nil }, func(e *GoldEvent, p *Prediction) bool { return inList(e.Types, p.EventType) })
	r.ModalityAccuracy = attr(func(e *GoldEvent) bool { return e.Modality != nil }, func(e *GoldEvent, p *Prediction) bool { return inList(e.Modality, p.Modality) })
	r.FatalitiesAccuracy = attr(func(e *GoldEvent) bool { return e.Fatalities != nil }, func(e *GoldEvent, p *Prediction) bool {
		return pyEqual(rawValue(*e.Fatalities), p.Fatalities)
	})
	r.SubTypeAccuracy = attr(func(e *GoldEvent) bool { return e.SubTypes != nil }, func(e *GoldEvent, p *Prediction) bool { return inList(e.SubTypes, p.SubEventType) })
	r.TimePrecisionAccuracy = attr(func(e *GoldEvent) bool { return e.TimePrecision != nil }, func(e *GoldEvent, p *Prediction) bool {
		return inList(e.TimePrecision, p.TimePrecision)
	})

	n := len(preds)
	r.Predictions = n
	r.Events = len(events)
	r.Matched = len(matched)
	for _, m := range matches {
		if !m.e.Core {
			continue
		}
		r.CoreEvents++
		if m.p != nil {
			r.CoreMatched++
		} else {
			r.MissedCore = append(r.MissedCore, m.e.ID)
		}
	}
	if n > 0 {
		r.Precision = round3(float64(len(matched)+neutrals+r.Duplicates) / float64(n))
		r.StrictPrecision = round3(float64(len(matched)) / float64(n))
	}
	if len(events) > 0 {
		r.Recall = round3(float64(len(matched)) / float64(len(events)))
	}
	if r.CoreEvents > 0 {
		r.CoreRecall = round3(float64(r.CoreMatched) / float64(r.CoreEvents))
	}
	r.Errors = len(wrong)
	for i := range preds {
		if quoteLen(preds[i].Quote) > MaxQuote {
			r.LongQuotes++
		}
	}
	for _, m := range matches {
		if m.p == nil {
			r.Missed = append(r.Missed, m.e.ID)
		}
	}
	for _, p := range wrong {
		if forbidden[p.Index] {
			continue
		}
		r.Unexplained = append(r.Unexplained, Unexplained{Feature: p.Index, Location: p.Location, Lat: p.LatLit, Lon: p.LonLit, CountryCode: p.CountryCode})
	}
	for _, m := range matches {
		pr := Pair{Event: m.e.ID, Feature: -1}
		if m.p != nil {
			pr.Feature, pr.Location, pr.Date, pr.Type, pr.Modality = m.p.Index, m.p.Location, m.p.EventDate, m.p.EventType, m.p.Modality
		}
		r.Pairs = append(r.Pairs, pr)
	}
	return r
}

// round3 rounds to three decimals the way Python's round(x, 3) does:
// correctly rounded from the binary value, ties to even.
func round3(x float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 3, 64), 64)
	return f
}

// rawValue decodes a JSON value, keeping numbers as json.Number.
func rawValue(b json.RawMessage) any {
	var v any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return nil
	}
	return v
}
