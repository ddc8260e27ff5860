-- The density cells of words with a box at zooms finer than the kept
-- counts per word and cell (cell_words, 0017) walk this index
-- (Store.boxWalk): its entries are ordered by the column of the point at
-- level 12 of the density grid (eventsql.CellX, 0.022° wide) and then by
-- its latitude, so that a box's events are one range of entries per
-- column, and each holds what such a filter tests and groups (the point,
-- the type, the fatalities and the words), so that the walk is an
-- index-only scan (the bulk import vacuums the table) that reads no
-- event's row. The GIN indexes list a common word's events all over the
-- table: a word in a quarter of a million events and a hotspot's box of
-- 300,000 read 44,000 of the table's 60,000 pages for 72,000 matches,
-- where the box's entries here fill some 7,000 (BENCHMARKS.md). The
-- point is held whole too: PostgreSQL reads a column of an index-only scan
-- from the index only when the index holds the column itself, not only
-- expressions of it.
CREATE INDEX events_box_walk ON events ((floor((ST_X(geom) + 180) * 16384.0 / 360)::bigint), ST_Y(geom))
	INCLUDE (geom, event_type, fatalities, actors_words, quote_words);
