package postgis

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"time"

	"conflictmap/geo"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// The facts of ord_facts (migration 0037): 48 bits an ordinal, its event
// type's code, its country's code and its week, 16 bits each, in chunks
// of factChunk ordinals, eight to a chunk of the term sets.
const (
	factBytes     = 6
	factChunkBits = 12
	factChunk     = 1 << factChunkBits
	// factUndated is the week of an undated event, factFar that of an
	// event dated beyond the 16 bits' reach, whose stats the rows give.
	factUndated = 0x8000
	factFar     = 0x8001
	// factMinWeek and factMaxWeek are the weeks the 16 bits hold.
	factMinWeek = -32766
	factMaxWeek = 32767
)

// factEpoch is the Monday that facts count weeks from.
var factEpoch = time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC)

// factWeek returns the week field of a fact for date (YYYY-MM-DD, or ""
// when undated).
func factWeek(date string) uint16 {
	d, err := time.Parse(geo.DateLayout, date)
	if err != nil {
		return factUndated
	}
	// In seconds, not a Duration, which reaches 292 years only.
	days := (d.Unix() - factEpoch.Unix()) / (24 * 60 * 60)
	w := days / 7
	if days%7 < 0 {
		w--
	}
	if w < factMinWeek || w > factMaxWeek {
		return factFar
	}
	return uint16(int16(w))
}

// factMonday returns the week of a fact's week field as geo.Tally counts
// it: its Monday (YYYY-MM-DD), "" when undated.
func factMonday(week uint16) string {
	if week == factUndated {
		return ""
	}
	return factEpoch.AddDate(0, 0, 7*int(int16(week))).Format(geo.DateLayout)
}

// ordFacts gathers the facts of a bulk import's copied events, by chunk.
type ordFacts struct {
	chunks map[uint32]*factRows
	// codes are fact_codes' codes of the tally's interned strings, by field
	// (0 types, 1 countries), once loaded.
	codes [2]map[uint32]uint16
}

// factRows holds the facts of one chunk's ordinals: the interned type
// and country, each plus one (0 where no copied event has the ordinal),
// and the week field.
type factRows struct {
	types, countries [factChunk]uint32
	weeks            [factChunk]uint16
}

func newOrdFacts() ordFacts { return ordFacts{chunks: map[uint32]*factRows{}} }

// add records the facts of the event of ordinal ord; nothing for an event
// counted out (ord < 0).
func (o *ordFacts) add(ord int64, eventType, country uint32, date string) {
	if ord < 0 {
		return
	}
	c := o.chunks[uint32(ord>>factChunkBits)]
	if c == nil {
		c = new(factRows)
		o.chunks[uint32(ord>>factChunkBits)] = c
	}
	p := ord & (factChunk - 1)
	c.types[p], c.countries[p], c.weeks[p] = eventType+1, country+1, factWeek(date)
}

// load gives the recorded types and countries codes in fact_codes, names
// being the tally's strings by number, and reads them.
func (o *ordFacts) load(ctx context.Context, tx pgx.Tx, names []string) error {
	var used [2]map[uint32]bool
	for i := range used {
		used[i] = map[uint32]bool{}
	}
	for _, c := range o.chunks {
		for p, t := range c.types {
			if t != 0 {
				used[0][t-1], used[1][c.countries[p]-1] = true, true
			}
		}
	}
	var fields, terms []string
	for i, field := range [2]string{"type", "country"} {
		for _, id := range slices.Sorted(maps.Keys(used[i])) {
			fields, terms = append(fields, field), append(terms, names[id])
		}
	}
	rows, err := tx.Query(ctx, `WITH added AS (
			INSERT INTO fact_codes (field, term)
			SELECT u.field, u.term FROM unnest($1::text[], $2::text[]) u(field, term)
			WHERE NOT EXISTS (SELECT FROM fact_codes c WHERE c.field = u.field AND c.term = u.term)
			ON CONFLICT DO NOTHING RETURNING field, term, code)
		SELECT field, term, code FROM added
		UNION ALL SELECT c.field, c.term, c.code FROM fact_codes c JOIN unnest($1::text[], $2::text[]) u(field, term)
			ON c.field = u.field AND c.term = u.term`, fields, terms)
	if err != nil {
		return fmt.Errorf("number the facts' types and countries: %w", err)
	}
	byName := [2]map[string]uint16{{}, {}}
	var field, term string
	var code int32
	_, err = pgx.ForEachRow(rows, []any{&field, &term, &code}, func() error {
		i := 0
		if field == "country" {
			i = 1
		}
		byName[i][term] = uint16(code)
		return nil
	})
	if err != nil {
		return fmt.Errorf("number the facts' types and countries: %w", err)
	}
	for i := range used {
		o.codes[i] = map[uint32]uint16{}
		for id := range used[i] {
			code, ok := byName[i][names[id]]
			if !ok {
				return fmt.Errorf("number the facts' types and countries: no code for %q", names[id])
			}
			o.codes[i][id] = code
		}
	}
	return nil
}

// table returns the rows of ord_facts that the tally adds (after load),
// leaving out the ordinals of dropped copies. Each chunk's row holds the
// copied events' facts and zeros elsewhere, ORed into a stored chunk: no
// copied event's ordinal was used before.
func (o *ordFacts) table(dropped map[int64]bool) keptTable {
	chunks := slices.Sorted(maps.Keys(o.chunks))
	buf := make([]byte, factChunk*factBytes)
	return keptTable{name: "ord_facts", key: 1, update: "facts = c.facts | excluded.facts", n: len(chunks), columns: []string{"chunk", "facts"},
		row: func(i int, dst []any) {
			clear(buf)
			c := o.chunks[chunks[i]]
			base := int64(chunks[i]) << factChunkBits
			for p, t := range c.types {
				if t == 0 || dropped[base+int64(p)] {
					continue
				}
				r := buf[p*factBytes:]
				binary.BigEndian.PutUint16(r, o.codes[0][t-1])
				binary.BigEndian.PutUint16(r[2:], o.codes[1][c.countries[p]-1])
				binary.BigEndian.PutUint16(r[4:], c.weeks[p])
			}
			fill(dst, int32(chunks[i]), buf)
		}}
}

