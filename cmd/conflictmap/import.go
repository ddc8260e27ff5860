package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventfile"
	"conflictmap/geo/gazetteer"
	"conflictmap/geo/postgis"
	"conflictmap/geo/sqlite"
)

// importer is what import needs of a store besides opening and closing it.
type importer interface {
	Import(ctx context.Context, articles []geo.Article, events []geo.Event) error
}

// defaultImportMemoryMB is import's default soft memory limit. Go lets
// its heap grow to twice what is live before collecting it: a million
// events into PostgreSQL hold some 450 MB live while they are copied and
// their kept counts made, and peaked at 0.96-1.07 GB of memory without a
// limit (BENCHMARKS.md).
const defaultImportMemoryMB = 800

// importGCPercent is import's GOGC: Go collects when its heap has grown
// by this share of what was live. The import's live memory is the
// tally's groups, which hold no pointers, so that a collection costs a
// few milliseconds however many groups there are, while its garbage
// (rows parsed and written) beside SQLite's own memory took a million
// events' SQLite import to a peak of 0.92-1.26 GB at the default of 100,
// and 0.73 GB at 30 in the same time (BENCHMARKS.md). GOGC in the
// environment overrides it.
const importGCPercent = 30

// maxReportedRows bounds the bad rows import names one by one per file.
const maxReportedRows = 20

// bulkImport is one file's import in one transaction of a store that
// offers it (bulkImporter): its batches are added, then all committed or
// none.
type bulkImport interface {
	Add(ctx context.Context, articles []geo.Article, events []geo.Event) error
	Commit(ctx context.Context) error
	Rollback() error
}

// bulkImporter starts bulk imports; the stores' own Begin methods return
// their own types, so this adapter names the one that does.
func bulkImporter(st any) (func(context.Context) (bulkImport, error), bool) {
	switch s := st.(type) {
	case *sqlite.Store:
		return func(ctx context.Context) (bulkImport, error) { return s.BeginBulk(ctx) }, true
	case *postgis.Store:
		return func(ctx context.Context) (bulkImport, error) { return s.BeginBulk(ctx) }, true
	}
	return nil, false
}

// totalSize is the size of the files in bytes (unreadable ones count 0).
func totalSize(names []string) int64 {
	var n int64
	for _, name := range names {
		if fi, err := os.Stat(name); err == nil {
			n += fi.Size()
		}
	}
	return n
}

func runImport(ctx context.Context, env *Env, args []string) (err error) {
	fs := newFlagSet(env, "import", "import [--db PATH|URL] [--pg-schema S] [--batch N] FILE...",
		"Loads events made elsewhere into the store: conflictmap's own GeoJSON and CSV exports, ACLED\n"+
			"exports (CSV of 2020 and of 2023 on, API JSON) and UCDP GED CSV; the format is told from each\n"+
			"file's content. Every event keeps where it came from in its origin property (import, acled,\n"+
			"ucdp) and is never merged with others. A row that cannot be read is reported with its line\n"+
			"and skipped; the rest are stored in batches, each one transaction that bumps the data version,\n"+
			"so running servers answer with the new events at once; a large file (--bulk-mb) is stored in\n"+
			"one transaction, all of it or, if the import fails, none. Progress goes to stderr, one summary\n"+
			"line per file to stdout.")
	db := fs.String("db", envOr(env, "CONFLICTMAP_DB", defaultDB), "SQLite file, or a postgres:// URL (CONFLICTMAP_DB)")
	pgSchema := fs.String("pg-schema", envOr(env, "CONFLICTMAP_PG_SCHEMA", "public"), "PostgreSQL schema, with a postgres:// --db (CONFLICTMAP_PG_SCHEMA)")
	batch := fs.Int("batch", 20000, "events per transaction")
	bulkAt := fs.Int64("bulk-mb", 64, "a file of at least this many MB is stored in one transaction (SQLite: that builds the store's indexes at its end)")
	var memoryMB int64
	if err := int64Flag(env, fs, &memoryMB, "memory-mb", "CONFLICTMAP_IMPORT_MEMORY_MB", defaultImportMemoryMB,
		"soft limit of the import's memory in MB: near it, Go collects garbage more often (0: no limit)"); err != nil {
		return err
	}
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file (for go tool pprof)")
	logLevel := fs.String("log-level", envOr(env, "CONFLICTMAP_LOG_LEVEL", "info"),
		"debug logs the steps of a one-transaction import with their durations to stderr (CONFLICTMAP_LOG_LEVEL)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(env.Stderr, "import: --log-level %q: want debug, info, warn or error\n", *logLevel)
		return errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.Stderr, "import: no FILE given")
		fs.Usage()
		return errUsage
	}
	if *batch < 1 {
		fmt.Fprintln(env.Stderr, "import: --batch must be at least 1")
		return errUsage
	}
	if memoryMB < 0 {
		fmt.Fprintln(env.Stderr, "import: --memory-mb must be 0 (no limit) or more")
		return errUsage
	}
	if memoryMB > 0 {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(memoryMB << 20))
	}
	if env.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(importGCPercent))
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	st, created, err := openImportStore(ctx, *db, *pgSchema)
	if err != nil {
		return err
	}
	defer st.Close()
	if l, ok := st.(interface{ SetLogger(*slog.Logger) }); ok {
		l.SetLogger(slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level})))
	}
	imp, ok := st.(importer)
	if !ok {
		return fmt.Errorf("the store at %s cannot import", redactURL(*db))
	}
	gaz, err := gazetteer.Load()
	if err != nil {
		return fmt.Errorf("loading the gazetteer: %w", err)
	}
	opt := eventfile.Options{CountryCode: countryCodes(gaz)}
	var failed []string
	for i, name := range fs.Args() {
		// A large file goes in one transaction: SQLite builds its indexes
		// once at its end (sorting a million keys once is much cheaper than
		// a million inserts into each index), PostgreSQL stores it with one
		// INSERT ... SELECT.
		var begin func(context.Context) (bulkImport, error)
		if b, ok := bulkImporter(st); ok && totalSize([]string{name}) >= *bulkAt<<20 {
			begin = b
		}
		sum, err := importFile(ctx, env, imp, begin, opt, name, *batch, fmt.Sprintf("[%d/%d] ", i+1, fs.NArg()))
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
			failed = append(failed, name)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		fmt.Fprintln(env.Stdout, sum)
	}
	// A new file becomes the store at the end, holding what the files
	// that did not fail stored (a failed file's one transaction was
	// rolled back), as an existing file would, even when interrupted;
	// only a crash leaves it under its temporary name.
	if created != nil {
		if err := created.Publish(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("import failed for %s: %s", plural(len(failed), "file"), strings.Join(failed, ", "))
	}
	return nil
}

