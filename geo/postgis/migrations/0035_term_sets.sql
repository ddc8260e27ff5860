-- Term sets: for each term a count may ask for together with others (a
-- country code, an event type, and the common words of the actors and of
-- the quote), the events that have it, as bitmaps of their ordinals; and
-- for each month, the events dated in it, which place a page far into
-- the matches of such terms in its month (setPlace). A count of several
-- terms that no kept count groups together (two words, or words and a
-- country) then ANDs their bitmaps and counts the bits (setCount), where PostgreSQL read every match's row to count it:
-- the GIN index finds the matches, but its bitmap scan visits the table
-- for each (two common words of a million events: 23,892 matches on
-- 19,956 pages, 82-110 ms warm; from the bitmaps 1-2 ms, BENCHMARKS.md).

-- ord numbers the events for the bitmaps: stable while an event is stored
-- (an update keeps it), never reused. A bulk import numbers its rows
-- itself, from this sequence.
CREATE SEQUENCE events_ord AS bigint MINVALUE 0 START WITH 0;
ALTER TABLE events ADD COLUMN ord bigint NOT NULL DEFAULT nextval('events_ord');

-- The words that have sets: those of at least set_word_events events when
-- they were counted (here, at each write of events that adds one, and by
-- a bulk import). A rarer word's matches are few enough to read; a word
-- stays once it has a set, whatever its events become.
CREATE TABLE set_words (
	field text COLLATE "C" NOT NULL, -- 'actors' or 'quote'
	term  text COLLATE "C" NOT NULL,
	PRIMARY KEY (field, term)
);
INSERT INTO meta (key, value) VALUES ('set_word_events', 2048);

-- The sets, each in chunks of 32,768 ordinals (ord >> 15), bit ord & 32767
-- of a chunk set when the event of that ordinal has the term. A chunk
-- holds 4 KB, which stays in the row (STORAGE MAIN: compressed when it
-- is sparse, never moved to the TOAST table), so that a count reads the
-- table's pages alone. A chunk without a row holds no event of the term.
CREATE TABLE term_sets (
	field text COLLATE "C" NOT NULL, -- 'actors', 'quote', 'country', 'type' or 'month' ('YYYY-MM' of event_date)
	term  text COLLATE "C" NOT NULL,
	chunk integer NOT NULL,
	bits  bit varying NOT NULL,
	PRIMARY KEY (field, term, chunk)
);
ALTER TABLE term_sets ALTER COLUMN bits SET STORAGE MAIN;

-- term_set_chunk returns a chunk's bitmap with the bits of positions set:
-- one at a time in a zero chunk (a copy of the chunk each, 2 us), or for
-- many built as text, which costs the chunk's length once (290 us).
CREATE FUNCTION term_set_chunk(positions integer[]) RETURNS bit varying LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	b bit varying := B'0'::bit(32768);
	p integer;
BEGIN
	IF cardinality(positions) > 256 THEN
		RETURN (SELECT rpad(coalesce(string_agg(repeat('0', s.p - coalesce(s.prev, -1) - 1) || '1', '' ORDER BY s.p), ''), 32768, '0')::bit varying
			FROM (SELECT d.p, lag(d.p) OVER (ORDER BY d.p) AS prev FROM (SELECT DISTINCT unnest(positions) AS p) d) s);
	END IF;
	FOREACH p IN ARRAY positions LOOP
		b := set_bit(b, p, 1);
	END LOOP;
	RETURN b;
END $$;

-- event_terms returns the terms of an event that have sets: its country
-- code, its event type, its date's month and the words of its tsvectors
-- that have sets.
CREATE FUNCTION event_terms(country text, event_type text, event_date date, actors tsvector, quote tsvector)
RETURNS TABLE (field text, term text) LANGUAGE sql STABLE AS $$
	SELECT 'country', country
	UNION ALL SELECT 'type', event_type
	UNION ALL SELECT 'month', to_char(event_date, 'YYYY-MM') WHERE event_date IS NOT NULL
	UNION ALL SELECT w.field, w.term
	FROM (SELECT 'actors' AS field, unnest(tsvector_to_array(actors)) AS term
		UNION ALL SELECT 'quote', unnest(tsvector_to_array(quote))) w
	WHERE EXISTS (SELECT FROM set_words k WHERE k.field = w.field AND k.term = w.term)
$$;

-- The triggers run after those of word_counts (triggers fire in the order
-- of their names), whose counts tell which words became common. The rows
-- gone (or as they were) leave the sets of their terms (event_terms)
-- first, then the new ones join theirs. A word that became common
-- gets its set from every event that has it, found by the GIN index.
CREATE FUNCTION term_sets_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE term_sets s SET bits = s.bits & ~g.bits
		FROM (SELECT t.field, t.term, (r.ord >> 15)::integer AS chunk, term_set_chunk(array_agg((r.ord & 32767)::integer)) AS bits
			FROM removed r, LATERAL event_terms(r.country_code, r.event_type, r.event_date, r.actors_words, r.quote_words) t
			GROUP BY 1, 2, 3) g
		WHERE s.field = g.field AND s.term = g.term AND s.chunk = g.chunk;
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN NULL;
	END IF;
	WITH candidates AS (
		SELECT DISTINCT w.field, w.term
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS term
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		WHERE NOT EXISTS (SELECT FROM set_words k WHERE k.field = w.field AND k.term = w.term)
	), promoted AS (
		INSERT INTO set_words (field, term)
		SELECT c.field, c.term FROM candidates c
		WHERE (SELECT sum(n) FROM word_counts x WHERE x.field = c.field AND x.word = c.term)
			>= (SELECT value FROM meta WHERE key = 'set_word_events')
		RETURNING field, term
	)
	INSERT INTO term_sets AS s (field, term, chunk, bits)
	SELECT p.field, p.term, (e.ord >> 15)::integer, term_set_chunk(array_agg((e.ord & 32767)::integer))
	FROM promoted p, LATERAL (SELECT e.ord FROM events e WHERE p.field = 'actors' AND e.actors_words @@ quote_literal(p.term)::tsquery
		UNION ALL SELECT e.ord FROM events e WHERE p.field = 'quote' AND e.quote_words @@ quote_literal(p.term)::tsquery) e
	GROUP BY 1, 2, 3
	ON CONFLICT (field, term, chunk) DO UPDATE SET bits = s.bits | excluded.bits;
	INSERT INTO term_sets AS s (field, term, chunk, bits)
	SELECT t.field, t.term, (r.ord >> 15)::integer, term_set_chunk(array_agg((r.ord & 32767)::integer))
	FROM added r, LATERAL event_terms(r.country_code, r.event_type, r.event_date, r.actors_words, r.quote_words) t
	GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
	ON CONFLICT (field, term, chunk) DO UPDATE SET bits = s.bits | excluded.bits;
	RETURN NULL;
END $$;

CREATE TRIGGER word_sets_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION term_sets_apply();
CREATE TRIGGER word_sets_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION term_sets_apply();
CREATE TRIGGER word_sets_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION term_sets_apply();

INSERT INTO set_words (field, term) SELECT field, word FROM word_counts GROUP BY 1, 2 HAVING sum(n) >= 2048;
INSERT INTO term_sets (field, term, chunk, bits)
SELECT t.field, t.term, (r.ord >> 15)::integer, term_set_chunk(array_agg((r.ord & 32767)::integer))
FROM events r, LATERAL event_terms(r.country_code, r.event_type, r.event_date, r.actors_words, r.quote_words) t
GROUP BY 1, 2, 3;
