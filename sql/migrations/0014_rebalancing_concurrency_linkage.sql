-- migrate:up
-- Rebalancing: concurrency checks and assignment linkage.
--
--   * baseline_updated_at / baseline_version record what the event looked like
--     when the move was computed; applying a move whose event has changed since
--     is a conflict, not a silent overwrite.
--   * metadata links a move to the assignment it makes time for.
--   * trg_prevent_move_immovable is defense in depth: whatever the application
--     does, an event with is_movable = false keeps its start and end.
--
-- Requires proposal_moves and rebalancing_proposals (0013_5) and
-- calendar_events_new (0008).
-- Every statement is idempotent: running this twice changes nothing.
BEGIN;

ALTER TABLE proposal_moves
    ADD COLUMN IF NOT EXISTS baseline_updated_at timestamptz,
    ADD COLUMN IF NOT EXISTS baseline_version    bigint,
    ADD COLUMN IF NOT EXISTS metadata            jsonb;

-- A proposal is stale once the calendar moved under it: keep the version of
-- the user's calendar the proposal was computed against.
ALTER TABLE rebalancing_proposals
    ADD COLUMN IF NOT EXISTS baseline_calendar_version bigint;

-- "Which pending moves touch this event?" when the event changes underneath us.
CREATE INDEX IF NOT EXISTS idx_proposal_moves_source
    ON proposal_moves (source_event_id);

CREATE INDEX IF NOT EXISTS idx_moves_assignment
    ON proposal_moves ((metadata ->> 'assignment_id'));

CREATE INDEX IF NOT EXISTS idx_proposal_moves_metadata_gin
    ON proposal_moves USING gin (metadata);

-- The existence checks match the function by schema, name *and* an empty
-- argument list, and the trigger by name *and* table: an overload or a
-- same-named trigger elsewhere must not make this block skip its work.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1
        FROM pg_proc AS p
        JOIN pg_namespace AS n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND p.proname = 'prevent_move_immovable'
          AND pg_get_function_identity_arguments(p.oid) = ''
    ) THEN
        CREATE FUNCTION public.prevent_move_immovable() RETURNS trigger
        LANGUAGE plpgsql AS $f$
        BEGIN
            IF (OLD.is_movable = FALSE)
               AND (
                   (NEW.start_at IS DISTINCT FROM OLD.start_at)
                   OR (NEW.end_at IS DISTINCT FROM OLD.end_at)
               )
            THEN
                RAISE EXCEPTION 'Cannot move or resize an immovable event (id=%).', OLD.id
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END;
        $f$;
    END IF;

    IF NOT EXISTS (
        SELECT 1
        FROM pg_trigger
        WHERE tgname = 'trg_prevent_move_immovable'
          AND tgrelid = 'calendar_events_new'::regclass
    ) THEN
        CREATE TRIGGER trg_prevent_move_immovable
            BEFORE UPDATE OF start_at, end_at ON calendar_events_new
            FOR EACH ROW EXECUTE FUNCTION public.prevent_move_immovable();
    END IF;
END
$$;

-- Assignment-linked events of one user: "where are the study blocks for X?"
CREATE INDEX IF NOT EXISTS idx_events_user_assignment
    ON calendar_events_new (user_id, (metadata ->> 'assignment_id'));

COMMIT;

-- migrate:down
DROP TRIGGER IF EXISTS trg_prevent_move_immovable ON calendar_events_new;
DROP FUNCTION IF EXISTS prevent_move_immovable();
DROP INDEX IF EXISTS idx_events_user_assignment;
DROP INDEX IF EXISTS idx_moves_assignment;
DROP INDEX IF EXISTS idx_proposal_moves_metadata_gin;
DROP INDEX IF EXISTS idx_proposal_moves_source;
ALTER TABLE proposal_moves DROP COLUMN IF EXISTS baseline_updated_at;
ALTER TABLE proposal_moves DROP COLUMN IF EXISTS baseline_version;
ALTER TABLE proposal_moves DROP COLUMN IF EXISTS metadata;
ALTER TABLE rebalancing_proposals DROP COLUMN IF EXISTS baseline_calendar_version;

-- migrate:verify
-- The trigger's promise: an immovable event can be renamed but not moved.
-- Fixed ids let the statements below find the probe rows; the whole section
-- runs in a savepoint that is rolled back.
INSERT INTO users (id, email, timezone)
VALUES ('00000000-0000-4000-8000-000000000014', 'verify-0014@example.invalid', 'UTC');

INSERT INTO calendar_events_new (id, user_id, title, event_type, start_at, end_at, is_movable)
VALUES ('00000000-0000-4000-8000-0000000e0014', '00000000-0000-4000-8000-000000000014',
        'Linear Algebra lecture', 'class',
        '2025-03-03 09:00Z', '2025-03-03 10:30Z', false);

-- Moving it (keeping its length, so no CHECK constraint can be the one that
-- objects) must fail with check_violation raised by the trigger itself.
DO $$
DECLARE
    failed_constraint text;
BEGIN
    UPDATE calendar_events_new
    SET start_at = start_at + interval '30 minutes',
        end_at   = end_at + interval '30 minutes'
    WHERE id = '00000000-0000-4000-8000-0000000e0014';
    RAISE EXCEPTION 'an immovable event was moved: trg_prevent_move_immovable did not fire';
EXCEPTION WHEN check_violation THEN
    GET STACKED DIAGNOSTICS failed_constraint = CONSTRAINT_NAME;
    IF failed_constraint <> '' THEN
        RAISE EXCEPTION 'the move was refused by constraint %, not by the trigger',
            failed_constraint;
    END IF;
END
$$;

-- Renaming it must still work.
DO $$
DECLARE
    renamed bigint;
BEGIN
    UPDATE calendar_events_new
    SET title = 'Linear Algebra lecture (room 2.041)'
    WHERE id = '00000000-0000-4000-8000-0000000e0014';
    GET DIAGNOSTICS renamed = ROW_COUNT;
    IF renamed <> 1 THEN
        RAISE EXCEPTION 'renaming an immovable event updated % rows, expected 1', renamed;
    END IF;
END
$$;
