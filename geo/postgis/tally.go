package postgis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// tally is what a bulk import that builds a new events table adds to the
// kept counts (event_counts, migration 0006; word_counts, 0014) and cells
// (cell_types and cell_countries, 0010 and 0012; cell_fine, 0013) in place
// of their statement triggers: the same groups, computed as the triggers
// compute them, added up in Go while the rows are copied and written once
// per group at the commit. On a million events the triggers took some 50 s
// of the server's CPU, grouping the rows of their transition tables (the
// words of each event, each point at seven levels), after the copy; the
// client tallies beside the copy, on the other core. Cells are tallied at
// the finest level of each table and grouped into the coarser ones when
// written, as the triggers group them.
type tally struct {
	// attrs interns the strings of a group (event type, country code,
	// modality, origin, dates, words) so that a key is a few integers.
	attrs     map[string]uint32
	attrNames []string
	weeks     map[string]uint32 // the Monday of a date's week, by date
	counts    map[countKey]int64
	words     map[wordKey]int64
	types     map[typeKey]cellSums
	countries map[countryKey]int64
	fine      map[fineKey]cellSums
	// coarse and fineLevel are the finest levels of cell_types and
	// cell_fine, at which the cells are tallied.
	coarse, fineLevel int
}

// countKey is a group of event_counts; every field is an interned string.
type countKey struct{ eventType, country, week, date, last, modality, origin uint32 }

// wordKey is a group of word_counts.
type wordKey struct {
	quote                                    bool
	word, eventType, country, week, modality uint32
	origin                                   uint32
}

// typeKey is a group of cell_types at the finest level, x and y clamped.
type typeKey struct {
	x, y                                        int32
	eventType, week, weekLast, modality, origin uint32
}

// countryKey is a group of cell_countries at the finest level.
type countryKey struct {
	x, y                                 int32
	eventType, country, modality, origin uint32
}

// fineKey is a group of cell_fine at its finest level.
type fineKey struct {
	x, y                        int32
	eventType, modality, origin uint32
}

// cellSums are the sums of a group of cells.
type cellSums struct {
	n, fatalities int64
	lon, lat      float64
}

func (s *cellSums) add(o cellSums) {
	s.n += o.n
	s.fatalities += o.fatalities
	s.lon += o.lon
	s.lat += o.lat
}

func newTally() *tally {
	return &tally{attrs: map[string]uint32{}, weeks: map[string]uint32{}, counts: map[countKey]int64{},
		words: map[wordKey]int64{}, types: map[typeKey]cellSums{}, countries: map[countryKey]int64{}, fine: map[fineKey]cellSums{},
		coarse: slices.Max(eventsql.CellLevels()), fineLevel: slices.Max(eventsql.FineLevels())}
}

// intern returns the number of s in the tally's strings.
func (t *tally) intern(s string) uint32 {
	if i, ok := t.attrs[s]; ok {
		return i
	}
	i := uint32(len(t.attrNames))
	t.attrs[s] = i
	t.attrNames = append(t.attrNames, s)
	return i
}

// week is the interned Monday of date's week as the triggers compute it
// (date - (isodow - 1)), "" for no date.
func (t *tally) week(date string) uint32 {
	if w, ok := t.weeks[date]; ok {
		return w
	}
	w := ""
	if d, err := time.Parse(geo.DateLayout, date); err == nil {
		w = d.AddDate(0, 0, -(int(d.Weekday())+6)%7).Format(geo.DateLayout)
	}
	i := t.intern(w)
	t.weeks[date] = i
	return i
}

// cellOf is the cell of a point at level (4 << level columns), as the
// triggers compute it: floor((lon + 180) * n / 360), clamped to the last
// column and row.
func cellOf(level int, lon, lat float64) (int32, int32) {
	n := float64(int64(4) << level)
	x := math.Floor((lon + 180) * n / 360)
	y := math.Floor((lat + 90) * n / 360)
	return int32(min(x, n-1)), int32(min(y, n/2-1))
}

// tallied is the part of an event the tally reads.
type tallied struct {
	eventType, country, date, end, modality, origin string
	lon, lat                                        float64
	fatalities                                      int64
	actors, quote                                   []string // words, repeated or not
}

