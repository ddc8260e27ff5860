-- Reserved for migration 0019 of branch subbox (sub-event type paths):
-- this empty file lets branch subcells number its migration 0020. Delete
-- it when subbox's 0019 is merged.
SELECT 1;
