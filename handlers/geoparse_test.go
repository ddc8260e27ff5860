package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type mentionsAnswer struct {
	Type     string `json:"type"`
	Features []struct {
		Geometry   json.RawMessage `json:"geometry"`
		Properties struct {
			Mention     string   `json:"mention"`
			Start       int      `json:"start"`
			End         int      `json:"end"`
			Location    *string  `json:"location"`
			CountryCode *string  `json:"country_code"`
			Role        string   `json:"role"`
			Confidence  *float64 `json:"confidence"`
		} `json:"properties"`
	} `json:"features"`
}

// POST /api/geoparse answers the place mentions of a text, as JSON or
// plain text in, a FeatureCollection out, and stores nothing.
func TestGeoparseEndpoint(t *testing.T) {
	s := newServer(t, serverOptions{token: testToken})
	text := "Russian missiles struck Kharkiv on Monday, officials in Kyiv said. Moscow said the talks had failed."
	body, _ := json.Marshal(map[string]string{"text": text, "published": "2024-03-04"})
	for _, c := range []struct {
		name, body, ctype, target string
	}{
		{"json", string(body), "application/json", "/api/geoparse"},
		{"text", text, "text/plain; charset=utf-8", "/api/geoparse?published=2024-03-04"},
	} {
		w := s.do(http.MethodPost, c.target, c.body, "Content-Type", c.ctype)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", c.name, w.Code, w.Body)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/geo+json" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
		a := decode[mentionsAnswer](t, w)
		roles := map[string]string{}
		for _, f := range a.Features {
			roles[f.Properties.Mention] = f.Properties.Role
			if got := string([]rune(text)[f.Properties.Start:f.Properties.End]); got != f.Properties.Mention {
				t.Errorf("%s: [%d:%d] is %q, mention %q", c.name, f.Properties.Start, f.Properties.End, got, f.Properties.Mention)
			}
		}
		if a.Type != "FeatureCollection" || roles["Kharkiv"] != "event" || roles["Moscow"] != "actor" {
			t.Errorf("%s: roles %v, want Kharkiv an event and Moscow an actor", c.name, roles)
		}
	}
	// Nothing was stored.
	if got := events(t, s, ""); len(got.Features) != 0 {
		t.Errorf("geoparse stored %d events", len(got.Features))
	}
}

// Bad geoparse requests are 4xx with a JSON error that says what is wrong.
func TestGeoparseEndpointErrors(t *testing.T) {
	s := newServer(t, serverOptions{maxBody: 2000})
	for _, c := range []struct {
		name, body, ctype string
		status            int
		want              string
	}{
		{"malformed", `{"text": `, "application/json", http.StatusBadRequest, "malformed JSON"},
		{"no text", `{"published": "2024-01-01"}`, "application/json", http.StatusBadRequest, "text"},
		{"bad date", `{"text": "Kharkiv", "published": "01/01/2024"}`, "application/json", http.StatusBadRequest, "published"},
		{"too large", `{"text": "` + strings.Repeat("Kharkiv ", 400) + `"}`, "application/json", http.StatusRequestEntityTooLarge, "limit"},
		{"media type", `<text/>`, "application/xml", http.StatusUnsupportedMediaType, "text/plain"},
	} {
		w := s.do(http.MethodPost, "/api/geoparse", c.body, "Content-Type", c.ctype)
		if w.Code != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, w.Code, c.status, w.Body)
			continue
		}
		var e struct{ Error string }
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || !strings.Contains(e.Error, c.want) {
			t.Errorf("%s: body %s does not say %q", c.name, w.Body, c.want)
		}
	}
}