func talliedOf(e geo.Event) tallied {
	t := tallied{eventType: e.EventType, country: e.CountryCode, date: e.EventDate, end: e.EventDateEnd,
		modality: e.Modality, origin: e.OriginName(), lon: e.Point[0], lat: e.Point[1],
		actors: geo.Words(e.Actor1 + "\n" + e.Actor2), quote: geo.Words(e.Quote)}
	if e.Fatalities != nil {
		t.fatalities = int64(*e.Fatalities)
	}
	return t
}

// add counts an event in (sign 1) or out (sign -1).
func (t *tally) add(e tallied, sign int64) {
	typ, country, mod, origin := t.intern(e.eventType), t.intern(e.country), t.intern(e.modality), t.intern(e.origin)
	week, date := t.week(e.date), t.intern(e.date)
	last, weekLast := date, week
	if e.end != "" {
		last, weekLast = t.intern(e.end), t.week(e.end)
	}
	t.counts[countKey{eventType: typ, country: country, week: week, date: date, last: last, modality: mod, origin: origin}] += sign
	// A word counts once per event however often the text repeats it, as
	// a tsvector holds it.
	for field, words := range [2][]string{e.actors, e.quote} {
		if len(words) > 1 {
			words = slices.Compact(slices.Sorted(slices.Values(words)))
		}
		for _, w := range words {
			t.words[wordKey{quote: field == 1, word: t.intern(w), eventType: typ, country: country, week: week, modality: mod, origin: origin}] += sign
		}
	}
	sums := cellSums{n: sign, fatalities: sign * e.fatalities, lon: float64(sign) * e.lon, lat: float64(sign) * e.lat}
	x, y := cellOf(t.coarse, e.lon, e.lat)
	tk := typeKey{x: x, y: y, eventType: typ, week: week, weekLast: weekLast, modality: mod, origin: origin}
	s := t.types[tk]
	s.add(sums)
	t.types[tk] = s
	t.countries[countryKey{x: x, y: y, eventType: typ, country: country, modality: mod, origin: origin}] += sign
	x, y = cellOf(t.fineLevel, e.lon, e.lat)
	fk := fineKey{x: x, y: y, eventType: typ, modality: mod, origin: origin}
	s = t.fine[fk]
	s.add(sums)
	t.fine[fk] = s
}

// addEvents counts events in.
func (t *tally) addEvents(events []geo.Event) {
	for _, e := range events {
		t.add(talliedOf(e), 1)
	}
}

// countOutReplaced counts out the staged copies of ids that a later copy
// replaces: of an id staged more than once only the last row is stored
// (insertStaged with dedupe), but every copy was counted in.
func (t *tally) countOutReplaced(ctx context.Context, tx pgx.Tx, ids []string) error {
	rows, err := tx.Query(ctx, `SELECT event_type, country_code, coalesce(event_date, ''), coalesce(event_date_end, ''),
			modality, origin, lon, lat, coalesce(fatalities, 0), actors_list, quote_list
		FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY ord DESC) AS r FROM import_stage WHERE id = ANY($1)) s
		WHERE r > 1`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e tallied
		if err := rows.Scan(&e.eventType, &e.country, &e.date, &e.end, &e.modality, &e.origin, &e.lon, &e.lat, &e.fatalities,
			&e.actors, &e.quote); err != nil {
			return err
		}
		t.add(e, -1)
	}
	return rows.Err()
}

// keptTable is how one kept table is written from the tally: rows of it,
// sorted by its primary key (the "C" collation's byte order, so that the
// key's B-tree takes them in order), each made by row into a reused slice.
type keptTable struct {
	name    string
	columns []string
	key     int    // the first key columns, the table's primary key
	update  string // the ON CONFLICT update of an upsert
	n       int
	row     func(i int, dst []any)
}

// group is a key of the tally with its sums, for sorting.
type group[K any, V any] struct {
	k K
	v V
}

// sortedGroups returns the groups of m whose count is not zero, sorted by
// cmp.
func sortedGroups[K comparable, V any](m map[K]V, zero func(V) bool, cmp func(a, b K) int) []group[K, V] {
	out := make([]group[K, V], 0, len(m))
	for k, v := range m {
		if !zero(v) {
			out = append(out, group[K, V]{k, v})
		}
	}
	slices.SortFunc(out, func(a, b group[K, V]) int { return cmp(a.k, b.k) })
	return out
}

