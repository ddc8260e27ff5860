-- Counts of the events per event type, country code, week, first and last
-- day, modality and origin, kept by triggers on every write of events, so
-- that /api/stats and the count of a page whose filter names only these
-- (no box, no words, no sub-event type or precision, no source count)
-- read a few thousand groups instead of a million events
-- (eventsql.CountsUsable). Dates are YYYY-MM-DD text, '' when undated (a
-- primary key column holds no NULL); date_last is event_date_end, else
-- event_date. A group whose events are all gone keeps n = 0: queries skip it.
CREATE TABLE event_counts (
	event_type   TEXT NOT NULL,
	country_code TEXT NOT NULL,
	week         TEXT NOT NULL, -- the Monday of event_date's week, '' when undated
	event_date   TEXT NOT NULL,
	date_last    TEXT NOT NULL,
	modality     TEXT NOT NULL,
	origin       TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (event_type, country_code, week, event_date, date_last, modality, origin)
) STRICT, WITHOUT ROWID;

INSERT INTO event_counts (event_type, country_code, week, event_date, date_last, modality, origin, n)
SELECT event_type, country_code, coalesce(date(event_date, 'weekday 0', '-6 days'), ''), coalesce(event_date, ''),
	coalesce(event_date_end, event_date, ''), modality, origin, count(*)
FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE TRIGGER event_counts_insert AFTER INSERT ON events BEGIN
	INSERT INTO event_counts (event_type, country_code, week, event_date, date_last, modality, origin, n)
	VALUES (new.event_type, new.country_code, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(new.event_date, ''), coalesce(new.event_date_end, new.event_date, ''), new.modality, new.origin, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER event_counts_update AFTER UPDATE OF event_type, country_code, event_date, event_date_end, modality, origin ON events
WHEN new.event_type IS NOT old.event_type OR new.country_code IS NOT old.country_code
	OR new.event_date IS NOT old.event_date OR new.event_date_end IS NOT old.event_date_end
	OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin
BEGIN
	UPDATE event_counts SET n = n - 1
	WHERE event_type = old.event_type AND country_code = old.country_code
		AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '') AND event_date = coalesce(old.event_date, '')
		AND date_last = coalesce(old.event_date_end, old.event_date, '') AND modality = old.modality AND origin = old.origin;
	INSERT INTO event_counts (event_type, country_code, week, event_date, date_last, modality, origin, n)
	VALUES (new.event_type, new.country_code, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		coalesce(new.event_date, ''), coalesce(new.event_date_end, new.event_date, ''), new.modality, new.origin, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER event_counts_delete AFTER DELETE ON events BEGIN
	UPDATE event_counts SET n = n - 1
	WHERE event_type = old.event_type AND country_code = old.country_code
		AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '') AND event_date = coalesce(old.event_date, '')
		AND date_last = coalesce(old.event_date_end, old.event_date, '') AND modality = old.modality AND origin = old.origin;
END;
