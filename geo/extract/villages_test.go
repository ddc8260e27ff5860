package extract

import (
	"testing"

	"conflictmap/geo"
)

// villageWant is where one text's event must be.
type villageWant struct {
	text                     string
	location, cc, admin1, fc string
	precision                int
}

// checkVillageEvents runs each text and checks that it yields exactly one
// event, at the wanted place.
func checkVillageEvents(t *testing.T, cases []villageWant) {
	t.Helper()
	for _, c := range cases {
		events := extractText(t, c.text, "2024-03-05")
		if len(events) != 1 {
			t.Errorf("%q: want one event at %s, got%s", c.text, c.location, describe(events))
			continue
		}
		e := events[0]
		if e.Location != c.location || e.CountryCode != c.cc || e.FeatureCode != c.fc || e.GeoPrecision != c.precision ||
			c.admin1 != "" && e.Admin1 != c.admin1 {
			t.Errorf("%q: want %s (%s, %s, %s, precision %d), got %s (%s, %s, %s, precision %d)", c.text,
				c.location, c.cc, c.admin1, c.fc, c.precision, e.Location, e.CountryCode, e.Admin1, e.FeatureCode, e.GeoPrecision)
		}
	}
}

// A village the core tier lacks is found through each kind of support the
// text can give it.
func TestVillageSupport(t *testing.T) {
	checkVillageEvents(t, []villageWant{
		// A province after a comma, with a village noun.
		{"Gunmen abducted five farmers in Shirigari village, Kaduna State, on Monday.", "Shirigari", "NG", "Kaduna State", "PPL", 1},
		// A region in parentheses.
		{"Militants attacked an army post in Embisson (Mopti region) on Sunday, killing four soldiers.", "Embisson", "ML", "Mopti", "PPL", 1},
		// "X in Y"; "near" makes it part of the area around the village.
		{"A drone struck a car near Jalwah in Al-Hasakah on Friday, killing two fighters.", "Jalwah", "SY", "Al-Hasakah", "PPL", 2},
		// "the village of X" in an article about the village's country.
		{"Bandits attacked the village of Akilibu on Tuesday, killing four people, Nigerian police said.", "Akilibu", "NG", "Kaduna State", "PPL", 1},
		// "X village" likewise.
		{"Gunmen attacked Agameti village on Sunday, killing two residents, Nigerian police said.", "Agameti", "NG", "Kaduna State", "PPL", 1},
		// A bare name after "in" in a sentence that names the country.
		{"In Nigeria, gunmen killed four people in Abadawa on Tuesday.", "Abadawa", "NG", "Kaduna State", "PPL", 1},
		// A destroyed village resolves like any other; its feature code says what it is.
		{"Government forces shelled the village of Ad Dusiyah in Hama province on Monday, killing three civilians.", "Ad Dusiyah", "SY", "Hama", "PPLW", 1},
	})
}

// A district named with its province is read as the district.
func TestVillageDistrictOfProvince(t *testing.T) {
	ms := plMentionsOf(plExtractor(t).places("Bandits attacked farmers in Chikun district of Kaduna State on Tuesday, killing three."), "Chikun")
	if len(ms) != 1 || ms[0].Place.FeatureCode != "ADM2" || ms[0].Place.Admin1 != "Kaduna State" {
		t.Fatalf("Chikun district of Kaduna State read as %+v, want the district (ADM2) of Kaduna State", ms)
	}
}

// Without support a village reading is not made: a person's name or a
// common word that some village is called stays what it was.
func TestVillageWithoutSupport(t *testing.T) {
	x := plExtractor(t)
	for _, c := range []struct{ text, name string }{
		// Ibrahim is a village of Nigeria (and Iraq, Syria, ...); here a person.
		{"Ibrahim said gunmen killed three people in Kaduna on Monday, Nigerian police said.", "Ibrahim"},
		// Fire is a village of Iran and of Chad; here the word.
		{"Fire broke out in Tehran after a drone strike on Monday, Iranian media said.", "Fire"},
		// A village of Nigeria with nothing that places it in a country.
		{"Gunmen killed four people in Abadawa on Tuesday.", "Abadawa"},
	} {
		if ms := plMentionsOf(x.places(c.text), c.name); len(ms) != 0 {
			t.Errorf("%q: %s read as %+v", c.text, c.name, ms[0].Place)
		}
	}
	wantLocations(t, "Gunmen killed four people in Abadawa on Tuesday.", "2024-03-05", nil)
}

