// Package handlers is conflictmap's HTTP surface on echo: the events API
// (GeoJSON, CSV, stats), article ingest, health checks, the client
// configuration and the map page. Answers built from the store go through
// the response cache under a key that starts with the store's data version,
// so an ingest is visible to every reader the moment it returns.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/semaphore"

	"conflictmap/geo"
	"conflictmap/handlers/cache"
)

// Store is what the HTTP layer needs of an event store.
type Store interface {
	Ingest(ctx context.Context, a geo.Article, events []geo.Event) (geo.Article, error)
	Events(ctx context.Context, f geo.Filter) (geo.EventPage, error)
	Event(ctx context.Context, id string) (geo.Event, error)
	Stats(ctx context.Context, f geo.Filter) (geo.Stats, error)
	// Cells counts the matching events in the density grid at a zoom.
	Cells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, error)
	Article(ctx context.Context, id string) (geo.Article, error)
	Articles(ctx context.Context, limit, offset int) ([]geo.Article, int, error)
	Version(ctx context.Context) (int64, error)
	Ping(ctx context.Context) error
	// Extent bounds the stored events in space and time (OGC collections).
	Extent(ctx context.Context) (geo.Extent, error)
	// DeleteArticle removes an article and its events, bumping the data
	// version; it returns how many events went.
	DeleteArticle(ctx context.Context, id string) (int, error)
	// Reports lists the reports merged into an event, earliest first.
	Reports(ctx context.Context, eventID string) ([]geo.Event, error)
	// Changes lists the events written or removed after a data version
	// (the live stream); complete is false when the log no longer reaches
	// back to it.
	Changes(ctx context.Context, after int64, limit int) (changes []geo.Change, complete bool, err error)
}

// Extractor reads the events of an article, giving up with ctx's error
// once ctx is done.
type Extractor interface {
	ExtractContext(ctx context.Context, a geo.Article) ([]geo.Event, error)
}

// Cache answers a request from a cached body or from build.
type Cache interface {
	Respond(w http.ResponseWriter, r *http.Request, key string, build func(ctx context.Context) (cache.Body, error)) error
	State(ctx context.Context) cache.State
}

// DefaultMaxBody is the default limit on a posted article's size.
const DefaultMaxBody = 1 << 20

// DefaultExtractTimeout is the default time budget of one article's
// extraction.
const DefaultExtractTimeout = 30 * time.Second

// DefaultMaxExtractions is the default number of articles extracted at
// once: half the processors, at least one, so that reads keep the rest.
func DefaultMaxExtractions() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// Config is everything the handlers need; cmd/conflictmap fills it from
// flags and the environment.
type Config struct {
	Store     Store
	Extractor Extractor
	// Geoparser answers POST /api/geoparse; nil leaves the route out.
	Geoparser Geoparser
	// GeoparseTimeout bounds the wait for one geoparse; 0 means
	// DefaultGeoparseTimeout.
	GeoparseTimeout time.Duration
	Cache           Cache
	// Static is the map page (index.html at its root); nil serves no page.
	Static fs.FS
	// Token is the bearer token POST /api/articles requires; empty refuses
	// every ingest, so that a server is never open to writes by accident.
	Token string
	// MaxBody bounds a posted article in bytes; 0 means DefaultMaxBody.
	MaxBody int64
	// TileURL is the map's tile template; empty means no tiles (offline).
	TileURL          string
	TileAttribution  string
	ExtractorVersion string
	Logger           *slog.Logger
	// MaxExtractions bounds the articles extracted at once; an ingest past
	// it is refused with 503 and Retry-After. 0 means
	// DefaultMaxExtractions.
	MaxExtractions int
	// Extractions holds the MaxExtractions slots; the server's feed poller
	// takes them too, so that both together stay under the bound. nil: a
	// set of the handlers' own.
	Extractions *semaphore.Weighted
	// ExtractTimeout is one article's time budget for extraction; 0 means
	// DefaultExtractTimeout.
	ExtractTimeout time.Duration
	// Feeds answers /api/feeds; nil leaves the routes out.
	Feeds FeedStore
	// FeedInterval is the poll interval of feeds that have none of their
	// own, as /api/feeds shows it.
	FeedInterval time.Duration
	// Fetcher reads POST /api/articles's url when no text is posted; nil
	// requires the text.
	Fetcher Fetcher
	// StreamPoll is how often a live event stream looks for ingests by
	// other instances; 0 means DefaultStreamPoll. Ingests through this
	// server wake its streams at once.
	StreamPoll time.Duration
}

