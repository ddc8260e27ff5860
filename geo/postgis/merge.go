package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
	"conflictmap/geo/merge"

	"github.com/jackc/pgx/v5"
)

// changeLogSize is how many changes the changes table keeps at least for
// the live stream (pruneBatch more at most); a client further behind
// reloads.
const changeLogSize = 10000

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pruneBatch is how many changes past changeLogSize the log gathers
// before they go, together: meta's two rows are rewritten once per batch,
// not in every ingest.
const pruneBatch = 1000

// pruneChanges deletes the changes past the newest changeLogSize ($1) once
// pruneBatch ($2) of them have gathered. changes_from becomes the last
// version whose changes are no longer all there: the newest of those
// deleted. Only the changes between the last prune (changes_pruned) and
// the new bound are visited: the index entries of the rows deleted before
// stay in the primary key until a vacuum, and a lookup of max(version)
// below the bound, or a range from the table's start, stepped over all of
// them (10,000 rows per ingest at 10,000 articles; BENCHMARKS.md "Merging
// at scale").
const pruneChanges = `WITH bound AS (SELECT (SELECT max(seq) FROM changes) - $1 AS cut,
		(SELECT value FROM meta WHERE key = 'changes_pruned') AS done),
	gone AS (DELETE FROM changes WHERE (SELECT cut - done >= $2 FROM bound)
		AND seq > (SELECT done FROM bound) AND seq <= (SELECT cut FROM bound) RETURNING version)
	UPDATE meta SET value = CASE key
		WHEN 'changes_from' THEN greatest(value, coalesce((SELECT max(version) FROM gone), 0))
		ELSE (SELECT cut FROM bound) END
	WHERE key IN ('changes_from', 'changes_pruned') AND (SELECT cut - done >= $2 FROM bound)`

// reportReader answers geo/merge's questions inside a write transaction.
type reportReader struct {
	tx       pgx.Tx
	spanDays int
}

func scanStored(rows pgx.Rows, err error) ([]merge.Stored, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []merge.Stored
	for rows.Next() {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		e, err := merge.DecodeReport(body)
		if err != nil {
			return nil, err
		}
		out = append(out, merge.Stored{Report: e, EventID: id})
	}
	return out, rows.Err()
}

func (r reportReader) ArticleReports(ctx context.Context, articleID string) ([]merge.Stored, error) {
	return scanStored(r.tx.Query(ctx, "SELECT event_id, body FROM reports WHERE article_id = $1", articleID))
}

func (r reportReader) ReportsByID(ctx context.Context, ids []string) ([]merge.Stored, error) {
	return scanStored(r.tx.Query(ctx, "SELECT event_id, body FROM reports WHERE id = ANY($1)", ids))
}

func (r reportReader) GroupReports(ctx context.Context, eventIDs []string) ([]merge.Stored, error) {
	return scanStored(r.tx.Query(ctx, "SELECT event_id, body FROM reports WHERE event_id = ANY($1)", eventIDs))
}

func (r reportReader) Candidates(ctx context.Context, e geo.Event, threats bool, from, to string) ([]merge.Stored, error) {
	// The index on (place_key, event_type, threat, event_date) bounds
	// event_date on both sides: no report starts more than the longest
	// span before it ends.
	return scanStored(r.tx.Query(ctx, `SELECT event_id, body FROM reports
		WHERE place_key = $1 AND event_type = $2 AND threat = $6 AND event_date <= $3::date
		AND event_date >= $4::date - $5::integer AND date_last >= $4::date`,
		merge.PlaceKey(e), e.EventType, to, from, r.spanDays, threats))
}

// nullText is NULL for an empty string.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func spanDays(e geo.Event) int {
	if e.EventDateEnd == "" {
		return 0
	}
	a, _ := time.Parse(geo.DateLayout, e.EventDate)
	b, _ := time.Parse(geo.DateLayout, e.EventDateEnd)
	return int(b.Sub(a).Hours() / 24)
}

