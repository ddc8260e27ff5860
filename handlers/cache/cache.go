// Package cache is the response cache in front of the event store: Redis
// when configured (shared by every server instance), a bounded in-process
// cache otherwise. Bodies are stored gzip-compressed; a failing backend is
// bypassed, never turned into an error for the client.
//
// In front of Redis a layer may keep a bounded in-process copy of the
// entries it recently read or wrote (Options.Near), so that a repeated
// answer costs no Redis round trip. Keys carry the store's data version and
// an entry never changes once written, so such a copy is never stale; Redis
// stays the tier every instance shares.
//
// The package speaks plain net/http so that it needs no web framework. After
// Respond returns, the answer's cache state is in the response's X-Cache
// header (HeaderCache: "hit", "miss" or "bypass"); a request logger reads it
// from the response headers once the handler has run. With a near cache, a
// hit also says which tier answered in X-Cache-Tier (HeaderCacheTier).
package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/singleflight"
)

// HeaderCache is the response header that tells how an answer was produced.
const HeaderCache = "X-Cache"

// Values of HeaderCache.
const (
	// Hit means the answer came from the backend.
	Hit = "hit"
	// Miss means the answer was built now and stored.
	Miss = "miss"
	// Bypass means the backend failed (on get or set) and the answer was
	// built without it.
	Bypass = "bypass"
)

// HeaderCacheTier is the response header that tells, on a hit of a layer
// with a near cache, which tier answered: TierNear, or the backend's Name()
// ("redis"). It is for diagnosis; X-Cache says "hit" either way.
const HeaderCacheTier = "X-Cache-Tier"

// TierNear is HeaderCacheTier's value for a hit from the near cache.
const TierNear = "near"

// Backend stores compressed bodies by key. A miss is not an error.
type Backend interface {
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	Set(ctx context.Context, key string, val []byte) error
	// Name says which backend this is ("redis", "memory"), for logs and /readyz.
	Name() string
}

// pinger is what State asks of a backend that can check its own health; a
// backend without it (the in-process one) is always reported healthy.
type pinger interface {
	Ping(ctx context.Context) error
}

// Body is one built answer, before compression.
type Body struct {
	ContentType string
	Data        []byte
}

// Options tunes a Layer. The zero value is usable.
type Options struct {
	// Logger receives the warning about a failing backend; nil means
	// slog.Default().
	Logger *slog.Logger
	// WarnInterval is the least time between two warnings about a failing
	// backend, so that an outage logs a line a minute rather than one per
	// request. Zero means one minute.
	WarnInterval time.Duration
	// InflatedBytes bounds an in-process copy of recently served bodies in
	// their uncompressed form, for clients that do not accept gzip: without
	// it every such hit inflates the stored body again. Zero means 32 MiB;
	// a negative value keeps none.
	InflatedBytes int64
	// Near, when set, keeps an in-process copy of the entries this layer
	// reads from or writes to the backend, consulted before the backend:
	// meant for a shared, remote backend (Redis), where it saves a round
	// trip per hit. Its bound is the copy's size in bytes. Nil: every hit is
	// read from the backend.
	Near *Memory
}

// Layer serves cached answers over HTTP: ETag per encoding, 304 on
// If-None-Match, gzip to clients that accept it, X-Cache hit/miss/bypass,
// and one build for concurrent misses on one key.
type Layer struct {
	backend      Backend
	logger       *slog.Logger
	warnInterval time.Duration
	flights      singleflight.Group
	// inflaters keeps gzip readers between identity hits: each holds tens
	// of kilobytes of state that would otherwise be allocated per request.
	inflaters sync.Pool
	// deflaters keeps gzip writers between misses, for the same reason
	// (a writer's state is most of a megabyte), and flaters the raw
	// deflate writers of bodies compressed in halves.
	deflaters sync.Pool
	flaters   sync.Pool
	// inflated holds, per key, the body hash followed by the uncompressed
	// body; nil when Options.InflatedBytes is negative.
	inflated *Memory
	// near holds stored entries as the backend holds them; nil when
	// Options.Near is nil.
	near *Memory

	mu         sync.Mutex
	lastWarn   time.Time
	suppressed int
}

// New returns a layer over backend.
func New(backend Backend, opts Options) *Layer {
	l := &Layer{backend: backend, logger: opts.Logger, warnInterval: opts.WarnInterval, near: opts.Near}
	if l.logger == nil {
		l.logger = slog.Default()
	}
	if l.warnInterval <= 0 {
		l.warnInterval = time.Minute
	}
	switch {
	case opts.InflatedBytes == 0:
		l.inflated = NewMemory(32 << 20)
	case opts.InflatedBytes > 0:
		l.inflated = NewMemory(opts.InflatedBytes)
	}
	return l
}