// Server serves conflictmap's HTTP API.
type Server struct {
	cfg     Config
	echo    *echo.Echo
	log     *slog.Logger
	streams *notifier
	assets  assetSet // the map page's files as served (static.go)

	taxonomyAnswer taxonomyBody
	// slots holds one unit per article being extracted (Config.Extractions).
	slots *semaphore.Weighted
	// drains holds one token per refused body being read and discarded.
	drains chan struct{}
	// csp is the Content-Security-Policy of the HTML pages.
	csp string
}

// New returns a server with every route registered.
func New(cfg Config) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.GeoparseTimeout <= 0 {
		cfg.GeoparseTimeout = DefaultGeoparseTimeout
	}
	if cfg.MaxExtractions <= 0 {
		cfg.MaxExtractions = DefaultMaxExtractions()
	}
	if cfg.ExtractTimeout <= 0 {
		cfg.ExtractTimeout = DefaultExtractTimeout
	}
	if cfg.Extractions == nil {
		cfg.Extractions = semaphore.NewWeighted(int64(cfg.MaxExtractions))
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	s := &Server{cfg: cfg, echo: e, log: cfg.Logger, slots: cfg.Extractions, drains: make(chan struct{}, maxDrains),
		streams: newNotifier()}
	s.csp = contentSecurityPolicy(cfg.TileURL)
	e.HTTPErrorHandler = s.handleError
	e.Use(s.logRequests, recoverPanics, s.commonHeaders)
	s.routes()
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.echo.ServeHTTP(w, r)
}

func (s *Server) routes() {
	e := s.echo
	get := func(path string, h echo.HandlerFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, h)
	}
	get("/healthz", s.healthz)
	get("/readyz", s.readyz)
	get("/api/config", s.config)
	get("/api/taxonomy", s.taxonomy)
	get("/api/events", s.listEvents)
	get("/api/events.csv", s.eventsCSV)
	get("/api/events/stream", s.liveEvents)
	get("/api/events/:id", s.getEvent)
	get("/api/events/:id/reports", s.getReports)
	get("/api/stats", s.stats)
	get("/api/clusters", s.clusters)
	get("/api/articles", s.listArticles)
	get("/api/articles/:id", s.getArticle)
	e.POST("/api/articles", s.postArticle)
	if s.cfg.Geoparser != nil {
		e.POST("/api/geoparse", s.postGeoparse)
	}
	e.DELETE("/api/articles/:id", s.deleteArticle)
	for _, p := range []string{"/api/events", "/api/events.csv", "/api/events/:id", "/api/stats", "/api/clusters", "/api/config"} {
		e.OPTIONS(p, apiPreflight)
	}
	if s.cfg.Feeds != nil {
		s.feedRoutes()
	}
	s.ogcRoutes()
	get("/", s.static)
	get("/*", s.static)
}

