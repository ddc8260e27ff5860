package extract

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"conflictmap/geo"
)

// updateGolden rewrites testdata/rules_golden.txt from what the rules do
// now: go test ./geo/extract -run TestRulesGolden -update.
var updateGolden = flag.Bool("update", false, "rewrite testdata/rules_golden.txt with the current output")

const goldenFile = "testdata/rules_golden.txt"

// goldenPub is the publication date every golden case is read against.
const goldenPub = "2024-05-28"

// goldenCase is one sentence (or two) of a rule's cases: what the
// extractor prints with every rule on, and with the rule switched off.
type goldenCase struct {
	rule, text string
	on, off    string
}

// readGolden parses the golden file: a "== RULE" line opens a rule's
// cases, "> TEXT" gives a case's text, "on: " and "off: " its outputs;
// lines starting with "#" are comments.
func readGolden(path string) (header []string, cases []goldenCase, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	rule := ""
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case rule == "" && (strings.HasPrefix(line, "#") || line == ""):
			header = append(header, line)
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "== "):
			rule = strings.TrimPrefix(line, "== ")
		case strings.HasPrefix(line, "> "):
			if rule == "" {
				return nil, nil, fmt.Errorf("%s:%d: a case before any rule", path, n)
			}
			cases = append(cases, goldenCase{rule: rule, text: strings.TrimPrefix(line, "> ")})
		case strings.HasPrefix(line, "on: ") && len(cases) > 0:
			cases[len(cases)-1].on = strings.TrimPrefix(line, "on: ")
		case strings.HasPrefix(line, "off: ") && len(cases) > 0:
			cases[len(cases)-1].off = strings.TrimPrefix(line, "off: ")
		default:
			return nil, nil, fmt.Errorf("%s:%d: unreadable line %q", path, n, line)
		}
	}
	return header, cases, sc.Err()
}

// goldenLine prints events on one line, in the order the extractor gives.
// An event in a part of a country ("southern Syria") shows its point, so
// that rules which move it within the country show in the cases.
func goldenLine(x *Extractor, events []geo.Event) string {
	if len(events) == 0 {
		return "none"
	}
	parts := make([]string, len(events))
	for i, e := range events {
		s := fmt.Sprintf("%s [%s] %s / %s, %s, %s", e.Location, e.CountryCode, e.EventType, e.SubEventType, e.Modality, e.EventDate)
		if e.EventDateEnd != e.EventDate {
			s += ".." + e.EventDateEnd
		}
		if e.Fatalities != nil {
			s += fmt.Sprintf(", %d dead", *e.Fatalities)
		}
		if c, ok := x.gaz.Country(e.CountryCode); ok && strings.HasPrefix(e.FeatureCode, "PCL") && e.Bound != nil && c.Bound != nil && *e.Bound != *c.Bound {
			s += fmt.Sprintf(", at %.1f %.1f", e.Point[1], e.Point[0])
		}
		parts[i] = s
	}
	return strings.Join(parts, " | ")
}

// TestRulesGolden holds every named rule to its own cases: each case's
// output with all rules on and with its rule off must stay what the golden
// file says, every rule must have cases, and at least one case of each
// rule must change when the rule is off (a case that shows what the rule
// does). Run with -update to rewrite the file after a deliberate change,
// and read the diff.
func TestRulesGolden(t *testing.T) {
	header, cases, err := readGolden(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	x := extractorForTest(t)
	known := map[string]bool{}
	for _, r := range Rules() {
		known[r.Name] = true
	}
	shows := map[string]bool{}
	for i := range cases {
		c := &cases[i]
		if !known[c.rule] {
			t.Errorf("golden cases for %q, which is no rule", c.rule)
			continue
		}
		y, err := x.Without(c.rule)
		if err != nil {
			t.Fatal(err)
		}
		a := geo.Article{Text: c.text, Published: goldenPub}
		on, err := x.Extract(a)
		if err != nil {
			t.Fatal(err)
		}
		off, err := y.Extract(a)
		if err != nil {
			t.Fatal(err)
		}
		gotOn, gotOff := goldenLine(x, on), goldenLine(x, off)
		if gotOn != gotOff {
			shows[c.rule] = true
		}
		if *updateGolden {
			c.on, c.off = gotOn, gotOff
			continue
		}
		if gotOn != c.on {
			t.Errorf("%s: %q with all rules on:\n got  %s\n want %s", c.rule, c.text, gotOn, c.on)
		}
		if gotOff != c.off {
			t.Errorf("%s: %q with the rule off:\n got  %s\n want %s", c.rule, c.text, gotOff, c.off)
		}
	}
	for _, r := range Rules() {
		if !shows[r.Name] {
			t.Errorf("rule %q has no golden case that changes when it is off", r.Name)
		}
	}
	if *updateGolden {
		var b strings.Builder
		for len(header) > 0 && header[len(header)-1] == "" {
			header = header[:len(header)-1]
		}
		for _, h := range header {
			b.WriteString(h + "\n")
		}
		rule := ""
		for _, c := range cases {
			if c.rule != rule {
				rule = c.rule
				fmt.Fprintf(&b, "\n== %s\n", rule)
			}
			fmt.Fprintf(&b, "> %s\non: %s\noff: %s\n", c.text, c.on, c.off)
		}
		if err := os.WriteFile(goldenFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
