-- A filter by words with a country, an event type, dates or a box walks one
-- of these indexes (Store.events, wordWalk): each holds, in list order
-- within its first column, every field such a filter tests (the dates, the
-- point, the type, the country, the modality, the origin and the words), so
-- that its count, its stats and its page are index-only scans (the bulk
-- import vacuums the table) that read no event's row. With words that a
-- quarter of the events have, the GIN indexes' matches are too many to
-- read row by row (two such words and a country: 56,000 rows read for
-- 4,800 events, 0.6-1.1 s). The country and type indexes replace the list
-- indexes of 0008, whose keys they share.
DROP INDEX events_words_walk;
CREATE INDEX events_words_walk ON events (event_date DESC NULLS LAST, id)
	INCLUDE (dates, geom, event_type, country_code, modality, origin, actors_words, quote_words);
DROP INDEX events_country_list;
CREATE INDEX events_country_walk ON events (country_code, event_date DESC NULLS LAST, id)
	INCLUDE (dates, geom, event_type, modality, origin, actors_words, quote_words);
DROP INDEX events_type_list;
CREATE INDEX events_type_walk ON events (event_type, event_date DESC NULLS LAST, id)
	INCLUDE (dates, geom, country_code, modality, origin, actors_words, quote_words);
