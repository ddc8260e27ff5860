package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync/atomic"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// cellQuerier is what the cell reads run on: the reader pool or a read
// transaction.
type cellQuerier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// cellsLive reports whether the kept cell counts are up to date: not while
// a bulk import has their triggers deferred (DeferIndexes).
func cellsLive(ctx context.Context, q cellQuerier) (bool, error) {
	var deferred bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deferred_indexes WHERE name LIKE 'cell\_%' ESCAPE '\')`).Scan(&deferred)
	return !deferred, err
}

// countryCount is eventsql.CountryCountSQL when the kept cells are live.
func countryCount(ctx context.Context, q cellQuerier, f geo.Filter) (string, []any, bool, error) {
	stmt, args, ok := eventsql.CountryCountSQL(sqliteSQL, f)
	if !ok {
		return "", nil, false, nil
	}
	live, err := cellsLive(ctx, q)
	return stmt, args, live, err
}

// planBox is eventsql.PlanBox when the kept counts are live, or for stats
// eventsql.PlanStats.
func planBox(ctx context.Context, q cellQuerier, f geo.Filter, stats bool) (eventsql.CellPlan, bool, error) {
	if (stats && !eventsql.StatsUsable(f)) || !eventsql.CellsUsable(f) {
		return eventsql.CellPlan{}, false, nil
	}
	p, ok := eventsql.PlanBox(sqliteSQL, f, stats)
	if !ok && stats {
		p, ok = eventsql.PlanStats(sqliteSQL, f)
	}
	if !ok {
		return p, false, nil
	}
	live, err := cellsLive(ctx, q)
	return p, live, err
}

// narrowStrip is the widest strip, in degrees of longitude, whose events
// are read from the points' index (events_by_point, keyed by longitude
// and holding the fields a density count reads) rather than looked up in
// the R*Tree, whose hits are read row by row: a strip along the west or
// east edge of a box, a fine cell wide, lies in a band of longitudes that
// holds few more events than the strip itself, each read from the index's
// entry alone. The width of a cell of level 12 (eventsql.FineLevels).
const narrowStrip = 360.0 / 16384

// stripQuery returns the condition that selects the events of strip s of
// f's box, and the dialect to read them with: its entries of
// events_point_words when they hold every field f tests (stripPoints),
// else planned as a box of its own (dialectFor), where a strip of few
// events is looked up in the R*Tree.
func (s *Store) stripQuery(ctx context.Context, q cellQuerier, f geo.Filter, strip eventsql.Strip) (*eventsql.Query, dialect, error) {
	if stripPoints(f, strip) {
		return eventsql.StripFilter(pointWordsDialect, f, strip), pointWordsDialect, nil
	}
	g := f
	g.BBox, g.Start, g.End = strip.Box, strip.Start, strip.End
	d, err := s.dialectFor(ctx, q, g)
	if err != nil {
		return nil, d, err
	}
	if b := strip.Box; b != nil && b.West <= b.East && b.East-b.West <= narrowStrip {
		d.rtree = func(geo.BBox) bool { return false }
	}
	// A strip along the box's edge, between a start and an end: when its
	// box holds fewer events than the dates, its box picks the rows
	// (dialect.byBox), which SQLite's planner does not see for both
	// bounds. With one, it reads the box (and weighing it cost the four
	// strips of a view at zoom 6 since a day 4 ms of their 10).
	if b := strip.Box; b != nil && b.West <= b.East && !strip.Days && g.Start != "" && g.End != "" {
		// In a transaction, its connection reads the dates' count too: a
		// strip read beside others (cellStats) holds one of the pool's.
		dated := func(ctx context.Context) (int64, error) { return s.datedCountIn(ctx, q, g.Start, g.End) }
		if d.byBox, err = boxUnderIn(ctx, q, g, dated); err != nil {
			return nil, d, err
		}
	}
	// The strip's box picks its rows (the R*Tree or the point index); the
	// type, modality and origin are checked on them, kept off their own
	// indexes by a unary plus, which SQLite would otherwise walk whole (a
	// strip of a few thousand events read through the type index's 166,000
	// battles: 0.1-0.2 s).
	fields := f
	fields.Types, fields.Modalities, fields.Origins, fields.Country = nil, nil, nil, ""
	sq := eventsql.StripFilter(d, fields, strip)
	sq.In("+e.event_type", f.Types)
	sq.In("+e.modality", f.Modalities)
	sq.In("+e.origin", f.Origins)
	if f.Country != "" {
		// A country's strips: its 83,000 entries of the million's
		// country index, walked once per strip, took the density cells
		// of a box at zoom 6 to 0.1 s.
		sq.Add("+e.country_code = " + sq.Arg(f.Country))
	}
	return sq, d, nil
}

// cellCount counts f's events by plan p: the kept counts of its cells and
// the events of its strips. On several CPUs, every other strip is counted
// on a connection of its own (countAside) while tx counts the rest: the
// strips of a small box in the hotspot in a year hold 23,000 events, read
// one by one (a page's count: 33 ms in turn).
func (s *Store) cellCount(ctx context.Context, tx *sql.Tx, p eventsql.CellPlan, f geo.Filter) (int, error) {
	stmt, args := eventsql.CellCountSQL(sqliteSQL, p, f)
	var total int
	if err := tx.QueryRowContext(ctx, stmt, args...).Scan(&total); err != nil {
		return 0, err
	}
	return s.countStrips(ctx, tx, p.Strips, total, func(q cellQuerier, strip eventsql.Strip) (*eventsql.Query, dialect, error) {
		return s.stripQuery(ctx, q, f, strip)
	})
}