// clearReplacedFacts clears the facts of the stored events whose copies
// in events_new replace them under a new ordinal, at a swap.
func clearReplacedFacts(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT ord_facts_write(array_agg(e.ord), array_agg(B'0'::bit(48)::bit varying))
		FROM events e WHERE EXISTS (SELECT FROM events_new n WHERE n.id = e.id AND n.ord <> e.ord)`)
	if err != nil {
		return fmt.Errorf("clear the replaced events' facts: %w", err)
	}
	return nil
}

// setWordsSQL counts how many of the words in $1 and $2 have sets.
const setWordsSQL = `SELECT count(*) FROM set_words k WHERE (k.field, k.term) IN (SELECT * FROM unnest($1::text[], $2::text[]))`

// setFactsSQL is, for each chunk of facts whose events of every term in
// $1 and $2 ($3 of them) are some, the bitmap of those events and the
// chunk's facts: a chunk of the term sets holds eight of facts.
const setFactsSQL = `SELECT f.chunk, x.b, f.facts
	FROM (SELECT s.chunk, bit_and(s.bits) AS b FROM term_sets s
		WHERE (s.field, s.term) IN (SELECT * FROM unnest($1::text[], $2::text[])) GROUP BY s.chunk
		HAVING count(*) = $3 AND bit_count(bit_and(s.bits)) > 0) w,
		LATERAL (SELECT w.chunk * 8 + i AS chunk, substring(w.b from i * 4096 + 1 for 4096) AS b FROM generate_series(0, 7) i) x
	JOIN ord_facts f ON f.chunk = x.chunk
	WHERE bit_count(x.b) > 0`

// setStats answers the stats of f from the term sets and the facts of the
// events they AND (setTerms), without reading the events: false when the
// sets do not answer f, a match is dated beyond the facts' reach, or the
// sets and the facts disagree (logged), which leaves f to the rows.
func (s *Store) setStats(ctx context.Context, f geo.Filter) (geo.Stats, bool, error) {
	if !setFilter(f) {
		return geo.Stats{}, false, nil
	}
	var (
		st   geo.Stats
		used bool
	)
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		terms, err := exactTerms(ctx, tx, f)
		if err != nil {
			return err
		}
		q, ok := setTerms(f, terms)
		if !ok {
			return nil
		}
		var n int
		if err := tx.QueryRow(ctx, setWordsSQL, q.wordFields, q.wordTerms).Scan(&n); err != nil || n != len(q.wordTerms) {
			return err
		}
		names := [2]map[uint16]string{{}, {}}
		rows, err := tx.Query(ctx, "SELECT field, term, code FROM fact_codes")
		if err != nil {
			return err
		}
		var field, term string
		var code int32
		if _, err := pgx.ForEachRow(rows, []any{&field, &term, &code}, func() error {
			if field == "country" {
				names[1][uint16(code)] = term
			} else {
				names[0][uint16(code)] = term
			}
			return nil
		}); err != nil {
			return err
		}
		counts := map[[3]uint16]int{}
		rows, err = tx.Query(ctx, setFactsSQL, q.fields, q.terms, len(q.terms))
		if err != nil {
			return err
		}
		var (
			chunk        int32
			match, facts pgtype.Bits
			far          bool
			disagree     error
		)
		if _, err := pgx.ForEachRow(rows, []any{&chunk, &match, &facts}, func() error {
			if len(facts.Bytes) != factChunk*factBytes || len(match.Bytes) > factChunk/8 {
				disagree = fmt.Errorf("chunk %d: %d bytes of facts and %d of bits", chunk, len(facts.Bytes), len(match.Bytes))
				return disagree
			}
			for i, b := range match.Bytes {
				for b != 0 {
					j := bits.LeadingZeros8(b)
					b &^= 0x80 >> j
					r := facts.Bytes[(i*8+j)*factBytes:]
					k := [3]uint16{binary.BigEndian.Uint16(r), binary.BigEndian.Uint16(r[2:]), binary.BigEndian.Uint16(r[4:])}
					if k[0] == 0 {
						disagree = fmt.Errorf("ordinal %d is in a set but has no facts", int64(chunk)<<factChunkBits+int64(i*8+j))
						return disagree
					}
					far = far || k[2] == factFar
					counts[k]++
				}
			}
			return nil
		}); err != nil && (disagree == nil || !errors.Is(err, disagree)) {
			return fmt.Errorf("stats from the term sets: %w", err)
		}
		var t geo.Tally
		for k, n := range counts {
			typ, ok1 := names[0][k[0]]
			country, ok2 := names[1][k[1]]
			if !ok1 || !ok2 {
				disagree = fmt.Errorf("no name for codes %d, %d", k[0], k[1])
				break
			}
			t.Add(typ, country, factMonday(k[2]), n)
		}
		if disagree != nil {
			// A reader whose snapshot began before a bulk import's commit may
			// see its new tables (copied frozen) but not the codes it added.
			s.log.WarnContext(ctx, "stats from the term sets: the sets and the facts disagree; reading the rows", "err", disagree)
			return nil
		}
		if far {
			return nil
		}
		st, used = t.Stats(), true
		return nil
	})
	return st, used, err
}
