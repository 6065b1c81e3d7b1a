-- migrate:up
-- Keep immovable events in place. The condition below only looks at start_at,
-- so an immovable event can still be resized by changing end_at: the verify
-- section exists to catch exactly this kind of mistake.
CREATE FUNCTION prevent_move_immovable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT OLD.is_movable AND NEW.start_at IS DISTINCT FROM OLD.start_at THEN
        RAISE EXCEPTION 'Cannot move or resize an immovable event (id=%).', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_prevent_move_immovable
    BEFORE UPDATE ON calendar_events_new
    FOR EACH ROW EXECUTE FUNCTION prevent_move_immovable();

-- migrate:down
DROP TRIGGER trg_prevent_move_immovable ON calendar_events_new;
DROP FUNCTION prevent_move_immovable();

-- migrate:verify
INSERT INTO users (id, email)
VALUES ('00000000-0000-4000-8000-00000000b001', 'verify@example.invalid');

INSERT INTO calendar_events_new (id, user_id, title, event_type, start_at, end_at, is_movable)
VALUES ('00000000-0000-4000-8000-00000000b0e1', '00000000-0000-4000-8000-00000000b001',
        'Final exam', 'exam', '2025-06-16 09:00Z', '2025-06-16 11:00Z', false);

-- Moving it must fail.
DO $$
BEGIN
    UPDATE calendar_events_new
    SET start_at = start_at + interval '1 hour', end_at = end_at + interval '1 hour'
    WHERE id = '00000000-0000-4000-8000-00000000b0e1';
    RAISE EXCEPTION 'an immovable event was moved';
EXCEPTION WHEN check_violation THEN
    NULL;  -- expected
END
$$;

-- Resizing it must fail too.
DO $$
BEGIN
    UPDATE calendar_events_new
    SET end_at = end_at + interval '30 minutes'
    WHERE id = '00000000-0000-4000-8000-00000000b0e1';
    RAISE EXCEPTION 'an immovable event was resized';
EXCEPTION WHEN check_violation THEN
    NULL;  -- expected
END
$$;
