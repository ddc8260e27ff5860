package extract

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"conflictmap/geo"
	"conflictmap/geo/gazetteer"
)

var (
	plGazOnce sync.Once
	plGaz     *gazetteer.Gazetteer
	plGazErr  error
)

func plExtractor(t testing.TB) *Extractor {
	t.Helper()
	plGazOnce.Do(func() { plGaz, plGazErr = gazetteer.Load() })
	if plGazErr != nil {
		t.Fatal(plGazErr)
	}
	return New(plGaz)
}

// plMentionsOf returns the mentions of text whose text is name.
func plMentionsOf(ms []Mention, name string) []Mention {
	var out []Mention
	for _, m := range ms {
		if m.Text == name {
			out = append(out, m)
		}
	}
	return out
}

// plWant describes the place a mention must resolve to.
type plWant struct {
	cc, admin1, featureCode string
	lat, lon                float64 // checked within 0.05 degree when not 0
}

func (w plWant) check(t *testing.T, name string, p geo.Place) {
	t.Helper()
	if p.CountryCode != w.cc || (w.admin1 != "" && p.Admin1 != w.admin1) || (w.featureCode != "" && p.FeatureCode != w.featureCode) {
		t.Errorf("%s resolved to %s (%s, %s, %s), want %s %s %s", name, p.Name, p.CountryCode, p.Admin1, p.FeatureCode, w.cc, w.admin1, w.featureCode)
	}
	if w.lat != 0 && (math.Abs(p.Point[1]-w.lat) > 0.05 || math.Abs(p.Point[0]-w.lon) > 0.05) {
		t.Errorf("%s resolved to %v, want %.3f,%.3f", name, p.Point, w.lat, w.lon)
	}
}

