package extract

import (
	"strings"
	"unicode/utf8"
)

// maxQuoteRunes is where a run-on "sentence" is cut: a quote must stay one
// sentence and well under the 600 characters after which it cites nothing.
const maxQuoteRunes = 480

// sentence is a span of tokens read as one sentence.
type sentence struct {
	first, last int // token range [first, last)
	start, end  int // byte range in the text
	index       int
}

// span is a byte range of the text.
type span struct{ start, end int }

// Abbreviations, by how they end a sentence. Titles come before a name and
// never end one; months end one unless a day number follows; the others end
// one only when the next word usually starts a sentence.
var (
	abbrevTitle = set("mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "cpl", "pvt",
		"adm", "cmdr", "cmdt", "brig", "gov", "sen", "rep", "rev", "hon", "pres", "supt", "insp", "st", "mt", "ft",
		"no", "nos", "vs", "approx", "dept", "gens", "govs", "lieut", "atty", "amb", "messrs")
	abbrevMonth    = set("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
	abbrevSometime = set("jr", "sr", "inc", "ltd", "co", "corp", "etc", "bros", "plc", "al")
	// sentenceStarters are words after which an ambiguous period (an
	// initialism such as "U.S.", "Jr.") is read as the end of a sentence.
	sentenceStarters = set("the", "a", "an", "in", "on", "at", "but", "and", "he", "she", "it", "they", "we", "i",
		"you", "this", "that", "these", "those", "there", "his", "her", "its", "their", "our", "after", "before",
		"when", "while", "as", "since", "some", "many", "most", "both", "however", "meanwhile", "also", "if", "for",
		"with", "by", "from", "during", "earlier", "later", "last", "no", "what", "who", "why", "how", "so", "yet",
		"one", "two", "three", "officials", "police", "residents", "witnesses", "until", "despite", "although",
		"separately", "elsewhere", "still", "such", "more", "several", "each", "all", "any", "then", "now")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// closers may follow a sentence's final punctuation and still belong to it.
func isCloser(t tok) bool {
	switch t.text {
	case "\"", "\u201d", "\u2019", "'", ")", "]", "\u00bb":
		return true
	}
	return false
}

func isTerminal(t tok) bool {
	switch t.text {
	case ".", "!", "?", "\u2026":
		return true
	}
	return false
}

func isDash(t tok) bool {
	switch t.text {
	case "-", "\u2013", "\u2014", "\u2012", "\u2015":
		return true
	}
	return false
}

// splitSentences cuts the text into sentences: at terminal punctuation
// followed by a word that can start a sentence, and at paragraph breaks.
// A period after an abbreviation, an initial ("Kenneth F. McKenzie") or
// before a lower-case word ("the current war. in Gaza") does not end a
// sentence. A dateline ("KYIV, Ukraine (AP) —") is left out of the first
// sentence of its paragraph and returned apart, so that its place is never
// read as the place of an event.
func splitSentences(text string, toks []tok) ([]sentence, []span) {
	var sents []sentence
	var datelines []span
	wrapped := isHardWrapped(text)
	begin := 0
	emit := func(first, last int) {
		for first < last && (isDash(toks[first]) || toks[first].text == ",") {
			first++
		}
		if first >= last {
			return
		}
		for _, s := range cutLong(text, toks, first, last) {
			s.index = len(sents)
			sents = append(sents, s)
		}
	}
	paraStart := true
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i > begin && (t.nl >= 2 || (t.nl == 1 && !wrapped)) {
			emit(begin, i)
			begin = i
			paraStart = true
		}
		if paraStart {
			paraStart = false
			if j := datelineEnd(toks, i); j > i {
				datelines = append(datelines, span{toks[i].start, toks[j-1].end})
				begin = j
				i = j - 1
				continue
			}
		}
		end := isTerminal(t) || (t.kind == tWord && strings.HasSuffix(t.text, "."))
		if !end {
			continue
		}
		j := i + 1
		for j < len(toks) && isCloser(toks[j]) && toks[j].nl == 0 {
			j++
		}
		if j < len(toks) && toks[j].nl == 0 && !endsSentence(toks, i, j) {
			continue
		}
		emit(begin, j)
		begin = j
		i = j - 1
	}
	emit(begin, len(toks))
	return sents, datelines
}

// endsSentence decides whether the terminal token at i, followed (after
// closing quotes) by the token at j, ends a sentence.
func endsSentence(toks []tok, i, j int) bool {
	next := toks[j]
	if next.kind == tWord && !next.cap {
		return false // "the current war. in Gaza", "?" he asked
	}
	if next.kind == tPunct && (next.text == "," || next.text == ";" || next.text == ":") {
		return false
	}
	t := toks[i]
	if t.text != "." && t.kind != tWord {
		return true // ! ? …
	}
	// The word the period belongs to.
	var w tok
	if t.kind == tWord {
		w = t // an initialism that took its period: "U.S."
	} else if i > 0 && toks[i-1].end == t.start && toks[i-1].kind == tWord {
		w = toks[i-1]
	} else {
		return true
	}
	word := strings.TrimSuffix(w.low, ".")
	switch {
	case abbrevTitle[word]:
		return false
	case abbrevMonth[word]:
		return next.kind != tNumber
	case utf8.RuneCountInString(word) == 1 && w.cap:
		// An initial within a name: "Kenneth F. McKenzie", "George W. Bush".
		if i >= 2 && toks[i-2].cap && toks[i-2].kind == tWord {
			return false
		}
		return sentenceStarters[next.low] || !next.cap
	case abbrevSometime[word] || strings.Contains(word, "."):
		return sentenceStarters[next.low] || isOpenQuote(next)
	}
	return true
}

func isOpenQuote(t tok) bool {
	switch t.text {
	case "\"", "\u201c", "\u2018", "'", "(", "\u00ab":
		return true
	}
	return false
}

// isHardWrapped reports whether the text's lines are wrapped at a fixed
// width, so that a single line break is a space and only a blank line
// separates paragraphs.
func isHardWrapped(text string) bool {
	lines, open, longest := 0, 0, 0
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		lines++
		if n := utf8.RuneCountInString(l); n > longest {
			longest = n
		}
		last, _ := utf8.DecodeLastRuneInString(l)
		if !strings.ContainsRune(".!?\"\u201d'\u2019:)", last) {
			open++
		}
	}
	return lines >= 4 && longest <= 100 && open*10 > lines*3
}

