package postgis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// insertEvent writes an event; an id already stored (under this article or
// another) is overwritten, so the event belongs to the article ingested last.
const insertEvent = `INSERT INTO events (id, article_id, geom, bound_west, bound_south, bound_east, bound_north,
	event_date, event_date_end, time_precision, event_type, sub_event_type, modality,
	actor1, actor2, fatalities, location, country, country_code, admin1,
	geonameid, feature_code, geo_precision, mention, quote, confidence,
	title, source_url, published, extractor_version, actors_folded, quote_folded)
VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5, $6, $7, $8,
	$9::date, $10::date, $11, $12, $13, $14,
	$15, $16, $17, $18, $19, $20, $21,
	$22, $23, $24, $25, $26, $27,
	$28, $29, $30, $31, $32, $33)
ON CONFLICT (id) DO UPDATE SET article_id = excluded.article_id, geom = excluded.geom,
	bound_west = excluded.bound_west, bound_south = excluded.bound_south,
	bound_east = excluded.bound_east, bound_north = excluded.bound_north,
	event_date = excluded.event_date, event_date_end = excluded.event_date_end,
	time_precision = excluded.time_precision, event_type = excluded.event_type,
	sub_event_type = excluded.sub_event_type, modality = excluded.modality,
	actor1 = excluded.actor1, actor2 = excluded.actor2, fatalities = excluded.fatalities,
	location = excluded.location, country = excluded.country, country_code = excluded.country_code,
	admin1 = excluded.admin1, geonameid = excluded.geonameid, feature_code = excluded.feature_code,
	geo_precision = excluded.geo_precision, mention = excluded.mention, quote = excluded.quote,
	confidence = excluded.confidence, title = excluded.title, source_url = excluded.source_url,
	published = excluded.published, extractor_version = excluded.extractor_version,
	actors_folded = excluded.actors_folded, quote_folded = excluded.quote_folded`

// selectColumns reads an event of the events table e in scanEvent's order;
// coordinates come from the geometry, which holds them as exact doubles.
const selectColumns = `e.id, e.article_id, ST_X(e.geom), ST_Y(e.geom),
	e.bound_west, e.bound_south, e.bound_east, e.bound_north,
	coalesce(to_char(e.event_date, 'YYYY-MM-DD'), ''), coalesce(to_char(e.event_date_end, 'YYYY-MM-DD'), ''),
	e.time_precision, e.event_type, e.sub_event_type, e.modality,
	e.actor1, e.actor2, e.fatalities, e.location, e.country, e.country_code, e.admin1,
	e.geonameid, e.feature_code, e.geo_precision, e.mention, e.quote, e.confidence,
	e.title, e.source_url, e.published, e.extractor_version`

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

// scanEvent reads an event from the columns of selectColumns, after the
// columns read into lead.
func scanEvent(row pgx.Row, lead ...any) (geo.Event, error) {
	var (
		e              geo.Event
		bw, bs, be, bn *float64
		fatalities     *int32
		timePrec, geoP int32
	)
	err := row.Scan(append(lead, &e.ID, &e.ArticleID, &e.Point[0], &e.Point[1], &bw, &bs, &be, &bn,
		&e.EventDate, &e.EventDateEnd, &timePrec, &e.EventType, &e.SubEventType, &e.Modality,
		&e.Actor1, &e.Actor2, &fatalities, &e.Location, &e.Country, &e.CountryCode, &e.Admin1,
		&e.GeonameID, &e.FeatureCode, &geoP, &e.Mention, &e.Quote, &e.Confidence,
		&e.Title, &e.SourceURL, &e.Published, &e.ExtractorVersion)...)
	if err != nil {
		return geo.Event{}, err
	}
	e.TimePrecision, e.GeoPrecision = int(timePrec), int(geoP)
	if bw != nil && bs != nil && be != nil && bn != nil {
		e.Bound = &orb.Bound{Min: orb.Point{*bw, *bs}, Max: orb.Point{*be, *bn}}
	}
	if fatalities != nil {
		n := int(*fatalities)
		e.Fatalities = &n
	}
	return e, nil
}