// TestPlacesDisambiguation: the same name means different places in different
// stories, and a reader would agree with each reading.
func TestPlacesDisambiguation(t *testing.T) {
	x := plExtractor(t)
	tests := []struct {
		story, text, name string
		want              plWant
	}{
		{"Tripoli, Libya story", "Clashes broke out in Tripoli on Sunday between rival armed groups, a spokesman for the government said. Fighting later spread to Misrata, while the rival administration in Benghazi called for calm across Libya.",
			"Tripoli", plWant{cc: "LY", featureCode: "PPLC"}},
		{"Tripoli, Lebanon story", "Gunmen exchanged fire in Tripoli overnight, security sources in Lebanon said. The port city north of Beirut has seen repeated clashes since the economy collapsed.",
			"Tripoli", plWant{cc: "LB"}},
		{"Tripoli, no context", "Talks were held in Tripoli.", "Tripoli", plWant{cc: "LY"}},
		{"Paris, France story", "Protesters marched through Paris on Saturday as France braced for more strikes, and unions in Lyon and Marseille joined the call.",
			"Paris", plWant{cc: "FR", featureCode: "PPLC"}},
		{"Paris, Texas story", "A tornado tore through Paris on Tuesday night. Emergency crews from Dallas and Sherman were sent north as Texas officials surveyed the damage.",
			"Paris", plWant{cc: "US", admin1: "Texas"}},
		{"Paris, Texas written out", "The storm damaged homes in Paris, Texas, late on Friday.", "Paris", plWant{cc: "US", admin1: "Texas"}},
		{"Georgia the country", "Thousands rallied in Tbilisi against the foreign agents law, and the opposition said Georgia would not bow to Russia. Police in Batumi detained several people.",
			"Georgia", plWant{cc: "GE", featureCode: "PCLI"}},
		{"Georgia the US state", "Voters in Atlanta waited hours to cast ballots as Georgia counted its votes; officials in Savannah and Augusta reported shorter lines.",
			"Georgia", plWant{cc: "US", featureCode: "ADM1", admin1: "Georgia"}},
		{"Jordan in a Middle East story", "Jordan closed its airspace as drones from Iran crossed toward Israel, and officials in Amman said several were shot down. The United States and Iraq condemned the attack.",
			"Jordan", plWant{cc: "JO", featureCode: "PCLI"}},
		{"Jordan in a story that names the United States", "Three soldiers from the United States were killed in Jordan, officials in Washington said.",
			"Jordan", plWant{cc: "JO", featureCode: "PCLI"}},
		{"a country in a title-case headline beside US places", "Israel Strikes Hezbollah Targets In Southern Lebanon As Iran Warns\nOfficials in Nashville, Tennessee, and Murfreesboro said the U.S. would respond.",
			"Lebanon", plWant{cc: "LB", featureCode: "PCLI"}},
		{"Jordan, Minnesota written out", "A storm knocked out power across Jordan, Minnesota, on Monday.", "Jordan", plWant{cc: "US", admin1: "Minnesota"}},
		{"Rafah in a Gaza story", "Israeli tanks pushed deeper into Rafah on Tuesday, residents said, as air strikes hit Khan Younis and the central Gaza Strip.",
			"Rafah", plWant{cc: "PS", lat: 31.297, lon: 34.244}},
		{"Rafah in a story that names Egypt", "Aid trucks queued on the border as Egypt warned against an assault on Rafah in Gaza.",
			"Rafah", plWant{cc: "PS", lat: 31.297, lon: 34.244}},
		{"Najaf in an Iran-heavy story", "Iran's foreign minister flew from Tehran to Baghdad and then to Najaf, where he met senior clerics. Iran and Iraq signed a security pact.",
			"Najaf", plWant{cc: "IQ", lat: 32.026, lon: 44.346}},
		{"Damascus in a Syria story", "Israeli jets struck a building in Damascus, Syria's state news agency said, while a US official in Washington declined to comment.",
			"Damascus", plWant{cc: "SY", featureCode: "PPLC"}},
		{"Damascus, no context", "An explosion was heard in Damascus.", "Damascus", plWant{cc: "SY", featureCode: "PPLC"}},
		{"Damascus, Maryland written out", "Firefighters in Damascus, Maryland, contained the blaze.", "Damascus", plWant{cc: "US", admin1: "Maryland"}},
		{"Washington alone in a US story", "Washington imposed new sanctions on Tuesday, a day after officials in New York and Chicago briefed the United States Congress.",
			"Washington", plWant{cc: "US", featureCode: "PPLC"}},
		{"Gaza means the Strip", "Fighting continued across Gaza as aid agencies warned of famine.", "Gaza", plWant{cc: "PS", featureCode: "ADM1"}},
		{"Gaza City is the city", "Strikes hit Gaza City overnight.", "Gaza City", plWant{cc: "PS", featureCode: "PPLA"}},
		{"X, the Syrian capital", "Residences in Damascus, the Syrian capital, were hit.", "Damascus", plWant{cc: "SY"}},
		{"Geneva in a Sudan story that names Washington", "Delegations of the army and the paramilitary forces met in Geneva for talks brokered by Washington, while fighting went on in El Fasher, Omdurman and Khartoum, Sudan's capital.",
			"Geneva", plWant{cc: "CH"}},
		{"Africa is the continent", "Ships now sail around Africa to avoid the Red Sea.", "Africa", plWant{cc: "", featureCode: "RGN"}},
		{"a province named with a lower-case word", "Shelling hit villages in Idlib province, near the border with Turkey.", "Idlib province", plWant{cc: "SY", featureCode: "ADM1"}},
		{"a crossing named with a lower-case word", "Trucks waited at the Rafah crossing for a third day.", "Rafah crossing", plWant{cc: "PS", featureCode: "PSTB"}},
		{"a base", "Rockets landed near Ain al-Asad air base in western Iraq.", "Ain al-Asad", plWant{cc: "IQ", featureCode: "MILB"}},
		{"Saint abbreviated", "Drones were downed over St. Petersburg, Russia's second city.", "St. Petersburg", plWant{cc: "RU"}},
		{"New York is the city", "The Security Council will meet in New York on Wednesday.", "New York", plWant{cc: "US", featureCode: "PPL"}},
		{"Red Sea is the sea", "Houthi forces fired missiles at a tanker in the Red Sea, Egypt and Sudan said.", "Red Sea", plWant{cc: "", featureCode: "SEA"}},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			ms := plMentionsOf(x.places(tt.text), tt.name)
			if len(ms) == 0 {
				t.Fatalf("%q not found in %q", tt.name, tt.text)
			}
			for _, m := range ms {
				tt.want.check(t, tt.name, m.Place)
				if m.Confidence <= 0 || m.Confidence > 1 {
					t.Errorf("%s: confidence %v out of (0, 1]", tt.name, m.Confidence)
				}
			}
		})
	}
}

// TestPlacesNotPlaces: people, titles, months, organisations, demonyms and common
// words are never place mentions, even when GeoNames has a town so called.
func TestPlacesNotPlaces(t *testing.T) {
	x := plExtractor(t)
	for _, text := range []string{
		"President Biden spoke with Prime Minister Benjamin Netanyahu in March, General Ghaani said on Monday.",
		"Sabrina Singh, a Pentagon spokeswoman, said the study by George Washington University was flawed.",
		"Gen. Kenneth F. McKenzie Jr. testified on Tuesday.",
		"Police said the Mission was the Best they had seen. Hit hard, the Central Command said nothing.",
		"Iraqi and Iranian officials met Syrian envoys, and Americans and Israelis watched.",
		"Colin P. Clarke and Sina Azodi said the Quds Force and the Tehran Times had it wrong.",
		"the red sea, the gaza strip and baghdad written in lower case are not names.",
		"Osama Hamdan, a senior Hamas leader, spoke alongside Hezbollah and the Houthis.",
		"Reading the statement aloud, he paused. Split between factions, the council adjourned.",
		"Prime Minister Ariel Henry flew out on Monday. Crowds demanded Henry's resignation.",
		"The BLA and the RSF claimed the attacks.",
	} {
		if ms := x.places(text); len(ms) != 0 {
			var got []string
			for _, m := range ms {
				got = append(got, m.Text+" -> "+m.Place.Name+" "+m.Place.CountryCode)
			}
			t.Errorf("places(%q) = %v, want none", text, got)
		}
	}
}

