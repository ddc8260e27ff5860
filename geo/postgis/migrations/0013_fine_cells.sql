-- Counts of the events per cell of the density grid at the finer zooms of
-- eventsql.FineLevels (10, 12 and 14), kept by statement triggers as cell_types
-- is (0010, 0012), so that the density of zooms 9 to 14 reads a few groups
-- per cell instead of every event in view (a hotspot's view at zoom 9
-- grouped 300,000 events). cell_fine holds per event type, modality and
-- origin the count, the fatalities and the sums of the points, but no week
-- and no country: a cell holds a few groups however many events it holds,
-- and only filters without dates read it. x and y are clamped to the last
-- column and row as geo.CellOf clamps them. A group whose events are all
-- gone keeps n = 0: queries skip it.
CREATE TABLE cell_fine (
	level      integer NOT NULL,
	x          integer NOT NULL,
	y          integer NOT NULL,
	event_type text COLLATE "C" NOT NULL,
	modality   text COLLATE "C" NOT NULL,
	origin     text COLLATE "C" NOT NULL,
	n          bigint NOT NULL,
	fatalities bigint NOT NULL,
	sum_lon    double precision NOT NULL,
	sum_lat    double precision NOT NULL,
	PRIMARY KEY (level, x, y, event_type, modality, origin)
);

-- cells_fine_apply groups the rows a statement wrote at level 14 (the
-- expression of eventsql.CellX), then at levels 12 and 10 from those
-- groups (a cell's index halved once per level), as cells_apply does for
-- cell_types.
CREATE FUNCTION cells_fine_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_fine c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 65536 / 360)::integer, 65535) AS x,
				least(floor((ST_Y(r.geom) + 90) * 65536 / 360)::integer, 32767) AS y,
				r.event_type, r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r GROUP BY 1, 2, 3, 4, 5)
		SELECT l.level, g.x >> (14 - l.level) AS x, g.y >> (14 - l.level) AS y, g.event_type, g.modality, g.origin,
			sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities, sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN (VALUES (10), (12), (14)) l (level) GROUP BY 1, 2, 3, 4, 5, 6) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type
			AND c.modality = g.modality AND c.origin = g.origin;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_fine AS c (level, x, y, event_type, modality, origin, n, fatalities, sum_lon, sum_lat)
		WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 65536 / 360)::integer, 65535) AS x,
				least(floor((ST_Y(r.geom) + 90) * 65536 / 360)::integer, 32767) AS y,
				r.event_type, r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM added r GROUP BY 1, 2, 3, 4, 5)
		SELECT l.level, g.x >> (14 - l.level) AS x, g.y >> (14 - l.level) AS y, g.event_type, g.modality, g.origin,
			sum(g.n)::bigint AS n, sum(g.fatalities)::bigint AS fatalities, sum(g.sum_lon) AS sum_lon, sum(g.sum_lat) AS sum_lat
		FROM g CROSS JOIN (VALUES (10), (12), (14)) l (level) GROUP BY 1, 2, 3, 4, 5, 6
		ORDER BY 1, 2, 3, 4, 5, 6
		ON CONFLICT (level, x, y, event_type, modality, origin) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cells_fine_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_apply();
CREATE TRIGGER cells_fine_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_apply();
CREATE TRIGGER cells_fine_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_apply();

-- The events stored before this migration.
INSERT INTO cell_fine (level, x, y, event_type, modality, origin, n, fatalities, sum_lon, sum_lat)
WITH g AS (
	SELECT least(floor((ST_X(r.geom) + 180) * 65536 / 360)::integer, 65535) AS x,
		least(floor((ST_Y(r.geom) + 90) * 65536 / 360)::integer, 32767) AS y,
		r.event_type, r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
		sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
	FROM events r GROUP BY 1, 2, 3, 4, 5)
SELECT l.level, g.x >> (14 - l.level), g.y >> (14 - l.level), g.event_type, g.modality, g.origin,
	sum(g.n), sum(g.fatalities), sum(g.sum_lon), sum(g.sum_lat)
FROM g CROSS JOIN (VALUES (10), (12), (14)) l (level) GROUP BY 1, 2, 3, 4, 5, 6;
ANALYZE cell_fine;
