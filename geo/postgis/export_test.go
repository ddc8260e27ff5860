package postgis

// SetWalkAt sets the query planning threshold of s (walkAt), so that the
// store suite can hold every plan to the model.
func SetWalkAt(s *Store, walkAt int) { s.walkAt = walkAt }
