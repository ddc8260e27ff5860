-- Events imported from files (conflictmap's own exports, ACLED, UCDP) beside
-- the extracted ones, full-text indexes for the word filters, and indexes
-- for the filters a million events make slow.

-- origin is 'extracted', 'import', 'acled' or 'ucdp' (geo.Origins). An
-- imported file is stored as an article of its own whose origin says so;
-- re-extraction skips such articles (they have no text to read).
ALTER TABLE events ADD COLUMN origin text NOT NULL DEFAULT 'extracted';
ALTER TABLE articles ADD COLUMN origin text NOT NULL DEFAULT 'extracted';

-- The word filters (actor, q) look words up here: the words of the
-- case-folded actors and quote as the program splits them (geo.Words), so
-- that PostgreSQL's own parser and dictionaries play no part; a filter word
-- is a prefix query. Rows stored before this migration are split here by a
-- regular expression, which agrees with geo.Words on letters and digits.
ALTER TABLE events ADD COLUMN actors_words tsvector;
ALTER TABLE events ADD COLUMN quote_words tsvector;
UPDATE events SET
	actors_words = array_to_tsvector(array_remove(regexp_split_to_array(actors_folded, '[^[:alnum:]]+'), '')),
	quote_words = array_to_tsvector(array_remove(regexp_split_to_array(quote_folded, '[^[:alnum:]]+'), ''));
ALTER TABLE events ALTER COLUMN actors_words SET NOT NULL;
ALTER TABLE events ALTER COLUMN quote_words SET NOT NULL;
CREATE INDEX events_actors_words ON events USING gin (actors_words);
CREATE INDEX events_quote_words ON events USING gin (quote_words);

DROP INDEX events_by_type;
DROP INDEX events_by_country;
CREATE INDEX events_by_country ON events (country_code, event_date, event_type, modality);
CREATE INDEX events_by_type ON events (event_type, event_date, country_code, modality);
CREATE INDEX events_by_origin ON events (origin, event_date);
