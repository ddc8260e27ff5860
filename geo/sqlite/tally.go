package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"
)

// tally is what a bulk import adds to the kept counts (event_counts,
// migration 0008, and word_counts, migration 0014) and cells (cell_types and
// cell_countries, migration 0012, cell_fine, 0013) instead of their row
// triggers: the same groups, computed as the
// triggers compute them, added up here and written once per group at the
// commit. A replaced row takes its old values off.
type tally struct {
	counts    map[countKey]int
	words     map[wordKey]int
	groups    map[wordGroup]int32
	groupList []wordGroup
	levels    []cellLevel // none when the store keeps no cells
	// fine are the levels of cell_fine (migration 0013). Only the rows an
	// import takes out (replaced) are tallied at them; those it writes are
	// grouped in SQL at its commit (Bulk.addFineCells): a map of the
	// million's 910,000 groups took the import's peak memory from 747 MB
	// to 1,147 MB.
	fine      []cellLevel
	types     map[cellTypeKey]cellSums
	fineCells map[cellFineKey]cellSums
	countries map[cellCountryKey]int
	weeks     map[string]string // the Monday of a date's week, by date
}

// countKey is a group of event_counts.
type countKey struct {
	eventType, countryCode, week, date, last, modality, origin string
}

// wordKey is a group of word_counts: a word of the actors or of the
// quote, and the number of its group of events in the tally's list
// (tally.group), so that a word's count hashes the word alone.
type wordKey struct {
	quote bool
	word  string
	group int32
}

// wordGroup is the part of a group of word_counts that the words of an
// event share.
type wordGroup struct {
	eventType, countryCode, week, modality, origin string
}

// cellLevel is a row of cell_levels: a level of the grid, its columns as a
// double (the factor of the cell expression) and as an integer.
type cellLevel struct {
	level int
	n     float64
	cols  int
}

// cellTypeKey is a group of cell_types.
type cellTypeKey struct {
	level, x, y                                 int
	eventType, week, weekLast, modality, origin string
}

// cellSums are the sums of a group of cell_types.
type cellSums struct {
	n, fatalities int
	lon, lat      float64
}

// cellCountryKey is a group of cell_countries.
type cellCountryKey struct {
	level, x, y                              int
	eventType, countryCode, modality, origin string
}

// cellFineKey is a group of cell_fine.
type cellFineKey struct {
	level, x, y                 int
	eventType, modality, origin string
}

// tallied is the part of an event the tally reads.
type tallied struct {
	eventType, countryCode, date, end, modality, origin string
	lon, lat                                            float64
	fatalities                                          int
	actors, quote                                       []string // distinct words
}

func talliedOf(e geo.Event) tallied {
	t := tallied{eventType: e.EventType, countryCode: e.CountryCode, date: e.EventDate, end: e.EventDateEnd,
		modality: e.Modality, origin: e.OriginName(), lon: e.Point[0], lat: e.Point[1],
		actors: distinctWords(e.Actor1 + "\n" + e.Actor2), quote: distinctWords(e.Quote)}
	if e.Fatalities != nil {
		t.fatalities = *e.Fatalities
	}
	return t
}

// newTally reads the grid's levels when the store keeps cells.
func newTally(ctx context.Context, tx *sql.Tx, cells bool) (*tally, error) {
	t := &tally{counts: map[countKey]int{}, words: map[wordKey]int{}, groups: map[wordGroup]int32{}, types: map[cellTypeKey]cellSums{}, countries: map[cellCountryKey]int{},
		fineCells: map[cellFineKey]cellSums{}, weeks: map[string]string{}}
	if !cells {
		return t, nil
	}
	var err error
	if t.levels, err = readLevels(ctx, tx, "cell_levels"); err != nil {
		return nil, err
	}
	if t.fine, err = readLevels(ctx, tx, "cell_fine_levels"); err != nil {
		return nil, err
	}
	return t, nil
}

