package postgis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/postgis"
	"conflictmap/geo/storetest"

	"github.com/jackc/pgx/v5"
)

// dsn is the test database: CONFLICTMAP_TEST_PG, else the local server.
func dsn() string {
	if v := os.Getenv("CONFLICTMAP_TEST_PG"); v != "" {
		return v
	}
	return "postgres://root@127.0.0.1:5432/test?sslmode=disable"
}

// admin connects to the test database for what the store does not do
// itself: dropping a test's schema. Without a server the test fails under
// CI=true and is skipped otherwise.
func admin(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn())
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL at %s is required under CI: %v", dsn(), err)
		}
		tb.Skipf("no PostgreSQL at %s (set CONFLICTMAP_TEST_PG): %v", dsn(), err)
	}
	return conn
}

// newSchema returns a schema name of the test's own, dropped with everything
// in it when the test ends. No other schema is touched.
func newSchema(tb testing.TB) string {
	tb.Helper()
	conn := admin(tb)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "cm_test_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
		conn.Close(ctx)
	})
	return schema
}

func open(tb testing.TB, schema string) *postgis.Store {
	tb.Helper()
	s, err := postgis.Open(context.Background(), dsn(), schema)
	if err != nil {
		tb.Fatal(err)
	}
	// Registered after newSchema's cleanup, so it runs before the drop.
	tb.Cleanup(func() { s.Close() })
	return s
}

// TestConformance reads every walk in one piece, whatever the machine's
// CPUs, so that the one-statement reads stay tested beside the pieces of
// TestConformanceWalkPlans, and reads every page from offset 3 on as one
// far into a long list (its ids first, walked from the nearer end).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s := open(t, newSchema(t))
		postgis.SetPieces(s, 1)
		postgis.SetDeepOffset(s, 3)
		postgis.SetSetWordEvents(t, s, 1)
		// Across a chunk of the facts, inside one of the term sets, and
		// the next chunk of the term sets.
		postgis.SetNextOrdinal(t, s, acrossChunks)
		return s
	})
}

// The plans many matches call for answer as the model does: a page
// walking an index in list order, box and words checked row by row (with
// the threshold at 0, every page with a box or words takes it), and
// counts whose edge days of dates test a box row by row (with the ratio
// at 0, every box is dense), and whose strips along a box's edges test
// their dates row by row (every strip's box sparse), and whose sub-event
// types with a box read the types' entries, and density cells of words with
// a box that walk the box's entries (every word common), and stats of
// words walked in three pieces of their dates on as many connections at
// once, as are the pages and counts of word walks (their first four
// events read by every piece, those further in by the piece they lie
// in), and the rows of every page read by ids, one or more to a piece.
// The two are apart: the count is made before the page is read.
func TestConformanceWalkPlans(t *testing.T) {
	storetest.RunPlans(t, func(t *testing.T) storetest.Store {
		s := open(t, newSchema(t))
		postgis.SetWalkAt(s, 0)
		postgis.SetDenseBoxRatio(s, 0)
		postgis.SetSparseBoxRatio(s, 0)
		postgis.SetWordWalkAt(s, 1<<30)
		postgis.SetDateWalkAt(s, 1<<30)
		postgis.SetSubTypeBoxRatio(s, 1<<30)
		postgis.SetBoxWalkAt(s, 1<<30)
		postgis.SetPieces(s, 3)
		postgis.SetPieceRowsAt(s, 4)
		postgis.SetRowsPieceAt(s, 1)
		return s
	})
}

// A server warms its store's pool before its first request: every
// connection it may use is open (and has run warmSQL) by then.
func TestWarmOpensThePool(t *testing.T) {
	s := open(t, newSchema(t))
	if err := s.Warm(t.Context()); err != nil {
		t.Fatal(err)
	}
	if open, most := postgis.PoolConns(s); open != most {
		t.Errorf("after Warm the pool holds %d connections of %d", open, most)
	}
}

func TestReopen(t *testing.T) {
	schema := newSchema(t)
	opener := func(t *testing.T) storetest.Store { return open(t, schema) }
	storetest.Reopen(t, opener, opener)
}

func TestTwoStoresOnOneSchema(t *testing.T) {
	schema := newSchema(t)
	storetest.Shared(t, open(t, schema), open(t, schema))
}

