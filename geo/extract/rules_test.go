package extract

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"conflictmap/geo"
)

// extractText runs the extractor on one text published on pub.
func extractText(t *testing.T, text, pub string) []geo.Event {
	t.Helper()
	events, err := extractorForTest(t).Extract(geo.Article{Text: text, Published: pub})
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return events
}

func describe(events []geo.Event) string {
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "\n  %s (%s) %s / %s, %s, %s..%s p%d, fatalities %v", e.Location, e.CountryCode, e.EventType,
			e.SubEventType, e.Modality, e.EventDate, e.EventDateEnd, e.TimePrecision, fatal(e.Fatalities))
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// eventIn returns the events in country cc (or at sea for "").
func eventsIn(events []geo.Event, cc string) []geo.Event {
	var out []geo.Event
	for _, e := range events {
		if e.CountryCode == cc {
			out = append(out, e)
		}
	}
	return out
}

// TestTriggers: each kind of trigger gives its ACLED type and sub-type.
func TestTriggers(t *testing.T) {
	for _, c := range []struct {
		text, cc, typ, sub string
	}{
		{"A drone strike hit a market in Kharkiv on Monday.", "UA", geo.ExplosionsRemote, "Air/drone strike"},
		{"Israeli airstrikes on Khan Younis killed 12 people on Monday.", "PS", geo.ExplosionsRemote, "Air/drone strike"},
		{"Russian forces shelled Kharkiv on Monday.", "UA", geo.ExplosionsRemote, "Shelling/artillery/missile attack"},
		{"Hezbollah fired dozens of rockets at Kiryat Shmona on Monday.", "IL", geo.ExplosionsRemote, "Shelling/artillery/missile attack"},
		{"A roadside bomb exploded near Kandahar on Monday, killing two soldiers.", "AF", geo.ExplosionsRemote, "Remote explosive/landmine/IED"},
		{"A suicide bomber blew himself up at a checkpoint in Mogadishu on Monday.", "SO", geo.ExplosionsRemote, "Suicide bomb"},
		{"Rebels clashed with government troops near Goma on Monday.", "CD", geo.Battles, "Armed clash"},
		{"Militants ambushed an army convoy near Gao on Sunday.", "ML", geo.Battles, "Armed clash"},
		{"M23 rebels captured Rubaya on Monday after heavy fighting.", "", "", ""},
		{"Government troops recaptured Kidal on Tuesday.", "ML", geo.Battles, "Government regains territory"},
		{"Gunmen killed 30 villagers in an attack on a market in Djibo on Monday.", "BF", geo.ViolenceCivilians, "Attack"},
		{"Gunmen abducted 20 students in Kaduna on Monday.", "NG", geo.ViolenceCivilians, "Abduction/forced disappearance"},
		{"Militants attacked a convoy of traders near Gao on Sunday.", "ML", geo.ViolenceCivilians, "Attack"},
		{"Ukrainian drones hit an oil depot in Bryansk on Tuesday.", "RU", geo.ExplosionsRemote, "Air/drone strike"},
		{"A drone struck a checkpoint near Gao on Sunday.", "ML", geo.ExplosionsRemote, "Air/drone strike"},
		{"Ukrainian artillery hit positions near Kupiansk on Sunday.", "UA", geo.ExplosionsRemote, "Shelling/artillery/missile attack"},
		{"Russia launched a record 188 Shahed drones at Kyiv on Sunday.", "UA", geo.ExplosionsRemote, "Air/drone strike"},
		{"Police fired on protesters in Nakuru on Tuesday, killing two people.", "KE", geo.Protests, "Excessive force against protesters"},
		{"Troops fired on militants near Gao on Sunday.", "ML", geo.Battles, "Armed clash"},
		{"Three soldiers were killed in Gao on Sunday.", "ML", geo.Battles, "Armed clash"},
		{"Gunmen attacked an army base near Gao on Sunday.", "ML", geo.Battles, "Armed clash"},
		{"Gunmen ambushed a bus near Gao on Sunday.", "ML", geo.ViolenceCivilians, "Attack"},
		{"Three villagers were killed in Gao on Sunday.", "ML", geo.ViolenceCivilians, "Attack"},
		{"Police fired live rounds at demonstrators in Nairobi on Tuesday.", "KE", geo.Protests, "Excessive force against protesters"},
		{"Police fired tear gas at demonstrators in Nairobi on Tuesday.", "KE", geo.Protests, "Protest with intervention"},
		{"Hundreds of people protested in Niamey on Friday against foreign troops.", "NE", geo.Protests, "Peaceful protest"},
		{"Police fired tear gas at protesters in Dakar on Friday.", "SN", geo.Protests, "Protest with intervention"},
		{"Protesters burned tyres and threw stones outside the parliament in Nairobi on Tuesday.", "KE", geo.Riots, "Violent demonstration"},
		{"M23 fighters marched into Bukavu on Sunday.", "CD", geo.Battles, "Non-state actor overtakes territory"},
		{"Protesters attacked embassies in Kinshasa on Tuesday.", "CD", geo.Riots, "Violent demonstration"},
		{"There were clashes in Kisumu on Tuesday, where police fired tear gas at demonstrators.", "KE", geo.Riots, "Violent demonstration"},
		{"A Russian attack killed two people in Sumy on Monday as Moscow launched drone strikes across the country.", "UA", geo.ExplosionsRemote, "Air/drone strike"},
		{"The two sides signed a peace agreement in Doha on Monday.", "QA", geo.StrategicDevelopments, "Agreement"},
		{"Police arrested 30 opposition supporters in Dhaka on Monday.", "BD", geo.StrategicDevelopments, "Arrests"},
		{"Israeli troops withdrew from Jenin on Monday.", "PS", geo.StrategicDevelopments, "Non-violent transfer of territory"},
		{"Foreign ministers met in Cairo on Monday to discuss a truce.", "EG", geo.StrategicDevelopments, "Other"},
		{"On Monday, an army force carried out a search and clearance operation near Kirkuk.", "IQ", geo.Battles, "Armed clash"},
		{"Troops launched a security operation in Kirkuk on Monday.", "IQ", geo.Battles, "Armed clash"},
		{"Pakistani troops and Afghan Taliban forces exchanged heavy fire at Chaman on Tuesday.", "PK", geo.Battles, "Armed clash"},
		{"Bus drivers in Lima called an indefinite strike on Monday.", "PE", geo.Protests, "Peaceful protest"},
	} {
		events := extractText(t, c.text, "2024-05-28")
		if c.cc == "" {
			continue // a town the gazetteer may not hold; the text must still not fail
		}
		got := eventsIn(events, c.cc)
		if len(got) != 1 || got[0].EventType != c.typ || got[0].SubEventType != c.sub {
			t.Errorf("%q: want one %s / %s in %s, got%s", c.text, c.typ, c.sub, c.cc, describe(events))
		}
	}
}

