-- Counts of the events per cell of every kept level, country code, and
-- Monday of the week of their first and of their last day ('' undated), as
-- cell_types (0010) counts them per event type. cell_countries keeps no
-- week, so that the stats of a box with dates read every event of the box
-- in the dates: from a day on, 1.8 s for a hotspot's box in a million
-- events, against 50 ms with an end date too (BENCHMARKS.md). Their
-- countries now add up from here, their types and weeks from cell_types
-- (eventsql.StatsUsable, CellCountrySQL). No event type, modality or
-- origin, which would multiply the groups: the stats of a box with dates
-- and those read the events. A million generated events make 212,089
-- groups (161,443 at the finest level). A group whose events are all gone
-- keeps n = 0: queries skip it.
--
-- The triggers' names start with cell_, so that a bulk import drops them
-- with the other cell triggers and tallies the groups itself, and
-- Store.refillCells counts them again from the events.
CREATE TABLE cell_country_weeks (
	level        INTEGER NOT NULL,
	x            INTEGER NOT NULL,
	y            INTEGER NOT NULL,
	country_code TEXT NOT NULL,
	week         TEXT NOT NULL,
	week_last    TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (level, x, y, country_code, week, week_last)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cell_country_weeks_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.country_code,
		coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''), 1
	FROM cell_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cell_country_weeks_delete AFTER DELETE ON events BEGIN
	UPDATE cell_country_weeks SET n = n - 1
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_levels l)
		AND country_code = old.country_code AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '');
END;

CREATE TRIGGER cell_country_weeks_update AFTER UPDATE OF lon, lat, event_date, event_date_end, country_code ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_date IS NOT old.event_date
	OR new.event_date_end IS NOT old.event_date_end OR new.country_code IS NOT old.country_code
BEGIN
	UPDATE cell_country_weeks SET n = n - 1
	WHERE (level, x, y) IN (SELECT l.level, min(CAST((old.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
			min(CAST((old.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1) FROM cell_levels l)
		AND country_code = old.country_code AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '');
	INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
	SELECT l.level, min(CAST((new.lon + 180) * l.n / 360 AS INTEGER), l.cols - 1),
		min(CAST((new.lat + 90) * l.n / 360 AS INTEGER), l.cols / 2 - 1), new.country_code,
		coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''), 1
	FROM cell_levels l WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- The events stored before this migration, the finest level first.
INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
SELECT 8, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
	e.country_code, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''), count(*)
FROM events e GROUP BY 2, 3, 4, 5, 6;
INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
SELECT l.level, c.x >> (8 - l.level), c.y >> (8 - l.level), c.country_code, c.week, c.week_last, sum(c.n)
FROM cell_country_weeks c, cell_levels l WHERE c.level = 8 AND l.level < 8 GROUP BY 1, 2, 3, 4, 5, 6;
