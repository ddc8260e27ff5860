-- The indexes by event type and by origin (0002) were made for counts
-- that the kept counts answer now, and for filters, which walk the
-- covering indexes by type (events_type_walk, 0015) and by origin
-- (events_origin_list) since: on a million events no request of the
-- scale measurement (cmbench scaleQueries) read either, while a bulk
-- import built them for 3 to 6 s (BENCHMARKS.md).
DROP INDEX events_by_type;
DROP INDEX events_by_origin;
