-- Counts of the events per cell of the density grid at the finer zooms of
-- eventsql.FineLevels (10, 12 and 14), kept by triggers on every write of
-- events as cell_types is (0012), so that the density of zooms 9 to 14
-- reads a few groups per cell instead of every event in view (a hotspot's
-- view at zoom 9 grouped 300,000 events: 0.7 s). cell_fine holds per event
-- type, modality and origin the count, the fatalities and the sums of the
-- points, but no week and no country: a cell holds a few groups however
-- many events it holds, and only filters without dates read it. x and y
-- are clamped to the last column and row as geo.CellOf clamps them. A group
-- whose events are all gone keeps n = 0: queries skip it.
--
-- A bulk import drops these triggers with the other cell triggers (their
-- names start with cell_) and tallies the groups itself, and
-- Store.refillCells counts them again from the events.

-- cell_fine_levels lists the levels of cell_fine as cell_levels lists
-- those of cell_types: its columns as a double and as an integer.
CREATE TABLE cell_fine_levels (
	level INTEGER PRIMARY KEY,
	n     REAL NOT NULL,
	cols  INTEGER NOT NULL
) STRICT;
INSERT INTO cell_fine_levels (level, n, cols) VALUES (10, 4096.0, 4096), (12, 16384.0, 16384), (14, 65536.0, 65536);

CREATE TABLE cell_fine (
	level      INTEGER NOT NULL,
	x          INTEGER NOT NULL,
	y          INTEGER NOT NULL,
	event_type TEXT NOT NULL,
	modality   TEXT NOT NULL,
	origin     TEXT NOT NULL,
	n          INTEGER NOT NULL,
	fatalities INTEGER NOT NULL,
	sum_lon    REAL NOT NULL,
	sum_lat    REAL NOT NULL,
	PRIMARY KEY (level, x, y, event_type, modality, origin)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cell_fine_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_fine (level, x, y, event_type, modality, origin, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_fine_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

CREATE TRIGGER cell_fine_delete AFTER DELETE ON events BEGIN
	UPDATE cell_fine SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_fine_levels l)
		AND event_type = old.event_type AND modality = old.modality AND origin = old.origin;
END;

CREATE TRIGGER cell_fine_update AFTER UPDATE OF lon, lat, event_type, modality, origin, fatalities ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type
	OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin OR new.fatalities IS NOT old.fatalities
BEGIN
	UPDATE cell_fine SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_fine_levels l)
		AND event_type = old.event_type AND modality = old.modality AND origin = old.origin;
	INSERT INTO cell_fine (level, x, y, event_type, modality, origin, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_fine_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

-- The events stored before this migration: level 14 from the events,
-- each coarser level from it (a cell's index halved once per level).
INSERT INTO cell_fine (level, x, y, event_type, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT 14, min(CAST((e.lon + 180) * 65536.0 / 360 AS INTEGER), 65535), min(CAST((e.lat + 90) * 65536.0 / 360 AS INTEGER), 32767),
	e.event_type, e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e GROUP BY 2, 3, 4, 5, 6;
INSERT INTO cell_fine (level, x, y, event_type, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT l.level, c.x >> (14 - l.level), c.y >> (14 - l.level), c.event_type, c.modality, c.origin,
	sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
FROM cell_fine c, cell_fine_levels l WHERE c.level = 14 AND l.level < 14 GROUP BY 1, 2, 3, 4, 5, 6;

-- A page of a box that many events match walks events_by_date in list
-- order and checks each event's point (Store.page): with the point in the
-- index, an event outside the box is passed over in the index, without
-- reading its row (SQLite seeks the row only for a column the index lacks),
-- so that the walk reads the rows of the page's events alone (the hotspot
-- box's page read 3,300 rows for 1,000 events).
DROP INDEX events_by_date;
CREATE INDEX events_by_date ON events (event_date DESC, id, lon, lat);
