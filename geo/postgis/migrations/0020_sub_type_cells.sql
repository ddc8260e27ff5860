-- Counts of the events per cell of the density grid, sub-event type and
-- precision, at the zooms of eventsql.DetailCellLevels (2, 4, 6, 8 and
-- 10), kept by statement triggers as cell_types is (0010, 0012), so that
-- the density cells of a sub-event type or a precision (GDAL and QGIS send
-- them as property filters; a tile takes them too) read the groups of the
-- cells inside the view and the events of its edges only
-- (eventsql.PlanDetailZoom) instead of every event of the filter (a
-- precision at zoom 2: 1 s in a million events). cell_details holds per
-- event type, sub-event type, precision, modality and origin the count,
-- the fatalities and the sums of the points, but no week and no country: a
-- filter with dates or a country is answered from the events. A million
-- generated events make 272,000 groups (171,000 of them at level 10). x
-- and y are clamped to the last column and row as geo.CellOf clamps them.
-- A group whose events are all gone keeps n = 0: queries skip it. A bulk
-- import that builds a new events table tallies the groups itself
-- (tally.go).
CREATE TABLE cell_details (
	level          integer NOT NULL,
	x              integer NOT NULL,
	y              integer NOT NULL,
	event_type     text COLLATE "C" NOT NULL,
	sub_event_type text COLLATE "C" NOT NULL,
	geo_precision  integer NOT NULL,
	modality       text COLLATE "C" NOT NULL,
	origin         text COLLATE "C" NOT NULL,
	n              bigint NOT NULL,
	fatalities     bigint NOT NULL,
	sum_lon        double precision NOT NULL,
	sum_lat        double precision NOT NULL,
	PRIMARY KEY (level, x, y, event_type, sub_event_type, geo_precision, modality, origin)
);

-- cell_details_apply groups the rows a statement wrote at level 10 (the
-- expression of eventsql.CellX), then at the coarser levels from those
-- groups (a cell's index halved once per level), as cells_fine_apply does
-- for cell_fine.
CREATE FUNCTION cell_details_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_details c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
				least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y,
				r.event_type, r.sub_event_type, r.geo_precision, r.modality, r.origin, count(*) AS n,
				coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT l.level, g.x >> (10 - l.level) AS x, g.y >> (10 - l.level) AS y, g.event_type, g.sub_event_type, g.geo_precision,
			g.modality, g.origin, sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities,
			sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN (VALUES (2), (4), (6), (8), (10)) l (level) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type
			AND c.sub_event_type = g.sub_event_type AND c.geo_precision = g.geo_precision
			AND c.modality = g.modality AND c.origin = g.origin;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_details AS c (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)
		WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
				least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y,
				r.event_type, r.sub_event_type, r.geo_precision, r.modality, r.origin, count(*) AS n,
				coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM added r GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT l.level, g.x >> (10 - l.level) AS x, g.y >> (10 - l.level) AS y, g.event_type, g.sub_event_type, g.geo_precision,
			g.modality, g.origin, sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities,
			sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN (VALUES (2), (4), (6), (8), (10)) l (level) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
		ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT (level, x, y, event_type, sub_event_type, geo_precision, modality, origin) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cell_details_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_details_apply();
CREATE TRIGGER cell_details_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cell_details_apply();
CREATE TRIGGER cell_details_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cell_details_apply();

-- The events stored before this migration.
INSERT INTO cell_details (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)
WITH g AS (
	SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
		least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y,
		r.event_type, r.sub_event_type, r.geo_precision, r.modality, r.origin, count(*) AS n,
		coalesce(sum(r.fatalities), 0) AS fatalities, sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
	FROM events r GROUP BY 1, 2, 3, 4, 5, 6, 7)
SELECT l.level, g.x >> (10 - l.level), g.y >> (10 - l.level), g.event_type, g.sub_event_type, g.geo_precision, g.modality, g.origin,
	sum(g.n), sum(g.fatalities), sum(g.sum_lon), sum(g.sum_lat)
FROM g CROSS JOIN (VALUES (2), (4), (6), (8), (10)) l (level) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
ANALYZE cell_details;
