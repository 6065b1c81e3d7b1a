-- migrate:up
-- Give every event a scheduling priority. On production this walks millions of
-- rows, so it works in batches and reports progress as it goes: the NOTICEs
-- arrive while the DO block is still running.
ALTER TABLE calendar_events_new
    ADD COLUMN IF NOT EXISTS priority numeric(6,3);

DO $$
DECLARE
    batches constant integer := 6;
    updated bigint;
BEGIN
    FOR batch IN 1 .. batches LOOP
        UPDATE calendar_events_new
        SET priority = CASE event_type WHEN 'exam' THEN 3 WHEN 'class' THEN 2 ELSE 1 END
        WHERE priority IS NULL
          AND abs(hashtext(id::text)) % batches = batch - 1;
        GET DIAGNOSTICS updated = ROW_COUNT;
        RAISE NOTICE 'batch %/%: % events updated', batch, batches, updated;
        PERFORM pg_sleep(0.3);  -- let replicas and autovacuum keep up
    END LOOP;
    RAISE NOTICE 'backfill done';
END
$$;

-- migrate:down
ALTER TABLE calendar_events_new DROP COLUMN IF EXISTS priority;

-- migrate:verify
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM calendar_events_new WHERE priority IS NULL) THEN
        RAISE EXCEPTION 'some events still have no priority';
    END IF;
END
$$;
