-- migrate:up
-- Coursework the rebalancer schedules study time for.
CREATE TABLE assignments (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course            text,
    title             text        NOT NULL,
    due_at            timestamptz NOT NULL,
    estimated_minutes integer     NOT NULL DEFAULT 60,
    status            text        NOT NULL DEFAULT 'open',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assignments_estimated_minutes_positive CHECK (estimated_minutes > 0),
    CONSTRAINT assignments_status_check CHECK (status IN ('open', 'done', 'dropped'))
);

-- The planner only ever looks at open work, ordered by deadline.
CREATE INDEX assignments_user_open_due_idx
    ON assignments (user_id, due_at)
    WHERE status = 'open';

CREATE TRIGGER trg_assignments_updated_at
    BEFORE UPDATE ON assignments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- migrate:down
DROP TABLE assignments;