// TestTies: a trigger is tied to the places the sentence puts the event in,
// and to no other place of the sentence.
func TestTies(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // country codes of the events, in order ("" at sea)
	}{
		{"Iran and Israel fight a shadow war, including strikes on residences in Damascus.", []string{"SY"}},
		{"The Houthis in Yemen attack ships in the Red Sea.", []string{""}},
		{"He led a series of meetings in late January in Tehran and Baghdad.", []string{"IR", "IQ"}},
		{"In Baghdad, the commander held a long meeting with militia leaders.", []string{"IQ"}},
		{"Explosions rocked Kyiv overnight.", []string{"UA"}},
		{"Odesa was shelled overnight, the governor said.", []string{"UA"}},
		{"The Jenin raid left five Palestinians dead on Monday.", []string{"PS"}},
		{"M23 rebels shelled the outskirts of Goma on Wednesday.", []string{"CD"}},
		{"Hezbollah in Lebanon exchanges fire almost daily with the Israeli military.", []string{"LB"}},
		{"The army announced the death of a soldier in Rafah on Monday.", []string{"PS"}},
		{"Iran has sent drones to Russia.", nil},
		// A town's name that names an armed group or a bridge far from it.
		{"Government troops attacked Fano positions on Monday.", nil},
		{"Fano militiamen attacked a police station in Debre Tabor on Monday.", []string{"ET"}},
		// The whole country, in an article about it.
		{"Kenya's opposition called for nationwide protests next Monday, a day after police dispersed a rally in Kisumu.", []string{"KE", "KE"}},
		{"Nationwide protests were held on Monday.", nil}, // no country named
		{"Unions in Kenya said they would join a general strike across the country on Monday.", []string{"KE"}},
		// Names with particles are one name.
		{"Gangs attacked a police station in downtown Port-au-Prince on Tuesday.", []string{"HT"}},
		{"Insurgents attacked a checkpoint in Mocimboa da Praia on Monday.", []string{"MZ"}},
		// A town and the region or country around it: one event, at the town,
		// unless the text makes the town one part of a wider event.
		{"Israeli strikes on southern Lebanon killed five people in the town of Bint Jbeil on Tuesday.", []string{"LB"}},
		{"Warplanes struck more than 60 targets across Yemen, including sites near Sanaa, on Monday.", []string{"YE", "YE"}},
		{"The deaths shocked residents of Rafah.", nil},
		// Places that are not where an event happened.
		{"Hezbollah in Lebanon said it had no part in the decision.", nil},
		{"Clerics who are based in Najaf have urged the militias to stop the attacks.", nil},
		{"Tehran-linked militias attacked US bases on Monday.", nil},
		{"The president visited Kharkiv on Monday.", nil},
		{"Attacks by militias in Iraq have stopped since the strikes.", nil},
		{"The RSF has kept up drone attacks from its bases in Kordofan and Darfur.", nil},
		{"There have been no attacks on U.S. bases in Iraq since February.", nil},
		{"The Biden administration has avoided any direct attack on Iran.", nil},
		{"A drone strike hit a tanker in the Gulf of Aden, the U.S. military said.", []string{""}},
		// A range the gazetteer does not hold, then the province around it.
		{"Aircraft carried out an air strike on a cave in the Hamrin Mountains, within the borders of Salah al-Din province.", []string{"IQ"}},
		// A plural place noun before a list: "the communes of X and Y".
		{"Gangs carried out attacks on the communes of Kenscoff and Mirebalais on Monday.", []string{"HT", "HT"}},
		// A state named as the agent is not where the event was.
		{"Two people died in rocket strikes by Israel in Khan Younis on Monday.", []string{"PS"}},
		{"Five soldiers were wounded in drone attacks by Russia in Kherson on Monday.", []string{"UA"}},
		// A place the gazetteer does not hold: the place around it, near it.
		{"Gunmen abducted nine traders in Shirigari village, Kaduna State, on Friday.", []string{"NG"}},
		{"A jet bombed Quxzo Village in Zorbu Township of Sagaing Region on Tuesday.", []string{"MM"}},
		{"Bandits hijacked a bus near Zaria on Tuesday.", []string{"NG"}},
		// A relative "where" clause happens at the place it follows.
		{"Mourners gathered in Bama town, where a bomber detonated a device on Sunday.", []string{"NG"}},
		// The towns an "including" list gives, each one part of the event.
		{"Fighting broke out in Cabo Delgado province on Monday, affecting districts including Palma and Macomia.", []string{"MZ", "MZ", "MZ"}},
		// A named part of a town the gazetteer does not hold, then told alone.
		{"Crowds stormed the parliament in Kabul's Blue District on Monday. Rockets later fell in the heavily-guarded Blue District.", []string{"AF", "AF"}},
		// The region named after a side of a country.
		{"Two people were killed in drone strikes in Ukraine's western Lviv region on Monday.", []string{"UA"}},
		{"Calm returned to Kisumu, which on Tuesday saw heavy clashes.", []string{"KE"}},
		{"Drones hit rebel-held areas of Idlib on Monday.", []string{"SY"}},
		// What is to be ended is going on; a region's towns are in the region;
		// a town cleared of the enemy.
		{"Mediators pressed on with efforts to end the war in Sudan.", []string{"SD"}},
		{"Government forces regained control of Tigray's towns on Monday.", []string{"ET"}},
		{"Troops finished clearing the border town of Sudzha on Monday.", []string{"RU"}},
		// A long noun phrase between the trigger and its place.
		{"On Saturday, a bomb exploded on a vehicle belonging to the Iraqi Army's 8th Division near the village of al-Zab, in the Hawija district.", []string{"IQ"}},
	} {
		events := extractText(t, c.text, "2024-02-27")
		var got []string
		for _, e := range events {
			got = append(got, e.CountryCode)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%q: want events in %q, got%s", c.text, c.want, describe(events))
		}
	}
}

