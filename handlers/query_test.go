package handlers

import (
	"net/url"
	"testing"
)

// Two URLs that ask for the same answer must share one cache entry.
func TestCanonicalQuerySharesEquivalentURLs(t *testing.T) {
	same := [][2]string{
		{"type=Battles", "limit=1000&type=Battles"},
		{"type=Battles&type=Riots", "type=Riots&type=Battles&type=Riots&offset=0"},
		{"country=iq&actor=Quds%20%20Force", "country=IQ&actor=quds+force"},
		{"bbox=30,20,40,35", "bbox=30.0,20,0,40,35,100"},
		{"limit=99999", "limit=10000"},
	}
	for _, p := range same {
		a, b := key(t, p[0]), key(t, p[1])
		if a != b {
			t.Errorf("%q and %q have different keys %q and %q", p[0], p[1], a, b)
		}
	}
	differ := [][2]string{
		{"type=Battles", "type=Riots"},
		{"limit=10", "limit=10&offset=10"},
		{"start=2024-01-01", "end=2024-01-01"},
		{"q=strike", "actor=strike"},
	}
	for _, p := range differ {
		if key(t, p[0]) == key(t, p[1]) {
			t.Errorf("%q and %q share the key %q", p[0], p[1], key(t, p[0]))
		}
	}
}

func key(t *testing.T, raw string) string {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseFilter(q)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return canonicalQuery(f)
}
