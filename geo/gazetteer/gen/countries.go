package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// country is one ISO 3166-1 country with its Natural Earth outline.
type country struct {
	CC      string
	Numeric string
	Name    string   // display name
	Aliases []string // other names and spellings, acronyms included
	Shape   orb.MultiPolygon
	Point   orb.Point
	Bound   [4]float64 // west, south, east, north; west > east crosses the antimeridian
	HasArea bool
}

// readCountries joins i18n-iso-countries (codes, English names), the
// reviewed country name table and the world-atlas outlines.
func readCountries(src, tables string) (map[string]*country, error) {
	var codes [][]string
	if err := readJSON(filepath.Join(src, "i18n-iso-countries", "codes.json"), &codes); err != nil {
		return nil, err
	}
	var en struct {
		Countries map[string]json.RawMessage `json:"countries"`
	}
	if err := readJSON(filepath.Join(src, "i18n-iso-countries", "langs", "en.json"), &en); err != nil {
		return nil, err
	}
	out := map[string]*country{}
	byNumeric := map[string]*country{}
	for _, c := range codes {
		if len(c) < 3 {
			continue
		}
		k := &country{CC: c[0], Numeric: c[2]}
		names, err := nameList(en.Countries[k.CC])
		if err != nil {
			return nil, fmt.Errorf("i18n-iso-countries en %s: %w", k.CC, err)
		}
		if len(names) == 0 {
			continue
		}
		k.Name = names[0]
		k.Aliases = names[1:]
		out[k.CC] = k
		byNumeric[k.Numeric] = k
	}

	rows, err := readTSV(filepath.Join(tables, "countries.tsv"), 4)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		k, ok := out[r.f[0]]
		if !ok {
			return nil, fmt.Errorf("%s:%d: unknown country code %q", r.file, r.line, r.f[0])
		}
		if r.f[1] != "" && r.f[1] != k.Name {
			k.Aliases = append(k.Aliases, k.Name)
			k.Name = r.f[1]
		}
		k.Aliases = append(k.Aliases, splitNames(r.f[2])...)
	}

	unassigned := map[string]string{}
	rows, err = readTSV(filepath.Join(tables, "ne_unassigned.tsv"), 3)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if _, ok := out[r.f[1]]; !ok {
			return nil, fmt.Errorf("%s:%d: unknown country code %q", r.file, r.line, r.f[1])
		}
		unassigned[r.f[0]] = r.f[1]
	}

	feats, err := readTopology(filepath.Join(src, "world-atlas", "countries-10m.json"), "countries")
	if err != nil {
		return nil, err
	}
	for _, f := range feats {
		var k *country
		if f.ID != "" {
			k = byNumeric[f.ID]
		} else if cc, ok := unassigned[f.Name]; ok {
			k = out[cc]
		}
		if k == nil {
			continue
		}
		k.Shape = append(k.Shape, f.Geom...)
	}
	for _, k := range out {
		if len(k.Shape) == 0 {
			continue
		}
		k.HasArea = true
		k.Point = representativePoint(k.Shape)
		k.Bound = mainExtent(k.Shape)
		// Microstates (Vatican, Monaco) are a few vertices at this scale; a
		// point on their edge is as inside as they can be drawn.
		if !k.contains(k.Point) && outlineArea(k.Shape) > 1e-3 {
			return nil, fmt.Errorf("country %s: representative point %v outside its outline", k.CC, k.Point)
		}
	}
	return out, nil
}

func outlineArea(mp orb.MultiPolygon) float64 {
	a := 0.0
	for _, p := range mp {
		a += math.Abs(planar.Area(p))
	}
	return a
}

// nameList reads an i18n-iso-countries name, a string or a list of strings.
func nameList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, err
	}
	return many, nil
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// contains reports whether the country's outline holds p.
func (k *country) contains(p orb.Point) bool {
	return k.HasArea && containsWrapped(k.Shape, p)
}

// containsWrapped tests p and its copies a turn east and west, since rings
// that cross the antimeridian are unwrapped beyond ±180.
func containsWrapped(mp orb.MultiPolygon, p orb.Point) bool {
	for _, dx := range []float64{0, 360, -360} {
		if planar.MultiPolygonContains(mp, orb.Point{p[0] + dx, p[1]}) {
			return true
		}
	}
	return false
}

