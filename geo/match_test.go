package geo

import (
	"fmt"
	"slices"
	"testing"
)

// A bulk import writes each batch in list order; when an ID repeats, the
// batch keeps its own order, since the later copy is the one stored.
func TestInListOrder(t *testing.T) {
	events := []Event{
		{ID: "c", EventDate: "2024-01-02"},
		{ID: "u"},
		{ID: "b", EventDate: "2024-03-01"},
		{ID: "a", EventDate: "2024-01-02"},
	}
	if ids, want := idsOf(InListOrder(events)), []string{"b", "a", "c", "u"}; !slices.Equal(ids, want) {
		t.Errorf("InListOrder: ids %v, want %v", ids, want)
	}
	if events[0].ID != "c" {
		t.Errorf("InListOrder reordered its argument: %v", events)
	}
	twice := append(slices.Clone(events), Event{ID: "c", EventDate: "2023-05-05"})
	if got, want := idsOf(InListOrder(twice)), idsOf(twice); !slices.Equal(got, want) {
		t.Errorf("InListOrder with a repeated ID: %v, want the batch's own order %v", got, want)
	}
}

func idsOf(events []Event) []string {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

// BenchmarkInListOrder sorts a bulk import's batch of 20,000 events, dated
// over a year in no order.
func BenchmarkInListOrder(b *testing.B) {
	events := make([]Event, 20000)
	for i := range events {
		events[i] = Event{ID: fmt.Sprintf("acled-%07d", (i*7919)%20000), EventDate: fmt.Sprintf("2024-%02d-%02d", 1+i*13%12, 1+i*17%28)}
	}
	for b.Loop() {
		InListOrder(events)
	}
}
