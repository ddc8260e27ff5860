-- Counts of the events per word of the actors or of the quote and per cell
-- of the density grid at level 8 (eventsql.WordCellLevel, as cell_words),
-- by country code (kind 0) and by the Monday of the week of the event's
-- first day (kind 1, '' undated), kept by statement triggers on every
-- write of events as cell_words is (0017). The stats of one word with a
-- box then add up the groups of the cells inside the box (event types from
-- cell_words, countries and weeks from here) and read the events of its
-- edge strips only (eventsql.WordStatsSQL), instead of every event of the
-- word in the box (a word in a quarter of the million events, a box
-- holding 300,000: 0.4 s). The two breakdowns are kept apart, not by
-- country and week at once, since the stats count each alone: the million
-- holds 176,749 groups by country and 1,137,989 by week. No event type: the
-- stats of a word, a box and types read the events. A group whose events
-- are all gone keeps n = 0: queries skip it. A bulk import that builds a
-- new events table tallies the groups itself (tally.go).
CREATE TABLE cell_word_stats (
	field text COLLATE "C" NOT NULL, -- 'actors' or 'quote'
	word  text COLLATE "C" NOT NULL,
	x     integer NOT NULL,
	y     integer NOT NULL,
	kind  integer NOT NULL, -- 0: key is a country code; 1: key is a week
	key   text COLLATE "C" NOT NULL,
	n     bigint NOT NULL,
	PRIMARY KEY (field, word, x, y, kind, key)
);

-- A row's words are those of its tsvectors, each once however often the
-- text repeats it; its cell is eventsql.CellX's at level 8, clamped; its
-- week as cell_types' (0010).
CREATE FUNCTION cell_word_stats_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_word_stats c SET n = c.n - g.n
		FROM (SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023) AS x,
				least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511) AS y, k.kind,
				CASE k.kind WHEN 0 THEN r.country_code
					ELSE coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') END AS key,
				count(*) AS n
			FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
				UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w, (VALUES (0), (1)) k (kind)
			GROUP BY 1, 2, 3, 4, 5, 6) g
		WHERE c.field = g.field AND c.word = g.word AND c.x = g.x AND c.y = g.y AND c.kind = g.kind AND c.key = g.key;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_word_stats AS c (field, word, x, y, kind, key, n)
		SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
			least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), k.kind,
			CASE k.kind WHEN 0 THEN r.country_code
				ELSE coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') END,
			count(*)
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w, (VALUES (0), (1)) k (kind)
		GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT (field, word, x, y, kind, key) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cell_word_stats_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_stats_apply();
CREATE TRIGGER cell_word_stats_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_stats_apply();
CREATE TRIGGER cell_word_stats_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_stats_apply();

-- The events stored before this migration.
INSERT INTO cell_word_stats (field, word, x, y, kind, key, n)
SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
	least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), k.kind,
	CASE k.kind WHEN 0 THEN r.country_code
		ELSE coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') END,
	count(*)
FROM events r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
	UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w, (VALUES (0), (1)) k (kind)
GROUP BY 1, 2, 3, 4, 5, 6;
ANALYZE cell_word_stats;
