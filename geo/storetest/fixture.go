package storetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"conflictmap/geo"

	"github.com/paulmach/orb"
)

// Batch is one article and the events read from it, as a store ingests them.
type Batch struct {
	Article geo.Article
	Events  []geo.Event
}

func intp(n int) *int { return &n }

// Fixture returns three articles whose events exercise every filter: several
// countries and weeks, a sea event with no country, a threatened and an
// ongoing event, an undated event, two events either side of the
// antimeridian, fatalities unknown, zero and positive, a place with a
// bounding box, a point on whole-degree-free coordinates for exact bbox
// edges, two events on the same day (ordered by id), non-ASCII actors, and
// quotes holding SQL pattern characters.
func Fixture() []Batch {
	iranText := "Iran reins in its militias.\nAfter the drone strike on Tower 22 in Jordan killed three American soldiers, the Quds Force commander met militia leaders in Baghdad."
	iran := geo.Article{
		ID:        geo.ArticleID("https://example.org/2024/02/27/iran-reins-in-militias", iranText),
		Title:     "Iran reins in its militias",
		URL:       "https://example.org/2024/02/27/iran-reins-in-militias",
		Published: "2024-02-27",
		Text:      iranText,
	}
	pacificText := "Vendors marched in Suva; organisers said 100% of the stalls closed.\n\tUnrest spread across the islands — «calm» returned by Tuesday."
	pacific := geo.Article{
		ID:        geo.ArticleID("", pacificText),
		Title:     "Unrest in Fiji",
		Published: "2024-03-10",
		Text:      pacificText,
	}
	ukraineText := "Shelling hit Kharkiv and Kyiv on the same day."
	ukraine := geo.Article{
		ID:    geo.ArticleID("https://example.org/ukraine", ukraineText),
		Title: "",
		URL:   "https://example.org/ukraine",
		Text:  ukraineText,
	}
	ev := func(a geo.Article, e geo.Event) geo.Event {
		e.ArticleID = a.ID
		e.Title = a.Title
		e.SourceURL = a.URL
		e.Published = a.Published
		e.ExtractorVersion = "test-1"
		return e
	}
	return []Batch{
		{Article: iran, Events: []geo.Event{
			ev(iran, geo.Event{
				ID: "jordan-strike", Point: orb.Point{38.79, 33.32},
				EventDate: "2024-01-28", EventDateEnd: "2024-01-28", TimePrecision: geo.TimeDay,
				EventType: geo.ExplosionsRemote, SubEventType: "Air/drone strike", Modality: geo.Occurred,
				Actor1: "Islamic Resistance in Iraq", Actor2: "US military", Fatalities: intp(3),
				Location: "Tower 22", Country: "Jordan", CountryCode: "JO", Admin1: "Mafraq",
				GeonameID: 250582, FeatureCode: "MILB", GeoPrecision: geo.GeoTown,
				Mention: "Tower 22", Quote: "The drone strike on Tower 22 in Jordan killed three American soldiers.", Confidence: 0.9,
			}),
			ev(iran, geo.Event{
				ID: "baghdad-meeting", Point: orb.Point{44.40088, 33.34058},
				EventDate: "2024-01-29", EventDateEnd: "2024-01-31", TimePrecision: geo.TimeWeek,
				EventType: geo.StrategicDevelopments, SubEventType: "Other", Modality: geo.Occurred,
				Actor1: "Quds Force", Actor2: "Kataib Hezbollah",
				Location: "Baghdad", Country: "Iraq", CountryCode: "IQ", Admin1: "Baghdad",
				GeonameID: 98182, FeatureCode: "PPLC", GeoPrecision: geo.GeoTown,
				Mention: "Baghdad", Quote: "The Quds Force commander met militia leaders in Baghdad.", Confidence: 0.75,
			}),
			ev(iran, geo.Event{
				ID: "damascus-strike", Point: orb.Point{36.29128, 33.5102},
				EventDate: "2024-02-01", EventDateEnd: "2024-02-29", TimePrecision: geo.TimeMonth,
				EventType: geo.ExplosionsRemote, SubEventType: "Air/drone strike", Modality: geo.Occurred,
				Actor1: "Israeli Air Force", Actor2: "Islamic Revolutionary Guard Corps", Fatalities: intp(0),
				Location: "Damascus", Country: "Syria", CountryCode: "SY", Admin1: "Dimashq",
				GeonameID: 170654, FeatureCode: "PPLC", GeoPrecision: geo.GeoNear,
				Mention: "Damascus", Quote: "Strikes hit residences in Damascus used by Iranian advisers.", Confidence: 0.6,
			}),
			ev(iran, geo.Event{
				ID: "red-sea-attacks", Point: orb.Point{38, 20},
				Bound:     &orb.Bound{Min: orb.Point{32.1, 12.5}, Max: orb.Point{43.5, 30}},
				EventDate: "2023-11-19", EventDateEnd: "2024-02-27", TimePrecision: geo.TimeMonth,
				EventType: geo.ExplosionsRemote, SubEventType: "Shelling/artillery/missile attack", Modality: geo.Ongoing,
				Actor1: "Houthis", Actor2: "Commercial shipping",
				Location: "Red Sea", GeonameID: 350155, FeatureCode: "SEA", GeoPrecision: geo.GeoRegion,
				Mention: "the Red Sea", Quote: "The Houthis keep attacking ships in the Red Sea.", Confidence: 0.5,
			}),
			ev(iran, geo.Event{
				ID: "rafah-threat", Point: orb.Point{34.24357, 31.29722},
				EventDate: "2024-02-27", TimePrecision: geo.TimeMonth,
				EventType: geo.Battles, SubEventType: "Armed clash", Modality: geo.Threatened,
				Actor1: "Israel Defense Forces", Actor2: "Hamas",
				Location: "Rafah", Country: "Palestine", CountryCode: "PS", Admin1: "Gaza Strip",
				GeonameID: 281102, FeatureCode: "PPLA", GeoPrecision: geo.GeoTown,
				Mention: "Rafah", Quote: "Israel threatens an offensive on Rafah.", Confidence: 0.8,
			}),
		}},
		{Article: pacific, Events: []geo.Event{
			ev(pacific, geo.Event{
				ID: "fiji-east", Point: orb.Point{179.5, -16.5},
				EventDate: "2024-03-04", EventDateEnd: "2024-03-04", TimePrecision: geo.TimeDay,
				EventType: geo.Protests, SubEventType: "Peaceful protest", Modality: geo.Occurred,
				Actor1: "Protesters (Fiji)", Location: "Labasa", Country: "Fiji", CountryCode: "FJ",
				Quote: "About 1000 people marched on Route 301 near Labasa.", Confidence: 0.4,
			}),
			ev(pacific, geo.Event{
				ID: "fiji-west", Point: orb.Point{-179.5, -16.8},
				EventDate: "2024-03-05", EventDateEnd: "2024-03-05", TimePrecision: geo.TimeDay,
				EventType: geo.Riots, SubEventType: "Mob violence", Modality: geo.Occurred,
				Actor1: "Rioters (Fiji)", Actor2: "Civilians (Fiji)", Fatalities: intp(1),
				Location: "Taveuni", Country: "Fiji", CountryCode: "FJ",
				Quote: "A mob attacked shops on Taveuni; one man died.", Confidence: 0.45,
			}),
			ev(pacific, geo.Event{
				ID: "suva-undated", Point: orb.Point{178.44149, -18.14161},
				EventType: geo.Protests, SubEventType: "Peaceful protest", Modality: geo.Occurred,
				Actor1: "Market vendors", Location: "Suva", Country: "Fiji", CountryCode: "FJ",
				Quote: "Vendors marched in Suva; organisers said 100% of the stalls closed.",
			}),
		}},
		{Article: ukraine, Events: []geo.Event{
			ev(ukraine, geo.Event{
				ID: "kyiv-shelling", Point: orb.Point{30.52335, 50.45466},
				EventDate: "2024-02-20", EventDateEnd: "2024-02-20", TimePrecision: geo.TimeDay,
				EventType: geo.ExplosionsRemote, SubEventType: "Shelling/artillery/missile attack", Modality: geo.Occurred,
				Actor1: "Military Forces of Russia", Actor2: "Civilians (Ukraine)", Fatalities: intp(0),
				Location: "Kyiv", Country: "Ukraine", CountryCode: "UA",
				Quote: "Shelling hit Kyiv.", Confidence: 1,
			}),
			ev(ukraine, geo.Event{
				ID: "kharkiv-shelling", Point: orb.Point{36.25272, 49.98081},
				EventDate: "2024-02-20", EventDateEnd: "2024-02-20", TimePrecision: geo.TimeDay,
				EventType: geo.ExplosionsRemote, SubEventType: "Shelling/artillery/missile attack", Modality: geo.Occurred,
				Actor1: "Military Forces of Russia", Actor2: "Élite Brigade «Kharkiv»", Fatalities: intp(12),
				Location: "Kharkiv", Country: "Ukraine", CountryCode: "UA",
				Quote: "SHELLING HIT KHARKIV, killing 12.", Confidence: 0.3,
			}),
		}},
	}
}

