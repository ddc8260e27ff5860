-- events_point_words (0033) holds every event, not only those with words,
-- and the country code: it holds every field a density cell, a count or
-- the stats read (the point, the event type, the country, the dates and
-- the fatalities), keyed by the point's column at level 12 and then its
-- latitude, so that the edge strips of a plan of kept cells
-- (eventsql.PlanZoom, PlanBox) read their own entries alone. A strip along
-- the north or south edge of a hotspot's view at zoom 10 lies across the
-- whole view's longitudes, whose entries of events_by_point (keyed by
-- longitude) it read whatever their latitude, or its events' rows from
-- the R*Tree: 20-30 ms each for 2,000-3,500 events between dates.
DROP INDEX events_point_words;
CREATE INDEX events_point_words ON events (CAST((lon + 180) * 16384.0 / 360 AS INTEGER), lat, lon, event_type, event_date,
	event_date_end, fatalities, country_code, actors_words, quote_words);
