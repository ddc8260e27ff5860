-- cell_word_weeks (migration 0041) at level 9 (eventsql.WordWeekLevel)
-- rather than 8, so that the density of a word between dates at zoom 9
-- adds up its groups too: a hotspot's view at zoom 9, a common word since
-- a day, read every one of the view's 300,000 events to find its 39,000
-- (116-141 ms). The million's groups grow from 2.2 to 4.0 million.
--
-- cell_word_weeks_coarse keeps the same groups at level 5
-- (eventsql.WordWeekCoarseLevel), for the zooms up to 5 without a box or
-- with a box on its cells' edges (the page's blocks): the world's groups
-- of a common word since a day are 54,000 at level 9, 9,500 at level 5.
DROP TRIGGER cell_word_weeks_insert;
DROP TRIGGER cell_word_weeks_delete;
DROP TRIGGER cell_word_weeks_update;
DELETE FROM cell_word_weeks;

CREATE TRIGGER cell_word_weeks_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		min(CAST((new.lon + 180) * 2048.0 / 360 AS INTEGER), 2047), min(CAST((new.lat + 90) * 2048.0 / 360 AS INTEGER), 1023),
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
		AND x = min(CAST((old.lon + 180) * 2048.0 / 360 AS INTEGER), 2047)
		AND y = min(CAST((old.lat + 90) * 2048.0 / 360 AS INTEGER), 1023) AND event_type = old.event_type;
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
		AND x = min(CAST((old.lon + 180) * 2048.0 / 360 AS INTEGER), 2047)
		AND y = min(CAST((old.lat + 90) * 2048.0 / 360 AS INTEGER), 1023) AND event_type = old.event_type;
	INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		min(CAST((new.lon + 180) * 2048.0 / 360 AS INTEGER), 2047), min(CAST((new.lat + 90) * 2048.0 / 360 AS INTEGER), 1023),
		new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

-- The events stored before this migration.
INSERT INTO cell_word_weeks (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT f.field, w.value, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	min(CAST((e.lon + 180) * 2048.0 / 360 AS INTEGER), 2047), min(CAST((e.lat + 90) * 2048.0 / 360 AS INTEGER), 1023),
	e.event_type, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
	json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TABLE cell_word_weeks_coarse (
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

CREATE TRIGGER cell_word_weeks_coarse_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_word_weeks_coarse (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		min(CAST((new.lon + 180) * 128.0 / 360 AS INTEGER), 127), min(CAST((new.lat + 90) * 128.0 / 360 AS INTEGER), 63),
		new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

CREATE TRIGGER cell_word_weeks_coarse_delete AFTER DELETE ON events BEGIN
	UPDATE cell_word_weeks_coarse SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND x = min(CAST((old.lon + 180) * 128.0 / 360 AS INTEGER), 127)
		AND y = min(CAST((old.lat + 90) * 128.0 / 360 AS INTEGER), 63) AND event_type = old.event_type;
END;

CREATE TRIGGER cell_word_weeks_coarse_update AFTER UPDATE OF lon, lat, event_type, event_date, fatalities, actors_words, quote_words ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type OR new.event_date IS NOT old.event_date
	OR new.fatalities IS NOT old.fatalities OR new.actors_words IS NOT old.actors_words OR new.quote_words IS NOT old.quote_words
BEGIN
	UPDATE cell_word_weeks_coarse SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '')
		AND x = min(CAST((old.lon + 180) * 128.0 / 360 AS INTEGER), 127)
		AND y = min(CAST((old.lat + 90) * 128.0 / 360 AS INTEGER), 63) AND event_type = old.event_type;
	INSERT INTO cell_word_weeks_coarse (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		min(CAST((new.lon + 180) * 128.0 / 360 AS INTEGER), 127), min(CAST((new.lat + 90) * 128.0 / 360 AS INTEGER), 63),
		new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

-- The events stored before this migration.
INSERT INTO cell_word_weeks_coarse (field, word, week, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT f.field, w.value, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	min(CAST((e.lon + 180) * 128.0 / 360 AS INTEGER), 127), min(CAST((e.lat + 90) * 128.0 / 360 AS INTEGER), 63),
	e.event_type, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
	json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
GROUP BY 1, 2, 3, 4, 5, 6;