// fixtureEvents returns every event of the fixture.
func fixtureEvents() []geo.Event {
	var all []geo.Event
	for _, b := range Fixture() {
		all = append(all, b.Events...)
	}
	return all
}

// words that generated actors and quotes are drawn from; some carry SQL
// pattern characters and some differ only by case or accents.
var genWords = []string{
	"army", "Army", "police", "militia", "forces", "Rebels", "civilians", "protesters",
	"drone", "strike", "shelling", "attack", "100%", "1000", "a_b", "axb", "Élite", "élite",
	"north", "south", "river", "market", "convoy", "checkpoint",
}

var genCountries = []string{"", "IQ", "SY", "UA", "FJ", "SD", "YE"}

// Generate returns n reproducible random events of one article: points
// snapped to a 0.5 degree grid (so that bbox edges are hit exactly) with some
// on ±180, dates over 2023 and 2024 with some undated and some spanning weeks,
// every event type and modality, fatalities nil, zero or positive, and
// actors and quotes drawn from a small vocabulary. Benchmarks use it for
// volume; the conformance suite compares stores against a model on it.
func Generate(seed uint64, a geo.Article, n int) []geo.Event {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	words := func(k int) string {
		s := ""
		for i := 0; i < k; i++ {
			if i > 0 {
				s += " "
			}
			s += genWords[r.IntN(len(genWords))]
		}
		return s
	}
	day0 := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	taxonomy, modalities := geo.Taxonomy(), geo.Modalities()
	events := make([]geo.Event, n)
	for i := range events {
		t := taxonomy[r.IntN(len(taxonomy))]
		// Some ids in upper case: byte order and a linguistic collation
		// disagree on them, and stores must list in byte order.
		id := fmt.Sprintf("%s-%05d", a.ID, i)
		if i%3 == 0 {
			id = strings.ToUpper(id)
		}
		e := geo.Event{
			ID:               id,
			Point:            orb.Point{float64(r.IntN(721)-360) / 2, float64(r.IntN(361)-180) / 2},
			EventType:        t.Type,
			SubEventType:     t.SubTypes[r.IntN(len(t.SubTypes))],
			Modality:         modalities[r.IntN(len(modalities))],
			Actor1:           words(1 + r.IntN(2)),
			Actor2:           words(r.IntN(3)),
			CountryCode:      genCountries[r.IntN(len(genCountries))],
			Location:         words(1),
			GeonameID:        int64(r.IntN(1_000_000)),
			GeoPrecision:     1 + r.IntN(3),
			TimePrecision:    1 + r.IntN(3),
			Quote:            words(3 + r.IntN(8)),
			Confidence:       float64(r.IntN(101)) / 100,
			ArticleID:        a.ID,
			Title:            a.Title,
			SourceURL:        a.URL,
			Published:        a.Published,
			ExtractorVersion: "gen",
		}
		if e.CountryCode != "" {
			e.Country = "Country " + e.CountryCode
		}
		switch r.IntN(10) {
		case 0: // undated
		case 1, 2: // a span of days
			d := day0.AddDate(0, 0, r.IntN(730))
			e.EventDate = d.Format(geo.DateLayout)
			e.EventDateEnd = d.AddDate(0, 0, 1+r.IntN(40)).Format(geo.DateLayout)
		case 3: // a start with no end
			e.EventDate = day0.AddDate(0, 0, r.IntN(730)).Format(geo.DateLayout)
		default:
			e.EventDate = day0.AddDate(0, 0, r.IntN(730)).Format(geo.DateLayout)
			e.EventDateEnd = e.EventDate
		}
		switch r.IntN(3) {
		case 0:
		case 1:
			e.Fatalities = intp(0)
		default:
			e.Fatalities = intp(1 + r.IntN(50))
		}
		if r.IntN(5) == 0 {
			e.Bound = &orb.Bound{Min: orb.Point{e.Point[0] - 1, e.Point[1] - 1}, Max: orb.Point{e.Point[0] + 1, e.Point[1] + 1}}
		}
		if k := r.IntN(8); k < 3 {
			e.Origin = []string{geo.OriginImport, geo.OriginACLED, geo.OriginUCDP}[k]
		}
		events[i] = e
	}
	return events
}

