-- The index by event type (0003) was made for counts that the kept counts
-- answer now, and for filters by type, which walk events_type_walk since:
-- on a million events no request of the scale measurement (cmbench
-- scaleQueries) took longer without it, while a bulk import built it for
-- some seconds (BENCHMARKS.md). The index by origin stays: it is the
-- only one that finds the few events of a rare origin.
DROP INDEX events_by_type;