// Ingest stores the article with its text and replaces all of its events,
// bumping the data version, in one transaction that is committed when
// Ingest returns. It returns the stored article.
func (s *Store) Ingest(ctx context.Context, a geo.Article, events []geo.Event) (geo.Article, error) {
	events, err := geo.CheckIngest(a, events)
	if err != nil {
		return geo.Article{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.ingest(ctx, a, events, now); err != nil {
		return geo.Article{}, fmt.Errorf("postgis store: ingest %s: %w", a.ID, err)
	}
	a.IngestedAt = now
	a.Events = len(events)
	return a, nil
}

func (s *Store) ingest(ctx context.Context, a geo.Article, events []geo.Event, now time.Time) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Bumping the version first takes its row lock, which orders concurrent
	// ingests one after the other for the rest of the transaction.
	var version int64
	err = tx.QueryRow(ctx, "UPDATE meta SET value = greatest(value + 1, $1) WHERE key = 'version' RETURNING value",
		now.UnixMicro()).Scan(&version)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO articles (id, title, url, published, text, ingested_at, ingest_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, url = excluded.url, published = excluded.published,
			text = excluded.text, ingested_at = excluded.ingested_at, ingest_version = excluded.ingest_version`,
		a.ID, a.Title, a.URL, a.Published, a.Text, now, version)
	b.Queue("DELETE FROM events WHERE article_id = $1", a.ID)
	for _, e := range events {
		b.Queue(insertEvent, eventArgs(e)...)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// query builds a condition with numbered parameters.
type query struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *query) where() string {
	if len(q.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(q.conds, " AND ")
}

// filter returns the condition on the events table e that selects f.
func filter(f geo.Filter) *query {
	q := &query{}
	if b := f.BBox; b != nil {
		// The GiST index finds candidates by their float boxes, which are
		// rounded outwards; the exact coordinates decide.
		env := func(w, s, e, n float64) string {
			return "e.geom && ST_MakeEnvelope(" + q.arg(w) + ", " + q.arg(s) + ", " + q.arg(e) + ", " + q.arg(n) + ", 4326)"
		}
		lat := "ST_Y(e.geom) >= " + q.arg(b.South) + " AND ST_Y(e.geom) <= " + q.arg(b.North)
		if b.West <= b.East {
			q.conds = append(q.conds, env(b.West, b.South, b.East, b.North), lat,
				"ST_X(e.geom) >= "+q.arg(b.West)+" AND ST_X(e.geom) <= "+q.arg(b.East))
		} else {
			q.conds = append(q.conds, "("+env(b.West, b.South, 180, b.North)+" OR "+env(-180, b.South, b.East, b.North)+")", lat,
				"(ST_X(e.geom) >= "+q.arg(b.West)+" OR ST_X(e.geom) <= "+q.arg(b.East)+")")
		}
	}
	switch {
	case f.Start != "" && f.End != "" && f.Start > f.End:
		q.conds = append(q.conds, "FALSE") // daterange would refuse the bounds
	case f.Start != "" || f.End != "":
		// An empty bound is unbounded; dates is NULL for undated events.
		q.conds = append(q.conds, "e.dates && daterange("+q.arg(nullString(f.Start))+"::date, "+q.arg(nullString(f.End))+"::date, '[]')")
	}
	if len(f.Types) > 0 {
		q.conds = append(q.conds, "e.event_type = ANY("+q.arg(f.Types)+"::text[])")
	}
	if len(f.Modalities) > 0 {
		q.conds = append(q.conds, "e.modality = ANY("+q.arg(f.Modalities)+"::text[])")
	}
	if f.Country != "" {
		q.conds = append(q.conds, "e.country_code = "+q.arg(f.Country))
	}
	// Words are matched with strpos on case-folded text, not LIKE, so that
	// % and _ in a word are plain characters.
	for _, w := range strings.Fields(strings.ToLower(f.Actor)) {
		q.conds = append(q.conds, "strpos(e.actors_folded, "+q.arg(w)+") > 0")
	}
	for _, w := range strings.Fields(strings.ToLower(f.Q)) {
		q.conds = append(q.conds, "strpos(e.quote_folded, "+q.arg(w)+") > 0")
	}
	return q
}

// Events returns one page of the events that match f, newest event_date
// first (undated last), then by id, and how many match in all. Both come
// from one snapshot, except past the last page, where there is no page.
func (s *Store) Events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	page, err := s.events(ctx, f)
	if err != nil {
		return geo.EventPage{}, fmt.Errorf("postgis store: events: %w", err)
	}
	return page, nil
}

func (s *Store) events(ctx context.Context, f geo.Filter) (geo.EventPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = geo.DefaultLimit
	}
	limit = min(limit, geo.MaxLimit)
	offset := max(f.Offset, 0)
	q := filter(f)
	cond := q.where()
	// One statement, so one snapshot: the inner query sorts only ids and
	// dates and counts every match before the limit applies; the outer one
	// reads the whole rows of the page alone.
	rows, err := s.pool.Query(ctx, "WITH page AS (SELECT e.id, e.event_date, count(*) OVER () AS matched"+
		" FROM events e WHERE "+cond+" ORDER BY e.event_date DESC NULLS LAST, e.id"+
		" LIMIT "+q.arg(limit)+" OFFSET "+q.arg(offset)+")"+
		" SELECT p.matched, "+selectColumns+" FROM page p JOIN events e ON e.id = p.id"+
		" ORDER BY p.event_date DESC NULLS LAST, p.id", q.args...)
	if err != nil {
		return geo.EventPage{}, err
	}
	defer rows.Close()
	page := geo.EventPage{Events: []geo.Event{}}
	for rows.Next() {
		var matched int64
		e, err := scanEvent(rows, &matched)
		if err != nil {
			return geo.EventPage{}, err
		}
		page.Matched = int(matched)
		page.Events = append(page.Events, e)
	}
	if err := rows.Err(); err != nil {
		return geo.EventPage{}, err
	}
	if len(page.Events) == 0 && offset > 0 {
		// Past the last page the rows carry no count: count alone.
		var n int64
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM events e WHERE "+cond, q.args[:len(q.args)-2]...).Scan(&n); err != nil {
			return geo.EventPage{}, err
		}
		page.Matched = int(n)
	}
	return page, nil
}

// Event returns the event with the given id.
func (s *Store) Event(ctx context.Context, id string) (geo.Event, error) {
	e, err := scanEvent(s.pool.QueryRow(ctx, "SELECT "+selectColumns+" FROM events e WHERE e.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Event{}, geo.Errorf(geo.ENOTFOUND, "no event %s", id)
	}
	if err != nil {
		return geo.Event{}, fmt.Errorf("postgis store: event %s: %w", id, err)
	}
	return e, nil
}

// Stats counts the events that match f, ignoring its Limit and Offset, by
// event type, by country code and by the Monday of event_date's week.
func (s *Store) Stats(ctx context.Context, f geo.Filter) (geo.Stats, error) {
	st, err := s.stats(ctx, f)
	if err != nil {
		return geo.Stats{}, fmt.Errorf("postgis store: stats: %w", err)
	}
	return st, nil
}

func (s *Store) stats(ctx context.Context, f geo.Filter) (geo.Stats, error) {
	q := filter(f)
	// One pass groups by all three keys; Go folds the groups into the three
	// breakdowns. ISO day of week 1 is Monday: plain date arithmetic, so no
	// time zone is involved.
	rows, err := s.pool.Query(ctx, `SELECT e.event_type, e.country_code,
		coalesce(to_char(e.event_date - (extract(isodow FROM e.event_date)::integer - 1), 'YYYY-MM-DD'), ''),
		count(*) FROM events e WHERE `+q.where()+" GROUP BY 1, 2, 3", q.args...)
	if err != nil {
		return geo.Stats{}, err
	}
	defer rows.Close()
	var tally geo.Tally
	for rows.Next() {
		var typ, country, week string
		var n int64
		if err := rows.Scan(&typ, &country, &week, &n); err != nil {
			return geo.Stats{}, err
		}
		tally.Add(typ, country, week, int(n))
	}
	if err := rows.Err(); err != nil {
		return geo.Stats{}, err
	}
	return tally.Stats(), nil
}

// Extent returns the bounding box of all event points, the first
// event_date and the last event_date_end (or event_date). The box comes from
// the exact coordinates, not from PostGIS's float boxes.
func (s *Store) Extent(ctx context.Context) (geo.Extent, error) {
	var (
		w, so, e, n *float64
		start, end  string
	)
	err := s.pool.QueryRow(ctx, `SELECT min(ST_X(geom)), min(ST_Y(geom)), max(ST_X(geom)), max(ST_Y(geom)),
		coalesce(to_char(min(event_date), 'YYYY-MM-DD'), ''),
		coalesce(to_char(max(coalesce(event_date_end, event_date)), 'YYYY-MM-DD'), '')
		FROM events`).Scan(&w, &so, &e, &n, &start, &end)
	if err != nil {
		return geo.Extent{}, fmt.Errorf("postgis store: extent: %w", err)
	}
	ext := geo.Extent{Start: start, End: end}
	if w != nil {
		ext.BBox = &geo.BBox{West: *w, South: *so, East: *e, North: *n}
	}
	return ext, nil
}
