package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// Import adds events read from a file made elsewhere (an export of
// conflictmap or another tool) in one transaction that bumps the data
// version. Unlike Ingest it removes nothing: an event whose id is stored
// already is replaced, any other is added, so that a large file comes in
// batches. articles are the articles the events belong to (each event's
// ArticleID names one of them, or an article stored already); they are
// stored without text, marked imported, so that re-extraction leaves them
// alone, and an article stored already is kept as it is.
func (s *Store) Import(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	if err := checkImport(events); err != nil {
		return err
	}
	if err := s.importEvents(ctx, articles, events); err != nil {
		return fmt.Errorf("sqlite store: import: %w", err)
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
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	span := 0
	for _, e := range events {
		span = max(span, e.SpanDays())
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = max(value, ?) WHERE key = 'max_span_days'", span); err != nil {
		return err
	}
	var version int64
	err = tx.QueryRowContext(ctx,
		"UPDATE meta SET value = max(value + 1, ?) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return err
	}
	for _, a := range articles {
		_, err = tx.ExecContext(ctx, `INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version, origin)
			VALUES (?, ?, ?, ?, '', ?, ?, 'import') ON CONFLICT (id) DO NOTHING`,
			a.ID, a.Title, a.URL, a.Published, now.UnixMicro(), version)
		if err != nil {
			return fmt.Errorf("article %s: %w", a.ID, err)
		}
	}
	if err := insertEvents(ctx, tx, events); err != nil {
		return err
	}
	return tx.Commit()
}

// insertEvents writes events in tx. The R*Tree and full-text rows of
// imported events (origin other than extracted) are written by the import
// rather than by the insert triggers, which skip them. An R*Tree row is
// written by a statement of its own per event: a statement that may write
// several rows keeps a journal of every page it changes, so that it can be
// undone alone, and one statement for the batch changed, and journaled,
// most of the tree's pages (a fifth of a million events' import). The
// full-text rows are written by one statement for the batch, after the
// events: FTS5 writes its pending rows to disk whenever a statement that
// keeps such a journal starts (each event's upsert does, for its
// triggers), so that one per event would write them once per event. The
// update triggers have removed the full-text rows of the events replaced.
func insertEvents(ctx context.Context, tx *sql.Tx, events []geo.Event) error {
	if len(events) == 0 {
		return nil
	}
	var stmts [2]*sql.Stmt
	for i, q := range []string{
		insertEvent + " RETURNING seq",
		"INSERT OR REPLACE INTO events_rtree (seq, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)",
	} {
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer stmt.Close()
		stmts[i] = stmt
	}
	// Watching the context costs the driver a goroutine per statement, a
	// few percent of a row's insert; the batch checks it once instead.
	if err := ctx.Err(); err != nil {
		return err
	}
	nocancel := context.WithoutCancel(ctx)
	seqs := make([]byte, 0, 12*len(events)+2)
	seqs = append(seqs, '[')
	n := 0
	for _, e := range events {
		var seq int64
		if err := stmts[0].QueryRowContext(nocancel, insertArgs(e)...).Scan(&seq); err != nil {
			return fmt.Errorf("event %s: %w", e.ID, err)
		}
		if e.OriginName() == geo.OriginExtracted {
			continue
		}
		if _, err := stmts[1].ExecContext(nocancel, seq, e.Point[0], e.Point[0], e.Point[1], e.Point[1]); err != nil {
			return fmt.Errorf("event %s: bbox index: %w", e.ID, err)
		}
		if n > 0 {
			seqs = append(seqs, ',')
		}
		n++
		seqs = strconv.AppendInt(seqs, seq, 10)
	}
	if n == 0 {
		return nil
	}
	seqs = append(seqs, ']')
	if _, err := tx.ExecContext(ctx, "INSERT INTO events_fts (rowid, words) SELECT key, words "+
		"FROM event_word_tokens WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY key", string(seqs)); err != nil {
		return fmt.Errorf("word index: %w", err)
	}
	return nil
}

// DeferIndexes drops the secondary indexes of the events table, for a bulk
// import, and returns the function that builds them again. Queries stay
// right meanwhile (only slower). The definitions are kept in the file
// until they are built, so that if the import dies first, the next Open
// builds them.
func (s *Store) DeferIndexes(ctx context.Context) (func(context.Context) error, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO deferred_indexes (name, sql)
		SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL`+deferredCellTriggers)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM deferred_indexes")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
	}
	var drops []string
	for rows.Next() {
		var n, q string
		if err := rows.Scan(&n, &q); err != nil {
			rows.Close()
			return nil, err
		}
		drops = append(drops, deferredDrop(n, q))
	}
	rows.Close()
	for _, drop := range drops {
		if _, err := tx.ExecContext(ctx, drop); err != nil {
			return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite store: defer indexes: %w", err)
	}
	return s.buildDeferredIndexes, nil
}

// buildDeferredIndexes builds the indexes DeferIndexes dropped, in one
// transaction with forgetting them.
func (s *Store) buildDeferredIndexes(ctx context.Context) error {
	var n int
	if err := s.writer.QueryRowContext(ctx, "SELECT count(*) FROM deferred_indexes").Scan(&n); err != nil || n == 0 {
		return err
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite store: build indexes: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT sql FROM deferred_indexes ORDER BY name")
	if err != nil {
		return fmt.Errorf("sqlite store: build indexes: %w", err)
	}
	var stmts []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			rows.Close()
			return err
		}
		stmts = append(stmts, q)
	}
	rows.Close()
	if err := refillDeferredCells(ctx, tx, stmts); err != nil {
		return fmt.Errorf("sqlite store: build indexes: cells: %w", err)
	}
	for _, q := range stmts {
		q = strings.Replace(q, "CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)
		q = strings.Replace(q, "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
		q = strings.Replace(q, "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite store: build indexes: %s: %w", q, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM deferred_indexes"); err != nil {
		return err
	}
	return tx.Commit()
}

// Bulk is a large import in one transaction: its events are all stored, or
// none (an error, a cancelled context or a crash leaves the store as it
// was), and servers see them at once, when it commits; meanwhile they
// answer from the store as it was, and the store's other writers wait.
// It keeps the import's work per event to writing the row: the events
// table's secondary indexes are dropped and built again at the commit (one
// sort each), the full-text rows are written then in one statement, the
// R*Tree is packed from every point instead of taking them one by one
// (when the import adds at least a fifth of the events), and the kept
// counts (event_counts, word_counts, detail_counts) and density cells (cell_types,
// cell_countries, cell_fine) are tallied here and added once per group
// instead of by triggers per row (into a new store, on a second
// connection while the indexes are built: sideTally). The dropped indexes and triggers are
// part of the transaction: they come back with the commit, or were never
// gone.
type Bulk struct {
	s   *Store
	tx  *sql.Tx
	now time.Time

	insertMany, replace, lookup *sql.Stmt

	cacheSize int   // the writer's page cache size before the import
	version   int64 // the data version of the import
	before    int64 // the largest seq before the import
	last      int64 // the largest seq so far
	stored    int   // events stored before the import
	added     int   // events the import added (not replacing one)
	span      int   // the longest span of days of an event added
	tally     *tally
	replaced  []int64  // seqs stored before the import whose rows it replaced
	restore   []string // the definitions of the dropped indexes and triggers
	failed    error    // of a batch that was stored in part: the import cannot commit
	done      bool

	tempRestored bool // the writer's temporary storage is back in memory
}

// bulkCacheSize is the writer's page cache during a bulk import (PRAGMA
// cache_size: negative is KiB).
const bulkCacheSize = -32768

// bulkTriggers are the triggers on events that a bulk import does the
// work of itself (tally), besides the cell triggers (deferredCellTriggers).
var bulkTriggers = []string{"event_counts_insert", "event_counts_update", "word_counts_insert", "word_counts_update",
	"detail_counts_insert", "detail_counts_update"}

// BeginBulk starts a bulk import; the caller adds events with Add, then
// calls Commit or Rollback.
func (s *Store) BeginBulk(ctx context.Context) (*Bulk, error) {
	b, err := s.beginBulk(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: bulk import: %w", err)
	}
	return b, nil
}

func (s *Store) beginBulk(ctx context.Context) (_ *Bulk, err error) {
	// The index builds at the commit sort a million keys each. With its
	// temporary storage in memory SQLite sorts them all in one list on
	// the writer's thread; with temporary files it sorts runs of the page
	// cache's size on a second thread (PRAGMA threads) and merges them:
	// the commit of a million events took 45 s of CPU instead of 56 s,
	// a quarter of it beside the writer's thread. The setting can only
	// change outside a transaction; Rollback restores it.
	if _, err := s.writer.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.writer.ExecContext(context.Background(), "PRAGMA temp_store = MEMORY")
		}
	}()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	b := &Bulk{s: s, tx: tx, now: time.Now().UTC().Truncate(time.Microsecond)}
	// A quarter of the page cache for the import: the index builds'
	// sorter takes as much memory again per run it sorts, and a smaller
	// cache cost the million events' import no time. Half the cache
	// (44.6 s either way) took its peak memory from 937 MB to 771 MB; a
	// quarter, once the tally's large groups were summed by sorting
	// (eventsql.Sums), from 970-1,000 MB to 796-821 MB in 48-53 s either
	// way. Rollback restores it.
	if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&b.cacheSize); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = "+strconv.Itoa(bulkCacheSize)); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0), count(*) FROM events").Scan(&b.before, &b.stored); err != nil {
		return nil, err
	}
	b.last = b.before
	// The version the commit makes visible.
	err = tx.QueryRowContext(ctx, "UPDATE meta SET value = max(value + 1, ?) WHERE key = 'version' RETURNING value",
		b.now.UnixMicro()).Scan(&b.version)
	if err != nil {
		return nil, err
	}
	names := strings.Repeat("?, ", len(bulkTriggers)-1) + "?"
	args := make([]any, len(bulkTriggers))
	for i, t := range bulkTriggers {
		args[i] = t
	}
	rows, err := tx.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = 'events' AND sql IS NOT NULL
		AND (type = 'index' OR type = 'trigger' AND name IN (`+names+`)`+deferredCellTriggers+`)`, args...)
	if err != nil {
		return nil, err
	}
	var drops []string
	cells := false
	for rows.Next() {
		var typ, name, def string
		if err := rows.Scan(&typ, &name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		drops = append(drops, "DROP "+strings.ToUpper(typ)+` "`+strings.ReplaceAll(name, `"`, `""`)+`"`)
		b.restore = append(b.restore, def)
		cells = cells || typ == "trigger" && strings.HasPrefix(name, "cell_")
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if b.tally, err = newTally(ctx, tx, cells); err != nil {
		return nil, err
	}
	for _, q := range drops {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		q    string
	}{
		{&b.insertMany, bulkInsert(bulkRows)},
		{&b.replace, insertEvent + " RETURNING seq"},
		{&b.lookup, `SELECT event_type, country_code, coalesce(event_date, ''), coalesce(event_date_end, ''), modality, origin, lon, lat,
			coalesce(fatalities, 0), actors_words, quote_words, sub_event_type, geo_precision FROM events WHERE id = ?`},
	} {
		if *p.stmt, err = tx.PrepareContext(ctx, p.q); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// insertWidth is how many values insertArgsWords gives an event.
var insertWidth = strings.Count(insertEvent[:strings.Index(insertEvent, " ON CONFLICT ")], "?")

// bulkInsert inserts rows events from insertArgsWords, skipping those
// whose ids are stored.
func bulkInsert(rows int) string {
	head := insertEvent[:strings.Index(insertEvent, " ON CONFLICT ")]
	i := strings.Index(head, " VALUES ") + len(" VALUES ")
	return head[:i] + strings.TrimSuffix(strings.Repeat(head[i:]+", ", rows), ", ") + " ON CONFLICT (id) DO NOTHING"
}

// Add stores events and the articles they belong to, as Import does.
func (b *Bulk) Add(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	if err := checkImport(events); err != nil {
		return err
	}
	if err := b.add(ctx, articles, events); err != nil {
		return fmt.Errorf("sqlite store: bulk import: %w", err)
	}
	return nil
}

func (b *Bulk) add(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	if b.failed != nil {
		return fmt.Errorf("an earlier batch failed: %w", b.failed)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Each batch is written in list order, so that the events a page
	// lists together share the table's pages: in the order of a file whose
	// rows are in no order of date, the newest 1,000 of a million events
	// lay on about as many pages, each read for one row.
	events = geo.InListOrder(events)
	for _, a := range articles {
		_, err := b.tx.ExecContext(ctx, `INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version, origin)
			VALUES (?, ?, ?, ?, '', ?, ?, 'import') ON CONFLICT (id) DO NOTHING`,
			a.ID, a.Title, a.URL, a.Published, b.now.UnixMicro(), b.version)
		if err != nil {
			return fmt.Errorf("article %s: %w", a.ID, err)
		}
	}
	// The events' words and their rows' values, on both cores: the
	// values cost the writer's thread 2.3 s of a million events' import.
	added := make([]tallied, len(events))
	args := make([]any, len(events)*insertWidth)
	prepare := func(from, to int) {
		for i, e := range events[from:to] {
			t := talliedOf(e)
			added[from+i] = t
			// The slice's capacity is the row's insertWidth values, which
			// the append fills in place.
			appendArgsWords(args[(from+i)*insertWidth:(from+i)*insertWidth:(from+i+1)*insertWidth], e, t.actors, t.quote)
		}
	}
	var split sync.WaitGroup
	half := len(events) / 2
	split.Go(func() { prepare(0, half) })
	prepare(half, len(events))
	split.Wait()
	// The tally counts the events in while they are written, on the
	// other core; the rows they replace are counted out after it.
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		for _, t := range added {
			b.tally.add(t, 1)
		}
	}()
	old, err := b.insertRows(ctx, events, args)
	<-counted
	for _, t := range old {
		b.tally.add(t, -1)
	}
	if err != nil {
		// The tally counts the events that were not written.
		b.failed = err
	}
	return err
}

// bulkRows is how many events one statement of a bulk import inserts
// (36 values each). Rows written by statements of 64 cost the million
// events' import 11.3 s of the writer's CPU instead of 14.6 s one by one:
// the driver's and SQLite's work per statement is paid once per 64.
const bulkRows = 64

// insertRows writes the events, their rows' values (insertArgsWords) in
// args, and returns the rows they replaced. The events go in bulkRows at a time,
// each statement skipping the ids stored already; those are then replaced
// one by one, after reading what they replace.
func (b *Bulk) insertRows(ctx context.Context, events []geo.Event, args []any) ([]tallied, error) {
	// As in insertEvents, the rows do not watch the context.
	nocancel := context.WithoutCancel(ctx)
	var replaced []tallied
	for start := 0; start < len(events); start += bulkRows {
		chunk := events[start:min(start+bulkRows, len(events))]
		for _, e := range chunk {
			b.span = max(b.span, e.SpanDays())
		}
		vals := args[start*insertWidth : (start+len(chunk))*insertWidth]
		var (
			res sql.Result
			err error
		)
		if len(chunk) == bulkRows {
			res, err = b.insertMany.ExecContext(nocancel, vals...)
		} else {
			res, err = b.tx.ExecContext(nocancel, bulkInsert(len(chunk)), vals...)
		}
		if err != nil {
			return replaced, fmt.Errorf("events %s to %s: %w", chunk[0].ID, chunk[len(chunk)-1].ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return replaced, err
		}
		b.added += int(n)
		if int(n) == len(chunk) {
			if b.last, err = res.LastInsertId(); err != nil {
				return replaced, err
			}
			continue
		}
		// Some ids were stored: the rows the statement added have the
		// seqs after the last one before it.
		old, err := b.replaceStored(nocancel, chunk, vals)
		replaced = append(replaced, old...)
		if err != nil {
			return replaced, err
		}
	}
	return replaced, nil
}

// replaceStored replaces the events of chunk, inserted with args, that
// the insert skipped because their ids were stored, and returns the rows
// they replaced.
func (b *Bulk) replaceStored(ctx context.Context, chunk []geo.Event, args []any) ([]tallied, error) {
	rows, err := b.tx.QueryContext(ctx, "SELECT id, seq FROM events WHERE seq > ?", b.last)
	if err != nil {
		return nil, err
	}
	inserted := make(map[string]bool, len(chunk))
	for rows.Next() {
		var (
			id  string
			seq int64
		)
		if err := rows.Scan(&id, &seq); err != nil {
			rows.Close()
			return nil, err
		}
		inserted[id] = true
		b.last = max(b.last, seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var replaced []tallied
	for i, e := range chunk {
		if inserted[e.ID] {
			continue
		}
		// The id is stored: the row is replaced, and counted out.
		var (
			old           tallied
			actors, quote string
		)
		if err := b.lookup.QueryRowContext(ctx, e.ID).Scan(&old.eventType, &old.countryCode, &old.date, &old.end,
			&old.modality, &old.origin, &old.lon, &old.lat, &old.fatalities, &actors, &quote, &old.subType, &old.precision); err != nil {
			return replaced, fmt.Errorf("event %s: %w", e.ID, err)
		}
		if err := json.Unmarshal([]byte(actors), &old.actors); err != nil {
			return replaced, fmt.Errorf("event %s: actors' words: %w", e.ID, err)
		}
		if err := json.Unmarshal([]byte(quote), &old.quote); err != nil {
			return replaced, fmt.Errorf("event %s: quote's words: %w", e.ID, err)
		}
		var seq int64
		if err := b.replace.QueryRowContext(ctx, args[i*insertWidth:(i+1)*insertWidth]...).Scan(&seq); err != nil {
			return replaced, fmt.Errorf("event %s: %w", e.ID, err)
		}
		replaced = append(replaced, old)
		if seq <= b.before {
			b.replaced = append(b.replaced, seq)
		}
	}
	return replaced, nil
}

// Commit builds what the import deferred, bumps the data version and
// commits; the Bulk is done after it, even when it fails.
func (b *Bulk) Commit(ctx context.Context) error {
	if b.done {
		return errors.New("sqlite store: bulk import: done already")
	}
	defer b.Rollback()
	if err := b.commit(ctx); err != nil {
		return fmt.Errorf("sqlite store: bulk import: %w", err)
	}
	return nil
}

func (b *Bulk) commit(ctx context.Context) error {
	if b.failed != nil {
		return fmt.Errorf("a batch failed: %w", b.failed)
	}
	tx := b.tx
	side, err := b.startSide(ctx)
	if err != nil {
		return fmt.Errorf("counts and cells: %w", err)
	}
	if side != nil {
		b.tally = nil // the side write's now, and drops it as it goes
		// The side write is over, its file gone, when commit returns.
		defer func() {
			side.wait()
			removeFiles(side.path)
		}()
	} else {
		if err := b.tally.write(ctx, tx); err != nil {
			return fmt.Errorf("counts and cells: %w", err)
		}
		// The tally's memory is free for the index builds' sorts.
		b.tally = nil
	}
	// Packing every point costs about a sixth of inserting one through
	// the R*Tree module: it pays when the import adds a fifth of the
	// events or more.
	log := b.s.log
	start := time.Now()
	if 5*b.added >= b.stored+b.added {
		if err := rebuildRtree(ctx, tx); err != nil {
			return fmt.Errorf("bbox index: %w", err)
		}
	} else if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO events_rtree (seq, min_lon, max_lon, min_lat, max_lat)
		SELECT seq, lon, lon, lat, lat FROM events WHERE seq > ? AND origin <> 'extracted'`, b.before); err != nil {
		return fmt.Errorf("bbox index: %w", err)
	}
	log.DebugContext(ctx, "bulk import: bbox index written", "took", time.Since(start))
	start = time.Now()
	// The full-text rows of the events added, and of those stored before
	// that the import replaced (the update trigger removed theirs); the
	// insert triggers wrote those of extracted events.
	replaced, err := json.Marshal(b.replaced)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO events_fts (rowid, words) SELECT key, words
		FROM event_word_tokens WHERE (seq > ? OR seq IN (SELECT value FROM json_each(?))) AND origin <> 'extracted'
		ORDER BY key`, b.before, string(replaced)); err != nil {
		return fmt.Errorf("word index: %w", err)
	}
	// FTS5 wrote those rows as segments of their own, which every lookup
	// reads one by one; merged into one, a million events' counts of two
	// words in a country took 9 ms instead of 20, for 0.5 s of the import.
	if 5*b.added >= b.stored+b.added {
		if _, err := tx.ExecContext(ctx, "INSERT INTO events_fts (events_fts) VALUES ('optimize')"); err != nil {
			return fmt.Errorf("word index: %w", err)
		}
	}
	log.DebugContext(ctx, "bulk import: word index written", "took", time.Since(start))
	for _, q := range b.restore {
		start = time.Now()
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		log.DebugContext(ctx, "bulk import: "+eventsql.StmtHead(q), "took", time.Since(start))
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = max(value, ?) WHERE key = 'max_span_days'", b.span); err != nil {
		return err
	}
	if side != nil {
		// Usually done by now; if it failed, nothing is stored.
		start = time.Now()
		if err := side.wait(); err != nil {
			return fmt.Errorf("counts and cells: %w", err)
		}
		log.DebugContext(ctx, "bulk import: waited for the kept counts", "took", time.Since(start))
	}
	b.done = true
	start = time.Now()
	if err := tx.Commit(); err != nil || side == nil {
		return err
	}
	log.DebugContext(ctx, "bulk import: committed", "took", time.Since(start))
	defer func(start time.Time) {
		log.DebugContext(ctx, "bulk import: kept counts copied in", "took", time.Since(start))
	}(time.Now())
	// The events are in; their counts must follow whatever the caller's
	// context does meanwhile.
	return b.s.copySide(context.WithoutCancel(ctx), side.path)
}

// startSide starts writing the tally into a side file (sideTally) when
// the import fills a new store: one from Create that held no event and
// whose kept tables are empty. nil otherwise: the commit writes it.
func (b *Bulk) startSide(ctx context.Context) (*sideTally, error) {
	if b.s.temp == "" || b.stored > 0 {
		return nil, nil
	}
	if empty, err := keptEmpty(ctx, b.tx); err != nil || !empty {
		return nil, err
	}
	defs, err := keptDefinitions(ctx, b.tx)
	if err != nil {
		return nil, err
	}
	path := sidePath(b.s.temp)
	removeFiles(path)
	return startSideTally(ctx, path, defs, b.tally, b.s.log), nil
}

// Rollback forgets what the import stored, if it has not committed; it
// may be called more than once.
func (b *Bulk) Rollback() error {
	b.done = true
	for _, s := range []*sql.Stmt{b.insertMany, b.replace, b.lookup} {
		if s != nil {
			s.Close()
		}
	}
	err := b.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		err = nil
	}
	if !b.tempRestored {
		_, terr := b.s.writer.ExecContext(context.Background(), "PRAGMA temp_store = MEMORY")
		err = cmp.Or(err, terr)
		b.tempRestored = true
	}
	if b.cacheSize != 0 {
		_, cerr := b.s.writer.ExecContext(context.Background(), "PRAGMA cache_size = "+strconv.Itoa(b.cacheSize))
		err = cmp.Or(err, cerr)
		b.cacheSize = 0
	}
	if err != nil {
		return fmt.Errorf("sqlite store: bulk import: %w", err)
	}
	return nil
}
