package extract

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"conflictmap/geo"
)

// TestVocabularyFile: the embedded vocabulary loads, and its triggers cover
// every ACLED sub-event type.
func TestVocabularyFile(t *testing.T) {
	v, err := parseVocabulary(lexiconFile)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tr := range v.triggers {
		covered[tr.typ+"/"+tr.sub] = true
	}
	for _, c := range geo.Taxonomy() {
		for _, sub := range c.SubTypes {
			if !covered[c.Type+"/"+sub] {
				t.Errorf("no trigger for %s / %s", c.Type, sub)
			}
		}
	}
}

// TestVocabularyRejects: the loader refuses what would silently change the
// rules: a phrase or word given twice, an unknown flag, type or section, a
// sub-event type outside the taxonomy, and a broken subset relation.
func TestVocabularyRejects(t *testing.T) {
	const ok = "[triggers]\nclash, clashes | B | Armed clash |\n"
	if _, err := parseVocabulary(ok); err != nil {
		t.Fatalf("a minimal file: %v", err)
	}
	for _, c := range []struct{ name, src, want string }{
		{"duplicate trigger", ok + "clash | B | Armed clash |\n", "already on line"},
		{"duplicate across types", ok + "clashes | R | Violent demonstration |\n", "already on line"},
		{"unknown flag", "[triggers]\nclash | B | Armed clash | z\n", "unknown flag"},
		{"two refinements", "[triggers]\nclash | B | Armed clash | AS\n", "two refinements"},
		{"unknown type", "[triggers]\nclash | X | Armed clash |\n", "unknown event type"},
		{"sub-type of another type", "[triggers]\nclash | B | Air/drone strike |\n", "not a sub-event type"},
		{"missing field", "[triggers]\nclash | B | Armed clash\n", "want 4 fields"},
		{"unknown section", ok + "[words]\na, b\n", "unknown section"},
		{"duplicate set word", ok + "[set a]\nx, y, x\n", "already on line"},
		{"duplicate set", ok + "[set a]\nx\n[set a]\ny\n", "given twice"},
		{"broken subset", ok + "[set a < b]\nx, y\n[set b]\nx\n", "is not in b"},
		{"subset of nothing", ok + "[set a < c]\nx\n", "not in the file"},
		{"no triggers", "[set a]\nx\n", "no [triggers]"},
	} {
		_, err := parseVocabulary(c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// TestRuleNames: every rule the code consults is in the list, every rule
// in the list is consulted, and Without refuses a name it does not know.
func TestRuleNames(t *testing.T) {
	used := map[string]bool{}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\bon\("([a-z-]+)"\)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	listed := map[string]bool{}
	for _, r := range Rules() {
		if listed[r.Name] {
			t.Errorf("rule %q listed twice", r.Name)
		}
		listed[r.Name] = true
		if !used[r.Name] {
			t.Errorf("rule %q is listed but no code consults it", r.Name)
		}
	}
	for n := range used {
		if !listed[n] {
			t.Errorf("the code consults rule %q, which is not in the list", n)
		}
	}
	x := extractorForTest(t)
	if _, err := x.Without("no-such-rule"); err == nil {
		t.Error("Without accepted an unknown rule name")
	}
}
