package handlers

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"conflictmap/geo"
)

// checkFilter holds for every filter a query parses into: the defaults
// are in range, and its canonical form parses back into the same filter.
func checkFilter(t *testing.T, raw string, f geo.Filter, reparse func(url.Values) (geo.Filter, error)) {
	t.Helper()
	if f.Limit < 1 || f.Limit > geo.MaxLimit || f.Offset < 0 {
		t.Fatalf("%q: limit %d offset %d out of range", raw, f.Limit, f.Offset)
	}
	if f.Start != "" && f.End != "" && f.Start > f.End {
		t.Fatalf("%q: start %s after end %s", raw, f.Start, f.End)
	}
	for _, d := range []string{f.Start, f.End} {
		if _, err := time.Parse(geo.DateLayout, d); d != "" && err != nil {
			t.Fatalf("%q: date %q is not a date", raw, d)
		}
	}
	canon := canonicalQuery(f)
	q, err := parseQuery(canon)
	if err != nil {
		t.Fatalf("%q: the canonical form %q does not parse: %v", raw, canon, err)
	}
	g, err := reparse(q)
	if err != nil {
		t.Fatalf("%q: the canonical form %q is refused: %v", raw, canon, err)
	}
	if again := canonicalQuery(g); again != canon {
		t.Fatalf("%q: canonical form %q parses into %q", raw, canon, again)
	}
}

// checkRefusal holds for every refused query: the error is a client error
// with a message, never an internal one.
func checkRefusal(t *testing.T, raw string, err error) {
	t.Helper()
	if geo.ErrorCode(err) != geo.EINVALID || geo.ErrorMessage(err) == "" {
		t.Fatalf("%q: refused with %v (code %s), want an invalid-input message", raw, err, geo.ErrorCode(err))
	}
}

func apiSeeds(f *testing.F) {
	for _, s := range []string{
		"", "bbox=30,20,40,35", "bbox=170,-20,-170,20", "bbox=1,2,0,3,4,9", "bbox=%zz", "bbox=1,2,3;q=x", "limit=5;foo=1",
		"start=2024-01-01&end=2024-02-29", "type=Battles&type=Riots&event_type=Protests", "modality=threatened",
		"country=iq", "country_code=IQ&country=iq", "actor=Quds+Force", "q=drone%20strike", "limit=all", "limit=99999999999999999999",
		"offset=20&limit=10", "sub_event_type=Air%2Fdrone+strike", "geo_precision=1&geo_precision=3", "origin=import",
		"bbox=NaN,0,1,1", "start=2024-02-30", "%=1", "a=%", "&&&", "=x", "bbox=1e308,0,1,1",
	} {
		f.Add(s)
	}
}

// The /api query parser never panics, refuses only with a client error,
// and what it accepts has a canonical form that parses back to itself.
func FuzzAPIQuery(f *testing.F) {
	apiSeeds(f)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQuery(raw)
		if err == nil {
			err = checkParams(q, apiEventParams())
		}
		if err != nil {
			checkRefusal(t, raw, err)
			return
		}
		takeAll(q)
		flt, err := parseFilter(q)
		if err != nil {
			checkRefusal(t, raw, err)
			return
		}
		checkFilter(t, raw, flt, parseFilter)
	})
}

// The OGC items parser likewise, datetime included.
func FuzzOGCQuery(f *testing.F) {
	apiSeeds(f)
	for _, s := range []string{
		"datetime=2024-01-28", "datetime=2024-01-28T00:00:00Z", "datetime=2024-06-01T%2F2024-06-30T",
		"datetime=..%2F2024-01-31", "datetime=2024-01-01%2F", "datetime=2024-01-28t10:00:00.5%2B02:00",
		"datetime=2024-12-31T23:59:60Z", "f=html", "f=csv&limit=3", "datetime=%2F",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQuery(raw)
		if err != nil {
			checkRefusal(t, raw, err)
			return
		}
		flt, err := parseOGCFilter(q)
		if err != nil {
			checkRefusal(t, raw, err)
			return
		}
		checkFilter(t, raw, flt, parseFilter)
	})
}

// datetime gives real days in order, or a client error.
func FuzzDatetime(f *testing.F) {
	for _, s := range []string{
		"2024-01-28", "2024-01-28T", "2024-01-28T00:00:00Z", "2024-01-28t10:00:00.123z", "2024-01-28 10:00:00+05:30",
		"2024-01-01/2024-01-31", "../2024-01-31", "2024-01-01/..", "2024-01-01/", "/", "../..", "2024-12-31T23:59:60Z",
		"2024-01-28T10:00", "2024-02-30", "0000-01-01/9999-12-31",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, end, err := parseDatetime(s)
		if err != nil {
			checkRefusal(t, s, err)
			return
		}
		for _, d := range []string{start, end} {
			if _, err := time.Parse(geo.DateLayout, d); d != "" && err != nil {
				t.Fatalf("%q gave %q, not a date", s, d)
			}
		}
		if start != "" && end != "" && start > end {
			t.Fatalf("%q gave start %s after end %s", s, start, end)
		}
		if start == "" && end == "" && strings.TrimSpace(s) != "" {
			t.Fatalf("%q was accepted as no filter at all", s)
		}
	})
}
