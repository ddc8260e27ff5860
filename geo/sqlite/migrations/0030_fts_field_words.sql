-- The full-text index keeps one column of words, each tagged with its
-- field's letter ('a' for the actors, 'q' for the quote: "apolice",
-- "qdrone"), and for each word only the events that have it (FTS5's
-- detail=none), not the column it is in. The word filters look each word
-- up in its field, which the tag now says, so that a word's list of events
-- is read without a column list beside each event: a million generated
-- events, an actor's word and a quote's word (23,892 events) counted in
-- 6 ms instead of 18, a quote's word alone in 8 ms instead of 12
-- (BENCHMARKS.md).
--
-- The words are those of actors_words and quote_words, the JSON arrays the
-- walks and the word counts read (geo.Words' split, which unicode61 splits
-- alike), so that every reader of the words agrees. A word holds letters,
-- digits and private-use characters alone, so that the array's text
-- between its first and last quotes, with each '","' a space and the tag,
-- is the tagged words. event_word_tokens spells that once for the
-- triggers and the bulk import.
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5 (
	words,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0',
	detail = none
);

CREATE VIEW event_word_tokens (seq, origin, words) AS
SELECT seq, origin,
	CASE actors_words WHEN '[]' THEN '' ELSE 'a' || replace(substr(actors_words, 3, length(actors_words) - 4), '","', ' a') END || ' ' ||
	CASE quote_words WHEN '[]' THEN '' ELSE 'q' || replace(substr(quote_words, 3, length(quote_words) - 4), '","', ' q') END
FROM events;

INSERT INTO events_fts (rowid, words) SELECT seq, words FROM event_word_tokens;

DROP TRIGGER events_fts_insert;
CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.origin = 'extracted' BEGIN
	INSERT INTO events_fts (rowid, words) SELECT seq, words FROM event_word_tokens WHERE seq = new.seq;
END;

DROP TRIGGER events_fts_update;
CREATE TRIGGER events_fts_update AFTER UPDATE OF actors_folded, quote_folded, actors_words, quote_words ON events BEGIN
	DELETE FROM events_fts WHERE rowid = old.seq;
	INSERT INTO events_fts (rowid, words) SELECT seq, words FROM event_word_tokens WHERE seq = new.seq AND origin = 'extracted';
END;
