-- cell_fine_weeks (0037) gains the cells of level 11
-- (eventsql.WeekFinerLevel): the density of zoom 11 between dates reads
-- their groups instead of every event in view. A hotspot's view at zoom
-- 11 since a date holds 55,000 of the million's events, whose points took
-- 40-65 ms to read and group; the same view holds 27,500 groups of this
-- level by cell, type and week, and the whole store 701,000 (428,000 at
-- level 10). Zooms 9 and 10 and the counts and stats of boxes keep
-- reading level 10, whose groups are fewer; zooms 12 and finer read the
-- events, whose cells there hold about one event per group.
--
-- The level's rows are kept by triggers of their own beside those of
-- 0037, named cell_ as they are, so that a bulk import drops them with
-- the others and tallies this level itself (tally.fineWeeks), and
-- Store.refillCells counts it again from the events. cell_country_weeks
-- stays at level 10 alone: only boxes' counts and stats read it.

-- The cell of level 11: 8192 columns and 4096 rows, the expression of
-- eventsql.CellX, clamped.
CREATE TRIGGER cell_fine_weeks_11_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
	VALUES (11, min(CAST((new.lon + 180) * 8192.0 / 360 AS INTEGER), 8191), min(CAST((new.lat + 90) * 8192.0 / 360 AS INTEGER), 4095),
		new.event_type, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat)
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

CREATE TRIGGER cell_fine_weeks_11_delete AFTER DELETE ON events BEGIN
	UPDATE cell_fine_weeks SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE level = 11 AND x = min(CAST((old.lon + 180) * 8192.0 / 360 AS INTEGER), 8191)
		AND y = min(CAST((old.lat + 90) * 8192.0 / 360 AS INTEGER), 4095)
		AND event_type = old.event_type AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
END;

CREATE TRIGGER cell_fine_weeks_11_update AFTER UPDATE OF lon, lat, event_type, event_date, event_date_end, modality, origin, fatalities
	ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type
	OR new.event_date IS NOT old.event_date OR new.event_date_end IS NOT old.event_date_end
	OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin OR new.fatalities IS NOT old.fatalities
BEGIN
	UPDATE cell_fine_weeks SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE level = 11 AND x = min(CAST((old.lon + 180) * 8192.0 / 360 AS INTEGER), 8191)
		AND y = min(CAST((old.lat + 90) * 8192.0 / 360 AS INTEGER), 4095)
		AND event_type = old.event_type AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
	INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
	VALUES (11, min(CAST((new.lon + 180) * 8192.0 / 360 AS INTEGER), 8191), min(CAST((new.lat + 90) * 8192.0 / 360 AS INTEGER), 4095),
		new.event_type, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1, coalesce(new.fatalities, 0), new.lon, new.lat)
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

-- The events stored before this migration.
INSERT INTO cell_fine_weeks (level, x, y, event_type, week, week_last, modality, origin, n, fatalities, sum_lon, sum_lat)
SELECT 11, min(CAST((e.lon + 180) * 8192.0 / 360 AS INTEGER), 8191), min(CAST((e.lat + 90) * 8192.0 / 360 AS INTEGER), 4095),
	e.event_type, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	coalesce(date(coalesce(e.event_date_end, e.event_date), 'weekday 0', '-6 days'), ''),
	e.modality, e.origin, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e GROUP BY 2, 3, 4, 5, 6, 7, 8;
