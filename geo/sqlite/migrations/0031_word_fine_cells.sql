-- Counts of the events per word of the actors or of the quote and per cell
-- of the density grid at level 10 (eventsql.WordFineLevel) and event type,
-- as cell_words keeps them at level 8 (migration 0017), for the density
-- cells of one word at zooms 9 and 10: a hotspot's box at zoom 9 holds
-- 300,000 of the million events, whose entries the word's cells read one by
-- one (events_point_words: 100-170 ms), where the word's groups inside the
-- box are a few thousand (4 ms). Level 10 alone: its groups are about a
-- third of the events' words (the million: 1,111,175 groups, 76 MB), and a
-- finer level would keep about one per word of each event (level 12:
-- 3,273,749), for views that hold fewer events. A group whose events are
-- all gone keeps n = 0: queries skip it.
--
-- The triggers' names start with cell_, so that a bulk import drops them
-- with the other cell triggers and tallies the groups itself, and
-- Store.refillCells counts them again from the events.
CREATE TABLE cell_word_fine (
	field      TEXT NOT NULL, -- 'actors' or 'quote'
	word       TEXT NOT NULL,
	x          INTEGER NOT NULL,
	y          INTEGER NOT NULL,
	event_type TEXT NOT NULL,
	n          INTEGER NOT NULL,
	fatalities INTEGER NOT NULL,
	sum_lon    REAL NOT NULL,
	sum_lat    REAL NOT NULL,
	PRIMARY KEY (field, word, x, y, event_type)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cell_word_fine_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, min(CAST((new.lon + 180) * 4096.0 / 360 AS INTEGER), 4095),
		min(CAST((new.lat + 90) * 4096.0 / 360 AS INTEGER), 2047), new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

CREATE TRIGGER cell_word_fine_delete AFTER DELETE ON events BEGIN
	UPDATE cell_word_fine SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND x = min(CAST((old.lon + 180) * 4096.0 / 360 AS INTEGER), 4095)
		AND y = min(CAST((old.lat + 90) * 4096.0 / 360 AS INTEGER), 2047) AND event_type = old.event_type;
END;

CREATE TRIGGER cell_word_fine_update AFTER UPDATE OF lon, lat, event_type, fatalities, actors_words, quote_words ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type
	OR new.fatalities IS NOT old.fatalities OR new.actors_words IS NOT old.actors_words OR new.quote_words IS NOT old.quote_words
BEGIN
	UPDATE cell_word_fine SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND x = min(CAST((old.lon + 180) * 4096.0 / 360 AS INTEGER), 4095)
		AND y = min(CAST((old.lat + 90) * 4096.0 / 360 AS INTEGER), 2047) AND event_type = old.event_type;
	INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, min(CAST((new.lon + 180) * 4096.0 / 360 AS INTEGER), 4095),
		min(CAST((new.lat + 90) * 4096.0 / 360 AS INTEGER), 2047), new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

-- The events stored before this migration.
INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT f.field, w.value, min(CAST((e.lon + 180) * 4096.0 / 360 AS INTEGER), 4095),
	min(CAST((e.lat + 90) * 4096.0 / 360 AS INTEGER), 2047), e.event_type, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
	json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
GROUP BY 1, 2, 3, 4, 5;
