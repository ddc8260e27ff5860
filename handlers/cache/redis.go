package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// ErrUnavailable is returned, wrapping the failure that caused it, while the
// Redis backend rests after a failure instead of paying its timeout on every
// request.
var ErrUnavailable = errors.New("cache: redis unavailable")

// RedisOptions configures the Redis backend.
type RedisOptions struct {
	// URL is a redis://, rediss:// or unix:// URL as redis.ParseURL reads it:
	// redis://127.0.0.1:6379/3 selects database 3.
	URL string
	// Prefix goes before every key, so that several deployments or test runs
	// can share one server.
	Prefix string
	// Timeout bounds every command, dial included. Zero means 100 ms: a
	// slow cache must cost a request little more than no cache.
	Timeout time.Duration
	// TTL is how long an entry lives; entries of an old data version are
	// never asked for again and expire with it. Zero means one hour.
	TTL time.Duration
	// RetryAfter is how long the backend fails fast after a failure before
	// it tries Redis again. Zero means one second.
	RetryAfter time.Duration
	// Logger receives a line when Redis answers again after failing; nil
	// means slog.Default(). Failures themselves are logged by the Layer.
	Logger *slog.Logger
}

// Redis is the shared backend: every server instance on the same Redis sees
// the same entries.
type Redis struct {
	client     *redis.Client
	prefix     string
	timeout    time.Duration
	ttl        time.Duration
	retryAfter time.Duration
	logger     *slog.Logger

	// openUntil is zero while Redis answers; after a failure it holds the
	// time (UnixNano) before which calls fail fast.
	openUntil atomic.Int64

	mu              sync.Mutex
	lastErr         error
	lastRecoveryLog time.Time
}

// NewRedis returns a Redis backend. It does not connect: connections are made
// on use, so a server starts whether Redis is up or not.
func NewRedis(opts RedisOptions) (*Redis, error) {
	ro, err := redis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("cache: redis url: %w", err)
	}
	r := &Redis{prefix: opts.Prefix, timeout: opts.Timeout, ttl: opts.TTL, retryAfter: opts.RetryAfter, logger: opts.Logger}
	if r.timeout <= 0 {
		r.timeout = 100 * time.Millisecond
	}
	if r.ttl <= 0 {
		r.ttl = time.Hour
	}
	if r.retryAfter <= 0 {
		r.retryAfter = time.Second
	}
	if r.logger == nil {
		r.logger = slog.Default()
	}
	// Socket timeouts follow Timeout unless the URL set its own; retries are
	// off because a retried command would overrun Timeout anyway.
	if ro.DialTimeout == 0 {
		ro.DialTimeout = r.timeout
	}
	if ro.ReadTimeout == 0 {
		ro.ReadTimeout = r.timeout
	}
	if ro.WriteTimeout == 0 {
		ro.WriteTimeout = r.timeout
	}
	if ro.PoolTimeout == 0 {
		ro.PoolTimeout = r.timeout
	}
	ro.ContextTimeoutEnabled = true
	ro.MaxRetries = -1
	ro.DialerRetries = 1
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	r.client = redis.NewClient(ro)
	return r, nil
}

// Name returns "redis".
func (r *Redis) Name() string { return "redis" }

// Close closes the connections to Redis.
func (r *Redis) Close() error { return r.client.Close() }

// Get returns the value under key; a missing key is a miss, not an error.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := r.allow(); err != nil {
		return nil, false, err
	}
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	val, err := r.client.Get(cctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		r.succeeded()
		return nil, false, nil
	}
	if err != nil {
		r.failed(ctx, err)
		return nil, false, fmt.Errorf("cache: redis get: %w", err)
	}
	r.succeeded()
	return val, true, nil
}

// Set stores val under key for the backend's TTL.
func (r *Redis) Set(ctx context.Context, key string, val []byte) error {
	if err := r.allow(); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.client.Set(cctx, r.prefix+key, val, r.ttl).Err(); err != nil {
		r.failed(ctx, err)
		return fmt.Errorf("cache: redis set: %w", err)
	}
	r.succeeded()
	return nil
}

// Ping asks Redis whether it answers, even while the backend fails fast, so
// that /readyz reports the state of Redis now.
func (r *Redis) Ping(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.client.Ping(cctx).Err(); err != nil {
		r.failed(ctx, err)
		return fmt.Errorf("cache: redis ping: %w", err)
	}
	r.succeeded()
	return nil
}

// allow lets a call through while Redis answers; after a failure it fails
// fast until RetryAfter has passed, then lets exactly one call try Redis.
func (r *Redis) allow() error {
	until := r.openUntil.Load()
	if until == 0 {
		return nil
	}
	now := time.Now().UnixNano()
	if now >= until && r.openUntil.CompareAndSwap(until, now+int64(r.retryAfter)) {
		return nil
	}
	r.mu.Lock()
	last := r.lastErr
	r.mu.Unlock()
	return fmt.Errorf("%w: %w", ErrUnavailable, last)
}

// failed starts a rest after a failure of Redis itself: neither an error
// reply (Redis answered) nor the caller giving up counts.
func (r *Redis) failed(ctx context.Context, err error) {
	var reply redis.Error
	if ctx.Err() != nil || errors.As(err, &reply) {
		return
	}
	r.mu.Lock()
	r.lastErr = err
	r.mu.Unlock()
	r.openUntil.Store(time.Now().UnixNano() + int64(r.retryAfter))
}

func (r *Redis) succeeded() {
	if r.openUntil.Load() == 0 || r.openUntil.Swap(0) == 0 {
		return
	}
	r.mu.Lock()
	now := time.Now()
	quiet := now.Sub(r.lastRecoveryLog) < time.Minute
	if !quiet {
		r.lastRecoveryLog = now
	}
	r.mu.Unlock()
	if !quiet {
		r.logger.Info("redis cache answers again")
	}
}

// LibraryLog carries go-redis's own log lines (one per failed dial, for
// instance) into slog at debug level, so that a Redis outage is told by the
// Layer's warning, at most once a minute, rather than by a line on stderr at
// every retry. go-redis has one logger per process, so main installs it:
// redis.SetLogger(cache.LibraryLog{Logger: logger}).
type LibraryLog struct {
	Logger *slog.Logger
}

// Printf logs one go-redis line at debug level.
func (l LibraryLog) Printf(ctx context.Context, format string, v ...any) {
	l.Logger.DebugContext(ctx, strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "), "source", "go-redis")
}
