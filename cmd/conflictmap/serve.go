package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/semaphore"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/gazetteer"
	"conflictmap/geo/postgis"
	"conflictmap/geo/sqlite"
	"conflictmap/handlers"
	"conflictmap/handlers/cache"
	"conflictmap/static"
)

// The article ingested into an empty store so that a new map is never
// empty.
//
//go:embed sample/iran-reins-in-militias.txt
var sampleText string

const (
	sampleTitle     = "Iran reins in militias in Iraq and Syria after US strikes"
	samplePublished = "2024-02-27"
)

// Defaults of serve's flags.
const (
	defaultAddr        = ":8080"
	defaultDB          = "./data/conflictmap.db"
	defaultTileURL     = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	defaultTileCredit  = "© OpenStreetMap contributors"
	defaultRedisPrefix = "conflictmap:"
	defaultCacheMB     = 256
	defaultNearCacheMB = 64
)

// store is what the commands need of an event store: what the handlers
// call, plus walking every article (reextract) and closing.
type store interface {
	handlers.Store
	ForEachArticle(ctx context.Context, fn func(geo.Article) error) error
	Close() error
}

// openStore opens the PostGIS store for a postgres:// URL and the SQLite
// store for anything else (a file path). The stores' errors already name
// the store, the file or the schema; only the database URL (without its
// password) is added here.
func openStore(ctx context.Context, db, pgSchema string) (store, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		s, err := postgis.Open(ctx, db, pgSchema)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", redactURL(db), err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, err // a nil *sqlite.Store in the interface would not be nil
	}
	return s, nil
}

// serveConfig is serve's configuration: flags, each with an environment
// fallback.
type serveConfig struct {
	Addr            string
	DB              string
	PGSchema        string
	Redis           string
	RedisPrefix     string
	RedisTimeout    time.Duration
	Token           string
	Tiles           string
	TileAttribution string
	MaxBody         int64
	CacheMB         int
	NearCacheMB     int
	LogLevel        string
	ShutdownTimeout time.Duration
	MaxExtractions  int
	ExtractTimeout  time.Duration
	Fetch           feedConfig // feeds and page fetching (feeds.go)
}

// Server is a running `conflictmap serve`: its store, cache, handlers and
// listener. ParseFlags, Open and Run are separate so that tests run the
// whole server in-process on port 0.
type Server struct {
	Config serveConfig
	// Logger is set by ParseFlags from --log-level; tests may replace it.
	Logger *slog.Logger

	store   store
	redis   *cache.Redis
	ln      net.Listener
	httpSrv *http.Server
	feeds   *feedRunner
}

