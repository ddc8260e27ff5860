-- cell_fine (0013) keeps the precision too, so that the density cells of a
-- precision at zooms 11 to 14 read the groups of the cells in view instead
-- of every event of the view (a hotspot's view at zoom 11 and one
-- precision: 101,000 events, 204-255 ms in a million). cell_details (0020)
-- keeps it up to level 10 only, whose groups per sub-event type would be
-- about as many as the events at a finer level; without the sub-event
-- type, the million's cell_fine grows from 911,000 groups to 1,254,000.
--
-- The groups are counted again from the events, as 0013 counted them, and
-- cells_fine_apply groups by the precision too.
TRUNCATE cell_fine;
ALTER TABLE cell_fine DROP CONSTRAINT cell_fine_pkey;
ALTER TABLE cell_fine ADD COLUMN geo_precision integer NOT NULL;
ALTER TABLE cell_fine ADD PRIMARY KEY (level, x, y, event_type, modality, origin, geo_precision);

CREATE OR REPLACE FUNCTION cells_fine_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_fine c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 65536 / 360)::integer, 65535) AS x,
				least(floor((ST_Y(r.geom) + 90) * 65536 / 360)::integer, 32767) AS y,
				r.event_type, r.modality, r.origin, r.geo_precision, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r GROUP BY 1, 2, 3, 4, 5, 6)
		SELECT l.level, g.x >> (14 - l.level) AS x, g.y >> (14 - l.level) AS y, g.event_type, g.modality, g.origin, g.geo_precision,
			sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities, sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN (VALUES (10), (12), (14)) l (level) GROUP BY 1, 2, 3, 4, 5, 6, 7) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type
			AND c.modality = g.modality AND c.origin = g.origin AND c.geo_precision = g.geo_precision;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_fine AS c (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)
		WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 65536 / 360)::integer, 65535) AS x,
				least(floor((ST_Y(r.geom) + 90) * 65536 / 360)::integer, 32767) AS y,
				r.event_type, r.modality, r.origin, r.geo_precision, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM added r GROUP BY 1, 2, 3, 4, 5, 6)
		SELECT l.level, g.x >> (14 - l.level) AS x, g.y >> (14 - l.level) AS y, g.event_type, g.modality, g.origin, g.geo_precision,
			sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities, sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN (VALUES (10), (12), (14)) l (level) GROUP BY 1, 2, 3, 4, 5, 6, 7
		ORDER BY 1, 2, 3, 4, 5, 6, 7
		ON CONFLICT (level, x, y, event_type, modality, origin, geo_precision) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

INSERT INTO cell_fine (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)
WITH g AS (
	SELECT least(floor((ST_X(r.geom) + 180) * 65536 / 360)::integer, 65535) AS x,
		least(floor((ST_Y(r.geom) + 90) * 65536 / 360)::integer, 32767) AS y,
		r.event_type, r.modality, r.origin, r.geo_precision, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
		sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
	FROM events r GROUP BY 1, 2, 3, 4, 5, 6)
SELECT l.level, g.x >> (14 - l.level), g.y >> (14 - l.level), g.event_type, g.modality, g.origin, g.geo_precision,
	sum(g.n), sum(g.fatalities), sum(g.sum_lon), sum(g.sum_lat)
FROM g CROSS JOIN (VALUES (10), (12), (14)) l (level) GROUP BY 1, 2, 3, 4, 5, 6, 7
-- In the key's order, as the bulk import writes them: a view's groups then
-- lie on a few pages, where the order of a hash's groups put each on a
-- page of its own (a hotspot's view at zoom 11: 8,305 pages for 7,955
-- groups, 79 ms cold).
ORDER BY 1, 2, 3, 4, 5, 6, 7;
ANALYZE cell_fine;
