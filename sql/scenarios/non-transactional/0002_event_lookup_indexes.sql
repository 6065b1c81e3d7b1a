-- migrate:up transaction:false
-- calendar_events_new is large and written to all day; a plain CREATE INDEX
-- would block every write for the duration of the build. CONCURRENTLY builds
-- without that lock, but PostgreSQL refuses to run it inside a transaction, so
-- this migration runs statement by statement.
--
-- If a build is interrupted it leaves an INVALID index behind; IF NOT EXISTS
-- would then skip it, so drop the invalid index before re-running.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_events_user_assignment
    ON calendar_events_new (user_id, (metadata ->> 'assignment_id'));

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_events_immovable_start
    ON calendar_events_new (start_at)
    WHERE NOT is_movable;

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY IF EXISTS idx_events_immovable_start;
DROP INDEX CONCURRENTLY IF EXISTS idx_events_user_assignment;
