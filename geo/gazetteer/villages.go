package gazetteer

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"conflictmap/geo"
)

// The village tier: GeoNames villages, hamlets, abandoned and destroyed
// places and districts of the countries that conflict news covers, that the
// core tier (cities500) does not hold. Hundreds of thousands of names bring
// namesakes and common words, so the tier is never searched by Lookup: a
// caller asks for a country's villages by name when the text places one
// there ("X, Kaduna State", "the village of X").
//
// The generator (./gen, make villages) writes one file per country,
// data/villages/CC.tsv.gz, gzip-compressed UTF-8:
//
//	conflictmap-villages  1  CC
//	@places  count
//	iddelta  name  feature  admin1  admin2  lat  lon  population  region  district
//	@keys    count
//	key      i,i,...     (sorted by key; row numbers in base 36, best first)
//
// Rows are in geonameid order and give their id as the difference from the
// previous row's. region and district are the province and district names
// the source gives (Who's On First's hierarchy, or GeoNames' admin codes).
// A country's file is read the first time a caller asks for that country.

// villageSet is one country's part of the village tier.
type villageSet struct {
	cc   string
	file string
	once sync.Once
	err  error

	text   string
	places []uint32 // offset of each place line
	ids    []int64
	keys   []uint32 // offset of each key line, in key order

	regions sync.Map // source region name -> [admin1 code, core name]
}

// Village is a place of the village tier with the admin context a caller
// needs to check it against the text: "X, Kaduna State" should name the
// village's own province.
type Village struct {
	geo.Place
	// Admin1Code and Admin2Code are GeoNames' admin codes (Admin2Code is
	// often empty: the source rows of most countries lack it).
	Admin1Code, Admin2Code string
	// Region and District are the province and district names the source
	// gives; Place.Admin1 is the core tier's name of Admin1Code.
	Region, District string
}

// newVillageSets lists the country files of the village tier without
// reading them.
func newVillageSets(fsys fs.FS) map[string]*villageSet {
	out := map[string]*villageSet{}
	if fsys == nil {
		return out
	}
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return out
	}
	for _, e := range ents {
		cc, ok := strings.CutSuffix(e.Name(), ".tsv.gz")
		if !ok || len(cc) != 2 {
			continue
		}
		out[cc] = &villageSet{cc: cc, file: e.Name()}
	}
	return out
}

// VillageCountries returns the ISO codes of the countries the village tier
// covers, sorted.
func (g *Gazetteer) VillageCountries() []string {
	out := make([]string, 0, len(g.villages))
	for cc := range g.villages {
		out = append(out, cc)
	}
	sort.Strings(out)
	return out
}

// HasVillages reports whether the village tier covers country cc.
func (g *Gazetteer) HasVillages(cc string) bool {
	_, ok := g.villages[strings.ToUpper(cc)]
	return ok
}

// LoadVillages reads country cc's villages now rather than on first lookup.
// It is safe to call more than once and from several goroutines.
func (g *Gazetteer) LoadVillages(cc string) error {
	vs, ok := g.villages[strings.ToUpper(cc)]
	if !ok {
		return fmt.Errorf("gazetteer: no village data for %q", cc)
	}
	return g.loadSet(vs)
}

func (g *Gazetteer) loadSet(vs *villageSet) error {
	vs.once.Do(func() {
		raw, err := fs.ReadFile(g.villageFS, vs.file)
		if err == nil {
			err = vs.decode(raw)
		}
		if err != nil {
			vs.err = fmt.Errorf("%w: villages %s: %v", ErrFormat, vs.cc, err)
		}
	})
	return vs.err
}

