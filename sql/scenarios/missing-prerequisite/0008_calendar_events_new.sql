-- migrate:up
-- The event store the scheduler works on. It replaces calendar_events (0004):
--   * instants are timestamptz, so an event no longer shifts when a user travels
--     or daylight saving changes;
--   * ids are uuids, so the client can create events offline;
--   * is_movable marks what the rebalancer may touch (classes and exams may not);
--   * metadata carries links such as {"assignment_id": "…"} without a column per feature.
-- Both tables live side by side until the backfill (0009) has been checked;
-- the old one is then set aside (0010).
-- (0007 was an earlier draft of this table, abandoned before it reached production.)
CREATE TABLE calendar_events_new (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar_id uuid        REFERENCES calendars (id) ON DELETE SET NULL,
    external_id text,
    title       text        NOT NULL,
    event_type  text        NOT NULL DEFAULT 'event',  -- 'class', 'exam', 'study', …
    start_at    timestamptz NOT NULL,
    end_at      timestamptz NOT NULL,
    is_movable  boolean     NOT NULL DEFAULT true,
    metadata    jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_events_new_time_order CHECK (end_at > start_at),
    CONSTRAINT calendar_events_new_metadata_is_object
        CHECK (jsonb_typeof(metadata) = 'object')
);

-- "What does this user's week look like?" is the query everything else builds on.
CREATE INDEX idx_calendar_events_new_user_start
    ON calendar_events_new (user_id, start_at);

-- Sync upserts by the provider's id.
CREATE UNIQUE INDEX idx_calendar_events_new_calendar_external
    ON calendar_events_new (calendar_id, external_id)
    WHERE external_id IS NOT NULL;

CREATE TRIGGER trg_calendar_events_new_updated_at
    BEFORE UPDATE ON calendar_events_new
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- migrate:down
DROP TABLE calendar_events_new;
