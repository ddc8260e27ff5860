-- cell_countries (0010) keeps the fatalities and the sums of the points
-- of its groups too, as cell_types does, so that the density cells of a
-- country's events (the page's map once a country is chosen) are read from
-- it instead of from the events: a country's 83,000 events of the million
-- took 0.4 s at world zoom, read row by row (BENCHMARKS.md). The groups
-- are counted again from the events, and cells_apply (0012) keeps the new
-- columns.
ALTER TABLE cell_countries ADD COLUMN fatalities bigint NOT NULL DEFAULT 0,
	ADD COLUMN sum_lon double precision NOT NULL DEFAULT 0,
	ADD COLUMN sum_lat double precision NOT NULL DEFAULT 0;
TRUNCATE cell_countries;
INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT l.level, least(floor((ST_X(r.geom) + 180) * l.n / 360)::integer, l.cols - 1) AS x,
	least(floor((ST_Y(r.geom) + 90) * l.n / 360)::integer, l.cols / 2 - 1) AS y, r.event_type,
	r.country_code, r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
	sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
FROM events r CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE OR REPLACE FUNCTION cells_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_types c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (WITH g AS (
			SELECT floor((ST_X(r.geom) + 180) * 1024 / 360)::integer AS x, floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer AS y,
				r.event_type, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT l.level, least(g.x, 1023) >> (8 - l.level) AS x, least(g.y, 511) >> (8 - l.level) AS y, g.event_type,
			coalesce(to_char(g.week, 'YYYY-MM-DD'), '') AS week, coalesce(to_char(g.week_last, 'YYYY-MM-DD'), '') AS week_last,
			g.modality, g.origin, sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities, sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type AND c.week = g.week
			AND c.week_last = g.week_last AND c.modality = g.modality AND c.origin = g.origin;
		UPDATE cell_countries c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (WITH g AS (
			SELECT floor((ST_X(r.geom) + 180) * 1024 / 360)::integer AS x, floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer AS y,
				r.event_type, r.country_code, r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r GROUP BY 1, 2, 3, 4, 5, 6)
		SELECT l.level, least(g.x, 1023) >> (8 - l.level) AS x, least(g.y, 511) >> (8 - l.level) AS y, g.event_type,
			g.country_code, g.modality, g.origin, sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities,
			sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type
			AND c.country_code = g.country_code AND c.modality = g.modality AND c.origin = g.origin;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_types AS c (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
		WITH g AS (
			SELECT floor((ST_X(r.geom) + 180) * 1024 / 360)::integer AS x, floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer AS y,
				r.event_type, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM added r GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT l.level, least(g.x, 1023) >> (8 - l.level) AS x, least(g.y, 511) >> (8 - l.level) AS y, g.event_type,
			coalesce(to_char(g.week, 'YYYY-MM-DD'), '') AS week, coalesce(to_char(g.week_last, 'YYYY-MM-DD'), '') AS week_last,
			g.modality, g.origin, sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities, sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
		ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT (level, x, y, event_type, week, week_last, modality, origin) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
		INSERT INTO cell_countries AS c (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)
		WITH g AS (
			SELECT floor((ST_X(r.geom) + 180) * 1024 / 360)::integer AS x, floor((ST_Y(r.geom) + 90) * 1024 / 360)::integer AS y,
				r.event_type, r.country_code, r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM added r GROUP BY 1, 2, 3, 4, 5, 6)
		SELECT l.level, least(g.x, 1023) >> (8 - l.level) AS x, least(g.y, 511) >> (8 - l.level) AS y, g.event_type,
			g.country_code, g.modality, g.origin, sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities,
			sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7
		ORDER BY 1, 2, 3, 4, 5, 6, 7
		ON CONFLICT (level, x, y, event_type, country_code, modality, origin) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;
