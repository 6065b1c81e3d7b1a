-- migrate:up
-- Two demo users and one week of events. Noor's week is booked solid:
-- five eight-hour days, 2400 minutes, which 0003 stumbles over.
INSERT INTO users (id, email, timezone) VALUES
    ('00000000-0000-4000-8000-00000000a001', 'sam@example.org', 'Europe/Lisbon'),
    ('00000000-0000-4000-8000-00000000a002', 'noor@example.org', 'Asia/Dubai');

INSERT INTO calendar_events_new (user_id, title, event_type, start_at, end_at, is_movable)
SELECT '00000000-0000-4000-8000-00000000a001', title, event_type,
       start_at, start_at + duration, event_type <> 'class'
FROM (VALUES
    ('Statistics lecture', 'class', timestamptz '2025-03-03 09:00Z', interval '90 minutes'),
    ('Essay draft',        'study', timestamptz '2025-03-04 14:00Z', interval '2 hours'),
    ('Gym',                'personal', timestamptz '2025-03-05 07:00Z', interval '1 hour')
) AS week (title, event_type, start_at, duration);

INSERT INTO calendar_events_new (user_id, title, event_type, start_at, end_at, is_movable)
SELECT '00000000-0000-4000-8000-00000000a002', 'Clinical placement', 'class',
       day + time '08:00', day + time '16:00', false
FROM generate_series(timestamptz '2025-03-03 00:00Z', '2025-03-07 00:00Z', interval '1 day') AS day;

-- migrate:down
DELETE FROM users
WHERE id IN ('00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000a002');
