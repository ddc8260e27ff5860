package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"conflictmap/geo"
)

// FuzzExtract feeds the extractor arbitrary text and publication dates. It
// must never panic, and every event it returns must be one a store and a
// map can take: a type and sub-type of the taxonomy, a modality, a quote
// that is valid UTF-8 and short enough to cite, dates in order.
// Findings are kept in testdata/fuzz/FuzzExtract as regression seeds.
//
//	go test -run '^$' -fuzz FuzzExtract -fuzztime 5m -fuzzminimizetime 5s ./geo/extract/
func FuzzExtract(f *testing.F) {
	x := extractorForTest(f)
	seeds, _ := filepath.Glob("testdata/corpus/*.txt")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), "2024-05-28")
	}
	f.Add("", "")
	f.Add("KYIV, Ukraine (AP) —", "2024-02-29")
	f.Add("A drone strike in Jordan on January 28 killed three.", "2024-01-01")
	f.Add("Feb. 30 strikes on Rafah. In Baghdad, talks. \xff\xfe Gen. F. X.", "2024-02-27")
	f.Add(strings.Repeat("In Gaza, ", 300), "1999-12-31")
	f.Fuzz(func(t *testing.T, text, pub string) {
		if _, err := time.Parse(geo.DateLayout, pub); err != nil {
			pub = ""
		}
		events, err := x.Extract(geo.Article{Text: text, Published: pub})
		if err != nil {
			if geo.ErrorCode(err) == geo.EINTERNAL {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		for _, e := range events {
			if !geo.IsSubEventType(e.EventType, e.SubEventType) || !geo.IsModality(e.Modality) {
				t.Errorf("event %s: %q / %q / %q is outside the taxonomy", e.ID, e.EventType, e.SubEventType, e.Modality)
			}
			if !utf8.ValidString(e.Quote) || utf8.RuneCountInString(e.Quote) > 600 || e.Quote == "" {
				t.Errorf("event %s: quote of %d characters, valid %v", e.ID, utf8.RuneCountInString(e.Quote), utf8.ValidString(e.Quote))
			}
			if e.EventDate > e.EventDateEnd || (e.EventDate == "") != (e.EventDateEnd == "") {
				t.Errorf("event %s: dates %q..%q", e.ID, e.EventDate, e.EventDateEnd)
			}
			if e.Fatalities != nil && *e.Fatalities < 0 {
				t.Errorf("event %s: %d fatalities", e.ID, *e.Fatalities)
			}
			if e.Confidence <= 0 || e.Confidence > 1 {
				t.Errorf("event %s: confidence %v", e.ID, e.Confidence)
			}
		}
	})
}
