-- The index of the events' dates (0001) becomes a quad tree (SP-GiST)
-- instead of an R-tree (GiST). PostgreSQL builds a GiST index of ranges one
-- entry at a time, choosing a page for each by its penalty, which took 20 s
-- of one core for a million events, the longest step of a bulk import,
-- alone on its connection while the other indexes and the kept counts
-- shared the other core; the quad tree took 5 s. It answers the same
-- operators (&&, @>) with index-only scans: over the scale measurement's
-- requests, a month's events read faster from it (34 ms of the machine's
-- CPU per request against 40) and a hotspot's box with dates a tenth
-- slower, the rest within the noise (BENCHMARKS.md).
DROP INDEX IF EXISTS events_dates;
CREATE INDEX events_dates ON events USING spgist (dates);
