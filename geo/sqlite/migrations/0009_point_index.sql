-- Counting, grouping and gridding the events of a box that holds many of
-- them (Store.dialectFor) reads this index alone: a box in a hotspot of a
-- million events holds hundreds of thousands, and fetching each one's row
-- through the R*Tree's hits costs about a hundred times reading its entry
-- here. It holds what the counts (event_type, country_code, event_date for
-- the week) and the density cells (event_type, fatalities) read.
CREATE INDEX events_by_point ON events (lon, lat, event_type, country_code, event_date, fatalities);
