package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// `conflictmap geoparse` prints one feature per place mention in text
// order, with every property the mentions carry, and the mentions of the
// events `extract` prints as role "event" at the same places.
func TestGeoparseCommand(t *testing.T) {
	t.Parallel()
	out, stderr, err := runCmd(t, "", "geoparse", "--published", "2024-02-27", sampleArticleFile)
	if err != nil {
		t.Fatalf("geoparse: %v\n%s", err, stderr)
	}
	fc, err := geojson.UnmarshalFeatureCollection([]byte(out))
	if err != nil {
		t.Fatalf("not a FeatureCollection: %v", err)
	}
	if len(fc.Features) < 50 {
		t.Fatalf("%d features, want every place mention of the sample", len(fc.Features))
	}
	text, err := os.ReadFile(sampleArticleFile)
	if err != nil {
		t.Fatal(err)
	}
	runes := []rune(string(text))
	props := []string{"mention", "start", "end", "location", "geonameid", "country_code", "admin1",
		"feature_code", "geo_precision", "confidence", "role"}
	roles := map[string]int{}
	eventPlaces := map[string]bool{}
	last := -1
	for i, f := range fc.Features {
		for _, p := range props {
			if _, ok := f.Properties[p]; !ok {
				t.Errorf("feature %d has no %q", i, p)
			}
		}
		start, end := f.Properties.MustInt("start"), f.Properties.MustInt("end")
		if start <= last || end <= start || end > len(runes) {
			t.Fatalf("feature %d: span [%d:%d] out of order or range", i, start, end)
		}
		last = start
		if got := string(runes[start:end]); got != f.Properties.MustString("mention") {
			t.Errorf("feature %d: text at [%d:%d] is %q, mention %q", i, start, end, got, f.Properties.MustString("mention"))
		}
		if _, ok := f.Geometry.(orb.Point); !ok {
			t.Errorf("feature %d: geometry %T, want a Point for a resolved place", i, f.Geometry)
		}
		role := f.Properties.MustString("role")
		roles[role]++
		if role == "event" {
			eventPlaces[f.Properties.MustString("location")+"|"+f.Properties.MustString("country_code", "")] = true
		}
	}
	for _, r := range []string{"event", "actor", "descriptor", "other"} {
		if roles[r] == 0 {
			t.Errorf("no mention of role %q in the sample: %v", r, roles)
		}
	}
	events, _, err := runCmd(t, "", "extract", "--published", "2024-02-27", sampleArticleFile)
	if err != nil {
		t.Fatal(err)
	}
	efc, err := geojson.UnmarshalFeatureCollection([]byte(events))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range efc.Features {
		k := f.Properties.MustString("location") + "|" + f.Properties.MustString("country_code", "")
		if !eventPlaces[k] {
			t.Errorf("extract has an event at %s; geoparse has no event mention there", k)
		}
	}
}

// `geoparse --jsonl` answers every input line in order, in the scorer's
// format, keeps ids as given, and reports a bad line without losing the
// others.
func TestGeoparseJSONL(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "docs.jsonl")
	lines := []string{
		`{"id": "a", "text": "Floods hit Springfield, Ill., on Tuesday.", "extra": 1}`,
		`{"id": 7, "text": "Nothing to see here."}`,
		`not json`,
		`{"id": "c", "text": "Talks resumed in Doha and Cairo."}`,
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, "", "geoparse", "--jsonl", "--workers", "3", in)
	if err == nil || exitCode(err) != 1 {
		t.Errorf("a bad line: exit %d (%v), want 1", exitCode(err), err)
	}
	if !strings.Contains(stderr, "docs.jsonl:3") || !strings.Contains(stderr, "4 documents") {
		t.Errorf("stderr does not name the bad line and count the documents:\n%s", stderr)
	}
	type topo struct {
		Start, End int
		Mention    string
		Lat, Lon   *float64
		Role       string
	}
	var got []struct {
		ID       json.RawMessage
		Toponyms []topo
		Error    string
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var d struct {
			ID       json.RawMessage
			Toponyms []topo
			Error    string
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		got = append(got, d)
	}
	if len(got) != 4 {
		t.Fatalf("%d output lines, want 4:\n%s", len(got), out)
	}
	if string(got[0].ID) != `"a"` || string(got[1].ID) != `7` || string(got[3].ID) != `"c"` {
		t.Errorf("ids %s %s %s, want \"a\" 7 \"c\" in input order", got[0].ID, got[1].ID, got[3].ID)
	}
	if got[2].Error == "" || len(got[2].Toponyms) != 0 {
		t.Errorf("bad line answered %+v, want an error and no toponyms", got[2])
	}
	if len(got[1].Toponyms) != 0 {
		t.Errorf("a text without places has toponyms %+v", got[1].Toponyms)
	}
	names := map[string]topo{}
	for _, tp := range got[0].Toponyms {
		names[tp.Mention] = tp
	}
	sp, ok := names["Springfield"]
	if !ok || sp.Start != 11 || sp.End != 22 || sp.Lat == nil {
		t.Fatalf("Springfield: %+v, want [11:22] with coordinates; got %+v", sp, got[0].Toponyms)
	}
	if *sp.Lon > -85 || *sp.Lon < -95 {
		t.Errorf("Springfield, Ill. placed at %v,%v, want Illinois", *sp.Lat, *sp.Lon)
	}
	if len(got[3].Toponyms) != 2 || got[3].Toponyms[0].Mention != "Doha" || got[3].Toponyms[1].Mention != "Cairo" {
		t.Errorf("line c: %+v, want Doha then Cairo", got[3].Toponyms)
	}
}

// --baseline population keeps the mentions and resolves each name to its
// most populous place, whatever the text says around it.
func TestGeoparseBaseline(t *testing.T) {
	t.Parallel()
	text := "Floods hit Paris, Texas, on Tuesday."
	place := func(args ...string) (lon float64) {
		t.Helper()
		out, stderr, err := runCmd(t, text, append([]string{"geoparse"}, append(args, "-")...)...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		fc, err := geojson.UnmarshalFeatureCollection([]byte(out))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fc.Features {
			if f.Properties.MustString("mention") == "Paris" {
				return f.Geometry.(orb.Point).Lon()
			}
		}
		t.Fatalf("%v: no Paris in %s", args, out)
		return 0
	}
	if lon := place(); lon > -90 || lon < -100 {
		t.Errorf("Paris, Texas at longitude %v, want Texas", lon)
	}
	if lon := place("--baseline", "population"); lon < 0 || lon > 5 {
		t.Errorf("baseline Paris at longitude %v, want Paris, France", lon)
	}
	if _, _, err := runCmd(t, text, "geoparse", "--baseline", "area", "-"); err == nil {
		t.Error("--baseline area accepted")
	}
}

// Bad arguments to geoparse are a clear error and a non-zero exit.
func TestGeoparseCommandErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"bad date", []string{"geoparse", "--published", "27/02/2024", sampleArticleFile}, "not a date"},
		{"missing file", []string{"geoparse", "no-such-article.txt"}, "no-such-article.txt"},
		{"missing jsonl", []string{"geoparse", "--jsonl", "no-such.jsonl"}, "no-such.jsonl"},
		{"no file", []string{"geoparse"}, "exactly one FILE"},
		{"no workers", []string{"geoparse", "--jsonl", "--workers", "0", sampleArticleFile}, "workers"},
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
}
