-- changes_pruned is the highest seq of the change log deleted so far:
-- pruning the log visits only the rows after it, never the index entries
-- its earlier deletes left behind (geo/postgis pruneChanges). Every change
-- below the oldest one kept is gone already.
INSERT INTO meta (key, value)
SELECT 'changes_pruned', coalesce((SELECT min(seq) FROM changes), 1) - 1;