// State is the cache's health as /readyz reports it.
type State struct {
	Backend string `json:"backend"`
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
}

// State reports whether the backend answers now. It is a report, not a
// readiness condition: the server serves without its cache.
func (l *Layer) State(ctx context.Context) State {
	s := State{Backend: l.backend.Name(), OK: true}
	if p, ok := l.backend.(pinger); ok {
		if err := p.Ping(ctx); err != nil {
			s.OK = false
			s.Error = err.Error()
		}
	}
	return s
}

// entry is one stored answer: its content type, a hash of the uncompressed
// body (the ETag's root), the uncompressed size (so that inflating
// allocates once) and the gzip-compressed body.
type entry struct {
	contentType string
	size        int // of the uncompressed body
	sum         [16]byte
	gz          []byte
	plain       []byte // the uncompressed body, set only on the entry just built
	raw         []byte // the stored form, set only on the entry just built
}

// entryFormat heads every stored value so that a layout change reads as a miss
// rather than as garbage.
const entryFormat = 2

var errBadEntry = errors.New("cache: malformed entry")

// header is the stored form's head, in a slice with room for spare more
// bytes: the compressed body follows it.
func (e *entry) header(spare int) []byte {
	buf := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(e.contentType)+len(e.sum)+spare)
	buf = append(buf, entryFormat)
	buf = binary.AppendUvarint(buf, uint64(len(e.contentType)))
	buf = append(buf, e.contentType...)
	buf = binary.AppendUvarint(buf, uint64(e.size))
	return append(buf, e.sum[:]...)
}

func unmarshalEntry(b []byte) (*entry, error) {
	if len(b) < 1 || b[0] != entryFormat {
		return nil, errBadEntry
	}
	b = b[1:]
	n, w := binary.Uvarint(b)
	if w <= 0 || uint64(len(b)-w) < n+16 {
		return nil, errBadEntry
	}
	b = b[w:]
	e := &entry{contentType: string(b[:n])}
	b = b[n:]
	size, w := binary.Uvarint(b)
	if w <= 0 || len(b)-w < 16 {
		return nil, errBadEntry
	}
	b = b[w:]
	copy(e.sum[:], b[:16])
	e.gz = b[16:]
	// Deflate cannot expand more than about 1032 to 1: a larger size is
	// damage, and must not become a huge allocation.
	if size > 1032*uint64(len(e.gz))+1024 {
		return nil, errBadEntry
	}
	e.size = int(size)
	return e, nil
}

// deflateLevel is the compression level of stored bodies. A miss
// compresses its whole answer before the first byte leaves, so the level is
// paid on every cold request: for a page of 1,000 events (1 MB of GeoJSON)
// level 5 of this encoder takes about a quarter of the time of the standard
// library's default level, for a body about a seventh larger.
const deflateLevel = 5

// newEntry compresses a built body straight after the stored header, so
// that storing it needs no further copy.
func (l *Layer) newEntry(body Body) (*entry, error) {
	// The hash is taken on another core while this one compresses (a page
	// of 10,000 events: 10 ms of each), and written into the header after.
	sums := make(chan [sha256.Size]byte, 1)
	go func() { sums <- sha256.Sum256(body.Data) }()
	e := &entry{contentType: body.ContentType, size: len(body.Data), plain: body.Data}
	buf := bytes.NewBuffer(e.header(len(body.Data)/4 + 64))
	head := buf.Len()
	err := l.compress(buf, body.Data)
	sum := <-sums
	if err != nil {
		return nil, err
	}
	copy(e.sum[:], sum[:16])
	e.raw = buf.Bytes()
	copy(e.raw[head-len(e.sum):head], e.sum[:])
	// The buffer was sized for a poor compression ratio; GeoJSON compresses
	// about tenfold, so the spare room can be several times the stored bytes.
	// In-process caches count stored bytes against their bound, so they are
	// given an exact copy rather than the buffer with its slack.
	if cap(e.raw)-len(e.raw) > len(e.raw)/8 {
		e.raw = bytes.Clone(e.raw)
	}
	e.gz = e.raw[head:]
	return e, nil
}

// halvesFrom is the body size from which compress deflates a body's two
// halves on two cores: a page of 1,000 events is about 1 MB of GeoJSON,
// and compressing it took 4.4 ms of one core's time at deflateLevel.
const halvesFrom = 256 << 10

