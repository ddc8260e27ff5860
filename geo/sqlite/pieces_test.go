package sqlite_test

import (
	"path/filepath"
	"testing"

	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
)

// Answers in pieces, many at once, each get their connections.
func TestPiecesManyAtOnce(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "db.sqlite"))
	sqlite.SetPieces(s, 3)
	storetest.ManyAtOnce(t, s)
}
