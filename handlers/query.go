package handlers

import (
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
)

// maxWordsLen bounds the free-text parameters so that a pasted page of text
// is refused with a message instead of turned into a slow query.
const maxWordsLen = 200

// parseFilter reads DESIGN.md's query parameters (bbox, start, end, type,
// modality, country, actor, q, limit, offset) into a filter with its
// defaults filled in. Every error is a geo.EINVALID naming the parameter, so
// that a client sees at once which part of its URL is wrong. Unknown
// parameters are ignored (browsers and proxies add their own).
func parseFilter(q url.Values) (geo.Filter, error) {
	f := geo.Filter{Limit: geo.DefaultLimit}
	for _, name := range []string{"bbox", "start", "end", "country", "actor", "q", "limit", "offset"} {
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
	if f.Modalities, err = parseEnum("modality", q["modality"], geo.IsModality, geo.Modalities()); err != nil {
		return geo.Filter{}, err
	}
	if f.Origins, err = parseEnum("origin", q["origin"], geo.IsOrigin, geo.Origins()); err != nil {
		return geo.Filter{}, err
	}
	if s := strings.TrimSpace(q.Get("country")); s != "" {
		if len(s) != 2 || !isASCIILetters(s) {
			return geo.Filter{}, geo.Errorf(geo.EINVALID, "country: %q is not an ISO 3166-1 alpha-2 code (two letters, e.g. IQ)", s)
		}
		f.Country = strings.ToUpper(s)
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
	return f, nil
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
			return nil, geo.Errorf(geo.EINVALID, "%s: unknown value %q, want one of %s", name, v, quoteList(valid))
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return compact(out), nil
}

func parseWords(name, s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
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
	v.Set("limit", strconv.Itoa(f.Limit))
	v.Set("offset", strconv.Itoa(f.Offset))
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
