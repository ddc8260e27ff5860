-- Counts of the events per word of the actors or of the quote and per cell
-- of the density grid at level 8 (eventsql.WordCellLevel, as cell_words),
-- by country code (kind 0) and by the Monday of the week of the event's
-- first day (kind 1, '' undated), kept by triggers on every write of
-- events. The stats of one word with a box then add up the groups of the
-- cells inside the box (event types from cell_words, countries and weeks
-- from here) and read the events of its edge strips only
-- (eventsql.WordStatsSQL), instead of every event of the word in the box
-- (a word in a quarter of the million events, a box holding 300,000: 0.4
-- s). The two breakdowns are kept apart, not by country and week at once,
-- since the stats count each alone: the million holds 176,749 groups by
-- country and 1,137,989 by week, where a group per country and week would
-- be more than each. No event type: the stats of a word, a box and types
-- read the events. A group whose events are all gone keeps n = 0: queries
-- skip it.
--
-- The triggers' names start with cell_, so that a bulk import drops them
-- with the other cell triggers and tallies the groups itself, and
-- Store.refillCells counts them again from the events.
CREATE TABLE cell_word_stats (
	field TEXT NOT NULL, -- 'actors' or 'quote'
	word  TEXT NOT NULL,
	x     INTEGER NOT NULL,
	y     INTEGER NOT NULL,
	kind  INTEGER NOT NULL, -- 0: key is a country code; 1: key is a week
	key   TEXT NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (field, word, x, y, kind, key)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cell_word_stats_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_word_stats (field, word, x, y, kind, key, n)
	SELECT w.field, w.value, min(CAST((new.lon + 180) * 1024.0 / 360 AS INTEGER), 1023),
		min(CAST((new.lat + 90) * 1024.0 / 360 AS INTEGER), 511), k.kind,
		CASE k.kind WHEN 0 THEN new.country_code ELSE coalesce(date(new.event_date, 'weekday 0', '-6 days'), '') END, 1
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w, (SELECT 0 AS kind UNION ALL SELECT 1) k WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cell_word_stats_delete AFTER DELETE ON events BEGIN
	UPDATE cell_word_stats SET n = n - 1
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND x = min(CAST((old.lon + 180) * 1024.0 / 360 AS INTEGER), 1023)
		AND y = min(CAST((old.lat + 90) * 1024.0 / 360 AS INTEGER), 511)
		AND (kind = 0 AND key = old.country_code OR kind = 1 AND key = coalesce(date(old.event_date, 'weekday 0', '-6 days'), ''));
END;

CREATE TRIGGER cell_word_stats_update AFTER UPDATE OF lon, lat, country_code, event_date, actors_words, quote_words ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.country_code IS NOT old.country_code
	OR new.event_date IS NOT old.event_date OR new.actors_words IS NOT old.actors_words OR new.quote_words IS NOT old.quote_words
BEGIN
	UPDATE cell_word_stats SET n = n - 1
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND x = min(CAST((old.lon + 180) * 1024.0 / 360 AS INTEGER), 1023)
		AND y = min(CAST((old.lat + 90) * 1024.0 / 360 AS INTEGER), 511)
		AND (kind = 0 AND key = old.country_code OR kind = 1 AND key = coalesce(date(old.event_date, 'weekday 0', '-6 days'), ''));
	INSERT INTO cell_word_stats (field, word, x, y, kind, key, n)
	SELECT w.field, w.value, min(CAST((new.lon + 180) * 1024.0 / 360 AS INTEGER), 1023),
		min(CAST((new.lat + 90) * 1024.0 / 360 AS INTEGER), 511), k.kind,
		CASE k.kind WHEN 0 THEN new.country_code ELSE coalesce(date(new.event_date, 'weekday 0', '-6 days'), '') END, 1
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w, (SELECT 0 AS kind UNION ALL SELECT 1) k WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- The events stored before this migration.
INSERT INTO cell_word_stats (field, word, x, y, kind, key, n)
SELECT f.field, w.value, min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023),
	min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511), k.kind,
	CASE k.kind WHEN 0 THEN e.country_code ELSE coalesce(date(e.event_date, 'weekday 0', '-6 days'), '') END, count(*)
FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
	json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w, (SELECT 0 AS kind UNION ALL SELECT 1) k
GROUP BY 1, 2, 3, 4, 5, 6;
