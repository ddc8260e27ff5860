package extract

import (
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
)

// dateKind says where an event's date comes from.
type dateKind uint8

const (
	dNone     dateKind = iota // no date: no publication date to resolve against
	dText                     // a date expression of the sentence
	dSince                    // "since October": from then until publication
	dDefault                  // no date words: the fortnight before publication
	dAnaphora                 // "hours later", "earlier in the day": the previous sentence's date
	dContext                  // no date words: the recent date the sentences before gave
)

// defaultSpan is how far before publication an event without date words
// may have happened. Wire reports are about the last days; a fortnight
// covers "recent" and "new" without reaching into last month's news.
const defaultSpan = 14 * 24 * time.Hour

// dateRange is an event's possible dates, first and last day inclusive.
type dateRange struct {
	start, end time.Time
	prec       int // geo.TimeDay, TimeWeek or TimeMonth
	kind       dateKind
}

// dateExpr is a date expression found in a sentence.
type dateExpr struct {
	first, last int // token range
	r           dateRange
	reporting   bool // "said Wednesday": when it was told, not when it happened
	// An anaphoric expression ("hours later", "days after") is resolved
	// against another date: its range is [ref+from, ref+to] days.
	anaphor  bool
	from, to int
}

var (
	monthNames = map[string]time.Month{
		"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
		"september": 9, "october": 10, "november": 11, "december": 12,
		"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
		"oct": 10, "nov": 11, "dec": 12,
	}
	weekdayNames = map[string]time.Weekday{
		"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
		"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	}
	numberWords = map[string]int{
		"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
		"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
		"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
		"forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	}
	reportingVerbs = cues.set("reporting-verbs")
	futureCues     = cues.set("future-cues")
)

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

func dayRange(d time.Time, prec int) dateRange {
	return dateRange{start: d, end: d, prec: prec, kind: dText}
}

func spanRange(a, b time.Time, prec int) dateRange {
	return dateRange{start: a, end: b, prec: prec, kind: dText}
}

// monthRange is a whole calendar month, cut at publication when it is the
// current one.
func monthRange(y int, m time.Month, pub time.Time) dateRange {
	a := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	b := a.AddDate(0, 1, -1)
	if !pub.IsZero() && b.After(pub) && !a.After(pub) {
		b = pub
	}
	return spanRange(a, b, geo.TimeMonth)
}

// dateScanner finds the date expressions of sentences, resolved against
// the publication date.
type dateScanner struct {
	toks []tok
	pub  time.Time // zero when unknown
}

// scan returns the date expressions of tokens [first, last).
func (d *dateScanner) scan(first, last int) []dateExpr {
	var out []dateExpr
	future := false
	for i := first; i < last; i++ {
		t := d.toks[i]
		// "set to", "set for" look forward; "set tyres ablaze" does not.
		if t.kind == tWord && futureCues[t.low] && (t.low != "set" || (i+1 < last && (d.toks[i+1].low == "to" || d.toks[i+1].low == "for"))) {
			future = true
		}
		// "called a general strike for Thursday": the day it is set for.
		_, wd := weekdayNames[t.low]
		forDay := wd && i > first && d.toks[i-1].low == "for" && (i+1 >= last || d.toks[i+1].low != "'s")
		e, n := d.at(i, last, future || forDay)
		if n == 0 {
			e, n = d.anaphora(i, last)
		}
		if n == 0 {
			continue
		}
		e.first, e.last = i, i+n
		// "since ...": from then until publication ("since early May",
		// "since the start of").
		k := i - 1
		for k > first && (d.toks[k].low == "early" || d.toks[k].low == "mid" || d.toks[k].low == "late" || d.toks[k].low == "the") {
			k--
		}
		if k >= first && d.toks[k].low == "since" && !d.pub.IsZero() && e.r.kind == dText && !e.r.start.After(d.pub) {
			e.first = k
			e.r = dateRange{start: e.r.start, end: d.pub, prec: geo.TimeMonth, kind: dSince}
		}
		e.reporting = d.afterReportingVerb(first, e.first)
		out = append(out, e)
		i += n - 1
	}
	// "struck Odesa overnight, officials said on Sunday": the night before
	// the day of the report the sentence gives, not before publication.
	for _, rep := range out {
		if !rep.reporting || rep.r.kind != dText || rep.r.prec != geo.TimeDay || d.pub.IsZero() {
			continue
		}
		for j := range out {
			e := &out[j]
			if d.toks[e.first].low == "overnight" && e.last == e.first+1 && e.r.start.Equal(d.pub.AddDate(0, 0, -1)) {
				e.r = dayRange(rep.r.start.AddDate(0, 0, -1), geo.TimeDay)
			}
		}
		break
	}
	return out
}

// afterReportingVerb reports whether a date expression at i follows a
// verb of saying: "officials said Wednesday", "said on Tuesday".
func (d *dateScanner) afterReportingVerb(first, i int) bool {
	k := i - 1
	if k >= first && d.toks[k].low == "on" {
		k--
	}
	return k >= first && reportingVerbs[d.toks[k].low]
}

// word returns the lower-case text of token i, or "" past the range.
func (d *dateScanner) word(i, last int) string {
	if i >= 0 && i < last {
		return d.toks[i].low
	}
	return ""
}

// at parses a date expression starting at token i, returning it and how
// many tokens it covers (0 for none).
func (d *dateScanner) at(i, last int, future bool) (dateExpr, int) {
	t := d.toks[i]
	pub := d.pub
	w := t.low
	// Absolute dates carry their own year and need no publication date.
	if m, ok := d.month(i, last); ok {
		if i > 0 && (d.toks[i-1].low == "by" || d.toks[i-1].low == "until") {
			future = true
		}
		return d.monthExpr(i, last, m, future)
	}
	if t.kind == tNumber {
		if e, n := d.dayMonth(i, last, future); n > 0 {
			return e, n
		}
		if y, ok := year(t.text); ok && i > 0 && (isYearPrep(d.toks[i-1].low) || yearBeforeNoun(d.toks, i, last)) {
			a := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			r := spanRange(a, a.AddDate(1, 0, -1), geo.TimeMonth)
			switch d.toks[i-1].low {
			case "early":
				r.end = a.AddDate(0, 4, -1)
			case "mid":
				r.start, r.end = a.AddDate(0, 4, 0), a.AddDate(0, 8, -1)
			case "late":
				r.start = a.AddDate(0, 8, 0)
			}
			if !pub.IsZero() && r.end.After(pub) && !r.start.After(pub) {
				r.end = pub
			}
			return dateExpr{r: r}, 1
		}
		return dateExpr{}, 0
	}
	if t.kind != tWord {
		return dateExpr{}, 0
	}
	if pub.IsZero() {
		return dateExpr{}, 0
	}
	next := d.word(i+1, last)
	switch w {
	case "yesterday":
		return dateExpr{r: dayRange(pub.AddDate(0, 0, -1), geo.TimeDay)}, 1
	case "today", "tonight":
		return dateExpr{r: dayRange(pub, geo.TimeDay)}, 1
	case "overnight":
		if wd, ok := weekdayNames[next]; ok && d.toks[i+1].cap {
			e, n := d.weekday(i+1, last, wd, future)
			return e, n + 1
		}
		// "overnight into Sunday": the night began on Saturday.
		if wd, ok := weekdayNames[d.word(i+2, last)]; ok && next == "into" && d.toks[i+2].cap {
			e, n := d.weekday(i+2, last, wd, future)
			if e.r.kind == dText {
				e.r = dayRange(e.r.start.AddDate(0, 0, -1), geo.TimeDay)
			}
			return e, n + 2
		}
		// The night before the report: dated, as ACLED does, by the
		// evening it began.
		return dateExpr{r: dayRange(pub.AddDate(0, 0, -1), geo.TimeDay)}, 1
	case "last", "this", "next", "earlier", "past", "previous":
		return d.relative(i, last, future)
	case "over", "at":
		if next == "the" && d.word(i+2, last) == "weekend" {
			return dateExpr{r: d.weekend(future)}, 3
		}
	case "in":
		if next == "recent" {
			switch d.word(i+2, last) {
			case "days":
				return dateExpr{r: spanRange(pub.AddDate(0, 0, -7), pub, geo.TimeWeek)}, 3
			case "weeks":
				return dateExpr{r: spanRange(pub.AddDate(0, 0, -28), pub, geo.TimeMonth)}, 3
			case "months":
				return dateExpr{r: spanRange(pub.AddDate(0, -3, 0), pub, geo.TimeMonth)}, 3
			}
		}
	}
	if wd, ok := weekdayNames[w]; ok && t.cap {
		return d.weekday(i, last, wd, future)
	}
	// "two days ago", "a week ago".
	if n, ok := numberValue(d.toks[i]); ok && n < 100 {
		unit := d.word(i+1, last)
		if d.word(i+2, last) == "ago" {
			switch unit {
			case "day", "days":
				return dateExpr{r: dayRange(pub.AddDate(0, 0, -n), geo.TimeDay)}, 3
			case "week", "weeks":
				a := pub.AddDate(0, 0, -7*n)
				return dateExpr{r: spanRange(a.AddDate(0, 0, -3), a.AddDate(0, 0, 3), geo.TimeWeek)}, 3
			case "month", "months":
				a := pub.AddDate(0, -n, 0)
				return dateExpr{r: monthRange(a.Year(), a.Month(), pub)}, 3
			}
		}
	}
	return dateExpr{}, 0
}

// anaphora recognises expressions that date an event by another date:
// "hours later", "earlier in the day", "the next day", "days after", "a
// day after". It returns the expression and how many tokens it covers.
func (d *dateScanner) anaphora(i, last int) (dateExpr, int) {
	w, n1, n2, n3 := d.word(i, last), d.word(i+1, last), d.word(i+2, last), d.word(i+3, last)
	e := func(from, to, prec, n int) (dateExpr, int) {
		return dateExpr{anaphor: true, from: from, to: to, r: dateRange{prec: prec, kind: dAnaphora}}, n
	}
	switch {
	case (w == "hours" || w == "minutes") && (n1 == "later" || n1 == "earlier" || n1 == "after" || n1 == "before"):
		return e(0, 0, geo.TimeDay, 2)
	case (w == "earlier" || w == "later") && n1 == "in" && n2 == "the" && n3 == "day":
		return e(0, 0, geo.TimeDay, 4)
	case w == "later" && n1 == "that" && (n2 == "day" || n2 == "night"):
		return e(0, 0, geo.TimeDay, 3)
	case w == "the" && n1 == "same" && n2 == "day":
		return e(0, 0, geo.TimeDay, 3)
	case w == "the" && (n1 == "next" || n1 == "following") && n2 == "day":
		return e(1, 1, geo.TimeDay, 3)
	case w == "the" && n1 == "previous" && n2 == "day", w == "the" && n1 == "day" && n2 == "before":
		return e(-1, -1, geo.TimeDay, 3)
	case (w == "a" || w == "one") && n1 == "week" && n2 == "earlier":
		return e(-7, -7, geo.TimeWeek, 3)
	case (w == "a" || w == "one") && n1 == "week" && n2 == "later":
		return e(7, 7, geo.TimeWeek, 3)
	case (w == "a" || w == "one") && n1 == "day" && n2 == "earlier":
		return e(-1, -1, geo.TimeDay, 3)
	case (w == "a" || w == "one") && n1 == "day" && n2 == "later":
		return e(1, 1, geo.TimeDay, 3)
	case w == "days" && n1 == "earlier":
		return e(-7, -1, geo.TimeWeek, 2)
	case w == "days" && n1 == "later":
		return e(1, 7, geo.TimeWeek, 2)
	case w == "weeks" && n1 == "earlier":
		return e(-28, -7, geo.TimeMonth, 2)
	case w == "days" && n1 == "after":
		return e(-7, -1, geo.TimeWeek, 2)
	case w == "days" && n1 == "before":
		return e(1, 7, geo.TimeWeek, 2)
	case (w == "a" || w == "one") && n1 == "day" && n2 == "after":
		return e(-1, -1, geo.TimeDay, 3)
	case (w == "a" || w == "one") && n1 == "day" && n2 == "before":
		return e(1, 1, geo.TimeDay, 3)
	}
	if n, ok := numberValue(d.toks[i]); ok && n > 1 && n < 60 && n1 == "days" && (n2 == "after" || n2 == "before") {
		if n2 == "after" {
			return e(-n, -n, geo.TimeDay, 3)
		}
		return e(n, n, geo.TimeDay, 3)
	}
	return dateExpr{}, 0
}

// month reports whether token i names a month: capitalised, full or
// abbreviated ("Feb." or "Feb").
func (d *dateScanner) month(i, last int) (time.Month, bool) {
	t := d.toks[i]
	if t.kind != tWord || !t.cap {
		return 0, false
	}
	m, ok := monthNames[strings.TrimSuffix(t.low, ".")]
	if !ok {
		return 0, false
	}
	if t.low == "may" || t.low == "march" || t.low == "mar" {
		// "May" and "March" are also words: want a day, a year or "in".
		nt := i + 1
		hasDay := (nt < last && d.toks[nt].kind == tNumber) || (i > 0 && d.toks[i-1].kind == tNumber) // "10 March"
		hasIn := i > 0 && isMonthPrep(d.toks[i-1].low)
		if !hasDay && !hasIn {
			return 0, false
		}
	}
	return m, true
}

func isMonthPrep(w string) bool {
	switch w {
	case "in", "since", "early", "mid", "late", "last", "of", "until", "by", "during", "from", "this", "next", "mid-":
		return true
	}
	return false
}

func isYearPrep(w string) bool {
	switch w {
	case "in", "since", "during", "until", "by", "of", "from", "early", "late", "mid":
		return true
	}
	return false
}

// yearBeforeNoun reports a year used as a modifier: "the 2018 peace
// agreement", "a 2022 deal".
func yearBeforeNoun(toks []tok, i, last int) bool {
	switch toks[i-1].low {
	case "the", "a", "its", "their", "his", "her":
		return i+1 < last && toks[i+1].kind == tWord && !toks[i+1].cap
	}
	return false
}

// year parses a plausible four-digit year.
func year(s string) (int, bool) {
	if len(s) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1900 || y > 2100 {
		return 0, false
	}
	return y, true
}

// dayNumber parses a day of the month: "28", "28th".
func (d *dateScanner) dayNumber(i, last int) (int, int) {
	if i >= last || d.toks[i].kind != tNumber {
		return 0, 0
	}
	n, err := strconv.Atoi(d.toks[i].text)
	if err != nil || n < 1 || n > 31 {
		return 0, 0
	}
	if i+1 < last && d.toks[i+1].start == d.toks[i].end {
		switch d.toks[i+1].low {
		case "st", "nd", "rd", "th":
			return n, 2
		}
	}
	return n, 1
}

// monthExpr parses "January 28", "Jan. 28, 2024", "January 2024",
// "late January", "in January".
func (d *dateScanner) monthExpr(i, last int, m time.Month, future bool) (dateExpr, int) {
	j := i + 1
	if j < last && d.toks[j].text == "." && d.toks[j].start == d.toks[i].end {
		j++
	}
	if dn, n := d.dayNumber(j, last); n > 0 {
		k := j + n
		y, explicit := 0, false
		if k+1 < last && d.toks[k].text == "," {
			if yy, ok := year(d.toks[k+1].text); ok {
				y, explicit, k = yy, true, k+2
			}
		} else if k < last {
			if yy, ok := year(d.toks[k].text); ok {
				y, explicit, k = yy, true, k+1
			}
		}
		date, ok := d.resolve(y, explicit, m, dn, future)
		if !ok {
			return dateExpr{}, 0
		}
		return dateExpr{r: dayRange(date, geo.TimeDay)}, k - i
	}
	// Month with or without a year.
	y, explicit := 0, false
	k := j
	if k < last {
		if yy, ok := year(d.toks[k].text); ok {
			y, explicit, k = yy, true, k+1
		}
	}
	if !explicit {
		if d.pub.IsZero() {
			return dateExpr{}, 0
		}
		y = d.pub.Year()
		first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		if !future && first.After(d.pub) {
			y--
		} else if future && first.AddDate(0, 1, -1).Before(d.pub) {
			y++
		}
	}
	r := monthRange(y, m, d.pub)
	// "early", "mid", "late" January, written before the month.
	if i > 0 {
		a := r.start
		switch d.toks[i-1].low {
		case "early":
			r = spanRange(a, a.AddDate(0, 0, 9), geo.TimeWeek)
		case "mid", "mid-":
			r = spanRange(a.AddDate(0, 0, 10), a.AddDate(0, 0, 19), geo.TimeWeek)
		case "late":
			r = spanRange(a.AddDate(0, 0, 20), a.AddDate(0, 1, -1), geo.TimeWeek)
		}
		if !d.pub.IsZero() && r.end.After(d.pub) && !r.start.After(d.pub) {
			r.end = d.pub
		}
	}
	return dateExpr{r: r}, k - i
}

// dayMonth parses "28 January", "2 Feb 2024".
func (d *dateScanner) dayMonth(i, last int, future bool) (dateExpr, int) {
	dn, n := d.dayNumber(i, last)
	if n == 0 || i+n >= last {
		return dateExpr{}, 0
	}
	j := i + n
	if d.word(j, last) == "of" {
		j++
	}
	m, ok := d.month(j, last)
	if !ok || j >= last {
		return dateExpr{}, 0
	}
	k := j + 1
	if k < last && d.toks[k].text == "." && d.toks[k].start == d.toks[j].end {
		k++
	}
	y, explicit := 0, false
	if k < last {
		if yy, ok := year(d.toks[k].text); ok {
			y, explicit, k = yy, true, k+1
		}
	}
	date, ok := d.resolve(y, explicit, m, dn, future)
	if !ok {
		return dateExpr{}, 0
	}
	return dateExpr{r: dayRange(date, geo.TimeDay)}, k - i
}

// resolve completes a day of a month with its year: the one given, else
// the latest such day not after publication (the first one after it for
// a future event).
func (d *dateScanner) resolve(y int, explicit bool, m time.Month, dn int, future bool) (time.Time, bool) {
	if !explicit {
		if d.pub.IsZero() {
			return time.Time{}, false
		}
		y = d.pub.Year()
	}
	t := time.Date(y, m, dn, 0, 0, 0, 0, time.UTC)
	if t.Month() != m {
		return time.Time{}, false // February 30
	}
	if !explicit {
		if !future && t.After(d.pub.AddDate(0, 0, 1)) {
			t = time.Date(y-1, m, dn, 0, 0, 0, 0, time.UTC)
		} else if future && t.Before(d.pub) {
			t = time.Date(y+1, m, dn, 0, 0, 0, 0, time.UTC)
		}
	}
	return t, true
}

// weekday resolves a day name: the latest such day up to publication (the
// day of publication itself for its own name), or the next one for a future
// event. "Monday night", "late Monday" stay on Monday.
func (d *dateScanner) weekday(i, last int, wd time.Weekday, future bool) (dateExpr, int) {
	n := 1
	switch d.word(i+1, last) {
	case "night", "morning", "afternoon", "evening":
		n = 2
	}
	prev := d.word(i-1, last)
	switch {
	case prev == "next" || (future && prev != "last"):
		diff := (int(wd) - int(d.pub.Weekday()) + 7) % 7
		if diff == 0 {
			diff = 7
		}
		return dateExpr{r: dayRange(d.pub.AddDate(0, 0, diff), geo.TimeDay)}, n
	default:
		back := (int(d.pub.Weekday()) - int(wd) + 7) % 7
		if prev == "last" && back == 0 {
			back = 7
		}
		return dateExpr{r: dayRange(d.pub.AddDate(0, 0, -back), geo.TimeDay)}, n
	}
}

// weekend is the last weekend up to publication, or the next one.
func (d *dateScanner) weekend(future bool) dateRange {
	pub := d.pub
	back := (int(pub.Weekday()) - int(time.Saturday) + 7) % 7
	sat := pub.AddDate(0, 0, -back)
	if future && sat.Before(pub.AddDate(0, 0, -1)) {
		sat = sat.AddDate(0, 0, 7)
	}
	sun := sat.AddDate(0, 0, 1)
	if !future && sun.After(pub) {
		sun = pub
	}
	return spanRange(sat, sun, geo.TimeWeek)
}

// monday returns the Monday of t's week.
func monday(t time.Time) time.Time {
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
}

// relative parses "last week", "this month", "earlier this year", "next
// week", "the past week".
func (d *dateScanner) relative(i, last int, future bool) (dateExpr, int) {
	pub := d.pub
	w, n1, n2 := d.word(i, last), d.word(i+1, last), d.word(i+2, last)
	n := 2
	if w == "earlier" {
		if n1 != "this" {
			return dateExpr{}, 0
		}
		w, n1, n2, n = "this", n2, "", 3
	}
	if w == "past" || w == "previous" {
		switch n1 {
		case "week":
			return dateExpr{r: spanRange(pub.AddDate(0, 0, -7), pub, geo.TimeWeek)}, 2
		case "month":
			return dateExpr{r: spanRange(pub.AddDate(0, -1, 0), pub, geo.TimeMonth)}, 2
		case "few":
			if n2 == "days" {
				return dateExpr{r: spanRange(pub.AddDate(0, 0, -7), pub, geo.TimeWeek)}, 3
			}
		}
		return dateExpr{}, 0
	}
	switch n1 {
	case "week":
		mon := monday(pub)
		switch w {
		case "last":
			return dateExpr{r: spanRange(mon.AddDate(0, 0, -7), mon.AddDate(0, 0, -1), geo.TimeWeek)}, n
		case "this":
			if future {
				return dateExpr{r: spanRange(pub, mon.AddDate(0, 0, 6), geo.TimeWeek)}, n
			}
			return dateExpr{r: spanRange(mon, pub, geo.TimeWeek)}, n
		case "next":
			return dateExpr{r: spanRange(mon.AddDate(0, 0, 7), mon.AddDate(0, 0, 13), geo.TimeWeek)}, n
		}
	case "weekend":
		switch w {
		case "last":
			return dateExpr{r: d.weekend(false)}, n
		case "this", "next":
			return dateExpr{r: d.weekend(future || w == "next")}, n
		}
	case "month":
		switch w {
		case "last":
			p := time.Date(pub.Year(), pub.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
			return dateExpr{r: monthRange(p.Year(), p.Month(), pub)}, n
		case "this":
			r := monthRange(pub.Year(), pub.Month(), pub)
			if future {
				r = spanRange(pub, time.Date(pub.Year(), pub.Month()+1, 0, 0, 0, 0, 0, time.UTC), geo.TimeMonth)
			}
			return dateExpr{r: r}, n
		case "next":
			p := time.Date(pub.Year(), pub.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
			return dateExpr{r: monthRange(p.Year(), p.Month(), time.Time{})}, n
		}
	case "year":
		switch w {
		case "last":
			a := time.Date(pub.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
			return dateExpr{r: spanRange(a, a.AddDate(1, 0, -1), geo.TimeMonth)}, n
		case "this":
			a := time.Date(pub.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
			return dateExpr{r: spanRange(a, pub, geo.TimeMonth)}, n
		case "next":
			a := time.Date(pub.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
			return dateExpr{r: spanRange(a, a.AddDate(1, 0, -1), geo.TimeMonth)}, n
		}
	case "night":
		if w == "last" {
			return dateExpr{r: dayRange(pub.AddDate(0, 0, -1), geo.TimeDay)}, n
		}
	}
	if w == "last" || w == "next" || w == "this" {
		if m, ok := d.month(i+1, last); ok {
			y := pub.Year()
			switch {
			case w == "last" && time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).After(monday(pub).AddDate(0, 0, -1)):
				y--
			case w == "next" && m <= pub.Month():
				y++
			}
			return dateExpr{r: monthRange(y, m, pub)}, 2
		}
	}
	return dateExpr{}, 0
}

// numberValue reads a numeral or a number word ("16", "1,000", "three",
// "twenty-five").
func numberValue(t tok) (int, bool) {
	if t.kind == tNumber {
		s := strings.ReplaceAll(t.text, ",", "")
		if strings.Contains(s, ".") {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		if err != nil || n > 10_000_000 {
			return 0, false
		}
		return n, true
	}
	if t.kind != tWord {
		return 0, false
	}
	if n, ok := numberWords[t.low]; ok {
		return n, true
	}
	if a, b, ok := strings.Cut(t.low, "-"); ok {
		x, ok1 := numberWords[a]
		y, ok2 := numberWords[b]
		if ok1 && ok2 && x >= 20 && x%10 == 0 && y < 10 {
			return x + y, true
		}
	}
	return 0, false
}