// randomFilter returns a reproducible filter that sets each field with some
// probability, with bboxes on the same grid as Generate's points, some of
// them crossing the antimeridian.
func randomFilter(r *rand.Rand) geo.Filter {
	var f geo.Filter
	if r.IntN(2) == 0 {
		s := float64(r.IntN(361)-180) / 2
		n := s + float64(r.IntN(200))/2
		if n > 90 {
			n = 90
		}
		w := float64(r.IntN(721)-360) / 2
		e := w + float64(r.IntN(400))/2
		if e > 180 {
			e -= 360 // crosses the antimeridian
		}
		f.BBox = &geo.BBox{West: w, South: s, East: e, North: n}
	}
	day0 := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	start := day0.AddDate(0, 0, r.IntN(760)-15)
	switch r.IntN(4) {
	case 0:
		f.Start = start.Format(geo.DateLayout)
	case 1:
		f.End = start.Format(geo.DateLayout)
	case 2:
		f.Start = start.Format(geo.DateLayout)
		f.End = start.AddDate(0, 0, r.IntN(90)).Format(geo.DateLayout)
	}
	if r.IntN(3) == 0 {
		for _, t := range geo.Taxonomy() {
			if r.IntN(3) == 0 {
				f.Types = append(f.Types, t.Type)
			}
		}
	}
	if r.IntN(4) == 0 {
		modalities := geo.Modalities()
		f.Modalities = append(f.Modalities, modalities[r.IntN(len(modalities))])
	}
	if r.IntN(4) == 0 {
		f.Country = genCountries[1+r.IntN(len(genCountries)-1)]
	}
	if r.IntN(4) == 0 {
		f.Actor = genWords[r.IntN(len(genWords))]
		if r.IntN(2) == 0 {
			f.Actor = f.Actor[:min(len(f.Actor), 3)] // the start of a word
		}
	}
	if r.IntN(4) == 0 {
		origins := geo.Origins()
		f.Origins = append(f.Origins, origins[r.IntN(len(origins))])
	}
	if r.IntN(4) == 0 {
		f.Q = genWords[r.IntN(len(genWords))]
		switch r.IntN(3) {
		case 0:
			f.Q += " " + genWords[r.IntN(len(genWords))]
		case 1:
			// A word's last letter, which starts other words ("s" of
			// "forces" starts "south"): only those match.
			f.Q = f.Q[len(f.Q)-1:]
		}
	}
	randomFieldFilters(r, &f)
	return f
}

// randomFieldFilters sets the filters named like event properties
// (sub_event_type, geo_precision) now and then.
func randomFieldFilters(r *rand.Rand, f *geo.Filter) {
	if r.IntN(5) == 0 {
		t := geo.Taxonomy()[r.IntN(len(geo.Taxonomy()))]
		f.SubTypes = append(f.SubTypes, t.SubTypes[r.IntN(len(t.SubTypes))])
		if r.IntN(2) == 0 {
			f.SubTypes = append(f.SubTypes, t.SubTypes[r.IntN(len(t.SubTypes))])
		}
	}
	if r.IntN(5) == 0 {
		f.GeoPrecisions = append(f.GeoPrecisions, 1+r.IntN(3))
	}
}
