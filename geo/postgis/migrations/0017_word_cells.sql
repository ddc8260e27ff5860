-- Counts of the events per word of the actors or of the quote and per cell
-- of the density grid at level 8 (eventsql.WordCellLevel, the finest of
-- cell_types) and event type, with the fatalities and the sums of the
-- points, kept by statement triggers on every write of events as
-- word_counts is (0014). The count and the density cells of one word with a
-- box (and event types) then add up the groups of the cells inside the box
-- and test the words of the events of its edge strips only, as cell_types
-- answers a box alone (eventsql.PlanWordCells), instead of reading every
-- event of the word (a word in a quarter of the million events: about 1
-- s). No week, country, modality or origin: each would multiply the groups
-- (by week: 2.4 times), and the counts by country and week of a box's
-- stats are not read from here (BENCHMARKS.md). A group whose events are
-- all gone keeps n = 0: queries skip it. A bulk import that builds a new
-- events table tallies the groups itself (tally.go).
CREATE TABLE cell_words (
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
-- text repeats it; its cell is eventsql.CellX's at level 8, clamped.
CREATE FUNCTION cell_words_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_words c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023) AS x,
				least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511) AS y, r.event_type,
				count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
				UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
			GROUP BY 1, 2, 3, 4, 5) g
		WHERE c.field = g.field AND c.word = g.word AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_words AS c (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
			least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), r.event_type,
			count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
		ON CONFLICT (field, word, x, y, event_type) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cell_words_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_words_apply();
CREATE TRIGGER cell_words_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_words_apply();
CREATE TRIGGER cell_words_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cell_words_apply();

-- The events stored before this migration.
INSERT INTO cell_words (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT w.field, w.word, least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
	least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), r.event_type,
	count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
FROM events r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
	UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
GROUP BY 1, 2, 3, 4, 5;
ANALYZE cell_words;
