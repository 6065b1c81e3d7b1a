-- migrate:up
-- Before a proposal is applied, the events it touches are copied here, so
-- "undo" can put the calendar back exactly as it was, even days later.
CREATE TABLE rollback_snapshots (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    proposal_id uuid        NOT NULL REFERENCES rebalancing_proposals (id) ON DELETE CASCADE,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- [{"id": …, "start_at": …, "end_at": …, "updated_at": …}, …] as they were
    -- before the apply; events the proposal inserted are listed in created_event_ids.
    events            jsonb       NOT NULL,
    created_event_ids uuid[]      NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL DEFAULT now() + interval '14 days',
    restored_at       timestamptz,
    CONSTRAINT rollback_snapshots_events_is_array CHECK (jsonb_typeof(events) = 'array'),
    CONSTRAINT rollback_snapshots_expiry_after_creation CHECK (expires_at > created_at)
);

CREATE INDEX idx_rollback_snapshots_proposal
    ON rollback_snapshots (proposal_id);

-- The nightly purge deletes expired snapshots that were never restored.
CREATE INDEX idx_rollback_snapshots_expiry
    ON rollback_snapshots (expires_at)
    WHERE restored_at IS NULL;

-- migrate:down
DROP TABLE rollback_snapshots;
