package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"conflictmap/geo"
	"conflictmap/geo/extract"
)

const sampleArticleFile = "sample/iran-reins-in-militias.txt"

// runCmd runs a subcommand in-process and returns its stdout, stderr and
// error.
func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	env, out, errb := testEnv(nil)
	env.Stdin = strings.NewReader(stdin)
	err := Main(context.Background(), env, args)
	return out.String(), errb.String(), err
}

// `conflictmap extract` prints an RFC 7946 FeatureCollection of Point
// features carrying every property (null when unknown), a bbox for places
// larger than a town, the same bytes every time and from stdin.
func TestExtractCommand(t *testing.T) {
	t.Parallel()
	out, stderr, err := runCmd(t, "", "extract", "--published", "2024-02-27", "--title", "Iran reins in militias", "--url", "https://example.org/a", sampleArticleFile)
	if err != nil {
		t.Fatalf("extract: %v\n%s", err, stderr)
	}
	fc, err := geojson.UnmarshalFeatureCollection([]byte(out))
	if err != nil {
		t.Fatalf("not a FeatureCollection: %v", err)
	}
	if len(fc.Features) < 5 {
		t.Fatalf("%d features, want the sample's events", len(fc.Features))
	}
	var raw struct {
		Features []struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	countries := 0
	for i, f := range fc.Features {
		if _, ok := f.Geometry.(orb.Point); !ok {
			t.Errorf("feature %d: %T, want a Point", i, f.Geometry)
		}
		for _, name := range geo.PropertyNames() {
			v, ok := raw.Features[i].Properties[name]
			if !ok {
				t.Errorf("feature %d has no %q property", i, name)
			}
			if string(v) == `""` {
				t.Errorf("feature %d: %q is an empty string, want null", i, name)
			}
		}
		e, err := geo.EventFromFeature(f)
		if err != nil {
			t.Fatal(err)
		}
		if e.Title != "Iran reins in militias" || e.SourceURL != "https://example.org/a" || e.Published != "2024-02-27" ||
			e.ArticleID != geo.ArticleID("https://example.org/a", "") {
			t.Errorf("feature %d: article fields %q %q %q %q", i, e.Title, e.SourceURL, e.Published, e.ArticleID)
		}
		if e.FeatureCode == "PCLI" {
			countries++
			if len(f.BBox) != 4 {
				t.Errorf("feature %d (%s) is a country without a bbox", i, e.Location)
			}
		}
	}
	if countries == 0 {
		t.Errorf("no country-level feature to check the bbox of")
	}
	again, _, err := runCmd(t, "", "extract", "--published", "2024-02-27", "--title", "Iran reins in militias", "--url", "https://example.org/a", sampleArticleFile)
	if err != nil || again != out {
		t.Errorf("a second run printed different bytes (%v)", err)
	}
	text, err := os.ReadFile(sampleArticleFile)
	if err != nil {
		t.Fatal(err)
	}
	stdin, _, err := runCmd(t, string(text), "extract", "--published", "2024-02-27", "--title", "Iran reins in militias", "--url", "https://example.org/a", "-")
	if err != nil || stdin != out {
		t.Errorf("the article from stdin printed different bytes (%v)", err)
	}
}

// Bad input to `extract` is a clear error and a non-zero exit.
func TestExtractCommandErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"bad date", []string{"extract", "--published", "27/02/2024", sampleArticleFile}, "not a date"},
		{"missing file", []string{"extract", "no-such-article.txt"}, "no-such-article.txt"},
		{"no file", []string{"extract"}, "exactly one FILE"},
		{"two files", []string{"extract", sampleArticleFile, sampleArticleFile}, "exactly one FILE"},
	} {
		_, stderr, err := runCmd(t, "", c.args...)
		if err == nil || exitCode(err) == 0 {
			t.Errorf("%s: exit code %d, want non-zero", c.name, exitCode(err))
			continue
		}
		if msg := err.Error() + stderr; !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q does not say %q", c.name, msg, c.want)
		}
	}
	big := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(big, bytes.Repeat([]byte("A strike in Kharkiv. "), 600000), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, "", "extract", big); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("a 12 MB file: %v, want an error about the size limit", err)
	}
}

// scorePyPath is the reference scorer, shared by every engineer and CI.
const scorePyPath = "../../../shared/eval/score.py"

// `conflictmap eval` prints the same figures, byte for byte, as score.py
// run on what `conflictmap extract` prints, in text and in JSON.
func TestEvalMatchesScorePy(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err == nil {
		_, err = os.Stat(scorePyPath)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 and %s are needed: %v", scorePyPath, err)
		}
		t.Skipf("python3 or %s missing: %v", scorePyPath, err)
	}
	gold := "../../geo/extract/testdata/gold/iran-reins-in-militias.json"
	out, stderr, err := runCmd(t, "", "extract", "--published", "2024-02-27", "--title", "Iran reins in militias in Iraq and Syria after US strikes", sampleArticleFile)
	if err != nil {
		t.Fatalf("extract: %v\n%s", err, stderr)
	}
	pred := filepath.Join(t.TempDir(), "p.geojson")
	if err := os.WriteFile(pred, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{nil, {"--json"}} {
		want, err := exec.Command(py, append([]string{scorePyPath, gold, pred}, mode...)...).Output()
		if err != nil {
			t.Fatalf("score.py: %v", err)
		}
		got, stderr, err := runCmd(t, "", append(append([]string{"eval"}, mode...), gold)...)
		if err != nil {
			t.Fatalf("eval: %v\n%s", err, stderr)
		}
		if got != string(want) {
			t.Errorf("eval %v differs from score.py:\n--- score.py\n%s\n--- eval\n%s", mode, want, got)
		}
	}
	// Several gold files: each scored under its name, then a total.
	got, _, err := runCmd(t, "", "eval", gold, "../../geo/extract/testdata/corpus/sahel-mali.json")
	if err != nil || strings.Count(got, "\n== ") != 2 || !strings.Contains(got, "== all 2 files") {
		t.Errorf("eval of two files: %v\n%s", err, got)
	}
}

// TestEvalAblate: --ablate prints the figures with all rules on, then one
// row per named rule; switching off the link by preposition loses the
// sample's core events. --without refuses an unknown rule.
func TestEvalAblate(t *testing.T) {
	t.Parallel()
	gold := "../../geo/extract/testdata/gold/iran-reins-in-militias.json"
	got, stderr, err := runCmd(t, "", "eval", "--ablate", gold)
	if err != nil {
		t.Fatalf("eval --ablate: %v\n%s", err, stderr)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(got, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			rows[f[0]] = line
		}
	}
	if !strings.Contains(rows["(all"], "5/5 +0") {
		t.Errorf("all rules on: want core 5/5, got %q", rows["(all"])
	}
	for _, r := range extract.Rules() {
		if rows[r.Name] == "" {
			t.Errorf("no row for rule %s:\n%s", r.Name, got)
		}
	}
	if f := strings.Fields(rows["link-preposition"]); len(f) < 3 || f[2] == "5/5" {
		t.Errorf("without link-preposition the sample keeps all its core events: %q", rows["link-preposition"])
	}
	if _, _, err := runCmd(t, "", "eval", "--without", "no-such-rule", gold); err == nil {
		t.Error("eval --without accepted an unknown rule")
	}
}
