-- events_point_words (migration 0024) keyed by the column of the point at
-- level 12 of the density grid (eventsql.CellX, 0.022° wide) and then by
-- its latitude, as PostgreSQL's events_box_walk is (its migration 0024),
-- rather than by its longitude: a box then reads one range of entries per
-- column it meets, those of its own latitudes, where it read every entry
-- of its longitudes, whatever their latitude (pointWordsColumns). The
-- density cells of one word at zoom 11 read the kept counts at level 11
-- (cell_word_fine) and the events of the box's edge strips only, which
-- are as wide as a cell: a strip along the north or south edge of a
-- hotspot's view read the entries of the whole view's longitudes (the
-- million: 205,000 for a view of 101,000 events; 166 ms for the view's
-- cells).
DROP INDEX events_point_words;
CREATE INDEX events_point_words ON events (CAST((lon + 180) * 16384.0 / 360 AS INTEGER), lat, lon, event_type, event_date,
	event_date_end, fatalities, actors_words, quote_words)
	WHERE actors_words <> '[]' OR quote_words <> '[]';
