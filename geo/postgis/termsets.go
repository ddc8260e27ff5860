package postgis

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/eventsql"

	"github.com/jackc/pgx/v5"
)

// The fields of term_sets (migration 0035), as the tally numbers them:
// the words' fields first, as add numbers them.
const (
	setActors = iota
	setQuote
	setCountry
	setType
	setMonth
)

// setFields are the names of the fields of term_sets by number.
var setFields = [...]string{setActors: eventsql.FieldActors, setQuote: eventsql.FieldQuote, setCountry: "country", setType: "type", setMonth: "month"}

// Each bitmap of term_sets holds setChunk ordinals (migration 0035).
const (
	setChunkBits = 15
	setChunk     = 1 << setChunkBits
)

// setKey is one chunk of one term's set: the field by number, the term
// interned by the tally.
type setKey struct {
	field uint8
	term  uint32
	chunk uint32
}

// termSets gathers the members of the term sets among a bulk import's
// copied events: each member's place in its chunk. A word's set is
// written when the word has one already (words) or the import finds it
// common (at least wordEvents events); every country's and type's is.
type termSets struct {
	members map[setKey][]uint16
	// dropped are the ordinals of copies that a later batch replaced.
	dropped map[int64]bool
	// words are the words that have sets in the store; wordEvents is
	// set_word_events.
	words      map[setWord]bool
	wordEvents int64
	// added are the words this import gave sets, by field number and term.
	added []setWord
}

// setWord is a word of a field (by number).
type setWord struct {
	field uint8
	term  string
}

func newTermSets() termSets {
	return termSets{members: map[setKey][]uint16{}, dropped: map[int64]bool{}, words: map[setWord]bool{}}
}

// addTerm adds the event of ordinal ord to the set of term (interned) of
// field; nothing for an event counted out (ord < 0).
func (s *termSets) addTerm(ord int64, field uint8, term uint32) {
	if ord < 0 {
		return
	}
	k := setKey{field: field, term: term, chunk: uint32(ord >> setChunkBits)}
	s.members[k] = append(s.members[k], uint16(ord&(setChunk-1)))
}

// addWords adds the event of ordinal ord to the sets of its distinct
// words (interned) of field 0 (actors) or 1 (quote).
func (s *termSets) addWords(ord int64, field int, words []uint32) {
	for _, w := range words {
		s.addTerm(ord, uint8(field), w)
	}
}

// load reads which words have sets, and from how many events a word gets
// one.
func (s *termSets) load(ctx context.Context, tx pgx.Tx) error {
	if err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'set_word_events'").Scan(&s.wordEvents); err != nil {
		return fmt.Errorf("read set_word_events: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT field, term FROM set_words")
	if err != nil {
		return err
	}
	var field, term string
	_, err = pgx.ForEachRow(rows, []any{&field, &term}, func() error {
		for i, f := range setFields[:setCountry] {
			if f == field {
				s.words[setWord{field: uint8(i), term: term}] = true
			}
		}
		return nil
	})
	return err
}

// tables returns the rows of set_words and term_sets that the tally adds,
// names being the tally's strings by number. It records in s.added the
// words it gives sets.
func (s *termSets) tables(names []string) []keptTable {
	type member struct {
		k setKey
		v []uint16
	}
	totals := map[[2]uint32]int64{}
	for k, v := range s.members {
		if k.field < setCountry {
			totals[[2]uint32{uint32(k.field), k.term}] += int64(len(v))
		}
	}
	kept := func(field uint8, term uint32) bool {
		return field >= setCountry || s.words[setWord{field, names[term]}] || totals[[2]uint32{uint32(field), term}] >= s.wordEvents
	}
	for fw, n := range totals {
		if w := (setWord{uint8(fw[0]), names[fw[1]]}); n >= s.wordEvents && !s.words[w] {
			s.added = append(s.added, w)
		}
	}
	slices.SortFunc(s.added, func(a, b setWord) int {
		return cmp.Or(strings.Compare(setFields[a.field], setFields[b.field]), strings.Compare(a.term, b.term))
	})
	var rows []member
	for k, v := range s.members {
		if kept(k.field, k.term) {
			rows = append(rows, member{k, v})
		}
	}
	slices.SortFunc(rows, func(a, b member) int {
		return cmp.Or(strings.Compare(setFields[a.k.field], setFields[b.k.field]), strings.Compare(names[a.k.term], names[b.k.term]),
			cmp.Compare(a.k.chunk, b.k.chunk))
	})
	bits := make([]byte, setChunk/8)
	return []keptTable{
		{name: "set_words", key: 2, update: "term = excluded.term", n: len(s.added), columns: []string{"field", "term"},
			row: func(i int, dst []any) { fill(dst, setFields[s.added[i].field], s.added[i].term) }},
		{name: "term_sets", key: 3, update: "bits = c.bits | excluded.bits", n: len(rows), columns: []string{"field", "term", "chunk", "bits"},
			row: func(i int, dst []any) {
				r := rows[i]
				clear(bits)
				base := int64(r.k.chunk) << setChunkBits
				for _, p := range r.v {
					if !s.dropped[base+int64(p)] {
						bits[p>>3] |= 0x80 >> (p & 7)
					}
				}
				fill(dst, setFields[r.k.field], names[r.k.term], int32(r.k.chunk), bits)
			}},
	}
}

