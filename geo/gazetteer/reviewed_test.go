package gazetteer_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"conflictmap/geo/gazetteer"
)

// reviewedRow is one row of a reviewed place table (tables/*.tsv).
type reviewedRow struct {
	file    string
	id      int64
	names   []string
	feature string
	cc      string
}

// readReviewed reads the rows of the committed tables that the embedded
// data was generated from.
func readReviewed(t *testing.T, file string, cols int) [][]string {
	t.Helper()
	fh, err := os.Open(filepath.Join("tables", file))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var rows [][]string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < cols {
			t.Fatalf("%s: %q has %d columns, want %d", file, line, len(f), cols)
		}
		rows = append(rows, f)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func reviewedPlaces(t *testing.T) []reviewedRow {
	t.Helper()
	var out []reviewedRow
	for _, file := range []string{"seas.tsv", "regions.tsv", "sites.tsv"} {
		for _, f := range readReviewed(t, file, 10) {
			r := reviewedRow{file: file, feature: f[3], cc: f[4], names: []string{f[1]}}
			r.id, _ = strconv.ParseInt(f[0], 10, 64)
			for _, n := range strings.Split(f[2], "|") {
				if n = strings.TrimSpace(n); n != "" {
					r.names = append(r.names, n)
				}
			}
			out = append(out, r)
		}
	}
	return out
}

// TestReviewedNamesFound looks up every name of every reviewed row: a name
// that normalises to nothing, or a row the data lacks, is a reader's miss.
func TestReviewedNamesFound(t *testing.T) {
	g := gaz(t)
	rows := reviewedPlaces(t)
	if len(rows) < 500 {
		t.Errorf("%d reviewed rows, want the conflict-zone supplement (500 or more)", len(rows))
	}
	for _, r := range rows {
		for _, n := range r.names {
			if !found(g, r.id, n) {
				t.Errorf("%s %d: Lookup(%q) lacks the row", r.file, r.id, n)
			}
		}
	}
	exonyms := readReviewed(t, "exonyms.tsv", 3)
	if len(exonyms) < 50 {
		t.Errorf("%d English exonyms, want 50 or more", len(exonyms))
	}
	for _, f := range exonyms {
		id, _ := strconv.ParseInt(f[1], 10, 64)
		if !found(g, id, f[0]) {
			t.Errorf("exonyms.tsv: Lookup(%q) lacks GeoNames %d", f[0], id)
		}
	}
}

// TestReviewedVillagesRankBelowTowns checks that a reviewed village never
// takes a name from a GeoNames town that has a population: a village called
// like a known town comes after it (only abandoned and historical places,
// tier 8, may follow it).
func TestReviewedVillagesRankBelowTowns(t *testing.T) {
	g := gaz(t)
	for _, r := range reviewedPlaces(t) {
		if r.feature != "PPL" && r.feature != "PPLX" {
			continue
		}
		for _, n := range r.names {
			got := g.Lookup(n)
			at := -1
			for i, p := range got {
				if p.GeonameID == r.id {
					at = i
				}
				if at >= 0 && i > at && p.Population > 0 && gazetteer.Tier(p) <= 7 {
					t.Errorf("Lookup(%q): the reviewed village %d ranks above %s, %s (%s, population %d)", n, r.id, p.Name, p.CountryCode, p.FeatureCode, p.Population)
				}
			}
		}
	}
}

func TestLookupConflictSupplement(t *testing.T) {
	g := gaz(t)
	tests := []struct {
		query, name, cc, feature string
	}{
		// Places GeoNames cities500 lacks.
		{"Jabalia camp", "Jabalia camp", "PS", "CMP"},
		{"Shujaiya", "Shujaiya", "PS", "PPLX"},
		{"Shejaiya", "Shujaiya", "PS", "PPLX"},
		{"al-Mawasi", "Al-Mawasi", "PS", "AREA"},
		{"Aita al-Shaab", "Aita al-Shaab", "LB", "PPL"},
		{"Ayta ash-Shab", "Aita al-Shaab", "LB", "PPL"},
		{"Khiam", "Khiam", "LB", "PPL"},
		{"Dahiyeh", "Dahiyeh", "LB", "PPLX"},
		{"Khartoum North", "Khartoum North", "SD", "PPL"},
		{"Bahri", "Khartoum North", "SD", "PPL"},
		{"Abu Shouk", "Abu Shouk", "SD", "CMP"},
		{"Cal Miskaad", "Cal Miskaad", "SO", "MTS"},
		{"Maungdaw", "Maungdaw", "MM", "PPL"},
		{"Mrauk-U", "Mrauk-U", "MM", "PPL"},
		{"Rubaya", "Rubaya", "CD", "PPL"},
		{"Surankote", "Surankote", "IN", "PPL"},
		{"Staromaiorske", "Staromaiorske", "UA", "PPL"},
		{"Cité Soleil", "Cite Soleil", "HT", "PPLX"},
		{"Ayungin Shoal", "Second Thomas Shoal", "", "SHOL"},
		{"Scarborough Shoal", "Scarborough Shoal", "", "SHOL"},
		{"Camp Taji", "Camp Taji", "IQ", "MILB"},
		// English names of GeoNames places and regions.
		{"Gezira", "Al Jazirah", "SD", "ADM1"},
		{"Gezira state", "Al Jazirah", "SD", "ADM1"},
		{"Al Jazirah", "Al Jazirah", "SD", "ADM1"},
		{"Sake", "Sake", "CD", "PPL"},
		{"Bint Jbeil", "Bent Jbail", "LB", "PPLA2"},
		{"Makhmour", "Mexmur", "IQ", "PPLA2"},
		{"Shire", "Inda Silase", "ET", "PPL"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := first(t, g, tt.query)
			if p.Name != tt.name || p.CountryCode != tt.cc || p.FeatureCode != tt.feature {
				t.Errorf("Lookup(%q)[0] = %s %q %s, want %s %q %s", tt.query, p.Name, p.CountryCode, p.FeatureCode, tt.name, tt.cc, tt.feature)
			}
		})
	}
	// A region named in English keeps its extent.
	if p := first(t, g, "Gezira"); p.Bound == nil || !p.Bound.Contains(p.Point) {
		t.Errorf("Gezira: extent %v does not hold its point %v", p.Bound, p.Point)
	}
}

