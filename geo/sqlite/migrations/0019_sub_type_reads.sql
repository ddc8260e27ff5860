-- The events of a sub-event type in list order, the ties of a date in id
-- order as the list has them, with every field a filter by sub-event type
-- tests or the stats group by (the last day, the country, the precision,
-- the point, the type, the modality, the origin, the fatalities the
-- density cells sum, and the words, as events_type_walk has them), so
-- that the page of one or several types (eventsql.SubTypeWalkSQL) walks
-- the entries without reading a row to order the ties of a date, and the
-- count and the stats of a type with a box, dates or the other fields
-- read no row (the stats of a type in a hotspot's box of 300,000 events
-- read the rows of its 16,638 events there for their event type: 167 ms
-- of CPU).
DROP INDEX events_by_sub_type;
CREATE INDEX events_by_sub_type ON events (sub_event_type, event_date DESC, id, event_date_end, country_code, geo_precision,
	lon, lat, event_type, modality, origin, fatalities, actors_words, quote_words);

-- The precision joins the points' covering index, so that the count and
-- the stats of a precision in a box dense in events (no R*Tree: dialectFor)
-- read its entries and no row: precision 1 in a hotspot's box of 300,000
-- events in a million, 1.5 s -> 45 ms of CPU for the count. The kept
-- cells, which have no precision, would answer it in a few ms.
DROP INDEX events_by_point;
CREATE INDEX events_by_point ON events (lon, lat, event_type, country_code, event_date, fatalities, geo_precision);

-- And in the dates' covering index, for a precision with dates and a box
-- (dialectFor: the dates' range, the box and the precision tested on its
-- entries): precision 2, six weeks and a hotspot's box, 16,000 rows read
-- for the count, 0.1 s -> 11 ms.
DROP INDEX events_filter;
CREATE INDEX events_filter ON events (event_date, event_date_end, lon, lat, event_type, modality, country_code, fatalities, origin, geo_precision);