// TestModality: occurred, ongoing, threatened, and denied events.
func TestModality(t *testing.T) {
	for _, c := range []struct {
		text, want string // want "" for no event
	}{
		{"Russian forces shelled Kharkiv on Monday.", geo.Occurred},
		{"Hezbollah in Lebanon exchanges fire almost daily with Israel.", geo.Ongoing},
		{"Russian forces continue to shell Kharkiv.", geo.Ongoing},
		{"The Houthis have been attacking ships in the Red Sea for months.", geo.Ongoing},
		{"The RSF has besieged El Fasher since early May.", geo.Ongoing},
		{"El Fasher has been under RSF siege for more than a year.", geo.Ongoing},
		{"He warned that Pakistan would not hesitate to strike hideouts inside Afghanistan.", geo.Threatened},
		{"Attacks will intensify if Israel launches an attack on Rafah.", geo.Threatened},
		{"He said that any attack on Rafah will be met with a harsh response.", geo.Threatened},
		{"The army threatened a new ground operation in northern Syria.", geo.Threatened},
		{"Russia plans to attack Kharkiv again in the summer.", geo.Threatened},
		{"The minister warned that the army would launch an offensive in Lebanon.", geo.Threatened},
		// A meeting still to come is no event: a talks venue is no event place.
		{"NATO ministers will meet in Prague on Thursday.", ""},
		{"Unions called a general strike in Nairobi for Thursday.", geo.Threatened},
		{"Unions in Kenya said they would join a general strike across the country on Monday.", geo.Threatened},
		{"Unions held a general strike in Nairobi on Monday.", geo.Occurred},
		{"A spokesman told a news conference in Amman on Monday that any new offensive will be answered.", geo.Occurred},
		{"There were no attacks in Kharkiv on Monday.", ""},
		{"The militias refrained from striking bases in Iraq.", ""},
		{"The government called for a ceasefire in Gaza.", ""},
	} {
		events := extractText(t, c.text, "2024-05-28")
		switch {
		case c.want == "" && len(events) > 0:
			t.Errorf("%q: want no event, got%s", c.text, describe(events))
		case c.want != "" && (len(events) != 1 || events[0].Modality != c.want):
			t.Errorf("%q: want one %s event, got%s", c.text, c.want, describe(events))
		}
	}
}

