package handlers

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"conflictmap/geo"
)

// maxWordsLen bounds the free-text parameters so that a pasted page of text
// is refused with a message instead of turned into a slow query.
const maxWordsLen = 200

// apiEventParams are the query parameters of /api/events, /api/events.csv
// and /api/stats; any other is a 400, so that a misspelt filter is never
// silently an unfiltered answer. The names of the event's properties
// (event_type, sub_event_type, country_code, geo_precision) are accepted
// too, as GDAL and other clients that filter by field name send them.
func apiEventParams() []string {
	return []string{"bbox", "start", "end", "type", "event_type", "sub_event_type", "modality", "origin",
		"country", "country_code", "geo_precision", "actor", "q", "limit", "offset", "min_sources"}
}

// maxQueryLen bounds a query string before it is parsed.
const maxQueryLen = 8 << 10

// parseQuery reads a raw query string strictly. Where url.ParseQuery (and
// so echo) drops a pair it cannot decode and goes on, which turns
// bbox=%zz into an unfiltered answer, this refuses the whole query with a
// 400 naming the parameter: a bad percent-encoding, or a ';' (not a
// separator since Go 1.17, and a sign of a mistyped URL).
func parseQuery(raw string) (url.Values, error) {
	if len(raw) > maxQueryLen {
		return nil, geo.Errorf(geo.EINVALID, "query: %d bytes, want at most %d", len(raw), maxQueryLen)
	}
	v := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return nil, geo.Errorf(geo.EINVALID, "query: parameter name %.40q is not valid percent-encoding", k)
		}
		if strings.Contains(pair, ";") {
			return nil, geo.Errorf(geo.EINVALID, "%s: %.60q holds a ';'; separate parameters with '&' (and write a ';' inside a value as %%3B)", shortName(name), pair)
		}
		value, err := url.QueryUnescape(val)
		if err != nil {
			return nil, geo.Errorf(geo.EINVALID, "%s: %.40q is not valid percent-encoding (write %% as %%25)", shortName(name), val)
		}
		v[name] = append(v[name], value)
	}
	return v, nil
}

// shortName keeps a parameter name short enough to quote in a message.
func shortName(name string) string {
	if len(name) > 40 {
		return strconv.Quote(name[:40]) + "..."
	}
	return name
}

// apiQuery parses the request's query for an /api events route: strictly,
// and refusing parameters the route does not take.
func apiQuery(r *http.Request) (url.Values, error) {
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if err := checkParams(q, apiEventParams()); err != nil {
		return nil, err
	}
	return q, nil
}