// statusOf maps each domain error code to its one HTTP status.
func statusOf(code string) int {
	switch code {
	case geo.EINVALID:
		return http.StatusBadRequest
	case geo.ENOTFOUND:
		return http.StatusNotFound
	case geo.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case geo.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// handleError answers every error as JSON {"error": "..."}. Domain errors
// carry a message meant for the client; anything else is a bug, logged here
// once with its detail while the client only learns "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		s.log.Error("error after the response started", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		return
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		// The client left before its answer: nothing failed here, and there
		// is nobody to answer.
		s.log.Debug("request abandoned: the client left", "method", c.Request().Method, "path", c.Request().URL.Path)
		c.Response().Status = statusClientClosed
		return
	}
	status, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		msg = fmt.Sprint(he.Message)
		if status == http.StatusNotFound {
			msg = "no such resource: " + c.Request().URL.Path
		}
		if status == http.StatusMethodNotAllowed {
			msg = fmt.Sprintf("method %s not allowed on %s", c.Request().Method, c.Request().URL.Path)
		}
	case geo.ErrorCode(err) != geo.EINTERNAL:
		status, msg = statusOf(geo.ErrorCode(err)), geo.ErrorMessage(err)
	}
	switch {
	case status == http.StatusServiceUnavailable:
		s.log.Warn("unavailable", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	case status >= 500:
		s.log.Error("internal error", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	h := c.Response().Header()
	h.Del("Content-Disposition")
	h.Del("Content-Encoding")
	h.Del("ETag")
	h.Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="conflictmap"`)
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, map[string]string{"error": msg})
	}
	if err != nil {
		s.log.Warn("writing an error response", "path", c.Request().URL.Path, "err", err)
	}
}

// logRequests writes one line per request with its status, duration and
// the cache's verdict (the X-Cache header the cache layer set).
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		res := c.Response()
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.Int("status", res.Status),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("bytes", res.Size),
		}
		if xc := res.Header().Get("X-Cache"); xc != "" {
			attrs = append(attrs, slog.String("cache", xc))
		}
		if q := c.Request().URL.RawQuery; q != "" {
			attrs = append(attrs, slog.String("query", redactQuery(q, s.cfg.Token)))
		}
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", attrs...)
		return nil
	}
}

// recoverPanics turns a handler's panic into an internal error, so that one
// bad request costs one 500 (logged with its stack) and not the process.
func recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return next(c)
	}
}

// commonHeaders marks every answer as what its Content-Type says (no
// sniffing) and lets web maps on other origins read the public GET API,
// with the headers a client needs to revalidate (ETag) and to see the
// cache's verdict. Writes stay same-origin: a cross-origin POST or DELETE
// carries an Authorization header, which needs a preflight this server
// never grants.
func (s *Server) commonHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Frame-Options", "DENY")
		if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", "ETag, X-Cache, X-Cache-Tier, Content-Disposition")
		}
		return next(c)
	}
}

// apiPreflight grants a web page on another origin the GET and HEAD of the
// public read routes, with the headers a reader sends (never
// Authorization: writes stay same-origin).
func apiPreflight(c echo.Context) error {
	hd := c.Response().Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	hd.Set("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Language, If-None-Match, If-Modified-Since, Cache-Control")
	hd.Set("Access-Control-Max-Age", "86400")
	hd.Set("Allow", "GET, HEAD, OPTIONS")
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz reports whether the store answers; the cache's state is reported
// but never fails the check, since a request still succeeds without it.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	body := map[string]any{"status": "ok", "store": "ok"}
	status := http.StatusOK
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.log.Warn("readiness: store does not answer", "err", err)
		status = http.StatusServiceUnavailable
		body["status"] = "unavailable"
		body["store"] = "not answering"
	}
	if s.cfg.Cache != nil {
		// State, not detail: the cache's error names its address, which
		// is the operator's business (it is in the log), not a visitor's.
		st := s.cfg.Cache.State(ctx)
		cs := map[string]any{"backend": st.Backend, "ok": st.OK, "state": "ok"}
		if !st.OK {
			cs["state"] = "not answering"
			s.log.Warn("readiness: cache does not answer", "backend", st.Backend, "err", st.Error)
		}
		body["cache"] = cs
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, body)
}

// config tells the page what it needs to draw the map.
func (s *Server) config(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{
		"tile_url":          s.cfg.TileURL,
		"tile_attribution":  s.cfg.TileAttribution,
		"max_limit":         geo.MaxLimit,
		"default_limit":     geo.DefaultLimit,
		"extractor_version": s.cfg.ExtractorVersion,
	})
}
