// Package sqlite is conflictmap's default event store: one SQLite file
// (modernc.org/sqlite, pure Go, no cgo) holding the articles with their
// text, the events, an R*Tree over the event points for bounding-box
// queries, and the data version that response caches key their entries by.
//
// The file is in WAL mode, so readers never wait for the writer, and every
// connection has a busy timeout, so that several server processes can share
// one file. Writes go through a single connection and commit with
// synchronous=FULL: an ingest that has returned is on disk, and survives the
// process being killed the next instant (NORMAL would already survive a
// process kill, since the WAL is in the OS's page cache once written; FULL
// also survives losing power, for the price of one fsync per ingest). A
// store that is filled before anyone reads it (Create) is built without
// the WAL in a file of its own, then moved into place (Publish).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
	"conflictmap/geo/merge"

	"golang.org/x/sync/semaphore"
	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// readerMmap is how many bytes of the file the query connections map
// into memory (PRAGMA mmap_size; SQLite's build caps it at 2 GiB): they
// then read pages in place instead of copying each one in by a system
// call into their own small page caches, which was a fifth of a query's
// CPU. A million events' requests took 15-40% less time (BENCHMARKS.md).
// The mapped pages are the kernel's page cache, shared and reclaimable;
// they count in the server's resident memory as file pages (RssFile).
const readerMmap = 1 << 31

// versionSQL reads the data version, which every write raises.
const versionSQL = "SELECT value FROM meta WHERE key = 'version'"

// Store is an event store in one SQLite file. It is safe for concurrent use.
type Store struct {
	path   string
	writer *sql.DB // one connection: SQLite has one writer at a time anyway
	reader *sql.DB // a pool of query_only connections
	// aside is a second pool of query_only connections, for work that one
	// answer does beside the read transaction it holds (ftsPage's count):
	// taken from reader, such work could wait for a connection that the
	// answers waiting for it hold.
	aside *sql.DB
	// asideSlots are aside's connections, which atOnce takes together:
	// taken one by one, answers that each held one would wait for each
	// other's (a test's two dozen at once never ended).
	asideSlots *semaphore.Weighted
	asideConns int
	// unmapped is a pool of query_only connections that read the file
	// without mapping it (readerMmap), for the pages after a key that
	// limit=all streams and OGC's next links read: a stream of every
	// event walks the whole file, and each page of it read through the
	// mapping would stay in the server's resident memory.
	unmapped *sql.DB
	version  *sql.Stmt
	rules    *merge.Rules

	// Query planning thresholds (defaultDenseBox, defaultWalkAt,
	// defaultWordWalkAt, defaultRowEntries, defaultPointWordsAt); tests
	// change them to hold every plan to the store suite.
	denseBox, walkAt, wordWalkAt, rowEntries, pointWordsAt int
	// pieces is how many pieces one walk of the date order is cut into,
	// read at once (pieceStats, atOnce, on at most the aside pool's
	// connections): one per CPU, for a walk costs CPU, not waits; tests
	// set it.
	pieces int
	// logKeep is how many changes the change log keeps (changeLogSize);
	// tests lower it to see the log pruned.
	logKeep int
	// temp is the file of a store from Create until Publish.
	temp string
	// unpublishable, when set, is why Publish refuses the store: a bulk
	// import committed events whose kept counts it then failed to copy
	// in (copySide).
	unpublishable error

	// spans is event_counts added up by first and last day, as of one
	// data version (datedCount).
	spans eventsql.SpansCache

	// log gets the duration of each step of a bulk import's commit, at
	// debug level (SetLogger).
	log *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

// SetLogger sets where s logs what it does at debug level: the steps of a
// bulk import's commit and their durations. A Store logs nothing until
// then.
func (s *Store) SetLogger(l *slog.Logger) { s.log = l }

// busyTimeoutMS is how long a connection waits for another connection or
// process that holds the lock before it gives up with SQLITE_BUSY.
const busyTimeoutMS = 10000

// Open opens the store in the file at path, creating the file and its
// directory when missing, and brings its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	return open(ctx, path, "&_journal_mode=WAL&_synchronous=FULL")
}

func checkPath(path string) error {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return geo.Errorf(geo.EINVALID, "sqlite store: %q is not a file path", path)
	}
	return nil
}