// openImportStore opens the store to import into. A SQLite file that
// does not exist yet is made with sqlite.Create, in a temporary file
// beside it, and returned as created as well, for the caller to publish.
func openImportStore(ctx context.Context, db, pgSchema string) (store, *sqlite.Store, error) {
	if !strings.HasPrefix(db, "postgres://") && !strings.HasPrefix(db, "postgresql://") {
		if _, err := os.Lstat(db); errors.Is(err, fs.ErrNotExist) {
			s, err := sqlite.Create(ctx, db)
			if err != nil {
				return nil, nil, err
			}
			return s, s, nil
		}
	}
	st, err := openStore(ctx, db, pgSchema)
	return st, nil, err
}

// countryCodes maps a country name as ACLED and UCDP write it to its
// alpha-2 code through the gazetteer's countries; UCDP's "Yemen (North
// Yemen)" is read as "Yemen".
func countryCodes(gaz *gazetteer.Gazetteer) func(string) string {
	cache := map[string]string{}
	return func(name string) string {
		if cc, ok := cache[name]; ok {
			return cc
		}
		key := name
		if i := strings.Index(key, " ("); i > 0 {
			key = key[:i]
		}
		cc := ""
		for _, p := range gaz.Lookup(key) {
			if strings.HasPrefix(p.FeatureCode, "PCL") || p.FeatureCode == "TERR" {
				cc = p.CountryCode
				break
			}
		}
		cache[name] = cc
		return cc
	}
}

