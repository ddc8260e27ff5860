package sqlite

import (
	"database/sql"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// SetPlanThresholds sets the query planning thresholds of s (denseBox,
// walkAt, wordWalkAt), so that the store suite can hold every plan to the
// model.
func SetPlanThresholds(s *Store, denseBox, walkAt, wordWalkAt int) {
	s.denseBox, s.walkAt, s.wordWalkAt = denseBox, walkAt, wordWalkAt
}

// SetChangeLog sets how many changes s's change log keeps (logKeep), so
// that a test sees it pruned after a few ingests.
func SetChangeLog(s *Store, keep int) { s.logKeep = keep }

// SetRowEntries sets the query planning threshold of s (rowEntries): 0
// makes a page of several sub-event types that many events match walk the
// list order rather than each type's events.
func SetRowEntries(s *Store, n int) { s.rowEntries = n }

// SetPointWords sets the query planning threshold of s (pointWordsAt):
// a large one makes the density cells of every filter with words and a
// box read events_point_words.
func SetPointWords(s *Store, n int) { s.pointWordsAt = n }

// SetPieces sets how many pieces of its dates a walk of s reads at once
// (pieces): several make the walked stats read them each in its own
// snapshot, as a server on several CPUs does.
func SetPieces(s *Store, n int) { s.pieces = n }

// PlansZoom reports whether s reads the density cells of f at zoom from
// its kept cells (eventsql.PlanZoom in the store's dialect).
func PlansZoom(f geo.Filter, zoom int) bool {
	_, ok := eventsql.PlanZoom(sqliteSQL, f, zoom)
	return ok
}

// OpenReaders returns how many connections s's reader pools hold open,
// and how many they may hold.
func OpenReaders(s *Store) (open, max int) {
	for _, pool := range []interface{ Stats() sql.DBStats }{s.reader, s.aside, s.unmapped} {
		st := pool.Stats()
		open += st.OpenConnections
		max += st.MaxOpenConnections
	}
	return open, max
}