// readLevels reads a table of levels (cell_levels, cell_fine_levels).
func readLevels(ctx context.Context, tx *sql.Tx, table string) ([]cellLevel, error) {
	rows, err := tx.QueryContext(ctx, "SELECT level, n, cols FROM "+table+" ORDER BY level")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var levels []cellLevel
	for rows.Next() {
		var l cellLevel
		if err := rows.Scan(&l.level, &l.n, &l.cols); err != nil {
			return nil, err
		}
		levels = append(levels, l)
	}
	return levels, rows.Err()
}

// cellOf is the cell expression of the triggers at level l, clamped as
// they clamp it.
func (l cellLevel) cellOf(lon, lat float64) (int, int) {
	return min(int((lon+180)*l.n/360), l.cols-1), min(int((lat+90)*l.n/360), l.cols/2-1)
}

// week is the Monday of date's week, as date(d, 'weekday 0', '-6 days')
// computes it; ” for no date.
func (t *tally) week(date string) string {
	if w, ok := t.weeks[date]; ok {
		return w
	}
	w := ""
	if d, err := time.Parse(geo.DateLayout, date); err == nil {
		w = d.AddDate(0, 0, -(int(d.Weekday())+6)%7).Format(geo.DateLayout)
	}
	t.weeks[date] = w
	return w
}

// add counts an event in (sign 1) or out (sign -1).
func (t *tally) add(e tallied, sign int) {
	last := cmp.Or(e.end, e.date)
	t.counts[countKey{eventType: e.eventType, countryCode: e.countryCode, week: t.week(e.date), date: e.date, last: last,
		modality: e.modality, origin: e.origin}] += sign
	for _, l := range t.fine {
		if sign > 0 {
			break
		}
		x, y := l.cellOf(e.lon, e.lat)
		k := cellFineKey{level: l.level, x: x, y: y, eventType: e.eventType, modality: e.modality, origin: e.origin}
		s := t.fineCells[k]
		s.n += sign
		s.fatalities += sign * e.fatalities
		s.lon += float64(sign) * e.lon
		s.lat += float64(sign) * e.lat
		t.fineCells[k] = s
	}
	if len(e.actors)+len(e.quote) > 0 {
		wg := wordGroup{eventType: e.eventType, countryCode: e.countryCode, week: t.week(e.date), modality: e.modality, origin: e.origin}
		g, ok := t.groups[wg]
		if !ok {
			g = int32(len(t.groupList))
			t.groups[wg] = g
			t.groupList = append(t.groupList, wg)
		}
		for _, w := range e.actors {
			t.words[wordKey{word: w, group: g}] += sign
		}
		for _, w := range e.quote {
			t.words[wordKey{quote: true, word: w, group: g}] += sign
		}
	}
	for _, l := range t.levels {
		x, y := l.cellOf(e.lon, e.lat)
		k := cellTypeKey{level: l.level, x: x, y: y, eventType: e.eventType, week: t.week(e.date), weekLast: t.week(last),
			modality: e.modality, origin: e.origin}
		s := t.types[k]
		s.n += sign
		s.fatalities += sign * e.fatalities
		s.lon += float64(sign) * e.lon
		s.lat += float64(sign) * e.lat
		t.types[k] = s
		t.countries[cellCountryKey{level: l.level, x: x, y: y, eventType: e.eventType, countryCode: e.countryCode,
			modality: e.modality, origin: e.origin}] += sign
	}
}

