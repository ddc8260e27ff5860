package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
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
	if err := stage(ctx, tx, false); err != nil {
		return err
	}
	if err := addArticles(ctx, tx, articles, now, version); err != nil {
		return err
	}
	if err := copyEvents(ctx, tx, events); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, insertStaged("events", false, true)); err != nil {
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
// into, dropped at the commit; with ordered, its rows are numbered in the
// order they came, so that of an id copied twice the last row is kept.
func stage(ctx context.Context, tx pgx.Tx, ordered bool) error {
	ord := ""
	if ordered {
		ord = ", ord bigint GENERATED ALWAYS AS IDENTITY"
	}
	_, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE import_stage (
		id text, article_id text, lon double precision, lat double precision,
		bound_west double precision, bound_south double precision, bound_east double precision, bound_north double precision,
		event_date text, event_date_end text, time_precision integer, event_type text, sub_event_type text, modality text,
		actor1 text, actor2 text, fatalities integer, location text, country text, country_code text, admin1 text,
		geonameid bigint, feature_code text, geo_precision integer, mention text, quote text, confidence double precision,
		title text, source_url text, published text, extractor_version text, actors_folded text, quote_folded text, origin text,
		actors_list text[], quote_list text[]`+ord+`) ON COMMIT DROP`)
	return err
}

// copyEvents copies events into import_stage.
func copyEvents(ctx context.Context, tx pgx.Tx, events []geo.Event) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_stage"}, stageColumns(), pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
		return insertArgs(events[i]), nil
	}))
	return err
}

// insertStaged is the statement that stores the staged events into table:
// with upsert replacing those stored already under their ids; with dedupe,
// of an id staged more than once only the last row.
func insertStaged(table string, dedupe, upsert bool) string {
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
	from := "import_stage"
	if dedupe {
		from = "(SELECT DISTINCT ON (id) * FROM import_stage ORDER BY id, ord DESC) s"
	}
	q := "INSERT INTO " + table + " (" + strings.Join(target, ", ") + ") SELECT " + strings.Join(source, ", ") + " FROM " + from
	if !upsert {
		return q
	}
	set := make([]string, 0, len(target))
	for _, c := range target[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return q + " ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

// Bulk is a large import in one transaction: its events are all stored, or
// none, and servers see them at once, when it commits (until then they
// answer from the store as it was). Its batches are copied into one
// staging table and stored by one INSERT ... SELECT at the commit, so that
// the statement triggers that keep the counts and cells run once, or, when
// the commit builds a new events table, not at all: their groups are
// tallied in Go while the rows are copied (tally).
type Bulk struct {
	store   *Store
	tx      pgx.Tx
	now     time.Time
	version int64
	done    bool
	// ids are the ids staged so far, so that the commit sorts the staged
	// rows to keep the last copy of an id only when some id came twice.
	ids    map[string]struct{}
	staged int
	twice  bool
	// dups are the ids staged more than once.
	dups []string
	// tally adds up the kept groups of the staged rows while they are
	// copied, for a commit that builds a new table (swap).
	tally *tally
	// copying and tallying are the time Add spent copying rows and, after
	// the copy, waiting for the tally, for the debug log.
	copying, tallying time.Duration
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
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	b := &Bulk{store: s, tx: tx, now: time.Now().UTC().Truncate(time.Microsecond), ids: map[string]struct{}{}, tally: newTally()}
	if b.version, err = bumpVersion(ctx, tx, b.now); err != nil {
		return nil, err
	}
	if err := stage(ctx, tx, true); err != nil {
		return nil, err
	}
	return b, nil
}

// Add stages events and stores the articles they belong to, as Import
// does.
func (b *Bulk) Add(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	if err := checkImport(events); err != nil {
		return err
	}
	if err := addArticles(ctx, b.tx, articles, b.now, b.version); err != nil {
		return fmt.Errorf("postgis store: bulk import: %w", err)
	}
	// The batch is tallied on another core while it is copied.
	tallied := make(chan struct{})
	go func() {
		defer close(tallied)
		b.tally.addEvents(events)
	}()
	start := time.Now()
	err := copyEvents(ctx, b.tx, events)
	copied := time.Now()
	<-tallied
	b.copying += copied.Sub(start)
	b.tallying += time.Since(copied)
	if err != nil {
		return fmt.Errorf("postgis store: bulk import: %w", err)
	}
	for _, e := range events {
		if _, ok := b.ids[e.ID]; ok {
			b.twice = true
			b.dups = append(b.dups, e.ID)
		}
		b.ids[e.ID] = struct{}{}
	}
	b.staged += len(events)
	return nil
}

// Commit stores the staged events and commits; the Bulk is done after it,
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
		if err := b.store.vacuum(ctx); err != nil {
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
	if err := b.tx.Rollback(context.Background()); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return fmt.Errorf("postgis store: bulk import: %w", err)
	}
	return nil
}