// ParseFlags reads serve's flags, falling back to the environment.
func (s *Server) ParseFlags(env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "serve [flags]",
		"Serves the events API, the OGC API and the map page. Every flag falls back to the\n"+
			"environment variable named in its description.")
	c := &s.Config
	fs.StringVar(&c.Addr, "addr", envOr(env, "CONFLICTMAP_ADDR", defaultAddr), "listen address (CONFLICTMAP_ADDR)")
	fs.StringVar(&c.DB, "db", envOr(env, "CONFLICTMAP_DB", defaultDB),
		"SQLite file, or a postgres:// URL for PostgreSQL/PostGIS (CONFLICTMAP_DB)")
	fs.StringVar(&c.PGSchema, "pg-schema", envOr(env, "CONFLICTMAP_PG_SCHEMA", "public"),
		"PostgreSQL schema holding the tables, with a postgres:// --db (CONFLICTMAP_PG_SCHEMA)")
	fs.StringVar(&c.Redis, "redis", env.Getenv("REDIS_URL"),
		"Redis URL for the response cache shared by every instance, e.g. redis://127.0.0.1:6379/0;\nempty: an in-process cache (REDIS_URL)")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", envOr(env, "CONFLICTMAP_REDIS_PREFIX", defaultRedisPrefix),
		"prefix of every Redis key, so deployments can share a Redis (CONFLICTMAP_REDIS_PREFIX)")
	fs.StringVar(&c.Token, "token", env.Getenv("CONFLICTMAP_TOKEN"),
		"bearer token POST /api/articles requires; empty: ingest refused (CONFLICTMAP_TOKEN)")
	fs.StringVar(&c.Tiles, "tiles", envOr(env, "CONFLICTMAP_TILE_URL", defaultTileURL),
		"map tile URL template; \"\" for none (offline: country outlines only) (CONFLICTMAP_TILE_URL)")
	fs.StringVar(&c.TileAttribution, "tile-attribution", env.Getenv("CONFLICTMAP_TILE_ATTRIBUTION"),
		"credit shown for the tiles; default: OpenStreetMap's for the default tiles (CONFLICTMAP_TILE_ATTRIBUTION)")
	var err error
	if err = durationFlag(env, fs, &c.RedisTimeout, "redis-timeout", "CONFLICTMAP_REDIS_TIMEOUT", 100*time.Millisecond,
		"bound on each Redis command; past it a request is answered from the store"); err != nil {
		return err
	}
	if err = int64Flag(env, fs, &c.MaxBody, "max-body", "CONFLICTMAP_MAX_BODY", handlers.DefaultMaxBody,
		"largest article body POST /api/articles accepts, in bytes"); err != nil {
		return err
	}
	var cacheMB int64
	if err = int64Flag(env, fs, &cacheMB, "cache-mb", "CONFLICTMAP_CACHE_MB", defaultCacheMB,
		"size of the in-process cache in MB (compressed bodies), when --redis is empty"); err != nil {
		return err
	}
	var nearCacheMB int64
	if err = int64Flag(env, fs, &nearCacheMB, "near-cache-mb", "CONFLICTMAP_NEAR_CACHE_MB", defaultNearCacheMB,
		"with --redis, MB of recently used Redis entries also kept in process, so a repeated answer\ncosts no Redis round trip; 0: every hit is read from Redis"); err != nil {
		return err
	}
	fs.StringVar(&c.LogLevel, "log-level", envOr(env, "CONFLICTMAP_LOG_LEVEL", "info"),
		"debug, info, warn or error (CONFLICTMAP_LOG_LEVEL)")
	if err = durationFlag(env, fs, &c.ShutdownTimeout, "shutdown-timeout", "CONFLICTMAP_SHUTDOWN_TIMEOUT", 30*time.Second,
		"how long SIGTERM waits for requests in flight"); err != nil {
		return err
	}
	var maxExtractions int64
	if err = int64Flag(env, fs, &maxExtractions, "max-extractions", "CONFLICTMAP_MAX_EXTRACTIONS", int64(handlers.DefaultMaxExtractions()),
		"articles extracted at once, posted or read from feeds; a post past it is refused with 503 and Retry-After,\na feed item waits for a later poll"); err != nil {
		return err
	}
	if err = durationFlag(env, fs, &c.ExtractTimeout, "extract-timeout", "CONFLICTMAP_EXTRACT_TIMEOUT", handlers.DefaultExtractTimeout,
		"time budget of one article's extraction; past it a post is refused with 503, a feed item tried again later"); err != nil {
		return err
	}
	if err := c.Fetch.addFlags(env, fs); err != nil {
		return err
	}
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	c.MaxExtractions = int(maxExtractions)
	if c.MaxExtractions < 1 || c.ExtractTimeout <= 0 {
		fmt.Fprintln(env.Stderr, "serve: --max-extractions and --extract-timeout must be positive")
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if err := c.Fetch.check(); err != nil {
		fmt.Fprintf(env.Stderr, "serve: %v\n", err)
		return errUsage
	}
	c.CacheMB = int(cacheMB)
	c.NearCacheMB = int(nearCacheMB)
	if c.TileAttribution == "" && c.Tiles == defaultTileURL {
		c.TileAttribution = defaultTileCredit
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		fmt.Fprintf(env.Stderr, "serve: --log-level %q: want debug, info, warn or error\n", c.LogLevel)
		return errUsage
	}
	s.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

// Open opens the store and the cache, loads the extractor, ingests the
// sample article into an empty store, and starts listening (Addr is then
// the bound address).
func (s *Server) Open(ctx context.Context) (err error) {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.store, err = openStore(ctx, s.Config.DB, s.Config.PGSchema); err != nil {
		return err
	}
	// A store with a pool of connections to a database server opens them
	// now rather than on the first requests.
	if w, ok := s.store.(interface{ Warm(context.Context) error }); ok {
		if err := w.Warm(ctx); err != nil {
			return err
		}
	}
	gaz, err := gazetteer.Load()
	if err != nil {
		return fmt.Errorf("loading the gazetteer: %w", err)
	}
	ex := extract.New(gaz)
	if err := s.ingestSample(ctx, ex); err != nil {
		return err
	}
	var backend cache.Backend
	cacheOpts := cache.Options{Logger: s.Logger}
	if s.Config.Redis != "" {
		// go-redis logs each failed dial on stderr by itself; its logger is
		// process-wide, so only main may set it.
		redis.SetLogger(cache.LibraryLog{Logger: s.Logger})
		s.redis, err = cache.NewRedis(cache.RedisOptions{
			URL: s.Config.Redis, Prefix: s.Config.RedisPrefix, Timeout: s.Config.RedisTimeout, Logger: s.Logger,
		})
		if err != nil {
			return fmt.Errorf("--redis: %w", err)
		}
		backend = s.redis
		if s.Config.NearCacheMB > 0 {
			cacheOpts.Near = cache.NewMemory(int64(s.Config.NearCacheMB) << 20)
		}
	} else {
		backend = cache.NewMemory(int64(s.Config.CacheMB) << 20)
	}
	// One set of extraction slots for every ingest: posted articles and
	// feed items alike.
	slots := semaphore.NewWeighted(int64(s.Config.MaxExtractions))
	if err := s.openFeeds(ctx, ex, slots); err != nil {
		return err
	}
	h := handlers.New(handlers.Config{
		Store:            s.store,
		Extractor:        ex,
		Geoparser:        ex,
		Cache:            cache.New(backend, cacheOpts),
		Static:           static.FS(),
		Token:            s.Config.Token,
		MaxBody:          s.Config.MaxBody,
		TileURL:          s.Config.Tiles,
		TileAttribution:  s.Config.TileAttribution,
		ExtractorVersion: extract.Version,
		Logger:           s.Logger,
		MaxExtractions:   s.Config.MaxExtractions,
		Extractions:      slots,
		ExtractTimeout:   s.Config.ExtractTimeout,
		Feeds:            s.feeds.store,
		FeedInterval:     s.Config.Fetch.Interval,
		Fetcher:          s.feeds.fetcher,
	})
	s.httpSrv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Live event streams end when shutdown starts: their clients resume
	// from another instance, or from this one when it is back.
	s.httpSrv.RegisterOnShutdown(h.CloseStreams)
	if s.ln, err = net.Listen("tcp", s.Config.Addr); err != nil {
		return fmt.Errorf("listening on %s: %w", s.Config.Addr, err)
	}
	cacheName := backend.Name()
	s.Logger.Info("conflictmap serving", "addr", s.ln.Addr().String(), "db", redactURL(s.Config.DB),
		"cache_backend", cacheName, "near_cache", cacheOpts.Near != nil, "ingest", s.Config.Token != "", "extractor", extract.Version)
	return nil
}

// ingestSample gives an empty store the bundled article.
func (s *Server) ingestSample(ctx context.Context, ex handlers.Extractor) error {
	_, total, err := s.store.Articles(ctx, 1, 0)
	if err != nil {
		return fmt.Errorf("counting stored articles: %w", err)
	}
	if total > 0 {
		return nil
	}
	a := geo.Article{Title: sampleTitle, Published: samplePublished, Text: sampleText}
	a.ID = geo.ArticleID(a.URL, a.Text)
	events, err := ex.ExtractContext(ctx, a)
	if err != nil {
		return fmt.Errorf("extracting the sample article: %w", err)
	}
	if _, err := s.store.Ingest(ctx, a, events); err != nil {
		return fmt.Errorf("ingesting the sample article: %w", err)
	}
	s.Logger.Info("empty store: ingested the sample article", "title", a.Title, "events", len(events))
	return nil
}

// Addr is the address the server listens on, after Open.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the server's base URL on the loopback interface, after Open.
func (s *Server) URL() string {
	_, port, _ := net.SplitHostPort(s.Addr())
	return "http://127.0.0.1:" + port
}

// Run serves until ctx is cancelled, then stops taking connections and
// waits (up to ShutdownTimeout) for requests in flight to finish.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.httpSrv.Serve(s.ln) }()
	stopFeeds := s.startFeeds(ctx)
	defer stopFeeds()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	s.Logger.Info("shutting down: finishing requests in flight", "timeout", s.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Config.ShutdownTimeout)
	defer cancel()
	if err := s.httpSrv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	s.Logger.Info("stopped")
	return nil
}

