-- events_words_walk (0015) gains the fatalities, so that the density cells
-- of words between dates, read from a walk of its range of dates
-- (Store.wordWalkCells, Store.wordOutsideCells), read each event's fields
-- from its entry alone: without them every event of the word read its row
-- too (a million events, a common word's 107,878 events in a year of
-- dates walked: 120 ms for the entries, 207 ms with the rows). The
-- country's and the type's walks answer pages, counts and stats, which
-- read no fatalities.
DROP INDEX events_words_walk;
CREATE INDEX events_words_walk ON events (event_date DESC, id, event_date_end, lon, lat, event_type, country_code,
	modality, origin, fatalities, actors_words, quote_words);
