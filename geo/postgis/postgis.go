// Package postgis is conflictmap's event store on PostgreSQL with PostGIS,
// for deployments where several stateless server instances share one
// database. It keeps the same contract as the SQLite store (the conformance
// suite in geo/storetest runs on both): points in a geometry(Point, 4326)
// column with a GiST index, the days an event may have happened on in a
// daterange with an SP-GiST index (a quad tree), the article text, and the
// data version, a row bumped in every ingest transaction so that every
// instance keys its response cache by the same number.
//
// All tables live in one schema, named at Open and created when missing, so
// that one database can hold several stores (and tests their own). PostGIS
// is installed in the public schema when the database lacks it.
package postgis

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
	"conflictmap/geo/merge"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionSQL reads the data version, which every write raises.
const versionSQL = "SELECT value FROM meta WHERE key = 'version'"

// Store is an event store in one schema of a PostgreSQL database with
// PostGIS. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	rules  *merge.Rules
	// spans is event_counts added up by first and last day, as of one
	// data version (spansIn).
	spans eventsql.SpansCache
	// walkAt, wordWalkAt, dateWalkAt, boxWalkAt, denseBoxRatio,
	// sparseBoxRatio and subTypeBoxRatio are the query planning thresholds
	// (defaultWalkAt, defaultWordWalkAt, defaultDateWalkAt,
	// defaultBoxWalkAt, defaultDenseBoxRatio, defaultSparseBoxRatio,
	// defaultSubTypeBoxRatio); tests change them to hold every plan to the
	// store suite.
	walkAt, wordWalkAt, dateWalkAt, boxWalkAt      int
	denseBoxRatio, sparseBoxRatio, subTypeBoxRatio float64
	// pieces is how many connections one walk of the date order reads at
	// once (pieceStats): one per CPU, for a walk costs CPU, not waits;
	// tests set it.
	pieces int
	// pieceRowsAt is defaultPieceRowsAt; tests lower it, so that both
	// ways of piecePage are taken.
	pieceRowsAt int
	// rowsPieceAt is defaultRowsPieceAt; tests lower it, so that the
	// rows of their few events are read in pieces.
	rowsPieceAt int
	// deepOffset is defaultDeepOffset; tests lower it, so that the pages
	// of their few events are read as pages far in.
	deepOffset int
	// logKeep and logBatch bound the change log (changeLogSize,
	// pruneBatch); tests lower them to see it pruned.
	logKeep, logBatch int
	// swapFrom: a bulk import builds a new events table when the store
	// holds at most swapFrom times the events it staged (defaultSwapFrom);
	// below 0, never.
	swapFrom int
	// ingests counts this Store's ingests, so that every statsEvery-th
	// looks at the tables' statistics first (freshenStats).
	ingests atomic.Int64
	// log gets the duration of each step of a bulk import's commit, at
	// debug level (SetLogger).
	log *slog.Logger
}

// SetLogger sets where s logs what it does at debug level: the steps of a
// bulk import and their durations. A Store logs nothing until then.
func (s *Store) SetLogger(l *slog.Logger) { s.log = l }

// bootstrapLock is the advisory lock key every conflictmap process holds
// while it creates the extension, its schema and its tables, so that
// instances starting together do not race on "IF NOT EXISTS" (which is not
// safe against a concurrent create).
const bootstrapLock = 0x636f6e666c696374 // "conflict"

