package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"conflictmap/geo"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
)

// TestMergeOnUpgrade opens a file written before events were merged (the
// schema of migration 0002, with two outlets' events of one strike) and
// checks that the upgrade keeps every report and merges them.
func TestMergeOnUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := migratedTo(t, path, 4)
	_, err := db.Exec(`PRAGMA user_version = 4;
		INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version)
			VALUES ('a', 'A', 'https://a.example/1', '2024-03-05', 'text a', 1, 1),
			('b', 'B', 'https://b.example/1', '2024-03-06', 'text b', 2, 2),
			('acled-file', 'ACLED', '', '', '', 3, 3);
		INSERT INTO events (id, article_id, lon, lat, event_date, time_precision, event_type, sub_event_type, modality,
			actor1, actor2, fatalities, location, country, country_code, admin1, geonameid, feature_code, geo_precision,
			mention, quote, confidence, title, source_url, published, extractor_version, actors_folded, quote_folded)
		VALUES ('ea', 'a', 36.2, 33.5, '2024-03-05', 1, 'Explosions/Remote violence', 'Air/drone strike', 'occurred',
			'', '', 4, 'Damascus', 'Syria', 'SY', '', 170654, 'PPLC', 1, 'Damascus', 'A strike hit Damascus.', 0.5, 'A',
			'https://a.example/1', '2024-03-05', 'old', '', ''),
		('eb', 'b', 36.2, 33.5, '2024-03-05', 1, 'Explosions/Remote violence', 'Air/drone strike', 'occurred',
			'', '', 6, 'Damascus', 'Syria', 'SY', '', 170654, 'PPLC', 1, 'Damascus', 'Damascus was struck.', 0.5, 'B',
			'https://b.example/1', '2024-03-06', 'old', '', '');
		INSERT INTO events (id, article_id, lon, lat, event_date, time_precision, event_type, sub_event_type, modality,
			actor1, actor2, fatalities, location, country, country_code, admin1, geonameid, feature_code, geo_precision,
			mention, quote, confidence, title, source_url, published, extractor_version, actors_folded, quote_folded, origin)
		VALUES ('acled-1', 'acled-file', 36.2, 33.5, '2024-03-05', 1, 'Explosions/Remote violence', 'Air/drone strike', 'occurred',
			'', '', 5, 'Damascus', 'Syria', 'SY', '', 170654, 'PPLC', 1, '', 'ACLED row.', 0, '', '', '', '', '', '', 'acled')`)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := open(t, path)
	page, err := s.Events(t.Context(), geo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 2 || page.Events[1].ID != "ea" || page.Events[1].SourceCount != 2 || *page.Events[1].Fatalities != 4 ||
		page.Events[0].ID != "acled-1" || page.Events[0].Origin != "acled" {
		t.Fatalf("after the upgrade the events are %+v, want the ACLED row alone and ea merging two reports with 4 fatalities", page.Events)
	}
	reports, err := s.Reports(t.Context(), "ea")
	if err != nil || len(reports) != 2 || reports[1].Quote != "Damascus was struck." || *reports[1].Fatalities != 6 {
		t.Errorf("after the upgrade the reports are %+v (%v), want both, as stored", reports, err)
	}
	if a, err := s.Article(t.Context(), "acled-file"); err != nil || a.Events != 0 {
		t.Errorf("the imported file keeps %d reports (%v), want none: imported rows are events, never merged", a.Events, err)
	}
	a, err := s.Article(t.Context(), "b")
	if err != nil || a.Events != 1 {
		t.Errorf("article b has %d events (%v), want 1", a.Events, err)
	}
}

// migratedTo opens a new file at path with the schema of the first n
// migrations, as a file written by an older program has it.
func migratedTo(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names[:n] {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return db
}

// The change log keeps its newest changes; a client behind the pruned ones
// is told to reload.
func TestChangeLogPruned(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "log.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sqlite.SetChangeLog(s, 4)
	storetest.ChangeLog(t, s, 4)
}

// TestWordIndexOnUpgrade opens a file whose full-text index has a column
// per field (the schema of migration 0029) and checks that the upgrade
// indexes the stored events' words by field, and their countries and
// types: each word filter finds the events with that word in that field
// alone, whole or as a prefix of one stored word or of several, in the
// country (of that case) and types asked for.
func TestWordIndexOnUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := migratedTo(t, path, 29)
	_, err := db.Exec(`PRAGMA user_version = 29;
		INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version)
			VALUES ('a', 'A', 'https://a.example/1', '2024-03-05', 'text a', 1, 1);
		INSERT INTO events (id, article_id, lon, lat, event_date, time_precision, event_type, sub_event_type, modality,
			actor1, actor2, fatalities, location, country, country_code, admin1, geonameid, feature_code, geo_precision,
			mention, quote, confidence, title, source_url, published, extractor_version, actors_folded, quote_folded,
			actors_words, quote_words)
		VALUES ('e1', 'a', 36.2, 33.5, '2024-03-05', 1, 'Explosions/Remote violence', 'Air/drone strike', 'occurred',
			'Police', '', 1, 'Damascus', 'Syria', 'SY', '', 170654, 'PPLC', 1, 'Damascus', 'A drone hit the army post.', 0.5, 'A',
			'https://a.example/1', '2024-03-05', 'old', 'police', 'a drone hit the army post.', '["police"]', '["a","army","drone","hit","post","the"]'),
		('e2', 'a', 36.3, 33.6, '2024-03-06', 1, 'Battles', 'Armed clash', 'occurred',
			'Army', 'Police', 2, 'Damascus', 'Syria', 'SY', '', 170654, 'PPLC', 1, 'Damascus', 'Drones over the convoy.', 0.5, 'A',
			'https://a.example/1', '2024-03-05', 'old', 'army
police', 'drones over the convoy.', '["army","police"]', '["convoy","drones","over","the"]')`)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := open(t, path)
	for _, c := range []struct {
		f    geo.Filter
		want []string
	}{
		{geo.Filter{Q: "army"}, []string{"e1"}},
		{geo.Filter{Actor: "army"}, []string{"e2"}},
		{geo.Filter{Q: "drone"}, []string{"e2", "e1"}},
		{geo.Filter{Q: "drones"}, []string{"e2"}},
		{geo.Filter{Q: "conv", Actor: "pol"}, []string{"e2"}},
		{geo.Filter{Q: "police"}, nil},
		{geo.Filter{Actor: "police", Q: "hit"}, []string{"e1"}},
		{geo.Filter{Q: "the drone", Country: "SY"}, []string{"e2", "e1"}},
		{geo.Filter{Q: "the drone", Country: "sy"}, nil},
		{geo.Filter{Q: "the drone", Country: "SD"}, nil},
		{geo.Filter{Q: "the drone", Types: []string{"Battles"}}, []string{"e2"}},
		{geo.Filter{Q: "the drone", Types: []string{"Battles", "Explosions/Remote violence"}, Country: "SY"}, []string{"e2", "e1"}},
	} {
		page, err := s.Events(t.Context(), c.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range page.Events {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, c.want) || page.Matched != len(c.want) {
			t.Errorf("after the upgrade actor=%q q=%q finds %v (%d matched), want %v", c.f.Actor, c.f.Q, got, page.Matched, c.want)
		}
	}
}
