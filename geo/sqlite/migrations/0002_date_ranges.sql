-- Date filters select events whose [event_date, event_date_end] intersects
-- [start, end]; "ends on or after start" cannot use an index on its own. The
-- longest span ever stored bounds event_date from below as well, so that
-- queries add "event_date >= start - max_span_days" and scan only the index
-- range that can match. The value only grows: an overestimate is safe.
INSERT INTO meta (key, value)
SELECT 'max_span_days', coalesce(max(julianday(event_date_end) - julianday(event_date)), 0)
FROM events;

-- Counting the matches of a date, bbox, type, modality or country filter
-- reads only this index, not the rows.
CREATE INDEX events_filter ON events (event_date, event_date_end, lon, lat, event_type, modality, country_code);
