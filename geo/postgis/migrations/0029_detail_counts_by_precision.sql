-- The count and the stats of precisions without a sub-event type read
-- detail_counts (0018), whose key starts with the sub-event type: each
-- read every group of the table (a million generated events make 94,611)
-- to find a precision's third of them, then grouped those by event type,
-- country and week. This index starts with the precision and holds the
-- groups in the stats' order, with the rest of the key and the counts, so
-- that a precision's groups are read alone, in order, from the index:
-- the statement of one precision's stats took 22 ms instead of 31 (its
-- groups summed as read, not hashed), the request 13-33 ms instead of
-- 23-41 (BENCHMARKS.md).
CREATE INDEX detail_counts_by_precision ON detail_counts (geo_precision, event_type, country_code, week)
	INCLUDE (sub_event_type, week_last, modality, origin, n);
