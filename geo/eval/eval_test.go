package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scorePy is the reference scorer every figure of this package must agree
// with.
const scorePy = "../../../shared/eval/score.py"

// needPython returns the python3 binary and the reference scorer, or skips
// (fails under CI) when either is missing.
func needPython(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		_, err = os.Stat(scorePy)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 and %s are needed to compare with the reference scorer: %v", scorePy, err)
		}
		t.Skipf("python3 or %s missing, cannot compare with the reference scorer: %v", scorePy, err)
	}
	// A version manager's python3 is a shell script that starts several
	// processes per call; the comparison runs the scorer hundreds of times,
	// so it calls the interpreter itself.
	out, err := exec.Command(py, "-c", "import sys; print(sys.executable)").Output()
	if exe := strings.TrimSpace(string(out)); err == nil && exe != "" {
		return exe
	}
	return py
}

func goldFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../extract/testdata/corpus/*.json")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../extract/testdata/gold/iran-reins-in-militias.json")
	if len(files) < 2 {
		t.Fatalf("no gold files found")
	}
	return files
}

// predictionsFor makes a FeatureCollection that exercises every branch of
// the scorer against g: hits and near misses of event places, evidence in
// and out of the quote, duplicates, acceptable, forbidden and unexplained
// places, long quotes, null and odd property values, integer coordinates.
func predictionsFor(g *Gold, text string, rng *rand.Rand) []byte {
	type feature map[string]any
	var feats []feature
	point := func(p Place) (float64, float64) {
		if p.BBox != nil {
			w, s, e, n := p.BBox[0], p.BBox[1], p.BBox[2], p.BBox[3]
			if w > e {
				e += 360
			}
			lon := w + rng.Float64()*(e-w)
			if lon > 180 {
				lon -= 360
			}
			return lon, s + rng.Float64()*(n-s)
		}
		// Within about twice the tolerance: some in, some out.
		d := p.ToleranceKm / 111 * 2 * (rng.Float64() - 0.5)
		return p.Lon + d, p.Lat + d*rng.Float64()
	}
	cc := func(p Place) any {
		switch rng.IntN(6) {
		case 0:
			return nil
		case 1:
			return "XX"
		case 2:
			if p.CountryCode != nil {
				return strings.ToLower(*p.CountryCode)
			}
		}
		if p.CountryCode == nil {
			return ""
		}
		return *p.CountryCode
	}
	sentences := strings.Split(text, "\n")
	pick := func(l []any) any {
		if len(l) == 0 || rng.IntN(4) == 0 {
			return []any{nil, "Battles", 3, 1.0, "2024-01-01"}[rng.IntN(5)]
		}
		return l[rng.IntN(len(l))]
	}
	add := func(p Place, quote string, e *GoldEvent) {
		lon, lat := point(p)
		props := feature{"country_code": cc(p), "location": p.Name, "quote": quote}
		if rng.IntN(5) == 0 {
			props["location"] = nil
		}
		if e != nil {
			if e.Date != nil {
				props["event_date"] = []any{e.Date.Start, e.Date.End, "1999-01-01", nil, e.Date.Start + "T00:00:00Z"}[rng.IntN(5)]
			}
			if e.Types != nil {
				props["event_type"] = pick(*e.Types)
			}
			if e.SubTypes != nil {
				props["sub_event_type"] = pick(*e.SubTypes)
			}
			if e.Modality != nil {
				props["modality"] = pick(*e.Modality)
			}
			if e.TimePrecision != nil {
				props["time_precision"] = pick(*e.TimePrecision)
			}
			if e.Fatalities != nil {
				props["fatalities"] = []any{rawValue(*e.Fatalities), nil, 3, 3.0, 0}[rng.IntN(5)]
			}
		}
		var coords []any = []any{lon, lat}
		if rng.IntN(10) == 0 {
			coords = []any{int(lon), int(lat)}
		}
		f := feature{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": coords}, "properties": props}
		feats = append(feats, f)
	}
	for i := range g.Events {
		e := &g.Events[i]
		for n := rng.IntN(3); n >= 0; n-- {
			quote := "Someone said that " + e.Evidence[rng.IntN(len(e.Evidence))] + ", officials said."
			switch rng.IntN(6) {
			case 0:
				quote = sentences[rng.IntN(len(sentences))]
			case 1:
				quote = strings.ToUpper(quote)
			case 2:
				quote = strings.Repeat("x", 600) + quote
			}
			add(e.Place, quote, e)
		}
	}
	for _, p := range g.Acceptable {
		if rng.IntN(2) == 0 {
			add(p, sentences[rng.IntN(len(sentences))], nil)
		}
	}
	for _, p := range g.Forbidden {
		if rng.IntN(2) == 0 {
			add(p, "“Forbidden’s” place — "+sentences[rng.IntN(len(sentences))], nil)
		}
	}
	add(Place{Name: "Nowhere", Lat: -45.5, Lon: -120.25, ToleranceKm: 1}, "nothing here", nil)
	rng.Shuffle(len(feats), func(i, j int) { feats[i], feats[j] = feats[j], feats[i] })
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": feats})
	if err != nil {
		panic(err)
	}
	return b
}

// TestScoreMatchesScorePy checks, on many generated prediction sets for
// every gold file in the repository, that this package prints exactly
// what score.py prints, in text and in JSON.
func TestScoreMatchesScorePy(t *testing.T) {
	py := needPython(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	runs := 0
	for _, gf := range goldFiles(t) {
		g, err := ReadGold(gf)
		if err != nil {
			t.Fatal(err)
		}
		text, err := os.ReadFile(g.TextPath())
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < 3; n++ {
			b := predictionsFor(g, string(text), rng)
			pf := filepath.Join(dir, fmt.Sprintf("p%d.geojson", runs))
			if err := os.WriteFile(pf, b, 0o644); err != nil {
				t.Fatal(err)
			}
			runs++
			preds, err := ReadPredictions(b)
			if err != nil {
				t.Fatal(err)
			}
			r := Score(g, preds)
			for _, mode := range []string{"text", "json"} {
				args := []string{scorePy, gf, pf}
				var got bytes.Buffer
				if mode == "json" {
					args = append(args, "--json")
					err = r.WriteJSON(&got)
				} else {
					err = r.WriteText(&got)
				}
				if err != nil {
					t.Fatal(err)
				}
				want, err := exec.Command(py, args...).Output()
				if err != nil {
					t.Fatalf("score.py %s %s: %v", gf, pf, err)
				}
				if got.String() != string(want) {
					t.Errorf("%s on %s (%s): scorer differs from score.py\n--- score.py\n%s\n--- eval\n%s", gf, pf, mode, want, got.String())
				}
			}
		}
	}
	if runs < 30 {
		t.Fatalf("only %d comparisons", runs)
	}
}

// TestPyFloat checks the float repr that the figures are printed with.
func TestPyFloat(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", 1: "1.0", 0.8: "0.8", 2.0 / 3: "0.6666666666666666", 0.667: "0.667",
		1e16: "1e+16", 1.5e-7: "1.5e-07", 123456789012345.6: "123456789012345.6", -36.5: "-36.5", 0.0001: "0.0001",
	} {
		if got := pyFloat(f); got != want {
			t.Errorf("pyFloat(%v) = %q, want %q", f, got, want)
		}
	}
	for x, want := range map[float64]float64{0.6665: 0.666, 0.0625: 0.062, 0.8335: 0.834, 2.0 / 3: 0.667} {
		if got := round3(x); got != want {
			t.Errorf("round3(%v) = %v, want %v (Python's round)", x, got, want)
		}
	}
}

// TestReadPredictionsRejects checks that what score.py refuses is refused.
func TestReadPredictionsRejects(t *testing.T) {
	for name, in := range map[string]string{
		"not a collection": `{"type":"Feature"}`,
		"line geometry":    `{"type":"FeatureCollection","features":[{"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}`,
		"lat,lon order":    `{"type":"FeatureCollection","features":[{"geometry":{"type":"Point","coordinates":[33.5,136.2]}}]}`,
		"not JSON":         `{"type":`,
	} {
		if _, err := ReadPredictions([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