// Close releases the store and the cache's connections.
func (s *Server) Close() error {
	var errs []error
	if s.ln != nil {
		if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if s.redis != nil {
		errs = append(errs, s.redis.Close())
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	return errors.Join(errs...)
}

func runServe(ctx context.Context, env *Env, args []string) error {
	var s Server
	if err := s.ParseFlags(env, args); err != nil {
		return err
	}
	if err := s.Open(ctx); err != nil {
		return err
	}
	err := s.Run(ctx)
	if cerr := s.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("closing: %w", cerr)
	}
	return err
}

// redactURL hides a password in a database URL before it is logged.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if at := strings.LastIndex(s, "@"); at > i {
			if colon := strings.Index(s[i+3:at], ":"); colon >= 0 {
				return s[:i+3+colon] + ":xxxxx" + s[at:]
			}
		}
	}
	return s
}

// int64Flag defines an integer flag whose default comes from the
// environment variable name, refusing a value there that is not a number.
func int64Flag(env *Env, fs *flag.FlagSet, p *int64, flagName, envName string, def int64, usage string) error {
	if v := env.Getenv(envName); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%s=%q: not an integer", envName, v)
		}
		def = n
	}
	fs.Int64Var(p, flagName, def, usage+" ("+envName+")")
	return nil
}

// durationFlag defines a duration flag whose default comes from the
// environment variable name.
func durationFlag(env *Env, fs *flag.FlagSet, p *time.Duration, flagName, envName string, def time.Duration, usage string) error {
	if v := env.Getenv(envName); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%s=%q: not a duration (e.g. 100ms, 30s)", envName, v)
		}
		def = d
	}
	fs.DurationVar(p, flagName, def, usage+" ("+envName+")")
	return nil
}
