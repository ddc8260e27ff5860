-- The events of a sub-event type in list order with every field a filter
-- by sub-event type tests or the stats group by (the dates, the point, the
-- precision, the type, the country, the modality, the origin, the
-- fatalities the density cells sum, and the words, as events_type_walk
-- has them), so that the count, the stats and the page of a sub-event
-- type with a box, dates or the other fields are index-only scans of the
-- type's entries (the bulk import vacuums the table). The index of 0018,
-- which held the key alone, made the planner AND it with the box's GiST
-- index and read the rows they shared: a type in a hotspot's box of
-- 300,000 events in a million, 16,638 rows for the count and as many
-- again for the page, 1.7-1.9 s; through this index the count reads the
-- type's 55,515 entries and the page its first 3,300 (Store.subTypeReads).
DROP INDEX events_sub_type_list;
CREATE INDEX events_sub_type_walk ON events (sub_event_type, event_date DESC NULLS LAST, id)
	INCLUDE (dates, geom, geo_precision, event_type, country_code, modality, origin, fatalities, actors_words, quote_words);
