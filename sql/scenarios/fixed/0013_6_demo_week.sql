-- migrate:up
-- A demo week for the rebalancer: one student, her calendar, and a proposal
-- that moves two study blocks around an immovable class. Staging databases
-- get the same rows, so a rollback shows real data at risk.
INSERT INTO users (id, email, display_name, timezone)
VALUES ('d3a00000-0000-4000-8000-000000000001', 'ada@demo.invalid', 'Ada', 'Europe/Berlin');

INSERT INTO calendar_events_new (id, user_id, title, event_type, start_at, end_at, is_movable)
VALUES
    ('d3a00000-0000-4000-8000-0000000e0001', 'd3a00000-0000-4000-8000-000000000001',
     'Linear algebra lecture', 'class',
     '2026-03-02 09:00+01', '2026-03-02 10:30+01', false),
    ('d3a00000-0000-4000-8000-0000000e0002', 'd3a00000-0000-4000-8000-000000000001',
     'Study: eigenvalues', 'study',
     '2026-03-02 10:00+01', '2026-03-02 11:00+01', true),
    ('d3a00000-0000-4000-8000-0000000e0003', 'd3a00000-0000-4000-8000-000000000001',
     'Study: proofs', 'study',
     '2026-03-03 14:00+01', '2026-03-03 15:30+01', true),
    ('d3a00000-0000-4000-8000-0000000e0004', 'd3a00000-0000-4000-8000-000000000001',
     'Exam prep', 'study',
     '2026-03-04 16:00+01', '2026-03-04 18:00+01', true);

INSERT INTO rebalancing_proposals (id, user_id, status, window_start, window_end, total_churn)
VALUES ('d3a00000-0000-4000-8000-0000000f0001', 'd3a00000-0000-4000-8000-000000000001',
        'proposed', '2026-03-02 00:00+01', '2026-03-09 00:00+01', 3);

INSERT INTO proposal_moves
    (proposal_id, user_id, move_type, source_event_id, target_start_at, target_end_at,
     delta_minutes, churn_cost, category, reason_codes)
VALUES
    ('d3a00000-0000-4000-8000-0000000f0001', 'd3a00000-0000-4000-8000-000000000001', 'move',
     'd3a00000-0000-4000-8000-0000000e0002', '2026-03-02 11:00+01', '2026-03-02 12:00+01',
     60, 1, 'study', '["overlaps_immovable"]'),
    ('d3a00000-0000-4000-8000-0000000f0001', 'd3a00000-0000-4000-8000-000000000001', 'resize',
     'd3a00000-0000-4000-8000-0000000e0003', '2026-03-03 14:00+01', '2026-03-03 15:00+01',
     -30, 1, 'study', '["energy_low_afternoon"]'),
    ('d3a00000-0000-4000-8000-0000000f0001', 'd3a00000-0000-4000-8000-000000000001', 'insert',
     NULL, '2026-03-05 09:00+01', '2026-03-05 10:00+01',
     NULL, 1, 'study', '["exam_in_3_days"]');

-- migrate:down
-- The proposal's moves go with it (ON DELETE CASCADE); events go with the user.
DELETE FROM rebalancing_proposals WHERE id = 'd3a00000-0000-4000-8000-0000000f0001';
DELETE FROM users WHERE id = 'd3a00000-0000-4000-8000-000000000001';
