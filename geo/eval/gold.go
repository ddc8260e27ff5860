// Package eval scores extracted events against a hand-made gold file, the
// way ../shared/eval/score.py does (see ../shared/eval/FORMAT.md): a
// prediction matches a gold event when its point hits the event's place and
// its quote cites one of the event's evidence phrases; a maximum one-to-one
// matching (core events first) gives precision, strict precision, recall,
// core recall and attribute accuracies. The figures are meant to be the
// same as score.py's, number for number, so that a user can trust either.
package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Gold is one gold file: the article it describes, the events a good
// extractor must find, the places that are fine to map and the places that
// are wrong.
type Gold struct {
	Article    GoldArticle `json:"article"`
	Events     []GoldEvent `json:"events"`
	Acceptable []Place     `json:"acceptable"`
	Forbidden  []Place     `json:"forbidden"`

	// Path is where the gold file was read from; TextFile is resolved
	// against its directory.
	Path string `json:"-"`
}

// GoldArticle says which article a gold file describes.
type GoldArticle struct {
	TextFile  string `json:"text_file"`
	Title     string `json:"title"`
	Published string `json:"published"`
	URL       string `json:"url"`
}

// GoldEvent is one event of a gold file. Optional attributes are nil when
// the gold file does not state them (and are then not checked).
type GoldEvent struct {
	ID       string   `json:"id"`
	Core     bool     `json:"core"`
	Place    Place    `json:"place"`
	Evidence Evidence `json:"evidence"`

	Date          *DateRange `json:"date"`
	Types         *[]any     `json:"types"`
	SubTypes      *[]any     `json:"sub_types"`
	Modality      *[]any     `json:"modality"`
	TimePrecision *[]any     `json:"time_precision"`
	// Fatalities is nil when the gold file has no fatalities key; the key
	// with a JSON null is present and says "the text gives no number".
	Fatalities *json.RawMessage `json:"-"`
}

// DateRange is an inclusive range of ISO dates.
type DateRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Evidence is the list of phrases one of which a prediction's quote must
// contain; a gold file may also give a single string.
type Evidence []string

// UnmarshalJSON accepts a string or a list of strings.
func (e *Evidence) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*e = Evidence{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*e = l
	return nil
}

// Place is a gold place: a box (countries, regions, seas) or a point with a
// tolerance (towns), and optionally the country code a prediction must have.
type Place struct {
	Name        string    `json:"name"`
	CountryCode *string   `json:"country_code"`
	BBox        []float64 `json:"bbox"`
	Lat         float64   `json:"lat"`
	Lon         float64   `json:"lon"`
	ToleranceKm float64   `json:"tolerance_km"`
}

// UnmarshalJSON records whether the fatalities key is present, since a
// present null and an absent key mean different things.
func (e *GoldEvent) UnmarshalJSON(b []byte) error {
	type plain GoldEvent
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	*e = GoldEvent(p)
	if raw, ok := keys["fatalities"]; ok {
		r := append(json.RawMessage(nil), raw...)
		e.Fatalities = &r
	}
	return nil
}

// ReadGold reads a gold file.
func ReadGold(path string) (*Gold, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read gold: %w", err)
	}
	var g Gold
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&g); err != nil {
		return nil, fmt.Errorf("gold %s: %w", path, err)
	}
	for i, e := range g.Events {
		if e.ID == "" {
			return nil, fmt.Errorf("gold %s: event %d has no id", path, i)
		}
		if e.Date != nil && (e.Date.Start == "" || e.Date.End == "") {
			return nil, fmt.Errorf("gold %s: event %s: date needs start and end", path, e.ID)
		}
	}
	for _, p := range append(append([]Place{}, g.Acceptable...), g.Forbidden...) {
		if p.BBox != nil && len(p.BBox) != 4 {
			return nil, fmt.Errorf("gold %s: place %q: bbox needs 4 numbers", path, p.Name)
		}
	}
	g.Path = path
	return &g, nil
}

// TextPath returns the article's text file, resolved against the gold
// file's directory when relative.
func (g *Gold) TextPath() string {
	if filepath.IsAbs(g.Article.TextFile) {
		return g.Article.TextFile
	}
	return filepath.Join(filepath.Dir(g.Path), g.Article.TextFile)
}
