package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"conflictmap/geo/gazetteer"
)

// villageConfig says where the village tier comes from and where it goes.
type villageConfig struct {
	wof        string   // directory of CC.txt + CC.wof.tsv (GeoNames rows converted from Who's On First)
	geonames   []string // GeoNames dumps (CC.txt, allCountries.txt), 19 columns
	adminCodes []string // GeoNames admin1CodesASCII.txt / admin2Codes.txt
	countries  map[string]bool
	core       string // the core tier's file, for deduplication
	out        string // directory of the per-country files
}

// vrow is one populated place or district read from a source.
type vrow struct {
	id             int64
	name, ascii    string
	alts           []string
	lat, lon       float64
	class, fc, cc  string
	a1, a2         string
	pop            int64
	region, county string // admin names given by the source (the WOF side file)
}

// vstats sums up a village build.
type vstats struct {
	read, kept, inCore, nearCore, dupes, skipped int
	countries                                    int
	keys                                         int
	bytes, gzBytes                               int
}

func (s vstats) String() string {
	return fmt.Sprintf("villages: %d countries, %d rows read, %d kept (%d keys); left out: %d in the core tier by id, %d a core place of the same name within %g km, %d duplicates, %d other features; %d bytes (%d gzip)",
		s.countries, s.read, s.kept, s.keys, s.inCore, s.nearCore, nearKm, s.dupes, s.skipped, s.bytes, s.gzBytes)
}

// nearKm is how close a village may lie to a place of the same name and be
// taken for the same place.
const nearKm = 3.0

// runVillages builds the village tier: one gzip file per country.
func runVillages(cfg villageConfig) (vstats, error) {
	var st vstats
	rows := map[string]map[int64]*vrow{} // cc -> id -> row; later sources replace earlier ones
	add := func(r *vrow) {
		if len(cfg.countries) > 0 && !cfg.countries[r.cc] {
			return
		}
		m := rows[r.cc]
		if m == nil {
			m = map[int64]*vrow{}
			rows[r.cc] = m
		}
		if old := m[r.id]; old != nil && r.region == "" && r.county == "" {
			r.region, r.county = old.region, old.county
		}
		m[r.id] = r
		st.read++
	}
	if cfg.wof != "" {
		files, err := filepath.Glob(filepath.Join(cfg.wof, "*.txt"))
		if err != nil {
			return st, err
		}
		if len(files) == 0 {
			return st, fmt.Errorf("%s: no CC.txt files", cfg.wof)
		}
		for _, f := range files {
			side, err := readWOFSide(strings.TrimSuffix(f, ".txt") + ".wof.tsv")
			if err != nil {
				return st, err
			}
			fileCC := strings.TrimSuffix(filepath.Base(f), ".txt")
			if err := readGeoNames(f, func(r *vrow) {
				if r.cc != fileCC {
					// Filed under another country's repository: its side
					// file names that country's hierarchy.
					st.skipped++
					return
				}
				if s, ok := side[r.id]; ok {
					r.region, r.county = s[0], s[1]
				}
				add(r)
			}); err != nil {
				return st, err
			}
		}
	}
	for _, f := range cfg.geonames {
		if err := readGeoNames(f, add); err != nil {
			return st, err
		}
	}
	if len(rows) == 0 {
		return st, errors.New("villages: no rows read (give -wof or -geonames)")
	}
	adminNames := map[string]string{} // "CC.A1" or "CC.A1.A2" -> name
	for _, f := range cfg.adminCodes {
		if err := readAdminCodes(f, adminNames); err != nil {
			return st, err
		}
	}
	core, err := readCore(cfg.core)
	if err != nil {
		return st, err
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return st, err
	}
	ccs := make([]string, 0, len(rows))
	for cc := range rows {
		ccs = append(ccs, cc)
	}
	sort.Strings(ccs)
	for _, cc := range ccs {
		data, n, err := encodeVillages(cc, rows[cc], adminNames, core, &st)
		if err != nil {
			return st, err
		}
		if n == 0 {
			continue
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return st, err
		}
		st.bytes += len(data)
		st.gzBytes += gz.Len()
		st.countries++
		if err := os.WriteFile(filepath.Join(cfg.out, cc+".tsv.gz"), gz.Bytes(), 0o644); err != nil {
			return st, err
		}
	}
	return st, nil
}

