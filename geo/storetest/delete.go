package storetest

import (
	"reflect"
	"testing"

	"conflictmap/geo"
)

// testDelete removes one article of the fixture: its events go with it in
// the same change of data version, the other articles stay as they were,
// and deleting it again is a not-found that changes nothing.
func testDelete(t *testing.T, s Store) {
	ctx := t.Context()
	batches := Fixture()
	ingestAll(t, s, batches)
	victim := batches[0]
	var rest []geo.Event
	for _, b := range batches[1:] {
		rest = append(rest, b.Events...)
	}
	before, err := s.Version(ctx)
	must(t, err)
	n, err := s.DeleteArticle(ctx, victim.Article.ID)
	if err != nil {
		t.Fatalf("DeleteArticle(%s): %v", victim.Article.ID, err)
	}
	if n != len(victim.Events) {
		t.Errorf("DeleteArticle(%s) removed %d events, want %d", victim.Article.ID, n, len(victim.Events))
	}
	after, err := s.Version(ctx)
	must(t, err)
	if after <= before {
		t.Errorf("data version %d after the delete, want more than %d", after, before)
	}
	if _, err := s.Article(ctx, victim.Article.ID); geo.ErrorCode(err) != geo.ENOTFOUND {
		t.Errorf("the deleted article is still there: %v", err)
	}
	for _, e := range victim.Events {
		if _, err := s.Event(ctx, e.ID); geo.ErrorCode(err) != geo.ENOTFOUND {
			t.Errorf("event %s of the deleted article is still there: %v", e.ID, err)
		}
	}
	f := geo.Filter{Limit: geo.MaxLimit}
	page, err := s.Events(ctx, f)
	must(t, err)
	if want := Expect(f, rest); !reflect.DeepEqual(ids(page.Events), ids(want.Events)) || page.Matched != want.Matched {
		t.Errorf("after the delete the store has %v (%d), want %v (%d)", ids(page.Events), page.Matched, ids(want.Events), want.Matched)
	}
	st, err := s.Stats(ctx, geo.Filter{})
	must(t, err)
	if st.Total != len(rest) {
		t.Errorf("stats count %d events after the delete, want %d", st.Total, len(rest))
	}
	_, total, err := s.Articles(ctx, 0, 0)
	must(t, err)
	if total != len(batches)-1 {
		t.Errorf("%d articles after the delete, want %d", total, len(batches)-1)
	}
	if _, err := s.DeleteArticle(ctx, victim.Article.ID); geo.ErrorCode(err) != geo.ENOTFOUND {
		t.Errorf("deleting it again: %v, want a not-found error", err)
	}
	if _, err := s.DeleteArticle(ctx, "no-such-article"); geo.ErrorCode(err) != geo.ENOTFOUND {
		t.Errorf("deleting an unknown id: %v, want a not-found error", err)
	}
	again, err := s.Version(ctx)
	must(t, err)
	if again != after {
		t.Errorf("a delete that found nothing changed the data version from %d to %d", after, again)
	}
	// The article can come back.
	ingest(t, s, victim)
	if _, err := s.Article(ctx, victim.Article.ID); err != nil {
		t.Errorf("ingesting the deleted article again: %v", err)
	}
	checkCounts(t, s, "after a delete")
}
