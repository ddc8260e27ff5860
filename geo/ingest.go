package geo

import (
	"math"
	"time"
)

// isDate reports whether s is a real calendar day written YYYY-MM-DD.
func isDate(s string) bool {
	t, err := time.Parse(DateLayout, s)
	return err == nil && t.Format(DateLayout) == s
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// CheckIngest refuses an article or events that a store could not answer
// queries about correctly (a date filter compares dates as text, a bbox
// filter compares numbers), so that every store rejects the same input with
// the same EINVALID message. It returns the events with their ArticleID set
// to the article's where it was empty.
func CheckIngest(a Article, events []Event) ([]Event, error) {
	if a.ID == "" {
		return nil, Errorf(EINVALID, "article has no id")
	}
	if a.Published != "" && !isDate(a.Published) {
		return nil, Errorf(EINVALID, "article %s: published %q is not a YYYY-MM-DD date", a.ID, a.Published)
	}
	out := make([]Event, len(events))
	seen := make(map[string]bool, len(events))
	for i, e := range events {
		switch {
		case e.ID == "":
			return nil, Errorf(EINVALID, "article %s: event %d has no id", a.ID, i)
		case seen[e.ID]:
			return nil, Errorf(EINVALID, "article %s: two events have the id %s", a.ID, e.ID)
		case e.ArticleID != "" && e.ArticleID != a.ID:
			return nil, Errorf(EINVALID, "event %s belongs to article %s, not %s", e.ID, e.ArticleID, a.ID)
		}
		if err := CheckEvent(e); err != nil {
			return nil, err
		}
		seen[e.ID] = true
		if e.ArticleID == "" {
			e.ArticleID = a.ID
		}
		out[i] = e
	}
	return out, nil
}

// CheckEvent refuses an event that a store could not answer queries about
// correctly: a point that is not a longitude and latitude, a date that is
// not a YYYY-MM-DD day, a range that ends before it starts, numbers that
// are not finite, an origin that is not one of Origins.
func CheckEvent(e Event) error {
	switch {
	case !(e.Point[0] >= -180 && e.Point[0] <= 180 && e.Point[1] >= -90 && e.Point[1] <= 90):
		return Errorf(EINVALID, "event %s: point %v is not a longitude and latitude", e.ID, e.Point)
	case e.Bound != nil && !finite(e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1]):
		return Errorf(EINVALID, "event %s: bound %v is not finite", e.ID, *e.Bound)
	case !finite(e.Confidence):
		return Errorf(EINVALID, "event %s: confidence is not a number", e.ID)
	case e.EventDate != "" && !isDate(e.EventDate):
		return Errorf(EINVALID, "event %s: event_date %q is not a YYYY-MM-DD date", e.ID, e.EventDate)
	case e.EventDateEnd != "" && !isDate(e.EventDateEnd):
		return Errorf(EINVALID, "event %s: event_date_end %q is not a YYYY-MM-DD date", e.ID, e.EventDateEnd)
	case e.EventDateEnd != "" && e.EventDate == "":
		return Errorf(EINVALID, "event %s: event_date_end without event_date", e.ID)
	case e.EventDateEnd != "" && e.EventDateEnd < e.EventDate:
		return Errorf(EINVALID, "event %s: event_date_end %s is before event_date %s", e.ID, e.EventDateEnd, e.EventDate)
	case e.Published != "" && !isDate(e.Published):
		return Errorf(EINVALID, "event %s: published %q is not a YYYY-MM-DD date", e.ID, e.Published)
	case e.Origin != "" && !IsOrigin(e.Origin):
		return Errorf(EINVALID, "event %s: origin %q is not one of %v", e.ID, e.Origin, Origins())
	}
	return nil
}

// SpanDays is the number of days from EventDate to EventDateEnd (0 for one
// day or undated); stores keep the longest to bound date queries.
func (e Event) SpanDays() int {
	if e.EventDate == "" || e.EventDateEnd == "" {
		return 0
	}
	start, err1 := time.Parse(DateLayout, e.EventDate)
	end, err2 := time.Parse(DateLayout, e.EventDateEnd)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(end.Sub(start).Hours() / 24)
}

// WalkArticles calls fn with every article that next returns, batch by
// batch in id order, until a batch is shorter than size, and stops at the
// first error. Stores use it so that no transaction or connection is held
// while fn runs: fn may ingest, as re-extraction does. next returns the
// articles whose id follows after ("" for the first batch).
func WalkArticles(size int, next func(after string) ([]Article, error), fn func(Article) error) error {
	after := ""
	for {
		batch, err := next(after)
		if err != nil {
			return err
		}
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(batch) < size {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}