// gzipHeader is the fixed header of the gzip members compress writes in
// halves: deflate, no flags, name or time, from an unknown system.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// compress appends data to buf as one gzip member. A large body's halves
// are deflated on two cores at once, as pigz does: the first half ends in
// a sync flush (byte-aligned, not the last block) and the second is
// deflated with the first's last 32 KiB as its dictionary, so that the
// two streams joined are one deflate stream that compresses as well.
func (l *Layer) compress(buf *bytes.Buffer, data []byte) error {
	if len(data) < halvesFrom {
		zw, _ := l.deflaters.Get().(*gzip.Writer)
		if zw == nil {
			zw, _ = gzip.NewWriterLevel(buf, deflateLevel)
		} else {
			zw.Reset(buf)
		}
		defer l.deflaters.Put(zw)
		if _, err := zw.Write(data); err != nil {
			return err
		}
		return zw.Close()
	}
	half := len(data) / 2
	var second bytes.Buffer
	second.Grow(half/4 + 64)
	done := make(chan error, 1)
	go func() {
		zw := l.flater()
		defer l.flaters.Put(zw)
		zw.ResetDict(&second, data[max(0, half-32<<10):half])
		_, err := zw.Write(data[half:])
		if err == nil {
			err = zw.Close()
		}
		done <- err
	}()
	buf.Write(gzipHeader)
	zw := l.flater()
	defer l.flaters.Put(zw)
	zw.ResetDict(buf, nil)
	_, err := zw.Write(data[:half])
	if err == nil {
		err = zw.Flush()
	}
	sum := crc32.ChecksumIEEE(data)
	if serr := <-done; err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	buf.Write(second.Bytes())
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], sum)
	binary.LittleEndian.PutUint32(tail[4:], uint32(len(data)))
	buf.Write(tail[:])
	return nil
}

// flater returns a raw deflate writer from the pool, or a new one; its
// user sets its output and dictionary (ResetDict) before writing.
func (l *Layer) flater() *flate.Writer {
	if zw, ok := l.flaters.Get().(*flate.Writer); ok {
		return zw
	}
	zw, _ := flate.NewWriter(nil, deflateLevel)
	return zw
}

// inflate returns the uncompressed body of a stored entry, checked against
// its recorded size and gzip's own checksum.
func (e *entry) inflate(readers *sync.Pool, out []byte) error {
	src := bytes.NewReader(e.gz)
	zr, _ := readers.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(src)
	} else {
		err = zr.Reset(src)
	}
	if err != nil {
		return err
	}
	defer readers.Put(zr)
	if _, err := io.ReadFull(zr, out); err != nil {
		return err
	}
	// Reading one byte more reaches the end of the stream, where gzip
	// checks its CRC; anything but EOF there means damage.
	var one [1]byte
	if n, err := zr.Read(one[:]); n != 0 || err != io.EOF {
		return errBadEntry
	}
	return nil
}

// etag is strong and differs per encoding, because the bytes differ.
func (e *entry) etag(gzipped bool) string {
	tag := base64.RawURLEncoding.EncodeToString(e.sum[:])
	if gzipped {
		return `"` + tag + `-gzip"`
	}
	return `"` + tag + `"`
}

// flight is what one build shares with the requests that waited for it.
type flight struct {
	entry *entry
	state string // Miss, or Bypass when the set failed or was not tried
}

// Respond answers r from the cache under key, or from build on a miss (and
// stores the result). key must already carry the store's data version.
//
// A build error is returned as is, nothing written, and nothing cached, so
// the caller answers it (concurrent requests waiting on the same build get
// the same error). Respond also returns the request context's error when
// the client leaves while waiting. Once headers are written it returns nil.
func (l *Layer) Respond(w http.ResponseWriter, r *http.Request, key string, build func(ctx context.Context) (Body, error)) error {
	ctx := r.Context()
	gzipped := acceptsGzip(r.Header.Get("Accept-Encoding"))
	var (
		e     *entry
		body  []byte
		state string
		tier  string
	)
	if l.near != nil {
		if val, ok, _ := l.near.Get(ctx, key); ok { // Memory never fails
			// The near copy decoded when it was kept; should it not now,
			// the backend is asked as if it were absent.
			if e, body, _ = l.hitBody(key, val, gzipped); e != nil {
				state, tier = Hit, TierNear
			}
		}
	}
	if e == nil {
		val, ok, err := l.backend.Get(ctx, key)
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			l.warn("get", err)
			state = Bypass
		case ok:
			e, body, err = l.hitBody(key, val, gzipped)
			if err != nil {
				// A value that does not decode is rebuilt and overwritten.
				l.warn("get", fmt.Errorf("key %q: %w", key, err))
				e = nil
			} else {
				state = Hit
				if l.near != nil {
					tier = l.backend.Name()
					_ = l.near.Set(ctx, key, val) // Memory never fails
				}
			}
		}
	}
	if e == nil {
		f, err := l.build(ctx, key, state != Bypass, build)
		if err != nil {
			return err
		}
		e, state = f.entry, f.state
		body = e.plain
		if gzipped {
			body = e.gz
		}
	}
	l.write(w, r, e, gzipped, body, state, tier)
	return nil
}