// TestInstancesStartTogether opens one new schema from several stores at
// once, as server instances started together would: each must come up and
// the migrations must be applied once.
func TestInstancesStartTogether(t *testing.T) {
	schema := newSchema(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := postgis.Open(context.Background(), dsn(), schema)
			if err == nil {
				err = s.Ping(context.Background())
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	conn := admin(t)
	defer conn.Close(context.Background())
	var n int
	err := conn.QueryRow(t.Context(), "SELECT count(*) FROM "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir("migrations")
	if n != len(entries) {
		t.Errorf("%d migrations recorded, want %d", n, len(entries))
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	schema := newSchema(t)
	open(t, schema).Close()
	conn := admin(t)
	defer conn.Close(context.Background())
	_, err := conn.Exec(t.Context(), "INSERT INTO "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+" (version, name) VALUES (999, 'future')")
	if err != nil {
		t.Fatal(err)
	}
	s, err := postgis.Open(t.Context(), dsn(), schema)
	if err == nil {
		s.Close()
		t.Fatal("a schema written by a newer program opened without error")
	}
	if !strings.Contains(err.Error(), "999") {
		t.Errorf("error %q does not name the schema's version", err)
	}
}

func TestRefusesBadSchemaNames(t *testing.T) {
	for _, name := range []string{"", "Public", "cm-test", "1abc", `a"b`, "a;drop", strings.Repeat("a", 64)} {
		s, err := postgis.Open(t.Context(), dsn(), name)
		if geo.ErrorCode(err) != geo.EINVALID {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open with schema %q gives %v, want %s", name, err, geo.EINVALID)
		}
	}
}

// BenchmarkStore: go test -run '^$' -bench . ./geo/postgis/
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) storetest.Store { return open(b, newSchema(b)) })
}

// acrossChunks is an ordinal a few events before the end of a chunk of the
// facts (4,096 ordinals) that is not the first of a chunk of the term sets
// (32,768).
const acrossChunks = 32768 + 4096*3 - 20

func TestImportCounts(t *testing.T) {
	s := open(t, newSchema(t))
	postgis.SetSetWordEvents(t, s, 3)
	postgis.SetNextOrdinal(t, s, acrossChunks)
	storetest.ImportCounts(t, s)
	postgis.CheckTermSets(t, s, "after imports")
}

// The triggers and a bulk import's tally write the same week into an
// event's facts, within the 16 bits' reach and beyond it.
func TestFactWeeksAsSQL(t *testing.T) {
	s := open(t, newSchema(t))
	postgis.CheckFactWeeks(t, s, []string{"2000-01-03", "2000-01-02", "1999-12-27", "1970-01-01", "2024-02-29",
		"1500-06-15", "1373-01-07", "2500-01-01", "2627-12-31", "1000-01-01", "1371-12-31", "2629-01-01", "9999-12-31"})
}

// bulkStore imports through a bulk import of its own per call.
type bulkStore struct{ *postgis.Store }

func (s bulkStore) Import(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	b, err := s.BeginBulk(ctx)
	if err != nil {
		return err
	}
	defer b.Rollback()
	// Two batches, the second repeating an event of the first changed: the
	// later row is the one stored.
	half := len(events) / 2
	if err := b.Add(ctx, articles, events[:half]); err != nil {
		return err
	}
	if len(events) > 0 {
		e := events[0]
		e.Quote += " (first copy)"
		if err := b.Add(ctx, articles, []geo.Event{e}); err != nil {
			return err
		}
	}
	if err := b.Add(ctx, articles, events[half:]); err != nil {
		return err
	}
	if len(events) > 0 {
		if err := b.Add(ctx, articles, events[:1]); err != nil {
			return err
		}
	}
	return b.Commit(ctx)
}

// The kept counts and cells follow a bulk import's inserts and
// replacements, and of an event added twice the last copy is stored.
func TestBulkImportCounts(t *testing.T) {
	s := open(t, newSchema(t))
	postgis.SetSetWordEvents(t, s, 3)
	postgis.SetNextOrdinal(t, s, acrossChunks)
	storetest.ImportCounts(t, bulkStore{s})
	storetest.CheckCells(t, s, "after bulk imports")
	postgis.CheckTermSets(t, s, "after bulk imports")
	page, err := s.Events(t.Context(), geo.Filter{Q: "first copy"})
	if err != nil || page.Matched != 0 {
		t.Errorf("the first of two copies of an event is stored (%d, %v)", page.Matched, err)
	}
}

// A bulk import into a store that holds many more events than it adds
// inserts them into the events table, and keeps the same counts and cells
// as one that builds a new table.
func TestBulkImportCountsInPlace(t *testing.T) {
	s := open(t, newSchema(t))
	postgis.SetSwapFrom(s, -1)
	postgis.SetSetWordEvents(t, s, 3)
	postgis.SetNextOrdinal(t, s, acrossChunks)
	storetest.ImportCounts(t, bulkStore{s})
	storetest.CheckCells(t, s, "after bulk imports in place")
	postgis.CheckTermSets(t, s, "after bulk imports in place")
}

// A word that a bulk import makes common gets a set that holds its stored
// events too, and a count of it with another word finds them all.
func TestBulkImportGivesWordsSets(t *testing.T) {
	s := open(t, newSchema(t))
	postgis.SetSetWordEvents(t, s, 3)
	a := geo.Article{ID: "imported-file", Title: "Imported"}
	first, second := storetest.Generate(11, a, 8), storetest.Generate(12, a, 8)
	for i := range second {
		second[i].ID += "-second"
	}
	// Two stored events of the word, too few for a set, and three more.
	for _, e := range []*geo.Event{&first[0], &first[1], &second[0], &second[1], &second[2]} {
		e.Quote = "a kestrel over the checkpoint"
	}
	for _, events := range [][]geo.Event{first, second} {
		if err := (bulkStore{s}).Import(t.Context(), []geo.Article{a}, events); err != nil {
			t.Fatal(err)
		}
	}
	postgis.CheckTermSets(t, s, "after the second import")
	f := geo.Filter{Q: "kestrel checkpoint"}
	page, err := s.Events(t.Context(), f)
	if want := storetest.Expect(f, append(first, second...)); err != nil || page.Matched != want.Matched || page.Matched != 5 {
		t.Errorf("%q matches %d events (%v), want %d", f.Q, page.Matched, err, want.Matched)
	}
}

// A page far into the matches of words counted from their sets starts its
// walk in the month it starts in, and lists the model's events.
func TestTermSetPagesByMonth(t *testing.T) {
	s := open(t, newSchema(t))
	postgis.SetSetWordEvents(t, s, 1)
	a := geo.Article{ID: "imported-file", Title: "Imported"}
	events := storetest.Generate(13, a, 300)
	for i := range events {
		e := &events[i]
		e.EventDate, e.EventDateEnd = fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28), ""
		if i%10 == 9 {
			e.EventDate = "" // undated, listed last
		}
		e.Quote = "an amber falcon crossed"
		if i%3 == 0 {
			e.Quote = "no bird"
		}
		if i%7 == 0 {
			e.CountryCode, e.Country = "UA", "Ukraine"
		}
	}
	if err := s.Import(t.Context(), []geo.Article{a}, events); err != nil {
		t.Fatal(err)
	}
	for _, f := range []geo.Filter{{Q: "amber falcon"}, {Q: "amber falcon", Country: "UA"}} {
		for _, offset := range []int{0, 1, 17, 60, 95, 150, 178, 195} {
			for _, limit := range []int{5, 40} {
				f.Offset, f.Limit = offset, limit
				page, err := s.Events(t.Context(), f)
				if err != nil {
					t.Fatal(err)
				}
				want := storetest.Expect(f, events)
				if got, wantIDs := ids(page.Events), ids(want.Events); page.Matched != want.Matched || !slices.Equal(got, wantIDs) {
					t.Errorf("%+v: matched %d %v, want %d %v", f, page.Matched, got, want.Matched, wantIDs)
				}
			}
		}
	}
}

