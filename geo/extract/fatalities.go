package extract

import (
	"strings"

	"conflictmap/geo"
)

// killCount is a number of dead read from a sentence.
type killCount struct {
	at int // token index of the number
	n  int
}

var (
	killWords  = cues.set("kill-words")
	deathWords = cues.set("death-words")
	// quantifiers that may stand between a kill word and its number.
	quantifiers = cues.set("quantifiers")
	// personNouns may follow "a"/"an"/"one" counted as a single death:
	// "killing a man", "killed one soldier".
	personNouns = cues.set("person-nouns")
	vagueCounts = cues.set("vague-counts")
	injuryWords = cues.set("injury-words")
)

// killCounts finds the numbers of dead in tokens [first, last): "killing
// at least 16 people", "killed three US soldiers", "the deaths of three
// American soldiers", "at least 18 people were killed", "11 dead", "the
// death toll rose to 40". A number of wounded is not a number of dead;
// vague words ("several", "dozens") give no number.
func killCounts(toks []tok, first, last int) []killCount {
	var out []killCount
	word := func(i int) string {
		if i >= first && i < last {
			return toks[i].low
		}
		return ""
	}
	for i := first; i < last; i++ {
		w := word(i)
		if killWords[w] || ((w == "deaths" || w == "death" || w == "martyrdom") && word(i+1) == "of") ||
			(w == "dead" && (word(i-1) == "shot" || word(i-1) == "stabbed" || word(i-1) == "beaten")) {
			j := i + 1
			for k := 0; k < 5 && quantifiers[word(j)]; k++ {
				j++
			}
			if n, ok := countAt(toks, j, last); ok {
				out = append(out, killCount{at: j, n: n})
				continue
			}
		}
		if w == "toll" {
			for j := i + 1; j < last && j < i+6; j++ {
				if n, ok := numberValue(toks[j]); ok && toks[j].kind == tNumber {
					out = append(out, killCount{at: j, n: n})
					break
				}
			}
			continue
		}
		if !deathWords[w] || i == first {
			continue
		}
		// "<number> [people] (were|have been)? killed", "11 dead".
		for j, seen := i-1, 0; j >= first && seen < 5; j-- {
			t := toks[j]
			if t.kind == tPunct {
				break
			}
			if injuryWords[t.low] || t.low == "or" || (t.low == "and" && seen > 0 && !isNumberTok(toks[j+1])) {
				break
			}
			if (t.low == "a" || t.low == "an") && j+1 < i && (personNouns[word(j+1)] || personNouns[word(j+2)]) &&
				word(j-1) != "and" && word(j-1) != "," {
				// "A soldier was also killed", "a young man died": one.
				out = append(out, killCount{at: j, n: 1})
				break
			}
			if n, ok := numberValue(t); ok && t.low != "a" && t.low != "an" {
				if word(j+1) == "of" || isTimeUnit(word(j+1)) {
					break // "one of the dead"; "two days"
				}
				// "10 people including four soldiers were killed": the
				// whole, not the part.
				for b := j - 1; b >= first && b > j-4; b-- {
					if word(b) == "including" || word(b) == "among" {
						for c := b - 1; c >= first && c > b-4; c-- {
							if m, ok := numberValue(toks[c]); ok && toks[c].low != "a" && toks[c].low != "an" {
								j, n = c, m
								break
							}
						}
						break
					}
				}
				out = append(out, killCount{at: j, n: n})
				break
			}
			seen++
		}
	}
	return out
}

// countAt reads the number at token j that a kill word governs: a numeral,
// a number word, or "a"/"one" before a singular person noun.
func countAt(toks []tok, j, last int) (int, bool) {
	if j >= last || vagueCounts[toks[j].low] {
		return 0, false
	}
	n, ok := numberValue(toks[j])
	if !ok {
		return 0, false
	}
	if isTimeUnit(nextWord(toks, j, last)) {
		return 0, false // "killed two years ago"
	}
	if toks[j].low == "a" || toks[j].low == "an" || toks[j].low == "one" {
		// "a man", "one soldier"; "a number of" and "an attack" are not counts.
		for k := j + 1; k < last && k < j+4; k++ {
			if personNouns[toks[k].low] {
				return 1, true
			}
			if toks[k].kind != tWord || toks[k].low == "of" {
				break
			}
		}
		if toks[j].low == "one" {
			return 1, true
		}
		return 0, false
	}
	// "killing two and wounding 27": the number is the dead's.
	return n, true
}

func isNumberTok(t tok) bool {
	_, ok := numberValue(t)
	return ok
}

func nextWord(toks []tok, j, last int) string {
	if j+1 < last {
		return toks[j+1].low
	}
	return ""
}

func isTimeUnit(w string) bool {
	switch w {
	case "day", "days", "week", "weeks", "month", "months", "year", "years", "hours", "hour", "minutes", "decades":
		return true
	}
	return false
}

// tallyWords mark a count of dead as a running or overall toll, not the
// toll of one event told just before: "the war has killed 30,000", "since
// October", "in total".
var tallyWords = cues.set("tally-words")

// carryKills gives the dead counted by a sentence that names no event of
// its own to the event told in the sentence just before it, when that
// event has no count yet: "... shelled a market in Taiz. Four civilians
// were killed." A sentence about a running toll, dated on its own, or
// or about another day, is left alone; so is an event already counted.
func (r *reader) carryKills(s sentence, prev []candidate) {
	if len(prev) == 0 || !r.closed(prev[0].sent) {
		return
	}
	kills := killCounts(r.toks, s.first, s.last)
	if len(kills) == 0 {
		return
	}
	for k := s.first; k < s.last; k++ {
		if tallyWords[r.toks[k].low] {
			return
		}
	}
	n := 0
	for _, k := range kills {
		n = max(n, k.n)
	}
	// The last violent event of the sentence before, at each of its places.
	var o *occ
	for i := len(prev) - 1; i >= 0; i-- {
		if typeRank(prev[i].o.typ) == 0 && prev[i].o.modality == geo.Occurred {
			o = prev[i].o
			break
		}
	}
	if o == nil || o.fatalities != nil || r.on("link-history-scene") && r.background(o) {
		return
	}
	// "The death toll rose to 16 on Monday": a toll is counted after the
	// day of its event.
	toll := false
	for k := s.first; k < s.last; k++ {
		toll = toll || r.toks[k].low == "toll"
	}
	for _, e := range r.dates.scan(s.first, s.last) {
		if toll && o.date.kind == dText && !e.r.start.Before(o.date.start) {
			continue
		}
		if !e.reporting && (o.date.kind != dText || e.r.start.After(o.date.end) || e.r.end.Before(o.date.start)) {
			return // another day's dead
		}
	}
	o.fatalities = &n
}

// closed reports whether sentence i ends as a sentence does; a headline
// or a live blog's time-stamped entry title does not, and the text under
// it starts a new story rather than going on with it.
func (r *reader) closed(i int) bool {
	q := strings.TrimRight(r.text[r.sents[i].start:r.sents[i].end], " \t\r\n")
	if q == "" {
		return false
	}
	switch q[len(q)-1] {
	case '.', '!', '?', '"', '\'', ')':
		return true
	}
	return strings.HasSuffix(q, "”") || strings.HasSuffix(q, "’")
}
