-- cell_countries (0012) keeps the fatalities and the sums of the points
-- of its groups too, as cell_types does, so that the density cells of a
-- country's events (the page's map once a country is chosen) are read from
-- it instead of from the events: a country's 83,000 events of the million
-- took 0.7 s at world zoom, read row by row (BENCHMARKS.md). The groups
-- are counted again from the events, the finest level first, and the
-- triggers keep the new columns.
ALTER TABLE cell_countries ADD COLUMN fatalities INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cell_countries ADD COLUMN sum_lon REAL NOT NULL DEFAULT 0;
ALTER TABLE cell_countries ADD COLUMN sum_lat REAL NOT NULL DEFAULT 0;
DELETE FROM cell_countries;
INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT 8, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
	e.event_type, e.country_code, e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e GROUP BY 2, 3, 4, 5, 6, 7;
INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT l.level, c.x >> (8 - l.level), c.y >> (8 - l.level), c.event_type, c.country_code, c.modality, c.origin,
	sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat)
FROM cell_countries c, cell_levels l WHERE c.level = 8 AND l.level < 8 GROUP BY 1, 2, 3, 4, 5, 6, 7;

DROP TRIGGER cell_insert;
DROP TRIGGER cell_delete;
DROP TRIGGER cell_update;

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
	INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		new.country_code, new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

CREATE TRIGGER cell_delete AFTER DELETE ON events BEGIN
	UPDATE cell_types SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_levels l)
		AND event_type = old.event_type AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
	UPDATE cell_countries SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
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
	UPDATE cell_countries SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
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
	INSERT INTO cell_countries (level, x, y, event_type, country_code, modality, origin, n, fatalities, sum_lon, sum_lat)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.event_type,
		new.country_code, new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM cell_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;
