-- events_box_walk (migration 0024) holds the events' dates too, so that
-- the density cells of a box between dates, with event types or none,
-- read the box's entries alone (an index-only walk of its columns) rather
-- than the table's rows: a hotspot's view at zoom 11 since a day read its
-- 101,000 events on 16,000 pages of the table in 77-83 ms, and the
-- entries in 42-44 ms (BENCHMARKS.md).
DROP INDEX events_box_walk;
CREATE INDEX events_box_walk ON events ((floor((ST_X(geom) + 180) * 16384.0 / 360)::bigint), ST_Y(geom))
	INCLUDE (geom, event_type, fatalities, dates, actors_words, quote_words);
