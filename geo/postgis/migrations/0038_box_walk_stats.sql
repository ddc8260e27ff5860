-- events_box_walk (migrations 0024, 0034) holds the events' country and
-- first day too, so that the strips along the edges of a box's stats
-- (eventsql.PlanBox), which group their events by type, country and
-- week, read the strips' entries alone (an index-only walk of their
-- columns) rather than the table's rows: a strip along the east edge of a
-- hotspot's box holds 13,213 events on 4,164 pages of the table, read in
-- 81 ms when they were not in the shared buffers and 15-20 when they
-- were, and its entries in 10-14 ms (BENCHMARKS.md).
DROP INDEX events_box_walk;
CREATE INDEX events_box_walk ON events ((floor((ST_X(geom) + 180) * 16384.0 / 360)::bigint), ST_Y(geom))
	INCLUDE (geom, event_type, fatalities, dates, actors_words, quote_words, country_code, event_date);
