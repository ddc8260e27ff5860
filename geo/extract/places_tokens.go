package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Separators between two tokens, weakest first: a phrase may run across a
// space or a hyphen, never across a comma or sentence punctuation.
const (
	plSepSpace  = iota // spaces only
	plSepHyphen        // a hyphen ("Bab el-Mandeb", "Tehran-linked")
	plSepComma         // a comma ("Tripoli, Lebanon")
	plSepHard          // any other punctuation, a line break, or the start of the text
)

// plMaxWordBytes bounds a word: a longer run of letters is junk (a hash, a
// base64 blob) and is never a candidate, which keeps work per token bounded.
const plMaxWordBytes = 64

// plToken is one word of the text.
type plToken struct {
	start, end int    // byte offsets of the word, possessive excluded
	text       string // the word as written, possessive excluded
	sep        int    // separator before the word
	capital    bool   // starts with an upper-case letter
	possessive bool   // was followed by 's or ’s
}

// plSoftDot are abbreviations whose period does not end a phrase or a
// name ("St. Petersburg", "Gen. Kenneth F. McKenzie Jr.").
var plSoftDot = map[string]bool{
	"St": true, "Ste": true, "Mt": true, "Ft": true, "Gen": true, "Maj": true, "Col": true,
	"Lt": true, "Sgt": true, "Adm": true, "Capt": true, "Brig": true, "Cpl": true, "Pvt": true,
	"Mr": true, "Mrs": true, "Ms": true, "Dr": true, "Prof": true, "Sen": true, "Rep": true,
	"Gov": true, "Jr": true, "Sr": true, "Rev": true, "Pres": true,
}

// plArticles are the lower-case forms of the Arabic article that a
// transliterated name keeps ("el-Fasher", "ad-Dawr", "as-Suwayda").
var plArticles = set("al", "el", "ad", "ag", "ar", "as", "ash", "at", "az", "an", "ed", "en", "er", "es", "et", "ez")

// plTokenize splits text into words. It never fails: invalid UTF-8 and
// control bytes are separators, and over-long words are dropped.
func plTokenize(text string) []plToken {
	// About one word per six bytes of English: growing the slice word by
	// word cost more than the words themselves.
	toks := make([]plToken, 0, len(text)/6+1)
	sep := plSepHard
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !plWordRune(r) {
			sep = max(sep, plSeparator(r))
			i += size
			continue
		}
		start := i
		end := i
		for j := i; j < len(text); {
			r, size := utf8.DecodeRuneInString(text[j:])
			switch {
			case plWordRune(r):
				j += size
				end = j
				continue
			case plApostrophe(r) || r == '.':
				// Inside a word only when a letter follows: "Sana'a", "U.S".
				if n, _ := utf8.DecodeRuneInString(text[j+size:]); j+size < len(text) && plWordRune(n) {
					if r == '.' && !plInitialism(text[start:j]) {
						break
					}
					j += size
					continue
				}
			}
			break
		}
		i = end
		tok := plToken{start: start, end: end, sep: sep}
		word := text[start:end]
		// "U.S." keeps its last period; a possessive "'s" is cut off.
		if end < len(text) && text[end] == '.' && plInitialism(word) && strings.Contains(word, ".") {
			tok.end++
			i++
			word = text[start:tok.end]
		}
		if cut, ok := plCutPossessive(word); ok {
			word = cut
			tok.end = start + len(cut)
			tok.possessive = true
		}
		tok.text = word
		first, _ := utf8.DecodeRuneInString(word)
		tok.capital = unicode.IsUpper(first) || unicode.IsTitle(first) || plElided(word)
		sep = plSepSpace
		if len(word) > plMaxWordBytes {
			tok.capital = false
			sep = plSepHard
		}
		// "el-Fasher", "al-Fashir": a lower-case Arabic article joined to a
		// capitalised name is part of the name.
		if n := len(toks); n > 0 && tok.capital && tok.sep == plSepHyphen && !toks[n-1].capital && plArticles[toks[n-1].text] {
			toks[n-1].capital = true
		}
		toks = append(toks, tok)
		// The period after an initial or a title does not end the phrase.
		if i < len(text) && text[i] == '.' && (plSoftDot[word] || plSingleCapital(word)) {
			i++
		}
	}
	return toks
}

// plCutPossessive removes a trailing 's or ’s.
func plCutPossessive(w string) (string, bool) {
	for _, suf := range []string{"'s", "’s", "'S", "’S"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf) {
			return w[:len(w)-len(suf)], true
		}
	}
	return w, false
}

func plWordRune(r rune) bool {
	// No combining mark comes before U+0300 (see scanWord).
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r >= '\u0300' && unicode.Is(unicode.Mn, r)) && !plApostrophe(r)
}

func plApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', 'ʻ', 'ʿ', 'ʾ', '`':
		return true
	}
	return false
}

// plSeparator classifies one non-word rune.
func plSeparator(r rune) int {
	switch {
	case r == ' ' || r == '\t' || r == '\u00a0':
		return plSepSpace
	case r == '-' || r == '\u2010' || r == '\u2011':
		return plSepHyphen
	case r == ',':
		return plSepComma
	}
	return plSepHard
}

// plInitialism reports a run of single capitals each followed by a period,
// as in "U.S" or "U.K".
func plInitialism(w string) bool {
	if w == "" {
		return false
	}
	for i, r := range w {
		if i%2 == 0 && !(r >= 'A' && r <= 'Z') {
			return false
		}
		if i%2 == 1 && r != '.' {
			return false
		}
	}
	return true
}

func plSingleCapital(w string) bool {
	return len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z'
}

// plElided reports a French name after an elided article or preposition,
// "l'Artibonite" or "d'Ivoire": the name's capital is its own, so the word
// goes on a run of capitalised words ("Petite-Rivière-de-l'Artibonite").
func plElided(w string) bool {
	if len(w) < 3 || (w[0] != 'l' && w[0] != 'd') {
		return false
	}
	r, size := utf8.DecodeRuneInString(w[1:])
	if !plApostrophe(r) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(w[1+size:])
	return unicode.IsUpper(next)
}
