-- migrate:up
-- Copy every legacy event into calendar_events_new, reading its wall-clock
-- timestamps in the calendar owner's zone. The legacy id is kept in metadata so
-- the copy can be traced (and undone) row by row.
-- Events of zero length were allowed before; they become one-minute events,
-- because calendar_events_new requires end_at > start_at.
INSERT INTO calendar_events_new
       (user_id, calendar_id, external_id, title, event_type,
        start_at, end_at, is_movable, metadata, created_at)
SELECT c.user_id,
       c.id,
       e.external_id,
       e.title,
       e.kind,
       e.starts_at AT TIME ZONE u.timezone,
       greatest(e.ends_at, e.starts_at + interval '1 minute') AT TIME ZONE u.timezone,
       -- Classes and exams were never moved by hand; keep the rebalancer off them too.
       e.kind NOT IN ('class', 'exam'),
       jsonb_build_object('legacy_event_id', e.id),
       e.created_at
FROM calendar_events AS e
JOIN calendars AS c ON c.id = e.calendar_id
JOIN users AS u ON u.id = c.user_id
WHERE NOT EXISTS (
    SELECT 1
    FROM calendar_events_new AS n
    WHERE n.metadata ->> 'legacy_event_id' = e.id::text
);

-- migrate:down
DELETE FROM calendar_events_new
WHERE metadata ? 'legacy_event_id';

-- migrate:verify
-- Every legacy event must have exactly one copy.
DO $$
DECLARE
    missing    bigint;
    duplicated bigint;
BEGIN
    SELECT count(*) INTO missing
    FROM calendar_events AS e
    WHERE NOT EXISTS (
        SELECT 1 FROM calendar_events_new AS n
        WHERE n.metadata ->> 'legacy_event_id' = e.id::text
    );
    SELECT count(*) INTO duplicated
    FROM (
        SELECT metadata ->> 'legacy_event_id'
        FROM calendar_events_new
        WHERE metadata ? 'legacy_event_id'
        GROUP BY 1
        HAVING count(*) > 1
    ) AS d;
    IF missing > 0 OR duplicated > 0 THEN
        RAISE EXCEPTION 'backfill incomplete: % legacy events missing, % copied twice',
            missing, duplicated;
    END IF;
END
$$;
