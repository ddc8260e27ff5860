package storetest

import (
	"context"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"conflictmap/geo"
)

// ManyAtOnce asks s, which reads walks in several pieces at once, for the
// density cells, stats and a page of words and dates (one with a box), 25
// answers at a time, some of which read their pieces beside a read
// transaction they hold: each must get its connections, where answers
// that each held one could wait for another that the others hold. The
// minute's deadline is not a timing: answers that wait on each other
// never end.
func ManyAtOnce(t *testing.T, s Store) {
	Load(t, s, 400)
	filters := []struct {
		f    geo.Filter
		zoom int
	}{
		{geo.Filter{Q: "dro", Start: "2024-01-03"}, 2},
		{geo.Filter{Q: "dro", Start: "2023-06-01", End: "2024-10-20"}, 11},
		{geo.Filter{Actor: "police", Start: "2024-02-01"}, 5},
		{geo.Filter{Start: "2024-01-03", Types: []string{geo.Battles}}, 2},
		// A box: its edge strips are read beside the kept groups.
		{geo.Filter{Q: "dro", Start: "2024-01-03", BBox: &geo.BBox{West: 20.3, South: 40.1, East: 40.7, North: 55.2}}, 6},
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	for i := range 25 {
		c := filters[i%len(filters)]
		g.Go(func() error {
			if _, err := s.Cells(gctx, c.f, c.zoom); err != nil {
				return err
			}
			if _, err := s.Stats(gctx, c.f); err != nil {
				return err
			}
			f := c.f
			f.Limit, f.Offset = 10, 30
			_, err := s.Events(gctx, f)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}