// parseFilter reads DESIGN.md's query parameters (bbox, start, end, type,
// modality, country, actor, q, limit, offset, and the field-named
// event_type, sub_event_type, country_code, geo_precision) into a filter
// with its defaults filled in. Every error is a geo.EINVALID naming the
// parameter, so that a client sees at once which part of its URL is wrong.
// Callers refuse unknown parameters before.
func parseFilter(q url.Values) (geo.Filter, error) {
	f := geo.Filter{Limit: geo.DefaultLimit}
	for _, name := range []string{"bbox", "start", "end", "country", "country_code", "actor", "q", "limit", "offset", "min_sources"} {
		if len(q[name]) > 1 {
			return geo.Filter{}, geo.Errorf(geo.EINVALID, "%s: given %d times, want at most once", name, len(q[name]))
		}
	}
	if s := q.Get("bbox"); s != "" {
		b, err := parseBBox(s)
		if err != nil {
			return geo.Filter{}, err
		}
		f.BBox = &b
	}
	var err error
	if f.Start, err = parseDate("start", q.Get("start")); err != nil {
		return geo.Filter{}, err
	}
	if f.End, err = parseDate("end", q.Get("end")); err != nil {
		return geo.Filter{}, err
	}
	if f.Start != "" && f.End != "" && f.Start > f.End {
		return geo.Filter{}, geo.Errorf(geo.EINVALID, "start: %s is after end %s", f.Start, f.End)
	}
	if f.Types, err = parseEnum("type", q["type"], geo.IsEventType, eventTypes()); err != nil {
		return geo.Filter{}, err
	}
	more, err := parseEnum("event_type", q["event_type"], geo.IsEventType, eventTypes())
	if err != nil {
		return geo.Filter{}, err
	}
	f.Types = union(f.Types, more)
	if f.SubTypes, err = parseEnum("sub_event_type", q["sub_event_type"], isSubEventType, eventSubTypes()); err != nil {
		return geo.Filter{}, err
	}
	if f.Modalities, err = parseEnum("modality", q["modality"], geo.IsModality, geo.Modalities()); err != nil {
		return geo.Filter{}, err
	}
	if f.Origins, err = parseEnum("origin", q["origin"], geo.IsOrigin, geo.Origins()); err != nil {
		return geo.Filter{}, err
	}
	if f.Country, err = parseCountry("country", q.Get("country")); err != nil {
		return geo.Filter{}, err
	}
	cc, err := parseCountry("country_code", q.Get("country_code"))
	if err != nil {
		return geo.Filter{}, err
	}
	if cc != "" && f.Country != "" && cc != f.Country {
		return geo.Filter{}, geo.Errorf(geo.EINVALID, "country_code: %s differs from country %s; give one of them", cc, f.Country)
	}
	if cc != "" {
		f.Country = cc
	}
	if f.GeoPrecisions, err = parseGeoPrecisions(q["geo_precision"]); err != nil {
		return geo.Filter{}, err
	}
	if f.Actor, err = parseWords("actor", q.Get("actor")); err != nil {
		return geo.Filter{}, err
	}
	if f.Q, err = parseWords("q", q.Get("q")); err != nil {
		return geo.Filter{}, err
	}
	if f.Limit, err = parseLimit(q.Get("limit"), geo.DefaultLimit, geo.MaxLimit); err != nil {
		return geo.Filter{}, err
	}
	if f.Offset, err = parseOffset(q.Get("offset")); err != nil {
		return geo.Filter{}, err
	}
	if f.MinSources, err = parseMinSources(q.Get("min_sources")); err != nil {
		return geo.Filter{}, err
	}
	return f, nil
}

func parseCountry(name, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) != 2 || !isASCIILetters(s) {
		return "", geo.Errorf(geo.EINVALID, "%s: %.40q is not an ISO 3166-1 alpha-2 code (two letters, e.g. IQ)", name, s)
	}
	return strings.ToUpper(s), nil
}

// parseGeoPrecisions reads repeated geo_precision values (1, 2 or 3),
// sorted without duplicates.
func parseGeoPrecisions(vals []string) ([]int, error) {
	var out []int
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < geo.GeoTown || n > geo.GeoRegion {
			return nil, geo.Errorf(geo.EINVALID, "geo_precision: %.40q, want 1 (a town), 2 (near a town, part of a region) or 3 (a region, country or sea)", v)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

func isSubEventType(s string) bool { return slices.Contains(eventSubTypes(), s) }

// union merges two sorted lists without duplicates.
func union(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := append(append([]string(nil), a...), b...)
	sort.Strings(out)
	return compact(out)
}

// parseMinSources reads min_sources, the fewest sources an event must have;
// 0 and 1 select every event, and are written as 0 in cache keys.
func parseMinSources(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1000 {
		return 0, geo.Errorf(geo.EINVALID, "min_sources: %q is not a whole number from 0 to 1000", s)
	}
	if n <= 1 {
		return 0, nil
	}
	return n, nil
}

// parseBBox reads w,s,e,n or, as OGC API allows, w,s,zmin,e,n,zmax (heights
// ignored). West greater than east is a box across the antimeridian.
func parseBBox(s string) (geo.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return geo.BBox{}, geo.Errorf(geo.EINVALID, "bbox: got %d numbers, want 4 (west,south,east,north) or 6 with heights", len(parts))
	}
	nums := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return geo.BBox{}, geo.Errorf(geo.EINVALID, "bbox: %q is not a number", p)
		}
		nums[i] = v
	}
	if len(nums) == 6 {
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	b := geo.BBox{West: nums[0], South: nums[1], East: nums[2], North: nums[3]}
	for _, lon := range []float64{b.West, b.East} {
		if lon < -180 || lon > 180 {
			return geo.BBox{}, geo.Errorf(geo.EINVALID, "bbox: longitude %g is outside -180..180", lon)
		}
	}
	for _, lat := range []float64{b.South, b.North} {
		if lat < -90 || lat > 90 {
			return geo.BBox{}, geo.Errorf(geo.EINVALID, "bbox: latitude %g is outside -90..90", lat)
		}
	}
	if b.South > b.North {
		return geo.BBox{}, geo.Errorf(geo.EINVALID, "bbox: south %g is north of north %g", b.South, b.North)
	}
	return b, nil
}

