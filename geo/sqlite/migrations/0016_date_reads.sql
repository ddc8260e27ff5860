-- The density cells of a box with dates, and the days at the edges of dates
-- that are not whole weeks (eventsql.Strip), read the events of their dates
-- in events_filter's range: with the fatalities (which the cells sum) and
-- the origin (a filter) in its entries, that is a covering scan that reads
-- no event's row (a hotspot's box at zoom 9 over a month: 11,500 rows read
-- for 579 groups, 69-76 ms of CPU -> 23-25 ms; the edge days of six weeks
-- at zoom 2: 56-57 -> 19-20 ms).
DROP INDEX events_filter;
CREATE INDEX events_filter ON events (event_date, event_date_end, lon, lat, event_type, modality, country_code, fatalities, origin);
