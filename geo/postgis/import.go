package postgis

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// stageColumns are the columns of the staging table an import copies into:
// eventsql.WriteColumns with the point as lon and lat, and the words.
func stageColumns() []string {
	var cols []string
	for _, c := range eventsql.WriteColumns {
		if c == "point" {
			cols = append(cols, "lon", "lat")
			continue
		}
		cols = append(cols, c)
	}
	return append(cols, "actors_list", "quote_list")
}

// Import adds events read from a file made elsewhere (an export of
// conflictmap or another tool) in one transaction that bumps the data
// version. Unlike Ingest it removes nothing: an event whose id is stored
// already is replaced, any other is added, so that a large file comes in
// batches. articles are the articles the events belong to (each event's
// ArticleID names one of them, or an article stored already); they are
// stored without text, marked imported, so that re-extraction leaves them
// alone, and an article stored already is kept as it is. The events travel
// by COPY into a temporary table, then one INSERT ... SELECT stores them.
func (s *Store) Import(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	if err := checkImport(events); err != nil {
		return err
	}
	if err := s.importEvents(ctx, articles, events); err != nil {
		return fmt.Errorf("postgis store: import: %w", err)
	}
	return nil
}

// checkImport checks the events of one batch of an import: each valid,
// with an id and an article, and no id twice.
func checkImport(events []geo.Event) error {
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		if e.ID == "" || e.ArticleID == "" {
			return geo.Errorf(geo.EINVALID, "import: event %q has no id or no article", e.ID)
		}
		if seen[e.ID] {
			return geo.Errorf(geo.EINVALID, "import: two events have the id %s", e.ID)
		}
		seen[e.ID] = true
		if err := geo.CheckEvent(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) importEvents(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	version, err := bumpVersion(ctx, tx, now)
	if err != nil {
		return err
	}
	if err := stage(ctx, tx); err != nil {
		return err
	}
	if err := addArticles(ctx, tx, articles, now, version); err != nil {
		return err
	}
	if err := copyEvents(ctx, tx, events); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, insertStaged()); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// bumpVersion sets the data version the transaction makes visible.
func bumpVersion(ctx context.Context, tx pgx.Tx, now time.Time) (int64, error) {
	var version int64
	err := tx.QueryRow(ctx, "UPDATE meta SET value = greatest(value + 1, $1) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	return version, err
}

// addArticles stores the articles of imported events, without text, marked
// imported; an article stored already is kept as it is.
func addArticles(ctx context.Context, tx pgx.Tx, articles []geo.Article, now time.Time, version int64) error {
	for _, a := range articles {
		_, err := tx.Exec(ctx, `INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version, origin)
			VALUES ($1, $2, $3, $4, '', $5, $6, 'import') ON CONFLICT (id) DO NOTHING`,
			a.ID, a.Title, a.URL, a.Published, now, version)
		if err != nil {
			return fmt.Errorf("article %s: %w", a.ID, err)
		}
	}
	return nil
}

// stage creates the temporary table import_stage that events are copied
// into, dropped at the commit.
func stage(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE import_stage (
		id text, article_id text, lon double precision, lat double precision,
		bound_west double precision, bound_south double precision, bound_east double precision, bound_north double precision,
		event_date text, event_date_end text, time_precision integer, event_type text, sub_event_type text, modality text,
		actor1 text, actor2 text, fatalities integer, location text, country text, country_code text, admin1 text,
		geonameid bigint, feature_code text, geo_precision integer, mention text, quote text, confidence double precision,
		title text, source_url text, published text, extractor_version text, actors_folded text, quote_folded text, origin text,
		actors_list text[], quote_list text[]) ON COMMIT DROP`)
	return err
}

// copyEvents copies events into import_stage.
func copyEvents(ctx context.Context, tx pgx.Tx, events []geo.Event) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_stage"}, stageColumns(), pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
		return insertArgs(events[i]), nil
	}))
	return err
}

// insertStaged is the statement that stores the staged events, replacing
// those stored already under their ids.
func insertStaged() string {
	var target, source []string
	for _, c := range stageColumns() {
		switch c {
		case "lon":
			target, source = append(target, "geom"), append(source, "ST_SetSRID(ST_MakePoint(lon, lat), 4326)")
		case "lat":
		case "event_date", "event_date_end":
			target, source = append(target, c), append(source, c+"::date")
		case "actors_list":
			target, source = append(target, "actors_words"), append(source, "array_to_tsvector(actors_list)")
		case "quote_list":
			target, source = append(target, "quote_words"), append(source, "array_to_tsvector(quote_list)")
		default:
			target, source = append(target, c), append(source, c)
		}
	}
	return "INSERT INTO events (" + strings.Join(target, ", ") + ") SELECT " + strings.Join(source, ", ") + " FROM import_stage" +
		upsert(target)
}

// upsert is the ON CONFLICT clause of an insert of cols into events that
// replaces the events stored under the same ids.
func upsert(cols []string) string {
	set := make([]string, 0, len(cols))
	for _, c := range cols {
		if c != "id" {
			set = append(set, c+" = excluded."+c)
		}
	}
	return " ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

// Bulk is a large import: its events are all stored, or none, and servers
// see them at once, when it commits (until then they answer from the
// store as it was). Its batches are copied straight into a new table,
// events_new, of the events table's columns without its indexes, triggers
// and constraints (a copy costs little more than into a staging table,
// and saves reading and writing the million rows again at the commit),
// and their kept groups are tallied in Go while they are copied (tally).
// The copy runs in a transaction of its own on a second connection
// (copy), committed at the commit before the rest, so that the new
// table's indexes can be built on two connections at once while the
// import's transaction (tx), which holds the version and the articles,
// writes the tally; nothing reads events_new, and a table left by an
// import that died is dropped by the next one. At the commit, a large
// import beside the store makes events_new the events table (swap) and
// writes the tally; a small one stores its rows into the events table by
// one INSERT ... SELECT, whose statement triggers keep the counts and
// cells once for them all.
type Bulk struct {
	store *Store
	tx    pgx.Tx
	// conn holds the advisory lock that keeps bulk imports of the store
	// one at a time (so that one never drops another's events_new), and
	// copy is its transaction, which writes events_new.
	conn *pgxpool.Conn
	copy pgx.Tx
	// kept is set once copy has committed: events_new outlives a rollback
	// of tx, and is dropped at the end.
	kept    bool
	now     time.Time
	version int64
	done    bool
	// ids are the ids copied so far, so that a batch that repeats one
	// takes the earlier copy out first.
	ids    map[string]struct{}
	staged int
	// tally adds up the kept groups of the copied rows while they are
	// copied, for a commit that builds a new table (swap).
	tally *tally
	// copying and tallying are the time Add spent copying rows and, after
	// the copy, waiting for the tally, for the debug log.
	copying, tallying time.Duration
	// thawed is set when events_new holds rows that were not copied
	// frozen (the stored events a swap copies beside the new ones) or
	// has deleted rows (earlier copies of an id): its pages are then not
	// all visible to all until a vacuum (Store.vacuum).
	thawed bool
	// fresh are the kept tables that new ones, copied frozen, replaced.
	fresh []string
}

// bulkColumns are the columns of events_new that a bulk import copies:
// eventsql.WriteColumns with the point as geom, and the words.
func bulkColumns() []string {
	var cols []string
	for _, c := range eventsql.WriteColumns {
		if c == "point" {
			c = "geom"
		}
		cols = append(cols, c)
	}
	return append(cols, "actors_words", "quote_words", "ord")
}

// bulkRow fills row with the values of bulkColumns for e, in the types
// copyBinary encodes: the point as EWKB (which geometry's binary input
// reads), dates as dates, the words as tsvectors of distinct lexemes in
// byte order (as array_to_tsvector makes them for the other writes), and
// the event's ordinal ord. v is eventsql.Values(e).
func bulkRow(row []any, v []any, e geo.Event, ord int64) error {
	row = row[:0]
	for i, c := range eventsql.WriteColumns {
		j := i
		if i > 2 {
			j++ // past lon and lat
		}
		switch c {
		case "point":
			row = append(row, pointEWKB(e.Point[0], e.Point[1]))
		case "event_date", "event_date_end":
			if v[j] == nil {
				row = append(row, nil)
				continue
			}
			d, err := time.Parse(geo.DateLayout, v[j].(string))
			if err != nil {
				return fmt.Errorf("event %s: %s: %w", e.ID, c, err)
			}
			row = append(row, pgtype.Date{Time: d, Valid: true})
		default:
			row = append(row, v[j])
		}
	}
	row = append(row, lexemes(e.Actor1+"\n"+e.Actor2), lexemes(e.Quote), ord)
	if len(row) != cap(row) {
		return fmt.Errorf("event %s: %d values for %d columns", e.ID, len(row), cap(row))
	}
	return nil
}

// pointEWKB is a point in SRID 4326 as extended well-known binary.
func pointEWKB(lon, lat float64) []byte {
	b := make([]byte, 25)
	b[0] = 1                                         // little-endian
	binary.LittleEndian.PutUint32(b[1:], 0x20000001) // a point with an SRID
	binary.LittleEndian.PutUint32(b[5:], 4326)
	binary.LittleEndian.PutUint64(b[9:], math.Float64bits(lon))
	binary.LittleEndian.PutUint64(b[17:], math.Float64bits(lat))
	return b
}

// lexemes is the tsvector of the words of s (geo.Words), each once, in
// byte order, the order of a tsvector's lexemes.
func lexemes(s string) pgtype.TSVector {
	w := geo.Words(s)
	slices.Sort(w)
	w = slices.Compact(w)
	t := pgtype.TSVector{Lexemes: make([]pgtype.TSVectorLexeme, len(w)), Valid: true}
	for i, x := range w {
		t.Lexemes[i].Word = x
	}
	return t
}

// BeginBulk starts a bulk import; the caller adds events with Add, then
// calls Commit or Rollback.
func (s *Store) BeginBulk(ctx context.Context) (*Bulk, error) {
	b, err := s.beginBulk(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis store: bulk import: %w", err)
	}
	return b, nil
}

func (s *Store) beginBulk(ctx context.Context) (_ *Bulk, err error) {
	b := &Bulk{store: s, now: time.Now().UTC().Truncate(time.Microsecond), ids: map[string]struct{}{}, tally: newTally()}
	if b.conn, err = s.pool.Acquire(ctx); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			b.Rollback()
		}
	}()
	if _, err := b.conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", bulkLock+s.schema); err != nil {
		b.conn.Release()
		b.conn = nil
		return nil, err
	}
	if _, err := b.conn.Exec(ctx, "DROP TABLE IF EXISTS events_new"); err != nil {
		return nil, fmt.Errorf("drop the table of an import that died: %w", err)
	}
	if b.copy, err = b.conn.Begin(ctx); err != nil {
		return nil, err
	}
	if _, err := b.copy.Exec(ctx, "CREATE TABLE events_new (LIKE events INCLUDING ALL EXCLUDING INDEXES)"); err != nil {
		return nil, err
	}
	if b.tx, err = s.pool.Begin(ctx); err != nil {
		return nil, err
	}
	if b.version, err = bumpVersion(ctx, b.tx, b.now); err != nil {
		return nil, err
	}
	return b, nil
}

// bulkLock, followed by the schema, names the advisory lock of a store's
// bulk imports.
const bulkLock = "conflictmap bulk import "

// Add copies events and stores the articles they belong to, as Import
// does; an event whose id an earlier batch copied replaces that copy.
func (b *Bulk) Add(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	if err := checkImport(events); err != nil {
		return err
	}
	if err := b.add(ctx, articles, events); err != nil {
		return fmt.Errorf("postgis store: bulk import: %w", err)
	}
	return nil
}

func (b *Bulk) add(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	if err := addArticles(ctx, b.tx, articles, b.now, b.version); err != nil {
		return err
	}
	// Each batch is copied by region, each region's events in list order,
	// so that the events a box holds share the table's pages, and those a
	// page of the box lists together too.
	events = inRegions(geo.InListOrder(events))
	var again []string
	for _, e := range events {
		if _, ok := b.ids[e.ID]; ok {
			again = append(again, e.ID)
		}
	}
	if len(again) > 0 {
		// The earlier copies leave the tally's term sets by their ordinals.
		rows, err := b.copy.Query(ctx, "SELECT ord FROM events_new WHERE id = ANY($1)", again)
		if err != nil {
			return fmt.Errorf("take out the earlier copies: %w", err)
		}
		ords, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("take out the earlier copies: %w", err)
		}
		for _, o := range ords {
			b.tally.sets.dropped[o] = true
		}
		rows, err = b.copy.Query(ctx, "DELETE FROM events_new WHERE id = ANY($1) RETURNING "+countOutColumns, again)
		if err != nil {
			return fmt.Errorf("take out the earlier copies: %w", err)
		}
		if err := b.tally.countOut(rows); err != nil {
			return fmt.Errorf("take out the earlier copies: %w", err)
		}
		b.staged -= len(again)
		b.thawed = true
	}
	// Each event's ordinal comes from the sequence that numbers the
	// stored ones (migration 0035), so that the tally knows it.
	rows, err := b.copy.Query(ctx, "SELECT nextval('events_ord') FROM generate_series(1, $1)", len(events))
	if err != nil {
		return fmt.Errorf("number the events: %w", err)
	}
	ords, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("number the events: %w", err)
	}
	// The batch is tallied on another core while it is copied.
	tallied := make(chan struct{})
	go func() {
		defer close(tallied)
		b.tally.addEvents(events, ords)
	}()
	start := time.Now()
	i := 0
	var values []any
	_, err = copyBinary(ctx, b.copy, "events_new", bulkColumns(), true, func(row []any) (bool, error) {
		if i == len(events) {
			return false, nil
		}
		values = eventsql.AppendValues(values[:0], events[i])
		err := bulkRow(row, values, events[i], ords[i])
		i++
		return true, err
	})
	copied := time.Now()
	<-tallied
	b.copying += copied.Sub(start)
	b.tallying += time.Since(copied)
	if err != nil {
		return err
	}
	for _, e := range events {
		b.ids[e.ID] = struct{}{}
	}
	b.staged += len(events)
	return nil
}

// regionLevel is the level of the density grid whose cells are the regions
// a batch of an import is copied by (inRegions): 1.4° each.
const regionLevel = 6

// inRegions returns events ordered by the cell of regionLevel that holds
// each (by its row, then its column), and otherwise as they were. The table's pages then
// hold the events of a few regions each, not of the whole world: the
// events of a hotspot's view at zoom 11 (a tenth of a million generated
// events, imported in list order) lay on 50,700 of the table's 60,500
// pages, and a density count that reads their rows read them all.
func inRegions(events []geo.Event) []geo.Event {
	region := make([]int, len(events))
	order := make([]int, len(events))
	for i, e := range events {
		x, y := geo.CellOf(e.Point[0], e.Point[1], regionLevel)
		region[i], order[i] = y*int(geo.CellsAround(regionLevel))+x, i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(region[a], region[b]) })
	sorted := make([]geo.Event, len(events))
	for k, i := range order {
		sorted[k] = events[i]
	}
	return sorted
}

// Commit stores the copied events and commits; the Bulk is done after it,
// even when it fails.
func (b *Bulk) Commit(ctx context.Context) error {
	if b.done {
		return errors.New("postgis store: bulk import: done already")
	}
	defer b.Rollback()
	b.ids = nil
	log := b.store.log
	log.DebugContext(ctx, "bulk import: rows copied", "events", b.staged, "copying", b.copying, "waiting for the tally", b.tallying)
	swapped, err := b.write(ctx)
	if err != nil {
		return fmt.Errorf("postgis store: bulk import: %w", err)
	}
	b.done = true
	start := time.Now()
	if err := b.tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgis store: bulk import: %w", err)
	}
	log.DebugContext(ctx, "bulk import: committed", "took", time.Since(start))
	if swapped {
		start = time.Now()
		if err := b.store.vacuum(ctx, b.thawed, b.fresh); err != nil {
			return fmt.Errorf("postgis store: bulk import stored, then: %w", err)
		}
		log.DebugContext(ctx, "bulk import: vacuumed", "took", time.Since(start))
	}
	return nil
}

// Rollback forgets what the import stored, if it has not committed; it
// may be called more than once.
func (b *Bulk) Rollback() error {
	b.done = true
	ctx := context.Background()
	var errs []error
	if b.tx != nil {
		if err := b.tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			errs = append(errs, err)
		}
	}
	if b.copy != nil {
		if err := b.copy.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			errs = append(errs, err)
		}
	}
	if b.conn != nil {
		if err := b.release(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("postgis store: bulk import: %w", err)
	}
	return nil
}

// release drops events_new if the copy committed it and the import did
// not make it the events table, unlocks the store's bulk imports, and
// gives the connection back; a connection that could not do it is closed,
// which unlocks too.
func (b *Bulk) release(ctx context.Context) error {
	conn := b.conn
	b.conn = nil
	var err error
	if b.kept {
		_, err = conn.Exec(ctx, "DROP TABLE IF EXISTS events_new")
	}
	if err == nil {
		_, err = conn.Exec(ctx, "SELECT pg_advisory_unlock(hashtext($1))", bulkLock+b.store.schema)
	}
	if err != nil {
		conn.Conn().Close(ctx)
	}
	conn.Release()
	return err
}
