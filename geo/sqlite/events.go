package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"conflictmap/geo"

	"github.com/paulmach/orb"
)

// eventColumns are the events table's columns in the order eventArgs writes
// them and scanEvent reads them.
const eventColumns = `id, article_id, lon, lat, bound_west, bound_south, bound_east, bound_north,
	event_date, event_date_end, time_precision, event_type, sub_event_type, modality,
	actor1, actor2, fatalities, location, country, country_code, admin1,
	geonameid, feature_code, geo_precision, mention, quote, confidence,
	title, source_url, published, extractor_version, actors_folded, quote_folded`

// selectColumns reads every column of eventColumns that scanEvent needs.
const selectColumns = `e.id, e.article_id, e.lon, e.lat, e.bound_west, e.bound_south, e.bound_east, e.bound_north,
	e.event_date, e.event_date_end, e.time_precision, e.event_type, e.sub_event_type, e.modality,
	e.actor1, e.actor2, e.fatalities, e.location, e.country, e.country_code, e.admin1,
	e.geonameid, e.feature_code, e.geo_precision, e.mention, e.quote, e.confidence,
	e.title, e.source_url, e.published, e.extractor_version`

// insertEvent writes an event; an id already stored (under this article or
// another) is overwritten, so the event belongs to the article ingested last.
func insertEvent() string {
	cols := strings.Split(strings.Join(strings.Fields(eventColumns), ""), ",")
	set := make([]string, 0, len(cols))
	for _, c := range cols[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return "INSERT INTO events (" + eventColumns + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") +
		") ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

// actorsFolded is what the actor filter searches: both actors, case-folded,
// joined by a newline that no filter word can contain.
func actorsFolded(e geo.Event) string {
	return strings.ToLower(e.Actor1) + "\n" + strings.ToLower(e.Actor2)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func eventArgs(e geo.Event) []any {
	var bw, bs, be, bn, fatalities any
	if e.Bound != nil {
		bw, bs, be, bn = e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1]
	}
	if e.Fatalities != nil {
		fatalities = *e.Fatalities
	}
	return []any{
		e.ID, e.ArticleID, e.Point[0], e.Point[1], bw, bs, be, bn,
		nullString(e.EventDate), nullString(e.EventDateEnd), e.TimePrecision, e.EventType, e.SubEventType, e.Modality,
		e.Actor1, e.Actor2, fatalities, e.Location, e.Country, e.CountryCode, e.Admin1,
		e.GeonameID, e.FeatureCode, e.GeoPrecision, e.Mention, e.Quote, e.Confidence,
		e.Title, e.SourceURL, e.Published, e.ExtractorVersion, actorsFolded(e), strings.ToLower(e.Quote),
	}
}

type scanner interface{ Scan(dest ...any) error }

func scanEvent(row scanner) (geo.Event, error) {
	var (
		e              geo.Event
		bw, bs, be, bn sql.NullFloat64
		date, dateEnd  sql.NullString
		fatalities     sql.NullInt64
	)
	err := row.Scan(&e.ID, &e.ArticleID, &e.Point[0], &e.Point[1], &bw, &bs, &be, &bn,
		&date, &dateEnd, &e.TimePrecision, &e.EventType, &e.SubEventType, &e.Modality,
		&e.Actor1, &e.Actor2, &fatalities, &e.Location, &e.Country, &e.CountryCode, &e.Admin1,
		&e.GeonameID, &e.FeatureCode, &e.GeoPrecision, &e.Mention, &e.Quote, &e.Confidence,
		&e.Title, &e.SourceURL, &e.Published, &e.ExtractorVersion)
	if err != nil {
		return geo.Event{}, err
	}
	if bw.Valid && bs.Valid && be.Valid && bn.Valid {
		e.Bound = &orb.Bound{Min: orb.Point{bw.Float64, bs.Float64}, Max: orb.Point{be.Float64, bn.Float64}}
	}
	e.EventDate, e.EventDateEnd = date.String, dateEnd.String
	if fatalities.Valid {
		n := int(fatalities.Int64)
		e.Fatalities = &n
	}
	return e, nil
}

// Ingest stores the article with its text and replaces all of its events,
// bumping the data version, in one transaction that is on disk when Ingest
// returns. It returns the stored article without re-reading its text.
func (s *Store) Ingest(ctx context.Context, a geo.Article, events []geo.Event) (geo.Article, error) {
	events, err := geo.CheckIngest(a, events)
	if err != nil {
		return geo.Article{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.ingest(ctx, a, events, now); err != nil {
		return geo.Article{}, fmt.Errorf("sqlite store: ingest %s: %w", a.ID, err)
	}
	a.IngestedAt = now
	a.Events = len(events)
	return a, nil
}

func (s *Store) ingest(ctx context.Context, a geo.Article, events []geo.Event, now time.Time) error {
	tx, err := s.writer.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock now
	if err != nil {
		return err
	}
	defer tx.Rollback()
	span := 0
	for _, e := range events {
		if e.EventDateEnd != "" {
			start, _ := time.Parse(geo.DateLayout, e.EventDate)
			end, _ := time.Parse(geo.DateLayout, e.EventDateEnd)
			span = max(span, int(end.Sub(start).Hours()/24))
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = max(value, ?) WHERE key = 'max_span_days'", span); err != nil {
		return err
	}
	var version int64
	err = tx.QueryRowContext(ctx,
		"UPDATE meta SET value = max(value + 1, ?) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, url = excluded.url, published = excluded.published,
			text = excluded.text, ingested_at = excluded.ingested_at, ingest_version = excluded.ingest_version`,
		a.ID, a.Title, a.URL, a.Published, a.Text, now.UnixMicro(), version)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM events WHERE article_id = ?", a.ID); err != nil {
		return err
	}
	if len(events) > 0 {
		stmt, err := tx.PrepareContext(ctx, insertEvent())
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range events {
			if _, err := stmt.ExecContext(ctx, eventArgs(e)...); err != nil {
				return fmt.Errorf("event %s: %w", e.ID, err)
			}
		}
	}
	return tx.Commit()
}

// rtreeMaxArea is the largest box, in square degrees, that queries look up
// in the R*Tree: an eighth of the world. A larger box matches so many events
// that fetching each candidate row by id and sorting them costs more than
// walking the date-ordered index and checking lon and lat, which stops as
// soon as a page is full (BENCHMARKS.md, "Store").
const rtreeMaxArea = 360 * 180 / 8

func useRtree(b *geo.BBox) bool {
	width := b.East - b.West
	if b.West > b.East {
		width += 360
	}
	return width*(b.North-b.South) <= rtreeMaxArea
}

// where returns the SQL condition on the events table e that selects f, and
// its arguments.
func where(f geo.Filter) (string, []any) {
	return whereRtree(f, f.BBox != nil && useRtree(f.BBox))
}

// whereRtree is where with the choice of looking f's bbox up in the R*Tree
// made by the caller.
func whereRtree(f geo.Filter, rtree bool) (string, []any) {
	conds := []string{"1"}
	var args []any
	if b := f.BBox; b != nil {
		// The R*Tree finds candidates, when the box is small enough for
		// that to pay; the exact lon and lat decide.
		if b.West <= b.East {
			if rtree {
				conds = append(conds, "e.seq IN (SELECT seq FROM events_rtree WHERE min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ?)")
				args = append(args, b.East, b.West, b.North, b.South)
			}
			conds = append(conds, "e.lon >= ? AND e.lon <= ? AND e.lat >= ? AND e.lat <= ?")
			args = append(args, b.West, b.East, b.South, b.North)
		} else {
			if rtree {
				conds = append(conds, "e.seq IN (SELECT seq FROM events_rtree WHERE max_lon >= ? AND min_lat <= ? AND max_lat >= ?"+
					" UNION ALL SELECT seq FROM events_rtree WHERE min_lon <= ? AND min_lat <= ? AND max_lat >= ?)")
				args = append(args, b.West, b.North, b.South, b.East, b.North, b.South)
			}
			conds = append(conds, "(e.lon >= ? OR e.lon <= ?) AND e.lat >= ? AND e.lat <= ?")
			args = append(args, b.West, b.East, b.South, b.North)
		}
	}
	if f.Start != "" || f.End != "" {
		conds = append(conds, "e.event_date IS NOT NULL")
	}
	if f.Start != "" {
		// The second condition follows from the first and the longest span
		// stored; it is there to bound the index range from below.
		conds = append(conds, "coalesce(e.event_date_end, e.event_date) >= ?",
			"e.event_date >= date(?, '-' || (SELECT value FROM meta WHERE key = 'max_span_days') || ' days')")
		args = append(args, f.Start, f.Start)
	}
	if f.End != "" {
		conds = append(conds, "e.event_date <= ?")
		args = append(args, f.End)
	}
	in := func(col string, values []string) {
		if len(values) == 0 {
			return
		}
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")+")")
		for _, v := range values {
			args = append(args, v)
		}
	}
	in("e.event_type", f.Types)
	in("e.modality", f.Modalities)
	if f.Country != "" {
		conds = append(conds, "e.country_code = ?")
		args = append(args, f.Country)
	}
	// Words are matched with instr on case-folded text, not LIKE, so that
	// % and _ in a word are plain characters.
	for _, w := range strings.Fields(strings.ToLower(f.Actor)) {
		conds = append(conds, "instr(e.actors_folded, ?) > 0")
		args = append(args, w)
	}
	for _, w := range strings.Fields(strings.ToLower(f.Q)) {
		conds = append(conds, "instr(e.quote_folded, ?) > 0")
		args = append(args, w)
	}
	return strings.Join(conds, " AND "), args
}

// Events returns one page of the events that match f, newest event_date
// first (undated last), then by id, and how many match in all. Both come
// from one snapshot of the file.
func (s *Store) Events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	page, err := s.events(ctx, f)
	if err != nil {
		return geo.EventPage{}, fmt.Errorf("sqlite store: events: %w", err)
	}
	return page, nil
}

func (s *Store) events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	cond, args := where(f)
	return s.page(ctx, f, cond, args)
}

// page answers f's Limit and Offset over the events table e under cond.
func (s *Store) page(ctx context.Context, f geo.Filter, cond string, args []any) (geo.EventPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = geo.DefaultLimit
	}
	limit = min(limit, geo.MaxLimit)
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return geo.EventPage{}, err
	}
	defer tx.Rollback()
	page := geo.EventPage{Events: []geo.Event{}}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM events e WHERE "+cond, args...).Scan(&page.Matched); err != nil {
		return geo.EventPage{}, err
	}
	if page.Matched <= f.Offset {
		return page, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+selectColumns+" FROM events e WHERE "+cond+
		" ORDER BY e.event_date DESC NULLS LAST, e.id LIMIT ? OFFSET ?", append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return geo.EventPage{}, err
	}
	defer rows.Close()
	page.Events = make([]geo.Event, 0, min(limit, page.Matched-max(f.Offset, 0)))
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return geo.EventPage{}, err
		}
		page.Events = append(page.Events, e)
	}
	return page, rows.Err()
}

// Event returns the event with the given id.
func (s *Store) Event(ctx context.Context, id string) (geo.Event, error) {
	e, err := scanEvent(s.reader.QueryRowContext(ctx, "SELECT "+selectColumns+" FROM events e WHERE e.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return geo.Event{}, geo.Errorf(geo.ENOTFOUND, "no event %s", id)
	}
	if err != nil {
		return geo.Event{}, fmt.Errorf("sqlite store: event %s: %w", id, err)
	}
	return e, nil
}

// Stats counts the events that match f, ignoring its Limit and Offset, by
// event type, by country code and by the Monday of event_date's week.
func (s *Store) Stats(ctx context.Context, f geo.Filter) (geo.Stats, error) {
	st, err := s.stats(ctx, f)
	if err != nil {
		return geo.Stats{}, fmt.Errorf("sqlite store: stats: %w", err)
	}
	return st, nil
}

func (s *Store) stats(ctx context.Context, f geo.Filter) (geo.Stats, error) {
	cond, args := where(f)
	// One pass groups by all three keys; Go folds the groups into the three
	// breakdowns. 'weekday 0' moves forward to the next Sunday (or stays on
	// one); six days back from there is the Monday of the ISO week.
	rows, err := s.reader.QueryContext(ctx, "SELECT e.event_type, e.country_code, "+
		"coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''), count(*) FROM events e WHERE "+cond+
		" GROUP BY 1, 2, 3", args...)
	if err != nil {
		return geo.Stats{}, err
	}
	defer rows.Close()
	var tally geo.Tally
	for rows.Next() {
		var typ, country, week string
		var n int
		if err := rows.Scan(&typ, &country, &week, &n); err != nil {
			return geo.Stats{}, err
		}
		tally.Add(typ, country, week, n)
	}
	if err := rows.Err(); err != nil {
		return geo.Stats{}, err
	}
	return tally.Stats(), nil
}

// Extent returns the bounding box of all event points, the first
// event_date and the last event_date_end (or event_date).
func (s *Store) Extent(ctx context.Context) (geo.Extent, error) {
	var (
		w, so, e, n sql.NullFloat64
		start, end  sql.NullString
	)
	err := s.reader.QueryRowContext(ctx, `SELECT min(lon), min(lat), max(lon), max(lat),
		min(event_date), max(coalesce(event_date_end, event_date)) FROM events`).Scan(&w, &so, &e, &n, &start, &end)
	if err != nil {
		return geo.Extent{}, fmt.Errorf("sqlite store: extent: %w", err)
	}
	ext := geo.Extent{Start: start.String, End: end.String}
	if w.Valid {
		ext.BBox = &geo.BBox{West: w.Float64, South: so.Float64, East: e.Float64, North: n.Float64}
	}
	return ext, nil
}