// write adds the tally to the store's tables, many groups to a statement.
func (t *tally) write(ctx context.Context, tx *sql.Tx) error {
	counts := newRowWriter(tx, "event_counts (event_type, country_code, week, event_date, date_last, modality, origin, n)", 8,
		" ON CONFLICT DO UPDATE SET n = n + excluded.n")
	for k, n := range t.counts {
		if n != 0 {
			if err := counts.add(ctx, k.eventType, k.countryCode, k.week, k.date, k.last, k.modality, k.origin, n); err != nil {
				return err
			}
		}
	}
	if err := counts.flush(ctx); err != nil {
		return err
	}
	words := newRowWriter(tx, "word_counts (field, word, event_type, country_code, week, modality, origin, n)", 8,
		" ON CONFLICT DO UPDATE SET n = n + excluded.n")
	for k, n := range t.words {
		if n != 0 {
			field, g := eventsql.FieldActors, t.groupList[k.group]
			if k.quote {
				field = eventsql.FieldQuote
			}
			if err := words.add(ctx, field, k.word, g.eventType, g.countryCode, g.week, g.modality, g.origin, n); err != nil {
				return err
			}
		}
	}
	if err := words.flush(ctx); err != nil || len(t.levels) == 0 {
		return err
	}
	types := newRowWriter(tx, "cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)", 12,
		" ON CONFLICT DO UPDATE SET n = n + excluded.n, fatalities = fatalities + excluded.fatalities,"+
			" sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat")
	for k, s := range t.types {
		if s.n != 0 {
			if err := types.add(ctx, k.level, k.x, k.y, k.eventType, k.week, k.weekLast, k.modality, k.origin, s.n, s.fatalities, s.lon, s.lat); err != nil {
				return err
			}
		}
	}
	if err := types.flush(ctx); err != nil {
		return err
	}
	countries := newRowWriter(tx, "cell_countries (level, x, y, event_type, country_code, modality, origin, n)", 8,
		" ON CONFLICT DO UPDATE SET n = n + excluded.n")
	for k, n := range t.countries {
		if n != 0 {
			if err := countries.add(ctx, k.level, k.x, k.y, k.eventType, k.countryCode, k.modality, k.origin, n); err != nil {
				return err
			}
		}
	}
	if err := countries.flush(ctx); err != nil {
		return err
	}
	fine := newRowWriter(tx, "cell_fine (level, x, y, event_type, modality, origin, n, fatalities, sum_lon, sum_lat)", 10,
		" ON CONFLICT DO UPDATE SET n = n + excluded.n, fatalities = fatalities + excluded.fatalities,"+
			" sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat")
	for k, s := range t.fineCells {
		if s.n != 0 {
			if err := fine.add(ctx, k.level, k.x, k.y, k.eventType, k.modality, k.origin, s.n, s.fatalities, s.lon, s.lat); err != nil {
				return err
			}
		}
	}
	return fine.flush(ctx)
}

// rowWriter inserts rows into a table many to a statement (a statement
// per row would cost more than the work it does), holding one statement's
// rows at a time.
type rowWriter struct {
	tx     *sql.Tx
	insert string // up to VALUES
	row    string // one row's placeholders
	tail   string // after the rows
	width  int
	args   []any
}

// rowsPerStatement is how many rows a rowWriter writes per statement:
// 1,200 values at most, far below SQLite's limit of 32,766.
const rowsPerStatement = 100

func newRowWriter(tx *sql.Tx, table string, width int, tail string) *rowWriter {
	return &rowWriter{tx: tx, insert: "INSERT INTO " + table + " VALUES ", row: "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")",
		tail: tail, width: width, args: make([]any, 0, rowsPerStatement*width)}
}

func (w *rowWriter) add(ctx context.Context, values ...any) error {
	w.args = append(w.args, values...)
	if len(w.args) >= rowsPerStatement*w.width {
		return w.flush(ctx)
	}
	return nil
}

func (w *rowWriter) flush(ctx context.Context) error {
	if len(w.args) == 0 {
		return nil
	}
	q := w.insert + strings.TrimSuffix(strings.Repeat(w.row+", ", len(w.args)/w.width), ", ") + w.tail
	_, err := w.tx.ExecContext(ctx, q, w.args...)
	clear(w.args)
	w.args = w.args[:0]
	return err
}
