-- Counts of the events per cell of level 10 of the density grid
-- (eventsql.WeekFineLevel) and week, kept by statement triggers as
-- cell_types is (0010, 0012), so that the density of zooms 9 and 10
-- between dates reads the groups of the cells in view instead of every
-- event in view: a hotspot's view at zoom 9 over a year holds 165,000 of
-- the million's events (67-81 ms) and 55,000 groups here. cell_fine (0013)
-- keeps no week, and cell_types' finest level (8) is coarser than those
-- zooms. cell_country_weeks (0030) gains the same level, so that the count
-- and stats of a small box read its cells of level 10 (eventsql.PlanBox)
-- and only the events of strips a quarter as wide as level 8's along its
-- edges: the stats of a hotspot's box of 0.6 by 0.4 degrees read 90,000
-- of its 101,000 events.
--
-- cell_fine_weeks holds what cell_types holds, at this one level: per event
-- type, week, last week, modality and origin the count, the fatalities and
-- the sums of the points. Its key puts the event type before the weeks, so
-- that a view's groups come out in the order of their cell and type, which
-- the density cells group by. x and y are clamped to the last column and
-- row as geo.CellOf clamps them. A group whose events are all gone keeps
-- n = 0: queries skip it. A bulk import that builds a new events table
-- tallies the groups itself (tally.go).
CREATE TABLE cell_fine_weeks (
	level      integer NOT NULL,
	x          integer NOT NULL,
	y          integer NOT NULL,
	event_type text COLLATE "C" NOT NULL,
	week       text COLLATE "C" NOT NULL,
	week_last  text COLLATE "C" NOT NULL,
	modality   text COLLATE "C" NOT NULL,
	origin     text COLLATE "C" NOT NULL,
	n          bigint NOT NULL,
	fatalities bigint NOT NULL,
	sum_lon    double precision NOT NULL,
	sum_lat    double precision NOT NULL,
	PRIMARY KEY (level, x, y, event_type, week, week_last, modality, origin)
);

-- cells_fine_weeks_apply groups the rows a statement wrote by cell of
-- level 10 (4096 columns, the expression of eventsql.CellX, clamped) and
-- week, as cells_apply groups them for cell_types.
CREATE FUNCTION cells_fine_weeks_apply() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cell_fine_weeks c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
				least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y,
				r.event_type, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM removed r GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT 10 AS level, g.x, g.y, g.event_type,
			coalesce(to_char(g.week, 'YYYY-MM-DD'), '') AS week, coalesce(to_char(g.week_last, 'YYYY-MM-DD'), '') AS week_last,
			g.modality, g.origin, g.n, g.fatalities, g.sum_lon, g.sum_lat
		FROM g) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type AND c.week = g.week
			AND c.week_last = g.week_last AND c.modality = g.modality AND c.origin = g.origin;
		UPDATE cell_country_weeks c SET n = c.n - g.n
		FROM (WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
				least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y, r.country_code,
				r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				count(*) AS n
			FROM removed r GROUP BY 1, 2, 3, 4, 5)
		SELECT 10 AS level, g.x, g.y, g.country_code, coalesce(to_char(g.week, 'YYYY-MM-DD'), '') AS week,
			coalesce(to_char(g.week_last, 'YYYY-MM-DD'), '') AS week_last, g.n
		FROM g) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.country_code = g.country_code AND c.week = g.week
			AND c.week_last = g.week_last;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_fine_weeks AS c (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
		WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
				least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y,
				r.event_type, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
				sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
			FROM added r GROUP BY 1, 2, 3, 4, 5, 6, 7)
		SELECT 10, g.x, g.y, g.event_type,
			coalesce(to_char(g.week, 'YYYY-MM-DD'), ''), coalesce(to_char(g.week_last, 'YYYY-MM-DD'), ''),
			g.modality, g.origin, g.n, g.fatalities, g.sum_lon, g.sum_lat
		FROM g ORDER BY 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT (level, x, y, event_type, week, week_last, modality, origin) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
		INSERT INTO cell_country_weeks AS c (level, x, y, country_code, week, week_last, n)
		WITH g AS (
			SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
				least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y, r.country_code,
				r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
				coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
				count(*) AS n
			FROM added r GROUP BY 1, 2, 3, 4, 5)
		SELECT 10, g.x, g.y, g.country_code, coalesce(to_char(g.week, 'YYYY-MM-DD'), ''), coalesce(to_char(g.week_last, 'YYYY-MM-DD'), ''), g.n
		FROM g ORDER BY 2, 3, 4, 5, 6
		ON CONFLICT (level, x, y, country_code, week, week_last) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cells_fine_weeks_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_weeks_apply();
CREATE TRIGGER cells_fine_weeks_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_weeks_apply();
CREATE TRIGGER cells_fine_weeks_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cells_fine_weeks_apply();

-- The events stored before this migration.
INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
WITH g AS (
	SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
		least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y,
		r.event_type, r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
		coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
		r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
		sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
	FROM events r GROUP BY 1, 2, 3, 4, 5, 6, 7)
SELECT 10, g.x, g.y, g.event_type, coalesce(to_char(g.week, 'YYYY-MM-DD'), ''), coalesce(to_char(g.week_last, 'YYYY-MM-DD'), ''),
	g.modality, g.origin, g.n, g.fatalities, g.sum_lon, g.sum_lat
FROM g;
INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
WITH g AS (
	SELECT least(floor((ST_X(r.geom) + 180) * 4096 / 360)::integer, 4095) AS x,
		least(floor((ST_Y(r.geom) + 90) * 4096 / 360)::integer, 2047) AS y, r.country_code,
		r.event_date - (extract(isodow FROM r.event_date)::integer - 1) AS week,
		coalesce(r.event_date_end, r.event_date) - (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1) AS week_last,
		count(*) AS n
	FROM events r GROUP BY 1, 2, 3, 4, 5)
SELECT 10, g.x, g.y, g.country_code, coalesce(to_char(g.week, 'YYYY-MM-DD'), ''), coalesce(to_char(g.week_last, 'YYYY-MM-DD'), ''), g.n
FROM g;
ANALYZE cell_fine_weeks;
ANALYZE cell_country_weeks;