func noEvents(n int64) bool  { return n == 0 }
func noSums(s cellSums) bool { return s.n == 0 }

// tables returns the tally's groups as the rows of the kept tables;
// groups that add up to no event are left out.
func (t *tally) tables() []keptTable {
	name := func(i uint32) string { return t.attrNames[i] }
	// The strings' ranks in byte order, so that sorting compares integers.
	order := make([]uint32, len(t.attrNames))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(t.attrNames[a], t.attrNames[b]) })
	rank := make([]uint32, len(order))
	for r, i := range order {
		rank[i] = uint32(r)
	}
	byName := func(a, b uint32) int { return cmp.Compare(rank[a], rank[b]) }
	sumsUpdate := "n = c.n + excluded.n, fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat"

	counts := sortedGroups(t.counts, noEvents, func(a, b countKey) int {
		return cmp.Or(byName(a.eventType, b.eventType), byName(a.country, b.country), byName(a.week, b.week), byName(a.date, b.date),
			byName(a.last, b.last), byName(a.modality, b.modality), byName(a.origin, b.origin))
	})
	words := sortedGroups(t.words, noEvents, func(a, b wordKey) int {
		// "actors" sorts before "quote".
		return cmp.Or(cmp.Compare(b2i(a.quote), b2i(b.quote)), byName(a.word, b.word), byName(a.eventType, b.eventType),
			byName(a.country, b.country), byName(a.week, b.week), byName(a.modality, b.modality), byName(a.origin, b.origin))
	})

	// The coarser levels' cells, from the finest level's (a cell's index
	// halved once per level, as geo.CellOf nests them), summed as the
	// triggers sum them: the finest level's groups first.
	typeCells := map[levelKey[typeKey]]cellSums{}
	countryCells := map[levelKey[countryKey]]int64{}
	for _, level := range eventsql.CellLevels() {
		shift := t.coarse - level
		for k, s := range t.types {
			c := levelKey[typeKey]{int32(level), k}
			c.k.x, c.k.y = k.x>>shift, k.y>>shift
			sum := typeCells[c]
			sum.add(s)
			typeCells[c] = sum
		}
		for k, n := range t.countries {
			c := levelKey[countryKey]{int32(level), k}
			c.k.x, c.k.y = k.x>>shift, k.y>>shift
			countryCells[c] += n
		}
	}
	types := sortedGroups(typeCells, noSums, func(a, b levelKey[typeKey]) int {
		return cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.k.x, b.k.x), cmp.Compare(a.k.y, b.k.y), byName(a.k.eventType, b.k.eventType),
			byName(a.k.week, b.k.week), byName(a.k.weekLast, b.k.weekLast), byName(a.k.modality, b.k.modality), byName(a.k.origin, b.k.origin))
	})
	clear(typeCells)
	countries := sortedGroups(countryCells, noEvents, func(a, b levelKey[countryKey]) int {
		return cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.k.x, b.k.x), cmp.Compare(a.k.y, b.k.y), byName(a.k.eventType, b.k.eventType),
			byName(a.k.country, b.k.country), byName(a.k.modality, b.k.modality), byName(a.k.origin, b.k.origin))
	})
	fineCells := make(map[levelKey[fineKey]]cellSums, len(t.fine)*3/2)
	for _, level := range eventsql.FineLevels() {
		shift := t.fineLevel - level
		for k, s := range t.fine {
			c := levelKey[fineKey]{int32(level), k}
			c.k.x, c.k.y = k.x>>shift, k.y>>shift
			sum := fineCells[c]
			sum.add(s)
			fineCells[c] = sum
		}
	}
	fine := sortedGroups(fineCells, noSums, func(a, b levelKey[fineKey]) int {
		return cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.k.x, b.k.x), cmp.Compare(a.k.y, b.k.y), byName(a.k.eventType, b.k.eventType),
			byName(a.k.modality, b.k.modality), byName(a.k.origin, b.k.origin))
	})
	clear(fineCells)

	return []keptTable{
		{name: "event_counts", key: 7, update: "n = c.n + excluded.n", n: len(counts),
			columns: []string{"event_type", "country_code", "week", "event_date", "date_last", "modality", "origin", "n"},
			row: func(i int, dst []any) {
				g := counts[i]
				fill(dst, name(g.k.eventType), name(g.k.country), name(g.k.week), name(g.k.date), name(g.k.last),
					name(g.k.modality), name(g.k.origin), g.v)
			}},
		{name: "word_counts", key: 7, update: "n = c.n + excluded.n", n: len(words),
			columns: []string{"field", "word", "event_type", "country_code", "week", "modality", "origin", "n"},
			row: func(i int, dst []any) {
				g := words[i]
				field := eventsql.FieldActors
				if g.k.quote {
					field = eventsql.FieldQuote
				}
				fill(dst, field, name(g.k.word), name(g.k.eventType), name(g.k.country), name(g.k.week),
					name(g.k.modality), name(g.k.origin), g.v)
			}},
		{name: "cell_types", key: 8, update: sumsUpdate, n: len(types),
			columns: []string{"level", "x", "y", "event_type", "week", "week_last", "modality", "origin", "n", "fatalities", "sum_lon", "sum_lat"},
			row: func(i int, dst []any) {
				g := types[i]
				fill(dst, g.k.level, g.k.k.x, g.k.k.y, name(g.k.k.eventType), name(g.k.k.week), name(g.k.k.weekLast),
					name(g.k.k.modality), name(g.k.k.origin), g.v.n, g.v.fatalities, g.v.lon, g.v.lat)
			}},
		{name: "cell_countries", key: 7, update: "n = c.n + excluded.n", n: len(countries),
			columns: []string{"level", "x", "y", "event_type", "country_code", "modality", "origin", "n"},
			row: func(i int, dst []any) {
				g := countries[i]
				fill(dst, g.k.level, g.k.k.x, g.k.k.y, name(g.k.k.eventType), name(g.k.k.country),
					name(g.k.k.modality), name(g.k.k.origin), g.v)
			}},
		{name: "cell_fine", key: 6, update: sumsUpdate, n: len(fine),
			columns: []string{"level", "x", "y", "event_type", "modality", "origin", "n", "fatalities", "sum_lon", "sum_lat"},
			row: func(i int, dst []any) {
				g := fine[i]
				fill(dst, g.k.level, g.k.k.x, g.k.k.y, name(g.k.k.eventType), name(g.k.k.modality), name(g.k.k.origin),
					g.v.n, g.v.fatalities, g.v.lon, g.v.lat)
			}},
	}
}

