-- migrate:up
-- How much time is already blocked out for each assignment. Study blocks are
-- linked to their assignment through metadata->>'assignment_id'.
CREATE VIEW assignment_progress AS
SELECT a.id      AS assignment_id,
       a.user_id,
       a.title,
       a.due_at,
       a.estimated_minutes,
       coalesce(sum(extract(epoch FROM e.end_at - e.start_at) / 60), 0)::integer
                 AS scheduled_minutes,
       count(e.id) AS study_blocks
FROM assignments AS a
LEFT JOIN calendar_events_new AS e
       ON e.user_id = a.user_id
      AND e.metadata ->> 'assignment_id' = a.id::text
WHERE a.status = 'open'
GROUP BY a.id;

-- migrate:down
DROP VIEW assignment_progress;