// encodeBits encodes a bitmap of term_sets (bit varying): its length in
// bits, then its bytes.
func encodeBits(buf []byte, v any) ([]byte, error) {
	b, ok := v.([]byte)
	if !ok {
		return buf, fmt.Errorf("%T is not bits", v)
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)*8))
	return append(buf, b...), nil
}

// setTermsSQL is the terms that have sets of the rows of a table
// expression (aliased r): field, term and the row's ordinal (migration
// 0035).
const setTermsSQL = `SELECT t.field, t.term, r.ord
	FROM %[1]s, LATERAL event_terms(r.country_code, r.event_type, r.event_date, r.actors_words, r.quote_words) t`

// swapSets brings the sets of the stored events that a swap keeps or
// replaces up to date, before the old events table goes: the replaced
// ones (whose copy in events_new has a new ordinal) leave their sets, and
// the kept ones join the sets of the words the import gave sets (added).
// The copied events' own members are the tally's.
func swapSets(ctx context.Context, tx pgx.Tx, added []setWord) error {
	replaced := "(SELECT * FROM events e WHERE EXISTS (SELECT FROM events_new n WHERE n.id = e.id AND n.ord <> e.ord)) r"
	if _, err := tx.Exec(ctx, `UPDATE term_sets s SET bits = s.bits & ~g.bits
		FROM (SELECT t.field, t.term, (t.ord >> 15)::integer AS chunk, term_set_chunk(array_agg((t.ord & 32767)::integer)) AS bits
			FROM (`+fmt.Sprintf(setTermsSQL, replaced)+`) t GROUP BY 1, 2, 3) g
		WHERE s.field = g.field AND s.term = g.term AND s.chunk = g.chunk`); err != nil {
		return fmt.Errorf("replaced events out of the term sets: %w", err)
	}
	if len(added) == 0 {
		return nil
	}
	fields, terms := make([]string, len(added)), make([]string, len(added))
	for i, w := range added {
		fields[i], terms[i] = setFields[w.field], w.term
	}
	_, err := tx.Exec(ctx, `INSERT INTO term_sets AS s (field, term, chunk, bits)
		SELECT w.field, w.term, (e.ord >> 15)::integer, term_set_chunk(array_agg((e.ord & 32767)::integer))
		FROM unnest($1::text[], $2::text[]) w(field, term),
			LATERAL (SELECT e.id, e.ord FROM events e WHERE w.field = 'actors' AND e.actors_words @@ quote_literal(w.term)::tsquery
				UNION ALL SELECT e.id, e.ord FROM events e WHERE w.field = 'quote' AND e.quote_words @@ quote_literal(w.term)::tsquery) e
		WHERE EXISTS (SELECT FROM events_new n WHERE n.id = e.id AND n.ord = e.ord)
		GROUP BY 1, 2, 3
		ON CONFLICT (field, term, chunk) DO UPDATE SET bits = s.bits | excluded.bits`, fields, terms)
	if err != nil {
		return fmt.Errorf("kept events into the new words' sets: %w", err)
	}
	return nil
}

// setCountSQL counts the events of every term of the pairs of fields and
// terms in $4 and $5 ($6 of them), from their sets, when the words among
// them ($1 and $2, $3 of them) all have sets; else NULL.
const setCountSQL = `SELECT CASE WHEN (` + setWordsSQL + `) = $3
	THEN (SELECT coalesce(sum(bit_count(x.b)), 0) FROM (SELECT s.chunk, bit_and(s.bits) AS b, count(*) AS k FROM term_sets s
		WHERE (s.field, s.term) IN (SELECT * FROM unnest($4::text[], $5::text[])) GROUP BY s.chunk) x WHERE x.k = $6) END`

// setQuery is the terms of a filter that the term sets count: its words'
// fields and terms, and those of all its terms (the words, a country, a
// type).
type setQuery struct {
	wordFields, wordTerms, fields, terms []string
}