// levelKey is a key of the finest level's tally moved to level.
type levelKey[K comparable] struct {
	level int32
	k     K
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fill(dst []any, values ...any) { copy(dst, values) }

// write adds the tally to the kept tables: by COPY straight into a table
// that holds no row yet, else by COPY into a temporary table and one
// upsert from it.
func (t *tally) write(ctx context.Context, tx pgx.Tx, tables []keptTable) error {
	for _, kt := range tables {
		if kt.n == 0 {
			continue
		}
		var held bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT FROM "+kt.name+")").Scan(&held); err != nil {
			return fmt.Errorf("%s: %w", kt.name, err)
		}
		target := kt.name
		if held {
			target = "tally_" + kt.name
			if _, err := tx.Exec(ctx, "CREATE TEMPORARY TABLE "+target+" (LIKE "+kt.name+") ON COMMIT DROP"); err != nil {
				return fmt.Errorf("%s: %w", kt.name, err)
			}
		}
		row := make([]any, len(kt.columns))
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i == kt.n {
				return nil, nil
			}
			kt.row(i, row)
			i++
			return row, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{target}, kt.columns, src); err != nil {
			return fmt.Errorf("%s: %w", kt.name, err)
		}
		if !held {
			continue
		}
		cols := strings.Join(kt.columns, ", ")
		q := "INSERT INTO " + kt.name + " AS c (" + cols + ") SELECT " + cols + " FROM " + target +
			" ON CONFLICT (" + strings.Join(kt.columns[:kt.key], ", ") + ") DO UPDATE SET " + kt.update
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", kt.name, err)
		}
	}
	return nil
}
