-- The full-text index keys each event by its day and then its seq (the
-- Julian day number of event_date, 0 when undated, shifted left 40 bits,
-- OR the seq; ftsSeqBits): its lists of events then run in the
-- list's order of days, newest last, so that a page of words alone, or of
-- words with a country or event types (the tokens of migration 0030), is
-- read from the index in that order (Store.ftsPage) rather than by walking
-- the list's entries or reading and sorting every match. Within a day the
-- list orders by id, which the seq does not follow: the page sorts the
-- matches of the days at its two ends by id (a million generated events,
-- an actor's word and a quote's word from offset 5,000: the index's 6,000th
-- match in 2.4 ms, where the walk read 213,000 entries). The seq keeps
-- the 40 low bits, a trillion events; the key is a 64-bit integer up to
-- Julian day 8,388,607 (year 18,255). Readers that want the seq mask
-- the key (rowid & 1099511627775).
DROP TRIGGER events_fts_insert;
DROP TRIGGER events_fts_update;
DROP TRIGGER events_fts_delete;
DROP VIEW event_word_tokens;
DROP TABLE events_fts;

CREATE VIRTUAL TABLE events_fts USING fts5 (
	words,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0',
	detail = none
);

-- The tokens of each event (migration 0030) and its key in events_fts.
CREATE VIEW event_word_tokens (seq, key, origin, words) AS
SELECT seq, (coalesce(CAST(julianday(event_date) AS INTEGER), 0) << 40) | seq, origin,
	'c' || hex(country_code) || ' t' || hex(event_type) || ' ' ||
	CASE actors_words WHEN '[]' THEN '' ELSE 'a' || replace(substr(actors_words, 3, length(actors_words) - 4), '","', ' a') END || ' ' ||
	CASE quote_words WHEN '[]' THEN '' ELSE 'q' || replace(substr(quote_words, 3, length(quote_words) - 4), '","', ' q') END
FROM events;

-- In key order, so that FTS5 appends to each list rather than sorting.
INSERT INTO events_fts (rowid, words) SELECT key, words FROM event_word_tokens ORDER BY key;
INSERT INTO events_fts (events_fts) VALUES ('optimize');

-- Extracted events are indexed row by row; a bulk import indexes its own
-- events at its commit (Bulk.commit).
CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.origin = 'extracted' BEGIN
	INSERT INTO events_fts (rowid, words) SELECT key, words FROM event_word_tokens WHERE seq = new.seq;
END;
-- A new date moves the event in the index.
CREATE TRIGGER events_fts_update AFTER UPDATE OF actors_folded, quote_folded, actors_words, quote_words, country_code, event_type,
	event_date ON events BEGIN
	DELETE FROM events_fts WHERE rowid = (coalesce(CAST(julianday(old.event_date) AS INTEGER), 0) << 40) | old.seq;
	INSERT INTO events_fts (rowid, words) SELECT key, words FROM event_word_tokens WHERE seq = new.seq AND origin = 'extracted';
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
	DELETE FROM events_fts WHERE rowid = (coalesce(CAST(julianday(old.event_date) AS INTEGER), 0) << 40) | old.seq;
END;
