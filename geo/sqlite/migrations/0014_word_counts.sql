-- Counts of the events per word of the actors or of the quote and per
-- event type, country code, week, modality and origin, kept by triggers on
-- every write of events, as event_counts is. The count and the stats of a
-- filter by one word that starts one stored word only (of its field), with
-- no date, box, sub-event type, precision or source count, then add up a
-- few thousand groups instead of reading every event that has the word (a
-- word in a quarter of a million events: 0.3-1.3 s). A group holds at
-- least one event, so the table has at most one row per word of an event
-- and, since events of a word share their groups, far fewer
-- (BENCHMARKS.md). A group whose events are all gone keeps n = 0: queries
-- skip it.
--
-- The triggers read an event's words from actors_words and quote_words:
-- JSON arrays of the distinct words of the actors and of the quote, as
-- geo.Words splits them, written by the program with the row. This
-- migration takes those of the stored events from the full-text index,
-- which splits them alike.
ALTER TABLE events ADD COLUMN actors_words TEXT NOT NULL DEFAULT '[]';
ALTER TABLE events ADD COLUMN quote_words TEXT NOT NULL DEFAULT '[]';

CREATE VIRTUAL TABLE temp.fts_instances USING fts5vocab(main, events_fts, instance);
CREATE TEMP TABLE event_words (seq INTEGER NOT NULL, col TEXT NOT NULL, words TEXT NOT NULL, PRIMARY KEY (seq, col)) WITHOUT ROWID;
INSERT INTO temp.event_words (seq, col, words)
SELECT doc, col, json_group_array(term) FROM (SELECT DISTINCT doc, col, term FROM temp.fts_instances ORDER BY doc, col, term)
GROUP BY doc, col;
UPDATE events SET
	actors_words = coalesce((SELECT words FROM temp.event_words WHERE seq = events.seq AND col = 'actors'), '[]'),
	quote_words = coalesce((SELECT words FROM temp.event_words WHERE seq = events.seq AND col = 'quote'), '[]');
DROP TABLE temp.event_words;
DROP TABLE temp.fts_instances;

CREATE TABLE word_counts (
	field        TEXT NOT NULL, -- 'actors' or 'quote'
	word         TEXT NOT NULL,
	event_type   TEXT NOT NULL,
	country_code TEXT NOT NULL,
	week         TEXT NOT NULL, -- the Monday of event_date's week, '' when undated
	modality     TEXT NOT NULL,
	origin       TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (field, word, event_type, country_code, week, modality, origin)
) STRICT, WITHOUT ROWID;

INSERT INTO word_counts (field, word, event_type, country_code, week, modality, origin, n)
SELECT f.field, w.value, e.event_type, e.country_code, coalesce(date(e.event_date, 'weekday 0', '-6 days'), ''),
	e.modality, e.origin, count(*)
FROM events e, (SELECT 'actors' AS field UNION ALL SELECT 'quote') f,
	json_each(CASE f.field WHEN 'actors' THEN e.actors_words ELSE e.quote_words END) w
GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE TRIGGER word_counts_insert AFTER INSERT ON events BEGIN
	INSERT INTO word_counts (field, word, event_type, country_code, week, modality, origin, n)
	SELECT 'actors', value, new.event_type, new.country_code, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1
	FROM json_each(new.actors_words) WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
	INSERT INTO word_counts (field, word, event_type, country_code, week, modality, origin, n)
	SELECT 'quote', value, new.event_type, new.country_code, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1
	FROM json_each(new.quote_words) WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER word_counts_update AFTER UPDATE OF event_type, country_code, event_date, modality, origin, actors_words, quote_words ON events
WHEN new.event_type IS NOT old.event_type OR new.country_code IS NOT old.country_code
	OR new.event_date IS NOT old.event_date OR new.modality IS NOT old.modality OR new.origin IS NOT old.origin
	OR new.actors_words IS NOT old.actors_words OR new.quote_words IS NOT old.quote_words
BEGIN
	UPDATE word_counts SET n = n - 1
	WHERE event_type = old.event_type AND country_code = old.country_code
		AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '') AND modality = old.modality AND origin = old.origin
		AND (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)));
	INSERT INTO word_counts (field, word, event_type, country_code, week, modality, origin, n)
	SELECT 'actors', value, new.event_type, new.country_code, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1
	FROM json_each(new.actors_words) WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
	INSERT INTO word_counts (field, word, event_type, country_code, week, modality, origin, n)
	SELECT 'quote', value, new.event_type, new.country_code, coalesce(date(new.event_date, 'weekday 0', '-6 days'), ''),
		new.modality, new.origin, 1
	FROM json_each(new.quote_words) WHERE true
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER word_counts_delete AFTER DELETE ON events BEGIN
	UPDATE word_counts SET n = n - 1
	WHERE event_type = old.event_type AND country_code = old.country_code
		AND week = coalesce(date(old.event_date, 'weekday 0', '-6 days'), '') AND modality = old.modality AND origin = old.origin
		AND (field = 'actors' AND word IN (SELECT value FROM json_each(old.actors_words))
			OR field = 'quote' AND word IN (SELECT value FROM json_each(old.quote_words)));
END;

-- A page of a word many events have walks the list order and tests each
-- event's words (dialect.Words): this index holds them in that order, so
-- that the walk reads the rows of the page's events only.
CREATE INDEX events_words_walk ON events (event_date DESC, id, actors_words, quote_words);