// readGeoNames reads a file in GeoNames' "geoname" table layout (19
// tab-separated columns), gzip-compressed or not.
func readGeoNames(path string, fn func(*vrow)) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	var r io.Reader = fh
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	ln := 0
	for sc.Scan() {
		ln++
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 15 {
			return fmt.Errorf("%s:%d: %d fields, want 19", path, ln, len(f))
		}
		v := &vrow{name: f[1], ascii: f[2], class: f[6], fc: f[7], cc: f[8], a1: f[10], a2: f[11]}
		var e1, e2, e3 error
		v.id, e1 = strconv.ParseInt(f[0], 10, 64)
		v.lat, e2 = strconv.ParseFloat(f[4], 64)
		v.lon, e3 = strconv.ParseFloat(f[5], 64)
		if e1 != nil || e2 != nil || e3 != nil {
			return fmt.Errorf("%s:%d: bad id or point", path, ln)
		}
		v.pop, _ = strconv.ParseInt(f[14], 10, 64)
		if f[3] != "" {
			v.alts = strings.Split(f[3], ",")
		}
		fn(v)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readWOFSide reads CC.wof.tsv: geonameid -> {region name, district name}.
func readWOFSide(path string) (map[int64][2]string, error) {
	out := map[int64][2]string{}
	err := readLines(path, func(line string) {
		f := strings.Split(line, "\t")
		for len(f) < 5 {
			f = append(f, "")
		}
		if f[0] == "geonameid" {
			return
		}
		id, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return
		}
		out[id] = [2]string{strings.TrimSpace(f[3]), strings.TrimSpace(f[4])}
	})
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	return out, err
}

// readAdminCodes reads GeoNames' admin1CodesASCII.txt or admin2Codes.txt
// ("CC.A1[.A2]<TAB>name<TAB>ascii name<TAB>geonameid").
func readAdminCodes(path string, out map[string]string) error {
	return readLines(path, func(line string) {
		f := strings.Split(line, "\t")
		if len(f) >= 3 && f[0] != "" {
			n := f[2]
			if n == "" {
				n = f[1]
			}
			out[f[0]] = n
		}
	})
}

// coreTier is what the village build needs of the core tier: its ids, and
// its points by name key.
type coreTier struct {
	ids    map[int64]bool
	byKey  map[string][]int
	points [][2]float64
	ccs    []string
}

// readCore reads the core tier's file as package gazetteer writes it.
func readCore(path string) (*coreTier, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := &coreTier{ids: map[int64]bool{}, byKey: map[string][]int{}}
	section := ""
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "@") {
			section, _, _ = strings.Cut(line[1:], "\t")
			continue
		}
		f := strings.Split(line, "\t")
		switch section {
		case "places":
			if len(f) < 7 {
				continue
			}
			id, _ := strconv.ParseInt(f[0], 10, 64)
			lat, _ := strconv.ParseFloat(f[5], 64)
			lon, _ := strconv.ParseFloat(f[6], 64)
			c.ids[id] = true
			c.points = append(c.points, [2]float64{lat, lon})
			c.ccs = append(c.ccs, f[2])
		case "keys":
			if len(f) < 2 {
				continue
			}
			for _, s := range strings.Split(f[1], ",") {
				if n, err := strconv.ParseInt(s, 36, 32); err == nil {
					c.byKey[f[0]] = append(c.byKey[f[0]], int(n))
				}
			}
		}
	}
	if len(c.ids) == 0 {
		return nil, fmt.Errorf("%s: no places", path)
	}
	return c, nil
}

// near reports whether the core tier holds a place of country cc called key
// within nearKm of (lat, lon).
func (c *coreTier) near(key, cc string, lat, lon float64) bool {
	for _, i := range c.byKey[key] {
		if c.ccs[i] == cc && km(lat, lon, c.points[i][0], c.points[i][1]) <= nearKm {
			return true
		}
	}
	return false
}

