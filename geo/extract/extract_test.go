package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"conflictmap/geo"
	"conflictmap/geo/eval"
	"conflictmap/geo/gazetteer"
)

var (
	gazForTestOnce sync.Once
	gazForTest     *gazetteer.Gazetteer
	gazForTestErr  error
)

// extractorForTest returns an extractor on the real embedded gazetteer.
func extractorForTest(t testing.TB) *Extractor {
	t.Helper()
	gazForTestOnce.Do(func() { gazForTest, gazForTestErr = gazetteer.Load() })
	if gazForTestErr != nil {
		t.Fatal(gazForTestErr)
	}
	return New(gazForTest)
}

const sampleGold = "testdata/gold/iran-reins-in-militias.json"

// TestSampleArticle holds the rules to what the article conflictmap was born
// from must show, scored by the project's own scorer against the gold file.
func TestSampleArticle(t *testing.T) {
	x := extractorForTest(t)
	g, err := eval.ReadGold(sampleGold)
	if err != nil {
		t.Fatal(err)
	}
	a, err := g.ReadArticle()
	if err != nil {
		t.Fatal(err)
	}
	events, err := x.Extract(a)
	if err != nil {
		t.Fatal(err)
	}
	r, err := eval.ScoreEvents(g, events)
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	r.WriteText(&report)
	if r.CoreMatched != r.CoreEvents || r.CoreEvents != 5 {
		t.Errorf("core recall %d/%d, want 5/5", r.CoreMatched, r.CoreEvents)
	}
	if r.Recall < 0.8 || r.Precision < 0.9 || r.StrictPrecision < 0.6 {
		t.Errorf("recall %v, precision %v, strict precision %v; want at least 0.8, 0.9, 0.6", r.Recall, r.Precision, r.StrictPrecision)
	}
	if len(r.ForbiddenHits) > 0 {
		t.Errorf("forbidden places mapped: %+v", r.ForbiddenHits)
	}
	if r.LongQuotes > 0 {
		t.Errorf("%d quotes longer than a sentence may be", r.LongQuotes)
	}
	if r.DateAccuracy.Checked == 0 || float64(r.DateAccuracy.Right) < 0.8*float64(r.DateAccuracy.Checked) {
		t.Errorf("dates inside the gold range: %s, want at least 80%%", r.DateAccuracy)
	}
	for _, p := range r.Pairs {
		if p.Event == "rafah-threatened-offensive" && p.Modality != geo.Threatened {
			t.Errorf("Rafah is %v, want threatened", p.Modality)
		}
	}
	jordan := 0
	for _, e := range events {
		if e.CountryCode != "JO" {
			continue
		}
		jordan++
		if e.EventDate != "2024-01-28" || e.Fatalities == nil || *e.Fatalities != 3 || e.SubEventType != "Air/drone strike" {
			t.Errorf("Jordan: %s, fatalities %v, %s; want the 2024-01-28 drone strike that killed 3", e.EventDate, fatal(e.Fatalities), e.SubEventType)
		}
	}
	if jordan != 1 {
		t.Errorf("%d events in Jordan, want the one drone strike", jordan)
	}
	flat := strings.Join(strings.Fields(a.Text), " ")
	for _, e := range events {
		if !strings.Contains(flat, e.Quote) {
			t.Errorf("quote is not a stretch of the article: %q", e.Quote)
		}
	}
	if t.Failed() {
		t.Logf("scorer:\n%s", report.String())
	}
}

