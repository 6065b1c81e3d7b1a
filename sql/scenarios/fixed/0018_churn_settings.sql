-- migrate:up
-- How much churn a user tolerates, and what each kind of move costs. The row
-- with user_id NULL holds the defaults; a user's own row overrides them.
CREATE TABLE churn_settings (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       uuid        UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    weekly_budget integer     NOT NULL,
    insert_cost   integer     NOT NULL,
    move_cost     integer     NOT NULL,
    resize_cost   integer     NOT NULL,
    delete_cost   integer     NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT churn_settings_costs_nonnegative
        CHECK (least(weekly_budget, insert_cost, move_cost, resize_cost, delete_cost) >= 0)
);

-- UNIQUE (user_id) lets any number of NULLs through; this allows exactly one default row.
CREATE UNIQUE INDEX churn_settings_one_default
    ON churn_settings ((true))
    WHERE user_id IS NULL;

CREATE TRIGGER trg_churn_settings_updated_at
    BEFORE UPDATE ON churn_settings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO churn_settings (user_id, weekly_budget, insert_cost, move_cost, resize_cost, delete_cost)
VALUES (NULL, 120, 1, 3, 2, 5)
ON CONFLICT DO NOTHING;

-- The settings in force for a user: their own row if they have one, else the defaults.
CREATE FUNCTION effective_churn_settings(p_user_id uuid) RETURNS churn_settings
LANGUAGE sql STABLE AS $$
    SELECT *
    FROM churn_settings
    WHERE user_id = p_user_id OR user_id IS NULL
    ORDER BY user_id NULLS LAST
    LIMIT 1
$$;

-- migrate:down
DROP FUNCTION effective_churn_settings(uuid);
DROP TABLE churn_settings;

-- migrate:verify
-- Exactly one default row, and a user without settings gets it.
DO $$
DECLARE
    defaults bigint;
    budget   integer;
BEGIN
    SELECT count(*) INTO defaults FROM churn_settings WHERE user_id IS NULL;
    IF defaults <> 1 THEN
        RAISE EXCEPTION 'expected exactly one default churn_settings row, found %', defaults;
    END IF;
    SELECT weekly_budget INTO budget
    FROM effective_churn_settings('00000000-0000-4000-8000-000000000018');
    IF budget IS NULL THEN
        RAISE EXCEPTION 'effective_churn_settings() returned nothing for a user without settings';
    END IF;
END
$$;