// countingReader counts the bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// importFile reads one file and stores its events in batches, in one bulk
// import when begin is set; it returns the file's summary line.
func importFile(ctx context.Context, env *Env, imp importer, begin func(context.Context) (bulkImport, error),
	opt eventfile.Options, name string, batch int, prefix string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	start := time.Now()
	cr := &countingReader{r: f}
	base := filepath.Base(name)
	// The file stands as an article for the rows that name none.
	fileArticle := geo.Article{ID: geo.ArticleID("", "import:"+base), Title: "Imported from " + base}
	var (
		stored int
		bad    int // as of the last batch stored, then of the whole file
		last   time.Time
	)
	progress := func(final bool) {
		if !final && time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		frac := 1.0
		if info.Size() > 0 {
			frac = min(1, float64(cr.n.Load())/float64(info.Size()))
		}
		const width = 30
		bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(".", width-int(frac*width))
		rate := float64(stored) / max(time.Since(start).Seconds(), 0.001)
		fmt.Fprintf(env.Stderr, "\r%s%s [%s] %3.0f%% %d events %.0f/s, %d bad rows", prefix, base, bar, frac*100, stored, rate, bad)
		if final {
			fmt.Fprintln(env.Stderr)
		}
	}
	store := imp.Import
	var bulk bulkImport
	if begin != nil {
		if bulk, err = begin(ctx); err != nil {
			return "", err
		}
		defer bulk.Rollback()
		store = bulk.Add
	}
	// The file is read and its rows made into events in a goroutine of its
	// own while the batch before is stored: on two cores, parsing costs
	// no time of its own.
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	batches := make(chan importBatch, 1)
	var (
		format  eventfile.Format
		readErr error
		readBad int
	)
	go func() {
		defer close(batches)
		format, readBad, readErr = readBatches(readCtx, env, cr, opt, name, fileArticle, batch, batches)
	}()
	var storeErr error
	for b := range batches {
		if storeErr != nil {
			continue
		}
		if storeErr = store(ctx, b.articles, b.events); storeErr != nil {
			storeErr = fmt.Errorf("storing rows: %w", storeErr)
			stopReading()
			continue
		}
		stored += len(b.events)
		bad = b.bad
		progress(false)
	}
	bad = readBad
	err = cmp.Or(storeErr, readErr)
	if err == nil && bulk != nil {
		progress(true)
		fmt.Fprintln(env.Stderr, "building indexes...")
		built := time.Now()
		if err = bulk.Commit(ctx); err == nil {
			fmt.Fprintf(env.Stderr, "built indexes in %s\n", time.Since(built).Round(time.Millisecond))
		}
	} else {
		progress(true)
	}
	if bad > maxReportedRows {
		fmt.Fprintf(env.Stderr, "%s: %d more bad rows not shown\n", name, bad-maxReportedRows)
	}
	if err != nil {
		if stored > 0 && bulk == nil {
			return "", fmt.Errorf("%w (the %d events before it are stored)", err, stored)
		}
		if stored > 0 {
			return "", fmt.Errorf("%w (none of the file's events is stored)", err)
		}
		return "", err
	}
	return fmt.Sprintf("%s\t%s\t%s stored\t%s skipped\t%s", name, format, plural(stored, "event"), plural(bad, "bad row"),
		time.Since(start).Round(time.Millisecond)), nil
}

// importBatch is a batch of a file's events with their articles, and the
// bad rows of the file up to its last row.
type importBatch struct {
	events   []geo.Event
	articles []geo.Article
	bad      int
}

// readBatches reads a file's rows into batches of up to batch events,
// sent to batches; a row without an article belongs to fileArticle, and of
// an id repeated within a batch the last row is kept. Bad rows are
// reported (the first maxReportedRows) and counted. It returns the file's
// format and its bad rows.
func readBatches(ctx context.Context, env *Env, r io.Reader, opt eventfile.Options, name string, fileArticle geo.Article,
	batch int, batches chan<- importBatch) (eventfile.Format, int, error) {
	var (
		events   []geo.Event
		articles []geo.Article
		index    = map[string]int{} // event id -> position in events, so a repeated id keeps its last row
		known    = map[string]bool{}
		bad      int
	)
	send := func() error {
		if len(events) == 0 {
			return nil
		}
		select {
		case batches <- importBatch{events: events, articles: articles, bad: bad}:
		case <-ctx.Done():
			return ctx.Err()
		}
		events, articles = make([]geo.Event, 0, batch), nil
		clear(index)
		return nil
	}
	format, err := eventfile.Read(r, opt, func(row eventfile.Row) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if row.Err != nil {
			bad++
			if bad <= maxReportedRows {
				fmt.Fprintf(env.Stderr, "\r%s: %s: skipped: %v\n", name, row.Where(), row.Err)
			}
			return nil
		}
		e := row.Event
		if e.ArticleID == "" {
			e.ArticleID = fileArticle.ID
			e.Title = cmp.Or(e.Title, fileArticle.Title)
		}
		if !known[e.ArticleID] {
			known[e.ArticleID] = true
			a := fileArticle
			if e.ArticleID != fileArticle.ID {
				a = geo.Article{ID: e.ArticleID, Title: e.Title, URL: e.SourceURL, Published: e.Published}
			}
			articles = append(articles, a)
		}
		if i, ok := index[e.ID]; ok {
			events[i] = e
			return nil
		}
		index[e.ID] = len(events)
		events = append(events, e)
		if len(events) >= batch {
			return send()
		}
		return nil
	})
	if err == nil {
		err = send()
	}
	return format, bad, err
}