// representativePoint returns the point that stands for a country: the
// area centroid of its largest polygon, where gazetteers and encyclopaedias
// put a country (GeoNames, Wikipedia: the middle of its mainland, not the
// spot farthest from its borders). A centroid can fall outside a
// crescent-shaped country or in a neighbour's enclave: then, of the
// midpoints of the polygon's interior spans along a few dozen parallels,
// the one nearest the centroid.
func representativePoint(mp orb.MultiPolygon) orb.Point {
	var best orb.Polygon
	bestArea := -1.0
	for _, p := range mp {
		if a := math.Abs(planar.Area(p)); a > bestArea {
			best, bestArea = p, a
		}
	}
	centroid, _ := planar.CentroidArea(best)
	if planar.PolygonContains(best, centroid) {
		return orb.Point{round5(wrapLon(centroid[0])), round5(centroid[1])}
	}
	b := best.Bound()
	const lines = 48
	var pick orb.Point
	pickDist := math.Inf(1)
	for i := 1; i < lines; i++ {
		y := b.Min[1] + (b.Max[1]-b.Min[1])*float64(i)/lines
		var xs []float64
		for _, ring := range best {
			for j := 0; j+1 < len(ring); j++ {
				a, c := ring[j], ring[j+1]
				if (a[1] <= y) != (c[1] <= y) {
					xs = append(xs, a[0]+(y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
				}
			}
		}
		sort.Float64s(xs)
		for j := 0; j+1 < len(xs); j += 2 {
			pt := orb.Point{(xs[j] + xs[j+1]) / 2, y}
			if !planar.PolygonContains(best, pt) {
				continue
			}
			if d := planar.Distance(pt, centroid); d < pickDist {
				pick, pickDist = pt, d
			}
		}
	}
	if math.IsInf(pickDist, 1) {
		pick = best[0][0]
	}
	return orb.Point{round5(wrapLon(pick[0])), round5(pick[1])}
}

// mainExtent returns the extent of the polygons that lie near the largest
// one (chains of polygons less than 6 degrees apart), so that France's
// extent is metropolitan France and not a box from Guiana to Réunion.
func mainExtent(mp orb.MultiPolygon) [4]float64 {
	bounds := make([]orb.Bound, len(mp))
	largest, largestArea := 0, -1.0
	for i, p := range mp {
		bounds[i] = p.Bound()
		if a := math.Abs(planar.Area(p)); a > largestArea {
			largest, largestArea = i, a
		}
	}
	in := make([]bool, len(mp))
	in[largest] = true
	for changed := true; changed; {
		changed = false
		for i := range mp {
			if in[i] {
				continue
			}
			for j := range mp {
				if in[j] && boundGap(bounds[i], bounds[j]) < 6 {
					in[i], changed = true, true
					break
				}
			}
		}
	}
	// Keep the box on the largest polygon's side of the antimeridian: a
	// box that crosses it (west > east) is valid GeoJSON but few clients
	// draw it right, and losing the Aleutians' tail or Chukotka's east end
	// costs little.
	side := (bounds[largest].Min[0] + bounds[largest].Max[0]) / 2
	b := [4]float64{180, 90, -180, -90}
	for i, pb := range bounds {
		if !in[i] {
			continue
		}
		w, e := pb.Min[0], pb.Max[0]
		if side <= 180 && side >= -180 {
			if e > 180 && side > 0 {
				e = 180
			}
			if w < -180 && side < 0 {
				w = -180
			}
		}
		mid := wrapLon((w + e) / 2)
		if (mid > 0) != (wrapLon(side) > 0) && math.Abs(mid) > 150 {
			continue
		}
		if w > 180 || e < -180 {
			continue
		}
		b[0], b[1] = math.Min(b[0], math.Max(w, -180)), math.Min(b[1], pb.Min[1])
		b[2], b[3] = math.Max(b[2], math.Min(e, 180)), math.Max(b[3], pb.Max[1])
	}
	return [4]float64{round5(b[0]), round5(b[1]), round5(b[2]), round5(b[3])}
}

// wrapLon brings a longitude back into [-180, 180].
func wrapLon(x float64) float64 {
	for x > 180 {
		x -= 360
	}
	for x < -180 {
		x += 360
	}
	return x
}

// boundGap is the distance in degrees between two boxes, longitude wrapping
// at the antimeridian; 0 when they overlap.
func boundGap(a, b orb.Bound) float64 {
	dy := math.Max(0, math.Max(a.Min[1]-b.Max[1], b.Min[1]-a.Max[1]))
	dx := math.Max(0, math.Max(a.Min[0]-b.Max[0], b.Min[0]-a.Max[0]))
	// across the antimeridian
	wrap := math.Max(0, math.Min(a.Min[0]+360-b.Max[0], b.Min[0]+360-a.Max[0]))
	return math.Max(dy, math.Min(dx, wrap))
}

func round5(v float64) float64 { return math.Round(v*1e5) / 1e5 }

// splitNames splits a "|"-separated name list, dropping empty entries.
func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, "|") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}
