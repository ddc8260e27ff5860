-- Counts of the events per cell of level 10 of the density grid
-- (eventsql.WeekFineLevel) and week, kept by triggers on every write of
-- events as cell_types is (0012), so that the density of zooms 9 and 10
-- between dates reads the groups of the cells in view instead of every
-- event in view: a hotspot's view at zoom 9 over a year holds 165,000 of
-- the million's events, read one by one in 0.1 s, and 55,000 groups here.
-- cell_fine (0013) keeps no week, and cell_types' finest level (8) is
-- coarser than those zooms. cell_country_weeks (0028) gains the same
-- level, so that the count and stats of a small box read its cells of
-- level 10 (eventsql.PlanBox) and only the events of strips a quarter as
-- wide as level 8's along its edges: the stats of a hotspot's box of
-- 0.6 by 0.4 degrees read the rows of 90,000 of its 101,000 events.
--
-- cell_fine_weeks holds what cell_types holds, at this one level: per event
-- type, week, last week, modality and origin the count, the fatalities and
-- the sums of the points. Its key puts the event type before the weeks, so
-- that a view's groups come out in the order of their cell and type, which
-- the density cells group by, without a sort. x and y are clamped to the
-- last column and row as geo.CellOf clamps them. A group whose events are
-- all gone keeps n = 0: queries skip it.
--
-- A bulk import drops these triggers with the other cell triggers (their
-- names start with cell_) and tallies the groups itself, and
-- Store.refillCells counts them again from the events.
CREATE TABLE cell_fine_weeks (
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

-- The cell of level 10: 4096 columns and 2048 rows, the expression of
-- eventsql.CellX, clamped.
CREATE TRIGGER cell_fine_weeks_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
	VALUES (10, min(CAST((new.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((new.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
		new.event_type, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat)
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
	INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
	VALUES (10, min(CAST((new.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((new.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
		new.country_code, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''), 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cell_fine_weeks_delete AFTER DELETE ON events BEGIN
	UPDATE cell_fine_weeks SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE level = 10 AND x = min(CAST((old.lon + 180) * 4096.0 / 360 AS INTEGER), 4095)
		AND y = min(CAST((old.lat + 90) * 4096.0 / 360 AS INTEGER), 2047)
		AND event_type = old.event_type AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
	UPDATE cell_country_weeks SET n = n - 1
	WHERE level = 10 AND x = min(CAST((old.lon + 180) * 4096.0 / 360 AS INTEGER), 4095)
		AND y = min(CAST((old.lat + 90) * 4096.0 / 360 AS INTEGER), 2047)
		AND country_code = old.country_code AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '');
END;

CREATE TRIGGER cell_fine_weeks_update AFTER UPDATE OF lon, lat, event_type, event_date, event_date_end, modality, origin, fatalities,
	country_code ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type
	OR new.event_date IS NOT old.event_date OR new.event_date_end IS NOT old.event_date_end
	OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin OR new.fatalities IS NOT old.fatalities
	OR new.country_code IS NOT old.country_code
BEGIN
	UPDATE cell_fine_weeks SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE level = 10 AND x = min(CAST((old.lon + 180) * 4096.0 / 360 AS INTEGER), 4095)
		AND y = min(CAST((old.lat + 90) * 4096.0 / 360 AS INTEGER), 2047)
		AND event_type = old.event_type AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
	UPDATE cell_country_weeks SET n = n - 1
	WHERE level = 10 AND x = min(CAST((old.lon + 180) * 4096.0 / 360 AS INTEGER), 4095)
		AND y = min(CAST((old.lat + 90) * 4096.0 / 360 AS INTEGER), 2047)
		AND country_code = old.country_code AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '');
	INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
	VALUES (10, min(CAST((new.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((new.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
		new.event_type, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat)
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
	INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
	VALUES (10, min(CAST((new.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((new.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
		new.country_code, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''), 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- The events stored before this migration.
INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT 10, min(CAST((e.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((e.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
	e.event_type, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''),
	e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e GROUP BY 2, 3, 4, 5, 6, 7, 8;
INSERT INTO cell_country_weeks (level, x, y, country_code, week, week_last, n)
SELECT 10, min(CAST((e.lon + 180) * 4096.0 / 360 AS INTEGER), 4095), min(CAST((e.lat + 90) * 4096.0 / 360 AS INTEGER), 2047),
	e.country_code, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''), count(*)
FROM events e GROUP BY 2, 3, 4, 5, 6;