func TestPlacesMentionSpans(t *testing.T) {
	x := plExtractor(t)
	text := "Ships in the Gulf of Aden and the Bab el-Mandeb strait were hit; Iran’s navy denied it, and the Gaza Strip's border with Egypt stayed shut. In U.S. terms, Sana'a is Sanaa."
	ms := x.places(text)
	var got []string
	for _, m := range ms {
		if text[m.Start:m.End] != m.Text {
			t.Errorf("mention %q at [%d,%d) reads %q", m.Text, m.Start, m.End, text[m.Start:m.End])
		}
		got = append(got, m.Text)
	}
	wantTexts := []string{"Gulf of Aden", "Bab el-Mandeb strait", "Iran", "Gaza Strip", "Egypt", "U.S.", "Sana'a", "Sanaa"}
	if strings.Join(got, "|") != strings.Join(wantTexts, "|") {
		t.Errorf("mentions = %q, want %q", got, wantTexts)
	}
	for _, m := range ms {
		switch m.Text {
		case "Gulf of Aden":
			plWant{cc: "", featureCode: "GULF"}.check(t, m.Text, m.Place)
		case "Bab el-Mandeb strait":
			plWant{cc: "", featureCode: "STRT"}.check(t, m.Text, m.Place)
		case "Gaza Strip":
			plWant{cc: "PS", featureCode: "ADM1"}.check(t, m.Text, m.Place)
		case "Sana'a", "Sanaa":
			plWant{cc: "YE", featureCode: "PPLC"}.check(t, m.Text, m.Place)
		}
	}
}

// TestPlacesArabicArticle: a lower-case article joined to a name by a
// hyphen is part of the name ("el-Fasher"), and a group's name that holds
// one is still no place.
func TestPlacesArabicArticle(t *testing.T) {
	x := plExtractor(t)
	text := "Shells fell on el-Fasher and as-Suwayda overnight, and the al-Qaeda-linked group claimed a raid."
	var got []string
	for _, m := range x.places(text) {
		got = append(got, m.Text+" "+m.Place.CountryCode)
	}
	want := []string{"el-Fasher SD", "as-Suwayda SY"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("mentions = %q, want %q", got, want)
	}
}

// TestPlacesDemonymLand: a demonym before a land noun is the country
// ("Iranian airspace"); before people or forces it is no place.
func TestPlacesDemonymLand(t *testing.T) {
	x := plExtractor(t)
	text := "Jets crossed into Iranian airspace while Syrian troops shelled Lebanese territory."
	var got []string
	for _, m := range x.places(text) {
		got = append(got, m.Text+" "+m.Place.CountryCode)
	}
	want := []string{"Iranian airspace IR", "Lebanese territory LB"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("mentions = %q, want %q", got, want)
	}
}

