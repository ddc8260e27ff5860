-- Counts of the events per word of the actors or of the quote (the words
-- the word filters look up: actors_words, quote_words) and per event type,
-- country code, week, modality and origin, kept by statement triggers on
-- every write of events, as event_counts is. The count and the stats of a
-- filter by one word that starts one stored word only (of its field), with
-- no date, box, sub-event type, precision or source count, then add up a
-- few thousand groups instead of reading every event that has the word (a
-- word in a quarter of a million events: 0.5-1 s). A group holds at least
-- one event, so the table has at most one row per word of an event and,
-- since events of a word share their groups, far fewer (BENCHMARKS.md). A
-- group whose events are all gone keeps n = 0: queries skip it.
CREATE TABLE word_counts (
	field        text COLLATE "C" NOT NULL, -- 'actors' or 'quote'
	word         text COLLATE "C" NOT NULL,
	event_type   text COLLATE "C" NOT NULL,
	country_code text COLLATE "C" NOT NULL,
	week         text COLLATE "C" NOT NULL, -- the Monday of event_date's week, '' when undated
	modality     text COLLATE "C" NOT NULL,
	origin       text COLLATE "C" NOT NULL,
	n            bigint NOT NULL,
	PRIMARY KEY (field, word, event_type, country_code, week, modality, origin)
);

-- A row's words are those of its tsvectors, each once however often the
-- text repeats it.
CREATE FUNCTION word_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO word_counts AS c (field, word, event_type, country_code, week, modality, origin, n)
		SELECT w.field, w.word, r.event_type, r.country_code,
			coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
			r.modality, r.origin, count(*) AS n
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
		ON CONFLICT (field, word, event_type, country_code, week, modality, origin) DO UPDATE SET n = c.n + excluded.n;
		RETURN NULL;
	END IF;
	-- UPDATE and DELETE: the rows gone (or as they were) leave their groups
	-- first; an UPDATE's new rows then join theirs.
	UPDATE word_counts c SET n = c.n - g.n
	FROM (SELECT w.field, w.word, r.event_type, r.country_code,
			coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
			r.modality, r.origin, count(*) AS n
		FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5, 6, 7) g
	WHERE c.field = g.field AND c.word = g.word AND c.event_type = g.event_type AND c.country_code = g.country_code
		AND c.week = g.week AND c.modality = g.modality AND c.origin = g.origin;
	IF TG_OP = 'UPDATE' THEN
		INSERT INTO word_counts AS c (field, word, event_type, country_code, week, modality, origin, n)
		SELECT w.field, w.word, r.event_type, r.country_code,
			coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
			r.modality, r.origin, count(*) AS n
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
		ON CONFLICT (field, word, event_type, country_code, week, modality, origin) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER word_counts_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION word_counts_apply();
CREATE TRIGGER word_counts_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION word_counts_apply();
CREATE TRIGGER word_counts_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION word_counts_apply();

INSERT INTO word_counts (field, word, event_type, country_code, week, modality, origin, n)
SELECT w.field, w.word, r.event_type, r.country_code,
	coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
	r.modality, r.origin, count(*) AS n
FROM events r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
	UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- A page of a word many events have walks the list order and tests each
-- event's words (dialect.Words): this index holds them in that order, so
-- that the walk is an index-only scan (the tables are vacuumed after a bulk
-- import) and reads the rows of the page's events only.
CREATE INDEX events_words_walk ON events (event_date DESC NULLS LAST, id) INCLUDE (actors_words, quote_words);