// countStrips adds to total the events of strips with their signs, each
// found by the condition query returns for it on the querier it reads
// with. On several CPUs, every other strip is counted on a connection of
// its own (countAside) while tx counts the rest.
func (s *Store) countStrips(ctx context.Context, tx *sql.Tx, strips []eventsql.Strip, total int,
	query func(cellQuerier, eventsql.Strip) (*eventsql.Query, dialect, error)) (int, error) {
	var (
		aside     <-chan asideCount
		countRest func(context.Context, *sql.Tx) (int, error)
	)
	if s.pieces > 1 && len(strips) > 1 {
		var own, rest []eventsql.Strip
		for i, strip := range strips {
			if i%2 == 1 {
				rest = append(rest, strip)
			} else {
				own = append(own, strip)
			}
		}
		countRest = func(ctx context.Context, atx *sql.Tx) (int, error) {
			return stripCount(ctx, atx, rest, 0, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
				return query(atx, strip)
			})
		}
		var cancel context.CancelFunc
		aside, cancel = s.countAside(ctx, countRest)
		defer cancel()
		strips = own
	}
	total, err := stripCount(ctx, tx, strips, total, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
		return query(tx, strip)
	})
	if err != nil || aside == nil {
		return total, err
	}
	n, err := asideResult(ctx, tx, aside, countRest)
	return total + n, err
}

// stripCount adds to total the events of each strip, found by the
// condition query returns for it, with the strip's sign.
func stripCount(ctx context.Context, q cellQuerier, strips []eventsql.Strip, total int,
	query func(eventsql.Strip) (*eventsql.Query, dialect, error)) (int, error) {
	for _, strip := range strips {
		sq, d, err := query(strip)
		if err != nil {
			return 0, err
		}
		var n int
		if err := q.QueryRowContext(ctx, d.indexed(eventsql.CountSQL(sq)), sq.Args...).Scan(&n); err != nil {
			return 0, err
		}
		total += strip.Sign() * n
	}
	return total, nil
}

