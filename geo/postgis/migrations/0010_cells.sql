-- Counts of the events per cell of the density grid (geo.CellOf) at the
-- zooms of eventsql.CellLevels, kept by statement triggers on every write
-- of events (one grouped upsert per table and statement, from its
-- transition tables, so that an import's INSERT ... SELECT of thousands of
-- rows costs one), so that the density of a coarse zoom, a vector tile, and
-- the count and stats of a box read the cells wholly inside the box and
-- only the events of its edges (eventsql.PlanCells) instead of every event
-- in it. cell_types holds per event type, week, last week, modality and
-- origin the count, the fatalities and the sums of the points (the mean
-- place of a cell's events); cell_countries the counts per event type,
-- country code, modality and origin (the countries of a box's stats).
-- Weeks are YYYY-MM-DD text, the Monday of event_date's week and of
-- event_date_end's (else event_date's), '' when undated, as in the SQLite
-- store, so that both read them with the same SQL. x and y are clamped to
-- the last column and row as geo.CellOf clamps them; the cell expression is
-- eventsql.CellX's, in doubles. A group whose events are all gone keeps
-- n = 0: queries skip it.

-- cell_levels lists the levels with their number of columns (4 << level)
-- as a double, the factor of the cell expression, and as an integer.
CREATE TABLE cell_levels (
	level integer PRIMARY KEY,
	n     double precision NOT NULL,
	cols  integer NOT NULL
);
INSERT INTO cell_levels (level, n, cols) VALUES (2, 16, 16), (4, 64, 64), (6, 256, 256), (8, 1024, 1024);

CREATE TABLE cell_types (
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

CREATE TABLE cell_countries (
	level        integer NOT NULL,
	x            integer NOT NULL,
	y            integer NOT NULL,
	event_type   text COLLATE "C" NOT NULL,
	country_code text COLLATE "C" NOT NULL,
	modality     text COLLATE "C" NOT NULL,
	origin       text COLLATE "C" NOT NULL,
	n            bigint NOT NULL,
	PRIMARY KEY (level, x, y, event_type, country_code, modality, origin)
);

-- cells_apply groups the rows a statement wrote by cell at every level (the
-- expression of eventsql.CellX, clamped) and applies them to both tables.
CREATE FUNCTION cells_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		-- UPDATE and DELETE: the rows gone (or as they were) leave their
		-- groups first; an UPDATE's new rows then join theirs.
		UPDATE cell_types c SET n = c.n - g.n, fatalities = c.fatalities - g.fatalities,
			sum_lon = c.sum_lon - g.sum_lon, sum_lat = c.sum_lat - g.sum_lat
		FROM (SELECT l.level, least(floor((ST_X(r.geom) + 180) * l.n / 360)::integer, l.cols - 1) AS x,
			least(floor((ST_Y(r.geom) + 90) * l.n / 360)::integer, l.cols / 2 - 1) AS y, r.event_type,
			coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
			coalesce(to_char(coalesce(r.event_date_end, r.event_date)
				- (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1), 'YYYY-MM-DD'), '') AS week_last,
			r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
			sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
		FROM removed r CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type AND c.week = g.week
			AND c.week_last = g.week_last AND c.modality = g.modality AND c.origin = g.origin;
		UPDATE cell_countries c SET n = c.n - g.n
		FROM (SELECT l.level, least(floor((ST_X(r.geom) + 180) * l.n / 360)::integer, l.cols - 1) AS x,
			least(floor((ST_Y(r.geom) + 90) * l.n / 360)::integer, l.cols / 2 - 1) AS y, r.event_type,
			r.country_code, r.modality, r.origin, count(*) AS n
		FROM removed r CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7) g
		WHERE c.level = g.level AND c.x = g.x AND c.y = g.y AND c.event_type = g.event_type
			AND c.country_code = g.country_code AND c.modality = g.modality AND c.origin = g.origin;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO cell_types AS c (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
		SELECT l.level, least(floor((ST_X(r.geom) + 180) * l.n / 360)::integer, l.cols - 1) AS x,
			least(floor((ST_Y(r.geom) + 90) * l.n / 360)::integer, l.cols / 2 - 1) AS y, r.event_type,
			coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
			coalesce(to_char(coalesce(r.event_date_end, r.event_date)
				- (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1), 'YYYY-MM-DD'), '') AS week_last,
			r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
			sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
		FROM added r CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
		ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
		ON CONFLICT (level, x, y, event_type, week, week_last, modality, origin) DO UPDATE SET n = c.n + excluded.n,
			fatalities = c.fatalities + excluded.fatalities, sum_lon = c.sum_lon + excluded.sum_lon, sum_lat = c.sum_lat + excluded.sum_lat;
		INSERT INTO cell_countries AS c (level, x, y, event_type, country_code, modality, origin, n)
		SELECT l.level, least(floor((ST_X(r.geom) + 180) * l.n / 360)::integer, l.cols - 1) AS x,
			least(floor((ST_Y(r.geom) + 90) * l.n / 360)::integer, l.cols / 2 - 1) AS y, r.event_type,
			r.country_code, r.modality, r.origin, count(*) AS n
		FROM added r CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7
		ORDER BY 1, 2, 3, 4, 5, 6, 7
		ON CONFLICT (level, x, y, event_type, country_code, modality, origin) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cells_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cells_apply();
CREATE TRIGGER cells_update AFTER UPDATE ON events REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cells_apply();
CREATE TRIGGER cells_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cells_apply();

-- The events stored before this migration.
INSERT INTO cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT l.level, least(floor((ST_X(r.geom) + 180) * l.n / 360)::integer, l.cols - 1) AS x,
	least(floor((ST_Y(r.geom) + 90) * l.n / 360)::integer, l.cols / 2 - 1) AS y, r.event_type,
	coalesce(to_char(r.event_date - (extract(isodow FROM r.event_date)::integer - 1), 'YYYY-MM-DD'), '') AS week,
	coalesce(to_char(coalesce(r.event_date_end, r.event_date)
		- (extract(isodow FROM coalesce(r.event_date_end, r.event_date))::integer - 1), 'YYYY-MM-DD'), '') AS week_last,
	r.modality, r.origin, count(*) AS n, coalesce(sum(r.fatalities), 0) AS fatalities,
	sum(ST_X(r.geom)) AS sum_lon, sum(ST_Y(r.geom)) AS sum_lat
FROM events r CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n)
SELECT l.level, least(floor((ST_X(r.geom) + 180) * l.n / 360)::integer, l.cols - 1) AS x,
	least(floor((ST_Y(r.geom) + 90) * l.n / 360)::integer, l.cols / 2 - 1) AS y, r.event_type,
	r.country_code, r.modality, r.origin, count(*) AS n
FROM events r CROSS JOIN cell_levels l GROUP BY 1, 2, 3, 4, 5, 6, 7;
