-- cell_word_stats (migration 0021) keeps its groups by country (kind 0)
-- alone: the stats of a word in a box count its weeks, and a word with a
-- box and dates its events, from the groups of cell_word_weeks (0042),
-- the same words and weeks at level 9 by event type, whose cells of
-- level 9 make up each cell of level 8 (eventsql.WordStatsSQL,
-- eventsql.WordWeekCells.CountSQL). A bulk import of the million wrote
-- 1,137,989 groups by week here besides cell_word_weeks' 3,983,233.
DROP TRIGGER cell_word_stats_insert;
DROP TRIGGER cell_word_stats_delete;
DROP TRIGGER cell_word_stats_update;
DELETE FROM cell_word_stats WHERE kind = 1;

CREATE TRIGGER cell_word_stats_insert AFTER INSERT ON events BEGIN
	INSERT INTO cell_word_stats (field, word, x, y, kind, key, n)
	SELECT w.field, w.value, min(CAST((new.lon + 180) * 1024.0 / 360 AS INTEGER), 1023),
		min(CAST((new.lat + 90) * 1024.0 / 360 AS INTEGER), 511), 0, new.country_code, 1
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cell_word_stats_delete AFTER DELETE ON events BEGIN
	UPDATE cell_word_stats SET n = n - 1
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND x = min(CAST((old.lon + 180) * 1024.0 / 360 AS INTEGER), 1023)
		AND y = min(CAST((old.lat + 90) * 1024.0 / 360 AS INTEGER), 511)
		AND kind = 0 AND key = old.country_code;
END;

CREATE TRIGGER cell_word_stats_update AFTER UPDATE OF lon, lat, country_code, actors_words, quote_words ON events
WHEN new.lon IS NOT old.lon OR new.lat IS NOT old.lat OR new.country_code IS NOT old.country_code
	OR new.actors_words IS NOT old.actors_words OR new.quote_words IS NOT old.quote_words
BEGIN
	UPDATE cell_word_stats SET n = n - 1
	WHERE (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)))
		AND x = min(CAST((old.lon + 180) * 1024.0 / 360 AS INTEGER), 1023)
		AND y = min(CAST((old.lat + 90) * 1024.0 / 360 AS INTEGER), 511)
		AND kind = 0 AND key = old.country_code;
	INSERT INTO cell_word_stats (field, word, x, y, kind, key, n)
	SELECT w.field, w.value, min(CAST((new.lon + 180) * 1024.0 / 360 AS INTEGER), 1023),
		min(CAST((new.lat + 90) * 1024.0 / 360 AS INTEGER), 511), 0, new.country_code, 1
	FROM (SELECT 'actors' AS field, value FROM json_each(new.actors_words)
		UNION ALL SELECT 'quote', value FROM json_each(new.quote_words)) w WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;
