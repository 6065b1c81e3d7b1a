-- migrate:up
-- Churn is how much the rebalancer has disturbed someone's calendar. Each
-- applied move books its cost here; the weekly budget (0018) is checked against it.
-- Append-only, hence a plain identity key rather than a uuid.
CREATE TABLE churn_ledger (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    proposal_id uuid        REFERENCES rebalancing_proposals (id) ON DELETE SET NULL,
    move_id     uuid        REFERENCES proposal_moves (id) ON DELETE SET NULL,
    event_id    uuid        REFERENCES calendar_events_new (id) ON DELETE SET NULL,
    churn_cost  integer     NOT NULL,
    -- A rollback books the negated cost instead of deleting rows.
    reason      text        NOT NULL DEFAULT 'applied',
    occurred_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT churn_ledger_reason_check CHECK (reason IN ('applied', 'rolled_back', 'adjustment'))
);

CREATE INDEX idx_churn_ledger_user_occurred
    ON churn_ledger (user_id, occurred_at DESC);

-- Weekly totals, in the user's own week (a Monday in Auckland is not a Monday in UTC).
CREATE VIEW churn_weekly_totals AS
SELECT l.user_id,
       date_trunc('week', l.occurred_at AT TIME ZONE u.timezone)::date AS week_start,
       sum(l.churn_cost)::integer AS churn,
       count(*) FILTER (WHERE l.reason = 'applied') AS moves
FROM churn_ledger AS l
JOIN users AS u ON u.id = l.user_id
GROUP BY l.user_id, week_start;

-- migrate:down
DROP VIEW churn_weekly_totals;
DROP TABLE churn_ledger;
