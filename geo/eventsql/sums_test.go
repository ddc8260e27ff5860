package eventsql

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSums adds up more additions than a batch holds, over keys both
// repeated and new, with values that cancel, and compares every total with
// a map's.
func TestSums(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := NewSums[uint64](AddInt[int64])
	want := map[uint64]int64{}
	for i := range 3*sumsFlushAt + 12345 {
		// Few distinct keys at first, then mostly new ones, spread over
		// every byte of the key.
		k := r.Uint64() % 5000
		if i > sumsFlushAt {
			k = r.Uint64() >> r.IntN(40)
		}
		v := int64(r.IntN(7)) - 3
		s.Put(k, v)
		want[k] += v
	}
	s.Flush()
	if s.Len() != len(want) {
		t.Fatalf("%d keys, want %d", s.Len(), len(want))
	}
	var last uint64
	i := 0
	for k, v := range s.All() {
		if i > 0 && k <= last {
			t.Fatalf("key %d after %d: not in order", k, last)
		}
		if want[k] != v {
			t.Fatalf("key %d: %d, want %d", k, v, want[k])
		}
		last = k
		i++
	}
	if all := s.Take(); len(all) != len(want) || s.Len() != 0 {
		t.Errorf("Take: %d keys, and %d left; want %d and none", len(all), s.Len(), len(want))
	}
}

// TestSortedGroups sorts groups by fields (packed, and too wide to pack)
// and leaves out those whose value is zero.
func TestSortedGroups(t *testing.T) {
	type key struct{ a, b, c uint32 }
	r := rand.New(rand.NewPCG(3, 4))
	m := map[key]int{}
	for range 5000 {
		m[key{r.Uint32N(4), r.Uint32N(1000), r.Uint32()}] = r.IntN(3)
	}
	zero := func(v int) bool { return v == 0 }
	fieldA, fieldB, fieldC := func(k key) uint32 { return k.a }, func(k key) uint32 { return k.b }, func(k key) uint32 { return k.c }
	var nonzero []key
	for k, v := range m {
		if v != 0 {
			nonzero = append(nonzero, k)
		}
	}
	byFields := func(x, y key) int {
		for _, f := range []func(key) uint32{fieldB, fieldA, fieldC} {
			if f(x) != f(y) {
				if f(x) < f(y) {
					return -1
				}
				return 1
			}
		}
		return 0
	}
	slices.SortFunc(nonzero, byFields)
	for name, fields := range map[string][]func(key) uint32{
		"packed":   {fieldB, fieldA, fieldC},
		"too wide": {fieldB, fieldA, fieldC, fieldC, fieldC, fieldC},
	} {
		got := SortedGroups(maps.All(m), len(m), zero, fields...)
		if len(got) != len(nonzero) {
			t.Fatalf("%s: %d groups, want %d", name, len(got), len(nonzero))
		}
		for i, g := range got {
			if g.K != nonzero[i] || g.V != m[g.K] {
				t.Fatalf("%s: group %d is %v (%d), want %v", name, i, g.K, g.V, nonzero[i])
			}
		}
	}
}
