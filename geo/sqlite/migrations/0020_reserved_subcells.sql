-- Reserved for migration 0020 of branch subcells (clusters by sub-type):
-- this empty file lets branch wordbox number its migration 0021. Delete
-- it when subcells's 0020 is merged.
SELECT 1;
