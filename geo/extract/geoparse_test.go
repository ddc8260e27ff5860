package extract

import (
	"encoding/json"
	"fmt"

	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"conflictmap/geo"
	"conflictmap/geo/eval"
)

// roleOf returns the role of the first mention written as name in the
// geoparse of text, or "" when there is none.
func roleOf(ms []PlaceMention, name string) Role {
	for _, m := range ms {
		if m.Text == name {
			return m.Role
		}
	}
	return ""
}

func describeMentions(ms []PlaceMention) string {
	var b strings.Builder
	for _, m := range ms {
		loc := "<unresolved>"
		if m.Place != nil {
			loc = m.Place.Name + "/" + m.Place.CountryCode
		}
		fmt.Fprintf(&b, "  [%d:%d] %q %s %s\n", m.Start, m.End, m.Text, loc, m.Role)
	}
	return b.String()
}

// TestGeoparseRoles checks the role of a place on short texts written for
// each role.
func TestGeoparseRoles(t *testing.T) {
	x := extractorForTest(t)
	cases := []struct {
		text  string
		place string
		want  Role
	}{
		{"Russian missiles struck Kharkiv on Monday, killing three people.", "Kharkiv", RoleEvent},
		{"KHARKIV, Ukraine (AP) — Russian missiles struck Odesa on Monday, killing three people.", "KHARKIV", RoleDateline},
		{"Russian missiles struck Odesa on Monday, killing three people, officials in Kyiv said.", "Odesa", RoleEvent},
		{"Moscow said the talks had failed.", "Moscow", RoleActor},
		{"Washington has warned that it will respond.", "Washington", RoleActor},
		{"The sanctions were announced after a statement by Israel on Friday.", "Israel", RoleActor},
		{"Iran's president met the delegation on Sunday.", "Iran", RoleDescriptor},
		{"Tehran-backed militias have grown stronger this year.", "Tehran", RoleDescriptor},
		{"The Kyiv Independent reported the figures on Sunday.", "Kyiv", RoleName},
		{"A spokesman for the Texas Department of Public Safety said the road was closed.", "Texas", RoleName},
		{"She studied at George Washington University before moving abroad.", "Washington", ""},
		{"She lost her seat in the U.S. House of Representatives last year.", "U.S.", RoleName},
		{"The US said it would respond.", "US", RoleActor},
		{"Officers of the Florida Association of Realtors met on Monday.", "Florida", RoleName},
		{"Jordan Peterson spoke to the crowd on Monday.", "Jordan", ""},
		{"The Islamic Resistance in Iraq claimed the attack.", "Iraq", RoleName},
		{"The farm lies near Bakhmut and grows wheat.", "Bakhmut", RoleContext},
		{"Gunmen attacked a police post in Gwoza, Borno, on Tuesday.", "Borno", RoleContext},
		{"Gunmen attacked a police post in Gwoza, Borno, on Tuesday.", "Gwoza", RoleEvent},
		{"The family fled from Aleppo last year and now lives in Berlin.", "Aleppo", RoleOrigin},
		{"The delegation travelled to Doha for a second round of talks.", "Doha", RoleDestination},
		{"The report praised the economy of Kenya in glowing terms.", "Kenya", RoleOther},
		{"Iraqi forces shelled Mosul on Monday.", "Iraqi", RoleDescriptor},
	}
	for _, c := range cases {
		ms, err := x.Geoparse(geo.Article{Text: c.text, Published: "2024-03-04"})
		if err != nil {
			t.Fatal(err)
		}
		if got := roleOf(ms, c.place); got != c.want {
			t.Errorf("%q: %s is %q, want %q\n%s", c.text, c.place, got, c.want, describeMentions(ms))
		}
	}
}