// decode gunzips one country's file and indexes its lines.
func (vs *villageSet) decode(gz []byte) error {
	t, err := gunzipString(gz)
	if err != nil {
		return err
	}
	head := "conflictmap-villages\t1\t" + vs.cc + "\n"
	if !strings.HasPrefix(t, head) {
		return fmt.Errorf("unknown header")
	}
	section := ""
	var id int64
	for pos := len(head); pos < len(t); {
		end := strings.IndexByte(t[pos:], '\n')
		if end < 0 {
			end = len(t)
		} else {
			end += pos
		}
		line := t[pos:end]
		if strings.HasPrefix(line, "@") {
			name, count, _ := strings.Cut(line[1:], "\t")
			section = name
			n, _ := strconv.Atoi(count)
			switch section {
			case "places":
				vs.places = make([]uint32, 0, n)
				vs.ids = make([]int64, 0, n)
			case "keys":
				vs.keys = make([]uint32, 0, n)
			}
			pos = end + 1
			continue
		}
		switch section {
		case "places":
			d, _, _ := strings.Cut(line, "\t")
			delta, err := strconv.ParseInt(d, 10, 64)
			if err != nil {
				return fmt.Errorf("place %d: bad id", len(vs.places))
			}
			id += delta
			vs.places = append(vs.places, uint32(pos))
			vs.ids = append(vs.ids, id)
		case "keys":
			vs.keys = append(vs.keys, uint32(pos))
		}
		pos = end + 1
	}
	vs.text = t
	if len(vs.places) == 0 || len(vs.keys) == 0 {
		return fmt.Errorf("no places")
	}
	return nil
}

func (vs *villageSet) line(off uint32) string { return lineAt(vs.text, off) }

// postings returns the row numbers of key, best first.
func (vs *villageSet) postings(key string) []int {
	return postingsIn(vs.text, vs.keys, key, len(vs.places))
}

// village decodes row i.
func (g *Gazetteer) village(vs *villageSet, i int) Village {
	f := strings.SplitN(vs.line(vs.places[i]), "\t", 10)
	for len(f) < 10 {
		f = append(f, "")
	}
	v := Village{
		Place: geo.Place{
			GeonameID:   vs.ids[i],
			Name:        f[1],
			CountryCode: vs.cc,
			FeatureCode: f[2],
		},
		Admin1Code: f[3],
		Admin2Code: f[4],
		Region:     f[8],
		District:   f[9],
	}
	if c, ok := g.countries[vs.cc]; ok {
		v.Country = fields(g.line(g.places[c]), 3)[1]
	}
	if f[3] != "" {
		v.Admin1 = g.admin1[vs.cc+"."+f[3]]
	}
	if v.Admin1 == "" && v.Region != "" {
		v.Admin1Code, v.Admin1 = g.regionAdmin1(vs, v.Region)
	}
	lat, _ := strconv.ParseFloat(f[5], 64)
	lon, _ := strconv.ParseFloat(f[6], 64)
	v.Point = orb.Point{lon, lat}
	v.Population, _ = strconv.ParseInt(f[7], 10, 64)
	return v
}

// regionAdmin1 finds the first-level region of the core tier that a
// source's region name stands for ("Kaduna" for "Kaduna State"), for rows
// without an admin1 code; without a match it returns the name as given.
func (g *Gazetteer) regionAdmin1(vs *villageSet, region string) (string, string) {
	if hit, ok := vs.regions.Load(region); ok {
		pair := hit.([2]string)
		return pair[0], pair[1]
	}
	pair := [2]string{"", region}
	forms := adminForms(region)
	prefix := vs.cc + "."
	for code, name := range g.admin1 {
		if !strings.HasPrefix(code, prefix) {
			continue
		}
		for _, a := range adminForms(name) {
			for _, b := range forms {
				if a == b {
					pair = [2]string{code[len(prefix):], name}
				}
			}
		}
	}
	vs.regions.Store(region, pair)
	return pair[0], pair[1]
}

