-- A filter by words with a country, an event type, dates or a box walks one
-- of these indexes (Store.wordWalk): each holds, in list order within its
-- first column, every field such a filter tests (the dates, the point, the
-- type, the country, the modality, the origin and the words), so that its
-- count, its stats and its page are answered from the index entries alone,
-- without reading an event's row or the full-text index. With words that a
-- quarter of the events have, the full-text index's matches are too many
-- to test row by row (two such words and a country: 56,000 matches read
-- for 4,800 events, 0.6-0.9 s); the country's 83,000 entries are read in
-- 60-80 ms of CPU instead.
DROP INDEX events_words_walk;
CREATE INDEX events_words_walk ON events (event_date DESC, id, event_date_end, lon, lat, event_type, country_code,
	modality, origin, actors_words, quote_words);
CREATE INDEX events_country_walk ON events (country_code, event_date DESC, id, event_date_end, lon, lat, event_type,
	modality, origin, actors_words, quote_words);
CREATE INDEX events_type_walk ON events (event_type, event_date DESC, id, event_date_end, lon, lat, country_code,
	modality, origin, actors_words, quote_words);