// TestDates: every date form resolves against the publication date.
func TestDates(t *testing.T) {
	for _, c := range []struct {
		text, pub, start, end string
		prec                  int
	}{
		{"It happened on January 28.", "2024-02-27", "2024-01-28", "2024-01-28", 1},
		{"After the Feb. 2 strikes.", "2024-02-27", "2024-02-02", "2024-02-02", 1},
		{"Since the Feb. 2 strikes, none.", "2024-02-27", "2024-02-02", "2024-02-27", 3},
		{"It was signed on 28 January 2023.", "2024-02-27", "2023-01-28", "2023-01-28", 1},
		{"A raid on December 30 killed two.", "2024-01-10", "2023-12-30", "2023-12-30", 1},
		{"Meetings in late January.", "2024-02-27", "2024-01-21", "2024-01-31", 2},
		{"Fighting in early May.", "2024-05-28", "2024-05-01", "2024-05-10", 2},
		{"She said last week that it was over.", "2024-02-27", "2024-02-19", "2024-02-25", 2},
		{"It struck on Tuesday.", "2024-02-27", "2024-02-27", "2024-02-27", 1},
		{"It struck on Monday.", "2024-02-27", "2024-02-26", "2024-02-26", 1},
		{"It struck on Sunday night.", "2024-02-27", "2024-02-25", "2024-02-25", 1},
		{"Ministers will meet on Thursday.", "2024-02-27", "2024-02-29", "2024-02-29", 1},
		{"Killed this month.", "2024-02-27", "2024-02-01", "2024-02-27", 3},
		{"Killed last month.", "2024-02-27", "2024-01-01", "2024-01-31", 3},
		{"Killed in 2020.", "2024-02-27", "2020-01-01", "2020-12-31", 3},
		{"Killed in April 2023.", "2024-02-27", "2023-04-01", "2023-04-30", 3},
		{"Killed yesterday.", "2024-02-27", "2024-02-26", "2024-02-26", 1},
		{"Killed earlier this year.", "2024-02-27", "2024-01-01", "2024-02-27", 3},
		{"Drones struck overnight.", "2024-02-27", "2024-02-26", "2024-02-26", 1},
		{"Drones struck overnight into Sunday.", "2024-02-27", "2024-02-24", "2024-02-24", 1},
		{"Clashes over the weekend.", "2024-02-27", "2024-02-24", "2024-02-25", 2},
		{"Besieged since October.", "2024-02-27", "2023-10-01", "2024-02-27", 3},
		{"Killed two days ago.", "2024-02-27", "2024-02-25", "2024-02-25", 1},
		{"They meet next week.", "2024-02-27", "2024-03-04", "2024-03-10", 2},
		{"A strike was called for Monday.", "2024-02-27", "2024-03-04", "2024-03-04", 1},
		{"They were held for Monday's attack.", "2024-02-27", "2024-02-26", "2024-02-26", 1},
	} {
		pub, _ := time.Parse(geo.DateLayout, c.pub)
		toks := scanTokens(c.text)
		d := dateScanner{toks: toks, pub: pub}
		exprs := d.scan(0, len(toks))
		if len(exprs) != 1 {
			t.Errorf("%q: %d date expressions, want 1", c.text, len(exprs))
			continue
		}
		r := exprs[0].r
		if got := r.start.Format(geo.DateLayout) + ".." + r.end.Format(geo.DateLayout); got != c.start+".."+c.end || r.prec != c.prec {
			t.Errorf("%q published %s: %s p%d, want %s..%s p%d", c.text, c.pub, got, r.prec, c.start, c.end, c.prec)
		}
	}
}

// TestEventDates: the date an event gets in context: its own date words,
// the recent date the sentences before gave, the fortnight before
// publication, or none without a publication date.
func TestEventDates(t *testing.T) {
	for _, c := range []struct {
		text, pub, start, end string
		prec                  int
	}{
		{"A drone strike hit a market in Kharkiv on Monday.", "2024-05-28", "2024-05-27", "2024-05-27", 1},
		{"Hospital officials said Wednesday that airstrikes on Khan Younis killed 14 people overnight.", "2024-04-10", "2024-04-09", "2024-04-09", 1},
		{"Russian drones struck Odesa overnight, officials said on Sunday.", "2024-04-10", "2024-04-06", "2024-04-06", 1},
		{"A drone strike hit a market in Kharkiv.", "2024-05-28", "2024-05-14", "2024-05-28", 3},
		{"Russia attacked Odesa on Monday. Hours later, drones struck Kharkiv.", "2024-05-28", "2024-05-27", "2024-05-27", 1},
		{"A drone strike hit a market in Kharkiv.", "", "", "", 0},
		{"A drone strike hit a market in Kharkiv on May 2, 2024.", "", "2024-05-02", "2024-05-02", 1},
	} {
		events := extractText(t, c.text, c.pub)
		if len(events) == 0 {
			t.Errorf("%q: no event", c.text)
			continue
		}
		e := events[len(events)-1]
		if e.EventDate != c.start || e.EventDateEnd != c.end || e.TimePrecision != c.prec {
			t.Errorf("%q published %q: %s..%s p%d, want %s..%s p%d", c.text, c.pub, e.EventDate, e.EventDateEnd, e.TimePrecision, c.start, c.end, c.prec)
		}
	}
}

// TestFatalities: numerals and number words of dead, never of wounded.
func TestFatalities(t *testing.T) {
	for _, c := range []struct {
		text string
		want int // -1 for none
	}{
		{"the killing of three US soldiers in a drone strike", 3},
		{"at least 16 people were killed", 16},
		{"killing at least four civilians and wounding 20", 4},
		{"killing two soldiers and wounding 27", 2},
		{"more than 40 people were wounded", -1},
		{"killing several fighters", -1},
		{"Dozens of people were killed", -1},
		{"Ukrainian shelling killed a man in the town", 1},
		{"the death toll rose to 55 on Wednesday", 55},
		{"10 people including four soldiers were killed", 10},
		{"leaving 11 dead", 11},
		{"more than 1,200 people were killed", 1200},
		{"twenty-five people died", 25},
		{"gunmen shot dead 23 men", 23},
		{"killed two years ago", -1},
		{"A soldier was also killed", 1},
		{"a young man died", 1},
		{"a drone attack killed", -1},
		{"three civilians and a soldier were killed", -1},
		{"resulting in the martyrdom of one soldier and the wounding of two others", 1},
	} {
		toks := scanTokens(c.text)
		kills := killCounts(toks, 0, len(toks))
		got := -1
		for _, k := range kills {
			got = max(got, k.n)
		}
		if got != c.want {
			t.Errorf("%q: %d dead, want %d", c.text, got, c.want)
		}
	}
	// In an event, no number is null, not zero.
	events := extractText(t, "A drone strike hit a market in Kharkiv on Monday, wounding 12 people.", "2024-05-28")
	if len(events) != 1 || events[0].Fatalities != nil {
		t.Errorf("a strike that wounded only: want fatalities null, got%s", describe(events))
	}
}

