-- Counts of the events per cell of the density grid, sub-event type and
-- precision, at the zooms of eventsql.DetailCellLevels (2, 4, 6, 8 and
-- 10), kept by triggers on every write of events as cell_types is (0012),
-- so that the density cells of a sub-event type or a precision (GDAL and
-- QGIS send them as property filters; a tile takes them too) read the
-- groups of the cells inside the view and the events of its edges only
-- (eventsql.PlanDetailZoom) instead of every event of the filter (a
-- sub-event type at zoom 2: 0.3 s, a precision 0.9 s of SQLite's CPU in a
-- million events). cell_details holds per event type, sub-event type,
-- precision, modality and origin the count, the fatalities and the sums
-- of the points, but no week and no country: a filter with dates or a
-- country is answered from the events. A million generated events make
-- 272,000 groups (171,000 of them at level 10). x and y are clamped to
-- the last column and row as geo.CellOf clamps them. A group whose events
-- are all gone keeps n = 0: queries skip it.
--
-- The triggers' names start with cell_, so that a bulk import drops them
-- with the other cell triggers and tallies the groups itself, and
-- Store.refillCells counts them again from the events.

-- cell_detail_levels lists the levels of cell_details as cell_levels lists
-- those of cell_types: its columns as a double and as an integer.
CREATE TABLE cell_detail_levels (
	level INTEGER PRIMARY KEY,
	n     REAL NOT NULL,
	cols  INTEGER NOT NULL
) STRICT;
INSERT INTO cell_detail_levels (level, n, cols) VALUES (2, 16.0, 16), (4, 64.0, 64), (6, 256.0, 256), (8, 1024.0, 1024), (10, 4096.0, 4096);

CREATE TABLE cell_details (
	level          INTEGER NOT NULL,
	x              INTEGER NOT NULL,
	y              INTEGER NOT NULL,
	event_type     TEXT NOT NULL,
	sub_event_type TEXT NOT NULL,
	geo_precision  INTEGER NOT NULL,
	modality       TEXT NOT NULL,
	origin         TEXT NOT NULL,
	n              INTEGER NOT NULL,
	fatalities     INTEGER NOT NULL,
	sum_lon        REAL NOT NULL,
	sum_lat        REAL NOT NULL,
	PRIMARY KEY (level, x, y, event_type, sub_event_type, geo_precision, modality, origin)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cell_details_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_details (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type, new.sub_event_type, new.geo_precision,
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_detail_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

CREATE TRIGGER cell_details_delete AFTER DELETE ON events BEGIN
	UPDATE cell_details SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_detail_levels l)
		AND event_type = old.event_type AND sub_event_type = old.sub_event_type AND geo_precision = old.geo_precision
		AND modality = old.modality AND origin = old.origin;
END;

CREATE TRIGGER cell_details_update AFTER UPDATE OF lon, lat, event_type, sub_event_type, geo_precision, modality, origin, fatalities ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type
	OR new.sub_event_type IS NOT old.sub_event_type OR new.geo_precision IS NOT old.geo_precision
	OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin OR new.fatalities IS NOT old.fatalities
BEGIN
	UPDATE cell_details SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_detail_levels l)
		AND event_type = old.event_type AND sub_event_type = old.sub_event_type AND geo_precision = old.geo_precision
		AND modality = old.modality AND origin = old.origin;
	INSERT INTO cell_details (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type, new.sub_event_type, new.geo_precision,
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_detail_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

-- The events stored before this migration: level 10 from the events, each
-- coarser level from it (a cell's index halved once per level).
INSERT INTO cell_details (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT 10, min(CAST((e.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((e.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
	e.event_type, e.sub_event_type, e.geo_precision, e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e GROUP BY 2, 3, 4, 5, 6, 7, 8;
INSERT INTO cell_details (level, x, y, event_type, sub_event_type, geo_precision, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT l.level, c.x >> (10 - l.level), c.y >> (10 - l.level), c.event_type, c.sub_event_type, c.geo_precision, c.modality, c.origin,
	sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
FROM cell_details c, cell_detail_levels l WHERE c.level = 10 AND l.level < 10 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
