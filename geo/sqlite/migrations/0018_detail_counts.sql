-- Counts of the events per sub-event type, precision, event type, country
-- code, week, last week, modality and origin, kept by triggers on every
-- write of events as event_counts is, so that the count and the stats of a
-- filter naming sub-event types or precisions (GDAL and QGIS send them as
-- property filters) with types, a country, modalities, origins and dates
-- read a few thousand groups instead of every event (eventsql.PlanDetail:
-- 3.5 s for the stats of a sub-event type in a million events). The weeks
-- are those of the first and the last day, as in cell_types: the whole
-- weeks inside a filter's dates come from here, the days at either end
-- from the events. A million generated events make 94,611 groups. A
-- group whose events are all gone keeps n = 0: queries skip it.
CREATE TABLE detail_counts (
	sub_event_type TEXT NOT NULL,
	geo_precision  INTEGER NOT NULL,
	event_type     TEXT NOT NULL,
	country_code   TEXT NOT NULL,
	week           TEXT NOT NULL, -- the Monday of event_date's week, '' when undated
	week_last      TEXT NOT NULL, -- the Monday of event_date_end's week (else event_date's)
	modality       TEXT NOT NULL,
	origin         TEXT NOT NULL,
	n              INTEGER NOT NULL,
	PRIMARY KEY (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin)
) STRICT, WITHOUT ROWID;

INSERT INTO detail_counts (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin, n)
SELECT sub_event_type, geo_precision, event_type, country_code, coalesce(date(event_date, 'weekday 0', '-6 days'), ''),
	coalesce(date(coalesce(event_date_end, event_date), 'weekday 0', '-6 days'), ''), modality, origin, count(*)
FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

CREATE TRIGGER detail_counts_insert AFTER INSERT ON events BEGIN
	INSERT INTO detail_counts (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin, n)
	VALUES (new.sub_event_type, new.geo_precision, new.event_type, new.country_code,
		coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''), new.modality, new.origin, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER detail_counts_update AFTER UPDATE OF sub_event_type, geo_precision, event_type, country_code, event_date,
	event_date_end, modality, origin ON events
WHEN new.sub_event_type IS NOT old.sub_event_type OR new.geo_precision IS NOT old.geo_precision
	OR new.event_type IS NOT old.event_type OR new.country_code IS NOT old.country_code
	OR new.event_date IS NOT old.event_date OR new.event_date_end IS NOT old.event_date_end
	OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin
BEGIN
	UPDATE detail_counts SET n = n - 1
	WHERE sub_event_type = old.sub_event_type AND geo_precision = old.geo_precision AND event_type = old.event_type
		AND country_code = old.country_code AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
	INSERT INTO detail_counts (sub_event_type, geo_precision, event_type, country_code, week, week_last, modality, origin, n)
	VALUES (new.sub_event_type, new.geo_precision, new.event_type, new.country_code,
		coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(date(coalesce(new.event_date_end, new.event_date), 'weekday 0', '-6 days'), ''), new.modality, new.origin, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER detail_counts_delete AFTER DELETE ON events BEGIN
	UPDATE detail_counts SET n = n - 1
	WHERE sub_event_type = old.sub_event_type AND geo_precision = old.geo_precision AND event_type = old.event_type
		AND country_code = old.country_code AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND week_last = coalesce(date(coalesce(old.event_date_end, old.event_date), 'weekday 0', '-6 days'), '')
		AND modality = old.modality AND origin = old.origin;
END;

-- The events of a sub-event type in list order (the ties of a date sorted
-- apart), with the country, the precision and the point, so that the page,
-- the count and the stats of a sub-event type that few events have (with a
-- country, a precision or a box) read its entries instead of every event,
-- and its rows only for the events they select (Store.subTypePage: a page
-- of a sub-event type with a country 200 ms -> 1 ms, its count in a box 2 s
-- -> 7 ms of SQLite's time in a million events).
CREATE INDEX events_by_sub_type ON events (sub_event_type, event_date DESC, country_code, geo_precision, lon, lat);
