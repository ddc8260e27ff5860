package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// row is one line of a reviewed table.
type row struct {
	file string
	line int
	f    []string
}

// readTSV reads a tab-separated table; lines starting with # are comments.
// Each row is padded to at least n fields.
func readTSV(path string, n int) ([]row, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []row
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	ln := 0
	for sc.Scan() {
		ln++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		for len(f) < n {
			f = append(f, "")
		}
		out = append(out, row{file: filepath.Base(path), line: ln, f: f})
	}
	return out, sc.Err()
}

// readWords reads a one-word-a-line list (comments allowed) as normalised keys.
func readWords(path string) ([]string, error) {
	rows, err := readTSV(path, 1)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.f[0])
	}
	return out, nil
}

// Feature codes of the reviewed tables. Water bodies must lie off land and
// belong to no country; sites are points and need no extent. Marine
// features (shoals, reefs, islands) are sites too; one that no country
// holds undisputed has no country. A shoal or reef of no country must lie
// off land; an island of no country may or may not be drawn as land.
var (
	waterFeatures  = map[string]bool{"SEA": true, "GULF": true, "STRT": true, "BAY": true, "OCN": true, "CHN": true, "LGN": true}
	areaFeatures   = map[string]bool{"RGN": true, "ADM1": true, "ADM2": true, "PEN": true, "AREA": true, "VAL": true, "CNL": true}
	siteFeatures   = map[string]bool{"MILB": true, "PSTB": true, "PPL": true, "PPLX": true, "CMP": true, "AIRB": true, "AIRP": true, "PRT": true, "BDG": true, "INSM": true, "DAM": true, "PS": true, "CAPE": true, "MT": true, "MTS": true, "PRK": true, "SHOL": true, "RF": true, "ISL": true, "ISLS": true}
	marineFeatures = map[string]bool{"SHOL": true, "RF": true, "ISL": true, "ISLS": true}
)

// tablePlace is one reviewed row.
type tablePlace struct {
	row
	id      int64
	names   []string
	feature string
	cc      string
	admin1  string
	point   orb.Point
	bound   *[4]float64
	source  string
}

// errRejected marks table rows the generator refuses.
var errRejected = errors.New("rejected")

// readPlaceTables reads every *.tsv place table of dir except the name
// tables, and checks each row against the country outlines and the land.
// It returns all rows and, joined, every reason a row was rejected.
func readPlaceTables(dir string, countries map[string]*country, admin1 map[string]string, land orb.MultiPolygon) ([]tablePlace, error) {
	var out []tablePlace
	var problems []string
	seen := map[int64]string{}
	for _, name := range []string{"seas.tsv", "regions.tsv", "sites.tsv"} {
		rows, err := readTSV(filepath.Join(dir, name), 10)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			p, err := parsePlaceRow(r)
			if err == nil {
				err = checkPlace(p, countries, admin1, land)
			}
			if err == nil {
				if prev, dup := seen[p.id]; dup {
					err = fmt.Errorf("id %d already used by %s", p.id, prev)
				}
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s:%d %q: %v", r.file, r.line, r.f[1], err))
				continue
			}
			seen[p.id] = p.names[0]
			out = append(out, p)
		}
	}
	if len(problems) > 0 {
		return out, fmt.Errorf("%w: %d table rows:\n  %s", errRejected, len(problems), strings.Join(problems, "\n  "))
	}
	return out, nil
}

// parsePlaceRow reads the columns id, name, other names, feature, country,
// admin1, lat, lon, bbox (w,s,e,n) and source.
func parsePlaceRow(r row) (tablePlace, error) {
	p := tablePlace{row: r, feature: r.f[3], cc: r.f[4], admin1: r.f[5], source: r.f[9]}
	id, err := strconv.ParseInt(r.f[0], 10, 64)
	if err != nil || id > -1000 || id < -9999 {
		return p, fmt.Errorf("id %q: want an integer from -9999 to -1000", r.f[0])
	}
	p.id = id
	if r.f[1] == "" {
		return p, errors.New("no name")
	}
	p.names = append([]string{r.f[1]}, splitNames(r.f[2])...)
	if !waterFeatures[p.feature] && !areaFeatures[p.feature] && !siteFeatures[p.feature] {
		return p, fmt.Errorf("unknown feature code %q", p.feature)
	}
	lat, err1 := strconv.ParseFloat(r.f[6], 64)
	lon, err2 := strconv.ParseFloat(r.f[7], 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return p, fmt.Errorf("bad point %q %q", r.f[6], r.f[7])
	}
	p.point = orb.Point{lon, lat}
	if r.f[8] != "" {
		parts := strings.Split(r.f[8], ",")
		if len(parts) != 4 {
			return p, fmt.Errorf("bbox %q: want w,s,e,n", r.f[8])
		}
		var b [4]float64
		for i, s := range parts {
			if b[i], err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
				return p, fmt.Errorf("bbox %q: %v", r.f[8], err)
			}
		}
		if b[1] >= b[3] || b[0] == b[2] {
			return p, fmt.Errorf("bbox %q is empty", r.f[8])
		}
		if !inBound(b, p.point) {
			return p, fmt.Errorf("point %v outside its bbox %q", p.point, r.f[8])
		}
		p.bound = &b
	} else if !siteFeatures[p.feature] {
		return p, fmt.Errorf("feature %s needs a bbox", p.feature)
	}
	if p.source == "" {
		return p, errors.New("no source")
	}
	return p, nil
}

// checkPlace rejects a row whose point is outside its country's outline, a
// water body or a marine feature of no country on land, or another place
// of no country in the sea.
func checkPlace(p tablePlace, countries map[string]*country, admin1 map[string]string, land orb.MultiPolygon) error {
	onLand := planar.MultiPolygonContains(land, p.point)
	if waterFeatures[p.feature] {
		if p.cc != "" {
			return fmt.Errorf("water body %s has a country (%s)", p.feature, p.cc)
		}
		if onLand {
			return fmt.Errorf("water body point %.5f,%.5f is on land", p.point[1], p.point[0])
		}
		return nil
	}
	if p.cc == "" && marineFeatures[p.feature] {
		if onLand && p.feature != "ISL" && p.feature != "ISLS" {
			return fmt.Errorf("%s of no country at %.5f,%.5f is on land", p.feature, p.point[1], p.point[0])
		}
		return nil
	}
	if p.cc == "" {
		if !onLand {
			return fmt.Errorf("point %.5f,%.5f is not on land", p.point[1], p.point[0])
		}
		return nil
	}
	k, ok := countries[p.cc]
	if !ok || !k.HasArea {
		return fmt.Errorf("country %q has no outline", p.cc)
	}
	if !k.contains(p.point) {
		return fmt.Errorf("point %.5f,%.5f is outside %s (%s)", p.point[1], p.point[0], k.Name, p.cc)
	}
	if p.admin1 != "" {
		if _, ok := admin1[p.cc+"."+p.admin1]; !ok {
			return fmt.Errorf("unknown admin1 %s.%s", p.cc, p.admin1)
		}
	}
	return nil
}

func inBound(b [4]float64, p orb.Point) bool {
	if p[1] < b[1] || p[1] > b[3] {
		return false
	}
	if b[0] <= b[2] {
		return p[0] >= b[0] && p[0] <= b[2]
	}
	return p[0] >= b[0] || p[0] <= b[2]
}
