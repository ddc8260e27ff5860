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
	estimated, err := idSet(ctx, q, "SELECT id FROM articles INDEXED BY articles_estimated WHERE published_estimated = 1 AND id IN",
		geo.SourceArticles(events))
	if err != nil {
		return err
	}
	geo.MarkEstimated(events, estimated)
	return nil
}
