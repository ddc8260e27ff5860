package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"conflictmap/geo"
)

// PaletteFile is the name, inside Config.Static, of the colours of the
// event types: {"colours": {"Battles": "#D55E00", ...}, "unknown": "#777777"}.
const PaletteFile = "palette.json"

// Palette maps each event type to the colour the map draws it in.
type Palette struct {
	Colours map[string]string `json:"colours"`
	Unknown string            `json:"unknown"`
}

var hexColour = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// ParsePalette reads and checks a palette file: every event type of the
// taxonomy has a colour, no colour is given to an unknown type, every
// colour is #RRGGBB and no two types share one. Keys starting with "_"
// are comments.
func ParsePalette(b []byte) (Palette, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return Palette{}, fmt.Errorf("palette: %w", err)
	}
	for k := range raw {
		if k != "colours" && k != "unknown" && !strings.HasPrefix(k, "_") {
			return Palette{}, fmt.Errorf("palette: unknown key %q", k)
		}
	}
	var p Palette
	if err := json.Unmarshal(b, &p); err != nil {
		return Palette{}, fmt.Errorf("palette: %w", err)
	}
	if !hexColour.MatchString(p.Unknown) {
		return Palette{}, fmt.Errorf("palette: unknown colour %q is not #RRGGBB", p.Unknown)
	}
	seen := map[string]string{strings.ToUpper(p.Unknown): "unknown"}
	for t, c := range p.Colours {
		if !geo.IsEventType(t) {
			return Palette{}, fmt.Errorf("palette: %q is not an event type", t)
		}
		if !hexColour.MatchString(c) {
			return Palette{}, fmt.Errorf("palette: colour %q of %s is not #RRGGBB", c, t)
		}
		if other, dup := seen[strings.ToUpper(c)]; dup {
			return Palette{}, fmt.Errorf("palette: %s and %s share colour %s", t, other, c)
		}
		seen[strings.ToUpper(c)] = t
	}
	var missing []string
	for _, ec := range geo.Taxonomy() {
		if _, ok := p.Colours[ec.Type]; !ok {
			missing = append(missing, ec.Type)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return Palette{}, fmt.Errorf("palette: no colour for %s", strings.Join(missing, ", "))
	}
	return p, nil
}

// taxonomyBody is the answer of GET /api/taxonomy, built once.
type taxonomyBody struct {
	once sync.Once
	body []byte
	etag string
	err  error
}

type taxonomyClass struct {
	Type     string   `json:"type"`
	SubTypes []string `json:"sub_types"`
	Colour   string   `json:"colour"`
}

type taxonomyModality struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

// taxonomy answers the event types with their sub-types and colours, and
// the modalities, in the order the page lists them: the page keeps no copy.
func (s *Server) taxonomy(c echo.Context) error {
	t := &s.taxonomyAnswer
	t.once.Do(func() {
		if s.cfg.Static == nil {
			t.err = fmt.Errorf("taxonomy: no page files, so no %s", PaletteFile)
			return
		}
		b, err := fs.ReadFile(s.cfg.Static, PaletteFile)
		if err != nil {
			t.err = fmt.Errorf("taxonomy: %w", err)
			return
		}
		p, err := ParsePalette(b)
		if err != nil {
			t.err = err
			return
		}
		classes := []taxonomyClass{}
		for _, ec := range geo.Taxonomy() {
			classes = append(classes, taxonomyClass{Type: ec.Type, SubTypes: ec.SubTypes, Colour: p.Colours[ec.Type]})
		}
		body := map[string]any{
			"event_types":    classes,
			"unknown_colour": p.Unknown,
			"modalities": []taxonomyModality{
				{geo.Occurred, "occurred"},
				{geo.Ongoing, "ongoing"},
				{geo.Threatened, "threatened (not occurred)"},
			},
		}
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			t.err = fmt.Errorf("taxonomy: %w", err)
			return
		}
		sum := sha256.Sum256(buf.Bytes())
		t.body = buf.Bytes()
		t.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	})
	if t.err != nil {
		return t.err
	}
	h := c.Response().Header()
	h.Set("ETag", t.etag)
	h.Set("Cache-Control", "no-cache")
	if etagMatches(c.Request().Header.Get("If-None-Match"), t.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "application/json", t.body)
}