// parseDate checks that s is a real calendar date in YYYY-MM-DD form.
func parseDate(name, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(geo.DateLayout, s)
	if err != nil {
		return "", geo.Errorf(geo.EINVALID, "%s: %q is not a date, want YYYY-MM-DD", name, s)
	}
	return t.Format(geo.DateLayout), nil
}

// parseEnum checks repeated (or comma-free) values against valid, and
// returns them sorted without duplicates so that equal filters share one
// cache entry.
func parseEnum(name string, vals []string, ok func(string) bool, valid []string) ([]string, error) {
	var out []string
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !ok(v) {
			return nil, geo.Errorf(geo.EINVALID, "%s: unknown value %.60q, want one of %s", name, v, quoteList(valid))
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return compact(out), nil
}

// parseWords reads a word filter (actor, q) in the case-folded form the
// stores search and the cache key and links carry, so that a filter that
// passes here passes again when a next link brings it back.
func parseWords(name, s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", geo.Errorf(geo.EINVALID, "%s: not valid UTF-8", name)
	}
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	if len(s) > maxWordsLen {
		return "", geo.Errorf(geo.EINVALID, "%s: %d characters, want at most %d", name, len(s), maxWordsLen)
	}
	return s, nil
}

// parseLimit reads a page size of at least 1; values above max are clamped
// rather than refused, so that a client asking for "everything" gets the
// largest page.
func parseLimit(s string, def, max int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil && isDigits(s) {
		// A number too large for int is a large limit, not an error.
		return max, nil
	}
	if err != nil || n < 1 {
		return 0, geo.Errorf(geo.EINVALID, "limit: %q is not a positive integer (1..%d)", s, max)
	}
	return min(n, max), nil
}

func parseOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, geo.Errorf(geo.EINVALID, "offset: %q is not a non-negative integer", s)
	}
	return n, nil
}

// canonicalQuery writes f with every default filled in and parameters in a
// fixed order, so that two URLs asking for the same answer share one cache
// key whatever their spelling.
func canonicalQuery(f geo.Filter) string {
	v := url.Values{}
	if f.BBox != nil {
		b := f.BBox
		v.Set("bbox", strings.Join([]string{fmtFloat(b.West), fmtFloat(b.South), fmtFloat(b.East), fmtFloat(b.North)}, ","))
	}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("start", f.Start)
	set("end", f.End)
	set("country", f.Country)
	set("actor", strings.ToLower(f.Actor))
	set("q", strings.ToLower(f.Q))
	v["type"] = f.Types
	v["modality"] = f.Modalities
	v["origin"] = f.Origins
	v["sub_event_type"] = f.SubTypes
	for _, p := range f.GeoPrecisions {
		v.Add("geo_precision", strconv.Itoa(p))
	}
	v.Set("limit", strconv.Itoa(f.Limit))
	v.Set("offset", strconv.Itoa(f.Offset))
	if f.MinSources > 1 {
		v.Set("min_sources", strconv.Itoa(f.MinSources))
	}
	return v.Encode()
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func eventTypes() []string {
	taxonomy := geo.Taxonomy()
	out := make([]string, len(taxonomy))
	for i, t := range taxonomy {
		out[i] = t.Type
	}
	return out
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func isASCIILetters(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
