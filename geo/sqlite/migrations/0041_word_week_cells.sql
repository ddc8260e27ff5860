-- Counts of the events per word of the actors or of the quote, cell of
-- the density grid at level 8 (eventsql.WordCellLevel, as cell_words),
-- week (the Monday of the event's first day, '' undated) and event type,
-- with the fatalities and the sums of the points, kept by triggers on
-- every write of events. The density cells of one word between dates
-- then add up the groups of the whole weeks inside the dates and read the
-- events of the days at either end only (eventsql.WordWeekCells), instead
-- of every event of the dates or every one they leave out (the million,
-- a common word since a day in the middle of its data: 549,000 events
-- walked, 165-280 ms; its groups in those weeks are 29,000). cell_words
-- keeps the same groups without the week: a word without dates reads its
-- fewer groups there (the common word: 12,000 against 58,000 here).
--
-- The triggers' names start with cell_, so that a bulk import drops them
-- with the other cell triggers and tallies the groups itself, and
-- Store.refillCells counts them again from the events.
CREATE TABLE cell_word_weeks (
	field      TEXT NOT NULL, -- 'actors' or 'quote'
	word       TEXT NOT NULL,
	week       TEXT NOT NULL,
	x          INTEGER NOT NULL,
	y          INTEGER NOT NULL,
	event_type TEXT NOT NULL,
	n          INTEGER NOT NULL,
	fatalities INTEGER NOT NULL,
	sum_lon    REAL NOT NULL,
	sum_lat    REAL NOT NULL,
	PRIMARY KEY (field, word, week, x, y, event_type)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cell_word_weeks_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		min(CAST((new.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((new.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
		new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

CREATE TRIGGER cell_word_weeks_delete AFTER DELETE ON events BEGIN
	UPDATE cell_word_weeks SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND x = min(CAST((old.lon + 180) * 1024.0 / 360 AS INTEGER), 1023)
		AND y = min(CAST((old.lat + 90) * 1024.0 / 360 AS INTEGER), 511) AND event_type = old.event_type;
END;

CREATE TRIGGER cell_word_weeks_update AFTER UPDATE OF lon, lat, event_type, event_date, fatalities, actors_words, quote_words ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type OR new.event_date IS NOT old.event_date
	OR new.fatalities IS NOT old.fatalities OR new.actors_words IS NOT old.actors_words OR new.quote_words IS NOT old.quote_words
BEGIN
	UPDATE cell_word_weeks SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND x = min(CAST((old.lon + 180) * 1024.0 / 360 AS INTEGER), 1023)
		AND y = min(CAST((old.lat + 90) * 1024.0 / 360 AS INTEGER), 511) AND event_type = old.event_type;
	INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		min(CAST((new.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((new.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
		new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

-- The events stored before this migration.
INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT f.field, w.value, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	min(CAST((e.lon + 180) * 1024.0 / 360 AS INTEGER), 1023), min(CAST((e.lat + 90) * 1024.0 / 360 AS INTEGER), 511),
	e.event_type, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
	json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
GROUP BY 1, 2, 3, 4, 5, 6;
