package sqlite

import (
	"context"

	"conflictmap/geo"
)

// markEstimated marks the events (and their sources) whose article's
// publication date is the day it was fetched. The flag is read from the
// articles, through an index that holds only the estimated ones, so a page
// costs one lookup per 500 articles and no article row is read.
func markEstimated(ctx context.Context, q querier, events []geo.Event) error {
	ids := geo.SourceArticles(events)
	estimated := map[string]bool{}
	err := inChunks(ids, func(chunk []string) error {
		rows, err := q.QueryContext(ctx, "SELECT id FROM articles INDEXED BY articles_estimated WHERE published_estimated = 1 AND id IN ("+
			placeholders(len(chunk))+")", anys(chunk)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			estimated[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	geo.MarkEstimated(events, estimated)
	return nil
}
