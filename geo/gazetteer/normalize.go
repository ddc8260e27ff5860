package gazetteer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the lookup key of a place name: lower case, without
// diacritics, apostrophes dropped and every other run of punctuation or
// space turned into one space. News copy spells the same place "Sana'a",
// "Sanaa" and "Ṣanʿāʾ"; all three have the key "sanaa". Two spelling
// habits of transliterated Arabic are folded as well, because the dumps and
// the press rarely agree on them: the article before a word ("el-", "ad-",
// "ash-", ...) becomes "al", and a final "h" after a vowel is dropped
// ("Deir el-Balah" and "Deir al-Balah" both give "deir al bala").
func Normalize(name string) string {
	return foldWords(clean(name))
}

// clean lower-cases name, strips diacritics and apostrophes and turns other
// punctuation into single spaces.
func clean(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	space := false // a separator is pending
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == '\'' || c == '`':
				continue
			default:
				space = true
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		i += size
		if r == utf8.RuneError || isApostrophe(r) || unicode.Is(unicode.Mn, r) {
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		foldRune(&b, r)
	}
	return b.String()
}

// isApostrophe reports the marks that transliterations of Arabic, Hebrew
// and Ukrainian put inside a word (ayn, hamza, soft sign); readers drop them.
func isApostrophe(r rune) bool {
	switch r {
	case '\u2018', '\u2019', '\u02b9', '\u02bb', '\u02bc', '\u02bd', '\u02be', '\u02bf', '\u00b4', '\u2032':
		return true
	}
	return false
}

// foldRune writes r lower-cased and stripped of its diacritics. Letters that
// Unicode does not decompose (ø, ł, ß, ı, ...) get their usual English spelling.
func foldRune(b *strings.Builder, r rune) {
	r = unicode.ToLower(r)
	switch r {
	case 'ß':
		b.WriteString("ss")
		return
	case 'æ':
		b.WriteString("ae")
		return
	case 'œ':
		b.WriteString("oe")
		return
	case 'þ':
		b.WriteString("th")
		return
	case 'ø':
		r = 'o'
	case 'ł':
		r = 'l'
	case 'đ', 'ð':
		r = 'd'
	case 'ı':
		r = 'i'
	case 'ħ':
		r = 'h'
	case 'ŧ':
		r = 't'
	case 'ŋ':
		r = 'n'
	}
	if r < utf8.RuneSelf {
		b.WriteRune(r)
		return
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, d := range norm.NFD.String(string(buf[:n])) {
		if !unicode.Is(unicode.Mn, d) {
			b.WriteRune(d)
		}
	}
}

// arabicArticles are the spellings of the Arabic article, assimilated or not,
// that transliterations write as a separate word before a name.
var arabicArticles = map[string]bool{
	"el": true, "ad": true, "adh": true, "ag": true, "an": true, "ar": true, "as": true,
	"ash": true, "at": true, "ath": true, "az": true, "ed": true, "en": true, "er": true,
	"es": true, "et": true, "ez": true,
}

// foldWords applies the per-word spelling folds of Normalize to a cleaned key.
func foldWords(s string) string {
	if !strings.ContainsRune(s, ' ') && !endsVowelH(s) {
		return s
	}
	words := strings.Split(s, " ")
	for i, w := range words {
		if i < len(words)-1 && arabicArticles[w] {
			words[i] = "al"
			continue
		}
		if endsVowelH(w) {
			words[i] = w[:len(w)-1]
		}
	}
	return strings.Join(words, " ")
}

// endsVowelH reports a word of four letters or more that ends in a vowel and "h".
func endsVowelH(w string) bool {
	n := len(w)
	if n < 4 || w[n-1] != 'h' {
		return false
	}
	switch w[n-2] {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}
