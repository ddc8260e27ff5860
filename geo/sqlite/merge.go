package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
	"conflictmap/geo/merge"
)

// changeLogSize is how many changes the changes table keeps for the live
// stream; a client further behind reloads.
const changeLogSize = 10000

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// reportReader answers geo/merge's questions inside a write transaction.
type reportReader struct {
	tx       *sql.Tx
	spanDays int
}

func scanStored(rows *sql.Rows) ([]merge.Stored, error) {
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

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// inChunks runs fn over ids in chunks that stay under SQLite's limit of
// parameters.
func inChunks(ids []string, fn func(chunk []string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// idSet runs query, which ends in "IN", on ids in chunks of bound
// parameters, and returns the set of the first column's values.
func idSet(ctx context.Context, q querier, query string, ids []string) (map[string]bool, error) {
	set := map[string]bool{}
	err := inChunks(ids, func(chunk []string) error {
		rows, err := q.QueryContext(ctx, query+" ("+placeholders(len(chunk))+")", anys(chunk)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			set[id] = true
		}
		return rows.Err()
	})
	return set, err
}

func (r reportReader) ArticleReports(ctx context.Context, articleID string) ([]merge.Stored, error) {
	rows, err := r.tx.QueryContext(ctx, "SELECT event_id, body FROM reports WHERE article_id = ?", articleID)
	if err != nil {
		return nil, err
	}
	return scanStored(rows)
}

func (r reportReader) byColumn(ctx context.Context, col string, ids []string) ([]merge.Stored, error) {
	var out []merge.Stored
	err := inChunks(ids, func(chunk []string) error {
		rows, err := r.tx.QueryContext(ctx, "SELECT event_id, body FROM reports WHERE "+col+" IN ("+placeholders(len(chunk))+")", anys(chunk)...)
		if err != nil {
			return err
		}
		got, err := scanStored(rows)
		out = append(out, got...)
		return err
	})
	return out, err
}

func (r reportReader) ReportsByID(ctx context.Context, ids []string) ([]merge.Stored, error) {
	return r.byColumn(ctx, "id", ids)
}

func (r reportReader) GroupReports(ctx context.Context, eventIDs []string) ([]merge.Stored, error) {
	return r.byColumn(ctx, "event_id", eventIDs)
}

func (r reportReader) Candidates(ctx context.Context, e geo.Event, threats bool, from, to string) ([]merge.Stored, error) {
	// The index on (place_key, event_type, threat, event_date) bounds
	// event_date on both sides: no report starts more than the longest
	// span before it ends.
	rows, err := r.tx.QueryContext(ctx, `SELECT event_id, body FROM reports
		WHERE place_key = ? AND event_type = ? AND threat = ? AND event_date <= ? AND event_date >= date(?, ?) AND date_last >= ?`,
		merge.PlaceKey(e), e.EventType, threats, to, from, fmt.Sprintf("-%d days", r.spanDays), from)
	if err != nil {
		return nil, err
	}
	return scanStored(rows)
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
func (s *Store) remerge(ctx context.Context, tx *sql.Tx, articleID string, reports []geo.Event, version int64) error {
	span := 0
	for _, e := range reports {
		span = max(span, spanDays(e))
	}
	var stored int
	err := tx.QueryRowContext(ctx, "UPDATE meta SET value = max(value, ?) WHERE key = 'report_span_days' RETURNING value", span).Scan(&stored)
	if err != nil {
		return err
	}
	plan, err := s.rules.Update(ctx, reportReader{tx: tx, spanDays: stored}, articleID, reports)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM reports WHERE article_id = ?", articleID); err != nil {
		return err
	}
	// Events linked to the deleted ones change too: their links do.
	relinked, err := idSet(ctx, tx, "SELECT related_id FROM event_links WHERE event_id IN", plan.Delete)
	if err != nil {
		return err
	}
	err = inChunks(plan.Delete, func(chunk []string) error {
		in := " IN (" + placeholders(len(chunk)) + ")"
		for _, q := range []string{
			"DELETE FROM events WHERE id" + in,
			"DELETE FROM event_sources WHERE event_id" + in,
			"DELETE FROM event_links WHERE event_id" + in,
			"DELETE FROM event_links WHERE related_id" + in,
		} {
			if _, err := tx.ExecContext(ctx, q, anys(chunk)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	insReport, err := tx.PrepareContext(ctx, `INSERT INTO reports (id, article_id, event_id, place_key, event_type, event_date, date_last, body, threat)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET article_id = excluded.article_id, event_id = excluded.event_id, place_key = excluded.place_key,
			event_type = excluded.event_type, event_date = excluded.event_date, date_last = excluded.date_last, body = excluded.body,
			threat = excluded.threat`)
	if err != nil {
		return err
	}
	defer insReport.Close()
	insChange, err := tx.PrepareContext(ctx, "INSERT INTO changes (version, event_id, gone) VALUES (?, ?, ?)")
	if err != nil {
		return err
	}
	defer insChange.Close()
	var evs []geo.Event // stored by insertEvents, which indexes imported ones too
	for _, g := range plan.Groups {
		evs = append(evs, g.Event)
		for _, r := range g.Reports {
			body, err := merge.EncodeReport(r)
			if err != nil {
				return err
			}
			last := r.EventDateEnd
			if last == "" {
				last = r.EventDate
			}
			if _, err := insReport.ExecContext(ctx, r.ID, r.ArticleID, g.Event.ID, merge.PlaceKey(r), r.EventType,
				nullText(r.EventDate), nullText(last), string(body), r.Modality == geo.Threatened); err != nil {
				return fmt.Errorf("report %s: %w", r.ID, err)
			}
		}
		if g.Event.SourceCount > 1 {
			sources, err := merge.EncodeSources(g.Event.Sources)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO event_sources (event_id, source_count, sources) VALUES (?, ?, ?)",
				g.Event.ID, g.Event.SourceCount, string(sources)); err != nil {
				return err
			}
		}
		for _, rel := range g.Event.Related {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO event_links (event_id, related_id) VALUES (?, ?), (?, ?)",
				g.Event.ID, rel, rel, g.Event.ID); err != nil {
				return err
			}
		}
		if _, err := insChange.ExecContext(ctx, version, g.Event.ID, 0); err != nil {
			return err
		}
	}
	if err := insertEvents(ctx, tx, evs); err != nil {
		return err
	}
	for _, id := range plan.Gone {
		if _, err := insChange.ExecContext(ctx, version, id, 1); err != nil {
			return err
		}
	}
	for _, id := range plan.Relinked(relinked) {
		if _, err := insChange.ExecContext(ctx, version, id, 0); err != nil {
			return err
		}
	}
	return pruneChanges(ctx, tx, s.logKeep)
}

// pruneChanges deletes the changes past the newest keep, and
// makes changes_from the last version whose changes are no longer all
// there: the newest of those deleted, as the delete returns them. (Asking
// max(version) of the rows below the bound instead walked the version
// index down from the newest change, past the 10,000 kept, in every
// ingest; BENCHMARKS.md "Merging at scale".)
func pruneChanges(ctx context.Context, tx *sql.Tx, keep int) error {
	rows, err := tx.QueryContext(ctx, "DELETE FROM changes WHERE seq <= (SELECT max(seq) FROM changes) - ? RETURNING version", keep)
	if err != nil {
		return err
	}
	defer rows.Close()
	gone := int64(-1)
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return err
		}
		gone = max(gone, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if gone < 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, "UPDATE meta SET value = max(value, ?) WHERE key = 'changes_from'", gone)
	return err
}

// mergePending merges the reports of a store migrated from one without
// reports, article by article, once.
func (s *Store) mergePending(ctx context.Context) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var pending int64
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'merge_pending'").Scan(&pending); err != nil {
		return err
	}
	if pending == 0 {
		return nil
	}
	// Imported rows are events already, never merged: they stay in events
	// alone, as rows imported later do.
	if _, err := tx.ExecContext(ctx, "DELETE FROM reports WHERE coalesce(json_extract(body, '$.origin'), '') NOT IN ('', 'extracted')"); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT article_id FROM reports ORDER BY article_id")
	if err != nil {
		return err
	}
	var articles []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		articles = append(articles, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var version int64
	if err := tx.QueryRowContext(ctx, versionSQL).Scan(&version); err != nil {
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
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = 0 WHERE key = 'merge_pending'"); err != nil {
		return err
	}
	return tx.Commit()
}

// attach sets the sources and links of events read from the events table:
// from event_sources for merged events; an event that is one report keeps
// none (geo.EventSources gives it itself). Imported events are never
// merged or linked, so that only extracted ones are looked up (a page of
// 1,000 imported events: 2.5 ms of SQLite's CPU for nothing). It marks
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
	err := inChunks(ids, func(chunk []string) error {
		in := " IN (" + placeholders(len(chunk)) + ")"
		rows, err := q.QueryContext(ctx, "SELECT event_id, source_count, sources FROM event_sources WHERE event_id"+in, anys(chunk)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var n int
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
			events[at[id]].SourceCount, events[at[id]].Sources = n, sources
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = q.QueryContext(ctx, "SELECT event_id, related_id FROM event_links WHERE event_id"+in+" ORDER BY event_id, related_id", anys(chunk)...)
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
		return rows.Err()
	})
	if err != nil {
		return err
	}
	return markEstimated(ctx, q, events)
}

// Reports returns the reports merged into the event with the given id,
// earliest first, as extracted; an event that no report makes (an imported
// row) is its own one report.
func (s *Store) Reports(ctx context.Context, eventID string) ([]geo.Event, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: reports of %s: %w", eventID, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT event_id, body FROM reports WHERE event_id = ?", eventID)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: reports of %s: %w", eventID, err)
	}
	stored, err := scanStored(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: reports of %s: %w", eventID, err)
	}
	if len(stored) == 0 {
		e, err := eventsql.Scan(tx.QueryRowContext(ctx, "SELECT "+eventsql.Columns(sqliteSQL)+" FROM events e WHERE e.id = ?", eventID))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, geo.Errorf(geo.ENOTFOUND, "no event %s", eventID)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlite store: reports of %s: %w", eventID, err)
		}
		return []geo.Event{e}, nil
	}
	out := make([]geo.Event, len(stored))
	for i, st := range stored {
		out[i] = st.Report
	}
	merge.SortEarliest(out)
	if err := markEstimated(ctx, tx, out); err != nil {
		return nil, fmt.Errorf("sqlite store: reports of %s: %w", eventID, err)
	}
	return out, nil
}

// Changes returns the events that ingests after the data version after
// wrote (Gone false) or removed (Gone true), oldest first, at most limit of
// them; complete is false when the log no longer reaches back to after, so
// the caller must reload everything.
func (s *Store) Changes(ctx context.Context, after int64, limit int) (changes []geo.Change, complete bool, err error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite store: changes: %w", err)
	}
	defer tx.Rollback()
	var from int64
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'changes_from'").Scan(&from); err != nil {
		return nil, false, fmt.Errorf("sqlite store: changes: %w", err)
	}
	complete = after >= from
	// Versions only grow with seq (ingests write one at a time), so the
	// version index gives the changes after after in seq order, without
	// walking the log from its oldest change.
	rows, err := tx.QueryContext(ctx, "SELECT version, event_id, gone FROM changes WHERE version > ? ORDER BY version, seq LIMIT ?", after, limit)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite store: changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c geo.Change
		if err := rows.Scan(&c.Version, &c.EventID, &c.Gone); err != nil {
			return nil, false, fmt.Errorf("sqlite store: changes: %w", err)
		}
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("sqlite store: changes: %w", err)
	}
	return changes, complete, nil
}
