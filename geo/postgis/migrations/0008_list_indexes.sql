-- A page of one event type, country or origin is read in list order from
-- one of these indexes and stops after its rows (a million events: 60 ms
-- instead of 0.7-2.2 s). The indexes of migration 0002 hold event_date
-- ascending, nulls last, which read backwards lists nulls first, not the
-- order of a page (event_date DESC NULLS LAST, id), so that every match
-- was sorted.
CREATE INDEX events_type_list ON events (event_type, event_date DESC NULLS LAST, id);
CREATE INDEX events_country_list ON events (country_code, event_date DESC NULLS LAST, id);
CREATE INDEX events_origin_list ON events (origin, event_date DESC NULLS LAST, id);
