-- migrate:up
-- The rebalancer's working tables, written after 0014 had already been merged.
-- 0014 alters proposal_moves, so on a fresh database 0014 runs first and fails:
-- this file should have been numbered to come before it.
--
-- A proposal is one run of the rebalancer for one user over a time window; its
-- moves are the individual changes the user accepts or rejects as a whole.
CREATE TABLE rebalancing_proposals (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       text        NOT NULL DEFAULT 'draft',
    trigger      text        NOT NULL DEFAULT 'manual',  -- what asked for the run
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    total_churn  integer     NOT NULL DEFAULT 0,
    score        numeric(8,3),
    expires_at   timestamptz,
    decided_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rebalancing_proposals_status_check
        CHECK (status IN ('draft', 'proposed', 'accepted', 'rejected',
                          'applied', 'expired', 'rolled_back')),
    CONSTRAINT rebalancing_proposals_trigger_check
        CHECK (trigger IN ('manual', 'schedule', 'calendar_change', 'assignment_change')),
    CONSTRAINT rebalancing_proposals_window_order CHECK (window_end > window_start)
);

-- The client shows a user's latest proposals first.
CREATE INDEX idx_rebalancing_proposals_user_created
    ON rebalancing_proposals (user_id, created_at DESC);

CREATE TRIGGER trg_rebalancing_proposals_updated_at
    BEFORE UPDATE ON rebalancing_proposals
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE proposal_moves (
    id                uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    proposal_id       uuid         NOT NULL
                      REFERENCES rebalancing_proposals (id) ON DELETE CASCADE,
    user_id           uuid         NOT NULL REFERENCES users (id),
    move_type         text         NOT NULL,
    -- NULL for inserts: a new study block has no source event yet.
    source_event_id   uuid         REFERENCES calendar_events_new (id),
    target_start_at   timestamptz,
    target_end_at     timestamptz,
    delta_minutes     integer,
    churn_cost        integer      NOT NULL DEFAULT 0,
    category          text,
    reason_codes      jsonb        NOT NULL DEFAULT '[]',
    base_priority     numeric(6,3),
    energy_multiplier numeric(4,2),
    final_priority    numeric(6,3),
    feasibility_flags jsonb,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT proposal_moves_move_type_check
        CHECK (move_type IN ('insert', 'move', 'resize', 'delete')),
    -- Every kind of move but an insert acts on an existing event.
    CONSTRAINT proposal_moves_source_required
        CHECK (move_type = 'insert' OR source_event_id IS NOT NULL),
    CONSTRAINT proposal_moves_target_order
        CHECK (target_end_at IS NULL OR target_start_at IS NULL
               OR target_end_at > target_start_at),
    CONSTRAINT proposal_moves_churn_cost_nonnegative CHECK (churn_cost >= 0),
    CONSTRAINT proposal_moves_reason_codes_is_array
        CHECK (jsonb_typeof(reason_codes) = 'array')
);

CREATE INDEX idx_proposal_moves_proposal
    ON proposal_moves (proposal_id);

-- Conflict checks look for other moves landing in the same slot for the same user.
CREATE INDEX idx_proposal_moves_user_target
    ON proposal_moves (user_id, target_start_at);

-- migrate:down
DROP TABLE proposal_moves;
DROP TABLE rebalancing_proposals;

-- migrate:verify
-- Deleting a proposal must take its moves with it.
DO $$
DECLARE
    probe_user     uuid;
    probe_proposal uuid;
    left_behind    bigint;
BEGIN
    INSERT INTO users (email) VALUES ('verify-0013-5@example.invalid')
    RETURNING id INTO probe_user;
    INSERT INTO rebalancing_proposals (user_id, window_start, window_end)
    VALUES (probe_user, '2025-03-03 00:00Z', '2025-03-10 00:00Z')
    RETURNING id INTO probe_proposal;
    INSERT INTO proposal_moves (proposal_id, user_id, move_type,
                                target_start_at, target_end_at, churn_cost)
    VALUES (probe_proposal, probe_user, 'insert',
            '2025-03-04 14:00Z', '2025-03-04 15:00Z', 1);

    DELETE FROM rebalancing_proposals WHERE id = probe_proposal;
    SELECT count(*) INTO left_behind FROM proposal_moves WHERE proposal_id = probe_proposal;
    IF left_behind <> 0 THEN
        RAISE EXCEPTION 'deleting a proposal left % moves behind', left_behind;
    END IF;
END
$$;