// open opens the store in the file at path with the writer's journal
// settings (DSN parameters).
func open(ctx context.Context, path, journal string) (*Store, error) {
	common := "?_busy_timeout=" + strconv.Itoa(busyTimeoutMS) + "&_foreign_keys=1"
	// A new file gets pages of 16 KiB rather than 4: a million events'
	// import made a third fewer reads and writes of the file, its WAL and
	// the index sorts' temporary files (83 s of CPU instead of 96 s);
	// a file that exists keeps its own. Statement journals (an upsert
	// that fires triggers writes one) stay in memory: in a temporary file
	// they cost a system call per page, most of a bulk import's time. The
	// larger page cache keeps the indexes of a million events in memory
	// while they are written. A second thread sorts beside the first when
	// an import builds its indexes at the end.
	writer, err := sql.Open("sqlite", path+common+journal+"&_txlock=immediate"+
		"&_pragma=page_size(16384)&_pragma=temp_store(memory)&_pragma=cache_size(-131072)&_pragma=threads(2)")
	if err != nil {
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	rules, err := merge.New()
	if err != nil {
		writer.Close()
		return nil, err
	}
	s := &Store{path: path, writer: writer, rules: rules, denseBox: defaultDenseBox, walkAt: defaultWalkAt, wordWalkAt: defaultWordWalkAt, rowEntries: defaultRowEntries,
		pointWordsAt: defaultPointWordsAt, logKeep: changeLogSize, pieces: runtime.NumCPU(),
		log: slog.New(slog.DiscardHandler)}
	if err := s.migrateRetrying(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	if err := s.mergePending(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store %s: merge the stored reports: %w", path, err)
	}
	// An import that died with its indexes dropped left their definitions.
	if err := s.buildDeferredIndexes(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	// The reader pool opens after the migrations, so that its connections
	// find the file already in WAL mode.
	mapped := common + "&_query_only=1&_pragma=mmap_size(" + strconv.FormatInt(readerMmap, 10) + ")"
	reader, err := sql.Open("sqlite", path+mapped)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	keepOpen(reader, max(4, runtime.NumCPU()))
	s.reader = reader
	if s.aside, err = sql.Open("sqlite", path+mapped); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	s.asideConns = runtime.NumCPU()
	keepOpen(s.aside, s.asideConns)
	s.asideSlots = semaphore.NewWeighted(int64(s.asideConns))
	if s.unmapped, err = sql.Open("sqlite", path+common+"&_query_only=1"); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	keepOpen(s.unmapped, runtime.NumCPU())
	if s.version, err = reader.PrepareContext(ctx, versionSQL); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	return s, nil
}

// keepOpen lets pool hold n connections and keep them open while idle,
// however long: a connection's first statement parses the schema.
func keepOpen(pool *sql.DB, n int) {
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
}

// Warm opens the connections of the reader pools, each parsing the
// schema as a new connection does before its first statement (its many
// tables, indexes and triggers), and reads the dated spans of the
// current data version (datedCount), so that a server's first requests
// do not wait for them (a million events: the first 90 ms, the next
// 15-23). The connections stay open while idle.
func (s *Store) Warm(ctx context.Context) error {
	for _, pool := range []*sql.DB{s.reader, s.aside, s.unmapped} {
		n := pool.Stats().MaxOpenConnections
		conns := make([]*sql.Conn, 0, n)
		var err error
		for range n {
			var c *sql.Conn
			if c, err = pool.Conn(ctx); err != nil {
				break
			}
			conns = append(conns, c)
			var tables int
			if err = c.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
				break
			}
		}
		for _, c := range conns {
			c.Close()
		}
		if err != nil {
			return fmt.Errorf("sqlite store %s: warm the readers: %w", s.path, err)
		}
	}
	if _, err := s.datedCount(ctx, "", ""); err != nil {
		return fmt.Errorf("sqlite store %s: warm the readers: %w", s.path, err)
	}
	return nil
}

// migration is one embedded schema change; SQLite's user_version records the
// number of the last one applied.
type migration struct {
	number int
	name   string
	sql    string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]migration, 0, len(names))
	for i, name := range names {
		base := filepath.Base(name)
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || n != i+1 {
			return nil, fmt.Errorf("migration %s: want number %04d", base, i+1)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{number: n, name: base, sql: string(b)})
	}
	return out, nil
}

// migrateRetrying runs migrate until it is not refused for a lock, for up
// to the busy timeout. SQLite returns SQLITE_BUSY at once, without waiting,
// where waiting could deadlock; two processes opening a new file together
// (one turning it to WAL while the other reads it) meet that case, and the
// cure is to start again.
func (s *Store) migrateRetrying(ctx context.Context) error {
	deadline := time.Now().Add(busyTimeoutMS * time.Millisecond)
	for {
		err := s.migrate(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func isBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// migrate applies the migrations the file lacks, each in its own
// transaction with its user_version, so that a crash between two leaves a
// consistent schema and two processes opening a new file at once apply each
// migration once (the second waits for the write lock, then finds it done).
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.apply(ctx, m, len(ms)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m migration, latest int) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return err
	}
	if current > latest {
		return fmt.Errorf("schema version %d is newer than this program's %d", current, latest)
	}
	if current >= m.number {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.number)); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	return tx.Commit()
}

// Version returns the data version: it changes with every ingest, and is
// never reused, not even by a store re-created from scratch, because an
// ingest sets it to at least the current time in microseconds.
func (s *Store) Version(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	// Every request reads the version. A primary-key lookup in WAL mode
	// does not wait for writers, so it runs without the caller's
	// cancellation: watching a context costs database/sql and the driver
	// a goroutine each, more than the query itself (BENCHMARKS.md, "Store").
	var v int64
	if err := s.version.QueryRowContext(context.WithoutCancel(ctx)).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite store: read version: %w", err)
	}
	return v, nil
}

// Ping checks that the store answers a query on its schema.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.Version(ctx)
	return err
}

// Close closes the store's connections. It may be called more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.version != nil {
			errs = append(errs, s.version.Close())
		}
		if s.reader != nil {
			errs = append(errs, s.reader.Close())
		}
		if s.aside != nil {
			errs = append(errs, s.aside.Close())
		}
		if s.unmapped != nil {
			errs = append(errs, s.unmapped.Close())
		}
		errs = append(errs, s.writer.Close())
		if s.temp != "" {
			removeFiles(s.temp)
			removeFiles(sidePath(s.temp))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
