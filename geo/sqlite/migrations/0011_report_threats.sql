-- A report's threat flag (modality threatened) joins the candidates' index,
-- so that merging an ordinary report reads only the reports of its own days
-- and the threats of the FollowDays before (geo/merge.Rules.Update), not
-- every report of that place in a window widened for threats.
ALTER TABLE reports ADD COLUMN threat INTEGER NOT NULL DEFAULT 0;
UPDATE reports SET threat = 1 WHERE json_extract(body, '$.modality') = 'threatened';
DROP INDEX reports_candidates;
CREATE INDEX reports_candidates ON reports (place_key, event_type, threat, event_date);
