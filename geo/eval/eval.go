package eval

import (
	"encoding/json"
	"fmt"
	"os"

	"conflictmap/geo"
)

// Extractor is what the scorer needs of an extractor.
type Extractor interface {
	Extract(a geo.Article) ([]geo.Event, error)
}

// ReadArticle reads the gold file's article: its text, title, URL and
// publication date.
func (g *Gold) ReadArticle() (geo.Article, error) {
	b, err := os.ReadFile(g.TextPath())
	if err != nil {
		return geo.Article{}, fmt.Errorf("gold %s: article text: %w", g.Path, err)
	}
	text := string(b)
	return geo.Article{
		ID:        geo.ArticleID(g.Article.URL, text),
		Title:     g.Article.Title,
		URL:       g.Article.URL,
		Published: g.Article.Published,
		Text:      text,
	}, nil
}

// ScoreEvents scores events against the gold file. The events go through
// their GeoJSON form first, so that the scorer reads exactly what
// `conflictmap extract` prints and score.py would read.
func ScoreEvents(g *Gold, events []geo.Event) (Result, error) {
	b, err := json.Marshal(geo.FeatureCollection(events))
	if err != nil {
		return Result{}, fmt.Errorf("encode events: %w", err)
	}
	preds, err := ReadPredictions(b)
	if err != nil {
		return Result{}, err
	}
	return Score(g, preds), nil
}

// File reads a gold file, extracts its article with x and scores the
// events.
func File(x Extractor, goldPath string) (Result, error) {
	g, err := ReadGold(goldPath)
	if err != nil {
		return Result{}, err
	}
	a, err := g.ReadArticle()
	if err != nil {
		return Result{}, err
	}
	events, err := x.Extract(a)
	if err != nil {
		return Result{}, fmt.Errorf("gold %s: extract: %w", goldPath, err)
	}
	return ScoreEvents(g, events)
}

// Sum adds up several articles' results: counts are summed and the rates
// recomputed from the sums (micro-averages), so that a long article
// weighs more than a short one. Per-feature lists are left out, since
// feature numbers only mean something within one article.
func Sum(rs ...Result) Result {
	var t Result
	add := func(a *Ratio, b Ratio) { a.Right += b.Right; a.Checked += b.Checked }
	neutralOrDup := 0
	for _, r := range rs {
		t.Predictions += r.Predictions
		t.Events += r.Events
		t.Matched += r.Matched
		t.CoreMatched += r.CoreMatched
		t.CoreEvents += r.CoreEvents
		t.Duplicates += r.Duplicates
		t.Errors += r.Errors
		t.LongQuotes += r.LongQuotes
		t.ForbiddenHits = append(t.ForbiddenHits, r.ForbiddenHits...)
		t.Missed = append(t.Missed, r.Missed...)
		t.MissedCore = append(t.MissedCore, r.MissedCore...)
		neutralOrDup += r.Predictions - r.Matched - r.Errors
		add(&t.DateAccuracy, r.DateAccuracy)
		add(&t.TypeAccuracy, r.TypeAccuracy)
		add(&t.ModalityAccuracy, r.ModalityAccuracy)
		add(&t.FatalitiesAccuracy, r.FatalitiesAccuracy)
		add(&t.SubTypeAccuracy, r.SubTypeAccuracy)
		add(&t.TimePrecisionAccuracy, r.TimePrecisionAccuracy)
	}
	if t.Predictions > 0 {
		t.Precision = round3(float64(t.Matched+neutralOrDup) / float64(t.Predictions))
		t.StrictPrecision = round3(float64(t.Matched) / float64(t.Predictions))
	}
	if t.Events > 0 {
		t.Recall = round3(float64(t.Matched) / float64(t.Events))
	}
	if t.CoreEvents > 0 {
		t.CoreRecall = round3(float64(t.CoreMatched) / float64(t.CoreEvents))
	}
	return t
}
