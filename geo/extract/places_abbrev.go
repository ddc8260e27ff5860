package extract

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"conflictmap/geo"
)

//go:embed data/admin1_abbreviations.tsv
var admin1AbbrevTable string

// admin1NamesTable holds other names of first-level regions ("Middle
// Shabelle", "Nord-Kivu"), read like the abbreviations.
//
//go:embed data/admin1_names.tsv
var admin1NamesTable string

// mergeAdmin1Abbrevs joins two tables, longest written form first.
func mergeAdmin1Abbrevs(a, b []admin1Abbrev) []admin1Abbrev {
	out := append(append([]admin1Abbrev(nil), a...), b...)
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].abbrev) > len(out[j].abbrev) })
	return out
}

// admin1Abbrev is one row of data/admin1_abbreviations.tsv.
type admin1Abbrev struct {
	abbrev, cc, name string
}

// parseAdmin1Abbrevs reads the table: abbreviation, country code, region
// name, tab-separated; "#" comments and blank lines.
func parseAdmin1Abbrevs(table string) ([]admin1Abbrev, error) {
	var out []admin1Abbrev
	seen := map[string]bool{}
	for n, line := range strings.Split(table, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] == "" || len(f[1]) != 2 || f[2] == "" {
			return nil, fmt.Errorf("admin1 abbreviations line %d: want abbreviation, country code, region: %q", n+1, line)
		}
		if r, _ := utf8.DecodeRuneInString(f[0]); !unicode.IsUpper(r) {
			return nil, fmt.Errorf("admin1 abbreviations line %d: %q does not start with a capital", n+1, f[0])
		}
		if seen[f[0]] {
			return nil, fmt.Errorf("admin1 abbreviations line %d: %q given twice", n+1, f[0])
		}
		seen[f[0]] = true
		out = append(out, admin1Abbrev{abbrev: f[0], cc: f[1], name: f[2]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("admin1 abbreviations: no rows")
	}
	// Longest first, so that "W.Va." is tried before "W." could be.
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].abbrev) > len(out[j].abbrev) })
	return out, nil
}

// abbrevPlace is an abbreviation and the region the gazetteer holds for it.
type abbrevPlace struct {
	abbrev string
	place  geo.Place
}

// resolveAbbrevs finds each abbreviation's region in the gazetteer, by
// first byte of the abbreviation. The rows whose region the gazetteer does
// not hold are left out and named in the error.
func resolveAbbrevs(gaz Gazetteer, rows []admin1Abbrev) (map[byte][]abbrevPlace, error) {
	out := map[byte][]abbrevPlace{}
	var missing []string
	for _, a := range rows {
		var found *geo.Place
		for _, p := range gaz.Lookup(a.name) {
			if p.FeatureCode == "ADM1" && p.CountryCode == a.cc && p.Admin1 == a.name {
				found = &p
				break
			}
		}
		if found == nil {
			missing = append(missing, fmt.Sprintf("%s (%s, %s)", a.abbrev, a.name, a.cc))
			continue
		}
		out[a.abbrev[0]] = append(out[a.abbrev[0]], abbrevPlace{abbrev: a.abbrev, place: *found})
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("admin1 abbreviations whose region the gazetteer does not hold: %s", strings.Join(missing, "; "))
	}
	return out, nil
}

// abbrevAt reads a region's abbreviation written at token i ("Ill.",
// "W.Va.", "NSW") and returns the tokens it covers, its end in the text
// and its region. The abbreviation must end the word: "Vic." is Victoria,
// "Vicky" is not.
func (r *plResolver) abbrevAt(i int) (n, end int, p geo.Place, ok bool) {
	if r.abbrevs == nil {
		return 0, 0, geo.Place{}, false
	}
	start := r.toks[i].start
	rest := r.text[start:]
	for _, a := range r.abbrevs[rest[0]] {
		if !strings.HasPrefix(rest, a.abbrev) {
			continue
		}
		e := start + len(a.abbrev)
		if next, _ := utf8.DecodeRuneInString(r.text[e:]); e < len(r.text) && (unicode.IsLetter(next) || unicode.IsDigit(next)) {
			continue
		}
		j := i
		for j < len(r.toks) && r.toks[j].end <= e {
			j++
		}
		if j == i || r.toks[j-1].end < e-1 {
			continue
		}
		return j - i, e, a.place, true
	}
	return 0, 0, geo.Place{}, false
}