// remerge replaces the article's reports by reports and rewrites the events
// they touch (geo/merge.Rules.Update), logging the changes at version.
func (s *Store) remerge(ctx context.Context, tx pgx.Tx, articleID string, reports []geo.Event, version int64) error {
	span := 0
	for _, e := range reports {
		span = max(span, spanDays(e))
	}
	// The bound is written only when it grows: a row version per ingest
	// would pile up in meta between vacuums.
	var stored int64
	err := tx.QueryRow(ctx, `WITH up AS (UPDATE meta SET value = $1 WHERE key = 'report_span_days' AND value < $1 RETURNING value)
		SELECT coalesce((SELECT value FROM up), (SELECT value FROM meta WHERE key = 'report_span_days'))`, span).Scan(&stored)
	if err != nil {
		return err
	}
	plan, err := s.rules.Update(ctx, reportReader{tx: tx, spanDays: int(stored)}, articleID, reports)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	// Events linked to the deleted ones change too: their links do.
	relinked := map[string]bool{}
	if len(plan.Delete) > 0 {
		rows, err := tx.Query(ctx, "SELECT related_id FROM event_links WHERE event_id = ANY($1)", plan.Delete)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			relinked[id] = true
		}
	}
	b := &pgx.Batch{}
	b.Queue("DELETE FROM reports WHERE article_id = $1", articleID)
	if len(plan.Delete) > 0 {
		b.Queue("DELETE FROM events WHERE id = ANY($1)", plan.Delete)
		b.Queue("DELETE FROM event_sources WHERE event_id = ANY($1)", plan.Delete)
		b.Queue("DELETE FROM event_links WHERE event_id = ANY($1) OR related_id = ANY($1)", plan.Delete)
	}
	for _, g := range plan.Groups {
		b.Queue(insertEvent, insertArgs(g.Event)...)
		for _, r := range g.Reports {
			body, err := merge.EncodeReport(r)
			if err != nil {
				return err
			}
			last := r.EventDateEnd
			if last == "" {
				last = r.EventDate
			}
			b.Queue(`INSERT INTO reports (id, article_id, event_id, place_key, event_type, event_date, date_last, body, threat)
				VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8, $9)
				ON CONFLICT (id) DO UPDATE SET article_id = excluded.article_id, event_id = excluded.event_id,
					place_key = excluded.place_key, event_type = excluded.event_type, event_date = excluded.event_date,
					date_last = excluded.date_last, body = excluded.body, threat = excluded.threat`,
				r.ID, r.ArticleID, g.Event.ID, merge.PlaceKey(r), r.EventType, nullText(r.EventDate), nullText(last), string(body),
				r.Modality == geo.Threatened)
		}
		if g.Event.SourceCount > 1 {
			sources, err := merge.EncodeSources(g.Event.Sources)
			if err != nil {
				return err
			}
			b.Queue("INSERT INTO event_sources (event_id, source_count, sources) VALUES ($1, $2, $3)",
				g.Event.ID, g.Event.SourceCount, string(sources))
		}
		for _, rel := range g.Event.Related {
			b.Queue("INSERT INTO event_links (event_id, related_id) VALUES ($1, $2), ($2, $1) ON CONFLICT DO NOTHING", g.Event.ID, rel)
		}
		b.Queue("INSERT INTO changes (version, event_id, gone) VALUES ($1, $2, false)", version, g.Event.ID)
	}
	for _, id := range plan.Gone {
		b.Queue("INSERT INTO changes (version, event_id, gone) VALUES ($1, $2, true)", version, id)
	}
	for _, id := range plan.Relinked(relinked) {
		b.Queue("INSERT INTO changes (version, event_id, gone) VALUES ($1, $2, false)", version, id)
	}
	b.Queue(pruneChanges, s.logKeep, s.logBatch)
	return tx.SendBatch(ctx, b).Close()
}

