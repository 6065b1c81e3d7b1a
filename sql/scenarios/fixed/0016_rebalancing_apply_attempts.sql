-- migrate:up
-- Every attempt to apply a proposal, successful or not. The client retries on
-- timeouts with the same idempotency key, so a retry finds the earlier attempt
-- instead of moving the same events twice.
CREATE TABLE rebalancing_apply_attempts (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    proposal_id     uuid        NOT NULL REFERENCES rebalancing_proposals (id) ON DELETE CASCADE,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    snapshot_id     uuid        REFERENCES rollback_snapshots (id) ON DELETE SET NULL,
    idempotency_key text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending',
    moves_applied   integer     NOT NULL DEFAULT 0,
    -- Set when status = 'conflict': the moves whose baseline no longer matched.
    conflicting_move_ids uuid[],
    error_code      text,
    error_detail    text,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    CONSTRAINT rebalancing_apply_attempts_status_check
        CHECK (status IN ('pending', 'applied', 'conflict', 'failed', 'rolled_back')),
    CONSTRAINT rebalancing_apply_attempts_finished_when_done
        CHECK ((status = 'pending') = (finished_at IS NULL)),
    CONSTRAINT rebalancing_apply_attempts_idempotency_key UNIQUE (user_id, idempotency_key)
);

-- At most one attempt in flight per proposal: a second concurrent apply fails
-- on this index instead of racing the first.
CREATE UNIQUE INDEX idx_apply_attempts_one_pending
    ON rebalancing_apply_attempts (proposal_id)
    WHERE status = 'pending';

CREATE INDEX idx_apply_attempts_user_started
    ON rebalancing_apply_attempts (user_id, started_at DESC);

-- migrate:down
DROP TABLE rebalancing_apply_attempts;

-- migrate:verify
-- Two pending attempts for one proposal must be refused.
DO $$
DECLARE
    probe_user     uuid;
    probe_proposal uuid;
BEGIN
    INSERT INTO users (email) VALUES ('verify-0016@example.invalid')
    RETURNING id INTO probe_user;
    INSERT INTO rebalancing_proposals (user_id, status, window_start, window_end)
    VALUES (probe_user, 'accepted', '2025-03-03 00:00Z', '2025-03-10 00:00Z')
    RETURNING id INTO probe_proposal;
    INSERT INTO rebalancing_apply_attempts (proposal_id, user_id, idempotency_key)
    VALUES (probe_proposal, probe_user, 'first');
    BEGIN
        INSERT INTO rebalancing_apply_attempts (proposal_id, user_id, idempotency_key)
        VALUES (probe_proposal, probe_user, 'second');
        RAISE EXCEPTION 'a second pending apply attempt was accepted';
    EXCEPTION WHEN unique_violation THEN
        NULL;  -- expected
    END;
END
$$;