// validSchema reports whether name is a lower-case SQL identifier, the only
// schema names Open accepts, so that no quoting question arises.
func validSchema(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Open connects to the database at dsn (a PostgreSQL URL or key=value
// string), creates the PostGIS extension and the schema when missing, and
// brings the schema's tables up to date.
func Open(ctx context.Context, dsn, schema string) (*Store, error) {
	if !validSchema(schema) {
		return nil, geo.Errorf(geo.EINVALID, "postgis store: schema %q is not a lower-case SQL identifier", schema)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgis store: %w", err)
	}
	ext, err := bootstrap(ctx, cfg.ConnConfig, schema)
	if err != nil {
		return nil, fmt.Errorf("postgis store %s: %w", schema, err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = searchPath(schema, ext)
	// Every execution of a statement is planned for its values (a box, a
	// word, types), unless the DSN says otherwise: the statements are
	// prepared once per connection (pgx's cache), and from the sixth
	// execution PostgreSQL may switch to the plan it made without the
	// values; the page of two sub-event types in a hotspot's box read its
	// ids in 2.4 ms five times, then in 169 ms by that plan.
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	cfg.AfterConnect = warmConn
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis store %s: %w", schema, err)
	}
	rules, err := merge.New()
	if err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{pool: pool, schema: schema, rules: rules, walkAt: defaultWalkAt, wordWalkAt: defaultWordWalkAt, dateWalkAt: defaultDateWalkAt, boxWalkAt: defaultBoxWalkAt, denseBoxRatio: defaultDenseBoxRatio,
		sparseBoxRatio: defaultSparseBoxRatio, subTypeBoxRatio: defaultSubTypeBoxRatio, logKeep: changeLogSize,
		logBatch: pruneBatch, swapFrom: defaultSwapFrom, log: slog.New(slog.DiscardHandler), pieces: runtime.NumCPU(), pieceRowsAt: defaultPieceRowsAt, rowsPieceAt: defaultRowsPieceAt, deepOffset: defaultDeepOffset}
	if err := s.mergePending(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgis store %s: merge the stored reports: %w", schema, err)
	}
	return s, nil
}

// warmSQL is what a new connection runs before its first request: a new
// server process loads the PostGIS library when a statement first calls
// it (18-21 ms here), and reads the catalog entries of a table and of all
// its indexes when a statement on it is first planned (the events table
// and its indexes: 5-9 ms, then 0.4). A fresh server's first /api/events
// took 60-65 ms with its pool warmed, 76-89 ms without (BENCHMARKS.md).
const warmSQL = `SELECT postgis_lib_version();
EXPLAIN SELECT 1 FROM events WHERE id = '';
EXPLAIN SELECT 1 FROM event_counts WHERE n = 0;
EXPLAIN SELECT 1 FROM detail_counts WHERE n = 0;
EXPLAIN SELECT 1 FROM word_counts WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_types WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_countries WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_country_weeks WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_fine WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_fine_weeks WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_words WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_word_fine WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_word_weeks WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_word_weeks_coarse WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_details WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_word_stats WHERE n = 0;
EXPLAIN SELECT 1 FROM cell_detail_stats WHERE n = 0;
EXPLAIN SELECT 1 FROM set_words WHERE term = '';
EXPLAIN SELECT 1 FROM term_sets WHERE chunk = 0`

// warmConn runs warmSQL on a new connection (pgxpool's AfterConnect).
func warmConn(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, warmSQL); err != nil {
		return fmt.Errorf("warm a new connection: %w", err)
	}
	return nil
}

// Warm opens the pool's connections, each running warmSQL, so that a
// server's first requests do not wait for it; they stay open while idle
// for the pool's idle time (30 minutes).
func (s *Store) Warm(ctx context.Context) error {
	n := int(s.pool.Config().MaxConns)
	conns := make([]*pgxpool.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for range n {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("postgis store %s: warm the pool: %w", s.schema, err)
		}
		conns = append(conns, c)
	}
	return nil
}

// searchPath puts the store's schema first, so that its tables are found by
// their bare names, and PostGIS's schema second, for its types and
// functions.
func searchPath(schema, ext string) string {
	if ext == schema {
		return pgx.Identifier{schema}.Sanitize()
	}
	return pgx.Identifier{schema}.Sanitize() + ", " + pgx.Identifier{ext}.Sanitize()
}

// migration is one embedded schema change; the schema_migrations table
// records those applied.
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

// bootstrap creates what the store needs, in one transaction under the
// bootstrap lock, and returns the schema PostGIS is installed in.
func bootstrap(ctx context.Context, cc *pgx.ConnConfig, schema string) (string, error) {
	ms, err := migrations()
	if err != nil {
		return "", err
	}
	conn, err := pgx.ConnectConfig(ctx, cc.Copy())
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(bootstrapLock)); err != nil {
		return "", err
	}
	var ext string
	err = tx.QueryRow(ctx, `SELECT n.nspname FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
		WHERE x.extname = 'postgis'`).Scan(&ext)
	if errors.Is(err, pgx.ErrNoRows) {
		ext = "public"
		if _, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public"); err != nil {
			return "", fmt.Errorf("create extension postgis: %w", err)
		}
	} else if err != nil {
		return "", err
	}
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+ident); err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, "SET LOCAL search_path TO "+searchPath(schema, ext)); err != nil {
		return "", err
	}
	_, err = tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`)
	if err != nil {
		return "", err
	}
	var current int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return "", err
	}
	if current > len(ms) {
		return "", fmt.Errorf("schema version %d is newer than this program's %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return "", fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.number, m.name); err != nil {
			return "", err
		}
	}
	return ext, tx.Commit(ctx)
}

// Version returns the data version: it changes with every ingest, and is
// never reused, not even by a store re-created from scratch, because an
// ingest sets it to at least the current time in microseconds.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, versionSQL).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgis store: read version: %w", err)
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
	s.pool.Close()
	return nil
}