func fatal(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestCorpus scores the rules on the project's own corpus: texts about
// other conflicts, each with a gold file written before the rules it
// tests. Thresholds hold for the whole corpus and, lower, for every file.
func TestCorpus(t *testing.T) {
	x := extractorForTest(t)
	files, err := filepath.Glob("testdata/corpus/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 12 {
		t.Fatalf("%d gold files in the corpus, want at least 12", len(files))
	}
	var all []eval.Result
	for _, f := range files {
		r, err := eval.File(x, f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		coreRecall := 1.0
		if r.CoreEvents > 0 {
			coreRecall = float64(r.CoreMatched) / float64(r.CoreEvents)
		}
		if coreRecall < 0.5 || r.Precision < 0.8 || (r.Predictions > 0 && r.StrictPrecision < 0.3) || len(r.ForbiddenHits) > 1 || r.LongQuotes > 0 {
			var b bytes.Buffer
			r.WriteText(&b)
			t.Errorf("%s: below the per-file floor (core recall 0.5, precision 0.8, strict precision 0.3, at most one forbidden place):\n%s", name, b.String())
		}
	}
	sum := eval.Sum(all...)
	var b bytes.Buffer
	sum.WriteTotal(&b)
	t.Logf("corpus of %d files: %s", len(files), b.String())
	if sum.CoreRecall < 0.85 || sum.Recall < 0.8 || sum.Precision < 0.95 || sum.StrictPrecision < 0.75 || len(sum.ForbiddenHits) > 2 {
		t.Errorf("corpus: core recall %v, recall %v, precision %v, strict precision %v, %d forbidden; want at least 0.85, 0.8, 0.95, 0.75 and at most 2",
			sum.CoreRecall, sum.Recall, sum.Precision, sum.StrictPrecision, len(sum.ForbiddenHits))
	}
}

// TestDeterministic: the same article gives byte-identical output, and an
// event's id depends on the article, the sentence, the place and the event.
func TestDeterministic(t *testing.T) {
	x := extractorForTest(t)
	text, err := os.ReadFile("../../cmd/conflictmap/sample/iran-reins-in-militias.txt")
	if err != nil {
		t.Fatal(err)
	}
	a := geo.Article{Text: string(text), Published: "2024-02-27", Title: "t"}
	a.ID = geo.ArticleID("", a.Text)
	var first []byte
	for i := 0; i < 3; i++ {
		events, err := x.Extract(a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(geo.FeatureCollection(events))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b
			ids := map[string]bool{}
			for _, e := range events {
				if ids[e.ID] {
					t.Errorf("id %s given twice", e.ID)
				}
				ids[e.ID] = true
			}
			continue
		}
		if !bytes.Equal(b, first) {
			t.Fatal("two extractions of the same article differ")
		}
	}
	other := a
	other.URL = "https://example.org/other"
	other.ID = geo.ArticleID(other.URL, other.Text)
	e1, _ := x.Extract(a)
	e2, _ := x.Extract(other)
	if len(e1) == 0 || len(e1) != len(e2) || e1[0].ID == e2[0].ID {
		t.Errorf("another article with the same text must give the same events under other ids")
	}
}

// TestHostileInput: empty text, junk, invalid UTF-8, a huge text and a
// huge single line give an error or no events, never a panic or a hang.
func TestHostileInput(t *testing.T) {
	x := extractorForTest(t)
	line := strings.Repeat("Fighting near Kharkiv and shelling of Odesa continue ", 2000) // ~100 kB, no period
	junk := make([]byte, 64<<10)
	for i := range junk {
		junk[i] = byte(i*7919 + i/13)
	}
	for name, text := range map[string]string{
		"empty":              "",
		"spaces":             " \n\t\n ",
		"binary":             string(junk),
		"invalid UTF-8":      "Strike in Kharkiv \xff\xfe on Monday killed 3 \xc3\x28 people.",
		"100 kB single line": line,
		"only punctuation":   strings.Repeat(".,;:!?\"'()- ", 5000),
		"only capitals":      strings.Repeat("KYIV ODESA KHARKIV ", 3000),
	} {
		events, err := x.Extract(geo.Article{Text: text, Published: "2024-05-28"})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, e := range events {
			if n := utf8.RuneCountInString(e.Quote); n > 600 || !utf8.ValidString(e.Quote) {
				t.Errorf("%s: a quote of %d characters (valid UTF-8: %v)", name, n, utf8.ValidString(e.Quote))
			}
		}
	}
	huge := strings.Repeat("A drone strike hit a market in Kharkiv on Monday. ", 210000) // ~10 MB
	_, err := x.Extract(geo.Article{Text: huge})
	var ge *geo.Error
	if !errors.As(err, &ge) || ge.Code != geo.ETOOLARGE {
		t.Errorf("a 10 MB text: %v, want a too-large error", err)
	}
	if _, err := x.Extract(geo.Article{Text: "Strike in Kharkiv.", Published: "28/05/2024"}); geo.ErrorCode(err) != geo.EINVALID {
		t.Errorf("a bad publication date: %v, want an invalid-input error", err)
	}
}

// TestRepeatedStoryUniqueIDs: an article made of one story told again and
// again (a feed page that repeats its item) gives every event once, so that
// the store, which keys events by id, takes the whole article.
func TestRepeatedStoryUniqueIDs(t *testing.T) {
	x := extractorForTest(t)
	story := "Militants ambushed an army convoy near Gao on Sunday, killing four soldiers. " +
		"The next day, a drone strike hit a fuel depot in Kidal. " +
		"Residents said the market stayed closed. Officials gave no further details. "
	text := strings.Repeat(story, 300) // 1,200 sentences, repeats beyond any merge window
	events, err := x.Extract(geo.Article{Text: text, Published: "2024-03-12"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) == 0 {
		t.Fatal("no events")
	}
	ids := map[string]bool{}
	for _, e := range events {
		if ids[e.ID] {
			t.Fatalf("id %s given twice (%s, %q)", e.ID, e.Location, e.Quote)
		}
		ids[e.ID] = true
	}
}