// cellStats is Stats of f by plan p. On several CPUs the kept cells and
// each strip are read at once, each in a snapshot of its own (atOnce),
// and again in turn when a write came between them: a strip's events are
// read one by one, and the strips of a small box in the hotspot since a
// day hold 23,000 of them (53 ms in turn).
func (s *Store) cellStats(ctx context.Context, q cellQuerier, p eventsql.CellPlan, f geo.Filter) (geo.Stats, error) {
	if s.pieces > 1 && len(p.Strips) > 0 {
		// Part i < len(p.Strips) is the strip i's, the last the kept
		// cells' (the quickest). Each of s.pieces connections reads the
		// next part left until none is, so that the reads never wait for
		// the pool, and a strip of many events does not hold back the
		// parts dealt after it (a small box's four strips: 40 ms dealt
		// in turn to two connections).
		parts := len(p.Strips) + 1
		tallies := make([]geo.Tally, min(s.pieces, parts))
		var next atomic.Int64
		same, err := s.atOnce(ctx, len(tallies), func(ctx context.Context, tx *sql.Tx, j int) error {
			for i := int(next.Add(1) - 1); i < parts; i = int(next.Add(1) - 1) {
				var err error
				if i == len(p.Strips) {
					err = keptStats(ctx, tx, p, f, &tallies[j])
				} else {
					err = s.stripStats(ctx, tx, f, p.Strips[i], &tallies[j])
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return geo.Stats{}, err
		}
		if same {
			var t geo.Tally
			for i := range tallies {
				t.Merge(&tallies[i])
			}
			return t.Stats(), nil
		}
	}
	var t geo.Tally
	if err := keptStats(ctx, q, p, f, &t); err != nil {
		return geo.Stats{}, err
	}
	for _, strip := range p.Strips {
		if err := s.stripStats(ctx, q, f, strip, &t); err != nil {
			return geo.Stats{}, err
		}
	}
	return t.Stats(), nil
}

// keptStats adds to t the kept cells' part of the stats of f by plan p.
func keptStats(ctx context.Context, q cellQuerier, p eventsql.CellPlan, f geo.Filter, t *geo.Tally) error {
	stmt, args := eventsql.CellTypeWeekSQL(sqliteSQL, p, f)
	if err := eachRow(ctx, q, stmt, args, func(r *sql.Rows) error { return eventsql.TallyTypeWeeks(r, t) }); err != nil {
		return err
	}
	stmt, args = eventsql.CellCountrySQL(sqliteSQL, p, f)
	return eachRow(ctx, q, stmt, args, func(r *sql.Rows) error { return eventsql.TallyCountries(r, t) })
}

// stripStats adds to t the events of strip, with its sign, read one by
// one and tallied here: SQLite's GROUP BY sorts every event by its group
// first, and the week of each (date()) costs as much again (a strip of
// 18,862 events of the hotspot: 16 ms grouped in the sqlite3 shell, 2 ms
// counted).
func (s *Store) stripStats(ctx context.Context, q cellQuerier, f geo.Filter, strip eventsql.Strip, t *geo.Tally) error {
	sq, d, err := s.stripQuery(ctx, q, f, strip)
	if err != nil {
		return err
	}
	sign := strip.Sign()
	weeks := map[string]string{}
	return eachRow(ctx, q, d.indexed("SELECT e.event_type, e.country_code, coalesce(e.event_date, '') FROM events e WHERE "+sq.Where()), sq.Args,
		func(r *sql.Rows) error {
			for r.Next() {
				var typ, country, date string
				if err := r.Scan(&typ, &country, &date); err != nil {
					return err
				}
				week, ok := weeks[date]
				if !ok {
					week = geo.WeekOf(date)
					weeks[date] = week
				}
				t.Add(typ, country, week, sign)
			}
			return r.Err()
		})
}

// cellGroups returns the density cells of f at zoom by plan p. On several
// CPUs the parts of p (eventsql.CellPlan.Parts: bands of its cells and its
// strips) are read at once, dealt out as cellStats deals its parts, each
// connection in a snapshot of its own, and again in one snapshot when a
// write came between them: a hotspot's view at zoom 10 between dates reads
// 78,000 groups of cell_fine_weeks and strips of 35,000 events (86 ms in
// turn). It holds no connection of the pool while it waits for others:
// requests that each held one and waited for more would wait for each
// other once the pool's were all held.
func (s *Store) cellGroups(ctx context.Context, p eventsql.CellPlan, f geo.Filter, zoom int) ([]geo.Cell, error) {
	if s.pieces > 1 {
		// Twice as many parts as connections: a connection that is done
		// with a small part takes the next.
		parts := p.Parts(2 * s.pieces)
		groups := make([][]geo.CellRow, min(s.pieces, len(parts)))
		var next atomic.Int64
		same, err := s.atOnce(ctx, len(groups), func(ctx context.Context, tx *sql.Tx, j int) (err error) {
			for i := int(next.Add(1) - 1); i < len(parts); i = int(next.Add(1) - 1) {
				if groups[j], err = s.planGroups(ctx, tx, parts[i], f, zoom, groups[j]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if same {
			return geo.FoldCells(zoom, slices.Concat(groups...)), nil
		}
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	groups, err := s.planGroups(ctx, tx, p, f, zoom, nil)
	if err != nil {
		return nil, err
	}
	return geo.FoldCells(zoom, groups), nil
}

// planGroups appends to groups the groups of plan p's cells and strips
// for f at zoom.
func (s *Store) planGroups(ctx context.Context, q cellQuerier, p eventsql.CellPlan, f geo.Filter, zoom int, groups []geo.CellRow) ([]geo.CellRow, error) {
	for _, rect := range p.CellRects() {
		var err error
		if groups, err = rectGroups(ctx, q, rect, f, zoom, groups); err != nil {
			return nil, err
		}
	}
	for _, strip := range p.Strips {
		var err error
		groups, err = stripGroups(ctx, q, strip, zoom, groups, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
			return s.stripQuery(ctx, q, f, strip)
		})
		if err != nil {
			return nil, err
		}
	}
	return groups, nil
}

// stripPoints reports whether the events of a strip along a box's edge
// are read from its entries of events_point_words, which hold every field
// a density cell, a count or the stats read and test (migration 0038),
// one range of latitudes per column of the strip: when f tests no other
// field and the strip meets few columns (eventsql.MaxStripColumns). A
// strip along the north or south edge of a box lies across its
// longitudes, whose entries of events_by_point it would read whatever
// their latitude, or its events' rows from the R*Tree (a hotspot's box of
// 0.6 by 0.4 degrees: 13-31 ms a strip of 1,400-4,100 events, 1-3 ms
// this way).
func stripPoints(f geo.Filter, strip eventsql.Strip) bool {
	b := strip.Box
	if strip.Days || strip.Sparse || b == nil || b.West > b.East || len(f.GeoPrecisions) > 0 || len(f.SubTypes) > 0 ||
		len(f.Modalities) > 0 || len(f.Origins) > 0 || f.MinSources > 1 {
		return false
	}
	x0, x1 := eventsql.ColumnRange(*b, pointWordsColumnLevel)
	return x1-x0 < eventsql.MaxStripColumns
}

// rectGroups appends to groups the kept groups of the cells rect matching
// f, moved to zoom.
func rectGroups(ctx context.Context, q cellQuerier, rect eventsql.CellRect, f geo.Filter, zoom int, groups []geo.CellRow) ([]geo.CellRow, error) {
	stmt, args := eventsql.CellGroupsSQL(sqliteSQL, rect, f)
	err := eachRow(ctx, q, stmt, args, func(r *sql.Rows) (err error) {
		groups, err = eventsql.ScanCellRows(r, rect.Level, zoom, 1, groups)
		return err
	})
	return groups, err
}

// stripCells adds to groups the events of each strip, found by the
// condition query returns for it, grouped by cell at zoom with the strip's
// sign, and folds them into the density cells.
func stripCells(ctx context.Context, q cellQuerier, strips []eventsql.Strip, zoom int, groups []geo.CellRow,
	query func(eventsql.Strip) (*eventsql.Query, dialect, error)) ([]geo.Cell, error) {
	for _, strip := range strips {
		var err error
		if groups, err = stripGroups(ctx, q, strip, zoom, groups, query); err != nil {
			return nil, err
		}
	}
	return geo.FoldCells(zoom, groups), nil
}

// stripGroups appends to groups the events of strip, found by the
// condition query returns for it, grouped by cell at zoom with the strip's
// sign. The events are read one by one and grouped in the program
// (pointGroups), not by GROUP BY, which sorts them first: the strips
// along the edges of a hotspot's view at zoom 11 since a date hold some
// 13,000 events, whose groups took 24 ms of CPU in SQL.
func stripGroups(ctx context.Context, q cellQuerier, strip eventsql.Strip, zoom int, groups []geo.CellRow,
	query func(eventsql.Strip) (*eventsql.Query, dialect, error)) ([]geo.CellRow, error) {
	sq, d, err := query(strip)
	if err != nil {
		return nil, err
	}
	g := newPointGroups(zoom)
	if err := g.read(ctx, q, d.indexed(eventsql.PointsSQL(d, sq)), sq.Args); err != nil {
		return nil, err
	}
	sign := strip.Sign()
	for _, r := range g.groups {
		r.Count, r.Fatalities = sign*r.Count, sign*r.Fatalities
		r.SumLon, r.SumLat = float64(sign)*r.SumLon, float64(sign)*r.SumLat
		groups = append(groups, *r)
	}
	return groups, nil
}

// eachRow runs stmt and hands its rows to read.
func eachRow(ctx context.Context, q cellQuerier, stmt string, args []any, read func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return read(rows)
}

// refillCells counts the kept cells again from the events, after a bulk
// import that deferred their triggers: the finest level from the events,
// each coarser one from it.
func refillCells(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range []string{
		"DELETE FROM cell_types",
		"DELETE FROM cell_countries",
		`INSERT INTO cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT 8, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
			e.event_type, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
			coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''),
			e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
		FROM events e GROUP BY 2, 3, 4, 5, 6, 7, 8`,
		`INSERT INTO cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT l.level, c.x >> (8 - l.level), c.y >> (8 - l.level), c.event_type, c.week, c.week_last, c.modality, c.origin,
			sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
		FROM cell_types c, cell_levels l WHERE c.level = 8 AND l.level < 8 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
		`INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT 8, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
			e.event_type, e.country_code, e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
		FROM events e GROUP BY 2, 3, 4, 5, 6, 7`,
		`INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT l.level, c.x >> (8 - l.level), c.y >> (8 - l.level), c.event_type, c.country_code, c.modality, c.origin,
			sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
		FROM cell_countries c, cell_levels l WHERE c.level = 8 AND l.level < 8 GROUP BY 1, 2, 3, 4, 5, 6, 7`,
		"DELETE FROM cell_country_weeks",
		`INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
		SELECT 8, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
			e.country_code, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
			coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''), count(*)
		FROM events e GROUP BY 2, 3, 4, 5, 6`,
		`INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
		SELECT l.level, c.x >> (8 - l.level), c.y >> (8 - l.level), c.country_code, c.week, c.week_last, sum(c.n)
		FROM cell_country_weeks c, cell_levels l WHERE c.level = 8 AND l.level < 8 GROUP BY 1, 2, 3, 4, 5, 6`,
		`INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
		SELECT 10, min(CAST((e.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((e.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
			e.country_code, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
			coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''), count(*)
		FROM events e GROUP BY 2, 3, 4, 5, 6`,
		"DELETE FROM cell_fine_weeks",
		// Level 11 from the events, level 10 from it: a cell of level 11
		// halved is its cell of level 10, clamped alike.
		`INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT 11, min(CAST((e.lon + 180) * 8192.0 / 360 AS INTEGER), 8191), min(CAST((e.lat + 90) * 8192.0 / 360 AS INTEGER), 4095),
			e.event_type, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
			coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''),
			e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
		FROM events e GROUP BY 2, 3, 4, 5, 6, 7, 8`,
		`INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT 10, c.x >> 1, c.y >> 1, c.event_type, c.week, c.week_last, c.modality, c.origin,
			sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
		FROM cell_fine_weeks c WHERE c.level = 11 GROUP BY 2, 3, 4, 5, 6, 7, 8`,
		"DELETE FROM cell_fine",
		`INSERT INTO cell_fine (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)
		SELECT 14, min(CAST((e.lon + 180) * 65536.0 / 360 AS INTEGER), 65535), min(CAST((e.lat + 90) * 65536.0 / 360 AS INTEGER), 32767),
			e.event_type, e.modality, e.origin, e.geo_precision, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
		FROM events e GROUP BY 2, 3, 4, 5, 6, 7`,
		`INSERT INTO cell_fine (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)
		SELECT l.level, c.x >> (14 - l.level), c.y >> (14 - l.level), c.event_type, c.modality, c.origin, c.geo_precision,
			sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
		FROM cell_fine c, cell_fine_levels l WHERE c.level = 14 AND l.level < 14 GROUP BY 1, 2, 3, 4, 5, 6, 7`,
		"DELETE FROM cell_word_fine",
		`INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT f.field, w.value, min(CAST((e.lon + 180) * 8192.0 / 360 AS INTEGER), 8191),
			min(CAST((e.lat + 90) * 8192.0 / 360 AS INTEGER), 4095), e.event_type, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
		FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
			json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
		GROUP BY 1, 2, 3, 4, 5`,
		// Level 8's cells hold level 11's, and the clamped last column and
		// row halve into the clamped ones.
		"DELETE FROM cell_words",
		`INSERT INTO cell_words (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT field, word, x >> 3, y >> 3, event_type, sum(n), sum(fatalities), sum(sum_lon), sum(sum_lat)
		FROM cell_word_fine GROUP BY 1, 2, 3, 4, 5`,
		"DELETE FROM cell_word_stats",
		`INSERT INTO cell_word_stats (field, word, x, y, kind, key, n)
		SELECT f.field, w.value, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023),
			min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511), 0, e.country_code, count(*)
		FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
			json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
		GROUP BY 1, 2, 3, 4, 5, 6`,
		"DELETE FROM cell_word_weeks",
		`INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT f.field, w.value, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
			min(CAST((e.lon + 180) * 2048.0 / 360 AS INTEGER), 2047), min(CAST((e.lat + 90) * 2048.0 / 360 AS INTEGER), 1023),
			e.event_type, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
		FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
			json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
		GROUP BY 1, 2, 3, 4, 5, 6`,
		"DELETE FROM cell_word_weeks_coarse",
		`INSERT INTO cell_word_weeks_coarse (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT field, word, week, x >> 4, y >> 4, event_type, sum(n), sum(fatalities), sum(sum_lon), sum(sum_lat)
		FROM cell_word_weeks GROUP BY 1, 2, 3, 4, 5, 6`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// deferredCellTriggers adds the cell triggers to what DeferIndexes defers:
// a bulk import then fills the cells in one grouped statement per table at
// its end (refillDeferredCells) instead of a few upserts per event.
const deferredCellTriggers = ` OR (type = 'trigger' AND name LIKE 'cell\_%' ESCAPE '\')`

// deferredDrop returns the statement that drops a deferred index or trigger.
func deferredDrop(name, create string) string {
	kind := "INDEX"
	if strings.HasPrefix(create, "CREATE TRIGGER ") {
		kind = "TRIGGER"
	}
	return "DROP " + kind + ` IF EXISTS "` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// refillDeferredCells refills the kept cells when the cell triggers were
// deferred (creates holds the deferred statements), before they are
// created again in the same transaction.
func refillDeferredCells(ctx context.Context, tx *sql.Tx, creates []string) error {
	for _, q := range creates {
		if strings.HasPrefix(q, "CREATE TRIGGER cell_") {
			if err := refillCells(ctx, tx); err != nil {
				return err
			}
			return refillDetailCells(ctx, tx)
		}
	}
	return nil
}

// reduced is eventsql.Reduced when the kept cells are live to tell.
func reduced(ctx context.Context, q cellQuerier, f geo.Filter) (geo.Filter, error) {
	if f.BBox == nil {
		return f, nil
	}
	if live, err := cellsLive(ctx, q); err != nil || !live {
		return f, err
	}
	return eventsql.Reduced(sqliteSQL, f, func(stmt string, args ...any) eventsql.Scanner {
		return q.QueryRowContext(ctx, stmt, args...)
	})
}

// wordCellPlan returns the plan of f's count (zoom eventsql.WordCellLevel)
// or of its density cells at zoom from the kept counts per word and cell
// (eventsql.PlanWordCells), with the field and the stored word its word
// starts (empty when none), when they answer f: one word that starts one
// stored word only, with a box or types besides, and the cells live.
func wordCellPlan(ctx context.Context, q cellQuerier, f geo.Filter, zoom int) (p eventsql.CellPlan, field, term string, ok bool, err error) {
	field, word, ok := eventsql.WordCellsWord(f)
	if !ok {
		return p, "", "", false, nil
	}
	if p, ok = eventsql.PlanWordCells(sqliteSQL, f, zoom); !ok {
		return p, "", "", false, nil
	}
	if live, err := cellsLive(ctx, q); err != nil || !live {
		return p, "", "", false, err
	}
	term, ok, err = eventsql.OneTerm(q.QueryRowContext(ctx, eventsql.TermSQL(sqliteSQL), field, word), word)
	return p, field, term, ok, err
}

// wordStripQuery is stripQuery for a plan of cell_words: the strip's events
// are found by their box, and each one's words tested on its row
// (dialect.Words of a walk), since the full-text index would list every
// event of a common word for each strip.
func (s *Store) wordStripQuery(ctx context.Context, q cellQuerier, f geo.Filter, strip eventsql.Strip) (*eventsql.Query, dialect, error) {
	g := f
	g.Actor, g.Q = "", ""
	sq, d, err := s.stripQuery(ctx, q, g, strip)
	if err != nil {
		return nil, d, err
	}
	switch fields, ok := eventsql.TextWords(f); {
	case !ok:
		sq.Add("1 = 0") // punctuation alone matches nothing
	case len(fields) > 0:
		walkDialect.Words(sq, fields)
	}
	return sq, d, nil
}

// wordStripPoints is wordStripQuery for a count or density cells: the
// strip's entries of events_point_words when they hold every field the
// strip tests (pointWordsUsable) and it meets few columns
// (eventsql.MaxStripColumns), else its rows. At zoom 11 the cells of
// level 11 (cell_word_fine) leave strips up to a cell wide on the box's
// edges, which hold a sixth of a hotspot's view (the million: 17,000
// events, whose rows took the view's cells to 166 ms).
func (s *Store) wordStripPoints(ctx context.Context, q cellQuerier, f geo.Filter, strip eventsql.Strip) (*eventsql.Query, dialect, error) {
	g := f
	g.BBox, g.Start, g.End = strip.Box, strip.Start, strip.End
	if strip.Days || strip.Sparse || !pointWordsUsable(g) {
		return s.wordStripQuery(ctx, q, f, strip)
	}
	if x0, x1 := eventsql.ColumnRange(*strip.Box, pointWordsColumnLevel); x1-x0 >= eventsql.MaxStripColumns {
		return s.wordStripQuery(ctx, q, f, strip)
	}
	return pointWordsQuery(g, strip.Cond), pointWordsDialect, nil
}

// wordCellCount counts f's events by plan p of cell_words (wordCellPlan).
func (s *Store) wordCellCount(ctx context.Context, q cellQuerier, p eventsql.CellPlan, f geo.Filter, field, term string) (int, error) {
	if term == "" {
		return 0, nil
	}
	stmt, args := eventsql.WordCellCountSQL(sqliteSQL, p, f, field, term)
	var total int
	if err := q.QueryRowContext(ctx, stmt, args...).Scan(&total); err != nil {
		return 0, err
	}
	return stripCount(ctx, q, p.Strips, total, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
		return s.wordStripPoints(ctx, q, f, strip)
	})
}

// wordWeekCellCount counts f's events, one word with a box and dates, from
// the kept counts per word, cell and week (eventsql.PlanWordWeekCells) in
// the snapshot of tx: the groups of the box's inner cells in the whole
// weeks inside the dates, the events of the box's edge strips in those
// weeks (their words tested on their rows, wordStripQuery) and those of the
// days outside them, walked on events_words_walk (the box and the words
// tested on its entries). False when the kept counts do not answer f.
func (s *Store) wordWeekCellCount(ctx context.Context, tx *sql.Tx, f geo.Filter) (int, bool, error) {
	w, ok := eventsql.PlanWordWeekCells(sqliteSQL, f)
	if !ok {
		return 0, false, nil
	}
	if live, err := cellsLive(ctx, tx); err != nil || !live {
		return 0, false, err
	}
	term, ok, err := eventsql.OneTerm(tx.QueryRowContext(ctx, eventsql.TermSQL(sqliteSQL), w.Field, w.Word), w.Word)
	if err != nil || !ok {
		return 0, false, err
	}
	if term == "" {
		return 0, true, nil // no stored word: no event has it
	}
	stmt, args := w.CountSQL(sqliteSQL, term)
	var total int
	if err := tx.QueryRowContext(ctx, stmt, args...).Scan(&total); err != nil {
		return 0, false, err
	}
	total, err = stripCount(ctx, tx, w.Plan.Strips, total, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
		return s.wordStripQuery(ctx, tx, f, strip)
	})
	if err != nil {
		return 0, false, err
	}
	for _, e := range eventsql.WeekEdges(walkDialect, f, w.First, w.Last) {
		var n int
		if err := tx.QueryRowContext(ctx, indexed(eventsql.CountSQL(e), "events_words_walk"), e.Args...).Scan(&n); err != nil {
			return 0, false, err
		}
		total += n
	}
	return total, true, nil
}

// wordWeekCells answers the density cells at zoom of f, one word with
// dates holding a whole week (and a box or types), from the kept counts
// per word, cell, week and type (cell_word_weeks,
// eventsql.PlanWordWeekDensity): the groups of the box's inner cells in
// the whole weeks inside the dates, the events of the box's edge strips in
// those weeks (their words tested on their entries or rows) and those of
// the days outside them, walked on events_words_walk, the walks read at
// once beside the groups (walkCells). False when the kept counts do not
// answer f.
func (s *Store) wordWeekCells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, bool, error) {
	w, ok := eventsql.PlanWordWeekDensity(sqliteSQL, f, zoom)
	if !ok {
		return nil, false, nil
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	if live, err := cellsLive(ctx, tx); err != nil || !live {
		return nil, false, err
	}
	term, ok, err := eventsql.OneTerm(tx.QueryRowContext(ctx, eventsql.TermSQL(sqliteSQL), w.Field, w.Word), w.Word)
	if err != nil || !ok {
		return nil, false, err
	}
	if term == "" {
		return geo.FoldCells(zoom, nil), true, nil // no stored word: no event has it
	}
	spans, err := s.spansIn(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	if eventsql.FewOutside(spans, f) {
		return nil, false, nil // wordOutsideCells reads fewer
	}
	// The groups in pieces of weeks, read at once: a common word's
	// 30,000 groups since a day in the middle of the million took 21-36
	// ms in one.
	var kept []keptRead
	for _, p := range eventsql.Pieces(spans.Cuts(w.First, w.LastDay(), s.pieces)) {
		kept = append(kept, func(ctx context.Context, q cellQuerier) ([]geo.CellRow, error) {
			stmt, args := w.GroupsSQL(sqliteSQL, f, term, zoom, p)
			var groups []geo.CellRow
			err := eachRow(ctx, q, stmt, args, func(r *sql.Rows) (err error) {
				groups, err = eventsql.ScanCellRows(r, zoom, zoom, 1, groups)
				return err
			})
			return groups, err
		})
	}
	if len(w.Plan.Strips) > 0 {
		kept = append(kept, func(ctx context.Context, q cellQuerier) (groups []geo.CellRow, err error) {
			for _, strip := range w.Plan.Strips {
				groups, err = stripGroups(ctx, q, strip, zoom, groups, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
					return s.wordStripPoints(ctx, q, f, strip)
				})
				if err != nil {
					return nil, err
				}
			}
			return groups, nil
		})
	}
	var walks []walkRead
	for _, e := range eventsql.WeekEdges(walkDialect, f, w.First, w.Last) {
		walks = append(walks, walkRead{q: e, idx: "events_words_walk", sign: 1})
	}
	groups, err := s.walkCellsIn(ctx, tx, zoom, kept, walks)
	if err != nil {
		return nil, false, err
	}
	return geo.FoldCells(zoom, groups), true, nil
}

// wordCellGroups returns the density cells of f at zoom by plan p of
// cell_words (wordCellPlan).
func (s *Store) wordCellGroups(ctx context.Context, q cellQuerier, p eventsql.CellPlan, f geo.Filter, zoom int, field, term string) ([]geo.Cell, error) {
	groups, err := s.wordCellRows(ctx, q, p, f, zoom, field, term)
	if err != nil {
		return nil, err
	}
	return geo.FoldCells(zoom, groups), nil
}

// wordCellRows returns the groups of f's events by density cell at zoom,
// for geo.FoldCells, by plan p of cell_words (wordCellPlan).
func (s *Store) wordCellRows(ctx context.Context, q cellQuerier, p eventsql.CellPlan, f geo.Filter, zoom int, field, term string) ([]geo.CellRow, error) {
	if term == "" {
		return nil, nil
	}
	stmt, args := eventsql.WordCellGroupsSQL(sqliteSQL, p, f, field, term, zoom)
	var groups []geo.CellRow
	err := eachRow(ctx, q, stmt, args, func(r *sql.Rows) (err error) {
		groups, err = eventsql.ScanCellRows(r, zoom, zoom, 1, groups)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, strip := range p.Strips {
		groups, err = stripGroups(ctx, q, strip, zoom, groups, func(strip eventsql.Strip) (*eventsql.Query, dialect, error) {
			return s.wordStripPoints(ctx, q, f, strip)
		})
		if err != nil {
			return nil, err
		}
	}
	return groups, nil
}

// wordOutsideCells answers the density cells at zoom of f, one word with
// dates (and a box or types), as the word's kept cells of every date
// (cell_words, wordCellPlan) less its events outside the dates
// (eventsql.OutsideDates), walked on events_words_walk with the box and
// the words tested on its entries: when the dates leave out fewer events
// than they hold, than f's box holds (pointEntries) and than wordWalkAt
// times the word's matches. At zooms finer than cell_word_weeks' (or dates
// within a week) dates that reach back before most of the events
// otherwise read all of them (the million, a common word since a month
// into its data: the world's cells 612 ms, 40 ms this way); at its zooms
// wordWeekCells leaves it the dates that leave out few events.
func (s *Store) wordOutsideCells(ctx context.Context, f geo.Filter, zoom int) ([]geo.Cell, bool, error) {
	undated, usable := eventsql.OutsideWord(f, zoom)
	if !usable {
		return nil, false, nil
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	spans, err := s.spansIn(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	outside := spans.Outside(f.Start, f.End)
	if outside >= spans.Count(f.Start, f.End) {
		return nil, false, nil
	}
	if f.BBox != nil && pointWordsUsable(f) {
		box, err := pointEntries(ctx, tx, *f.BBox)
		if err != nil || box <= outside {
			return nil, false, err
		}
	}
	over, err := wordsOver(ctx, tx, f, outside/int64(s.wordWalkAt))
	if err != nil || !over {
		return nil, false, err
	}
	p, field, term, ok, err := wordCellPlan(ctx, tx, undated, zoom)
	if err != nil || !ok {
		return nil, false, err
	}
	if term == "" {
		return geo.FoldCells(zoom, nil), true, nil // no stored word: no event has it
	}
	var cuts []string
	if f.Start != "" && s.pieces > 1 {
		cuts = spans.CutsBefore(f.Start, s.pieces)
	}
	kept := []keptRead{func(ctx context.Context, q cellQuerier) ([]geo.CellRow, error) {
		return s.wordCellRows(ctx, q, p, undated, zoom, field, term)
	}}
	var walks []walkRead
	for _, e := range eventsql.OutsideDates(walkDialect, f, cuts) {
		walks = append(walks, walkRead{q: e, idx: "events_words_walk", sign: -1})
	}
	groups, err := s.walkCellsIn(ctx, tx, zoom, kept, walks)
	if err != nil {
		return nil, false, err
	}
	return geo.FoldCells(zoom, groups), true, nil
}

// walkRead is a walk of index idx for density cells: the events of q,
// added (sign 1) or taken away (sign -1).
type walkRead struct {
	q    *eventsql.Query
	idx  string
	sign int
}

// read appends to groups the events of w grouped by cell at zoom, with
// w's sign, read through q.
func (w walkRead) read(ctx context.Context, q cellQuerier, zoom int, groups []geo.CellRow) ([]geo.CellRow, error) {
	g := newPointGroups(zoom)
	if err := g.read(ctx, q, indexed(eventsql.PointsSQL(walkDialect, w.q), w.idx), w.q.Args); err != nil {
		return nil, err
	}
	for _, r := range g.groups {
		r.Count, r.Fatalities = w.sign*r.Count, w.sign*r.Fatalities
		r.SumLon, r.SumLat = float64(w.sign)*r.SumLon, float64(w.sign)*r.SumLat
		groups = append(groups, *r)
	}
	return groups, nil
}

// keptRead reads groups by density cell of kept counts through q.
type keptRead func(ctx context.Context, q cellQuerier) ([]geo.CellRow, error)

// walkCellsIn is walkCells, read again all in tx's snapshot when a write
// came between the connections' snapshots.
func (s *Store) walkCellsIn(ctx context.Context, tx *sql.Tx, zoom int, kept []keptRead, walks []walkRead) ([]geo.CellRow, error) {
	groups, same, err := s.walkCells(ctx, zoom, kept, walks)
	if err != nil || same {
		return groups, err
	}
	groups = nil
	for _, k := range kept {
		rows, err := k(ctx, tx)
		if err != nil {
			return nil, err
		}
		groups = append(groups, rows...)
	}
	for _, w := range walks {
		if groups, err = w.read(ctx, tx, zoom, groups); err != nil {
			return nil, err
		}
	}
	return groups, nil
}

// walkCells returns the groups by density cell at zoom of what the kept
// reads read and of the walks, read by s.pieces connections at once, each
// in a snapshot of its own (atOnce): a walk of half a million entries
// costs 0.3 s of one CPU. False when a write came between the snapshots.
func (s *Store) walkCells(ctx context.Context, zoom int, kept []keptRead, walks []walkRead) ([]geo.CellRow, bool, error) {
	jobs := len(kept) + len(walks)
	n := max(min(s.pieces, jobs), 1)
	groups := make([][]geo.CellRow, n)
	same, err := s.atOnce(ctx, n, func(ctx context.Context, tx *sql.Tx, i int) (err error) {
		for j := i; j < jobs; j += n {
			if j < len(kept) {
				var rows []geo.CellRow
				rows, err = kept[j](ctx, tx)
				groups[i] = append(groups[i], rows...)
			} else {
				groups[i], err = walks[j-len(kept)].read(ctx, tx, zoom, groups[i])
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || !same {
		return nil, false, err
	}
	return slices.Concat(groups...), true, nil
}

// detailCount counts f's events from the kept counts by sub-event type and
// precision (eventsql.PlanDetail): the groups under c and the events of
// the days at either end of f's dates.
func (s *Store) detailCount(ctx context.Context, tx *sql.Tx, f geo.Filter, c *eventsql.Query, strips []eventsql.Strip) (int, error) {
	var total int
	if err := tx.QueryRowContext(ctx, eventsql.DetailCountSQL(c), c.Args...).Scan(&total); err != nil {
		return 0, err
	}
	return s.countStrips(ctx, tx, strips, total, func(_ cellQuerier, strip eventsql.Strip) (*eventsql.Query, dialect, error) {
		return eventsql.StripFilter(sqliteSQL, f, strip), sqliteSQL, nil
	})
}

// detailStats is Stats of f from the kept counts by sub-event type and
// precision, as detailCount counts them, in one snapshot.
func detailStats(ctx context.Context, db *sql.DB, f geo.Filter, c *eventsql.Query, strips []eventsql.Strip) (geo.Stats, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return geo.Stats{}, err
	}
	defer tx.Rollback()
	var t geo.Tally
	if err := eachRow(ctx, tx, eventsql.DetailStatsSQL(c), c.Args, func(r *sql.Rows) error { return eventsql.TallyRows(r, 1, &t) }); err != nil {
		return geo.Stats{}, err
	}
	for _, strip := range strips {
		sq := eventsql.StripFilter(sqliteSQL, f, strip)
		if err := eachRow(ctx, tx, eventsql.StatsSQL(sqliteSQL, sq), sq.Args, func(r *sql.Rows) error { return eventsql.TallyRows(r, strip.Sign(), &t) }); err != nil {
			return geo.Stats{}, err
		}
	}
	return t.Stats(), nil
}