// TestPlacesSampleArticle: the places of the article conflictmap was born from.
func TestPlacesSampleArticle(t *testing.T) {
	raw, err := os.ReadFile("../../cmd/conflictmap/sample/iran-reins-in-militias.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	ms := plExtractor(t).places(text)
	expect := map[string]plWant{
		"Jordan":           {cc: "JO", featureCode: "PCLI"},
		"Baghdad":          {cc: "IQ", featureCode: "PPLC", lat: 33.34, lon: 44.40},
		"Damascus":         {cc: "SY", featureCode: "PPLC"},
		"Red Sea":          {cc: "", featureCode: "SEA"},
		"Rafah":            {cc: "PS", lat: 31.297, lon: 34.244},
		"Tehran":           {cc: "IR", featureCode: "PPLC"},
		"Iraq":             {cc: "IQ", featureCode: "PCLI"},
		"Syria":            {cc: "SY", featureCode: "PCLI"},
		"Iran":             {cc: "IR", featureCode: "PCLI"},
		"Lebanon":          {cc: "LB", featureCode: "PCLI"},
		"Yemen":            {cc: "YE", featureCode: "PCLI"},
		"Israel":           {cc: "IL", featureCode: "PCLI"},
		"Gaza":             {cc: "PS", featureCode: "ADM1"},
		"Najaf":            {cc: "IQ", lat: 32.026, lon: 44.346},
		"Kurdistan Region": {cc: "IQ"},
	}
	for name, w := range expect {
		got := plMentionsOf(ms, name)
		if len(got) == 0 {
			t.Errorf("%s not found", name)
			continue
		}
		for _, m := range got {
			w.check(t, name, m.Place)
		}
	}
	gwu := strings.Index(text, "George Washington University")
	for _, m := range ms {
		p := m.Place
		switch {
		case p.CountryCode == "US" && (p.Name == "Damascus" || p.Name == "Jordan"):
			t.Errorf("%q resolved to %s, %s", m.Text, p.Name, p.Admin1)
		case p.CountryCode == "HK", p.CountryCode == "EG" && p.Name == "Rafah", p.CountryCode == "IR" && m.Text == "Najaf":
			t.Errorf("%q resolved to %s, %s", m.Text, p.Name, p.CountryCode)
		case m.Start >= gwu && m.Start < gwu+len("George Washington University"):
			t.Errorf("%q inside George Washington University resolved to %s", m.Text, p.Name)
		}
		for _, person := range []string{"Biden", "Netanyahu", "Ghaani", "Soleimani", "McKenzie", "Azodi", "Sina", "Singh", "Clarke", "Hamdan", "Benjamin", "Kenneth"} {
			if m.Text == person {
				t.Errorf("person name %q resolved to %s, %s", person, p.Name, p.CountryCode)
			}
		}
		if m.Confidence <= 0 || m.Confidence > 1 {
			t.Errorf("%q: confidence %v", m.Text, m.Confidence)
		}
	}
}

// TestPlacesBadInput: no panic and no unbounded work on hostile input.
func TestPlacesBadInput(t *testing.T) {
	x := plExtractor(t)
	rng := rand.New(rand.NewPCG(7, 11))
	junk := make([]byte, 1<<20)
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	sample, err := os.ReadFile("../../cmd/conflictmap/sample/iran-reins-in-militias.txt")
	if err != nil {
		t.Fatal(err)
	}
	var big strings.Builder
	for big.Len() < 10<<20 {
		big.Write(sample)
		big.WriteString("\n")
	}
	line := strings.Repeat("Baghdad Najaf-Karbala, ", 100<<10/len("Baghdad Najaf-Karbala, "))
	longWord := "Baghdad " + strings.Repeat("Ab", 60<<10) + " Damascus"
	capitals := strings.Repeat("Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliett ", 10<<10)
	tests := []struct {
		name     string
		text     string
		minFound int
	}{
		{"empty", "", 0},
		{"binary junk", string(junk), 0},
		{"invalid UTF-8 around a name", "\xff\xfe\xfd in Baghdad \xc3\x28 and \xe2\x82", 1},
		{"NUL bytes", "Baghdad\x00Damascus\x00\x00", 2},
		{"10 MB article", big.String(), 1000},
		{"100 kB single line", line, 1000},
		{"a 120 kB word", longWord, 2},
		{"100 kB of capitalised words", capitals, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := x.places(tt.text)
			if len(ms) < tt.minFound {
				t.Errorf("%d mentions, want at least %d", len(ms), tt.minFound)
			}
			for _, m := range ms {
				if m.Start < 0 || m.End > len(tt.text) || m.Start >= m.End || tt.text[m.Start:m.End] != m.Text {
					t.Fatalf("bad span [%d,%d) for %q", m.Start, m.End, m.Text)
				}
				if !utf8.ValidString(m.Text) {
					t.Fatalf("mention %q is not valid UTF-8", m.Text)
				}
			}
		})
	}
}

func TestPlacesGeoPrecision(t *testing.T) {
	g := plExtractor(t).gaz
	for name, want := range map[string]int{"Baghdad": geo.GeoTown, "Iraq": geo.GeoRegion, "Red Sea": geo.GeoRegion, "Tower 22": geo.GeoTown, "Idlib province": geo.GeoRegion, "Philadelphi Corridor": geo.GeoNear, "Cal Miskaad": geo.GeoNear, "Nuba Mountains": geo.GeoRegion} {
		ps := g.Lookup(name)
		if len(ps) == 0 {
			t.Fatalf("Lookup(%q): nothing", name)
		}
		if got := GeoPrecision(ps[0]); got != want {
			t.Errorf("GeoPrecision(%s %s) = %d, want %d", name, ps[0].FeatureCode, got, want)
		}
		if want > geo.GeoTown && ps[0].Bound == nil {
			t.Errorf("%s is larger than a town but has no extent", name)
		}
	}
}

func BenchmarkPlaces1000Words(b *testing.B) {
	raw, err := os.ReadFile("../../cmd/conflictmap/sample/iran-reins-in-militias.txt")
	if err != nil {
		b.Fatal(err)
	}
	words := strings.Fields(string(raw))
	text := strings.Join(words[:1000], " ")
	x := plExtractor(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if len(x.places(text)) == 0 {
			b.Fatal("no places")
		}
	}
}
