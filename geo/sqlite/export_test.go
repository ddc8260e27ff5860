package sqlite

// SetPlanThresholds sets the query planning thresholds of s (denseBox,
// walkAt, wordWalkAt), so that the store suite can hold every plan to the
// model.
func SetPlanThresholds(s *Store, denseBox, walkAt, wordWalkAt int) {
	s.denseBox, s.walkAt, s.wordWalkAt = denseBox, walkAt, wordWalkAt
}

// SetChangeLog sets how many changes s's change log keeps (logKeep), so
// that a test sees it pruned after a few ingests.
func SetChangeLog(s *Store, keep int) { s.logKeep = keep }
