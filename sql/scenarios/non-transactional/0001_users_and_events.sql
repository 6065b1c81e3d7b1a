-- migrate:up
-- A compact starting point: the two tables of the full chain (0002 users,
-- 0008 calendar_events_new) that the rest of this scenario builds on.
CREATE TABLE users (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email      text        NOT NULL UNIQUE,
    timezone   text        NOT NULL DEFAULT 'UTC',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE calendar_events_new (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      text        NOT NULL,
    event_type text        NOT NULL DEFAULT 'event',
    start_at   timestamptz NOT NULL,
    end_at     timestamptz NOT NULL,
    is_movable boolean     NOT NULL DEFAULT true,
    metadata   jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_events_new_time_order CHECK (end_at > start_at)
);

CREATE INDEX idx_calendar_events_new_user_start
    ON calendar_events_new (user_id, start_at);

CREATE TRIGGER trg_calendar_events_new_updated_at
    BEFORE UPDATE ON calendar_events_new
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- migrate:down
DROP TABLE calendar_events_new;
DROP TABLE users;
DROP FUNCTION set_updated_at();