// TestNextSentenceFatalities: the dead counted in the sentence after an
// event are that event's, unless the sentence counts a running toll,
// another day's dead, or the event already had its count.
func TestNextSentenceFatalities(t *testing.T) {
	for _, c := range []struct {
		text string
		want int // -1 for null
	}{
		{"Russian forces shelled a market in Kherson on Monday. Four soldiers were killed.", 4},
		{"A drone struck a checkpoint near Gao on Monday. A man was also killed, officials said.", 1},
		{"Gunmen attacked a bus near Beni on Monday. The attack left nine people dead.", 9},
		{"Russian forces shelled a market in Kherson on Monday. The war has killed 10,000 civilians.", -1},
		{"Russian forces shelled a market in Kherson on Monday. Two people were killed on Friday.", -1},
		{"Russian forces shelled a market in Kherson on Monday, killing two. Five more were killed.", 2},
		{"Ministers met in Cairo on Monday. Four soldiers were killed.", -1},
		{"Russian forces shelled a market in Kherson on Monday\nFour soldiers were killed.", -1}, // a headline, then another story
		{"Russian missiles struck a shopping centre in Kharkiv on Saturday. The death toll rose to 16 on Monday.", 16},
		{"Russian missiles struck a shopping centre in Kharkiv on Monday. The death toll of Saturday's strike rose to 16.", -1},
	} {
		events := extractText(t, c.text, "2024-05-28")
		if len(events) != 1 {
			t.Errorf("%q: want one event, got%s", c.text, describe(events))
			continue
		}
		got := -1
		if events[0].Fatalities != nil {
			got = *events[0].Fatalities
		}
		if got != c.want {
			t.Errorf("%q: %d dead, want %d", c.text, got, c.want)
		}
	}
}

// TestRetold: an event told again with more detail, at the same place or
// at a place holding it, is one feature with the detail.
func TestRetold(t *testing.T) {
	for _, c := range []struct {
		text  string
		where string // the one feature's location
		want  int    // its dead, -1 for null
	}{
		{"Gunmen attacked an army post in Douentza on Tuesday. The attack on the Douentza post killed seven soldiers, an official said on Wednesday.", "Douentza", 7},
		{"A roadside bomb hit a bus near Bandiagara on Monday. The blast in the Mopti region killed four passengers.", "Bandiagara", 4},
		{"Russian forces shelled Kherson on Monday. The shelling across Ukraine killed three people.", "Kherson", 3},
	} {
		events := extractText(t, c.text, "2024-05-08")
		if len(events) != 1 || events[0].Location != c.where {
			t.Errorf("%q: want one event at %s, got%s", c.text, c.where, describe(events))
			continue
		}
		got := -1
		if events[0].Fatalities != nil {
			got = *events[0].Fatalities
		}
		if got != c.want {
			t.Errorf("%q: %d dead, want %d", c.text, got, c.want)
		}
	}
	// A wounding and a death at the same place are two events.
	events := extractText(t, "A peacekeeper was wounded in Naqoura on Monday. The army announced the death of a soldier in Naqoura.", "2024-10-16")
	if len(events) != 2 || events[0].Fatalities != nil {
		t.Errorf("a wounding, then a death: want two events, the first without dead, got%s", describe(events))
	}
	// "The attack on X in October 2024", told after a clash there this
	// month, is an earlier event, not the clash told again.
	events = extractText(t, "Police clashed with gang members in Pont-Sondé on 10 April. The violence comes six months after the attack on Pont-Sondé in October 2024, in which 115 people were killed.", "2025-04-14")
	if len(events) != 2 {
		t.Errorf("a clash, then an attack months before: want two events, got%s", describe(events))
	}
	// A new attack at the same place on another day is another event.
	events = extractText(t, "Gunmen attacked an army post in Douentza on Monday. Gunmen attacked a market in Douentza on Friday.", "2024-05-08")
	if len(events) != 2 {
		t.Errorf("two attacks on two days: want two events, got%s", describe(events))
	}
}

// TestAnchors: a place the gazetteer lacks, placed by a known town
// ("north of X", "60 km south of X", "the road between X and Y"), maps
// near that town.
func TestAnchors(t *testing.T) {
	for _, c := range []struct {
		text, where string
		prec        int
	}{
		{"Soldiers repelled an attack on their base at Kwatanduru, north of Maiduguri, on Monday.", "Maiduguri", geo.GeoNear},
		{"Jets bombed hideouts in the Zulum hills, roughly 60 kilometres south of Damboa, on Tuesday.", "Damboa", geo.GeoNear},
		{"Insurgents ambushed a convoy on the road between Damboa and Biu on Wednesday.", "Damboa", geo.GeoNear},
		{"Troops clashed with militants at Kwatanduru, a village 20 km from Maiduguri, on Monday.", "Maiduguri", geo.GeoNear},
		{"Gunmen attacked a camp 15 km from Bunia on Thursday.", "Bunia", geo.GeoNear},
		{"Protesters blocked the Nairobi-Mombasa highway on Monday.", "Nairobi", geo.GeoNear},
		{"Rebels attacked the Goma-Sake road on Monday.", "Goma", geo.GeoNear},
		{"Gunmen ambushed a bus on the Kaduna-Abuja highway on Monday.", "Kaduna", geo.GeoNear},
		{"Gunmen attacked a bus in Kaduna on Monday.", "Kaduna", geo.GeoTown},
	} {
		events := extractText(t, c.text, "2024-07-12")
		if len(events) != 1 || events[0].Location != c.where || events[0].GeoPrecision != c.prec {
			t.Errorf("%q: want one event at %s, geo precision %d, got%s", c.text, c.where, c.prec, describe(events))
		}
	}
}