// TestSupplementKeepsCommonReadings checks pairs where a reviewed village
// shares its name with a better-known place: the known place stays first and
// the village is still found.
func TestSupplementKeepsCommonReadings(t *testing.T) {
	g := gaz(t)
	tests := []struct {
		name             string
		firstCC, firstFC string // the reading a reader expects first
		villageCC        string // the reviewed village, found further down
	}{
		{"Blida", "DZ", "PPLA", "LB"},
		{"Kani", "JP", "PPLA2", "MM"},
		{"Madaya", "SY", "PPLA3", "MM"},
		{"Houla", "SY", "PPL", "LB"},
		{"Baga", "ES", "PPL", "NG"},
		{"Kas", "TR", "PPL", "SD"},
		{"Tawila", "YE", "PPLA2", "SD"},
		{"Matsu", "JP", "PPLA", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := g.Lookup(tt.name)
			if len(got) < 2 {
				t.Fatalf("Lookup(%q) = %v, want the known place and the village", tt.name, got)
			}
			if got[0].CountryCode != tt.firstCC || got[0].FeatureCode != tt.firstFC {
				t.Errorf("Lookup(%q)[0] = %s %s %s, want the %s %s first", tt.name, got[0].Name, got[0].CountryCode, got[0].FeatureCode, tt.firstCC, tt.firstFC)
			}
			village := false
			for _, p := range got[1:] {
				village = village || p.CountryCode == tt.villageCC && p.GeonameID <= -1000 && p.GeonameID >= -9999
			}
			if !village {
				t.Errorf("Lookup(%q) lacks the reviewed place in %q", tt.name, tt.villageCC)
			}
		})
	}
}

// TestSeaFeaturesLieOffCountries checks that disputed sea features carry no
// country, so that an event there is not given to one claimant.
func TestSeaFeaturesLieOffCountries(t *testing.T) {
	g := gaz(t)
	for _, name := range []string{"Second Thomas Shoal", "Sabina Shoal", "Scarborough Shoal", "Mischief Reef", "Fiery Cross Reef", "Spratly Islands"} {
		p := first(t, g, name)
		if p.CountryCode != "" || p.Country != "" {
			t.Errorf("Lookup(%q)[0] is in %q (%s)", name, p.Country, p.CountryCode)
		}
		if p.Point[1] < 5 || p.Point[1] > 22 || p.Point[0] < 109 || p.Point[0] > 121 {
			t.Errorf("Lookup(%q)[0] at %v, outside the South China Sea", name, p.Point)
		}
	}
}
