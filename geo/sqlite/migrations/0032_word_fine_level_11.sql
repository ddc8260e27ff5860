-- cell_word_fine (migration 0031) at level 11 rather than 10
-- (eventsql.WordFineLevel), so that it answers the density cells of one
-- word at zoom 11 too: a hotspot's view at zoom 11 holds 101,000 of the
-- million events, whose entries the word's cells read one by one
-- (events_point_words: 47-86 ms), where the word's groups inside the box
-- are a few hundred (2-3 ms). Level 11 holds 1,768,698 groups of the
-- million (122 MB) where level 10 held 1,111,175 (76 MB); zooms 9 and 10
-- add up four and two times as many of them as before (6 ms for a common
-- word in a hotspot's box at zoom 9). Same table, triggers at the new
-- level, groups counted again.
DROP TRIGGER cell_word_fine_insert;
DROP TRIGGER cell_word_fine_delete;
DROP TRIGGER cell_word_fine_update;
DELETE FROM cell_word_fine;

CREATE TRIGGER cell_word_fine_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, min(CAST((new.lon + 180) * 8192.0 / 360 AS INTEGER), 8191),
		min(CAST((new.lat + 90) * 8192.0 / 360 AS INTEGER), 4095), new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
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
		AND x = min(CAST((old.lon + 180) * 8192.0 / 360 AS INTEGER), 8191)
		AND y = min(CAST((old.lat + 90) * 8192.0 / 360 AS INTEGER), 4095) AND event_type = old.event_type;
END;

CREATE TRIGGER cell_word_fine_update AFTER UPDATE OF lon, lat, event_type, fatalities, actors_words, quote_words ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.event_type IS NOT old.event_type
	OR new.fatalities IS NOT old.fatalities OR new.actors_words IS NOT old.actors_words OR new.quote_words IS NOT old.quote_words
BEGIN
	UPDATE cell_word_fine SET n = n - 1, fatalities = fatalities - coalesce(old.fatalities, 0),
		sum_lon = sum_lon - old.lon, sum_lat = sum_lat - old.lat
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND x = min(CAST((old.lon + 180) * 8192.0 / 360 AS INTEGER), 8191)
		AND y = min(CAST((old.lat + 90) * 8192.0 / 360 AS INTEGER), 4095) AND event_type = old.event_type;
	INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
	SELECT w.field, w.value, min(CAST((new.lon + 180) * 8192.0 / 360 AS INTEGER), 8191),
		min(CAST((new.lat + 90) * 8192.0 / 360 AS INTEGER), 4095), new.event_type, 1, coalesce(new.fatalities, 0), new.lon, new.lat
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1, fatalities = fatalities + excluded.fatalities,
		sum_lon = sum_lon + excluded.sum_lon, sum_lat = sum_lat + excluded.sum_lat;
END;

-- The events stored before this migration.
INSERT INTO cell_word_fine (field, word, x, y, event_type, n, fatalities, sum_lon, sum_lat)
SELECT f.field, w.value, min(CAST((e.lon + 180) * 8192.0 / 360 AS INTEGER), 8191),
	min(CAST((e.lat + 90) * 8192.0 / 360 AS INTEGER), 4095), e.event_type, count(*), coalesce(sum(e.fatalities), 0), sum(e.lon), sum(e.lat)
FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
	json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
GROUP BY 1, 2, 3, 4, 5;
