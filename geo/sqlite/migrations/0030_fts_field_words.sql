-- The full-text index keeps one column of words, each tagged with its
-- field's letter ('a' for the actors, 'q' for the quote: "apolice",
-- "qdrone"), and for each word only the events that have it (FTS5's
-- detail=none), not the column it is in. The word filters look each word
-- up in its field, which the tag now says, so that a word's list of events
-- is read without a column list beside each event: a million generated
-- events, an actor's word and a quote's word (23,892 events) counted in
-- 7 ms instead of 21, a quote's word alone in 9 ms instead of 13
-- (BENCHMARKS.md).
--
-- The words are those of actors_words and quote_words, the JSON arrays the
-- walks and the word counts read (geo.Words' split, which unicode61 splits
-- alike), so that every reader of the words agrees. A word holds letters,
-- digits and private-use characters alone, so that the array's text
-- between its first and last quotes, with each '","' a space and the tag,
-- is the tagged words. Each event also has a token of its country code
-- and one of its event type (c or t and the value's bytes in hexadecimal,
-- which the tokenizer keeps whole and which tell codes of another case
-- apart): the count of words in a country or of types is the index's
-- alone (a million events, two words in a country's 83,000 events: 9 ms,
-- against 27 ms walking the country's entries). event_word_tokens spells
-- the tokens once for the triggers and the bulk import.
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5 (
	words,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0',
	detail = none
);

CREATE VIEW event_word_tokens (seq, origin, words) AS
SELECT seq, origin,
	'c' || hex(country_code) || ' t' || hex(event_type) || ' ' ||
	CASE actors_words WHEN '[]' THEN '' ELSE 'a' || replace(substr(actors_words, 3, length(actors_words) - 4), '","', ' a') END || ' ' ||
	CASE quote_words WHEN '[]' THEN '' ELSE 'q' || replace(substr(quote_words, 3, length(quote_words) - 4), '","', ' q') END
FROM events;

INSERT INTO events_fts (rowid, words) SELECT seq, words FROM event_word_tokens;
-- One segment rather than the many the fill wrote: a million events'
-- counts read twice as fast, for half a second here.
INSERT INTO events_fts (events_fts) VALUES ('optimize');

DROP TRIGGER events_fts_insert;
CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.origin = 'extracted' BEGIN
	INSERT INTO events_fts (rowid, words) SELECT seq, words FROM event_word_tokens WHERE seq = new.seq;
END;

DROP TRIGGER events_fts_update;
CREATE TRIGGER events_fts_update AFTER UPDATE OF actors_folded, quote_folded, actors_words, quote_words, country_code, event_type
ON events BEGIN
	DELETE FROM events_fts WHERE rowid = old.seq;
	INSERT INTO events_fts (rowid, words) SELECT seq, words FROM event_word_tokens WHERE seq = new.seq AND origin = 'extracted';
END;