// mergePending merges the reports of a store migrated from one without
// reports, article by article, once.
func (s *Store) mergePending(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var version int64
	// The version's row lock keeps ingests out meanwhile.
	if err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'version' FOR UPDATE").Scan(&version); err != nil {
		return err
	}
	var pending int64
	if err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'merge_pending'").Scan(&pending); err != nil {
		return err
	}
	if pending == 0 {
		return nil
	}
	// Imported rows are events already, never merged: they stay in events
	// alone, as rows imported later do.
	if _, err := tx.Exec(ctx, "DELETE FROM reports WHERE coalesce(body->>'origin', '') NOT IN ('', 'extracted')"); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, "SELECT DISTINCT article_id FROM reports ORDER BY article_id")
	if err != nil {
		return err
	}
	articles, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	rd := reportReader{tx: tx}
	for _, id := range articles {
		stored, err := rd.ArticleReports(ctx, id)
		if err != nil {
			return err
		}
		reports := make([]geo.Event, len(stored))
		for i, st := range stored {
			reports[i] = st.Report
		}
		if err := s.remerge(ctx, tx, id, reports, version); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE meta SET value = 0 WHERE key = 'merge_pending'"); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// attach sets the sources and links of events read from the events table:
// from event_sources for merged events; an event that is one report keeps
// none (geo.EventSources gives it itself). Imported events are never
// merged or linked, so that only extracted ones are looked up (a page of
// 1,000 imported events looked each up twice for nothing). It marks
// estimated publication dates last (markEstimated).
func attach(ctx context.Context, q querier, events []geo.Event) error {
	if len(events) == 0 {
		return nil
	}
	at := make(map[string]int, len(events))
	ids := make([]string, 0, len(events))
	for i := range events {
		e := &events[i]
		e.SourceCount, e.Sources, e.Related = 0, nil, nil
		if e.Origin == "" {
			at[e.ID] = i
			ids = append(ids, e.ID)
		}
	}
	if len(ids) == 0 {
		return markEstimated(ctx, q, events)
	}
	rows, err := q.Query(ctx, "SELECT event_id, source_count, sources FROM event_sources WHERE event_id = ANY($1)", ids)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var n int32
		var body []byte
		if err := rows.Scan(&id, &n, &body); err != nil {
			rows.Close()
			return err
		}
		sources, err := merge.DecodeSources(body)
		if err != nil {
			rows.Close()
			return err
		}
		events[at[id]].SourceCount, events[at[id]].Sources = int(n), sources
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, "SELECT event_id, related_id FROM event_links WHERE event_id = ANY($1) ORDER BY event_id, related_id", ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, rel string
		if err := rows.Scan(&id, &rel); err != nil {
			return err
		}
		events[at[id]].Related = append(events[at[id]].Related, rel)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	return markEstimated(ctx, q, events)
}

// Reports returns the reports merged into the event with the given id,
// earliest first, as extracted; an event that no report makes (an imported
// row) is its own one report.
func (s *Store) Reports(ctx context.Context, eventID string) ([]geo.Event, error) {
	stored, err := scanStored(s.pool.Query(ctx, "SELECT event_id, body FROM reports WHERE event_id = $1", eventID))
	if err != nil {
		return nil, fmt.Errorf("postgis store: reports of %s: %w", eventID, err)
	}
	if len(stored) == 0 {
		e, err := eventsql.Scan(s.pool.QueryRow(ctx, "SELECT "+eventsql.Columns(pgSQL)+" FROM events e WHERE e.id = $1", eventID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, geo.Errorf(geo.ENOTFOUND, "no event %s", eventID)
		}
		if err != nil {
			return nil, fmt.Errorf("postgis store: reports of %s: %w", eventID, err)
		}
		return []geo.Event{e}, nil
	}
	out := make([]geo.Event, len(stored))
	for i, st := range stored {
		out[i] = st.Report
	}
	merge.SortEarliest(out)
	if err := markEstimated(ctx, s.pool, out); err != nil {
		return nil, fmt.Errorf("postgis store: reports of %s: %w", eventID, err)
	}
	return out, nil
}

// Changes returns the events that ingests after the data version after
// wrote (Gone false) or removed (Gone true), oldest first, at most limit of
// them; complete is false when the log no longer reaches back to after, so
// the caller must reload everything.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]geo.Change, bool, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, false, fmt.Errorf("postgis store: changes: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var from int64
	if err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'changes_from'").Scan(&from); err != nil {
		return nil, false, fmt.Errorf("postgis store: changes: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT version, event_id, gone FROM changes WHERE version > $1 ORDER BY seq LIMIT $2", after, limit)
	if err != nil {
		return nil, false, fmt.Errorf("postgis store: changes: %w", err)
	}
	var out []geo.Change
	for rows.Next() {
		var c geo.Change
		if err := rows.Scan(&c.Version, &c.EventID, &c.Gone); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("postgis store: changes: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("postgis store: changes: %w", err)
	}
	return out, after >= from, nil
}
