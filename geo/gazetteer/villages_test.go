package gazetteer

import (
	"sync"
	"testing"
)

func loadFresh(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestVillageCountriesLoad(t *testing.T) {
	g := loadFresh(t)
	ccs := g.VillageCountries()
	if len(ccs) < 30 {
		t.Fatalf("village tier covers %d countries, want the 32 of the sources: %v", len(ccs), ccs)
	}
	for _, cc := range ccs {
		if g.villages[cc].text != "" {
			t.Fatalf("%s was read at Load; the village tier must wait for its first lookup", cc)
		}
	}
	total := 0
	for _, cc := range ccs {
		if err := g.LoadVillages(cc); err != nil {
			t.Fatal(err)
		}
		vs := g.villages[cc]
		total += len(vs.places)
		// Every key finds rows, and every row's own name finds it.
		for i := 0; i < len(vs.places); i += 997 {
			v := g.village(vs, i)
			found := false
			for _, w := range g.Villages(v.Name, cc) {
				found = found || w.GeonameID == v.GeonameID
			}
			if !found {
				t.Errorf("%s: %q (%d) not found by its own name", cc, v.Name, v.GeonameID)
			}
			if v.CountryCode != cc || v.Country == "" || v.Point[0] == 0 {
				t.Errorf("%s: row %d decodes badly: %+v", cc, i, v)
			}
		}
	}
	if total < 500_000 {
		t.Errorf("village tier holds %d places, want most of the 757,874 source rows", total)
	}
	if err := g.LoadVillages("FR"); err == nil {
		t.Error("LoadVillages(FR): no error for a country the tier does not cover")
	}
}

func TestLookupVillageAdminContext(t *testing.T) {
	g := loadFresh(t)
	cases := []struct {
		name, cc, within, wantAdmin1, wantDistrict string
	}{
		{"Shirigari", "NG", "Kaduna State", "Kaduna State", "Birnin-Gwari"},
		{"Shirigari", "NG", "Birnin Gwari", "Kaduna State", "Birnin-Gwari"},
		{"Embisson", "ML", "Mopti region", "Mopti", "Bandiagara"},
		{"Jalwah", "SY", "Al-Hasakah", "Al-Hasakah", ""},
		{"Jalwah", "SY", "Hasakah governorate", "Al-Hasakah", ""},
		{"Jalwah", "SY", "Hasaka", "Al-Hasakah", ""},
	}
	for _, c := range cases {
		vs, err := g.LookupVillage(c.name, c.cc, c.within)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) == 0 {
			t.Errorf("LookupVillage(%q, %s, %q): nothing", c.name, c.cc, c.within)
			continue
		}
		v := vs[0]
		if v.Admin1 != c.wantAdmin1 || c.wantDistrict != "" && v.District != c.wantDistrict {
			t.Errorf("LookupVillage(%q, %s, %q) = %s / %s, want %s / %s", c.name, c.cc, c.within, v.Admin1, v.District, c.wantAdmin1, c.wantDistrict)
		}
	}
	// A province that is not the village's rules it out.
	if vs, _ := g.LookupVillage("Shirigari", "NG", "Kano State"); len(vs) != 0 {
		t.Errorf("Shirigari in Kano State: %+v, want nothing", vs)
	}
	if vs, _ := g.LookupVillage("Embisson", "ML", "Gao region"); len(vs) != 0 {
		t.Errorf("Embisson in Gao region: %+v, want nothing", vs)
	}
}

func TestLookupVillageSameNameTwoProvinces(t *testing.T) {
	g := loadFresh(t)
	all, err := g.LookupVillage("Yakawada", "NG")
	if err != nil {
		t.Fatal(err)
	}
	a1 := map[string]bool{}
	for _, v := range all {
		a1[v.Admin1] = true
	}
	if !a1["Kaduna State"] || !a1["Katsina State"] {
		t.Fatalf("Yakawada readings in %v, want Kaduna and Katsina states", a1)
	}
	for _, st := range []string{"Kaduna State", "Katsina"} {
		vs, _ := g.LookupVillage("Yakawada", "NG", st)
		if len(vs) == 0 {
			t.Fatalf("Yakawada in %s: nothing", st)
		}
		for _, v := range vs {
			if !v.In(st) {
				t.Errorf("Yakawada in %s gave one in %s", st, v.Admin1)
			}
		}
	}
}

func TestLookupVillageCountry(t *testing.T) {
	g := loadFresh(t)
	// A namesake in another country is not returned for this one.
	for _, v := range g.Villages("Hassan", "IQ") {
		if v.CountryCode != "IQ" {
			t.Errorf("Hassan in IQ returned %+v", v)
		}
	}
	if len(g.Villages("Jalwah", "SY")) == 0 {
		t.Error("Jalwah not found in Syria")
	}
	if vs := g.Villages("Jalwah", "IQ"); len(vs) != 0 {
		t.Errorf("Jalwah found in Iraq: %+v", vs)
	}
	// Places of the core tier are not repeated in the village tier.
	for _, p := range g.Lookup("Kaduna") {
		for _, v := range g.Villages("Kaduna", "NG") {
			if v.GeonameID == p.GeonameID {
				t.Errorf("Kaduna (%d) is in both tiers", p.GeonameID)
			}
		}
	}
}

func TestLookupVillageDestroyed(t *testing.T) {
	g := loadFresh(t)
	vs := g.Villages("Ad Dusiyah", "SY")
	if len(vs) == 0 || vs[0].FeatureCode != "PPLW" {
		t.Fatalf("Ad Dusiyah, Syria (a destroyed village): %+v, want a PPLW reading", vs)
	}
	if Tier(vs[0]) != 8 {
		t.Errorf("a destroyed village ranks %d, want 8 (after living places)", Tier(vs[0]))
	}
}

func TestLookupVillageConcurrent(t *testing.T) {
	g := loadFresh(t)
	var wg sync.WaitGroup
	res := make([]int, 8)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = len(g.Villages("Shirigari", "NG", "Kaduna"))
		}()
	}
	wg.Wait()
	for i, n := range res {
		if n != 1 {
			t.Errorf("goroutine %d found %d Shirigari, want 1", i, n)
		}
	}
}

func TestVillagePrefix(t *testing.T) {
	g := loadFresh(t)
	if !g.VillagePrefix("Birnin", "NG") {
		t.Error(`no village of Nigeria continues "Birnin"`)
	}
	if g.VillagePrefix("Shirigari", "NG") {
		t.Error(`"Shirigari" continued by a longer name`)
	}
}
