-- The index by country (0003) and the index by date (0013) hold no column
-- in an order that a wider index lacks: events_country_walk (0015) starts
-- with the country and the date, events_words_walk (0015) with the date,
-- the id and, after the last day, the point, so the planner takes them for
-- the same reads. A bulk import built the two for 4.1 s of a million
-- events' 70 s, while the server's CPU per request of the scale
-- measurement did not change beyond its noise without them
-- (BENCHMARKS.md).
DROP INDEX IF EXISTS events_by_country;
DROP INDEX IF EXISTS events_by_date;