// TestDistricts: a district placed by its city ("the Delmas district of
// Port-au-Prince", "Dahiyeh in Beirut", "Cite Soleil, Port-au-Prince") is
// one event at the district; towns listed side by side are one each.
func TestDistricts(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // locations
	}{
		{"Gangs attacked a police station in the Delmas district of Port-au-Prince on Tuesday.", []string{"Delmas 73"}},
		{"Israeli strikes hit Dahiyeh in Beirut on Tuesday.", []string{"Dahiyeh"}},
		{"Police raided a hideout in Cite Soleil, Port-au-Prince, and arrested four men on Monday.", []string{"Cite Soleil"}},
		{"Gangs attacked Cite Soleil, Martissant and Delmas on Tuesday.", []string{"Cite Soleil", "Martissant", "Delmas 73"}},
		{"RSF shelling hit Omdurman and Khartoum North on Tuesday.", []string{"Omdurman", "Khartoum North"}},
	} {
		events := extractText(t, c.text, "2024-07-10")
		var got []string
		for _, e := range events {
			got = append(got, e.Location)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: want events at %q, got%s", c.text, c.want, describe(events))
		}
	}
}

// TestSides: "southern Lebanon" maps to the south of Lebanon's extent, not
// to the country's middle.
func TestSides(t *testing.T) {
	for _, c := range []struct {
		text   string
		south  bool // the point must lie south of the whole country's
		north  bool
		wantCC string
	}{
		{text: "The army announced the death of a soldier in southern Lebanon on Monday.", south: true, wantCC: "LB"},
		{text: "Hezbollah fired rockets at army positions in northern Israel on Monday.", north: true, wantCC: "IL"},
	} {
		events := extractText(t, c.text, "2024-07-10")
		whole := extractText(t, strings.NewReplacer("southern ", "", "northern ", "").Replace(c.text), "2024-07-10")
		if len(events) != 1 || len(whole) != 1 || events[0].CountryCode != c.wantCC {
			t.Errorf("%q: want one event in %s, got%s", c.text, c.wantCC, describe(events))
			continue
		}
		lat, wholeLat := events[0].Point[1], whole[0].Point[1]
		if (c.south && lat >= wholeLat) || (c.north && lat <= wholeLat) {
			t.Errorf("%q: latitude %.2f, the whole country's %.2f", c.text, lat, wholeLat)
		}
		if b := events[0].Bound; b == nil || !b.Contains(events[0].Point) {
			t.Errorf("%q: the event's extent %v does not hold its point", c.text, b)
		}
	}
}

// TestNotLocations: metonyms, names, datelines and demonyms give no event
// at their place.
func TestNotLocations(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string // country codes of the events
	}{
		{"capital for government", "Washington vowed a strong response after the drone strike in Jordan on Sunday.", []string{"JO"}},
		{"capital for government", "Tehran will be held responsible for attacks on bases, the minister said.", nil},
		{"capital for government", "Baghdad refuted the claims about the attack.", nil},
		{"capital for government", "Kyiv accused Moscow of shelling Kharkiv on Monday.", []string{"UA"}},
		{"capital for government", "The Pentagon said strikes hit targets in Syria on Friday.", []string{"SY"}},
		{"name", "Sina Azodi, a lecturer at George Washington University, said the strikes were a message.", nil},
		{"name", "The Islamic Resistance in Iraq claimed the attacks on Monday.", nil},
		{"name", "Prime Minister Benjamin Netanyahu of Israel held talks on Monday.", nil},
		{"dateline", "DUBAI (AP) — Houthi rebels fired a missile at a ship in the Gulf of Aden on Monday.", []string{""}},
		{"dateline", "KYIV, Ukraine (Reuters) - Russian drones attacked Odesa overnight.", []string{"UA"}},
		{"dateline", "BEIRUT (Reuters) - Protesters rallied on Sunday.", nil},
		{"dateline", "YEREVAN/BAKU, Sept 21 (Reuters) - Talks were held in Yevlakh on Thursday.", []string{"AZ"}},
		{"demonym", "Iraqi militias attacked a convoy on Monday.", nil},
		{"hyphenated", "Gaza-based militants fired rockets on Monday.", nil},
		{"possessive", "Iran's nuclear programme was the subject of talks on Monday.", nil},
		{"modifier", "Militants attacked US troops on Monday.", nil},
		{"longer name", "Police fired tear gas at protesters in the district of San Juan de Lurigancho on Monday.", nil},
	} {
		events := extractText(t, c.text, "2023-09-21")
		var got []string
		for _, e := range events {
			got = append(got, e.CountryCode)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %q: want events in %q, got%s", c.name, c.text, c.want, describe(events))
		}
	}
}

// TestEventsNotMentions: one feature per place of a multi-place event, one
// event told twice is one feature, a place without an event is none.
func TestEventsNotMentions(t *testing.T) {
	events := extractText(t, "He led emergency meetings in late January in Tehran and Baghdad. "+
		"In Baghdad, he held a long meeting with militia leaders. "+
		"The group is based in Najaf.", "2024-02-27")
	var got []string
	for _, e := range events {
		got = append(got, e.Location)
	}
	if len(events) != 2 || got[0] != "Tehran" || got[1] != "Baghdad" {
		t.Errorf("want the meetings in Tehran and Baghdad once each, got%s", describe(events))
	}
	for _, e := range events {
		if e.EventDate != "2024-01-21" {
			t.Errorf("%s: %s, want the late-January date of the first telling", e.Location, e.EventDate)
		}
	}
}

