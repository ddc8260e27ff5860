-- cell_fine (0013) keeps the precision too, so that the density cells of a
-- precision at zooms 11 to 14 read the groups of the cells in view instead
-- of every event of the view (a hotspot's view at zoom 11 and one
-- precision: 101,000 entries of the points' index, 73-90 ms in a million
-- events). cell_details (0020) keeps it up to level 10 only, whose
-- groups per sub-event type would be about as many as the events at a
-- finer level; without the sub-event type, the million's cell_fine grows
-- from 911,000 groups to 1,254,000.
--
-- The table is made again with the precision in its key, and its triggers
-- with it; the groups are counted again from the events, as 0013 counted
-- them.
DROP TRIGGER IF EXISTS cell_fine_insert;
DROP TRIGGER IF EXISTS cell_fine_delete;
DROP TRIGGER IF EXISTS cell_fine_update;
DROP TABLE cell_fine;

CREATE TABLE cell_fine (
	level         INTEGER NOT NULL,
	x             INTEGER NOT NULL,
	y             INTEGER NOT NULL,
	event_type    TEXT NOT NULL,
	modality      TEXT NOT NULL,
	origin        TEXT NOT NULL,
	geo_precision INTEGER NOT NULL,
	n             INTEGER NOT NULL,
	fatalities    INTEGER NOT NULL,
	sum_lon       REAL NOT NULL,
	sum_lat       REAL NOT NULL,
	PRIMARY KEY (level, x, y, event_type, modality, origin, geo_precision)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cell_fine_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_fine (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		new.modality, new.origin, new.geo_precision, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_fine_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

CREATE TRIGGER cell_fine_delete AFTER DELETE ON events BEGIN
	UPDATE cell_fine SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_fine_levels l)
		AND event_type = old.event_type AND modality = old.modality AND origin = old.origin
		AND geo_precision = old.geo_precision;
END;

CREATE TRIGGER cell_fine_update AFTER UPDATE OF lon, lat, event_type, modality, origin, geo_precision, fatalities ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type
	OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin OR new.geo_precision IS NOT old.geo_precision
	OR new.fatalities IS NOT old.fatalities
BEGIN
	UPDATE cell_fine SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_fine_levels l)
		AND event_type = old.event_type AND modality = old.modality AND origin = old.origin
		AND geo_precision = old.geo_precision;
	INSERT INTO cell_fine (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		new.modality, new.origin, new.geo_precision, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_fine_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

INSERT INTO cell_fine (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)
SELECT 14, min(CAST((e.lon + 180) * 65536.0 / 360 AS INTEGER), 65535), min(CAST((e.lat + 90) * 65536.0 / 360 AS INTEGER), 32767),
	e.event_type, e.modality, e.origin, e.geo_precision, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e GROUP BY 2, 3, 4, 5, 6, 7;
INSERT INTO cell_fine (level, x, y, event_type, modality, origin, geo_precision, n, fatalities, sum_lon, sum_lat)
SELECT l.level, c.x >> (14 - l.level), c.y >> (14 - l.level), c.event_type, c.modality, c.origin, c.geo_precision,
	sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
FROM cell_fine c, cell_fine_levels l WHERE c.level = 14 AND l.level < 14 GROUP BY 1, 2, 3, 4, 5, 6, 7;
