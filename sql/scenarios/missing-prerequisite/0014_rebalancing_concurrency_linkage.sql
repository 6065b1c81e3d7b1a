-- migrate:up
-- Rebalancing: concurrency checks and assignment linkage.
-- Adds baseline fields for stale-checking, metadata for assignment/calendar event
-- linkage, and a trigger that keeps immovable events from being moved or resized.
BEGIN;

ALTER TABLE proposal_moves
  ADD COLUMN IF NOT EXISTS baseline_updated_at TIMESTAMPTZ,
  ADD COLUMN IF NOT EXISTS baseline_version BIGINT,
  ADD COLUMN IF NOT EXISTS metadata JSONB;

ALTER TABLE rebalancing_proposals
  ADD COLUMN IF NOT EXISTS baseline_calendar_version BIGINT;

CREATE INDEX IF NOT EXISTS idx_proposal_moves_source
  ON proposal_moves (source_event_id);

CREATE INDEX IF NOT EXISTS idx_moves_assignment
  ON proposal_moves ((metadata->>'assignment_id'));

CREATE INDEX IF NOT EXISTS idx_proposal_moves_metadata_gin
  ON proposal_moves USING gin (metadata);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'prevent_move_immovable') THEN
    CREATE FUNCTION prevent_move_immovable() RETURNS trigger AS $f$
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
    $f$ LANGUAGE plpgsql;
  END IF;

  IF NOT EXISTS (
    SELECT 1 FROM pg_trigger WHERE tgname = 'trg_prevent_move_immovable'
  ) THEN
    CREATE TRIGGER trg_prevent_move_immovable
      BEFORE UPDATE ON calendar_events_new
      FOR EACH ROW EXECUTE FUNCTION prevent_move_immovable();
  END IF;
END$$;

CREATE INDEX IF NOT EXISTS idx_events_user_assignment
  ON calendar_events_new (user_id, (metadata->>'assignment_id'));

COMMIT;

-- migrate:down
DROP TRIGGER trg_prevent_move_immovable ON calendar_events_new;
DROP FUNCTION prevent_move_immovable();
DROP INDEX idx_events_user_assignment;
DROP INDEX idx_moves_assignment;
DROP INDEX idx_proposal_moves_metadata_gin;
DROP INDEX idx_proposal_moves_source;
ALTER TABLE proposal_moves
  DROP COLUMN baseline_updated_at,
  DROP COLUMN baseline_version,
  DROP COLUMN metadata;
