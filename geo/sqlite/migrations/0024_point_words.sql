-- The points with every field a filter with words and a box tests or the
-- density cells sum, the words last (as events_words_walk has them), so
-- that the density cells of a word at a zoom finer than the kept counts
-- per word and cell (cell_words, level 8) read the entries of the box's
-- longitudes and no row (Store.pointWords): a common word in a hotspot's
-- box of 300,000 events, looked up in the full-text index, read the rows
-- of its 239,000 matches one by one (a million events, zoom 9: 350-430
-- ms; the entries: about 140 ms; zoom 11: 275 -> 56 ms).
CREATE INDEX events_point_words ON events (lon, lat, event_type, country_code, event_date, event_date_end, modality, origin,
	fatalities, geo_precision, actors_words, quote_words);
