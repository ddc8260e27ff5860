package postgis

import (
	"fmt"
	"testing"
)

// SetWalkAt sets the query planning threshold of s (walkAt), so that the
// store suite can hold every plan to the model.
func SetWalkAt(s *Store, walkAt int) { s.walkAt = walkAt }

// SetWordWalkAt sets the threshold of word walks of s (wordWalkAt), so that
// the store suite holds them to the model.
func SetWordWalkAt(s *Store, wordWalkAt int) { s.wordWalkAt = wordWalkAt }

// SetDateWalkAt sets the threshold of the date walks of the stats of words
// with a box (dateWalkAt): a large one makes them all walk.
func SetDateWalkAt(s *Store, dateWalkAt int) { s.dateWalkAt = dateWalkAt }

// SetBoxWalkAt sets the threshold of the box walks of the density cells of
// words (boxWalkAt): a large one makes every such filter walk, 0 none.
func SetBoxWalkAt(s *Store, at int) { s.boxWalkAt = at }

// SetChangeLog sets the bounds of s's change log (logKeep, logBatch), so
// that a test sees it pruned after a few ingests.
func SetChangeLog(s *Store, keep, batch int) { s.logKeep, s.logBatch = keep, batch }

// SetSwapFrom sets when a bulk import of s builds a new events table
// (swapFrom), so that tests hold both ways to the same counts.
func SetSwapFrom(s *Store, from int) { s.swapFrom = from }

// SetDenseBoxRatio sets the query planning threshold of s (denseBoxRatio):
// 0 makes every box dense, so that the edge days of dates test it row by
// row.
func SetDenseBoxRatio(s *Store, ratio float64) { s.denseBoxRatio = ratio }

// SetSparseBoxRatio sets the query planning threshold of s
// (sparseBoxRatio): 0 makes the box of every strip along a box's edges
// sparse, so that its dates are tested row by row.
func SetSparseBoxRatio(s *Store, ratio float64) { s.sparseBoxRatio = ratio }

// SetSubTypeBoxRatio sets the query planning threshold of s
// (subTypeBoxRatio): a large ratio makes every filter by sub-event types
// with a box read the types' entries.
func SetSubTypeBoxRatio(s *Store, ratio float64) { s.subTypeBoxRatio = ratio }

// PoolConns returns how many connections s's pool holds, and its most.
func PoolConns(s *Store) (open, most int32) {
	st := s.pool.Stat()
	return st.TotalConns(), st.MaxConns()
}

// SetPieces sets how many pieces of its dates a walk of s reads at once
// (pieces): several make the walked stats read them on several
// connections in one snapshot, as a server on several CPUs does.
func SetPieces(s *Store, n int) { s.pieces = n }

// SetPieceRowsAt sets how far into the list every piece of a word walk's
// page reads its first events (pieceRowsAt).
func SetPieceRowsAt(s *Store, n int) { s.pieceRowsAt = n }

// SetRowsPieceAt sets how many rows of a page, at least, each connection
// reads when they are read in pieces (rowsPieceAt).
func SetRowsPieceAt(s *Store, n int) { s.rowsPieceAt = n }

// SetDeepOffset sets the offset from which a page is read as one far in
// (deepOffset).
func SetDeepOffset(s *Store, n int) { s.deepOffset = n }

// SetSetWordEvents sets from how many events a word gets a term set
// (meta's set_word_events, migration 0035): 1 gives every word one at its
// first write, so that the store suite holds the sets' counts to the
// model.
func SetSetWordEvents(tb testing.TB, s *Store, n int) {
	tb.Helper()
	if _, err := s.pool.Exec(tb.Context(), "UPDATE meta SET value = $1 WHERE key = 'set_word_events'", n); err != nil {
		tb.Fatal(err)
	}
}

// CheckTermSets fails tb unless s's term sets (migration 0035) and facts
// (0037) hold what its events make them: every registered word's,
// country's and event type's events, each in its chunk, and each event's
// facts in its slot; term sets' rows of no event are left over, and
// ignored. It fails too when no word has a set, which would leave the
// sets' counts of words untested.
func CheckTermSets(tb testing.TB, s *Store, when string) {
	tb.Helper()
	var words, wrong int
	err := s.pool.QueryRow(tb.Context(), `WITH expected AS (
			SELECT t.field, t.term, (t.ord >> 15)::integer AS chunk, term_set_chunk(array_agg((t.ord & 32767)::integer)) AS bits
			FROM (`+fmt.Sprintf(setTermsSQL, "events r")+`) t GROUP BY 1, 2, 3),
		actual AS (SELECT field, term, chunk, bits FROM term_sets WHERE bit_count(bits) > 0)
		SELECT (SELECT count(*) FROM set_words),
			(SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual) x)
			+ (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected) y)`).Scan(&words, &wrong)
	if err != nil {
		tb.Fatal(err)
	}
	if words == 0 || wrong != 0 {
		tb.Errorf("%s: %d words have term sets, %d chunks differ from the events'", when, words, wrong)
	}
	// The facts (migration 0037): each event's in its slot, and no other
	// slot holds one.
	var differ, extra int
	err = s.pool.QueryRow(tb.Context(), `SELECT
		(SELECT count(*) FROM events e LEFT JOIN ord_facts o ON o.chunk = (e.ord >> 12)::integer
			LEFT JOIN fact_codes t ON t.field = 'type' AND t.term = e.event_type
			LEFT JOIN fact_codes k ON k.field = 'country' AND k.term = e.country_code
			WHERE substring(o.facts from (e.ord & 4095)::integer * 48 + 1 for 48) IS DISTINCT FROM ord_fact(t.code, k.code, e.event_date)),
		(SELECT count(*) FROM ord_facts o, generate_series(0, 4095) p WHERE substring(o.facts from p * 48 + 1 for 48) <> B'0'::bit(48))
			- (SELECT count(*) FROM events)`).Scan(&differ, &extra)
	if err != nil {
		tb.Fatal(err)
	}
	if differ != 0 || extra != 0 {
		tb.Errorf("%s: %d events' facts differ from the events, %d more slots hold facts than there are events", when, differ, extra)
	}
}

// CheckFactWeeks fails tb unless the store's ord_fact (migration 0037)
// gives each of dates the week field a bulk import's tally gives it
// (factWeek).
func CheckFactWeeks(tb testing.TB, s *Store, dates []string) {
	tb.Helper()
	for _, date := range dates {
		var week int32
		if err := s.pool.QueryRow(tb.Context(), "SELECT substring(ord_fact(1, 1, $1::date) from 33 for 16)::integer", date).Scan(&week); err != nil {
			tb.Fatal(err)
		}
		if want := factWeek(date); uint16(week) != want {
			tb.Errorf("%s: ord_fact's week field %#x, the tally's %#x", date, week, want)
		}
	}
}

// SetNextOrdinal makes n the ordinal of the next event stored (events_ord,
// migration 0035), so that a test's events lie across chunks of the term
// sets and the facts.
func SetNextOrdinal(tb testing.TB, s *Store, n int64) {
	tb.Helper()
	if _, err := s.pool.Exec(tb.Context(), "SELECT setval('events_ord', $1, false)", n); err != nil {
		tb.Fatal(err)
	}
}
