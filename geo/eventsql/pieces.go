package eventsql

import (
	"math"
	"strings"
	"time"

	"conflictmap/geo"
)

// DateSpanSQL reads the first and the last event_date of the store, as
// YYYY-MM-DD text (NULL when no event is dated): each an index's first or
// last entry.
func DateSpanSQL(d Dialect) string {
	return "SELECT " + d.DateText("(SELECT min(e.event_date) FROM events e)") + ", " +
		d.DateText("(SELECT max(e.event_date) FROM events e)")
}

// DateCuts cuts the days that f's walk of the date order reads, from the
// later of f.Start and first to the earlier of f.End and last (the store's
// DateSpanSQL), into n pieces of as many days each, so that n connections
// can each read one piece at once (Pieces): the first day of every
// piece but the oldest, newest first. None when f has no dates (a piece
// is a range of event_date, and undated events would fall in none), when
// n < 2, or when the range holds fewer than n days. With spans, the
// pieces hold about as many events each (DatedSpans.Cuts), else as many
// days: a piece whose days hold more events takes longer, and the answer
// is the same wherever the cuts fall.
func DateCuts(f geo.Filter, first, last string, n int, spans *DatedSpans) []string {
	if n < 2 || f.Start == "" && f.End == "" || first == "" || last == "" {
		return nil
	}
	if f.Start > first {
		first = f.Start
	}
	if f.End != "" && f.End < last {
		last = f.End
	}
	return spans.Cuts(first, last, n)
}

// DayCuts cuts the days from first to last (YYYY-MM-DD) into n pieces of
// as many days each, as DateCuts does for a filter's dates: the first day
// of every piece but the oldest, newest first. None when n < 2 or when
// the range holds fewer than n days.
func DayCuts(first, last string, n int) []string {
	if n < 2 {
		return nil
	}
	a, err1 := time.Parse(time.DateOnly, first)
	b, err2 := time.Parse(time.DateOnly, last)
	if err1 != nil || err2 != nil {
		return nil
	}
	days := int(b.Sub(a).Hours()/24) + 1
	if days < n {
		return nil
	}
	cuts := make([]string, 0, n-1)
	for i := n - 1; i >= 1; i-- {
		cuts = append(cuts, a.AddDate(0, 0, days*i/n).Format(time.DateOnly))
	}
	return cuts
}

// BoxCuts cuts b into n boxes of as many degrees of longitude each, west
// to east, that together hold every point of b once: a box's edges are
// inclusive, so each box but the last ends on the float64 just below the
// next one's west edge. Density cells read from the events can then read
// one box per connection at once. None when n < 2, or for a box across
// the antimeridian or too narrow to cut.
func BoxCuts(b geo.BBox, n int) []geo.BBox {
	if n < 2 || !(b.West < b.East) {
		return nil
	}
	out := make([]geo.BBox, 0, n)
	west := b.West
	for i := 1; i <= n; i++ {
		piece := b
		piece.West = west
		if i < n {
			cut := b.West + (b.East-b.West)*float64(i)/float64(n)
			if cut <= west || cut > b.East {
				return nil
			}
			piece.East = math.Nextafter(cut, math.Inf(-1))
			west = cut
		}
		out = append(out, piece)
	}
	return out
}

// BoxAlone reports whether f's box is the one condition of f, its dates
// aside, that an index of the events answers: f names no event type,
// sub-event type, country, origin or word. Only then does each box of
// BoxCuts read its own part of the events: otherwise the statement may
// read another index's whole range once per box (a sub-event type's
// 55,000 entries, twice, for the two halves of a box).
func BoxAlone(f geo.Filter) bool {
	return f.BBox != nil && len(f.Types) == 0 && len(f.SubTypes) == 0 && f.Country == "" && len(f.Origins) == 0 &&
		strings.TrimSpace(f.Actor) == "" && strings.TrimSpace(f.Q) == ""
}

// Piece is one of the ranges of event_date that DateCuts makes: from From
// (on or after it) to Before (before it), each "" when open. A dialect
// whose Piece is set bounds event_date by it in Dates, each bound in place
// of the filter's own on event_date, which it implies: SQLite reads an
// index's range from one lower and one upper bound of its column, and
// picks between two of them without knowing which is tighter.
type Piece struct{ From, Before string }

// Pieces returns the len(cuts)+1 pieces that cuts (DateCuts, newest
// first) make of the dated events, newest first: event_date on or after
// cuts[0] for the first, before cuts[i-1] and on or after cuts[i] between,
// before the last cut for the last.
func Pieces(cuts []string) []Piece {
	pieces := make([]Piece, len(cuts)+1)
	for i := range pieces {
		if i > 0 {
			pieces[i].Before = cuts[i-1]
		}
		if i < len(cuts) {
			pieces[i].From = cuts[i]
		}
	}
	return pieces
}

// AddStats adds the rows of StatsSQL to t.
func AddStats(rows Rows, t *geo.Tally) error {
	for rows.Next() {
		var typ, country, week string
		var n int64
		if err := rows.Scan(&typ, &country, &week, &n); err != nil {
			return err
		}
		t.Add(typ, country, week, int(n))
	}
	return rows.Err()
}