// datelineEnd returns the index of the first token after a dateline that
// starts at token i ("KYIV, Ukraine (AP) —", "BEIRUT (Reuters) -",
// "WASHINGTON —", "GOMA, Congo, Feb. 14 (Reuters) -"), or i when there is
// none. A dateline opens with a place in capitals or carries an agency in
// brackets, and ends with a dash.
func datelineEnd(toks []tok, i int) int {
	j := i
	caps := 0
	for j < len(toks) && caps < 5 && toks[j].kind == tWord && isAllCaps(toks[j].text) {
		caps++
		j++
		if j+1 < len(toks) && toks[j].text == "/" && isAllCaps(toks[j+1].text) {
			j++
		}
	}
	agency := false
	for j < len(toks) && j-i < 16 {
		t := toks[j]
		switch {
		case isDash(t):
			if j == i || (caps == 0 && !agency) {
				return i
			}
			return j + 1
		case t.text == "(":
			e := j + 1
			for e < len(toks) && e-j < 5 && toks[e].text != ")" {
				e++
			}
			if e >= len(toks) || toks[e].text != ")" {
				return i
			}
			agency = true
			j = e + 1
			continue
		case t.text == "," || t.text == "." || t.kind == tNumber || (t.kind == tWord && t.cap):
		default:
			return i
		}
		j++
	}
	return i
}

// isAllCaps reports whether w has at least two letters, all upper case.
func isAllCaps(w string) bool {
	n := 0
	for _, r := range w {
		if r >= 'a' && r <= 'z' {
			return false
		}
		if r >= 'A' && r <= 'Z' {
			n++
		} else if r > 0x7f && strings.ToUpper(string(r)) != string(r) {
			return false
		}
	}
	return n >= 2
}

// cutLong returns the sentence over tokens [first, last), cut into pieces
// at clause boundaries when it is longer than a quote may be.
func cutLong(text string, toks []tok, first, last int) []sentence {
	whole := sentence{first: first, last: last, start: toks[first].start, end: toks[last-1].end}
	if whole.end-whole.start <= maxQuoteRunes || utf8.RuneCountInString(text[whole.start:whole.end]) <= maxQuoteRunes {
		return []sentence{whole}
	}
	var out []sentence
	begin := first
	runes := 0
	cut := -1 // best token to cut after
	for k := first; k < last; k++ {
		prevEnd := toks[begin].start
		if k > begin {
			prevEnd = toks[k-1].end
		}
		runes += utf8.RuneCountInString(text[prevEnd:toks[k].end])
		if k > begin && runes > maxQuoteRunes {
			at := k // cut before k
			if cut >= begin && cut < k {
				at = cut + 1
			}
			out = append(out, sentence{first: begin, last: at, start: toks[begin].start, end: toks[at-1].end})
			begin = at
			cut = -1
			runes = utf8.RuneCountInString(text[toks[begin].start:toks[k].end])
			continue
		}
		switch toks[k].text {
		case ";", ":", ",", "\u2014", "\u2013":
			if runes > maxQuoteRunes/3 {
				cut = k
			}
		}
	}
	if begin < last {
		out = append(out, sentence{first: begin, last: last, start: toks[begin].start, end: toks[last-1].end})
	}
	return out
}
