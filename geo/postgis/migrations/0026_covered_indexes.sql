-- The index by date (0001) and the index by country (0002) hold no order
-- that a wider index lacks: events_words_walk (0016) starts with the date
-- and the id, events_country_walk (0015) with the country and the date.
-- After one request of each of the scale measurement's 99 (cmbench
-- scaleQueries), pg_stat_user_indexes showed the planner reading the
-- first for the newest pages and the second for the clusters of a
-- sub-event type; without them those requests took as long (BENCHMARKS.md),
-- while a bulk import of a million events built them for 7 s of its
-- index builds.
DROP INDEX IF EXISTS events_by_date;
DROP INDEX IF EXISTS events_by_country;
