-- Counts of the events per sub-event type or precision and per cell of the
-- density grid at level 8 (eventsql.WordCellLevel, as cell_word_stats), by
-- country code (kind 0) and by the Monday of the week of the event's first
-- day (kind 1, '' undated), kept by triggers on every write of events. The
-- stats of sub-event types or precisions with a box then add up the groups
-- of the cells inside the box (event types from cell_details, countries
-- and weeks from here) and read the events of its edge strips only
-- (eventsql.DetailBoxStatsSQL), instead of every event of the filter in the
-- box (a precision in a hotspot's box of 300,000 events: 0.16 s of
-- SQLite's CPU). Each event counts once under its sub-event type (field
-- 'sub_event_type') and once under its precision (field 'geo_precision',
-- value its decimal text), each by country and by week: the million holds
-- 238,000 groups by sub-event type and week, 116,000 by precision and
-- week, 84,000 by country. No event type: the stats of a box with types
-- read the events. A group whose events are all gone keeps n = 0: queries
-- skip it.
--
-- The triggers' names start with cell_, so that a bulk import drops them
-- with the other cell triggers and tallies the groups itself, and
-- Store.refillCells counts them again from the events.
CREATE TABLE cell_detail_stats (
	field TEXT NOT NULL, -- 'sub_event_type' or 'geo_precision'
	value TEXT NOT NULL,
	x     INTEGER NOT NULL,
	y     INTEGER NOT NULL,
	kind  INTEGER NOT NULL, -- 0: key is a country code; 1: key is a week
	key   TEXT NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (field, value, x, y, kind, key)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cell_detail_stats_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_detail_stats (field, value, x, y, kind, key, n)
	SELECT f.field, f.value, min(CAST((new.lon + 180) * 1024.0 / 360 AS INTEGER), 1023),
		min(CAST((new.lat + 90) * 1024.0 / 360 AS INTEGER), 511), k.kind,
		CASE k.kind WHEN 0 THEN new.country_code ELSE coalesce(date(new.event_date, 'weekday 0', '-6 days'), '') END, 1
	FROM (SELECT 'sub_event_type' AS field, new.sub_event_type AS value
		UNION ALL SELECT 'geo_precision', CAST(new.geo_precision AS TEXT)) f, (SELECT 0 AS kind UNION ALL SELECT 1) k WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cell_detail_stats_delete AFTER DELETE ON events BEGIN
	UPDATE cell_detail_stats SET n = n - 1
	WHERE (field = 'sub_event_type' AND value = old.sub_event_type
			OR field = 'geo_precision' AND value = CAST(old.geo_precision AS TEXT))
		AND x = min(CAST((old.lon + 180) * 1024.0 / 360 AS INTEGER), 1023)
		AND y = min(CAST((old.lat + 90) * 1024.0 / 360 AS INTEGER), 511)
		AND (kind = 0 AND key = old.country_code OR kind = 1 AND key = coalesce(date(old.event_date, 'weekday 0', '-6 days'), ''));
END;

CREATE TRIGGER cell_detail_stats_update AFTER UPDATE OF lon, lat, country_code, event_date, sub_event_type, geo_precision ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.country_code IS NOT old.country_code
	OR new.event_date IS NOT old.event_date OR new.sub_event_type IS NOT old.sub_event_type OR new.geo_precision IS NOT old.geo_precision
BEGIN
	UPDATE cell_detail_stats SET n = n - 1
	WHERE (field = 'sub_event_type' AND value = old.sub_event_type
			OR field = 'geo_precision' AND value = CAST(old.geo_precision AS TEXT))
		AND x = min(CAST((old.lon + 180) * 1024.0 / 360 AS INTEGER), 1023)
		AND y = min(CAST((old.lat + 90) * 1024.0 / 360 AS INTEGER), 511)
		AND (kind = 0 AND key = old.country_code OR kind = 1 AND key = coalesce(date(old.event_date, 'weekday 0', '-6 days'), ''));
	INSERT INTO cell_detail_stats (field, value, x, y, kind, key, n)
	SELECT f.field, f.value, min(CAST((new.lon + 180) * 1024.0 / 360 AS INTEGER), 1023),
		min(CAST((new.lat + 90) * 1024.0 / 360 AS INTEGER), 511), k.kind,
		CASE k.kind WHEN 0 THEN new.country_code ELSE coalesce(date(new.event_date, 'weekday 0', '-6 days'), '') END, 1
	FROM (SELECT 'sub_event_type' AS field, new.sub_event_type AS value
		UNION ALL SELECT 'geo_precision', CAST(new.geo_precision AS TEXT)) f, (SELECT 0 AS kind UNION ALL SELECT 1) k WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- The events stored before this migration.
INSERT INTO cell_detail_stats (field, value, x, y, kind, key, n)
SELECT f.field, CASE f.field WHEN 'sub_event_type' THEN e.sub_event_type ELSE CAST(e.geo_precision AS TEXT) END,
	min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511), k.kind,
	CASE k.kind WHEN 0 THEN e.country_code ELSE coalesce(date(e.event_date, 'weekday 0', '-6 days'), '') END, count(*)
FROM events e, (SELECT 'sub_event_type' AS field UNION ALL SELECT 'geo_precision') f, (SELECT 0 AS kind UNION ALL SELECT 1) k
GROUP BY 1, 2, 3, 4, 5, 6;