// TestSentences: abbreviations, initials, quotes, lower-case words after
// a period and paragraph breaks.
func TestSentences(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Gen. Kenneth F. McKenzie Jr., retired head of Central Command, said so. It was over.",
			[]string{"Gen. Kenneth F. McKenzie Jr., retired head of Central Command, said so.", "It was over."}},
		{"Since the Feb. 2 U.S. strikes, U.S. officials say, there were none. The U.S. Embassy was shut.",
			[]string{"Since the Feb. 2 U.S. strikes, U.S. officials say, there were none.", "The U.S. Embassy was shut."}},
		{"They attacked the U.S. The Pentagon said so.",
			[]string{"They attacked the U.S.", "The Pentagon said so."}},
		{"during the current war. in Gaza. Then it ended.",
			[]string{"during the current war. in Gaza.", "Then it ended."}},
		{"“Any attack on Rafah will be met with a response.” He left. “Why?” he asked.",
			[]string{"“Any attack on Rafah will be met with a response.”", "He left.", "“Why?” he asked."}},
		{"Maj. General Esmail Ghaani succeeded him. Lt. Col. Smith agreed.",
			[]string{"Maj. General Esmail Ghaani succeeded him.", "Lt. Col. Smith agreed."}},
		{"A headline without a period\nThe first sentence. The second",
			[]string{"A headline without a period", "The first sentence.", "The second"}},
		{"KYIV, Ukraine (AP) — Russia struck at dawn.",
			[]string{"Russia struck at dawn."}},
	} {
		toks := scanTokens(c.text)
		sents, _ := splitSentences(c.text, toks)
		var got []string
		for _, s := range sents {
			got = append(got, c.text[s.start:s.end])
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q:\n got %q\nwant %q", c.text, got, c.want)
		}
	}
	// A run-on "sentence" is cut at a clause boundary, well under 600
	// characters a piece.
	long := strings.Repeat("the shelling went on, and the drones came back, ", 40) + "and then it stopped."
	toks := scanTokens(long)
	sents, _ := splitSentences(long, toks)
	if len(sents) < 3 {
		t.Errorf("a %d-character sentence was not cut", len(long))
	}
	for _, s := range sents {
		if n := utf8.RuneCountInString(long[s.start:s.end]); n > 600 {
			t.Errorf("a piece of %d characters", n)
		}
	}
}

// TestAcrossBorder: a doubtful reading in a country that borders the
// article's, close to the places the article is sure of, is the same war
// across the border and is kept; a reading far from them stays dropped.
func TestAcrossBorder(t *testing.T) {
	events := extractText(t, "Thousands rallied in Tel Aviv, Haifa and Jerusalem on Saturday against the government. "+
		"Israeli artillery shelled Houla on Saturday, wounding three people.", "2024-05-12")
	if got := eventsIn(events, "LB"); len(got) != 1 || got[0].Location != "Houla" {
		t.Errorf("want the shelling of Houla in Lebanon, got%s", describe(events))
	}
	events = extractText(t, "Israeli troops were on alert in Tel Aviv, Haifa and Jerusalem on Saturday. "+
		"Syrian media said Israeli shells hit Quneitra and Hadar on Saturday.", "2024-05-12")
	if got := eventsIn(events, "IQ"); len(got) != 0 {
		t.Errorf("want no event in Iraq for a Golan village, got%s", describe(events))
	}
}

// TestToldThroughPronoun: a trigger acting on "it", "them" or "the town"
// takes the places of the sentence before when their number agrees, with
// less confidence than a place the sentence names; a pronoun that could be
// one of several places is left alone.
func TestToldThroughPronoun(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Residents fled Bakhmut last week. Russian artillery pounded the town on Monday.", []string{"Bakhmut"}},
		{"Avdiivka and Bakhmut are on the front line. Russian troops stormed them on Monday.", []string{"Avdiivka", "Bakhmut"}},
		{"Residents fled Bakhmut and Avdiivka last week. Russian artillery pounded it on Monday.", nil},
		{"Residents fled Bakhmut last week. Russian artillery pounded them on Monday.", nil},
		{"Residents fled Bakhmut last week. The town was shelled again on Monday.", []string{"Bakhmut"}},
		{"Residents fled Bakhmut last week. It was shelled again on Monday.", []string{"Bakhmut"}},
		{"Residents fled Bakhmut and Avdiivka last week. The town was shelled again on Monday.", nil},
		{"Vovchansk and Lyptsi lie north of Kharkiv, near the border. Russia has bombed them every day since May.",
			[]string{"Vovchansk", "Lyptsi"}},
		{"Kupiansk and Vovchansk in Kharkiv region lie near the border. Russian guns shelled the two towns on Monday.",
			[]string{"Kupiansk", "Vovchansk"}},
		{"Kupiansk and Vovchansk in Kharkiv region lie near the border. Russian guns shelled the three towns on Monday.", nil},
	} {
		events := extractText(t, c.text, "2023-09-21")
		var got []string
		for _, e := range events {
			if e.EventType == geo.Protests || e.EventType == geo.StrategicDevelopments {
				continue
			}
			got = append(got, e.Location)
			if e.Confidence > 0.7 {
				t.Errorf("%q: %s has confidence %.2f, want less than a named place's", c.text, e.Location, e.Confidence)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%q: want events at %q, got%s", c.text, c.want, describe(events))
		}
	}
}