// LookupVillage returns the places of the village tier called name (its
// name, ASCII name or a Latin-script alternate name, normalised as Lookup
// does), best first: living places before abandoned or destroyed ones, then
// by population. country limits the answer to one country (ISO code; ""
// searches every covered country, which reads all of the tier). Each name
// of within must agree with the village's province or district: "Kaduna
// State", "Mopti region", "Al-Hasakah", "Birnin Gwari district" (suffixes
// such as State, region, province, governorate or district are optional).
// The first lookup of a country reads its file (tens of milliseconds); an
// error says that file is damaged.
func (g *Gazetteer) LookupVillage(name, country string, within ...string) ([]Village, error) {
	key := Normalize(name)
	if key == "" {
		return nil, nil
	}
	var sets []*villageSet
	if country == "" {
		for _, cc := range g.VillageCountries() {
			sets = append(sets, g.villages[cc])
		}
	} else if vs, ok := g.villages[strings.ToUpper(country)]; ok {
		sets = append(sets, vs)
	}
	var out []Village
	for _, vs := range sets {
		if err := g.loadSet(vs); err != nil {
			return out, err
		}
		for _, i := range vs.postings(key) {
			v := g.village(vs, i)
			ok := true
			for _, w := range within {
				if !v.In(w) {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// Villages is LookupVillage for callers that need the places only; a
// country whose file cannot be read has no villages here (LookupVillage
// says why).
func (g *Gazetteer) Villages(name, country string, within ...string) []geo.Place {
	vs, _ := g.LookupVillage(name, country, within...)
	out := make([]geo.Place, len(vs))
	for i, v := range vs {
		out[i] = v.Place
	}
	return out
}

// VillagePrefix reports whether some village of country continues name
// with more words, so that a caller scanning text can stop extending a
// phrase when none does. It reads the country's file if need be.
func (g *Gazetteer) VillagePrefix(name, country string) bool {
	vs, ok := g.villages[strings.ToUpper(country)]
	if !ok || g.loadSet(vs) != nil || Normalize(name) == "" {
		return false
	}
	k := strings.TrimSuffix(Normalize(name+" x"), "x")
	return prefixIn(vs.text, vs.keys, k)
}

// In reports whether admin, a province or district name as a text gives
// it, agrees with the village's: its first-level region (by the core
// tier's name for its code or the source's), or its district.
func (v Village) In(admin string) bool {
	want := adminForms(admin)
	if len(want) == 0 {
		return false
	}
	for _, have := range []string{v.Admin1, v.Region, v.District} {
		for _, h := range adminForms(have) {
			for _, w := range want {
				if h == w {
					return true
				}
			}
		}
	}
	return false
}

// adminWords are the words before or after a province or district name
// that texts and sources add or leave out as they please.
var adminWords = map[string]bool{
	"state": true, "region": true, "regional": true, "province": true, "governorate": true,
	"district": true, "oblast": true, "raion": true, "rayon": true, "county": true,
	"department": true, "prefecture": true, "division": true, "municipality": true,
	"muhafazat": true, "wilayat": true, "wilaya": true, "cercle": true, "lga": true,
	"local": true, "government": true, "area": true, "of": true, "the": true,
}

// adminForms returns the keys under which an admin name may be compared:
// normalised, without admin words, without a leading "al", and each part of
// a name given with a parenthesised alternative ("Hasaka (Al Haksa)").
func adminForms(name string) []string {
	var parts []string
	if open := strings.IndexByte(name, '('); open >= 0 {
		inner := name[open+1:]
		if close := strings.IndexByte(inner, ')'); close >= 0 {
			inner = inner[:close]
		}
		parts = append(parts, name[:open], inner)
	} else {
		parts = append(parts, name)
	}
	var out []string
	for _, p := range parts {
		words := strings.Fields(Normalize(p))
		kept := words[:0]
		for _, w := range words {
			if !adminWords[w] {
				kept = append(kept, w)
			}
		}
		if len(kept) > 1 && kept[0] == "al" {
			kept = kept[1:]
		}
		if k := strings.Join(kept, " "); k != "" {
			out = append(out, k, strings.ReplaceAll(k, " ", ""))
		}
	}
	return out
}
