package cache

import (
	"container/list"
	"context"
	"sync"
)

// Memory is the in-process backend: least recently used entries are evicted
// so that keys and values together never hold more than a fixed number of
// bytes. It serves one process only; several instances share Redis instead.
type Memory struct {
	maxBytes int64

	mu    sync.Mutex
	bytes int64
	order *list.List // front is the most recently used
	items map[string]*list.Element
}

type memoryItem struct {
	key string
	val []byte
}

// NewMemory returns an in-process backend holding at most maxBytes of keys
// and values. A value too large to fit at all is not stored.
func NewMemory(maxBytes int64) *Memory {
	return &Memory{maxBytes: maxBytes, order: list.New(), items: make(map[string]*list.Element)}
}

// Name returns "memory".
func (m *Memory) Name() string { return "memory" }

// Get returns the value under key and marks it recently used. The caller
// must not modify the returned slice: it is the stored one.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		return nil, false, nil
	}
	m.order.MoveToFront(el)
	return el.Value.(*memoryItem).val, true, nil
}

// Set stores val under key, evicting the least recently used entries until
// it fits. The backend keeps val itself, so the caller must not modify it
// afterwards.
func (m *Memory) Set(_ context.Context, key string, val []byte) error {
	size := int64(len(key) + len(val))
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	if size > m.maxBytes {
		return nil
	}
	for m.bytes+size > m.maxBytes {
		m.remove(m.order.Back())
	}
	m.items[key] = m.order.PushFront(&memoryItem{key: key, val: val})
	m.bytes += size
	return nil
}

func (m *Memory) remove(el *list.Element) {
	it := m.order.Remove(el).(*memoryItem)
	delete(m.items, it.key)
	m.bytes -= int64(len(it.key) + len(it.val))
}

// Size returns the bytes of keys and values held now.
func (m *Memory) Size() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}

// Len returns the number of entries held now.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
