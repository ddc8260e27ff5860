package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind says what a token is made of.
type tokKind uint8

const (
	tWord   tokKind = iota // letters, possibly joined by hyphens or apostrophes
	tNumber                // digits, possibly with separators: 16, 1,000, 2.5
	tPunct                 // one punctuation rune
)

// tok is one token of the article text, with its byte offsets.
type tok struct {
	start, end int
	text       string // as written
	low        string // lower case, curly apostrophes straightened
	kind       tokKind
	cap        bool  // starts with an upper-case letter
	nl         uint8 // line breaks before it: 0, 1, or 2 for a blank line or more
}

// scanTokens splits text into words, numbers and punctuation. A word keeps
// internal hyphens ("cease-fire", "al-Shabaab"), apostrophes between
// letters ("Sana'a") and the periods of initialisms ("U.S."); a possessive
// "'s" is a token of its own.
func scanTokens(text string) []tok {
	toks := make([]tok, 0, len(text)/5)
	nl := uint8(2)
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			if nl < 2 {
				nl++
			}
			i += size
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError:
			i += size
			continue
		}
		start := i
		kind := tPunct
		switch {
		case r >= '0' && r <= '9':
			kind = tNumber
			i = scanNumber(text, i)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			kind = tWord
			i = scanWord(text, i)
		case (r == '\'' || r == '\u2019') && i+size < len(text) && isPossessiveS(text, i+size, rune(text[i+size]), 1):
			// A possessive "'s" is one token: "Iran's", "Israel’s".
			kind = tWord
			i += size + 1
		default:
			i += size
		}
		if i <= start {
			i = start + size // every token moves on by at least one rune
		}
		if kind == tWord && i-start > 200 {
			kind = tPunct // a run of letters this long is junk, not a word
		}
		w := text[start:i]
		low := lower(w)
		if kind == tWord && (low == "'s" || low == "\u2019s") {
			low = "'s"
		}
		toks = append(toks, tok{start: start, end: i, text: w, low: low, kind: kind, cap: unicode.IsUpper(r), nl: nl})
		nl = 0
	}
	return toks
}

// scanWord returns the end of the word starting at i.
func scanWord(text string, i int) int {
	if j := scanInitialism(text, i); j > 0 {
		return j
	}
	start := i
	for i < len(text) && i-start <= 200 {
		r, size := utf8.DecodeRuneInString(text[i:])
		// No combining mark comes before U+0300: the check of the mark
		// table is left out for the spaces and punctuation ending most words.
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r >= '\u0300' && unicode.Is(unicode.Mn, r) {
			i += size
			continue
		}
		next, nsize := utf8.DecodeRuneInString(text[i+size:])
		switch r {
		case '-', '\u2010', '\u2011':
			if unicode.IsLetter(next) || unicode.IsDigit(next) {
				i += size
				continue
			}
		case '\'', '\u2019':
			// "Sana'a", "N'Djamena" keep their apostrophe; "Iran's" splits.
			if unicode.IsLetter(next) && !isPossessiveS(text, i+size, next, nsize) {
				i += size
				continue
			}
		}
		return i
	}
	return i
}

// scanInitialism returns the end of an initialism starting at i ("U.S.",
// "U.N.", "a.m."; the final period included), or 0 if there is none.
func scanInitialism(text string, i int) int {
	n := 0
	for {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) || i+size >= len(text) || text[i+size] != '.' {
			break
		}
		i += size + 1
		n++
		if i >= len(text) {
			break
		}
	}
	if n < 2 {
		return 0
	}
	if r, _ := utf8.DecodeRuneInString(text[i:]); unicode.IsLetter(r) {
		return 0
	}
	return i
}

// isPossessiveS reports whether the apostrophe before position j starts a
// possessive or contracted "s" ("Iran's", "it's").
func isPossessiveS(text string, j int, next rune, nsize int) bool {
	if next != 's' && next != 'S' {
		return false
	}
	if j+nsize >= len(text) {
		return true
	}
	after, _ := utf8.DecodeRuneInString(text[j+nsize:])
	return !unicode.IsLetter(after)
}

// scanNumber returns the end of the number starting at i: digits with
// thousands separators or one decimal point.
func scanNumber(text string, i int) int {
	for i < len(text) {
		c := text[i]
		if c >= '0' && c <= '9' {
			i++
			continue
		}
		if (c == ',' || c == '.') && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9' {
			i++
			continue
		}
		break
	}
	return i
}

// lower folds case and straightens curly apostrophes and dashes inside
// words so that lexicon lookups see one spelling.
func lower(w string) string {
	if isASCIILower(w) {
		return w
	}
	w = strings.ToLower(w)
	if strings.ContainsAny(w, "\u2019\u2010\u2011") {
		w = typographic.Replace(w)
	}
	return w
}

// typographic straightens curly apostrophes and non-ASCII hyphens. A
// Replacer is safe for concurrent use and costly to build, so it is built
// once.
var typographic = strings.NewReplacer("\u2019", "'", "\u2010", "-", "\u2011", "-")

func isASCIILower(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 0x80 || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