func ids(events []geo.Event) []string {
	var s []string
	for _, e := range events {
		s = append(s, e.ID)
	}
	return s
}

// A bulk import that builds a new events table, and new kept tables in
// place of empty ones, leaves them as the old ones were: the same columns,
// indexes, constraints and triggers, under the same names.
func TestBulkImportKeepsTheTable(t *testing.T) {
	schema := newSchema(t)
	s := open(t, schema)
	conn := admin(t)
	defer conn.Close(context.Background())
	describe := func() []string {
		rows, err := conn.Query(t.Context(), `
			SELECT c.oid::regclass::text || ': ' || d FROM pg_class c, LATERAL (
			SELECT 'column ' || attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull || ' ' || attgenerated::text
				|| ' ' || coalesce(pg_get_expr(f.adbin, f.adrelid), '')
			FROM pg_attribute a LEFT JOIN pg_attrdef f ON f.adrelid = a.attrelid AND f.adnum = a.attnum
			WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped
			UNION ALL SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = c.oid
			UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = c.oid
			UNION ALL SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal
			) t(d) WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'r'
			ORDER BY 1`, schema)
		if err != nil {
			t.Fatal(err)
		}
		d, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	before := describe()
	a := geo.Article{ID: "imported-file", Title: "Imported"}
	if err := (bulkStore{s}).Import(t.Context(), []geo.Article{a}, storetest.Generate(7, a, 50)); err != nil {
		t.Fatal(err)
	}
	if after := describe(); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("after a bulk import the tables are\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM "+schema+".events").Scan(&n); err != nil || n != 50 {
		t.Errorf("%d events stored (%v), want 50", n, err)
	}
}

// A bulk import that fails after its copy committed stores nothing and
// leaves no table behind; one that a dead import's table is in the way of
// goes ahead; and imports go on after a failed one.
func TestBulkImportFailsWhole(t *testing.T) {
	schema := newSchema(t)
	s := open(t, schema)
	conn := admin(t)
	defer conn.Close(context.Background())
	a := geo.Article{ID: "imported-file", Title: "Imported"}
	if err := (bulkStore{s}).Import(t.Context(), []geo.Article{a}, storetest.Generate(3, a, 30)); err != nil {
		t.Fatal(err)
	}
	// A table an import left when it died after committing its copy.
	if _, err := conn.Exec(t.Context(), "CREATE TABLE "+schema+".events_new (id text)"); err != nil {
		t.Fatal(err)
	}
	leftover := func() bool {
		var n int
		if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'events_new'", schema).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	matched := func() int {
		page, err := s.Events(t.Context(), geo.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return page.Matched
	}
	// An event of an article neither the import nor the store holds fails
	// the commit, once the new table's indexes are built.
	b := geo.Article{ID: "imported-file-2", Title: "Imported"}
	bad := storetest.Generate(4, b, 40)
	bad[17].ArticleID = "no-such-article"
	err := (bulkStore{s}).Import(t.Context(), []geo.Article{b}, bad)
	if err == nil {
		t.Fatal("an import of an event of an unknown article succeeds")
	}
	if n := matched(); n != 30 {
		t.Errorf("after a failed import the store matches %d events, want the 30 it held", n)
	}
	if leftover() {
		t.Error("a failed import leaves events_new in the schema")
	}
	if err := (bulkStore{s}).Import(t.Context(), []geo.Article{b}, storetest.Generate(4, b, 40)); err != nil {
		t.Fatalf("an import after a failed one: %v", err)
	}
	if n := matched(); n != 70 {
		t.Errorf("after a failed import and a good one the store matches %d events, want 70", n)
	}
	if leftover() {
		t.Error("an import leaves events_new in the schema")
	}
}

// The change log keeps its newest changes, pruned in batches; a client
// behind the pruned ones is told to reload.
func TestChangeLogPruned(t *testing.T) {
	s := open(t, newSchema(t))
	postgis.SetChangeLog(s, 4, 3)
	storetest.ChangeLog(t, s, 4)
}

// A store analyzes its tables as they grow, whether or not the server's
// autovacuum would, so that the plans its connections cached while it was
// small are made again (freshenStats).
func TestTablesAnalyzedAsTheyGrow(t *testing.T) {
	schema := newSchema(t)
	s := open(t, schema)
	conn := admin(t)
	defer conn.Close(context.Background())
	// Past statsEvery ingests, each table holding some dozens of pages.
	for i := range 150 {
		a := geo.Article{ID: fmt.Sprintf("grow-%03d", i), Title: "Generated", Published: "2024-12-31", Text: "generated"}
		if _, err := s.Ingest(t.Context(), a, storetest.Generate(uint64(i+1), a, 3)); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"reports", "events"} {
		var pages, analyzed int64
		err := conn.QueryRow(t.Context(), `SELECT pg_relation_size(c.oid) / current_setting('block_size')::integer, c.relpages
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
			schema, table).Scan(&pages, &analyzed)
		if err != nil {
			t.Fatal(err)
		}
		if analyzed == 0 || pages > 2*analyzed+8+8 {
			t.Errorf("%s: %d pages, %d when last analyzed: want an analysis since it last doubled", table, pages, analyzed)
		}
	}
}

// Answers in pieces, many at once, each get their connections.
func TestPiecesManyAtOnce(t *testing.T) {
	s := open(t, newSchema(t))
	postgis.SetPieces(s, 3)
	storetest.ManyAtOnce(t, s)
}