// TestPartsOfTowns: an event in "the X district of Y" or "the X suburb of
// Y" is in part of a town (geo_precision 2), at X when the gazetteer knows
// it and else somewhere in Y; a district of a province stays a region.
func TestPartsOfTowns(t *testing.T) {
	for _, c := range []struct {
		text, want string
		prec       int
	}{
		{"Gunmen stormed a clinic in the Delmas district of Port-au-Prince on Tuesday.", "Delmas 73", geo.GeoNear},
		{"An Israeli strike hit a building in the Dahiyeh suburb of Beirut on Tuesday.", "Dahiyeh", geo.GeoNear},
		{"A missile hit a school in the Saltivka district of Kharkiv on Tuesday.", "Kharkiv", geo.GeoNear},
		{"Shelling hit a farm in the Pokrovsk district of Donetsk region on Tuesday.", "Pokrovsk", geo.GeoRegion},
		{"Gangs looted shops in the Solino neighbourhood in Port-au-Prince on Tuesday.", "Solino", geo.GeoNear},
		{"Troops raided a house in the Kalakla district of the capital Khartoum on Tuesday.", "Al Kalakla", geo.GeoNear}, // the village tier knows Kalakla
	} {
		events := extractText(t, c.text, "2024-07-10")
		if len(events) != 1 || events[0].Location != c.want || events[0].GeoPrecision != c.prec {
			t.Errorf("%q: want one event at %s with geo_precision %d, got%s", c.text, c.want, c.prec, describe(events))
			for _, e := range events {
				t.Logf("  %s geo_precision %d", e.Location, e.GeoPrecision)
			}
		}
	}
}

// TestPassiveSubjects: every place of a passive's subject list is where the
// event happened, and "under RSF siege" is a passive too.
func TestPassiveSubjects(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // locations of the events, in order
	}{
		{"Khartoum and Omdurman were retaken by the army in March.", []string{"Khartoum", "Omdurman"}},
		{"El Fasher, the last army stronghold in Darfur, has been under RSF siege for more than a year.", []string{"El Fasher"}},
	} {
		wantLocations(t, c.text, "2025-08-12", c.want)
	}
}

// TestTheTownFurtherOn: "the town" after the trigger's verb and a
// preposition, or before a "where" clause holding the trigger, is the town
// of the sentence before.
func TestTheTownFurtherOn(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // locations of the events, in order
	}{
		{"The minister visited Babanusa on Monday. Fighting was continuing around the town's eastern edge.", []string{"Babanusa"}},
		{"The minister visited Babanusa on Monday. The RSF is tightening its grip on the town, where the garrison has been encircled since January.", []string{"Babanusa"}},
		// "the X district" the gazetteer does not hold: a part of the town
		// of the sentence before, if it named one.
		{"The mayor visited Kherson on Monday. On Thursday, a drone dropped explosives on a bus in the Korabel district.", []string{"Kherson"}},
		{"The mayor spoke on Monday. On Thursday, a drone dropped explosives on a bus in the Korabel district.", nil},
		// Someone else's verb first: not said to be in the town.
		{"The minister visited Babanusa on Monday. The army targeted militants operating in the town.", nil},
	} {
		wantLocations(t, c.text, "2025-08-12", c.want)
	}
}

// TestElidedNames: a French name written with its elided article, hyphens
// and accents is one place.
func TestElidedNames(t *testing.T) {
	for _, c := range []struct {
		text, cc string
	}{
		{"Gangs attacked the commune of Petite-Rivière-de-l'Artibonite on 8 April, killing 12 people.", "HT"},
		{"Gunmen attacked a police post in Côte d'Ivoire on Monday.", "CI"},
	} {
		events := extractText(t, c.text, "2025-04-10")
		if len(events) != 1 || events[0].CountryCode != c.cc {
			t.Errorf("%q: want one event in %s, got%s", c.text, c.cc, describe(events))
		}
	}
}

// TestCoups: a coup with a date of its own is an event at the capital where
// power was seized; told without a date, or over a whole country, it is
// background.
func TestCoups(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // locations of the events
	}{
		{"When the colonels seized power in Bamako in 2020, they promised to defeat the jihadists.", []string{"Bamako"}},
		{"Two years after soldiers seized power in Ouagadougou, the violence is spreading.", nil},
		{"When Capt Traoré took power in Burkina Faso in September 2022, he made promises.", nil},
	} {
		wantLocations(t, c.text, "2025-07-01", c.want)
	}
}

// TestDatedBackground: a disappearance or a defeat told with a year or a
// month of its own is an event of that period; without one it is
// background.
func TestDatedBackground(t *testing.T) {
	for _, c := range []struct {
		text, date string // date "" for no event
	}{
		{"The students demanded progress in the investigation into the disappearance of 43 classmates in Iguala in 2014.", "2014-01-01"},
		{"The students demanded progress in the investigation into the disappearance of 43 classmates in Iguala.", ""},
		{"After its defeat at Kidal in July 2024, the group handed over its contracts.", "2024-07-01"},
		{"The army promised the defeat of the jihadists in Kidal.", ""},
	} {
		events := extractText(t, c.text, "2025-05-28")
		if c.date == "" {
			if len(events) != 0 {
				t.Errorf("%q: want no event, got%s", c.text, describe(events))
			}
			continue
		}
		if len(events) != 1 || events[0].EventDate != c.date {
			t.Errorf("%q: want one event from %s, got%s", c.text, c.date, describe(events))
		}
	}
}

// wantLocations checks that text, published on the given day, yields events
// at exactly the locations want, in order.
func wantLocations(t *testing.T, text, published string, want []string) {
	t.Helper()
	events := extractText(t, text, published)
	var got []string
	for _, e := range events {
		got = append(got, e.Location)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%q: want events at %q, got%s", text, want, describe(events))
	}
}
