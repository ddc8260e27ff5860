package postgis

import (
	"context"

	"github.com/jackc/pgx/v5"

	"conflictmap/geo"
)

// markEstimated marks the events (and their sources) whose article's
// publication date is the day it was fetched. The flag is read from the
// articles, through an index that holds only the estimated ones.
func markEstimated(ctx context.Context, q querier, events []geo.Event) error {
	ids := geo.SourceArticles(events)
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.Query(ctx, "SELECT id FROM articles WHERE published_estimated AND id = ANY($1)", ids)
	if err != nil {
		return err
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	estimated := make(map[string]bool, len(list))
	for _, id := range list {
		estimated[id] = true
	}
	geo.MarkEstimated(events, estimated)
	return nil
}