// One village name in two provinces: the province the text gives decides.
func TestVillageSameNameTwoProvinces(t *testing.T) {
	checkVillageEvents(t, []villageWant{
		{"Bandits killed six people in Yakawada, Katsina State, on Friday.", "Yakawada", "NG", "Katsina State", "PPL", 1},
		{"Bandits killed six people in Yakawada, Kaduna State, on Friday.", "Yakawada", "NG", "Kaduna State", "PPL", 1},
	})
	// Without a province the name stays unread, as without the village tier.
	wantLocations(t, "In Nigeria, bandits killed six people in Yakawada on Friday.", "2024-03-05", nil)
	for _, e := range extractText(t, "Bandits killed six people in Yakawada, Nigeria, on Friday.", "2024-03-05") {
		if e.Location == "Yakawada" {
			t.Errorf("Yakawada, Nigeria read as one of its namesakes:%s", describe([]geo.Event{e}))
		}
	}
}

// A village in the country the text gives, although the core tier knows a
// town of that name elsewhere (Abira, Japan).
func TestVillageNamesakeAbroad(t *testing.T) {
	checkVillageEvents(t, []villageWant{
		{"Turkish drones struck Abira, Al-Hasakah, on Monday, killing two fighters.", "`Abirah", "SY", "Al-Hasakah", "PPL", 1},
	})
}

// A place neither tier holds keeps its event at the smallest place the
// text gives beside it.
func TestVillageUnknownFallsBack(t *testing.T) {
	checkVillageEvents(t, []villageWant{
		{"Gunmen killed three people in Foobarville village, Kaduna State, on Monday.", "Kaduna State", "NG", "Kaduna State", "ADM1", geo.GeoRegion},
	})
	// Its mentions are all read as the smallest place the article gives.
	ms := plMentionsOf(plExtractor(t).places("Gunmen attacked Foobarville village, Kaduna State, on Monday. "+
		"At dawn they returned to the Foobarville area of Chikun Local Government Area, Kaduna State."), "Foobarville")
	if len(ms) != 2 {
		t.Fatalf("Foobarville: %d mentions, want 2", len(ms))
	}
	for _, m := range ms {
		if m.Place.Name != "Chikun" || m.Place.FeatureCode != "ADM2" || !m.Near {
			t.Errorf("Foobarville read as %s (%s, near %v), want the Chikun district", m.Place.Name, m.Place.FeatureCode, m.Near)
		}
	}
	// "X, Moscow said" names no province of X.
	for _, e := range extractText(t, "Five peacekeepers were killed near the village of Foobarville on Wednesday, Moscow said.", "2024-03-05") {
		if e.Location == "Moscow" {
			t.Errorf("event moved to Moscow:%s", describe([]geo.Event{e}))
		}
	}
}

// A name the core tier knows only abroad is the village of the sentence's
// country when the text places it there ("in X" in a sentence naming Syria).
func TestVillageNamesakeInSentenceCountry(t *testing.T) {
	checkVillageEvents(t, []villageWant{
		{"In Syria, Turkish drones struck a car in Abira on Monday, killing two fighters.", "`Abirah", "SY", "Al-Hasakah", "PPL", 1},
	})
	// Without the country the core reading stands, as before.
	for _, e := range extractText(t, "Turkish drones struck a car in Abira on Monday, killing two fighters.", "2024-03-05") {
		if e.CountryCode == "SY" {
			t.Errorf("Abira read in Syria without support:%s", describe([]geo.Event{e}))
		}
	}
}
