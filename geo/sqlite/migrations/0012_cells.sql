-- Counts of the events per cell of the density grid (geo.CellOf) at the
-- zooms of eventsql.CellLevels, kept by triggers on every write of events,
-- so that the density of a coarse zoom, a vector tile, and the count and
-- stats of a box read the cells wholly inside the box and only the events
-- of its edges (eventsql.PlanCells) instead of every event in it.
-- cell_types holds per event type, week, last week, modality and origin the
-- count, the fatalities and the sums of the points (the mean place of a
-- cell's events); cell_countries the counts per event type, country code,
-- modality and origin (the countries of a box's stats). Weeks are the
-- Monday of event_date's week and of event_date_end's (else event_date's),
-- '' when undated. x and y are clamped to the last column and row as
-- geo.CellOf clamps them. A group whose events are all gone keeps n = 0:
-- queries skip it.
--
-- A bulk import drops the triggers with the deferred indexes and fills both
-- tables again in one grouped statement each when it builds them
-- (Store.DeferIndexes); queries read no cell while triggers are deferred.

-- cell_levels lists the levels with their number of columns (4 << level)
-- as a double, the factor of the cell expression, and as an integer.
CREATE TABLE cell_levels (
	level INTEGER PRIMARY KEY,
	n     REAL NOT NULL,
	cols  INTEGER NOT NULL
) STRICT;
INSERT INTO cell_levels (level, n, cols) VALUES (2, 16.0, 16), (4, 64.0, 64), (6, 256.0, 256), (8, 1024.0, 1024);

CREATE TABLE cell_types (
	level      INTEGER NOT NULL,
	x          INTEGER NOT NULL,
	y          INTEGER NOT NULL,
	event_type TEXT NOT NULL,
	week       TEXT NOT NULL,
	week_last  TEXT NOT NULL,
	modality   TEXT NOT NULL,
	origin     TEXT NOT NULL,
	n          INTEGER NOT NULL,
	fatalities INTEGER NOT NULL,
	sum_lon    REAL NOT NULL,
	sum_lat    REAL NOT NULL,
	PRIMARY KEY (level, x, y, event_type, week, week_last, modality, origin)
) STRICT, WITHOUT ROWID;

CREATE TABLE cell_countries (
	level        INTEGER NOT NULL,
	x            INTEGER NOT NULL,
	y            INTEGER NOT NULL,
	event_type   TEXT NOT NULL,
	country_code TEXT NOT NULL,
	modality     TEXT NOT NULL,
	origin       TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (level, x, y, event_type, country_code, modality, origin)
) STRICT, WITHOUT ROWID;

-- The triggers and the refill (Store.refillCells) compute a point's cell
-- with the expression of eventsql.CellX, clamped.
CREATE TRIGGER cell_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
	INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		new.country_code, new.modality, new.origin, 1
	FROM cell_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cell_delete AFTER DELETE ON events BEGIN
	UPDATE cell_types SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_levels l)
		AND event_type = old.event_type AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
	UPDATE cell_countries SET n = n - 1
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_levels l)
		AND event_type = old.event_type AND country_code = old.country_code
		AND modality = old.modality AND origin = old.origin;
END;

CREATE TRIGGER cell_update AFTER UPDATE OF lon, lat, event_type, event_date, event_date_end, modality, origin, fatalities, country_code ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type
	OR new.event_date IS NOT old.event_date OR new.event_date_end IS NOT old.event_date_end
	OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin
	OR new.fatalities IS NOT old.fatalities OR new.country_code IS NOT old.country_code
BEGIN
	UPDATE cell_types SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_levels l)
		AND event_type = old.event_type AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
	UPDATE cell_countries SET n = n - 1
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_levels l)
		AND event_type = old.event_type AND country_code = old.country_code
		AND modality = old.modality AND origin = old.origin;
	INSERT INTO cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
	INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		new.country_code, new.modality, new.origin, 1
	FROM cell_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- The events stored before this migration: the finest level from the
-- events, each coarser one from it (a cell's index halved once per level).
INSERT INTO cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT 8, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
	e.event_type, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''),
	e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e GROUP BY 2, 3, 4, 5, 6, 7, 8;
INSERT INTO cell_types (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT l.level, c.x >> (8 - l.level), c.y >> (8 - l.level), c.event_type, c.week, c.week_last, c.modality, c.origin,
	sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
FROM cell_types c, cell_levels l WHERE c.level = 8 AND l.level < 8 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n)
SELECT 8, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
	e.event_type, e.country_code, e.modality, e.origin, count(*)
FROM events e GROUP BY 2, 3, 4, 5, 6, 7;
INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n)
SELECT l.level, c.x >> (8 - l.level), c.y >> (8 - l.level), c.event_type, c.country_code, c.modality, c.origin, sum(c.n)
FROM cell_countries c, cell_levels l WHERE c.level = 8 AND l.level < 8 GROUP BY 1, 2, 3, 4, 5, 6, 7;
