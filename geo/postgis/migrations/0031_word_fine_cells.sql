-- Counts of the events per word of the actors or of the quote and per cell
-- of the density grid at level 10 (eventsql.WordFineLevel) and event type,
-- as cell_words keeps them at level 8 (migration 0017), kept by statement
-- triggers on every write of events, for the density cells of one word at
-- zooms 9 and 10: a hotspot's box at zoom 9 holds 300,000 of the million
-- events, whose entries the word's cells read one by one (100-120 ms),
-- where the word's groups inside the box are a few thousand. Level 10
-- alone: its groups are about a third of the events' words (the million:
-- 1,111,175 groups), and a finer level would keep about one per word of
-- each event (level 12: 3,273,749), for views that hold fewer events. A
-- group whose events are all gone keeps n = 0: queries skip it. A bulk
-- import that builds a new events table tallies the groups itself
-- (tally.go).
CREATE TABLE cell_word_fine (
	field      text COLLATE "C" NOT NULL, -- 'actors' or 'quote'
	word       text COLLATE "C" NOT NULL,
	x          integer NOT NULL,
	y          integer NOT NULL,
	event_type text COLLATE "C" NOT NULL,
	n          bigint NOT NULL,
	fatalities bigint NOT NULL,
	sum_lon    double precision NOT NULL,
	sum_lat    double precision NOT NULL,
	PRIMARY KEY (field, word, x, y, event_type)
);

-- A row's words are those of its tsvectors, each once however often the
-- text repeats it; its cell is eventsql.CellX's at level 10, clamped.
CREATE FUNCTION cell_word_fine_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_word_fine c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
				least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y, r.event_type,
				count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
				UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
			GROUP BY 1, 2, 3, 4, 5) g
		WHERE c.field = g.field AND c.word = g.word AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_word_fine AS c (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095),
			least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047), r.event_type,
			count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
		ON CONFLICT (field, word, x, y, event_type) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cell_word_fine_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_fine_apply();
CREATE TRIGGER cell_word_fine_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_fine_apply();
CREATE TRIGGER cell_word_fine_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_fine_apply();

-- The events stored before this migration.
INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095),
	least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047), r.event_type,
	count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
FROM events r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
	UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
GROUP BY 1, 2, 3, 4, 5;
ANALYZE cell_word_fine;