// TestGeoparseDemonyms checks that a word of nationality is a mention of
// its country, and never an event's place.
func TestGeoparseDemonyms(t *testing.T) {
	x := extractorForTest(t)
	text := "South Korean and Iraqi officials met on Monday. Iraqi forces shelled Mosul."
	ms, err := x.Geoparse(geo.Article{Text: text, Published: "2024-03-04"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"South Korean": "KR", "Iraqi": "IQ"}
	for _, m := range ms {
		cc, ok := want[m.Text]
		if !ok {
			continue
		}
		delete(want, m.Text)
		if m.Place == nil || m.Place.CountryCode != cc || m.Place.FeatureCode != "PCLI" || m.Role != RoleDescriptor {
			t.Errorf("%q: %+v, want the country %s as a descriptor", m.Text, m.Place, cc)
		}
	}
	if len(want) > 0 {
		t.Errorf("no mention of %v\n%s", want, describeMentions(ms))
	}
	if roleOf(ms, "Mosul") != RoleEvent {
		t.Errorf("Mosul is %q, want the event\n%s", roleOf(ms, "Mosul"), describeMentions(ms))
	}
}

// TestGeoparseOffsets checks that offsets count code points, not bytes,
// and that each span is the mention as written.
func TestGeoparseOffsets(t *testing.T) {
	x := extractorForTest(t)
	text := "Après l’été — « Damascus » était calme; shelling hit Kharkiv."
	ms, err := x.Geoparse(geo.Article{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	runes := []rune(text)
	found := map[string]bool{}
	for _, m := range ms {
		if m.Start < 0 || m.End > len(runes) || m.Start >= m.End {
			t.Fatalf("span [%d:%d] out of range\n%s", m.Start, m.End, describeMentions(ms))
		}
		if got := string(runes[m.Start:m.End]); got != m.Text {
			t.Errorf("span [%d:%d] is %q, mention says %q", m.Start, m.End, got, m.Text)
		}
		found[m.Text] = true
	}
	if !found["Damascus"] || !found["Kharkiv"] {
		t.Errorf("want Damascus and Kharkiv among the mentions\n%s", describeMentions(ms))
	}
	if utf8.RuneCountInString(text) == len(text) {
		t.Fatal("the test text must hold multi-byte characters")
	}
}

// TestGeoparseAgreesWithExtract holds geoparse to the extractor's own
// reading: on every text of the test corpora, each event's place is the
// place of a mention geoparse calls an event, and each such mention is the
// place of some event.
func TestGeoparseAgreesWithExtract(t *testing.T) {
	x := extractorForTest(t)
	var golds []string
	for _, dir := range []string{"testdata/gold", "testdata/corpus", "testdata/heldout", "testdata/heldout2"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		golds = append(golds, fs...)
	}
	if len(golds) < 10 {
		t.Fatalf("found %d gold files, want the test corpora", len(golds))
	}
	checked := 0
	for _, path := range golds {
		g, err := eval.ReadGold(path)
		if err != nil {
			t.Fatal(err)
		}
		a, err := g.ReadArticle()
		if err != nil {
			t.Fatal(err)
		}
		events, err := x.Extract(a)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := x.Geoparse(a)
		if err != nil {
			t.Fatal(err)
		}
		eventPlaces := map[string]bool{}
		mentions := map[string]bool{} // mention as written and place
		for _, m := range ms {
			if m.Role == RoleEvent {
				mentions[m.Text+"|"+placeKey(*m.Place)] = true
			}
		}
		for _, e := range events {
			k := placeKey(geo.Place{GeonameID: e.GeonameID, Name: e.Location, CountryCode: e.CountryCode})
			eventPlaces[k] = true
			if !mentions[e.Mention+"|"+k] {
				t.Errorf("%s: event at %q (%s) has no event mention in geoparse", path, e.Mention, e.Location)
			}
			checked++
		}
		for _, m := range ms {
			if m.Role == RoleEvent && !eventPlaces[placeKey(*m.Place)] {
				t.Errorf("%s: geoparse calls %q (%s) an event place, extract has no event there", path, m.Text, m.Place.Name)
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked %d events, want the corpora's hundreds", checked)
	}
}

// TestParseRoleWords checks the loader of data/roles.txt refuses what it
// cannot read.
func TestParseRoleWords(t *testing.T) {
	if _, err := parseRoleWords(rolesTable); err != nil {
		t.Fatalf("embedded roles table: %v", err)
	}
	for _, bad := range []string{
		"actor_verbs said\n", // no colon
		"nonsense: a b\n",    // unknown list
		strings.Replace(rolesTable, "said says", "said Says", 1), // not lower case
		"actor_verbs: said\n", // other lists missing
	} {
		if _, err := parseRoleWords(bad); err == nil {
			t.Errorf("parseRoleWords accepted %.40q", bad)
		}
	}
}

// TestAdmin1Abbreviations checks that every row of the abbreviations table
// names a region of the embedded gazetteer, and that an abbreviation after
// a town is read as its region and places the town there.
func TestAdmin1Abbreviations(t *testing.T) {
	x := extractorForTest(t)
	rows, err := parseAdmin1Abbrevs(admin1AbbrevTable)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resolveAbbrevs(gazForTest, rows); err != nil {
		t.Error(err)
	}
	names, err := parseAdmin1Abbrevs(admin1NamesTable)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resolveAbbrevs(gazForTest, names); err != nil {
		t.Error(err)
	}
	seen := map[string]bool{}
	for _, r := range append(rows, names...) {
		if seen[r.abbrev] {
			t.Errorf("%q is in both region tables", r.abbrev)
		}
		seen[r.abbrev] = true
	}
	for _, bad := range []string{"Ill.\tUS\n", "ill.\tUS\tIllinois\n", "Ill.\tUSA\tIllinois\n", "Ill.\tUS\tIllinois\nIll.\tUS\tIllinois\n"} {
		if _, err := parseAdmin1Abbrevs(bad); err == nil {
			t.Errorf("parseAdmin1Abbrevs accepted %q", bad)
		}
	}
	text := "Storms hit Paris, Tenn., and Moonbi, NSW, while the Vicky Hotel and Charleston, W. Va., stayed dry."
	ms, err := x.Geoparse(geo.Article{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Tenn.": "Tennessee", "NSW": "New South Wales", "W. Va.": "West Virginia",
		"Paris": "Tennessee", "Charleston": "West Virginia"}
	for _, m := range ms {
		if w, ok := want[m.Text]; ok {
			delete(want, m.Text)
			if m.Place == nil || m.Place.Admin1 != w {
				t.Errorf("%q read as %+v, want in %s", m.Text, m.Place, w)
			}
		}
		if strings.HasPrefix(m.Text, "Vic") {
			t.Errorf("%q read as a region's abbreviation", m.Text)
		}
	}
	if len(want) > 0 {
		t.Errorf("not found: %v\n%s", want, describeMentions(ms))
	}
}

// TestUSCounties checks that a county of the United States is read whole
// and placed in the state the article is about, not in a town of its name
// elsewhere.
func TestUSCounties(t *testing.T) {
	x := extractorForTest(t)
	text := "The Walker County Sheriff's Office said the fire near LaFayette, Ga., was set. Deputies from Rapides Parish helped."
	ms, err := x.Geoparse(geo.Article{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Walker County": "Georgia", "Rapides Parish": "Louisiana"}
	for _, m := range ms {
		if w, ok := want[m.Text]; ok {
			delete(want, m.Text)
			if m.Place == nil || m.Place.FeatureCode != "ADM2" || m.Place.Admin1 != w {
				t.Errorf("%q read as %+v, want the county in %s", m.Text, m.Place, w)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("not found: %v\n%s", want, describeMentions(ms))
	}
}

// TestCountyAndTown checks that a county and a town named in one story are
// read in the one state that holds both, when neither name says which.
func TestCountyAndTown(t *testing.T) {
	x := extractorForTest(t)
	text := "Deputies from the Henry County Sheriff's Office searched a home in Paris on Monday. The Paris fire chief said no one was hurt."
	ms, err := x.Geoparse(geo.Article{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if (m.Text == "Paris" || m.Text == "Henry County") && (m.Place == nil || m.Place.Admin1 != "Tennessee") {
			t.Errorf("%q read as %+v, want in Tennessee\n%s", m.Text, m.Place, describeMentions(ms))
		}
	}
}

// TestMentionFeatures checks the GeoJSON form of mentions: a resolved one
// is a Point with its place's properties, an unresolved one has null
// geometry and null place properties, and every feature has every
// property.
func TestMentionFeatures(t *testing.T) {
	p := geo.Place{GeonameID: 292223, Name: "Dubai", CountryCode: "AE", Admin1: "Dubai", FeatureCode: "PPLA", Point: orb.Point{55.3, 25.26}}
	fc := MentionFeatures([]PlaceMention{
		{Start: 0, End: 5, Text: "Dubai", Place: &p, Confidence: 0.9, GeoPrecision: 1, Role: RoleEvent},
		{Start: 10, End: 14, Text: "Kani", Role: RoleOther},
	})
	b, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Features []struct {
			Geometry   json.RawMessage            `json:"geometry"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Features) != 2 {
		t.Fatalf("%d features, want 2: %s", len(got.Features), b)
	}
	if g := string(got.Features[0].Geometry); !strings.Contains(g, `"Point"`) {
		t.Errorf("resolved mention geometry %s, want a Point", g)
	}
	if g := string(got.Features[1].Geometry); g != "null" {
		t.Errorf("unresolved mention geometry %s, want null", g)
	}
	for _, name := range []string{"mention", "start", "end", "location", "geonameid", "country_code", "admin1",
		"feature_code", "geo_precision", "confidence", "role"} {
		for i, f := range got.Features {
			if _, ok := f.Properties[name]; !ok {
				t.Errorf("feature %d has no %q", i, name)
			}
		}
	}
	if v := string(got.Features[1].Properties["location"]); v != "null" {
		t.Errorf("unresolved mention location %s, want null", v)
	}
	if v := string(got.Features[0].Properties["geonameid"]); v != "292223" {
		t.Errorf("geonameid %s, want 292223", v)
	}
}
