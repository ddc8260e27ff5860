package postgis

import (
	"context"
	"fmt"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// stageColumns are the columns of the staging table an import copies into:
// eventsql.WriteColumns with the point as lon and lat, and the words.
func stageColumns() []string {
	var cols []string
	for _, c := range eventsql.WriteColumns {
		if c == "point" {
			cols = append(cols, "lon", "lat")
			continue
		}
		cols = append(cols, c)
	}
	return append(cols, "actors_list", "quote_list")
}

// Import adds events read from a file made elsewhere (an export of
// conflictmap or another tool) in one transaction that bumps the data
// version. Unlike Ingest it removes nothing: an event whose id is stored
// already is replaced, any other is added, so that a large file comes in
// batches. articles are the articles the events belong to (each event's
// ArticleID names one of them, or an article stored already); they are
// stored without text, marked imported, so that re-extraction leaves them
// alone, and an article stored already is kept as it is. The events travel
// by COPY into a temporary table, then one INSERT ... SELECT stores them.
func (s *Store) Import(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		if e.ID == "" || e.ArticleID == "" {
			return geo.Errorf(geo.EINVALID, "import: event %q has no id or no article", e.ID)
		}
		if seen[e.ID] {
			return geo.Errorf(geo.EINVALID, "import: two events have the id %s", e.ID)
		}
		seen[e.ID] = true
		if err := geo.CheckEvent(e); err != nil {
			return err
		}
	}
	if err := s.importEvents(ctx, articles, events); err != nil {
		return fmt.Errorf("postgis store: import: %w", err)
	}
	return nil
}

func (s *Store) importEvents(ctx context.Context, articles []geo.Article, events []geo.Event) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var version int64
	err = tx.QueryRow(ctx, "UPDATE meta SET value = greatest(value + 1, $1) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return err
	}
	for _, a := range articles {
		_, err = tx.Exec(ctx, `INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version, origin)
			VALUES ($1, $2, $3, $4, '', $5, $6, 'import') ON CONFLICT (id) DO NOTHING`,
			a.ID, a.Title, a.URL, a.Published, now, version)
		if err != nil {
			return fmt.Errorf("article %s: %w", a.ID, err)
		}
	}
	_, err = tx.Exec(ctx, `CREATE TEMPORARY TABLE import_stage (
		id text, article_id text, lon double precision, lat double precision,
		bound_west double precision, bound_south double precision, bound_east double precision, bound_north double precision,
		event_date text, event_date_end text, time_precision integer, event_type text, sub_event_type text, modality text,
		actor1 text, actor2 text, fatalities integer, location text, country text, country_code text, admin1 text,
		geonameid bigint, feature_code text, geo_precision integer, mention text, quote text, confidence double precision,
		title text, source_url text, published text, extractor_version text, actors_folded text, quote_folded text, origin text,
		actors_list text[], quote_list text[]) ON COMMIT DROP`)
	if err != nil {
		return err
	}
	cols := stageColumns()
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"import_stage"}, cols, pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
		e := events[i]
		return insertArgs(e), nil
	}))
	if err != nil {
		return err
	}
	var target, source []string
	for _, c := range cols {
		switch c {
		case "lon":
			target, source = append(target, "geom"), append(source, "ST_SetSRID(ST_MakePoint(lon, lat), 4326)")
		case "lat":
		case "event_date", "event_date_end":
			target, source = append(target, c), append(source, c+"::date")
		case "actors_list":
			target, source = append(target, "actors_words"), append(source, "array_to_tsvector(actors_list)")
		case "quote_list":
			target, source = append(target, "quote_words"), append(source, "array_to_tsvector(quote_list)")
		default:
			target, source = append(target, c), append(source, c)
		}
	}
	set := make([]string, 0, len(target))
	for _, c := range target[1:] {
		set = append(set, c+" = excluded."+c)
	}
	_, err = tx.Exec(ctx, "INSERT INTO events ("+strings.Join(target, ", ")+") SELECT "+strings.Join(source, ", ")+
		" FROM import_stage ON CONFLICT (id) DO UPDATE SET "+strings.Join(set, ", "))
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}
