package postgis

import "iter"

// sums adds up values by packed keys for a tally, a batch at a time: the
// additions are gathered in a list (flushAt of them), sorted by key
// (radix) and run together, then merged into the sorted total. The
// tally's large groups (the word stats' 1.3 million on a million events,
// from 16.7 million additions) had been kept in maps, where each addition
// looked up a slot in a table of tens of MB: a cache miss each, 6.3 s of
// the tally's 10.5 s of CPU. Sorting a batch and merging it read and write
// memory in order: BenchmarkTally adds up a million events in 7.0-7.5 s
// instead of 10.9.
type sums[K ~uint64, V any] struct {
	// all is the total so far, sorted; batch the additions since, in the
	// order made. spare and old are the other halves of the radix sort's
	// and the merge's passes, kept for the next flush.
	all, batch, spare, old []keyed[K, V]
	add                    func(*V, V)
}

// flushAt is the additions a batch gathers before it is merged into the
// total: enough that a merge moves the total's entries seldom (a million
// events' word stats: 64 merges of up to 1.3 million entries), few enough
// that the batch and its sort's other half take a few MB.
const flushAt = 1 << 18

// keyed is a value with its packed key.
type keyed[K ~uint64, V any] struct {
	k K
	v V
}

func newSums[K ~uint64, V any](add func(*V, V)) *sums[K, V] {
	return &sums[K, V]{add: add}
}

func addInt[V int32 | int64](a *V, b V) { *a += b }

func addSums(a *cellSums, b cellSums) { a.add(b) }

// put adds v to k's value.
func (s *sums[K, V]) put(k K, v V) {
	s.batch = append(s.batch, keyed[K, V]{k, v})
	if len(s.batch) >= flushAt {
		s.flush()
	}
}

// flush adds up the batch into the total; the total is read after it.
func (s *sums[K, V]) flush() {
	if len(s.batch) == 0 {
		return
	}
	s.spare = grow(s.spare, len(s.batch))
	b := radixSort(s.batch, s.spare)
	// Runs of one key become one entry, in place.
	n := 0
	for i := range b {
		if n > 0 && b[n-1].k == b[i].k {
			s.add(&b[n-1].v, b[i].v)
			continue
		}
		b[n] = b[i]
		n++
	}
	b = b[:n]
	merged := s.old[:0]
	if n := len(s.all) + len(b); cap(merged) < n {
		merged = make([]keyed[K, V], 0, n+n/4)
	}
	i, j := 0, 0
	for i < len(s.all) && j < len(b) {
		switch a := s.all[i]; {
		case a.k < b[j].k:
			merged = append(merged, a)
			i++
		case a.k > b[j].k:
			merged = append(merged, b[j])
			j++
		default:
			s.add(&a.v, b[j].v)
			merged = append(merged, a)
			i++
			j++
		}
	}
	merged = append(merged, s.all[i:]...)
	s.all, s.old = append(merged, b[j:]...), s.all
	s.batch = s.batch[:0]
}

// size is the number of keys added up so far (after flush).
func (s *sums[K, V]) size() int { return len(s.all) }

// each yields the keys and their values in key order, after flush.
func (s *sums[K, V]) each() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for _, e := range s.all {
			if !yield(e.k, e.v) {
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
func radixSort[K ~uint64, V any](a, buf []keyed[K, V]) []keyed[K, V] {
	var or, and uint64 = 0, ^uint64(0)
	for _, e := range a {
		or |= uint64(e.k)
		and &= uint64(e.k)
	}
	varying := or ^ and
	buf = buf[:len(a)]
	for shift := 0; shift < 64; shift += 8 {
		if varying>>shift&0xff == 0 {
			continue
		}
		var start [256]int
		for _, e := range a {
			start[uint64(e.k)>>shift&0xff]++
		}
		pos := 0
		for d, c := range start {
			start[d] = pos
			pos += c
		}
		for _, e := range a {
			d := uint64(e.k) >> shift & 0xff
			buf[start[d]] = e
			start[d]++
		}
		a, buf = buf, a
	}
	return a
}
