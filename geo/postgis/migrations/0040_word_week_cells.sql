-- Counts of the events per word of the actors or of the quote, cell of
-- the density grid at level 8 (eventsql.WordCellLevel, as cell_words),
-- week (the Monday of the event's first day, '' undated, as
-- cell_word_stats' weeks) and event type, with the fatalities and the
-- sums of the points, kept by statement triggers on every write of events
-- as cell_words is (0017). The density cells of one word between dates
-- then add up the groups of the whole weeks inside the dates and read the
-- events of the days at either end only (eventsql.WordWeekCells), instead
-- of every event of the dates or every one they leave out (the million, a
-- common word since a day in the middle of its data: 549,000 events
-- walked, 90-200 ms; its groups in those weeks are 30,000). A group whose
-- events are all gone keeps n = 0: queries skip it. A bulk import that
-- builds a new events table tallies the groups itself (tally.go).
CREATE TABLE cell_word_weeks (
	field      text COLLATE "C" NOT NULL, -- 'actors' or 'quote'
	word       text COLLATE "C" NOT NULL,
	week       text COLLATE "C" NOT NULL,
	x          integer NOT NULL,
	y          integer NOT NULL,
	event_type text COLLATE "C" NOT NULL,
	n          bigint NOT NULL,
	fatalities bigint NOT NULL,
	sum_lon    double precision NOT NULL,
	sum_lat    double precision NOT NULL,
	PRIMARY KEY (field, word, week, x, y, event_type)
);

-- A row's words are those of its tsvectors, each once however often the
-- text repeats it; its cell is eventsql.CellX's at level 8, clamped; its
-- week as cell_types' (0010).
CREATE FUNCTION cell_word_weeks_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_word_weeks c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (SELECT w.field, w.word,
				coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
				least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023) AS x,
				least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511) AS y, r.event_type,
				count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
				UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
			GROUP BY 1, 2, 3, 4, 5, 6) g
		WHERE c.field = g.field AND c.word = g.word AND c.week = g.week AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_word_weeks AS c (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT w.field, w.word, coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), ''),
			least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
			least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), r.event_type,
			count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT (field, word, week, x, y, event_type) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cell_word_weeks_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_weeks_apply();
CREATE TRIGGER cell_word_weeks_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_weeks_apply();
CREATE TRIGGER cell_word_weeks_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_weeks_apply();

-- The events stored before this migration.
INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT w.field, w.word, coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), ''),
	least(floor((ST_X(r.geom) + 180) * 1024 / 360)::integer, 1023),
	least(floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer, 511), r.event_type,
	count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
FROM events r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
	UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
GROUP BY 1, 2, 3, 4, 5, 6;
ANALYZE cell_word_weeks;
