-- migrate:up
-- An ordinary, transactional migration after the concurrent one.
-- NOT VALID first: existing rows are checked by VALIDATE, which takes a weaker
-- lock than adding a checked constraint in one go.
ALTER TABLE calendar_events_new
    ADD CONSTRAINT calendar_events_new_title_not_blank CHECK (btrim(title) <> '') NOT VALID;

ALTER TABLE calendar_events_new
    VALIDATE CONSTRAINT calendar_events_new_title_not_blank;

-- migrate:down
ALTER TABLE calendar_events_new
    DROP CONSTRAINT calendar_events_new_title_not_blank;
