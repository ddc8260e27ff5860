-- cell_word_weeks (migration 0040) at level 9 (eventsql.WordWeekLevel)
-- rather than 8, so that the density of a word between dates at zoom 9
-- adds up its groups too: a hotspot's view at zoom 9, a common word since
-- a day, read every one of the view's 300,000 events to find its 39,000
-- (82-86 ms). The million's groups grow from 2.2 to 4.0 million. A row's
-- cell is eventsql.CellX's at level 9, clamped.
--
-- cell_word_weeks_coarse keeps the same groups at level 5
-- (eventsql.WordWeekCoarseLevel), for the zooms up to 5 without a box or
-- with a box on its cells' edges (the page's blocks): the world's groups
-- of a common word since a day are 54,000 at level 9, 9,500 at level 5.
TRUNCATE cell_word_weeks;

CREATE OR REPLACE FUNCTION cell_word_weeks_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_word_weeks c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (SELECT w.field, w.word,
				coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
				least(floor((ST_X(r.geom) + 180) * 2048 / 360)::integer, 2047) AS x,
				least(floor((ST_Y(r.geom) + 90) * 2048 / 360)::integer, 1023) AS y, r.event_type,
				count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
				UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
			GROUP BY 1, 2, 3, 4, 5, 6) g
		WHERE c.field = g.field AND c.word = g.word AND c.week = g.week AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_word_weeks AS c (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT w.field, w.word, coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), ''),
			least(floor((ST_X(r.geom) + 180) * 2048 / 360)::integer, 2047),
			least(floor((ST_Y(r.geom) + 90) * 2048 / 360)::integer, 1023), r.event_type,
			count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT (field, word, week, x, y, event_type) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

-- The events stored before this migration.
INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT w.field, w.word, coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), ''),
	least(floor((ST_X(r.geom) + 180) * 2048 / 360)::integer, 2047),
	least(floor((ST_Y(r.geom) + 90) * 2048 / 360)::integer, 1023), r.event_type,
	count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
FROM events r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
	UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
GROUP BY 1, 2, 3, 4, 5, 6;
ANALYZE cell_word_weeks;

CREATE TABLE cell_word_weeks_coarse (
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

CREATE FUNCTION cell_word_weeks_coarse_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_word_weeks_coarse c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (SELECT w.field, w.word,
				coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
				least(floor((ST_X(r.geom) + 180) * 128 / 360)::integer, 127) AS x,
				least(floor((ST_Y(r.geom) + 90) * 128 / 360)::integer, 63) AS y, r.event_type,
				count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
				UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
			GROUP BY 1, 2, 3, 4, 5, 6) g
		WHERE c.field = g.field AND c.word = g.word AND c.week = g.week AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_word_weeks_coarse AS c (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
		SELECT w.field, w.word, coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), ''),
			least(floor((ST_X(r.geom) + 180) * 128 / 360)::integer, 127),
			least(floor((ST_Y(r.geom) + 90) * 128 / 360)::integer, 63), r.event_type,
			count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
		FROM added r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
			UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
		GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT (field, word, week, x, y, event_type) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cell_word_weeks_coarse_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_weeks_coarse_apply();
CREATE TRIGGER cell_word_weeks_coarse_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_weeks_coarse_apply();
CREATE TRIGGER cell_word_weeks_coarse_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cell_word_weeks_coarse_apply();

-- The events stored before this migration.
INSERT INTO cell_word_weeks_coarse (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT w.field, w.word, coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), ''),
	least(floor((ST_X(r.geom) + 180) * 128 / 360)::integer, 127),
	least(floor((ST_Y(r.geom) + 90) * 128 / 360)::integer, 63), r.event_type,
	count(*), coalesce(sum(r.fatalities), 0), sum(ST_X(r.geom)), sum(ST_Y(r.geom))
FROM events r, LATERAL (SELECT 'actors' AS field, unnest(tsvector_to_array(r.actors_words)) AS word
	UNION ALL SELECT 'quote', unnest(tsvector_to_array(r.quote_words))) w
GROUP BY 1, 2, 3, 4, 5, 6;
ANALYZE cell_word_weeks_coarse;