// setTerms returns the terms of f when the term sets may count it: two
// words or more (of the actors or the quote), each of which starts one
// stored word only (terms), with a country and one event type or not, and
// nothing else. One word, with the same, is counted from word_counts
// (wordCounts).
func setTerms(f geo.Filter, terms *eventsql.Terms) (setQuery, bool) {
	var q setQuery
	if !setFilter(f) {
		return q, false
	}
	seen := map[string]bool{}
	for _, fw := range []struct{ field, text string }{{eventsql.FieldActors, f.Actor}, {eventsql.FieldQuote, f.Q}} {
		for _, w := range geo.Words(fw.text) {
			term, ok := terms.Term(fw.field, w)
			if !ok || term == "" {
				return q, false
			}
			if !seen[fw.field+" "+term] {
				seen[fw.field+" "+term] = true
				q.wordFields, q.wordTerms = append(q.wordFields, fw.field), append(q.wordTerms, term)
			}
		}
	}
	if len(q.wordTerms) < 2 {
		return q, false
	}
	q.fields, q.terms = slices.Clone(q.wordFields), slices.Clone(q.wordTerms)
	if f.Country != "" {
		q.fields, q.terms = append(q.fields, setFields[setCountry]), append(q.terms, f.Country)
	}
	if len(f.Types) == 1 {
		q.fields, q.terms = append(q.fields, setFields[setType]), append(q.terms, f.Types[0])
	}
	return q, true
}

// setFilter reports whether f may be one setTerms answers, before its
// words are looked up: two words or more, with a country and one event
// type or not, and nothing else.
func setFilter(f geo.Filter) bool {
	if f.BBox != nil || f.Start != "" || f.End != "" || len(f.Types) > 1 || len(f.Modalities) > 0 || len(f.Origins) > 0 ||
		f.MinSources > 1 || len(f.SubTypes) > 0 || len(f.GeoPrecisions) > 0 {
		return false
	}
	return len(geo.Words(f.Actor))+len(geo.Words(f.Q)) >= 2
}

// setCount counts f's events from the term sets, when they answer it
// (setTerms) and its words have sets.
func setCount(ctx context.Context, tx pgx.Tx, f geo.Filter, terms *eventsql.Terms) (int, bool, error) {
	q, ok := setTerms(f, terms)
	if !ok {
		return 0, false, nil
	}
	var n *int64
	if err := tx.QueryRow(ctx, setCountSQL, q.wordFields, q.wordTerms, len(q.wordTerms), q.fields, q.terms, len(q.terms)).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("count from the term sets: %w", err)
	}
	if n == nil {
		return 0, false, nil
	}
	return int(*n), true, nil
}

// setMonthsSQL counts the events of every term in $1 and $2 ($3 of them)
// by month of their date, newest first, from the term sets.
const setMonthsSQL = `SELECT m.term, sum(bit_count(m.bits & w.b))::bigint FROM term_sets m
	JOIN (SELECT s.chunk, bit_and(s.bits) AS b FROM term_sets s WHERE (s.field, s.term) IN (SELECT * FROM unnest($1::text[], $2::text[]))
		GROUP BY s.chunk HAVING count(*) = $3) w ON m.chunk = w.chunk
	WHERE m.field = 'month' GROUP BY m.term ORDER BY m.term DESC`

// setPlace places a page of f that setCount counted, from offset on, in
// the months of the events: it returns the first day after the month the
// page starts in, how many matches the newer months hold (before), and
// how many are dated before that day (rest), so that the page is the one
// from offset-before of those. Not ok when the page reaches the undated
// events, which are listed last, or the newest month holds its start.
func setPlace(ctx context.Context, tx pgx.Tx, f geo.Filter, terms *eventsql.Terms, offset, limit int) (until string, before, rest int, ok bool, err error) {
	q, ok := setTerms(f, terms)
	if !ok {
		return "", 0, 0, false, nil
	}
	rows, err := tx.Query(ctx, setMonthsSQL, q.fields, q.terms, len(q.terms))
	if err != nil {
		return "", 0, 0, false, fmt.Errorf("place the page by month: %w", err)
	}
	type month struct {
		Month string
		N     int64
	}
	months, err := pgx.CollectRows(rows, pgx.RowToStructByPos[month])
	if err != nil {
		return "", 0, 0, false, fmt.Errorf("place the page by month: %w", err)
	}
	dated := 0
	for _, m := range months {
		dated += int(m.N)
	}
	if offset+limit > dated {
		return "", 0, 0, false, nil
	}
	for i, m := range months {
		if before+int(m.N) > offset {
			if i == 0 {
				return "", 0, 0, false, nil
			}
			t, err := time.Parse("2006-01", m.Month)
			if err != nil {
				return "", 0, 0, false, fmt.Errorf("place the page by month: %w", err)
			}
			return t.AddDate(0, 1, 0).Format(geo.DateLayout), before, dated - before, true, nil
		}
		before += int(m.N)
	}
	return "", 0, 0, false, nil
}
