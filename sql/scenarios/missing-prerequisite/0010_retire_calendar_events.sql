-- migrate:up
-- Nothing reads the legacy table any more. Rename it rather than drop it: support
-- still looks up legacy ids now and then, and a rename is instant to undo.
-- (The "_new" suffix stays on calendar_events_new: renaming the live table would
-- need every deployed client to switch at once.)
ALTER TABLE calendar_events RENAME TO calendar_events_old;

COMMENT ON TABLE calendar_events_old IS
    'Legacy events (wall-clock timestamps). Read-only; superseded by calendar_events_new.';

-- migrate:down
COMMENT ON TABLE calendar_events_old IS NULL;
ALTER TABLE calendar_events_old RENAME TO calendar_events;
