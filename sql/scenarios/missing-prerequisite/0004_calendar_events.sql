-- migrate:up
-- Events as the first sync worker stored them: bigint ids and wall-clock
-- timestamps in the calendar owner's zone. (Daylight-saving changes made these
-- ambiguous; calendar_events_new in 0008 replaces this table with timestamptz.)
CREATE TABLE calendar_events (
    id          bigserial   PRIMARY KEY,
    calendar_id uuid        NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    external_id text,
    title       text        NOT NULL,
    kind        text        NOT NULL DEFAULT 'event',
    starts_at   timestamp   NOT NULL,
    ends_at     timestamp   NOT NULL,
    all_day     boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_events_time_order CHECK (ends_at >= starts_at)
);

CREATE INDEX calendar_events_calendar_starts_idx
    ON calendar_events (calendar_id, starts_at);

-- migrate:down
DROP TABLE calendar_events;