func km(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// villageFeature reports whether a row belongs in the village tier:
// populated places (abandoned and destroyed ones too) and second- and
// third-level districts. First-level regions and countries are in the core
// tier; airports and other sites in the WOF rows carry unreliable names.
func villageFeature(r *vrow) bool {
	switch r.class {
	case "P":
		return true
	case "A":
		return r.fc == "ADM2" || r.fc == "ADM3"
	}
	return false
}

// vplace is one row of a country's village file.
type vplace struct {
	*vrow
	keys []string
	rank int
}

// rank orders the rows of one name: living places before historical,
// abandoned or destroyed ones, GeoNames rows before the others.
func rankOf(r *vrow) int {
	n := 0
	switch r.fc {
	case "PPLH", "PPLQ", "PPLW":
		n += 2
	}
	if r.id < 0 {
		n++
	}
	return n
}

// encodeVillages writes one country's village file in the format package
// gazetteer documents (villages.go) and returns it with its row count.
func encodeVillages(cc string, rows map[int64]*vrow, adminNames map[string]string, core *coreTier, st *vstats) ([]byte, int, error) {
	// Admin names of the country's own rows, for GeoNames dumps without a side file.
	for _, r := range rows {
		if r.class != "A" {
			continue
		}
		n := r.ascii
		if n == "" {
			n = r.name
		}
		switch r.fc {
		case "ADM1":
			if _, ok := adminNames[cc+"."+r.a1]; !ok && r.a1 != "" {
				adminNames[cc+"."+r.a1] = n
			}
		case "ADM2":
			if _, ok := adminNames[cc+"."+r.a1+"."+r.a2]; !ok && r.a1 != "" && r.a2 != "" {
				adminNames[cc+"."+r.a1+"."+r.a2] = n
			}
		}
	}
	ids := make([]int64, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var places []*vplace
	for _, id := range ids {
		r := rows[id]
		if !villageFeature(r) {
			st.skipped++
			continue
		}
		if core.ids[r.id] {
			st.inCore++
			continue
		}
		if r.ascii == "" {
			r.ascii = r.name
		}
		p := &vplace{vrow: r, rank: rankOf(r)}
		seen := map[string]bool{}
		addKey := func(n string) {
			k := gazetteer.Normalize(n)
			if k == "" || seen[k] || !latinKey(k) || len(k) < 3 {
				return
			}
			seen[k] = true
			p.keys = append(p.keys, k)
		}
		addKey(r.name)
		addKey(r.ascii)
		if len(p.keys) == 0 {
			st.skipped++
			continue
		}
		if core.near(p.keys[0], cc, r.lat, r.lon) {
			st.nearCore++
			continue
		}
		for _, a := range r.alts {
			addKey(a)
		}
		if r.region == "" {
			r.region = adminNames[cc+"."+r.a1]
		}
		if r.county == "" && r.a2 != "" {
			r.county = adminNames[cc+"."+r.a1+"."+r.a2]
		}
		places = append(places, p)
	}
	// One place recorded twice (a historical entry and the village, a WOF
	// row and a GeoNames row): same name, within nearKm; keep the better.
	slices.SortStableFunc(places, func(a, b *vplace) int { return a.rank - b.rank })
	byKey := map[string][]*vplace{}
	kept := places[:0]
	for _, p := range places {
		dup := false
		if p.class == "P" {
			for _, q := range byKey[p.keys[0]] {
				if q.class == "P" && km(p.lat, p.lon, q.lat, q.lon) <= nearKm {
					dup = true
					break
				}
			}
		}
		if dup {
			st.dupes++
			continue
		}
		byKey[p.keys[0]] = append(byKey[p.keys[0]], p)
		kept = append(kept, p)
	}
	places = kept
	slices.SortFunc(places, func(a, b *vplace) int {
		if a.id < b.id {
			return -1
		}
		if a.id > b.id {
			return 1
		}
		return 0
	})
	if len(places) == 0 {
		return nil, 0, nil
	}
	index := map[string][]int{}
	for i, p := range places {
		for _, k := range p.keys {
			index[k] = append(index[k], i)
		}
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	fmt.Fprintf(w, "conflictmap-villages\t1\t%s\n", cc)
	fmt.Fprintf(w, "@places\t%d\n", len(places))
	var prev int64
	for _, p := range places {
		// Ids as the difference from the previous row's: rows are in id
		// order, and small numbers compress far better.
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", p.id-prev, clean(p.ascii), p.fc, p.a1, p.a2,
			strconv.FormatFloat(round4(p.lat), 'f', -1, 64), strconv.FormatFloat(round4(p.lon), 'f', -1, 64),
			p.pop, clean(p.region), clean(p.county))
		prev = p.id
	}
	fmt.Fprintf(w, "@keys\t%d\n", len(index))
	for _, k := range sortedKeys(index) {
		list := index[k]
		slices.SortStableFunc(list, func(a, b int) int {
			if d := places[a].rank - places[b].rank; d != 0 {
				return d
			}
			return int(places[b].pop - places[a].pop)
		})
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
	if err := w.Flush(); err != nil {
		return nil, 0, err
	}
	st.kept += len(places)
	st.keys += len(index)
	return buf.Bytes(), len(places), nil
}

// latinKey reports whether a normalised key is in Latin letters and digits
// only: news in English spells places so, and other scripts would double the
// file for no gain.
func latinKey(k string) bool {
	letter := false
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case 'a' <= c && c <= 'z':
			letter = true
		case '0' <= c && c <= '9', c == ' ':
		default:
			return false
		}
	}
	return letter
}

// clean keeps a field free of the file's separators.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }
