package eventsql

import (
	"cmp"
	"iter"
	"math/bits"
	"slices"
)

// Sums adds up values by packed keys for a bulk import's tally, a batch at
// a time: the additions are gathered in a list (sumsFlushAt of them),
// sorted by key (radix) and run together, then merged into the sorted
// total. Kept in maps, the tally's large groups (the word stats' 1.3
// million on a million events, from 16.7 million additions) each looked
// up a slot in a table of tens of MB: a cache miss each, 6.3 s of the
// PostGIS tally's 10.5 s of CPU. Sorting a batch and merging it read and
// write memory in order: that tally (BenchmarkTally) added up a million
// events in 7.0-7.5 s instead of 10.9.
type Sums[K ~uint64, V any] struct {
	// all is the total so far, sorted; batch the additions since, in the
	// order made; spare the other half of the radix sort's passes.
	all, batch, spare []Keyed[K, V]
	add               func(*V, V)
}

// sumsFlushAt is the additions a batch gathers before it is merged into
// the total: enough that a merge moves the total's entries seldom (a
// million events' word stats: 64 merges of up to 1.3 million entries),
// few enough that the batch and its sort's other half take a few MB.
const sumsFlushAt = 1 << 18

// Keyed is a value with its key: a packed key of Sums, a group of a kept
// table.
type Keyed[K, V any] struct {
	K K
	V V
}

// NewSums returns empty sums whose values add up by add.
func NewSums[K ~uint64, V any](add func(*V, V)) *Sums[K, V] {
	return &Sums[K, V]{add: add}
}

// AddInt adds integers, for NewSums.
func AddInt[V int | int32 | int64](a *V, b V) { *a += b }

// Put adds v to k's value.
func (s *Sums[K, V]) Put(k K, v V) {
	s.batch = append(s.batch, Keyed[K, V]{k, v})
	if len(s.batch) >= sumsFlushAt {
		s.Flush()
	}
}

// Flush adds up the batch into the total; the total is read after it.
func (s *Sums[K, V]) Flush() {
	if len(s.batch) == 0 {
		return
	}
	s.spare = grow(s.spare, len(s.batch))
	b := radixSort(s.batch, s.spare)
	// Runs of one key become one entry, in place.
	n := 0
	for i := range b {
		if n > 0 && b[n-1].K == b[i].K {
			s.add(&b[n-1].V, b[i].V)
			continue
		}
		b[n] = b[i]
		n++
	}
	s.all = mergeInto(s.all, b[:n], s.add)
	s.batch = s.batch[:0]
}

// mergeInto merges the sorted, distinct b into the sorted, distinct all,
// adding up the values of keys in both, and returns the total. It merges
// from the back into all's own array, grown by a quarter when b does not
// fit, so that the total is not held twice: in a second array, a million
// events' tally of SQLite held 100 MB more at its peak.
func mergeInto[K ~uint64, V any](all, b []Keyed[K, V], add func(*V, V)) []Keyed[K, V] {
	// The keys of b not in all take new places.
	fresh := len(b)
	for i, j := 0, 0; i < len(all) && j < len(b); {
		switch c := cmp.Compare(all[i].K, b[j].K); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			fresh--
			i++
			j++
		}
	}
	n := len(all) + fresh
	if cap(all) < n {
		all = slices.Grow(all, n-len(all)+n/4)
	}
	i, j := len(all)-1, len(b)-1
	all = all[:n]
	for w := n - 1; j >= 0; w-- {
		switch {
		case i >= 0 && all[i].K > b[j].K:
			all[w] = all[i]
			i--
		case i >= 0 && all[i].K == b[j].K:
			v := all[i].V
			add(&v, b[j].V)
			all[w] = Keyed[K, V]{all[i].K, v}
			i--
			j--
		default:
			all[w] = b[j]
			j--
		}
	}
	return all
}

// Take flushes the sums and returns their total, sorted by key; the sums
// are empty after it and hold no memory, so that a tally can sort a
// table's groups in the total's own array (SortGroups) once its additions
// are done.
func (s *Sums[K, V]) Take() []Keyed[K, V] {
	s.Flush()
	all := s.all
	s.all, s.batch, s.spare = nil, nil, nil
	return all
}

// Len is the number of keys added up so far (after Flush).
func (s *Sums[K, V]) Len() int { return len(s.all) }

// All yields the keys and their values in key order, after Flush.
func (s *Sums[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for _, e := range s.all {
			if !yield(e.K, e.V) {
				return
			}
		}
	}
}

// grow returns s with a length of at least n.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// radixSort sorts a by key, a byte of the key at a time (least
// significant first), using buf (as long as a) as the other half of each
// pass, and returns whichever of the two holds the result. Bytes in which
// every key is the same are skipped.
func radixSort[K ~uint64, V any](a, buf []Keyed[K, V]) []Keyed[K, V] {
	var or, and uint64 = 0, ^uint64(0)
	for _, e := range a {
		or |= uint64(e.K)
		and &= uint64(e.K)
	}
	varying := or ^ and
	buf = buf[:len(a)]
	for shift := 0; shift < 64; shift += 8 {
		if varying>>shift&0xff == 0 {
			continue
		}
		var start [256]int
		for _, e := range a {
			start[uint64(e.K)>>shift&0xff]++
		}
		pos := 0
		for d, c := range start {
			start[d] = pos
			pos += c
		}
		for _, e := range a {
			d := uint64(e.K) >> shift & 0xff
			buf[start[d]] = e
			start[d]++
		}
		a, buf = buf, a
	}
	return a
}

// BoolField is a bool as a sort key (a field of SortGroups): false (0)
// before true (1), as the kept tables order their fields.
func BoolField(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// SortedGroups returns the groups of m (n of them) whose value is not
// zero, sorted by fields as SortGroups sorts them.
func SortedGroups[K, V any](m iter.Seq2[K, V], n int, zero func(V) bool, fields ...func(K) uint32) []Keyed[K, V] {
	out := make([]Keyed[K, V], 0, n)
	for k, v := range m {
		out = append(out, Keyed[K, V]{k, v})
	}
	return SortGroups(out, zero, fields...)
}

// SortGroups leaves out the groups whose value is zero and sorts the rest
// by fields, the first the most significant, in groups' own array: the
// order of a kept table's primary key, so that each row is written where
// the one before it went. Each group's fields are packed once into a key
// of 128 bits (each field as wide as its largest value needs) that sorts
// cheaply. Comparing the fields anew in each comparison (through the
// interned strings' ranks), the PostGIS tally (BenchmarkTally) made a
// million events' kept rows in 3.9 s instead of 2.8, beside the index
// builds. Fields too wide to pack together are compared one by one.
func SortGroups[K, V any](groups []Keyed[K, V], zero func(V) bool, fields ...func(K) uint32) []Keyed[K, V] {
	out := groups[:0]
	for _, g := range groups {
		if !zero(g.V) {
			out = append(out, g)
		}
	}
	// Each field is packed as its distance from its least value.
	widths := make([]int, len(fields))
	least := make([]uint32, len(fields))
	total := 0
	for f, field := range fields {
		lo, hi := ^uint32(0), uint32(0)
		for _, g := range out {
			v := field(g.K)
			lo, hi = min(lo, v), max(hi, v)
		}
		if len(out) > 0 {
			least[f], widths[f] = lo, bits.Len32(hi-lo)
		}
		total += widths[f]
	}
	if total > 128 {
		slices.SortFunc(out, func(a, b Keyed[K, V]) int {
			for _, field := range fields {
				if c := cmp.Compare(field(a.K), field(b.K)); c != 0 {
					return c
				}
			}
			return 0
		})
		return out
	}
	type packed struct {
		hi, lo uint64
		i      int
	}
	keys := make([]packed, len(out))
	for i, g := range out {
		var hi, lo uint64
		for f, field := range fields {
			w := widths[f]
			hi = hi<<w | lo>>(64-w)
			lo = lo<<w | uint64(field(g.K)-least[f])
		}
		keys[i] = packed{hi, lo, i}
	}
	slices.SortFunc(keys, func(a, b packed) int { return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo)) })
	// The groups are put in order in place, one cycle of the permutation
	// at a time (position j takes the group at keys[j].i), so that the
	// largest tables are not held twice.
	for start := range keys {
		if keys[start].i < 0 {
			continue
		}
		g := out[start]
		j := start
		for {
			from := keys[j].i
			keys[j].i = -1
			if from == start {
				out[j] = g
				break
			}
			out[j] = out[from]
			j = from
		}
	}
	return out
}