// hitBody decodes a stored value and the body to send in the client's
// encoding.
func (l *Layer) hitBody(key string, val []byte, gzipped bool) (*entry, []byte, error) {
	e, err := unmarshalEntry(val)
	if err != nil {
		return nil, nil, err
	}
	if gzipped {
		return e, e.gz, nil
	}
	plain, err := l.identity(key, e)
	if err != nil {
		return nil, nil, err
	}
	return e, plain, nil
}

// identity returns the uncompressed body of a stored entry: from the
// in-process copy when it holds this very body, else inflated (and kept).
func (l *Layer) identity(key string, e *entry) ([]byte, error) {
	if l.inflated != nil {
		if v, ok, _ := l.inflated.Get(context.Background(), key); ok && bytes.Equal(v[:len(e.sum)], e.sum[:]) {
			return v[len(e.sum):], nil
		}
	}
	buf := make([]byte, len(e.sum)+e.size)
	copy(buf, e.sum[:])
	if err := e.inflate(&l.inflaters, buf[len(e.sum):]); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadEntry, err)
	}
	if l.inflated != nil {
		_ = l.inflated.Set(context.Background(), key, buf) // Memory never fails
	}
	return buf[len(e.sum):], nil
}

// build runs build once for all concurrent requests on key, compresses its
// body and, when store is set, stores it. The build runs detached from the
// first caller's cancellation so that a client leaving does not fail the
// others waiting on the same flight.
func (l *Layer) build(ctx context.Context, key string, store bool, build func(ctx context.Context) (Body, error)) (flight, error) {
	flightKey := "s:" + key
	if !store {
		flightKey = "b:" + key
	}
	ch := l.flights.DoChan(flightKey, func() (any, error) {
		bctx := context.WithoutCancel(ctx)
		body, err := build(bctx)
		if err != nil {
			return nil, err
		}
		e, err := l.newEntry(body)
		if err != nil {
			return nil, fmt.Errorf("cache: compress: %w", err)
		}
		if !store {
			return flight{entry: e, state: Bypass}, nil
		}
		if err := l.backend.Set(bctx, key, e.raw); err != nil {
			l.warn("set", err)
			return flight{entry: e, state: Bypass}, nil
		}
		// Only what the backend holds is kept near, so that the near copy
		// is a copy of the shared tier and never an answer of its own.
		if l.near != nil {
			_ = l.near.Set(bctx, key, e.raw) // Memory never fails
		}
		return flight{entry: e, state: Miss}, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return flight{}, res.Err
		}
		return res.Val.(flight), nil
	case <-ctx.Done():
		return flight{}, ctx.Err()
	}
}

// warn logs a backend failure at most once per warnInterval, with the count
// of failures left unlogged since the previous line.
func (l *Layer) warn(op string, err error) {
	l.mu.Lock()
	now := time.Now()
	if !l.lastWarn.IsZero() && now.Sub(l.lastWarn) < l.warnInterval {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	suppressed := l.suppressed
	l.lastWarn, l.suppressed = now, 0
	l.mu.Unlock()
	l.logger.Warn("cache backend failed; answering without it",
		"backend", l.backend.Name(), "op", op, "err", err,
		"unlogged_failures", suppressed, "next_warning_after", l.warnInterval.String())
}

// write sends an answer; tier, when not empty, is the hit's HeaderCacheTier.
func (l *Layer) write(w http.ResponseWriter, r *http.Request, e *entry, gzipped bool, body []byte, state, tier string) {
	tag := e.etag(gzipped)
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	h.Set("ETag", tag)
	h.Set(HeaderCache, state)
	if tier != "" {
		h.Set(HeaderCacheTier, tier)
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && noneMatch(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gzipped {
		h.Set("Content-Encoding", "gzip")
	}
	if e.contentType != "" {
		h.Set("Content-Type", e.contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // a client gone mid-body is not ours to report
	}
}

// acceptsGzip reads an Accept-Encoding header: gzip (or x-gzip, or *) with a
// non-zero quality.
func acceptsGzip(header string) bool {
	star := false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(p, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if name == "*" {
			star = q > 0
			continue
		}
		return q > 0
	}
	return star
}

// noneMatch reports whether an If-None-Match header matches tag. The
// comparison is weak (RFC 9110 13.1.2): W/"x" matches "x".
func noneMatch(header, tag string) bool {
	header = strings.TrimSpace(header)
	if header == "" {
		return false
	}
	if header == "*" {
		return true
	}
	tag = strings.TrimPrefix(tag, "W/")
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag {
			return true
		}
	}
	return false
}

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip, for
// handlers that stream an answer past the cache.
func AcceptsGzip(header string) bool { return acceptsGzip(header) }
